//! The audit trail: one row per change, written in the change's own transaction.

use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::audit_events;

/// One audited change; `seq` (the order of events) is given by the database on insert.
#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
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
}

pub fn record(conn: &mut DbConnection, event: &AuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .map(drop)
}

/// Every event about one target, oldest first.
pub fn for_target(conn: &mut DbConnection, target_id: &str) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::target_id.eq(target_id))
        .order(audit_events::seq)
        .select(AuditEvent::as_select())
        .load(conn)
}
