//! Delegated access rule by rule: the grant table, expiry, races, tenants, guests.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{TestApp, code_of};

use super::*;

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
            "/customers/SHOP/users",
            "SHOP",
            json!({"name": "Dan", "email": "dan@shop.example", "role": "admin"}),
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
