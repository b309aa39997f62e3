//! Delivering the outbox: over SMTP when `PH_SMTP_URL` is set, otherwise as `.eml` files under
//! `./data/mail/`. A failed delivery is retried later with a growing delay; a message leaves the
//! outbox only once delivered, so none is lost.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::clock::Clock;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use persistence::outbox::{self, MessageRow};
use persistence::time::to_db;
use persistence::{Db, DbError};
use services::identity::keyring::Keys;

use crate::error::ApiError;

pub const DEFAULT_FROM: &str = "Partner Hub <no-reply@partner-hub.invalid>";
/// Messages taken per round.
const BATCH: i64 = 50;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    /// SMTP from a URL such as `smtp://host:25` or `smtps://user:pass@host`; files otherwise.
    pub fn new(smtp_url: Option<&str>, mail_dir: PathBuf) -> Result<Transport, String> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Transport::Smtp(builder.build()))
                .map_err(|e| format!("invalid SMTP URL: {e}")),
            None => {
                std::fs::create_dir_all(&mail_dir)
                    .map_err(|e| format!("cannot create {}: {e}", mail_dir.display()))?;
                Ok(Transport::Files(
                    AsyncFileTransport::new(&mail_dir),
                    mail_dir,
                ))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(_, dir) => format!("files under {}", dir.display()),
        }
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Transport::Files(files, _) => files
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}

pub struct Mailer {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Opens the sealed bodies.
    pub keys: Arc<Keys>,
    pub transport: Transport,
    pub from: Mailbox,
}

/// How long to wait after the `attempts`-th failed attempt: 1 min, doubling, at most 1 hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes(2i64.pow(exponent)).min(Duration::hours(1))
}

impl Mailer {
    /// Attempts every message due now; returns how many were delivered.
    pub async fn deliver_due(&self) -> Result<usize, ApiError> {
        let now = self.clock.now();
        let db = self.db.clone();
        let due = actix_web::web::block(move || {
            db.read(|conn| outbox::due(conn, to_db(now), BATCH).map_err(DbError::from))
        })
        .await??;
        let mut delivered = 0;
        for message in due {
            if self.attempt(message, now).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    async fn attempt(&self, message: MessageRow, now: DateTime<Utc>) -> Result<bool, ApiError> {
        let retry_at = to_db(now + retry_delay(message.attempts + 1));
        let (db, claimed_message) = (self.db.clone(), message.clone());
        let claimed = actix_web::web::block(move || {
            db.transaction(|conn| {
                outbox::claim(conn, &claimed_message, retry_at).map_err(DbError::from)
            })
        })
        .await??;
        if !claimed {
            return Ok(false);
        }
        let outcome = match self.compose(&message) {
            Ok(email) => self.transport.send(email).await,
            Err(error) => Err(error),
        };
        let db = self.db.clone();
        let id = message.id.clone();
        let sent = outcome.is_ok();
        if let Err(error) = &outcome {
            tracing::warn!(message = %message.id, kind = %message.kind, attempts = message.attempts + 1, %error, "email delivery failed; will retry");
        }
        actix_web::web::block(move || {
            db.transaction(|conn| {
                match &outcome {
                    Ok(()) => outbox::mark_sent(conn, &id, to_db(now)),
                    Err(error) => outbox::mark_failed(conn, &id, error),
                }
                .map_err(DbError::from)
            })
        })
        .await??;
        Ok(sent)
    }

    fn compose(&self, message: &MessageRow) -> Result<Message, String> {
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(self.open(message)?)
            .map_err(|e| e.to_string())
    }

    /// The message's text: its body opened with the server's key.
    fn open(&self, message: &MessageRow) -> Result<String, String> {
        let text = self.keys.open(&message.body).map_err(|e| e.to_string())?;
        String::from_utf8(text).map_err(|_| "a sealed body is not UTF-8".to_owned())
    }

    /// Delivers forever, every `every`; errors are logged and the next round tries again.
    pub async fn run(self, every: std::time::Duration) {
        loop {
            if let Err(error) = self.deliver_due().await {
                tracing::warn!(%error, "outbox round failed");
            }
            actix_web::rt::time::sleep(every).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| retry_delay(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
