//! Single-use recovery codes, for a user who lost their authenticator. Stored as hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::recovery_codes;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = recovery_codes)]
pub struct RecoveryCodeRow {
    pub id: String,
    pub user_id: String,
    pub code_hash: String,
    pub used_at: Option<NaiveDateTime>,
}

/// Replaces the user's codes with `(id, hash)` pairs.
pub fn replace_all(
    conn: &mut DbConnection,
    user_id: &str,
    codes: &[(String, String)],
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    // MultiConnection cannot insert a batch in one statement: one insert per code.
    for (id, hash) in codes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(id),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(hash),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn unused_for_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<RecoveryCodeRow>> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .select(RecoveryCodeRow::as_select())
        .load(conn)
}

pub fn mark_used(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(recovery_codes::table.find(id))
        .set(recovery_codes::used_at.eq(at))
        .execute(conn)
        .map(drop)
}
