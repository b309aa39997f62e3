//! A customer's admins: invited through the one onboarding flow, logging in with the customer
//! ID; deactivating them, or the customer, ends their sessions.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::identity::{PASSWORD, totp_code};
use tests::{TestApp, code_of};

use crate::customers::create;

#[tokio::test]
async fn a_customer_admin_is_invited_logs_in_with_the_customer_id_and_is_counted() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(
        &app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop"}),
    )
    .await;

    let (cara_id, cara) = app
        .invited_member(
            &admin,
            "/customers/SHOP/admins",
            "shop",
            json!({"name": "Cara Doyle", "email": "cara@shop.example"}),
        )
        .await;
    let email = app.emails_to("cara@shop.example").remove(0);
    assert!(email.subject.contains("Shop"), "{}", email.subject);
    let me: Value = app.get_as(&cara, "/me").await.json().await.unwrap();
    assert_eq!(
        me["account"],
        json!({"id": "SHOP", "kind": "customer", "name": "Shop"})
    );
    assert_eq!(
        me["can"],
        json!([
            "oversee_access",
            "control_access",
            "read_audit",
            "view_entities",
            "manage_entities"
        ])
    );
    assert_eq!(me["user"]["role"], "admin");
    // A customer admin is not a partner user: the partner's routes are not theirs.
    assert_eq!(
        app.get_as(&cara, "/customers").await.status(),
        StatusCode::FORBIDDEN
    );

    let admins: Value = app
        .get_as(&admin, "/customers/SHOP/admins")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins["items"][0]["logon"], "cara@shop.example");
    assert_eq!(admins["items"][0]["pending_invitation"], false);
    let customer: Value = app
        .get_as(&admin, "/customers/SHOP")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        customer["users"],
        json!({"total": 1, "by_type": {"admin": 1}})
    );
    assert!(customer["last_login_at"].is_string());

    let taken = app
        .post_as(
            &admin,
            "/customers/SHOP/admins",
            &json!({"name": "C2", "email": "cara@shop.example"}),
        )
        .await;
    assert_eq!(
        code_of(taken).await,
        (StatusCode::CONFLICT, "logon_taken".into())
    );

    // Deactivating the admin ends their session and the count drops.
    let off = app
        .patch_as(
            &admin,
            &format!("/customers/SHOP/admins/{cara_id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&cara, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let customer: Value = app
        .get_as(&admin, "/customers/SHOP")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customer["users"]["total"], 0);
    let audit = app.audit_actions(&cara_id);
    assert_eq!(audit.first().map(String::as_str), Some("user.invited"));
    assert!(
        audit.contains(&"customer_admin.updated".to_owned()),
        "{audit:?}"
    );
}

#[tokio::test]
async fn deactivating_a_customer_stops_its_logins_and_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(
        &app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop"}),
    )
    .await;
    let (_, cara) = app
        .invited_member(
            &admin,
            "/customers/SHOP/admins",
            "SHOP",
            json!({"name": "Cara", "email": "cara@shop.example"}),
        )
        .await;
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
