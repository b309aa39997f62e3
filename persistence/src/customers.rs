//! Customer accounts: the record, the counts kept on it, and which partner users are assigned
//! to it. The listing's query lives in `customer_listing`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::entities::{self, EntityRow};
use crate::schema::{customer_assignments, customers, users};
use crate::time::Fast;
use crate::{DbConnection, QueryError};

/// Its dates and times are read with [`Fast`]: a listing page reads five per row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
pub struct CustomerRow {
    pub id: String,
    pub partner_id: String,
    pub reference: String,
    pub name: String,
    pub active: bool,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub termset: String,
    pub product_plan: Option<String>,
    /// JSON array of codes.
    pub add_ons: String,
    pub sector: Option<String>,
    /// Lifecycle rank.
    pub status: i32,
    pub requires_access_permission: bool,
    pub iframe_embedding: bool,
    /// JSON array of host names.
    pub iframe_domains: String,
    #[diesel(deserialize_as = Fast<Option<NaiveDate>>)]
    pub membership_end_date: Option<NaiveDate>,
    pub locations: Option<i32>,
    pub account_type: String,
    pub billing_recipient: Option<String>,
    pub compliance_percent: Option<i32>,
    pub workers: Option<i32>,
    /// JSON array of licences.
    pub licences: String,
    /// The licensed products' codes, each surrounded by spaces, for the listing's filter.
    pub licensed_products: String,
    #[diesel(deserialize_as = Fast<Option<NaiveDate>>)]
    pub next_renewal_date: Option<NaiveDate>,
    pub account_state: String,
    #[diesel(deserialize_as = Fast<Option<NaiveDateTime>>)]
    pub last_login_at: Option<NaiveDateTime>,
    pub entity_count: i32,
    /// JSON object: entity type → count.
    pub entity_counts: String,
    pub user_count: i32,
    /// JSON object: user role → count.
    pub user_counts: String,
    pub next_entity_number: i32,
    pub version: i32,
    #[diesel(deserialize_as = Fast<NaiveDateTime>)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Fast<NaiveDateTime>)]
    pub updated_at: NaiveDateTime,
    /// The customer's own admins switched "requires customer access permissions" on: the
    /// partner cannot switch it off.
    pub access_permission_locked: bool,
}

pub fn insert(conn: &mut DbConnection, customer: &CustomerRow) -> QueryResult<()> {
    diesel::insert_into(customers::table)
        .values(customer)
        .execute(conn)
        .map(drop)
}

/// Whether the customer's users may log in: its Active flag on and its account not suspended;
/// `None` when there is no such customer.
pub fn lets_users_in(conn: &mut DbConnection, id: &str) -> QueryResult<Option<bool>> {
    let flags: Option<(bool, String)> = customers::table
        .find(id)
        .select((customers::active, customers::account_state))
        .first(conn)
        .optional()?;
    Ok(
        flags
            .map(|(active, state)| active && domain::customer::AccountState::lets_users_in(&state)),
    )
}

/// Inserts many rows at once (the demo dataset).
pub fn insert_many(conn: &mut DbConnection, rows: &[CustomerRow]) -> QueryResult<()> {
    insert_rows!(conn, customers::table, rows)
}

/// Any customer by ID, whichever partner it belongs to (for uniqueness and logins).
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CustomerRow>> {
    customers::table
        .find(id)
        .select(CustomerRow::as_select())
        .first(conn)
        .optional()
}

/// The customer `id` if it belongs to `partner_id`: another partner's customer is not there.
pub fn find_for_partner(
    conn: &mut DbConnection,
    partner_id: &str,
    id: &str,
) -> QueryResult<Option<CustomerRow>> {
    on_backend!(conn, |c| customers::table
        .find(id)
        .filter(customers::partner_id.eq(partner_id))
        .select(CustomerRow::as_select())
        .first(c)
        .optional())
}

/// Whether another customer of the partner (not `except`) already uses `reference`.
pub fn reference_taken(
    conn: &mut DbConnection,
    partner_id: &str,
    reference: &str,
    except: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        customers::table
            .filter(customers::partner_id.eq(partner_id))
            .filter(customers::reference.eq(reference))
            .filter(customers::id.ne(except)),
    ))
    .get_result(conn)
}

