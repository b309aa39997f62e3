//! Which partner users of role `user` a customer is assigned to (DOMAIN.md §2): a `user` with
//! any assignment sees only its assigned customers in the listing; one without sees them all.

use chrono::{DateTime, Utc};
use domain::ids::Invalid;
use domain::policy::Action;
use domain::role::Role;
use persistence::time::to_db;
use persistence::{DbConnection, customers, users};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::tenancy::{self, OwnPartner};

/// Who manages assignments: partner admins, for their own partner's customers.
pub fn manager(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ManageCustomers)
}

/// The customer's id and the partner users assigned to it.
pub fn list(
    conn: &mut DbConnection,
    partner: &OwnPartner,
    customer_id: &str,
) -> Result<(String, Vec<String>), ServiceError> {
    let customer = tenancy::partner_customer(conn, partner, customer_id)?;
    let user_ids = customers::assigned_users(conn, &customer.id)?;
    Ok((customer.id, user_ids))
}

/// Assigns (`assign`) or unassigns a partner user of role `user`; doing it twice changes nothing.
pub fn set(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    customer_id: &str,
    user_id: &str,
    assign: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let customer = tenancy::partner_customer(conn, partner, customer_id)?;
    assignable(conn, partner, user_id)?;
    let changed = if assign {
        customers::assign(conn, &customer.id, user_id, to_db(now))?
    } else {
        customers::unassign(conn, &customer.id, user_id)?
    };
    if !changed {
        return Ok(());
    }
    let target = format!("{}/{user_id}", customer.id);
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: if assign {
                "customer.user_assigned"
            } else {
                "customer.user_unassigned"
            },
            target_type: "assignment",
            target_id: &target,
            partner_id: Some(partner.as_str()),
            customer_id: Some(&customer.id),
            ..Change::default()
        },
    )
}

/// The partner user `user_id` of `partner`, who must have role `user`: 404 for anyone else's,
/// 422 for another role (admins see everything anyway; marketing sees no customers).
fn assignable(
    conn: &mut DbConnection,
    partner: &OwnPartner,
    user_id: &str,
) -> Result<(), ServiceError> {
    let user = users::find(conn, user_id)?
        .filter(|u| u.account_id == partner.as_str())
        .ok_or(ServiceError::NotFound("partner user"))?;
    if user.role == Role::PartnerUser.name() {
        Ok(())
    } else {
        Err(ServiceError::field(
            "user_id",
            Invalid::new(
                "role",
                "only partner users of role `user` are assigned to customers",
            ),
        ))
    }
}
