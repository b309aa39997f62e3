//! The audit trail: one row per change, written in the change's own transaction.

use diesel::dsl;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::{audit_events, audit_links, audit_pending};

/// One audited change; `seq` (the order of events) is given by the database on insert.
#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEvent {
    #[diesel(skip_insertion)]
    pub seq: i64,
    pub id: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub acting_user_id: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub request_id: Option<String>,
    pub source_ip: Option<String>,
    /// The event's place in the audit chain, once linked (shortly after it commits): read from
    /// its link, so every reading of events joins `audit_links`.
    #[diesel(
        skip_insertion,
        select_expression = audit_links::position.nullable(),
        select_expression_type = dsl::Nullable<audit_links::position>
    )]
    pub chain_position: Option<i64>,
    /// SHA-256 over the event and the previous link's hash, once linked.
    #[diesel(
        skip_insertion,
        select_expression = audit_links::hash.nullable(),
        select_expression_type = dsl::Nullable<audit_links::hash>
    )]
    pub hash: Option<String>,
}

/// An event's place in the chain. Events are never updated: a link is a row of its own.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = audit_links)]
pub struct Link {
    pub position: i64,
    pub seq: i64,
    pub hash: String,
}

pub fn record(conn: &mut DbConnection, event: &AuditEvent) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(audit_events::table)
        .values(event)
        .execute(c)
        .map(drop))
}

/// The last link of the chain: its position and hash.
pub fn chain_head(conn: &mut DbConnection) -> QueryResult<Option<(i64, String)>> {
    audit_links::table
        .filter(planned_each_time())
        .order(audit_links::position.desc())
        .select((audit_links::position, audit_links::hash))
        .first(conn)
        .optional()
}

/// Up to `limit` events of the queue of those not linked yet, in the order they were recorded.
/// Read-only: [`link`] takes them off the queue as it links them.
pub fn queued_unchained(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    // The queue first, then its events by key: joined in one query, SQLite could walk the
    // whole trail to find the few queued.
    let queued: Vec<i64> = audit_pending::table
        .filter(planned_each_time())
        .order(audit_pending::seq)
        .limit(limit)
        .select(audit_pending::seq)
        .load(conn)?;
    if queued.is_empty() {
        return Ok(Vec::new());
    }
    audit_events::table
        .left_join(audit_links::table)
        .filter(audit_events::seq.eq_any(queued))
        .filter(planned_each_time())
        .order(audit_events::seq)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// How many events have no link: a walk of the whole trail, for the chain's verification.
pub fn count_unchained(conn: &mut DbConnection) -> QueryResult<i64> {
    audit_events::table
        .left_join(audit_links::table)
        .filter(audit_links::position.nullable().is_null())
        .count()
        .get_result(conn)
}

/// Writes `links`, in one statement, and takes their events off the queue.
pub fn link(conn: &mut DbConnection, links: &[Link]) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(audit_links::table)
        .values(links)
        .execute(c)
        .map(drop))?;
    let linked: Vec<i64> = links.iter().map(|link| link.seq).collect();
    diesel::delete(
        audit_pending::table
            .filter(audit_pending::seq.eq_any(linked))
            .filter(planned_each_time()),
    )
    .execute(conn)
    .map(drop)
}

/// A condition that always holds, added to the linker's statements to keep them out of the
/// connection's cache of prepared statements, so that PostgreSQL plans them for their values
/// each time. A cached statement gets a generic plan after five runs, planned for the tables as
/// they were then: the queue and the trail start empty, and a plan made for them empty (a
/// sequential scan, each row checked against the 500 keys; for the head, the whole chain
/// sorted) was kept while the trail grew — under sustained writes, a third of the machine's CPU
/// within minutes, and the queue fell behind (bench/RESULTS.md). An ANALYZE replans, and
/// autovacuum runs one, but only once a table has grown by a tenth, and not at all where it is
/// switched off.
fn planned_each_time() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    dsl::sql("TRUE")
}

/// Up to `limit` linked events after chain position `after`, in chain order. A link whose
/// event was removed is skipped: the positions then show the gap.
pub fn chain_after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .inner_join(audit_links::table)
        .filter(audit_links::position.gt(after))
        .order(audit_links::position)
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// Every event about one target, oldest first.
pub fn for_target(conn: &mut DbConnection, target_id: &str) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .left_join(audit_links::table)
        .filter(audit_events::target_id.eq(target_id))
        .order(audit_events::seq)
        .select(AuditEvent::as_select())
        .load(conn)
}

/// What a reading of the trail narrows to. `partner_id`/`customer_id` carry the reader's scope
/// as well as its filters.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub actor_user_id: Option<String>,
    /// Only changes made (true) or not made (false) by a partner user acting inside a customer.
    pub acting: Option<bool>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub until: Option<chrono::NaiveDateTime>,
}

/// Events matching `filter`, newest first, before sequence number `before`.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = audit_events::table
        .left_join(audit_links::table)
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some(partner) = &filter.partner_id {
        query = query.filter(audit_events::partner_id.eq(partner.clone()));
    }
    if let Some(customer) = &filter.customer_id {
        query = query.filter(audit_events::customer_id.eq(customer.clone()));
    }
    if let Some(actor) = &filter.actor_user_id {
        query = query.filter(audit_events::actor_user_id.eq(actor.clone()));
    }
    match filter.acting {
        Some(true) => query = query.filter(audit_events::acting_user_id.is_not_null()),
        Some(false) => query = query.filter(audit_events::acting_user_id.is_null()),
        None => {}
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(kind) = &filter.target_type {
        query = query.filter(audit_events::target_type.eq(kind.clone()));
    }
    if let Some(target) = &filter.target_id {
        query = query.filter(audit_events::target_id.eq(target.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::occurred_at.lt(until));
    }
    if let Some(seq) = before {
        query = query.filter(audit_events::seq.lt(seq));
    }
    query
        .order(audit_events::seq.desc())
        .limit(limit)
        .load(conn)
}
