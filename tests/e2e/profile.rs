//! The caller's own settings, password resets, and what the platform does for users.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::{PASSWORD, Session, totp_code};
use tests::{TestApp, code_of, problem};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn put(app: &TestApp, session: &Session, path: &str, body: Value) -> reqwest::Response {
    app.bearer(Method::PUT, path, &session.access_token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn login_with(app: &TestApp, session: &Session, logon: &str, password: &str) -> StatusCode {
    app.clock.advance(chrono::Duration::seconds(30));
    let body = json!({"account_id": session.account_id, "logon": logon, "password": password,
                      "code": totp_code(&session.secret, app.clock_now())});
    app.post("/auth/login", &body).await.status()
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_by_one() {
    let app = TestApp::spawn().await;
    let phone = app.platform_admin().await;
    let laptop = app.login("PLATFORM", &phone.logon, &phone.secret).await;
    let sessions: Vec<Value> = app
        .get_as(&laptop, "/me/sessions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = app
        .bearer(
            Method::DELETE,
            &format!("/me/sessions/{other}"),
            &laptop.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&phone, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get_as(&laptop, "/me").await.status(), StatusCode::OK);
    let again = app
        .bearer(
            Method::DELETE,
            &format!("/me/sessions/{other}"),
            &laptop.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changing_my_password_needs_the_current_one_and_ends_my_sessions() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    let wrong = put(
        &app,
        &me,
        "/me/password",
        json!({"current_password": "not my password", "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(wrong).await["errors"][0]["field"],
        "current_password"
    );
    let weak = put(
        &app,
        &me,
        "/me/password",
        json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The platform admin's logon is root@platform.example.
    for (new_password, code) in [
        ("qwertyuiop123", "common"),
        ("root is my name!", "personal"),
    ] {
        let refused = put(
            &app,
            &me,
            "/me/password",
            json!({"current_password": PASSWORD, "new_password": new_password}),
        )
        .await;
        let body = problem(refused).await;
        assert_eq!(body["errors"][0]["field"], "new_password");
        assert_eq!(body["errors"][0]["code"], code, "{new_password}");
    }

    let changed = put(
        &app,
        &me,
        "/me/password",
        json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&me, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, &me, &me.logon, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, &me, &me.logon, NEW_PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn changing_my_email_tells_the_old_address_and_ends_my_sessions() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    let changed = put(
        &app,
        &me,
        "/me/email",
        json!({"password": PASSWORD, "email": "new@platform.example"}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&me, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let notice = app.emails_to("root@platform.example").pop().unwrap();
    assert_eq!(notice.kind, "email_changed");
    assert!(notice.body.contains("new@platform.example"));
    let again = app.login("PLATFORM", &me.logon, &me.secret).await;
    let profile: Value = app.get_as(&again, "/me").await.json().await.unwrap();
    assert_eq!(profile["user"]["email"], "new@platform.example");
}

#[tokio::test]
async fn changing_my_logon() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    let changed = put(
        &app,
        &me,
        "/me/logon",
        json!({"password": PASSWORD, "logon": "Root"}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        login_with(&app, &me, "root", PASSWORD).await,
        StatusCode::OK
    );
    assert_eq!(
        login_with(&app, &me, &me.logon, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn moving_to_a_new_authenticator_and_new_recovery_codes() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    let wrong = app
        .post_as(&me, "/me/totp", &json!({"code": "000000"}))
        .await;
    assert_eq!(
        code_of(wrong).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_totp_code".into())
    );

    app.clock.advance(chrono::Duration::seconds(30));
    let enrolment: Value = app
        .post_as(
            &me,
            "/me/totp",
            &json!({"code": totp_code(&me.secret, app.clock_now())}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_secret = enrolment["secret"].as_str().unwrap().to_owned();
    let confirmed = app
        .post_as(
            &me,
            "/me/totp/confirm",
            &json!({"code": totp_code(&new_secret, app.clock_now())}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    let moved = Session {
        secret: new_secret.clone(),
        ..me.clone()
    };
    assert_eq!(
        login_with(&app, &me, &me.logon, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "the old one stopped"
    );
    let session = app.login("PLATFORM", &moved.logon, &new_secret).await;

    let codes: Value = app
        .post_as(&session, "/me/recovery-codes", &json!({"code": totp_code(&new_secret, app.clock_now() + chrono::Duration::seconds(30))}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn notification_preferences() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    let initial: Value = app
        .get_as(&me, "/me/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(initial, json!({"frequency": "none", "categories": []}));
    let set: Value = put(
        &app,
        &me,
        "/me/notifications",
        json!({"frequency": "weekly", "categories": ["invitations", "access_requests"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        set,
        json!({"frequency": "weekly", "categories": ["access_requests", "invitations"]})
    );
    assert_eq!(
        app.get_as(&me, "/me/notifications")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        set
    );
    let bad = put(
        &app,
        &me,
        "/me/notifications",
        json!({"frequency": "hourly", "categories": ["gossip"]}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem(bad).await["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_password_reset_reveals_nothing_works_once_and_ends_sessions() {
    let app = TestApp::spawn().await;
    let me = app.platform_admin().await;
    for (account, logon) in [
        ("PLATFORM", me.logon.as_str()),
        ("PLATFORM", "nobody@x.example"),
        ("PARTNONE", "x"),
    ] {
        let response = app
            .post(
                "/auth/password-reset",
                &json!({"account_id": account, "logon": logon}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let email = app.emails_to(&me.logon).pop().unwrap();
    assert_eq!(email.kind, "password_reset");
    let token = app.emailed_token(&me.logon, "/auth/password-reset/");

    for (password, code) in [
        ("1q2w3e4r5t6y", "common"),
        ("root@platform rocks", "personal"),
    ] {
        let refused = app
            .post(
                &format!("/auth/password-reset/{token}"),
                &json!({"password": password}),
            )
            .await;
        assert_eq!(
            problem(refused).await["errors"][0]["code"],
            code,
            "{password}"
        );
    }
    let reset = app
        .post(
            &format!("/auth/password-reset/{token}"),
            &json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&me, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, &me, &me.logon, NEW_PASSWORD).await,
        StatusCode::OK
    );
    let reuse = app
        .post(
            &format!("/auth/password-reset/{token}"),
            &json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reuse.status(), StatusCode::GONE);

    app.post(
        "/auth/password-reset",
        &json!({"account_id": "PLATFORM", "logon": me.logon}),
    )
    .await;
    let token = app.emailed_token(&me.logon, "/auth/password-reset/");
    app.clock.advance(chrono::Duration::minutes(61));
    let late = app
        .post(
            &format!("/auth/password-reset/{token}"),
            &json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(late.status(), StatusCode::GONE);
}

#[tokio::test]
async fn platform_admins_invite_each_other_and_reset_a_users_authenticator() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let invited = app
        .post_as(
            &platform,
            "/platform/admins",
            &json!({"name": "Ops", "email": "ops@platform.example"}),
        )
        .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    let secret = app
        .enrol(&app.invitation_token("ops@platform.example"))
        .await;
    app.login("PLATFORM", "ops@platform.example", &secret).await;

    let acme = app.partner_admin(&platform, "PARTACME").await;
    let me: Value = app.get_as(&acme, "/me").await.json().await.unwrap();
    let acme_id = me["user"]["id"].as_str().unwrap();
    let denied = app
        .post_as(
            &acme,
            &format!("/platform/users/{acme_id}/totp-reset"),
            &json!({}),
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let denied = app
        .post_as(
            &acme,
            "/platform/admins",
            &json!({"name": "X", "email": "x@x.example"}),
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);

    app.clock.advance(chrono::Duration::seconds(1));
    let reset = app
        .post_as(
            &platform,
            &format!("/platform/users/{acme_id}/totp-reset"),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    assert_eq!(
        app.get_as(&acme, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, &acme, &acme.logon, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "must enrol again"
    );
    let secret = app.enrol(&app.invitation_token(&acme.logon)).await;
    app.login("PARTACME", &acme.logon, &secret).await;
}

#[tokio::test]
async fn deactivating_a_partner_cuts_off_its_users_until_reactivated() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let acme = app.partner_admin(&platform, "PARTACME").await;
    let renamed = app
        .bearer(Method::PATCH, "/partners/PARTACME", &acme.access_token)
        .json(&json!({"name": "Mine now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.status(),
        StatusCode::FORBIDDEN,
        "a partner admin may not rename"
    );
    let email: Value = app
        .bearer(Method::PATCH, "/partners/PARTACME", &acme.access_token)
        .json(&json!({"email": "hello@acme.example"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(email["email"], "hello@acme.example");

    let off = app
        .bearer(Method::PATCH, "/partners/PARTACME", &platform.access_token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.get_as(&acme, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, &acme, &acme.logon, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    app.bearer(Method::PATCH, "/partners/PARTACME", &platform.access_token)
        .json(&json!({"active": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login_with(&app, &acme, &acme.logon, PASSWORD).await,
        StatusCode::OK
    );
}
