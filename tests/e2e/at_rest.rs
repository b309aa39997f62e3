//! What a copy of the database gives away: after invitations, enrolments, logins, refreshes and
//! password resets, a dump of every table (and, on SQLite, the raw file and its WAL) holds no
//! password, authenticator secret, recovery code, invitation, reset, refresh or access token.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::TestApp;
use tests::identity::{PASSWORD, totp_code};

async fn json_of(response: reqwest::Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_copy_of_the_database_holds_no_live_secret() {
    let app = TestApp::spawn().await;
    let mut secrets: Vec<(&str, String)> = vec![("password", PASSWORD.to_owned())];

    // Enrolment: the invitation, the password, the authenticator, the recovery codes.
    let invitation = app.invite_platform_admin("vault@platform.example");
    secrets.push(("invitation token", invitation.clone()));
    let accept = format!("/invitations/{invitation}/accept");
    let enrolment = json_of(app.post(&accept, &json!({"password": PASSWORD})).await).await;
    let totp = enrolment["secret"].as_str().unwrap().to_owned();
    let code = totp_code(&totp, app.clock_now());
    let confirm = format!("/invitations/{invitation}/confirm");
    let confirmed = json_of(app.post(&confirm, &json!({"code": code})).await).await;
    for code in confirmed["recovery_codes"].as_array().unwrap() {
        secrets.push(("recovery code", code.as_str().unwrap().to_owned()));
    }
    secrets.push(("TOTP secret", totp.clone()));
    secrets.push(("TOTP secret", totp.to_lowercase()));

    // A session, refreshed once: both pairs of tokens.
    let session = app.login("PLATFORM", "vault@platform.example", &totp).await;
    secrets.push(("access token", session.access_token.clone()));
    secrets.push(("refresh token", session.refresh_token.clone()));
    let refreshed = json_of(
        app.post(
            "/auth/refresh",
            &json!({"refresh_token": session.refresh_token}),
        )
        .await,
    )
    .await;
    for kind in ["access_token", "refresh_token"] {
        secrets.push((
            "refreshed token",
            refreshed[kind].as_str().unwrap().to_owned(),
        ));
    }

    // A partner whose admin has not accepted yet: a live invitation in the outbox.
    let partner = app
        .bearer(
            reqwest::Method::POST,
            "/partners",
            refreshed["access_token"].as_str().unwrap(),
        )
        .json(&json!({
            "id": "PARTVAULT", "name": "Vault Ltd", "email": "office@vault.example",
            "admin": {"name": "Ana Byrne", "email": "ana@vault.example"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(partner.status(), StatusCode::CREATED);
    let pending = app.invitation_token("ana@vault.example");
    secrets.push(("pending invitation token", pending));

    // A password reset asked for and not used.
    let asked = app
        .post(
            "/auth/password-reset",
            &json!({"account_id": "PLATFORM", "logon": "vault@platform.example"}),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let reset = app.emailed_token("vault@platform.example", "/auth/password-reset/");
    secrets.push(("reset token", reset));

    let dump = app.database.dump(&app.db);
    assert!(
        dump.windows(b"vault@platform.example".len())
            .any(|w| w == b"vault@platform.example"),
        "the dump must see the data ({} bytes)",
        dump.len()
    );
    let found: Vec<&str> = secrets
        .iter()
        .filter(|(_, secret)| {
            let needle = secret.as_bytes();
            dump.windows(needle.len()).any(|w| w == needle)
        })
        .map(|(what, _)| *what)
        .collect();
    assert!(found.is_empty(), "the database holds in clear: {found:?}");
}
