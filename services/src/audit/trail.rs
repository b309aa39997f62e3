//! Reading the audit trail: platform admins all of it, partner admins their partner's, customer
//! admins their account's — the scope always from the caller, never from the query.

use domain::ids::AccountId;
use domain::policy::Action;
use persistence::DbConnection;
use persistence::audit::{self, AuditEvent, AuditFilter};

use crate::caller::Caller;
use crate::error::ServiceError;

/// A caller the policy lets read a trail: only [`reader`] makes one.
#[derive(Debug, Clone)]
pub struct Reader(AccountId);

pub fn reader(caller: &Caller) -> Result<Reader, ServiceError> {
    caller.authorize(Action::ReadAudit, "audit trail")?;
    Ok(Reader(caller.actor.account.clone()))
}

impl Reader {
    /// `filter` narrowed to the reader's own trail.
    pub fn scope(&self, mut filter: AuditFilter) -> AuditFilter {
        match &self.0 {
            AccountId::Platform => {}
            AccountId::Partner(partner) => filter.partner_id = Some(partner.as_str().to_owned()),
            AccountId::Customer(own) => {
                let other = filter
                    .customer_id
                    .as_deref()
                    .is_some_and(|c| c != own.as_str());
                // Another customer's trail reads as an empty one, like a customer that does
                // not exist.
                filter.customer_id = Some(if other {
                    String::new()
                } else {
                    own.as_str().to_owned()
                });
            }
        }
        filter
    }
}

/// Up to `take` entries older than the entry `before`, newest first.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i64>,
    take: i64,
) -> Result<Vec<AuditEvent>, ServiceError> {
    Ok(audit::list(conn, filter, before, take)?)
}
