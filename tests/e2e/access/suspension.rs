//! A suspended account (seed 001): its users cannot log in and their sessions end, partner users
//! cannot switch in and the ones inside are put out; resuming lets everyone back, grants as
//! they were.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use tests::TestApp;
use tests::identity::totp_code;

use super::{again, json_of, outcome, switch, terms, world};

#[tokio::test]
async fn a_suspended_account_lets_nobody_in_until_it_is_resumed() {
    let app = TestApp::spawn().await;
    let w = world(&app, "onboarding").await;
    json_of(
        app.post_as(&w.admin, "/grants", &terms(&w.bea_id, "SHOP"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let inside = switch(&app, &w.bea, "SHOP").await;
    let suspend = |reason: serde_json::Value| {
        let admin = w.admin.clone();
        let app = &app;
        async move {
            app.post_as(&admin, "/customers/SHOP/suspend", &reason)
                .await
        }
    };

    let no_reason = suspend(json!({"reason": "  "})).await;
    assert_eq!(
        outcome(no_reason).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let suspended = json_of(
        suspend(json!({"reason": "Invoices unpaid"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(suspended["account_state"], "suspended");
    assert_eq!(
        suspended["active"], true,
        "the Active flag is a switch of its own"
    );

    // Everyone inside is out at once; nobody gets in.
    assert_eq!(
        app.get_as(&w.cara, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_as(&inside, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.clock.advance(Duration::seconds(30));
    let code = totp_code(&w.cara.secret, app.clock_now());
    let login = app
        .post(
            "/auth/login",
            &json!({"account_id": "SHOP", "logon": w.cara.logon, "password": tests::identity::PASSWORD, "code": code}),
        )
        .await;
    assert_eq!(
        outcome(login).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );
    app.clock.advance(Duration::seconds(30));
    let code = totp_code(&w.bea.secret, app.clock_now());
    let refused = app
        .post_as(
            &w.bea,
            "/auth/switch",
            &json!({"customer_id": "SHOP", "code": code}),
        )
        .await;
    assert_eq!(
        outcome(refused).await,
        (StatusCode::FORBIDDEN, "customer_suspended".into())
    );
    let listed = json_of(app.get_as(&w.bea, "/customers").await, StatusCode::OK).await;
    assert_eq!(listed["items"][0]["can_access"], false);

    // A second suspension changes nothing; the trail has the first, with its reason.
    json_of(
        suspend(json!({"reason": "Still unpaid"})).await,
        StatusCode::OK,
    )
    .await;
    let actions = app.audit_actions("SHOP");
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "customer.suspended")
            .count(),
        1
    );

    // Resumed: logins and the grant work again.
    let resumed = json_of(
        app.post_as(
            &w.admin,
            "/customers/SHOP/resume",
            &json!({"reason": "Paid in full"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(resumed["account_state"], "active");
    let cara = again(&app, &w.cara).await;
    assert_eq!(app.get_as(&cara, "/me").await.status(), StatusCode::OK);
    let inside = switch(&app, &w.bea, "SHOP").await;
    assert_eq!(app.get_as(&inside, "/me").await.status(), StatusCode::OK);
    assert!(
        app.audit_actions("SHOP")
            .contains(&"customer.resumed".to_owned())
    );
}

#[tokio::test]
async fn account_state_changes_only_through_suspend_and_resume() {
    let app = TestApp::spawn().await;
    let w = world(&app, "onboarding").await;
    let patched = app
        .patch_as(
            &w.admin,
            "/customers/SHOP",
            &json!({"account_state": "suspended"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bea_suspends = app
        .post_as(&w.bea, "/customers/SHOP/suspend", &json!({"reason": "x"}))
        .await;
    assert_eq!(bea_suspends.status(), StatusCode::FORBIDDEN);
    let cara_suspends = app
        .post_as(&w.cara, "/customers/SHOP/suspend", &json!({"reason": "x"}))
        .await;
    assert_eq!(cara_suspends.status(), StatusCode::FORBIDDEN);
    let shop = json_of(
        app.get_as(&w.admin, "/customers/SHOP").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(shop["account_state"], "active");
}
