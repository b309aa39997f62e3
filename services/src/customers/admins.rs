//! A customer's admins, as the partner's admins manage them (seed 000 "Add and Manage Customer
//! Admins"): the account members flow of [`crate::users::members`] over the customer's account.

use domain::ids::{AccountId, CustomerId};
use domain::policy::Action;
use domain::role::Role;
use persistence::DbConnection;

use crate::caller::Caller;
use crate::error::ServiceError;
use crate::tenancy::{self, OwnPartner};
use crate::users::members::Members;

/// Who manages customer admins: partner admins, for their own partner's customers.
pub fn manager(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ManageCustomers)
}

/// The admins of `partner`'s customer `customer_id` (404 for any other customer). Unlike a
/// partner, a customer may be left without an active admin.
pub fn members(
    conn: &mut DbConnection,
    partner: &OwnPartner,
    customer_id: &str,
) -> Result<Members, ServiceError> {
    let customer = tenancy::partner_customer(conn, partner, customer_id)?;
    let id = CustomerId::parse(&customer.id).map_err(|_| ServiceError::NotFound("customer"))?;
    Ok(Members {
        account: AccountId::Customer(id),
        partner_id: customer.partner_id,
        roles: &[Role::CustomerAdmin],
        keep_an_active_admin: false,
        noun: "customer_admin",
    })
}
