//! Whose data a caller may touch. Every tenant decision of the use cases is made here, from the
//! caller's credential — never from a URL — after the policy allowed the action; a thing in
//! another tenant answers exactly like one that does not exist.

use domain::ids::{AccountId, CustomerId, Invalid, PartnerId};
use domain::policy::{Action, Actor};
use domain::role::Role;
use persistence::customers::{self, CustomerRow};
use persistence::{DbConnection, access, customer_listing};

use crate::caller::Caller;
use crate::error::ServiceError;

/// The caller's own partner, which the policy let it act for: only [`own_partner`] makes one, so
/// a use case that takes it cannot be reached without that check.
#[derive(Debug, Clone)]
pub struct OwnPartner(PartnerId);

impl OwnPartner {
    pub fn id(&self) -> &PartnerId {
        &self.0
    }

    /// The grants and access requests of this partner.
    pub fn access_scope(&self) -> AccessScope {
        AccessScope(access::Scope::Partner(self.0.as_str().to_owned()))
    }
}

impl std::ops::Deref for OwnPartner {
    type Target = PartnerId;

    fn deref(&self) -> &PartnerId {
        &self.0
    }
}

/// The caller's own partner, once the policy allows `action` (partner routes about customers
/// never take the partner from the URL).
pub fn own_partner(caller: &Caller, action: Action<'_>) -> Result<OwnPartner, ServiceError> {
    caller.authorize(action, "customer")?;
    caller
        .actor
        .partner()
        .cloned()
        .map(OwnPartner)
        .ok_or_else(|| ServiceError::internal("the policy allowed a caller without a partner"))
}

/// The customer `id` of `partner`, or 404.
pub fn partner_customer(
    conn: &mut DbConnection,
    partner: &PartnerId,
    id: &str,
) -> Result<CustomerRow, ServiceError> {
    let id = CustomerId::parse(id).map_err(|_| ServiceError::NotFound("customer"))?;
    customers::find_for_partner(conn, partner.as_str(), id.as_str())?
        .ok_or(ServiceError::NotFound("customer"))
}

/// [`partner_customer`] for a customer named in a request body: a field error when missing.
pub fn partner_customer_field(
    conn: &mut DbConnection,
    partner: &PartnerId,
    id: &str,
) -> Result<Result<CustomerRow, Invalid>, ServiceError> {
    let missing = || Invalid::new("not_found", "no such customer");
    let Ok(id) = CustomerId::parse(id) else {
        return Ok(Err(missing()));
    };
    Ok(customers::find_for_partner(conn, partner.as_str(), id.as_str())?.ok_or_else(missing))
}

/// The caller's own customer account, for the customer's own controls (its admins, never a
/// partner user acting inside): only [`own_customer_id`] makes one.
#[derive(Debug, Clone)]
pub struct OwnCustomer(CustomerId);

impl OwnCustomer {
    pub fn id(&self) -> &CustomerId {
        &self.0
    }

    pub fn load(&self, conn: &mut DbConnection) -> Result<CustomerRow, ServiceError> {
        customers::find(conn, self.0.as_str())?.ok_or(ServiceError::NotFound("customer"))
    }

    /// The grants and access requests into this customer.
    pub fn access_scope(&self) -> AccessScope {
        AccessScope(access::Scope::Customer(self.0.as_str().to_owned()))
    }
}

/// The caller's own customer account, read.
pub fn own_customer(conn: &mut DbConnection, caller: &Caller) -> Result<CustomerRow, ServiceError> {
    own_customer_id(caller)?.load(conn)
}

/// The caller's own customer, once the policy allows it to use the customer's own controls.
pub fn own_customer_id(caller: &Caller) -> Result<OwnCustomer, ServiceError> {
    caller.authorize(Action::ControlAccess, "customer")?;
    match &caller.actor.account {
        AccountId::Customer(id) => Ok(OwnCustomer(id.clone())),
        _ => Err(ServiceError::internal(
            "the policy allowed a caller without a customer",
        )),
    }
}

