//! A customer's own users (seeds 001, 002): invited through the one onboarding flow as guests,
//! promoted and demoted, deactivated, removed; managed by the partner's admins, the customer's
//! own admins and partner users acting inside with `manage_users`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::{PASSWORD, Session, totp_code};
use tests::{TestApp, code_of};

use crate::customers::create;

mod licences;
mod story;

/// A partner admin and its customer SHOP (with an `analytics` licence of `seats` seats).
pub(super) struct Shop {
    pub(super) platform: Session,
    pub(super) admin: Session,
}

pub(super) async fn shop(app: &TestApp, seats: u32) -> Shop {
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(
        app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop", "licences": [
            {"product": "analytics", "licence_type": "subscription", "seats_available": seats}]}),
    )
    .await;
    Shop { platform, admin }
}

pub(super) async fn json_of(response: reqwest::Response, want: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Invites `name` into SHOP as `by`; the user's id (not enrolled).
pub(super) async fn invite(app: &TestApp, by: &Session, name: &str, role: Option<&str>) -> String {
    let mut body = json!({"name": name, "email": format!("{}@shop.example", name.to_lowercase())});
    if let Some(role) = role {
        body["role"] = json!(role);
    }
    let user = json_of(
        app.post_as(by, "/customers/SHOP/users", &body).await,
        StatusCode::CREATED,
    )
    .await;
    user["id"].as_str().unwrap().to_owned()
}

/// Invites `name` and logs them in.
pub(super) async fn member(
    app: &TestApp,
    by: &Session,
    name: &str,
    role: Option<&str>,
) -> (String, Session) {
    let mut body = json!({"name": name, "email": format!("{}@shop.example", name.to_lowercase())});
    if let Some(role) = role {
        body["role"] = json!(role);
    }
    app.invited_member(by, "/customers/SHOP/users", "SHOP", body)
        .await
}

#[tokio::test]
async fn an_invited_user_starts_as_a_guest_who_uses_the_account_but_manages_nothing() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 5).await;
    let (gus_id, gus) = member(&app, &admin, "Gus", None).await;
    let email = app.emails_to("gus@shop.example").remove(0);
    assert!(email.subject.contains("Shop"), "{}", email.subject);

    let me: Value = app.get_as(&gus, "/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "guest");
    assert_eq!(me["can"], json!(["view_entities", "view_users"]));
    // A guest sees who works in the account, and manages nothing.
    let listed = json_of(
        app.get_as(&gus, "/customers/SHOP/users").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["role"], "guest");
    assert_eq!(listed["items"][0]["pending_invitation"], false);
    assert!(listed["items"][0]["last_login_at"].is_string());
    for (method, path, body) in [
        (
            Method::POST,
            "/customers/SHOP/users".to_owned(),
            Some(json!({"name": "X", "email": "x@shop.example"})),
        ),
        (
            Method::PATCH,
            format!("/customers/SHOP/users/{gus_id}"),
            Some(json!({"role": "admin"})),
        ),
        (
            Method::PUT,
            format!("/customers/SHOP/users/{gus_id}/licences/analytics"),
            None,
        ),
        (Method::GET, "/grants".to_owned(), None),
    ] {
        let mut request = app.bearer(method.clone(), &path, &gus.access_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_eq!(
            code_of(request.send().await.unwrap()).await,
            (StatusCode::FORBIDDEN, "forbidden".into()),
            "{method} {path}"
        );
    }
    let customer = json_of(app.get_as(&admin, "/customers/SHOP").await, StatusCode::OK).await;
    assert_eq!(
        customer["users"],
        json!({"total": 1, "by_type": {"guest": 1}})
    );
}

#[tokio::test]
async fn a_promoted_admin_manages_users_and_an_active_admin_always_remains() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 5).await;
    let (cara_id, cara) = member(&app, &admin, "Cara", None).await;
    let promoted = json_of(
        app.patch_as(
            &admin,
            &format!("/customers/SHOP/users/{cara_id}"),
            &json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(promoted["role"], "admin");
    // The role is read afresh on every request: cara's session manages users now.
    let me: Value = app.get_as(&cara, "/me").await.json().await.unwrap();
    assert!(
        me["can"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_users")),
        "{me}"
    );

    // The customer's own admin invites and edits users of its own account.
    let dan_id = invite(&app, &cara, "Dan", None).await;
    let renamed = json_of(
        app.patch_as(
            &cara,
            &format!("/customers/SHOP/users/{dan_id}"),
            &json!({"name": "Dan Hart", "logon": "dan"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["logon"], "dan");

    // The last active admin can be neither demoted, nor deactivated, nor removed.
    for (method, body, query) in [
        (Method::PATCH, Some(json!({"role": "guest"})), ""),
        (Method::PATCH, Some(json!({"active": false})), ""),
        (Method::DELETE, None, "?confirm=true"),
    ] {
        let path = format!("/customers/SHOP/users/{cara_id}{query}");
        let mut request = app.bearer(method.clone(), &path, &admin.access_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_eq!(
            code_of(request.send().await.unwrap()).await,
            (StatusCode::CONFLICT, "last_active_admin".into()),
            "{method} {path}"
        );
    }
    // With a second admin the first may step down.
    json_of(
        app.patch_as(
            &cara,
            &format!("/customers/SHOP/users/{dan_id}"),
            &json!({"role": "admin"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let demoted = json_of(
        app.patch_as(
            &admin,
            &format!("/customers/SHOP/users/{cara_id}"),
            &json!({"role": "guest"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(demoted["role"], "guest");
    // Demoted, cara's session manages nothing any more.
    assert_eq!(
        app.post_as(
            &cara,
            "/customers/SHOP/users",
            &json!({"name": "E", "email": "e@shop.example"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let customer = json_of(app.get_as(&admin, "/customers/SHOP").await, StatusCode::OK).await;
    assert_eq!(
        customer["users"],
        json!({"total": 2, "by_type": {"admin": 1, "guest": 1}})
    );
    let audit = app.audit_actions(&cara_id);
    assert!(
        audit.contains(&"customer_user.updated".to_owned()),
        "{audit:?}"
    );
}

#[tokio::test]
async fn users_are_listed_by_role_state_and_text_and_removed_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 5).await;
    let ann = invite(&app, &admin, "Ann", Some("admin")).await;
    let bob = invite(&app, &admin, "Bob", None).await;
    let cid = invite(&app, &admin, "Cid", None).await;
    json_of(
        app.patch_as(
            &admin,
            &format!("/customers/SHOP/users/{cid}"),
            &json!({"active": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, want) in [
        ("role=admin", vec![ann.clone()]),
        ("role=guest", vec![bob.clone(), cid.clone()]),
        ("active=false", vec![cid.clone()]),
        ("q=BOB%40SHOP", vec![bob.clone()]),
        (
            "pending_invitation=true&active=true",
            vec![ann.clone(), bob.clone()],
        ),
    ] {
        let page = json_of(
            app.get_as(&admin, &format!("/customers/SHOP/users?{query}"))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&page), want, "{query}");
    }
    // Keyset pages: two, then the rest.
    let first = json_of(
        app.get_as(&admin, "/customers/SHOP/users?limit=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&first), vec![ann.clone(), bob.clone()]);
    let next = first["next"].as_str().unwrap();
    let rest = json_of(
        app.get_as(
            &admin,
            &format!("/customers/SHOP/users?limit=2&after={next}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&rest), vec![cid.clone()]);
    assert!(rest["next"].is_null());
    let bad = app.get_as(&admin, "/customers/SHOP/users?role=owner").await;
    assert_eq!(
        code_of(bad).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );

    let unconfirmed = app
        .bearer(
            Method::DELETE,
            &format!("/customers/SHOP/users/{bob}"),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(unconfirmed).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation_required".into()
        )
    );
    let removed = app
        .bearer(
            Method::DELETE,
            &format!("/customers/SHOP/users/{bob}?confirm=true"),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let told = app.emails_to("bob@shop.example");
    assert!(
        told.iter().any(|m| m.kind == "access_revoked"),
        "{:?}",
        told.iter().map(|m| &m.kind).collect::<Vec<_>>()
    );
    assert_eq!(
        app.get_as(&admin, &format!("/customers/SHOP/users/{bob}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let taken = app
        .post_as(
            &admin,
            "/customers/SHOP/users",
            &json!({"name": "Ann 2", "email": "ann@shop.example"}),
        )
        .await;
    assert_eq!(
        code_of(taken).await,
        (StatusCode::CONFLICT, "logon_taken".into())
    );
    let bad = app
        .post_as(
            &admin,
            "/customers/SHOP/users",
            &json!({"name": "", "email": "nope", "role": "owner"}),
        )
        .await;
    let problem: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["name", "email", "role"], "{problem}");
}

#[tokio::test]
async fn another_tenant_finds_no_users_and_a_managing_grant_manages_them_from_inside() {
    let app = TestApp::spawn().await;
    let Shop { platform, admin } = shop(&app, 5).await;
    let gus = invite(&app, &admin, "Gus", None).await;
    create(
        &app,
        &admin,
        json!({"id": "OTHER", "ref": "2", "name": "Other"}),
    )
    .await;
    let (_, olga) = app
        .invited_member(
            &admin,
            "/customers/OTHER/users",
            "OTHER",
            json!({"name": "Olga", "email": "olga@other.example", "role": "admin"}),
        )
        .await;
    let beta = app.partner_admin(&platform, "PARTBETA").await;
    for caller in [&olga, &beta] {
        for path in [
            "/customers/SHOP/users".to_owned(),
            format!("/customers/SHOP/users/{gus}"),
            "/customers/SHOP/licences".to_owned(),
        ] {
            assert_eq!(
                code_of(app.get_as(caller, &path).await).await,
                (StatusCode::NOT_FOUND, "not_found".into()),
                "{path}"
            );
        }
    }
    // Another customer's user id under SHOP is not there either.
    let olga_id = json_of(app.get_as(&olga, "/me").await, StatusCode::OK).await["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get_as(&admin, &format!("/customers/SHOP/users/{olga_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Bea acts inside SHOP: with manage_users she invites, with only manage_entities not.
    let (bea_id, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    let grant = |permissions: Value| {
        json!({"user_id": bea_id, "customer_id": "SHOP", "profile": "Consultant",
               "role": "admin", "permissions": permissions})
    };
    let given = json_of(
        app.post_as(&admin, "/grants", &grant(json!(["manage_entities"])))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Nobody has entered SHOP yet; a partner user switching in counts as entering it.
    assert!(last_login(&app, &admin).await.is_null());
    let acting = switch_in(&app, &bea).await;
    assert!(last_login(&app, &admin).await.is_string());
    let invite_body = json!({"name": "Hal", "email": "hal@shop.example"});
    assert_eq!(
        app.post_as(&acting, "/customers/SHOP/users", &invite_body)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    json_of(
        app.patch_as(
            &admin,
            &format!("/grants/{}", given["id"].as_str().unwrap()),
            &json!({"permissions": ["manage_entities", "manage_users"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let acting = switch_in(&app, &bea).await;
    let hal = json_of(
        app.post_as(&acting, "/customers/SHOP/users", &invite_body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(hal["role"], "guest");
    let trail = app.audit_actions(hal["id"].as_str().unwrap());
    assert_eq!(trail, vec!["user.invited".to_owned()]);
    // A user-role grant cannot carry manage_users.
    let mut read_only = grant(json!(["manage_users"]));
    read_only["role"] = json!("user");
    assert_eq!(
        code_of(app.post_as(&admin, "/grants", &read_only).await).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
}

/// SHOP's last login, as its partner's admin reads it.
async fn last_login(app: &TestApp, admin: &Session) -> Value {
    json_of(app.get_as(admin, "/customers/SHOP").await, StatusCode::OK).await["last_login_at"]
        .clone()
}

/// `session` switched into SHOP.
pub(super) async fn switch_in(app: &TestApp, session: &Session) -> Session {
    let switched = json_of(
        app.post_as(session, "/auth/switch", &json!({"customer_id": "SHOP"}))
            .await,
        StatusCode::OK,
    )
    .await;
    Session {
        access_token: switched["access_token"].as_str().unwrap().to_owned(),
        ..session.clone()
    }
}

#[tokio::test]
async fn deactivating_a_customer_stops_its_logins_and_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 1).await;
    let (_, cara) = member(&app, &admin, "Cara", Some("admin")).await;
    assert_eq!(app.get_as(&cara, "/me").await.status(), StatusCode::OK);

    let off = app
        .patch_as(&admin, "/customers/SHOP", &json!({"active": false}))
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&cara, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refresh = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": cara.refresh_token}),
        )
        .await;
    assert_eq!(refresh.status(), StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(30));
    let code = totp_code(&cara.secret, app.clock_now());
    let login = app
        .post("/auth/login", &json!({"account_id": "SHOP", "logon": "cara@shop.example", "password": PASSWORD, "code": code}))
        .await;
    assert_eq!(
        code_of(login).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );

    // A status change is not a deactivation: Churned customers still log in.
    app.patch_as(
        &admin,
        "/customers/SHOP",
        &json!({"active": true, "status": "churned"}),
    )
    .await;
    let back = app.login("SHOP", "cara@shop.example", &cara.secret).await;
    assert_eq!(app.get_as(&back, "/me").await.status(), StatusCode::OK);
}
