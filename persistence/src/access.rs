//! Access grants and access requests: the rows behind delegated access (DOMAIN.md §4).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use domain::access::GrantOrigin;
use domain::request::Decision;

use crate::DbConnection;
use crate::customers::CustomerRow;
use crate::schema::{access_grants, access_requests, customers};
use crate::word::Word;

type Dialect = <DbConnection as Connection>::Backend;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = access_grants, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct GrantRow {
    pub id: String,
    pub partner_id: String,
    pub customer_id: String,
    pub user_id: String,
    pub profile: String,
    pub role: String,
    /// JSON array of permission codes.
    pub permissions: String,
    pub expires_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Word<GrantOrigin>, serialize_as = Word<GrantOrigin>)]
    pub origin: GrantOrigin,
    pub request_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_requests, treat_none_as_default_value = false)]
pub struct RequestRow {
    pub id: String,
    pub partner_id: String,
    pub customer_id: String,
    pub user_id: String,
    pub addressed_to: Option<String>,
    pub profile: String,
    pub role: String,
    pub permissions: String,
    pub duration_hours: Option<i32>,
    pub message: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    #[diesel(deserialize_as = Word<Decision>, serialize_as = Word<Decision>)]
    pub decision: Decision,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_message: Option<String>,
    pub grant_id: Option<String>,
    pub pending_key: Option<String>,
}

/// The key that keeps one pending request per (partner user, customer).
pub fn pending_key(user_id: &str, customer_id: &str) -> String {
    format!("{user_id}|{customer_id}")
}

/// Whose grants or requests a listing shows: a partner's, or one customer's.
#[derive(Debug, Clone)]
pub enum Scope {
    Partner(String),
    Customer(String),
}

impl Scope {
    /// Whether a grant or request between `partner_id` and `customer_id` lies in this scope.
    pub fn holds(&self, partner_id: &str, customer_id: &str) -> bool {
        match self {
            Scope::Partner(partner) => partner == partner_id,
            Scope::Customer(customer) => customer == customer_id,
        }
    }
}

/// What a listing of grants or requests narrows to, on top of its scope.
#[derive(Debug, Clone, Default)]
pub struct Narrowing {
    pub customer_id: Option<String>,
    pub user_id: Option<String>,
}

pub fn insert_grant(conn: &mut DbConnection, grant: &GrantRow) -> QueryResult<()> {
    diesel::insert_into(access_grants::table)
        .values(grant.clone())
        .execute(conn)
        .map(drop)
}

pub fn update_grant(conn: &mut DbConnection, grant: &GrantRow) -> QueryResult<()> {
    diesel::update(access_grants::table.find(&grant.id))
        .set(grant.clone())
        .execute(conn)
        .map(drop)
}

/// Deletes the grant and ends every acting session resting on it.
pub fn delete_grant(
    conn: &mut DbConnection,
    id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    crate::sessions::revoke_acting_on_grant(conn, id, reason, at)?;
    diesel::delete(access_grants::table.find(id))
        .execute(conn)
        .map(drop)
}

pub fn find_grant(conn: &mut DbConnection, id: &str) -> QueryResult<Option<GrantRow>> {
    access_grants::table
        .find(id)
        .select(GrantRow::as_select())
        .first(conn)
        .optional()
}

/// The grant `id`, if it lies in `scope`: another tenant's grant reads as one that does not exist.
pub fn find_grant_in(
    conn: &mut DbConnection,
    scope: &Scope,
    id: &str,
) -> QueryResult<Option<GrantRow>> {
    Ok(find_grant(conn, id)?.filter(|g| scope.holds(&g.partner_id, &g.customer_id)))
}

pub fn grant_for(
    conn: &mut DbConnection,
    user_id: &str,
    customer_id: &str,
) -> QueryResult<Option<GrantRow>> {
    on_backend!(conn, |c| access_grants::table
        .filter(access_grants::user_id.eq(user_id))
        .filter(access_grants::customer_id.eq(customer_id))
        .select(GrantRow::as_select())
        .first(c)
        .optional())
}

