//! Composing email. Messages are queued in the outbox in the caller's transaction; a sender
//! delivers them (SMTP or files) after commit.

use chrono::{DateTime, Utc};
use persistence::DbConnection;
use persistence::outbox::{self, MessageRow};

use crate::error::ServiceError;

pub struct Message {
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

pub fn queue(
    conn: &mut DbConnection,
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
            body: message.body,
            attempts: 0,
            next_attempt_at: at,
            sent_at: None,
            last_error: None,
        },
    )?;
    Ok(())
}
