//! What the server logs never holds a secret: no password, token, TOTP secret or code.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tests::TestApp;
use tests::identity::PASSWORD;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .finish();
    // The server's worker threads log too: the subscriber must be global.
    tracing::subscriber::set_global_default(subscriber)
        .expect("no other test sets a global subscriber");

    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("root@platform.example");
    let secret = app.enrol(&token).await;
    let session = app
        .login("PLATFORM", "root@platform.example", &secret)
        .await;
    app.post(
        "/auth/refresh",
        &json!({"refresh_token": session.refresh_token}),
    )
    .await;
    app.post(
        "/auth/password-reset",
        &json!({"account_id": "PLATFORM", "logon": "root@platform.example"}),
    )
    .await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/invitations/…/accept"),
        "requests are logged, redacted: {logs}"
    );
    for secret_value in [
        PASSWORD,
        &token,
        &secret,
        &session.access_token,
        &session.refresh_token,
    ] {
        assert!(!logs.contains(secret_value), "a secret reached the logs");
    }
}
