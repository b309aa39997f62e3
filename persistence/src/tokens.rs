//! Single-use tokens sent by email (invitations, password resets): one mechanism for every
//! kind of user. Only a token's SHA-256 is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::user_tokens;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_tokens, treat_none_as_default_value = false)]
pub struct UserTokenRow {
    pub id: String,
    pub user_id: String,
    pub purpose: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, token: &UserTokenRow) -> QueryResult<()> {
    diesel::insert_into(user_tokens::table)
        .values(token)
        .execute(conn)
        .map(drop)
}

pub fn find_by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<UserTokenRow>> {
    user_tokens::table
        .filter(user_tokens::token_hash.eq(hash))
        .select(UserTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn mark_used(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(user_tokens::table.find(id))
        .set(user_tokens::used_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// Revokes the user's still-open tokens of `purpose` (a new one replaces them).
pub fn revoke_open(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(user_id))
            .filter(user_tokens::purpose.eq(purpose))
            .filter(user_tokens::used_at.is_null())
            .filter(user_tokens::revoked_at.is_null()),
    )
    .set(user_tokens::revoked_at.eq(at))
    .execute(conn)
}
