//! Everything about one customer account, read at one instant for its workbook (seed 001
//! "Export"): the record, its users with the licences they hold, its licences with who holds
//! them, and its entities. One account is bounded (its users, at most 9 999 entities), so it is
//! read whole, in one read transaction.

use persistence::DbConnection;
use persistence::customers::CustomerRow;
use persistence::entities;
use persistence::users::UserFilter;

use crate::caller::Caller;
use crate::customers::entities::EntityView;
use crate::customers::licences::{self, LicenceSummary};
use crate::customers::users::{self, CustomerUser, Managed};
use crate::error::ServiceError;

pub struct Account {
    pub customer: CustomerRow,
    pub users: Vec<CustomerUser>,
    pub licences: Vec<LicenceSummary>,
    pub entities: Vec<EntityView>,
}

/// Who may export an account: whoever may manage its users.
pub fn exporter(caller: &Caller, customer_id: &str) -> Result<Managed, ServiceError> {
    users::manager(caller, customer_id)
}

pub fn read(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Managed,
) -> Result<Account, ServiceError> {
    let (row, members) = customer.open(conn, caller)?;
    let rows = members.list(conn, UserFilter::default(), None, i64::MAX)?;
    let users = users::with_licences(conn, &row.id, rows)?;
    let licences = licences::summary_of(conn, &row)?;
    let entities = entities::list(conn, &row.id, None, None, i64::MAX)?
        .into_iter()
        .map(EntityView::from)
        .collect();
    Ok(Account {
        customer: row,
        users,
        licences,
        entities,
    })
}
