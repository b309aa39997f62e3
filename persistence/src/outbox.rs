//! Outgoing email, queued in the same transaction as the change that caused it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::outbox;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct MessageRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

pub fn enqueue(conn: &mut DbConnection, message: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(message)
        .execute(conn)
        .map(drop)
}

/// Every message to `recipient`, oldest first.
pub fn for_recipient(conn: &mut DbConnection, recipient: &str) -> QueryResult<Vec<MessageRow>> {
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order((outbox::created_at, outbox::id))
        .select(MessageRow::as_select())
        .load(conn)
}
