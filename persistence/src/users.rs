//! Users of every kind of account: platform staff, partner users, customer users.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::users;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub account_kind: String,
    pub account_id: String,
    pub role: String,
    pub name: String,
    pub email: String,
    pub logon: String,
    pub active: bool,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enrolled_at: Option<NaiveDateTime>,
    pub totp_last_step: Option<i64>,
    pub totp_pending_secret: Option<String>,
    pub notification_frequency: String,
    pub notification_categories: String,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(drop)
}

/// Inserts many rows at once (the demo dataset).
pub fn insert_many(conn: &mut DbConnection, rows: &[UserRow]) -> QueryResult<()> {
    insert_rows!(conn, users::table, rows)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    on_backend!(conn, |c| users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional())
}

/// Some user's sealed TOTP secret, if any user has one: what the server checks at start that
/// its signing key can open.
pub fn any_sealed_secret(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    users::table
        .filter(users::totp_secret.is_not_null())
        .select(users::totp_secret)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

/// A user's sealed values: (id, TOTP secret, pending TOTP secret).
pub type SealedSecrets = (String, Option<String>, Option<String>);

/// Every user holding a sealed value, for a rotation of the keys to seal them again.
pub fn sealed_secrets(conn: &mut DbConnection) -> QueryResult<Vec<SealedSecrets>> {
    users::table
        .filter(
            users::totp_secret
                .is_not_null()
                .or(users::totp_pending_secret.is_not_null()),
        )
        .select((users::id, users::totp_secret, users::totp_pending_secret))
        .load(conn)
}

/// Replaces a user's sealed values (sealed again with another key).
pub fn set_sealed(
    conn: &mut DbConnection,
    id: &str,
    totp: Option<&str>,
    pending: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::totp_secret.eq(totp),
            users::totp_pending_secret.eq(pending),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find_by_logon(
    conn: &mut DbConnection,
    account_id: &str,
    logon: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::logon.eq(logon))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

diesel::define_sql_function!(
    /// SQL's `lower`, on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// The user of `account_id` whose email is `email`, compared without regard to case (the
/// first of several, by id, should two share it).
pub fn find_by_email(
    conn: &mut DbConnection,
    account_id: &str,
    email: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(lower(users::email).eq(email.to_lowercase()))
        .order(users::id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn logon_taken(conn: &mut DbConnection, account_id: &str, logon: &str) -> QueryResult<bool> {
    find_by_logon(conn, account_id, logon).map(|user| user.is_some())
}

/// Writes every mutable column of `user` back (the row was read in the same transaction).
pub fn record_login(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConnection, user: &UserRow) -> QueryResult<()> {
    diesel::update(users::table.find(&user.id))
        .set((
            users::role.eq(&user.role),
            users::name.eq(&user.name),
            users::email.eq(&user.email),
            users::logon.eq(&user.logon),
            users::active.eq(user.active),
            users::password_hash.eq(&user.password_hash),
            users::totp_secret.eq(&user.totp_secret),
            users::totp_enrolled_at.eq(user.totp_enrolled_at),
            users::totp_last_step.eq(user.totp_last_step),
            users::totp_pending_secret.eq(&user.totp_pending_secret),
            users::notification_frequency.eq(&user.notification_frequency),
            users::notification_categories.eq(&user.notification_categories),
            users::failed_logins.eq(user.failed_logins),
            users::locked_until.eq(user.locked_until),
            users::updated_at.eq(user.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Every active user of `account_id` with `role`, by name then id.
pub fn active_with_role(
    conn: &mut DbConnection,
    account_id: &str,
    role: &str,
) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .order((users::name, users::id))
        .select(UserRow::as_select())
        .load(conn)
}

/// Filters of the user listing.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    pub active: Option<bool>,
    /// `true`: only users who have not finished their invitation; `false`: only enrolled ones.
    pub pending: Option<bool>,
    /// Only users whose name, email or logon contains this, whatever the case.
    pub text: Option<String>,
}

/// An account's users ordered by name then id, after the (name, id) cursor when given.
pub fn list_for_account(
    conn: &mut DbConnection,
    account_id: &str,
    filter: &UserFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .filter(users::account_id.eq(account_id.to_owned()))
        .select(UserRow::as_select())
        .order((users::name, users::id))
        .limit(limit)
        .into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    match filter.pending {
        Some(true) => query = query.filter(users::totp_enrolled_at.is_null()),
        Some(false) => query = query.filter(users::totp_enrolled_at.is_not_null()),
        None => {}
    }
    if let Some(text) = &filter.text {
        let pattern = crate::customer_listing::like_pattern(text);
        query = query.filter(
            lower(users::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::email).like(pattern.clone()).escape('\\'))
                .or(lower(users::logon).like(pattern).escape('\\')),
        );
    }
    if let Some((name, id)) = after {
        query = query.filter(
            users::name.gt(name.to_owned()).or(users::name
                .eq(name.to_owned())
                .and(users::id.gt(id.to_owned()))),
        );
    }
    query.load(conn)
}

/// How many users of each (role, active) the account has.
pub fn count_by_role(
    conn: &mut DbConnection,
    account_id: &str,
) -> QueryResult<Vec<(String, bool, i64)>> {
    users::table
        .filter(users::account_id.eq(account_id))
        .group_by((users::role, users::active))
        .select((users::role, users::active, diesel::dsl::count_star()))
        .order((users::role, users::active))
        .load(conn)
}

/// How many active users with `role` the account has, not counting `except`.
pub fn count_active_with_role(
    conn: &mut DbConnection,
    account_id: &str,
    role: &str,
    except: &str,
) -> QueryResult<i64> {
    users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}

/// The users with these ids (one query for a page's worth of references).
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select(UserRow::as_select())
        .load(conn)
}
