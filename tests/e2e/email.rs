//! The outbox is delivered after commit: as files, or over SMTP; failures are retried later.

use std::sync::Arc;

use api::mailer::{Mailer, Transport};
use diesel::prelude::*;
use persistence::DbError;
use persistence::schema::outbox;
use tests::TestApp;
use tests::smtp::SmtpSink;

fn mailer(app: &TestApp, transport: Transport) -> Mailer {
    Mailer {
        db: app.db.clone(),
        clock: app.clock.clone(),
        keys: app.keys.clone(),
        transport,
        from: api::mailer::DEFAULT_FROM.parse().unwrap(),
    }
}

/// The text of a message as a mail client shows it: quoted-printable soft line breaks undone.
fn unfold(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "")
}

fn state_of(app: &TestApp) -> (i32, Option<String>, bool) {
    app.db
        .read(|conn| {
            outbox::table
                .select((
                    outbox::attempts,
                    outbox::last_error,
                    outbox::sent_at.is_not_null(),
                ))
                .first::<(i32, Option<String>, bool)>(conn)
                .map_err(DbError::from)
        })
        .unwrap()
}

#[tokio::test]
async fn the_outbox_is_written_as_files_when_no_smtp_is_set() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("root@platform.example");
    let dir = std::env::temp_dir().join(format!("ph-mail-{}", uuid::Uuid::new_v4()));
    let mailer = mailer(&app, Transport::new(None, dir.clone()).unwrap());
    assert_eq!(mailer.deliver_due().await.unwrap(), 1);
    assert_eq!(mailer.deliver_due().await.unwrap(), 0, "sent once");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = unfold(&std::fs::read_to_string(&files[0]).unwrap());
    assert!(eml.contains("To: root@platform.example"), "{eml}");
    assert!(eml.contains(&token), "the link is in the email");
    assert_eq!(state_of(&app), (1, None, true));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_outbox_is_sent_over_smtp() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("root@platform.example");
    let sink = SmtpSink::start().await;
    let transport = Transport::new(
        Some(&format!("smtp://127.0.0.1:{}", sink.port)),
        "unused".into(),
    )
    .unwrap();
    let delivered = mailer(&app, transport).deliver_due().await.unwrap();
    assert_eq!(delivered, 1, "{:?}", state_of(&app));
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    assert!(received[0].contains("root@platform.example"));
    assert!(unfold(&received[0]).contains(&token));
    assert_eq!(state_of(&app), (1, None, true));
    let kept = app.emails_to("root@platform.example").pop().unwrap();
    assert_eq!(
        kept.kind, "invitation",
        "a delivered message keeps its metadata"
    );
    assert!(kept.subject.contains("invitation"));
    assert_eq!(kept.body, "", "but not its body, which held a live link");
}

#[tokio::test]
async fn a_failed_delivery_is_kept_and_retried_later() {
    let app = TestApp::spawn().await;
    app.invite_platform_admin("root@platform.example");
    // Nothing listens on port 1.
    let down = mailer(
        &app,
        Transport::new(Some("smtp://127.0.0.1:1"), "unused".into()).unwrap(),
    );
    assert_eq!(down.deliver_due().await.unwrap(), 0);
    let (attempts, error, sent) = state_of(&app);
    assert_eq!((attempts, sent), (1, false));
    assert!(error.is_some());
    assert_eq!(down.deliver_due().await.unwrap(), 0);
    assert_eq!(state_of(&app).0, 1, "not due again before a minute");

    app.clock.advance(chrono::Duration::minutes(1));
    let sink = SmtpSink::start().await;
    let up = Mailer {
        clock: Arc::clone(&app.clock) as _,
        ..mailer(
            &app,
            Transport::new(
                Some(&format!("smtp://127.0.0.1:{}", sink.port)),
                "unused".into(),
            )
            .unwrap(),
        )
    };
    assert_eq!(up.deliver_due().await.unwrap(), 1);
    assert_eq!(state_of(&app), (2, None, true));
    assert_eq!(sink.messages().len(), 1);
}
