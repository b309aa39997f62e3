//! Sessions: what a login creates, what every request checks, what revocation ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::customer::AccountState;
use domain::ids::AccountKind;

use crate::DbConnection;
use crate::schema::{customers, partners, sessions, used_refresh_tokens, users};
use crate::users::UserRow;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions, treat_none_as_default_value = false)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub refresh_token_hash: String,
    pub created_at: NaiveDateTime,
    pub authenticated_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Set on a session opened by switching into a customer.
    pub acting_customer_id: Option<String>,
    /// The grant an acting session rests on.
    pub grant_id: Option<String>,
    /// The partner session an acting session was opened from.
    pub parent_session_id: Option<String>,
}

pub fn insert(conn: &mut DbConnection, session: &SessionRow) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(sessions::table)
        .values(session)
        .execute(c)
        .map(drop))
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SessionRow>> {
    on_backend!(conn, |c| sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(c)
        .optional())
}

/// A session with what every request checks beside it, read in one query (on PostgreSQL, one
/// round trip instead of three).
#[derive(Debug, Clone)]
pub struct Held {
    pub session: SessionRow,
    pub user: UserRow,
    /// Whether the user's partner or customer lets its users in (its `active` flag; for a
    /// customer also not suspended); `None` when there is no such account (always, for a
    /// platform user). `AccountKind::lets_users_in` decides.
    pub account_active: Option<bool>,
}

pub fn find_held(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Held>> {
    let of_kind = |kind: AccountKind| users::account_kind.eq(kind.as_str());
    type Row = (
        SessionRow,
        UserRow,
        Option<bool>,
        Option<bool>,
        Option<String>,
    );
    let row: Option<Row> = on_backend!(conn, |c| sessions::table
        .inner_join(users::table)
        .left_join(
            partners::table.on(partners::id
                .eq(users::account_id)
                .and(of_kind(AccountKind::Partner))),
        )
        .left_join(
            customers::table.on(customers::id
                .eq(users::account_id)
                .and(of_kind(AccountKind::Customer))),
        )
        .filter(sessions::id.eq(id))
        .select((
            SessionRow::as_select(),
            UserRow::as_select(),
            partners::active.nullable(),
            customers::active.nullable(),
            customers::account_state.nullable(),
        ))
        .first(c)
        .optional())?;
    Ok(
        row.map(|(session, user, partner_active, customer_active, state)| {
            let customer_open = customer_active
                .map(|active| active && state.as_deref().is_some_and(AccountState::lets_users_in));
            Held {
                session,
                user,
                account_active: partner_active.or(customer_open),
            }
        }),
    )
}

pub fn find_by_refresh_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .filter(sessions::refresh_token_hash.eq(hash))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// The session a refresh token was rotated away from, if it is a used one.
pub fn find_by_used_refresh_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<String>> {
    used_refresh_tokens::table
        .find(hash)
        .select(used_refresh_tokens::session_id)
        .first(conn)
        .optional()
}

/// Replaces the session's refresh token, remembering the old one as used.
pub fn rotate_refresh(
    conn: &mut DbConnection,
    session: &SessionRow,
    new_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(used_refresh_tokens::table)
        .values((
            used_refresh_tokens::token_hash.eq(&session.refresh_token_hash),
            used_refresh_tokens::session_id.eq(&session.id),
            used_refresh_tokens::used_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(sessions::table.find(&session.id))
        .set((
            sessions::refresh_token_hash.eq(new_hash),
            sessions::last_used_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

pub fn revoke_all_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// Ends every live session of every user of `account_id` (a deactivated partner or customer),
/// and every partner session acting inside it.
pub fn revoke_all_for_account(
    conn: &mut DbConnection,
    account_id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::schema::users;
    let members = users::table
        .filter(users::account_id.eq(account_id.to_owned()))
        .select(users::id);
    diesel::update(
        sessions::table
            .filter(
                sessions::user_id
                    .eq_any(members)
                    .or(sessions::acting_customer_id.eq(account_id.to_owned())),
            )
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// A user's live sessions, newest first.
pub fn live_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .order((sessions::created_at.desc(), sessions::id))
        .select(SessionRow::as_select())
        .load(conn)
}

/// Ends the live acting sessions that rest on grant `grant_id`.
pub fn revoke_acting_on_grant(
    conn: &mut DbConnection,
    grant_id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::grant_id.eq(grant_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// Ends the live acting sessions opened from session `parent_id` (its user logged out).
pub fn revoke_children(
    conn: &mut DbConnection,
    parent_id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::parent_session_id.eq(parent_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

/// Records that the session's user gave a fresh authenticator code.
pub fn reauthenticated(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::authenticated_at.eq(at))
        .execute(conn)
        .map(drop)
}
