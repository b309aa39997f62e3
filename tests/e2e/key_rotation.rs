//! `partner-hub keys rotate` while sessions are live: nobody is logged out, every login still
//! works, tokens name their key, and the older keys retire once nothing needs them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use persistence::DbError;
use persistence::schema::users;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::TestApp;

/// The `kid` an access token's header names.
fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn sealed_totp(app: &TestApp) -> String {
    app.db
        .read(|conn| {
            users::table
                .filter(users::totp_secret.is_not_null())
                .select(users::totp_secret)
                .first::<Option<String>>(conn)
                .map_err(DbError::from)
        })
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn rotating_the_keys_logs_nobody_out() {
    let dir = std::env::temp_dir().join(format!("ph-rotate-{}", uuid::Uuid::new_v4()));
    let path = dir.join("signing.key");
    let first = api::keys::create(&path, chrono::Utc::now()).unwrap();
    let keys = api::key_ring(&path, &first).unwrap();
    let first_id = keys.current_id();
    let app = TestApp::spawn_with_keys(api::features::configure, TestApp::settings(), keys).await;
    let platform = app.platform_admin().await;
    assert_eq!(kid(&platform.access_token), first_id);
    // An invitation waiting in the outbox, sealed with the first key.
    app.partner_admin(&platform, "PARTROTA").await;
    let waiting = app.emails_to("admin@partrota.example").len();

    let rotation = api::rotate_keys(&app.db, &path, app.clock_now()).unwrap();
    assert_ne!(rotation.current, first_id);
    assert_eq!(rotation.keys, [first_id.clone(), rotation.current.clone()]);
    assert!(rotation.resealed >= 3, "{rotation:?}");
    assert!(
        rotation.retired.is_empty(),
        "tokens of the first key are still live"
    );
    assert!(sealed_totp(&app).starts_with(&format!("{}.", rotation.current)));

    // The live session goes on; its refresh works; a new login opens the secret sealed with a
    // key the server did not hold when it started.
    assert_eq!(app.get_as(&platform, "/me").await.status(), StatusCode::OK);
    let refreshed = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": platform.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let again = app
        .login("PLATFORM", &platform.logon, &platform.secret)
        .await;
    assert_eq!(
        kid(&again.access_token),
        rotation.current,
        "new tokens name the new key"
    );
    assert_eq!(app.emails_to("admin@partrota.example").len(), waiting);
    assert!(
        app.emails_to("admin@partrota.example")[0]
            .body
            .contains("/invitations/")
    );

    // Once every token of the first key has expired, the next rotation retires it.
    app.clock.advance(chrono::Duration::minutes(17));
    let second = api::rotate_keys(&app.db, &path, app.clock_now()).unwrap();
    assert_eq!(second.retired, [first_id]);
    assert_eq!(
        second.keys,
        [rotation.current.clone(), second.current.clone()]
    );
    let latest = app
        .login("PLATFORM", &platform.logon, &platform.secret)
        .await;
    assert_eq!(kid(&latest.access_token), second.current);
    assert_eq!(app.get_as(&latest, "/me").await.status(), StatusCode::OK);
    std::fs::remove_dir_all(dir).unwrap();
}