/// What the caller wants to do inside a customer's own data.
#[derive(Debug, Clone, Copy)]
pub enum Work {
    /// Read its entities.
    View,
    /// Change its entities.
    Manage,
    /// Read its users and licences.
    ViewUsers,
    /// Manage its users and assign its licences.
    ManageUsers,
}

/// A customer the caller may work inside, once the policy allowed the work on it.
pub struct Reachable(CustomerId);

/// The customer `id`, if the caller may do `work` inside it (a partner admin for its partner's
/// customers, the customer's own users, a partner user acting inside as its grant allows).
pub fn reachable(caller: &Caller, id: &str, work: Work) -> Result<Reachable, ServiceError> {
    let id = CustomerId::parse(id).map_err(|_| ServiceError::NotFound("customer"))?;
    let action = match work {
        Work::View => Action::ViewEntities(&id),
        Work::Manage => Action::ManageEntities(&id),
        Work::ViewUsers => Action::ViewCustomerUsers(&id),
        Work::ManageUsers => Action::ManageCustomerUsers(&id),
    };
    caller.authorize(action, "customer")?;
    Ok(Reachable(id))
}

impl Reachable {
    /// The customer's row, looked up within the caller's tenant: its partner's customers for a
    /// partner caller, its own account for a customer caller.
    pub fn load(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
    ) -> Result<CustomerRow, ServiceError> {
        let found = match &caller.actor.account {
            AccountId::Partner(partner) => {
                customers::find_for_partner(conn, partner.as_str(), self.0.as_str())?
            }
            AccountId::Customer(own) if own == &self.0 => customers::find(conn, own.as_str())?,
            _ => None,
        };
        found.ok_or(ServiceError::NotFound("customer"))
    }
}

/// Grants and access requests the caller may see: made only by [`access_scope`] and the
/// capabilities above, so a lookup through it cannot leave the caller's tenant.
#[derive(Debug, Clone)]
pub struct AccessScope(access::Scope);

impl AccessScope {
    pub fn as_store(&self) -> &access::Scope {
        &self.0
    }
}

impl std::ops::Deref for AccessScope {
    type Target = access::Scope;

    fn deref(&self) -> &access::Scope {
        &self.0
    }
}

/// Which grants and access requests the caller oversees: its partner's, or its own customer's.
pub fn access_scope(caller: &Caller, action: Action<'_>) -> Result<AccessScope, ServiceError> {
    caller.authorize(action, "grant")?;
    match &caller.actor.account {
        AccountId::Partner(partner) => Ok(AccessScope(access::Scope::Partner(
            partner.as_str().to_owned(),
        ))),
        AccountId::Customer(customer) => Ok(AccessScope(access::Scope::Customer(
            customer.as_str().to_owned(),
        ))),
        AccountId::Platform => Err(ServiceError::internal("no grant scope for the platform")),
    }
}

/// Which customers the actor's listing holds: its partner's, or for a partner `user` with
/// assignments only the assigned ones.
pub fn listing_scope(
    conn: &mut DbConnection,
    actor: &Actor,
) -> Result<customer_listing::Scope, ServiceError> {
    let partner = actor
        .partner()
        .ok_or_else(|| ServiceError::internal("a customer listing without a partner"))?;
    let assigned_to =
        if actor.role == Role::PartnerUser && customers::has_assignments(conn, &actor.user_id)? {
            Some(actor.user_id.clone())
        } else {
            None
        };
    Ok(customer_listing::Scope {
        partner_id: partner.to_string(),
        assigned_to,
    })
}

/// 404 for a customer outside the caller's listing (a `user` not assigned to it).
pub fn check_listed(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &CustomerRow,
) -> Result<(), ServiceError> {
    match listing_scope(conn, &caller.actor)?.assigned_to {
        Some(user) if !customers::assigned_users(conn, &row.id)?.contains(&user) => {
            Err(ServiceError::NotFound("customer"))
        }
        _ => Ok(()),
    }
}
