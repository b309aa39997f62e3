//! The customer listing and its exports (seed 000 "Customer Accounts"): every column filtered
//! and sorted, keyset pages, within the caller's listing scope. The query language is the
//! adapter's; the filters and sort arrive here parsed.

use chrono::{DateTime, Utc};
use domain::policy::Action;
use persistence::DbConnection;
use persistence::customer_listing::{self, After, Filter, Scope, Sort, Viewer};
use persistence::customers::CustomerRow;
use persistence::time::to_db;

use crate::caller::Caller;
use crate::error::ServiceError;
use crate::tenancy::{self, OwnPartner};

/// Who sees the listing: partner admins and users (a `user` with assignments, only those).
pub fn reader(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ListCustomers)
}

/// Who exports it: partner admins (DOMAIN.md §2 lists export under the admin role only).
pub fn exporter(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ManageCustomers)
}

/// What a page asks for.
pub struct PageRequest<'a> {
    pub filters: &'a [Filter],
    pub sort: Sort,
    pub after: Option<&'a After>,
    /// Rows to read: one more than the page, to tell whether another follows.
    pub take: i64,
    /// Also count every match.
    pub with_total: bool,
}

/// Customers as the caller sees them: each with whether the caller holds a live grant into it.
pub type Seen = Vec<(CustomerRow, bool)>;

/// A page of the caller's customers, and the count of all matches when asked.
pub fn page(
    conn: &mut DbConnection,
    caller: &Caller,
    request: &PageRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(Seen, Option<i64>), ServiceError> {
    let scope = tenancy::listing_scope(conn, &caller.actor)?;
    let viewer = Viewer {
        user_id: caller.actor.user_id.clone(),
        now: to_db(now),
    };
    let rows = customer_listing::page_seen_by(
        conn,
        &viewer,
        &scope,
        request.filters,
        request.sort,
        request.after,
        request.take,
    )?;
    let total = match request.with_total {
        true => Some(customer_listing::count(conn, &scope, request.filters)?),
        false => None,
    };
    Ok((rows, total))
}

/// The scope an export reads, decided once before its first byte is sent.
pub fn export_scope(conn: &mut DbConnection, caller: &Caller) -> Result<Scope, ServiceError> {
    tenancy::listing_scope(conn, &caller.actor)
}

/// Calls `each` with every matching row, in order, reading `batch` rows at a time by keyset.
pub fn each_row<E: From<ServiceError>>(
    conn: &mut DbConnection,
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    batch: i64,
    mut each: impl FnMut(CustomerRow) -> Result<(), E>,
) -> Result<(), E> {
    let mut after: Option<After> = None;
    loop {
        let rows = customer_listing::page(conn, scope, filters, sort, after.as_ref(), batch)
            .map_err(ServiceError::from)?;
        let full = i64::try_from(rows.len()).unwrap_or(0) == batch;
        if let Some(last) = rows.last() {
            after = Some(After {
                keys: sort.key_of(last),
                id: last.id.clone(),
            });
        }
        for row in rows {
            each(row)?;
        }
        if !full {
            return Ok(());
        }
    }
}