/// Writes the record's editable columns back; counts are written by the recount functions.
pub fn update(conn: &mut DbConnection, c: &CustomerRow) -> QueryResult<()> {
    diesel::update(customers::table.find(&c.id))
        .set((
            (
                customers::reference.eq(&c.reference),
                customers::name.eq(&c.name),
                customers::active.eq(c.active),
                customers::website.eq(&c.website),
                customers::contact_name.eq(&c.contact_name),
                customers::contact_email.eq(&c.contact_email),
                customers::termset.eq(&c.termset),
                customers::product_plan.eq(&c.product_plan),
                customers::add_ons.eq(&c.add_ons),
                customers::sector.eq(&c.sector),
                customers::status.eq(c.status),
                customers::requires_access_permission.eq(c.requires_access_permission),
            ),
            (
                customers::iframe_embedding.eq(c.iframe_embedding),
                customers::iframe_domains.eq(&c.iframe_domains),
                customers::membership_end_date.eq(c.membership_end_date),
                customers::locations.eq(c.locations),
                customers::account_type.eq(&c.account_type),
                customers::billing_recipient.eq(&c.billing_recipient),
                customers::compliance_percent.eq(c.compliance_percent),
                customers::workers.eq(c.workers),
                customers::licences.eq(&c.licences),
                customers::licensed_products.eq(&c.licensed_products),
                customers::next_renewal_date.eq(c.next_renewal_date),
                customers::account_state.eq(&c.account_state),
            ),
            customers::version.eq(c.version),
            customers::updated_at.eq(c.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Gives a new active entity of `entity_type` the customer's next number and counts it on the
/// row, in one update, from `customer` as this transaction read it: the number is taken and the
/// counts move together, and the row gets one new version (on PostgreSQL each version writes an
/// entry into every one of the row's indexes). Returns the number taken.
pub fn add_entity(
    conn: &mut DbConnection,
    customer: &CustomerRow,
    entity_type: &str,
) -> QueryResult<i32> {
    let mut groups: std::collections::BTreeMap<String, i64> =
        serde_json::from_str(&customer.entity_counts)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    *groups.entry(entity_type.to_owned()).or_default() += 1;
    let (total, by_type) = totals(groups.into_iter().collect());
    let number = customer.next_entity_number;
    diesel::update(customers::table.find(&customer.id))
        .set((
            customers::next_entity_number.eq(number + 1),
            customers::entity_count.eq(total),
            customers::entity_counts.eq(by_type),
        ))
        .execute(conn)?;
    Ok(number)
}

/// The total and the JSON object `{type: count}` of grouped counts.
fn totals(groups: Vec<(String, i64)>) -> (i32, String) {
    let total = groups.iter().map(|(_, n)| n).sum::<i64>();
    let by_type: serde_json::Map<String, serde_json::Value> =
        groups.into_iter().map(|(k, n)| (k, n.into())).collect();
    (
        i32::try_from(total).unwrap_or(i32::MAX),
        serde_json::Value::Object(by_type).to_string(),
    )
}

/// Inserts a new customer with its first entity, counted on the row as [`recount_entities`]
/// would count it: a create neither recounts nor reads the row back.
pub fn insert_with_entity(
    conn: &mut DbConnection,
    customer: &mut CustomerRow,
    entity: &EntityRow,
) -> Result<(), Refused> {
    let counted = if entity.active { 1 } else { 0 };
    (customer.entity_count, customer.entity_counts) =
        totals(vec![(entity.entity_type.clone(), counted)]);
    insert(conn, customer).map_err(Refused::of)?;
    entities::insert(conn, entity).map_err(Refused::Query)
}

/// Why a new customer was not inserted. The unique constraints decide whether its ID and its ref
/// are free, not a read before the insert: under PostgreSQL's serializable isolation such a read
/// locks the index page the key would be on, and creates running at once, whose keys share the
/// page, failed one another (bench/RESULTS.md).
#[derive(Debug)]
pub enum Refused {
    /// The customer ID is taken (in any partner).
    IdTaken,
    /// The partner has another customer with this ref.
    RefTaken,
    Query(QueryError),
}

impl Refused {
    fn of(error: QueryError) -> Refused {
        use diesel::result::{DatabaseErrorKind, Error};
        match &error {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // PostgreSQL names the constraint (`customers_partner_id_ref_key`), SQLite the
                // columns (`UNIQUE constraint failed: customers.partner_id, customers.ref`).
                let named = info.constraint_name().unwrap_or(info.message());
                if named.contains("ref") {
                    Refused::RefTaken
                } else {
                    Refused::IdTaken
                }
            }
            _ => Refused::Query(error),
        }
    }
}

/// Recounts the customer's active entities by type onto its row. Called in the transaction
/// that changed an entity, so the listing only ever reads.
pub fn recount_entities(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    let (total, by_type) = totals(entities::count_active_by_type(conn, id)?);
    diesel::update(customers::table.find(id))
        .set((
            customers::entity_count.eq(total),
            customers::entity_counts.eq(by_type),
        ))
        .execute(conn)
        .map(drop)
}

/// Recounts the customer's active users by role onto its row, in the transaction that
/// changed a user.
pub fn recount_users(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    let groups = users::table
        .filter(users::account_id.eq(id))
        .filter(users::active.eq(true))
        .group_by(users::role)
        .select((users::role, diesel::dsl::count_star()))
        .order(users::role)
        .load(conn)?;
    let (total, by_role) = totals(groups);
    diesel::update(customers::table.find(id))
        .set((
            customers::user_count.eq(total),
            customers::user_counts.eq(by_role),
        ))
        .execute(conn)
        .map(drop)
}

/// Someone entered the customer at `at`. Kept to the minute: a row written on every switch
/// into a busy customer would make every switch wait for the last one's row lock.
pub fn record_login(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    let a_minute_before = at - chrono::Duration::minutes(1);
    diesel::update(customers::table.find(id))
        .filter(
            customers::last_login_at
                .is_null()
                .or(customers::last_login_at.lt(a_minute_before)),
        )
        .set(customers::last_login_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// Assigns `user_id` to the customer; assigning twice changes nothing.
pub fn assign(
    conn: &mut DbConnection,
    customer_id: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        customer_assignments::table.find((customer_id, user_id)),
    ))
    .get_result(conn)?;
    if !exists {
        diesel::insert_into(customer_assignments::table)
            .values((
                customer_assignments::customer_id.eq(customer_id),
                customer_assignments::user_id.eq(user_id),
                customer_assignments::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(!exists)
}

pub fn unassign(conn: &mut DbConnection, customer_id: &str, user_id: &str) -> QueryResult<bool> {
    diesel::delete(customer_assignments::table.find((customer_id, user_id)))
        .execute(conn)
        .map(|n| n > 0)
}

/// The IDs of the partner users assigned to the customer.
pub fn assigned_users(conn: &mut DbConnection, customer_id: &str) -> QueryResult<Vec<String>> {
    customer_assignments::table
        .filter(customer_assignments::customer_id.eq(customer_id))
        .order(customer_assignments::user_id)
        .select(customer_assignments::user_id)
        .load(conn)
}

/// The customers each of `user_ids` is assigned to, as (user, customer) by user then customer.
pub fn assignments_of(
    conn: &mut DbConnection,
    user_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    customer_assignments::table
        .filter(customer_assignments::user_id.eq_any(user_ids))
        .select((
            customer_assignments::user_id,
            customer_assignments::customer_id,
        ))
        .order((
            customer_assignments::user_id,
            customer_assignments::customer_id,
        ))
        .load(conn)
}

/// Whether the user has any assignment: then it sees only the customers assigned to it.
pub fn has_assignments(conn: &mut DbConnection, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        customer_assignments::table.filter(customer_assignments::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// How many of the partner's customers there are of each (status rank, account state,
/// active) — the partner's summary.
pub fn count_by_state(
    conn: &mut DbConnection,
    partner_id: &str,
) -> QueryResult<Vec<(i32, String, bool, i64)>> {
    customers::table
        .filter(customers::partner_id.eq(partner_id))
        .group_by((
            customers::status,
            customers::account_state,
            customers::active,
        ))
        .select((
            customers::status,
            customers::account_state,
            customers::active,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// The licence lists (JSON) of the partner's customers that have any.
pub fn licence_lists(conn: &mut DbConnection, partner_id: &str) -> QueryResult<Vec<String>> {
    customers::table
        .filter(customers::partner_id.eq(partner_id))
        .filter(customers::licences.ne("[]"))
        .select(customers::licences)
        .load(conn)
}

/// Stores the customer's licences after their seats used changed: a count, like the users
/// and entities counts, so neither the version nor the record's update time moves.
pub fn set_licences(conn: &mut DbConnection, id: &str, licences: &str) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set(customers::licences.eq(licences))
        .execute(conn)
        .map(drop)
}

/// The customer's own admins set "requires customer access permissions"; switching it on locks
/// it against the partner, switching it off lifts the lock.
pub fn set_access_permission(
    conn: &mut DbConnection,
    id: &str,
    required: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(customers::table.find(id))
        .set((
            customers::requires_access_permission.eq(required),
            customers::access_permission_locked.eq(required),
            customers::version.eq(customers::version + 1),
            customers::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}
