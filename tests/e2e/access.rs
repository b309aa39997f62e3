//! Delegated access end to end (DOMAIN.md §4): grants where the table allows them, 24-hour
//! access requests, switching into a customer, the customer's own controls, the audit view.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::{Session, totp_code};
use tests::{TestApp, code_of};

use crate::customers::create;

/// A partner with its admin, a `user` bea, and customer SHOP in `status` with admin cara.
struct World {
    platform: Session,
    admin: Session,
    bea_id: String,
    bea: Session,
    cara: Session,
}

async fn world(app: &TestApp, status: &str) -> World {
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (bea_id, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea Byrne", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    create(
        app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop", "status": status}),
    )
    .await;
    let (_, cara) = app
        .invited_member(
            &admin,
            "/customers/SHOP/admins",
            "SHOP",
            json!({"name": "Cara Doyle", "email": "cara@shop.example"}),
        )
        .await;
    World {
        platform,
        admin,
        bea_id,
        bea,
        cara,
    }
}

fn terms(user_id: &str, customer: &str) -> Value {
    json!({"user_id": user_id, "customer_id": customer, "profile": "Consultant", "role": "admin",
           "permissions": ["view_entities", "manage_entities"]})
}

async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    let got = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The status and, for a problem, its code (empty otherwise).
async fn outcome(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

async fn send(app: &TestApp, method: Method, token: &str, path: &str) -> StatusCode {
    app.bearer(method, path, token)
        .send()
        .await
        .unwrap()
        .status()
}

/// `who` logged in again (after the clock jumped past its access token's 15 minutes).
async fn again(app: &TestApp, who: &Session) -> Session {
    app.login(&who.account_id, &who.logon, &who.secret).await
}

/// Switches `who` into `customer` with a fresh code; returns the acting session.
async fn switch(app: &TestApp, who: &Session, customer: &str) -> Session {
    app.clock.advance(Duration::seconds(30));
    let code = totp_code(&who.secret, app.clock_now());
    let tokens = json_of(
        app.post_as(
            who,
            "/auth/switch",
            &json!({"customer_id": customer, "code": code}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    Session {
        account_id: customer.to_owned(),
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        ..who.clone()
    }
}

/// The seeds' whole story: refused a direct grant for an Established customer, the partner
/// requests access, the customer's admin gets the email and approves within 24 hours, the
/// partner user switches in and works, its actions show in the customer's audit view; the
/// customer locks the permission flag and revokes the grant, and the session inside stops.
#[tokio::test]
async fn the_story_from_the_seeds() {
    let app = TestApp::spawn().await;
    let w = world(&app, "established").await;

    let refused = app
        .post_as(&w.admin, "/grants", &terms(&w.bea_id, "SHOP"))
        .await;
    let problem = tests::problem(refused).await;
    assert_eq!(problem["code"], "access_requires_customer_permission");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("access request")
    );

    let mut ask = terms(&w.bea_id, "SHOP");
    ask["duration_hours"] = json!(72);
    ask["message"] = json!("Bea will set up your clinics.");
    let request = json_of(
        app.post_as(&w.admin, "/access-requests", &ask).await,
        StatusCode::CREATED,
    )
    .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"], "pending");
    let email = app.emails_to("cara@shop.example").pop().unwrap();
    assert!(
        email
            .body
            .contains(&format!("/access-requests/{request_id}"))
    );
    assert!(email.body.contains("Bea Byrne"));
    assert_eq!(
        code_of(app.post_as(&w.admin, "/access-requests", &ask).await).await,
        (StatusCode::CONFLICT, "request_already_pending".into())
    );

    // The customer admin sees it, and approves 23 hours later, narrowing the duration.
    let pending = json_of(
        app.get_as(&w.cara, "/access-requests?status=pending").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["items"][0]["id"], request_id.as_str());
    app.clock.advance(Duration::hours(23));
    let cara = app.login("SHOP", "cara@shop.example", &w.cara.secret).await;
    let approved = json_of(
        app.post_as(
            &cara,
            &format!("/access-requests/{request_id}/approve"),
            &json!({"duration_hours": 48, "message": "Welcome"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["request"]["status"], "approved");
    let grant_id = approved["grant"]["id"].as_str().unwrap().to_owned();
    assert_eq!(approved["grant"]["origin"], "request");
    assert_eq!(approved["grant"]["user"]["name"], "Bea Byrne");
    assert!(
        app.emails_to("admin@partacme.example")
            .iter()
            .any(|m| m.subject.contains("approved"))
    );

    // Bea sees she can enter SHOP; her session is older than 15 minutes: a code is needed.
    let bea = app
        .login("PARTACME", "bea@acme.example", &w.bea.secret)
        .await;
    let listing = json_of(app.get_as(&bea, "/customers").await, StatusCode::OK).await;
    assert_eq!(listing["items"][0]["can_access"], true);
    // 16 minutes on, the access token is refreshed: the session is the same, its login older.
    app.clock.advance(Duration::minutes(16));
    let tokens = json_of(
        app.post(
            "/auth/refresh",
            &json!({"refresh_token": bea.refresh_token}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let bea = Session {
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        ..bea
    };
    assert_eq!(
        code_of(
            app.post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
                .await
        )
        .await,
        (StatusCode::FORBIDDEN, "reauthentication_required".into())
    );
    assert_eq!(
        code_of(
            app.post_as(
                &bea,
                "/auth/switch",
                &json!({"customer_id": "SHOP", "code": "000000"})
            )
            .await
        )
        .await
        .1,
        "invalid_totp_code"
    );
    let inside = switch(&app, &bea, "SHOP").await;
    let me = json_of(app.get_as(&inside, "/me").await, StatusCode::OK).await;
    assert_eq!(me["account"]["id"], "SHOP");
    assert_eq!(me["acting"]["partner_id"], "PARTACME");
    assert_eq!(me["user"]["id"], w.bea_id.as_str());

    // Inside, Bea works on the customer's entities...
    let entity = json_of(
        app.post_as(
            &inside,
            "/customers/SHOP/entities",
            &json!({"name": "Cork", "entity_type": "clinic"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // ...but nothing else: not the partner's routes, not the customer's own controls.
    for (method, path) in [
        (Method::GET, "/customers"),
        (Method::GET, "/grants"),
        (Method::GET, "/audit"),
        (Method::PUT, "/account/access-permission"),
    ] {
        let response = app
            .bearer(method.clone(), path, &inside.access_token)
            .json(&json!({"required": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            code_of(response).await,
            (StatusCode::FORBIDDEN, "not_while_acting".into()),
            "{method} {path}"
        );
    }
    assert_eq!(
        send(
            &app,
            Method::GET,
            &inside.access_token,
            "/partners/PARTACME"
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &app,
            Method::GET,
            &inside.access_token,
            "/customers/ELSE/entities"
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, Method::POST, &inside.access_token, "/auth/switch").await,
        StatusCode::FORBIDDEN
    );

    // The customer's audit view shows what Bea did inside, as Bea acting.
    let cara = again(&app, &cara).await;
    let admin = again(&app, &w.admin).await;
    let trail = json_of(
        app.get_as(&cara, "/audit?acting=true&action=entity.created")
            .await,
        StatusCode::OK,
    )
    .await;
    let event = &trail["items"][0];
    assert_eq!(event["actor_user_id"], w.bea_id.as_str());
    assert_eq!(event["acting"], true);
    assert_eq!(event["target_id"], entity["id"]);
    assert_eq!(event["after"]["name"], "Cork");
    let csv = app
        .get_as(&cara, "/audit/export.csv?acting=true")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("occurred_at,action,"));
    assert!(csv.contains("entity.created"));
    assert!(csv.contains("session.switched_into_customer"));

    // The customer locks the flag; the partner cannot clear it.
    let locked = json_of(
        app.bearer(
            Method::PUT,
            "/account/access-permission",
            &cara.access_token,
        )
        .json(&json!({"required": true}))
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(locked["locked_by_customer"], true);
    assert_eq!(
        code_of(
            app.patch_as(
                &admin,
                "/customers/SHOP",
                &json!({"requires_access_permission": false})
            )
            .await
        )
        .await,
        (StatusCode::FORBIDDEN, "locked_by_customer".into())
    );

    // The customer sees who can enter and revokes Bea: her session inside stops at once.
    let grants = json_of(app.get_as(&cara, "/grants").await, StatusCode::OK).await;
    assert_eq!(grants["items"][0]["id"], grant_id.as_str());
    assert!(grants["items"][0]["last_used_at"].is_string());
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &cara.access_token,
            &format!("/grants/{grant_id}")
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, Method::GET, &inside.access_token, "/me").await,
        StatusCode::UNAUTHORIZED
    );
    let refreshed = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": inside.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        code_of(
            app.post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
                .await
        )
        .await,
        (StatusCode::FORBIDDEN, "no_access_grant".into())
    );
    assert_eq!(
        app.audit_actions(&grant_id),
        ["access_grant.created", "access_grant.revoked"]
    );
}

/// DOMAIN.md §4's table, every status × flag, over HTTP.
#[tokio::test]
async fn the_grant_table_every_cell() {
    let app = TestApp::spawn().await;
    let w = world(&app, "demo").await;
    let statuses = [
        ("pre_sales", true),
        ("demo", true),
        ("onboarding", true),
        ("handholding", true),
        ("established", false),
        ("advocate", false),
        ("read_only", false),
        ("churned", false),
    ];
    for (n, (status, direct_without_flag)) in statuses.into_iter().enumerate() {
        for flag in [false, true] {
            let id = format!(
                "C{}{}",
                (b'A' + n as u8) as char,
                if flag { "Y" } else { "N" }
            );
            create(
                &app,
                &w.admin,
                json!({"id": id, "ref": id, "name": id, "status": status,
                       "requires_access_permission": flag}),
            )
            .await;
            let (status_code, code) = outcome(
                app.post_as(&w.admin, "/grants", &terms(&w.bea_id, &id))
                    .await,
            )
            .await;
            if direct_without_flag && !flag {
                assert_eq!(status_code, StatusCode::CREATED, "{status} {flag}");
            } else {
                assert_eq!(
                    (status_code, code.as_str()),
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "access_requires_customer_permission"
                    ),
                    "{status} {flag}"
                );
            }
        }
    }
    // A second grant for the pair is refused; changing it works; a user grant is read-only.
    let again = app
        .post_as(&w.admin, "/grants", &terms(&w.bea_id, "CAN"))
        .await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::CONFLICT, "grant_exists".into())
    );
    let mut readonly = terms(&w.bea_id, "SHOP");
    readonly["role"] = json!("user");
    let problem = tests::problem(app.post_as(&w.admin, "/grants", &readonly).await).await;
    assert_eq!(problem["errors"][0]["field"], "permissions");
    assert_eq!(problem["errors"][0]["code"], "needs_admin_role");
    let list = json_of(
        app.get_as(&w.admin, &format!("/grants?user_id={}", w.bea_id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
}

/// A request expires 24 hours after it was made: at 23:59:59 it can be approved, at 24:00:00
/// it answers 409 and lists as expired; a new one may then be sent.
#[tokio::test]
async fn a_request_expires_after_exactly_24_hours() {
    let app = TestApp::spawn().await;
    let w = world(&app, "advocate").await;
    let (tom_id, _) = app
        .invited_member(
            &w.admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Tom", "email": "tom@acme.example", "role": "admin"}),
        )
        .await;
    let ask = |user: &str| terms(user, "SHOP");
    let first = json_of(
        app.post_as(&w.admin, "/access-requests", &ask(&w.bea_id))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let second = json_of(
        app.post_as(&w.admin, "/access-requests", &ask(&tom_id))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Logging in moves the clock 30 s: Cara logs in at 23:59:59 exactly.
    app.clock
        .advance(Duration::hours(24) - Duration::seconds(1) - Duration::seconds(30));
    let cara = again(&app, &w.cara).await;
    let approve = |id: &Value| format!("/access-requests/{}/approve", id.as_str().unwrap());
    json_of(
        app.bearer(Method::POST, &approve(&first["id"]), &cara.access_token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        code_of(
            app.bearer(Method::POST, &approve(&second["id"]), &cara.access_token)
                .send()
                .await
                .unwrap()
        )
        .await,
        (StatusCode::CONFLICT, "request_expired".into())
    );
    let deny = format!("/access-requests/{}/deny", second["id"].as_str().unwrap());
    assert_eq!(
        code_of(app.post_as(&cara, &deny, &json!({})).await).await.1,
        "request_expired"
    );
    let admin = again(&app, &w.admin).await;
    let expired = json_of(
        app.get_as(&admin, "/access-requests?status=expired").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(expired["items"][0]["id"], second["id"]);
    assert_eq!(expired["items"].as_array().unwrap().len(), 1);
    // The pair's pending slot is free again.
    json_of(
        app.post_as(&admin, "/access-requests", &ask(&tom_id)).await,
        StatusCode::CREATED,
    )
    .await;
    // Deciding twice is refused.
    assert_eq!(
        code_of(
            app.bearer(Method::POST, &approve(&first["id"]), &cara.access_token)
                .send()
                .await
                .unwrap()
        )
        .await,
        (StatusCode::CONFLICT, "request_already_decided".into())
    );
}

/// Two approvals of one request at once make one grant; two requests for one pair at once
/// leave one pending.
#[tokio::test]
async fn concurrent_decisions_and_requests_leave_one_of_each() {
    let app = TestApp::spawn().await;
    let w = world(&app, "established").await;
    let (tom_id, _) = app
        .invited_member(
            &w.admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Tom", "email": "tom@acme.example", "role": "user"}),
        )
        .await;
    let ask = terms(&w.bea_id, "SHOP");
    let (a, b) = tokio::join!(
        app.post_as(&w.admin, "/access-requests", &ask),
        app.post_as(&w.admin, "/access-requests", &ask)
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);

    let mut other = terms(&tom_id, "SHOP");
    other["role"] = json!("user");
    other["permissions"] = json!(["view_entities"]);
    let request = json_of(
        app.post_as(&w.admin, "/access-requests", &other).await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!(
        "/access-requests/{}/approve",
        request["id"].as_str().unwrap()
    );
    let empty = json!({});
    let (a, b) = tokio::join!(
        app.post_as(&w.cara, &path, &empty),
        app.post_as(&w.cara, &path, &empty)
    );
    let mut outcomes = [outcome(a).await, outcome(b).await];
    outcomes.sort();
    assert_eq!(outcomes[0].0, StatusCode::OK);
    assert_eq!(
        outcomes[1],
        (StatusCode::CONFLICT, "request_already_decided".into())
    );
    let grants = json_of(
        app.get_as(&w.admin, &format!("/grants?user_id={tom_id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(grants["items"].as_array().unwrap().len(), 1);
}

/// Another partner's admin meets our grants and requests as ids that do not exist; an approval
/// can only narrow; the customer admin layer request goes to the named admin alone.
#[tokio::test]
async fn tenants_narrowing_and_the_admin_layer() {
    let app = TestApp::spawn().await;
    let w = world(&app, "handholding").await;
    let other = app.partner_admin(&w.platform, "PARTBETA").await;
    let grant = json_of(
        app.post_as(&w.admin, "/grants", &terms(&w.bea_id, "SHOP"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let (dan_id, dan) = app
        .invited_member(
            &w.admin,
            "/customers/SHOP/admins",
            "SHOP",
            json!({"name": "Dan", "email": "dan@shop.example"}),
        )
        .await;
    let mut layer = terms(&w.bea_id, "SHOP");
    layer["customer_admin_id"] = json!(dan_id);
    layer["permissions"] = json!(["view_entities"]);
    layer["duration_hours"] = json!(24);
    // Bea holds a grant: a request for her replaces its terms on approval.
    let request = json_of(
        app.post_as(&w.admin, "/access-requests", &layer).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(request["addressed_to"], dan_id.as_str());
    assert!(
        app.emails_to("cara@shop.example")
            .iter()
            .all(|m| m.kind != "access_request")
    );
    assert_eq!(
        app.emails_to("dan@shop.example").last().unwrap().kind,
        "access_request"
    );

    let grant_path = format!("/grants/{}", grant["id"].as_str().unwrap());
    let request_path = format!("/access-requests/{}", request["id"].as_str().unwrap());
    for path in [&grant_path, &request_path] {
        assert_eq!(
            app.get_as(&other, path).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        send(&app, Method::DELETE, &other.access_token, &grant_path).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &app,
            Method::POST,
            &other.access_token,
            &format!("{request_path}/cancel")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    let foreign = app
        .post_as(&other, "/grants", &terms(&w.bea_id, "SHOP"))
        .await;
    let problem = tests::problem(foreign).await;
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["customer_id", "user_id"]);

    // Cara may not decide what was asked of Dan; Dan may not widen it.
    let approve = format!("{request_path}/approve");
    assert_eq!(
        app.post_as(&w.cara, &approve, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let widened = app
        .post_as(&dan, &approve, &json!({"duration_hours": 48}))
        .await;
    assert_eq!(tests::problem(widened).await["errors"][0]["code"], "widens");
    let approved = json_of(
        app.post_as(&dan, &approve, &json!({"duration_hours": 12}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["grant"]["id"], grant["id"]);
    assert_eq!(approved["grant"]["permissions"], json!(["view_entities"]));
    assert!(approved["grant"]["expires_at"].is_string());

    // With a read-only grant, Bea reads entities inside but cannot add one.
    let bea = app
        .login("PARTACME", "bea@acme.example", &w.bea.secret)
        .await;
    let inside = switch(&app, &bea, "SHOP").await;
    assert_eq!(
        app.get_as(&inside, "/customers/SHOP/entities")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post_as(
            &inside,
            "/customers/SHOP/entities",
            &json!({"name": "X", "entity_type": "clinic"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    // The switch checks its caller inside its transaction, still before the body: a session
    // acting inside a customer may not switch, whatever it sends…
    let not_a_switch = json!("not an object");
    assert_eq!(
        outcome(app.post_as(&inside, "/auth/switch", &not_a_switch).await).await,
        (StatusCode::FORBIDDEN, "not_while_acting".to_owned())
    );
    // Logging out of the partner session ends the one inside.
    assert_eq!(app.logout(&bea).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        send(&app, Method::GET, &inside.access_token, "/me").await,
        StatusCode::UNAUTHORIZED
    );
    // … and a logged-out session's token is refused, whatever it sends.
    assert_eq!(
        app.post_as(&bea, "/auth/switch", &not_a_switch)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A customer invites a partner user as a guest (seed 001); a grant with an expiry stops by
/// itself; deactivating the partner user or the customer ends the acting session.
#[tokio::test]
async fn guests_expiry_and_deactivation() {
    let app = TestApp::spawn().await;
    let w = world(&app, "established").await;
    let guest = json_of(
        app.post_as(
            &w.cara,
            "/account/guests",
            &json!({"email": "BEA@acme.example", "profile": "Guest", "role": "user",
                    "permissions": ["view_entities"],
                    "expires_at": app.clock_now() + Duration::minutes(10)}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(guest["origin"], "guest");
    let unknown = app
        .post_as(
            &w.cara,
            "/account/guests",
            &json!({"email": "nobody@acme.example", "profile": "Guest", "role": "user",
                    "permissions": ["view_entities"]}),
        )
        .await;
    assert_eq!(tests::problem(unknown).await["errors"][0]["field"], "email");

    let inside = switch(&app, &w.bea, "SHOP").await;
    assert_eq!(app.get_as(&inside, "/me").await.status(), StatusCode::OK);
    app.clock.advance(Duration::minutes(9));
    assert_eq!(app.get_as(&inside, "/me").await.status(), StatusCode::OK);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        app.get_as(&inside, "/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "an expired grant stops working by itself"
    );
    let bea = again(&app, &w.bea).await;
    let admin = again(&app, &w.admin).await;
    let cara = again(&app, &w.cara).await;
    let listing = json_of(app.get_as(&bea, "/customers").await, StatusCode::OK).await;
    assert_eq!(listing["items"][0]["can_access"], false);

    // A fresh grant, then the customer is deactivated: the session inside ends.
    let grant_path = format!("/grants/{}", guest["id"].as_str().unwrap());
    assert_eq!(
        send(&app, Method::DELETE, &admin.access_token, &grant_path).await,
        StatusCode::NO_CONTENT
    );
    json_of(
        app.post_as(
            &cara,
            "/account/guests",
            &json!({"email": "bea@acme.example", "profile": "Guest", "role": "user",
                    "permissions": ["view_entities"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let inside = switch(&app, &bea, "SHOP").await;
    let off = app
        .patch_as(&admin, "/customers/SHOP", &json!({"active": false}))
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&inside, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        code_of(
            app.post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
                .await
        )
        .await,
        (StatusCode::FORBIDDEN, "customer_inactive".into())
    );
    app.patch_as(&admin, "/customers/SHOP", &json!({"active": true}))
        .await;
    let inside = switch(&app, &bea, "SHOP").await;
    let off = app
        .patch_as(
            &admin,
            &format!("/partners/PARTACME/users/{}", w.bea_id),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&inside, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Marketing users reach the partner kit and nothing else; the platform publishes it.
#[tokio::test]
async fn the_partner_kit() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (_, mia) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Mia", "email": "mia@acme.example", "role": "marketing"}),
        )
        .await;
    let (_, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    let pdf = b"%PDF-1.7 brochure".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("title", "Spring brochure")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("../brochure.pdf"),
        );
    let published = json_of(
        app.bearer(Method::POST, "/partner-kit", &platform.access_token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(published["content_type"], "application/pdf");
    assert_eq!(published["file_name"], "brochure.pdf");
    let items = json_of(app.get_as(&mia, "/partner-kit").await, StatusCode::OK).await;
    assert_eq!(items[0]["title"], "Spring brochure");
    let file = app.get_as(&mia, published["url"].as_str().unwrap()).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    for path in ["/customers", "/grants", "/audit"] {
        assert_eq!(
            app.get_as(&mia, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        app.get_as(&bea, "/partner-kit").await.status(),
        StatusCode::FORBIDDEN
    );
    let url = published["url"].as_str().unwrap().trim_end_matches("/file");
    assert_eq!(
        send(&app, Method::DELETE, &mia.access_token, url).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, Method::DELETE, &platform.access_token, url).await,
        StatusCode::NO_CONTENT
    );
}
