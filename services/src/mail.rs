//! Composing email. Messages are queued in the outbox in the caller's transaction; a sender
//! delivers them (SMTP or files) after commit. A body is sealed with the server's key before it
//! is stored (it may hold a live invitation or reset link) and dropped once delivered.

use chrono::{DateTime, Utc};
use persistence::DbConnection;
use persistence::outbox::{self, MessageRow};

use crate::error::ServiceError;
use crate::identity::keyring::Keys;

pub struct Message {
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

pub fn queue(
    conn: &mut DbConnection,
    keys: &Keys,
    at: DateTime<Utc>,
    message: Message,
) -> Result<(), ServiceError> {
    let at = persistence::time::to_db(at);
    outbox::enqueue(
        conn,
        &MessageRow {
            seq: 0,
            id: uuid::Uuid::new_v4().to_string(),
            created_at: at,
            kind: message.kind.to_owned(),
            recipient: message.recipient,
            subject: message.subject,
            body: keys.seal(message.body.as_bytes())?,
            attempts: 0,
            next_attempt_at: at,
            sent_at: None,
            last_error: None,
        },
    )?;
    Ok(())
}
