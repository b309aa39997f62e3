//! Outgoing email, queued in the same transaction as the change that caused it. A body is stored
//! sealed and emptied once the message is delivered: the row then keeps who was sent what kind
//! of message, and when.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::outbox;

/// A queued message; `seq` is given by the database on insert.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct MessageRow {
    #[diesel(skip_insertion)]
    pub seq: i64,
    pub id: String,
    pub created_at: NaiveDateTime,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// Sealed with the server's key (`services::identity::secrets::Keys`); empty once sent.
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

/// Some message's sealed body, if any is waiting: what the server checks at start that its key
/// can open, beside the users' sealed secrets.
pub fn any_sealed_body(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    outbox::table
        .filter(outbox::body.ne(""))
        .select(outbox::body)
        .first(conn)
        .optional()
}

/// Every message still holding its sealed body: (id, body).
pub fn sealed_bodies(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    outbox::table
        .filter(outbox::body.ne(""))
        .select((outbox::id, outbox::body))
        .load(conn)
}

/// Replaces a message's sealed body (sealed again with another key).
pub fn set_body(conn: &mut DbConnection, id: &str, body: &str) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set(outbox::body.eq(body))
        .execute(conn)
        .map(drop)
}

/// Every message to `recipient`, oldest first.
pub fn for_recipient(conn: &mut DbConnection, recipient: &str) -> QueryResult<Vec<MessageRow>> {
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::seq)
        .select(MessageRow::as_select())
        .load(conn)
}

/// Messages due for a delivery attempt at `now`, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .order((outbox::next_attempt_at, outbox::seq))
        .limit(limit)
        .select(MessageRow::as_select())
        .load(conn)
}

/// Claims a due message for one attempt: counts the attempt and moves its next attempt to
/// `retry_at`, so that no other sender picks it meanwhile. `false` when another sender was
/// quicker.
pub fn claim(
    conn: &mut DbConnection,
    message: &MessageRow,
    retry_at: NaiveDateTime,
) -> QueryResult<bool> {
    let claimed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&message.id))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::attempts.eq(message.attempts)),
    )
    .set((
        outbox::attempts.eq(message.attempts + 1),
        outbox::next_attempt_at.eq(retry_at),
    ))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// Records the delivery and drops the body, which may hold a link that still works.
pub fn mark_sent(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set((
            outbox::sent_at.eq(at),
            outbox::body.eq(""),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn mark_failed(conn: &mut DbConnection, id: &str, error: &str) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set(outbox::last_error.eq(error))
        .execute(conn)
        .map(drop)
}