/// The customer `customer_id` if it belongs to `partner_id`, with `user_id`'s grant into it if
/// there is one: what a switch checks, in one round trip.
pub fn customer_with_grant(
    conn: &mut DbConnection,
    partner_id: &str,
    customer_id: &str,
    user_id: &str,
) -> QueryResult<Option<(CustomerRow, Option<GrantRow>)>> {
    on_backend!(conn, |c| customers::table
        .left_join(
            access_grants::table.on(access_grants::customer_id
                .eq(customers::id)
                .and(access_grants::user_id.eq(user_id))),
        )
        .filter(customers::id.eq(customer_id))
        .filter(customers::partner_id.eq(partner_id))
        .select((CustomerRow::as_select(), <Option<GrantRow>>::as_select()))
        .first(c)
        .optional())
}

/// Whether `user_id` holds a grant into `customer_id` that is live at `now` (the listing asks
/// the same in its query: `customer_listing::page_seen_by`).
pub fn holds_live_grant(
    conn: &mut DbConnection,
    user_id: &str,
    customer_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        access_grants::table
            .filter(access_grants::user_id.eq(user_id))
            .filter(access_grants::customer_id.eq(customer_id))
            .filter(
                access_grants::expires_at
                    .is_null()
                    .or(access_grants::expires_at.gt(now)),
            ),
    ))
    .get_result(conn)
}

pub fn record_grant_use(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::update(access_grants::table.find(id))
        .set(access_grants::last_used_at.eq(at))
        .execute(c)
        .map(drop))
}

