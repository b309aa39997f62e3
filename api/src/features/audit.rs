//! Reading the audit trail (DOMAIN.md §8): platform admins read all of it, partner admins their
//! partner's, customer admins what was done in their account — including what partner users
//! did there while acting inside. Filters, keyset pages (newest first), CSV export.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use persistence::audit::{AuditEvent, AuditFilter};
use persistence::time::{from_db, to_db};
use serde::{Deserialize, Serialize};
use services::audit::trail;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;
use crate::streaming::{csv_text, streamed};

pub fn configure(cfg: &mut Registry) {
    cfg.service(export_audit_csv).service(list_audit);
}

/// One audited change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    #[schema(example = "entity.created")]
    pub action: String,
    /// The user who made the change; absent for anonymous events (a failed login).
    pub actor_user_id: Option<String>,
    /// The change was made by that partner user while acting inside `customer_id`.
    pub acting: bool,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    #[schema(example = "entity")]
    pub target_type: String,
    pub target_id: Option<String>,
    /// The target before the change (absent for a creation).
    pub before: Option<serde_json::Value>,
    /// The target after the change (absent for a removal).
    pub after: Option<serde_json::Value>,
    pub source_ip: Option<String>,
    pub request_id: Option<String>,
    /// The entry's place in the trail's hash chain; absent for the second or so until the
    /// entry is linked.
    pub chain_position: Option<i64>,
    /// SHA-256 over the previous link's hash, this position and the entry: keep a recent one
    /// outside the hub as a checkpoint (`partner-hub audit verify` walks the chain).
    #[schema(example = "9f2c4e0b7d1a3c5e8f6b2d4a1c3e5f7a9b0d2c4e6f8a1b3c5d7e9f0a2b4c6d8e")]
    pub hash: Option<String>,
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

impl From<AuditEvent> for AuditEntry {
    fn from(e: AuditEvent) -> Self {
        AuditEntry {
            id: e.id,
            occurred_at: from_db(e.occurred_at),
            action: e.action,
            acting: e.acting_user_id.is_some(),
            actor_user_id: e.actor_user_id,
            partner_id: e.partner_id,
            customer_id: e.customer_id,
            target_type: e.target_type,
            target_id: e.target_id,
            before: json(e.before_state),
            after: json(e.after_state),
            source_ip: e.source_ip,
            request_id: e.request_id,
            chain_position: e.chain_position,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `after` for the next (older) page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only changes made by this user.
    pub actor: Option<String>,
    /// Only changes made (`true`) or not made (`false`) by partner users acting inside a
    /// customer.
    pub acting: Option<bool>,
    /// Only changes in this customer.
    pub customer_id: Option<String>,
    /// Only this action, e.g. `access_grant.revoked`.
    pub action: Option<String>,
    /// Only changes to targets of this type, e.g. `entity`.
    pub target_type: Option<String>,
    /// Only changes to this target.
    pub target_id: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
}

fn text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// The filter the caller's scope and query make: a partner admin reads its partner's trail, a
/// customer admin its account's, a platform admin all.
fn filter_for(caller: &Caller, query: AuditQuery) -> Result<AuditFilter, ApiError> {
    let reader = trail::reader(caller)?;
    for (name, at) in [("from", query.from), ("until", query.until)] {
        if at.is_some_and(|at| !persistence::time::storable(at)) {
            return Err(ApiError::InvalidQuery(format!(
                "`{name}` must lie between the years 1 and 9999"
            )));
        }
    }
    let filter = AuditFilter {
        customer_id: text(query.customer_id).map(|c| c.to_ascii_uppercase()),
        actor_user_id: text(query.actor),
        acting: query.acting,
        action: text(query.action),
        target_type: text(query.target_type),
        target_id: text(query.target_id),
        from: query.from.map(to_db),
        until: query.until.map(to_db),
        ..AuditFilter::default()
    };
    Ok(reader.scope(filter))
}

/// Read the audit trail, newest first.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery, PageQuery),
    responses(
        (status = 200, description = "A page of changes, newest first", body = AuditPage),
        (status = 400, description = "A bad filter value or cursor"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform, partner and customer admins read the trail"),
    ),
)]
#[get("/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    let filter = filter_for(&caller, query.into_inner())?;
    let limit = page.limit()?;
    let before = match page.after.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => Some(paging::decode_value::<i64>(cursor)?),
        None => None,
    };
    let mut rows = state
        .read(move |_, conn| trail::page(conn, &filter, before, limit + 1))
        .await?;
    let next = paging::last_of_page(&mut rows, limit)
        .map(|row| paging::encode_value(&serde_json::json!(row.seq)));
    Ok(web::Json(AuditPage {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        next,
    }))
}

const HEADERS: [&str; 14] = [
    "occurred_at",
    "action",
    "actor_user_id",
    "acting",
    "partner_id",
    "customer_id",
    "target_type",
    "target_id",
    "before",
    "after",
    "source_ip",
    "request_id",
    "chain_position",
    "hash",
];

/// Export the audit trail as CSV, newest first, with the same filters.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The matching changes, one per line after the header",
         content_type = "text/csv", body = String),
        (status = 400, description = "A bad filter value"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform, partner and customer admins read the trail"),
        (status = 429, description = "Too many exports are running (in all, or of your account): retry after `Retry-After` seconds"),
    ),
)]
#[get("/audit/export.csv")]
async fn export_audit_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_for(&caller, query.into_inner())?;
    let pass = state.exports.enter(caller.actor.account.as_str())?;
    let db = state.db.clone();
    let filename = format!("audit-{}.csv", state.clock.now().format("%Y%m%d-%H%M%S"));
    Ok(streamed("text/csv; charset=utf-8", filename, move |body| {
        // Held until the last row is written.
        let _pass = pass;
        let mut out = csv::Writer::from_writer(body);
        out.write_record(HEADERS).map_err(ApiError::internal)?;
        let mut before = None;
        loop {
            let rows = db.read(|conn| trail::page(conn, &filter, before, 1000))?;
            let full = rows.len() == 1000;
            before = rows.last().map(|r| r.seq);
            for e in rows {
                let cell = |v: Option<String>| csv_text(v.unwrap_or_default());
                out.write_record([
                    from_db(e.occurred_at).to_rfc3339(),
                    csv_text(e.action),
                    cell(e.actor_user_id),
                    e.acting_user_id.is_some().to_string(),
                    cell(e.partner_id),
                    cell(e.customer_id),
                    csv_text(e.target_type),
                    cell(e.target_id),
                    cell(e.before_state),
                    cell(e.after_state),
                    cell(e.source_ip),
                    cell(e.request_id),
                    e.chain_position.map(|p| p.to_string()).unwrap_or_default(),
                    cell(e.hash),
                ])
                .map_err(ApiError::internal)?;
            }
            if !full {
                return out.flush().map_err(ApiError::internal);
            }
        }
    }))
}
