//! Suspending a customer account and resuming it (seed 001): a suspended account's users cannot
//! log in, their sessions end, and partner users cannot switch in, until its partner resumes
//! it. Grants are untouched. The Active flag (seed 000) stays as it is: the two are separate
//! switches, and either one off keeps everyone out. Both acts are audited with the reason.

use chrono::{DateTime, Utc};
use domain::customer::AccountState;
use domain::ids::Invalid;
use persistence::customers::{self, CustomerRow};
use persistence::time::to_db;
use persistence::{DbConnection, sessions};
use serde_json::json;

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::tenancy::{self, OwnPartner};

pub use crate::customers::records::manager;

const REASON_MAX: usize = 500;

/// Why a partner admin suspends or resumes an account: 1–500 characters, kept in the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(text: &str) -> Result<Reason, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("required", "say why, for the audit trail"));
        }
        if text.chars().count() > REASON_MAX {
            return Err(Invalid::new(
                "too_long",
                format!("must be at most {REASON_MAX} characters"),
            ));
        }
        Ok(Reason(text.to_owned()))
    }

    /// A reason given in a request's `field`, or a validation error naming it.
    pub fn of(field: &str, text: &str) -> Result<Reason, ServiceError> {
        Reason::parse(text).map_err(|invalid| ServiceError::field(field, invalid))
    }
}

/// Suspends (`state` suspended) or resumes customer `id` of the caller's partner; the customer
/// as it now is. Asking for the state it is in changes nothing.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    id: &str,
    state: AccountState,
    reason: &Reason,
    now: DateTime<Utc>,
) -> Result<CustomerRow, ServiceError> {
    let before = tenancy::partner_customer(conn, partner, id)?;
    if before.account_state == state.as_str() {
        return Ok(before);
    }
    let mut after = before.clone();
    after.account_state = state.as_str().to_owned();
    after.version = before.version + 1;
    after.updated_at = to_db(now);
    customers::update(conn, &after)?;
    let action = match state {
        AccountState::Suspended => {
            // Its users' sessions and every partner session inside it end now.
            sessions::revoke_all_for_account(conn, &after.id, "customer_suspended", to_db(now))?;
            "customer.suspended"
        }
        AccountState::Active => "customer.resumed",
    };
    audit::record(
        conn,
        caller.by(now),
        Change {
            action,
            target_type: "customer",
            target_id: &after.id,
            partner_id: Some(partner.as_str()),
            customer_id: Some(&after.id),
            before: Some(json!({"account_state": before.account_state})),
            after: Some(json!({"account_state": after.account_state, "reason": reason.0})),
        },
    )?;
    Ok(after)
}