/// Grants in `scope`, by customer then user, after the `(customer_id, user_id)` cursor.
pub fn list_grants(
    conn: &mut DbConnection,
    scope: &Scope,
    narrowing: &Narrowing,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<GrantRow>> {
    let mut query = access_grants::table
        .select(GrantRow::as_select())
        .into_boxed();
    query = match scope {
        Scope::Partner(partner) => query.filter(access_grants::partner_id.eq(partner.clone())),
        Scope::Customer(customer) => query.filter(access_grants::customer_id.eq(customer.clone())),
    };
    if let Some(customer) = &narrowing.customer_id {
        query = query.filter(access_grants::customer_id.eq(customer.clone()));
    }
    if let Some(user) = &narrowing.user_id {
        query = query.filter(access_grants::user_id.eq(user.clone()));
    }
    if let Some((customer, user)) = after {
        query = query.filter(
            access_grants::customer_id
                .gt(customer.to_owned())
                .or(access_grants::customer_id
                    .eq(customer.to_owned())
                    .and(access_grants::user_id.gt(user.to_owned()))),
        );
    }
    query
        .order((access_grants::customer_id, access_grants::user_id))
        .limit(limit)
        .load(conn)
}

pub fn insert_request(conn: &mut DbConnection, request: &RequestRow) -> QueryResult<()> {
    diesel::insert_into(access_requests::table)
        .values(request.clone())
        .execute(conn)
        .map(drop)
}

/// Inserts many grants at once (the demo dataset).
pub fn insert_grants(conn: &mut DbConnection, rows: &[GrantRow]) -> QueryResult<()> {
    insert_rows!(conn, access_grants::table, rows, by_value)
}

/// Inserts many requests at once (the demo dataset).
pub fn insert_requests(conn: &mut DbConnection, rows: &[RequestRow]) -> QueryResult<()> {
    insert_rows!(conn, access_requests::table, rows, by_value)
}

pub fn find_request(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RequestRow>> {
    access_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

/// The request `id`, if it lies in `scope`.
pub fn find_request_in(
    conn: &mut DbConnection,
    scope: &Scope,
    id: &str,
) -> QueryResult<Option<RequestRow>> {
    Ok(find_request(conn, id)?.filter(|r| scope.holds(&r.partner_id, &r.customer_id)))
}

/// The request holding the pair's pending slot, if any (it may have expired since).
pub fn pending_request(conn: &mut DbConnection, key: &str) -> QueryResult<Option<RequestRow>> {
    access_requests::table
        .filter(access_requests::pending_key.eq(key))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()
}

/// Frees an expired request's pending slot for a new request.
pub fn release_pending_slot(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::update(access_requests::table.find(id))
        .set(access_requests::pending_key.eq(None::<String>))
        .execute(conn)
        .map(drop)
}

/// Records the decision on a pending request; returns the request as it now is.
pub fn decide_request(
    conn: &mut DbConnection,
    id: &str,
    decision: Decision,
    by: &str,
    at: NaiveDateTime,
    message: Option<&str>,
    grant_id: Option<&str>,
) -> QueryResult<RequestRow> {
    diesel::update(access_requests::table.find(id))
        .set((
            access_requests::decision.eq(Word(decision)),
            access_requests::decided_by.eq(by),
            access_requests::decided_at.eq(at),
            access_requests::decision_message.eq(message),
            access_requests::grant_id.eq(grant_id),
            access_requests::pending_key.eq(None::<String>),
        ))
        .execute(conn)?;
    access_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
}

/// What a listing of requests shows of their state. Pending and expired are both stored as
/// `pending`; which one a request is depends on the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// pending and not yet 24 hours old: made after the cut-off
    Pending {
        made_after: NaiveDateTime,
    },
    /// pending but 24 hours old
    Expired {
        made_after: NaiveDateTime,
    },
    Decided(Decision),
}

/// Requests in `scope`, newest first, before the `(requested_at, id)` cursor.
pub fn list_requests(
    conn: &mut DbConnection,
    scope: &Scope,
    narrowing: &Narrowing,
    states: &[StateFilter],
    before: Option<(NaiveDateTime, &str)>,
    limit: i64,
) -> QueryResult<Vec<RequestRow>> {
    use diesel::dsl::sql;
    let mut query = access_requests::table
        .select(RequestRow::as_select())
        .into_boxed();
    query = match scope {
        Scope::Partner(partner) => query.filter(access_requests::partner_id.eq(partner.clone())),
        Scope::Customer(customer) => {
            query.filter(access_requests::customer_id.eq(customer.clone()))
        }
    };
    if let Some(customer) = &narrowing.customer_id {
        query = query.filter(access_requests::customer_id.eq(customer.clone()));
    }
    if let Some(user) = &narrowing.user_id {
        query = query.filter(access_requests::user_id.eq(user.clone()));
    }
    if !states.is_empty() {
        let mut any: Box<
            dyn BoxableExpression<
                    access_requests::table,
                    Dialect,
                    SqlType = diesel::sql_types::Bool,
                >,
        > = Box::new(sql::<diesel::sql_types::Bool>("1 = 0"));
        for state in states {
            any = match *state {
                StateFilter::Pending { made_after } => Box::new(
                    any.or(access_requests::decision
                        .eq(Word(Decision::Pending))
                        .and(access_requests::requested_at.gt(made_after))),
                ),
                StateFilter::Expired { made_after } => Box::new(
                    any.or(access_requests::decision
                        .eq(Word(Decision::Pending))
                        .and(access_requests::requested_at.le(made_after))),
                ),
                StateFilter::Decided(decision) => {
                    Box::new(any.or(access_requests::decision.eq(Word(decision))))
                }
            };
        }
        query = query.filter(any);
    }
    if let Some((at, id)) = before {
        query = query.filter(
            access_requests::requested_at
                .lt(at)
                .or(access_requests::requested_at
                    .eq(at)
                    .and(access_requests::id.lt(id.to_owned()))),
        );
    }
    query
        .order((
            access_requests::requested_at.desc(),
            access_requests::id.desc(),
        ))
        .limit(limit)
        .load(conn)
}
