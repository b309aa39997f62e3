//! The one place authorization is decided: Actor × Action → Allow or Deny(reason).
//!
//! Handlers never compare roles themselves. A denial says how to answer: `Hidden` when the
//! target lies in another tenant (answered exactly like a target that does not exist), and
//! `Forbidden` when the actor can see the target but may not do this to it.

use crate::ids::{AccountId, PartnerId};
use crate::role::Role;

/// Who is acting: the authenticated user's role and account, from its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub account: AccountId,
}

impl Actor {
    /// The actor's partner, when it is a partner user.
    pub fn partner(&self) -> Option<&PartnerId> {
        match &self.account {
            AccountId::Partner(partner) => Some(partner),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Create partners and list them all.
    ManagePartners,
    /// Read one partner's record.
    ViewPartner(&'a PartnerId),
    /// Invite further platform admins.
    InvitePlatformAdmin,
    /// Reset any user's authenticator.
    ResetTotp,
    /// Invite, list, edit, deactivate and remove a partner's users.
    ManagePartnerUsers(&'a PartnerId),
    /// Read the lists the platform keeps (sectors, plans, add-ons, entity and product types).
    ViewCatalogues,
    /// Add to and edit those lists.
    ManageCatalogues,
    /// See the actor's own partner's customer listing (all of it, or the assigned part).
    ListCustomers,
    /// Create and edit the actor's own partner's customers: the record, entities, customer
    /// admins, assignments, export.
    ManageCustomers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The target is outside the actor's tenant: answer as if it did not exist.
    Hidden,
    /// The actor may see the target but its role may not do this.
    Forbidden,
}

pub fn decide(actor: &Actor, action: Action<'_>) -> Decision {
    use Decision::{Allow, Deny};
    match action {
        Action::ViewCatalogues => Allow,
        Action::ManagePartners
        | Action::InvitePlatformAdmin
        | Action::ResetTotp
        | Action::ManageCatalogues => {
            if actor.role == Role::PlatformAdmin {
                Allow
            } else {
                Deny(Denial::Forbidden)
            }
        }
        Action::ViewPartner(partner) | Action::ManagePartnerUsers(partner) => {
            match (&actor.account, actor.role) {
                (AccountId::Platform, Role::PlatformAdmin) => Allow,
                (AccountId::Partner(own), role) if own == partner => {
                    if role == Role::PartnerAdmin {
                        Allow
                    } else {
                        Deny(Denial::Forbidden)
                    }
                }
                _ => Deny(Denial::Hidden),
            }
        }
        // The partner is the actor's own: customer routes take it from the token, never the URL.
        Action::ListCustomers => match (&actor.account, actor.role) {
            (AccountId::Partner(_), Role::PartnerAdmin | Role::PartnerUser) => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::ManageCustomers => match (&actor.account, actor.role) {
            (AccountId::Partner(_), Role::PartnerAdmin) => Allow,
            _ => Deny(Denial::Forbidden),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CustomerId;

    fn actor(role: Role, account: AccountId) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            account,
        }
    }

    fn partner(id: &str) -> PartnerId {
        PartnerId::parse(id).unwrap()
    }

    fn every_actor() -> Vec<Actor> {
        let acme = AccountId::Partner(partner("PARTACME"));
        let customer = AccountId::Customer(CustomerId::parse("SHOP").unwrap());
        vec![
            actor(Role::PlatformAdmin, AccountId::Platform),
            actor(Role::PartnerAdmin, acme.clone()),
            actor(Role::PartnerUser, acme.clone()),
            actor(Role::PartnerMarketing, acme.clone()),
            actor(Role::PartnerNotifications, acme),
            actor(Role::CustomerAdmin, customer.clone()),
            actor(Role::CustomerUser, customer),
        ]
    }

    #[test]
    fn only_platform_admins_manage_partners() {
        for actor in every_actor() {
            let expected = if actor.role == Role::PlatformAdmin {
                Decision::Allow
            } else {
                Decision::Deny(Denial::Forbidden)
            };
            assert_eq!(
                decide(&actor, Action::ManagePartners),
                expected,
                "{actor:?}"
            );
            assert_eq!(
                decide(&actor, Action::InvitePlatformAdmin),
                expected,
                "{actor:?}"
            );
        }
    }

    #[test]
    fn customers_are_listed_by_partner_admins_and_users_and_managed_by_admins() {
        for actor in every_actor() {
            let (list, manage) = match actor.role {
                Role::PartnerAdmin => (Decision::Allow, Decision::Allow),
                Role::PartnerUser => (Decision::Allow, Decision::Deny(Denial::Forbidden)),
                _ => (
                    Decision::Deny(Denial::Forbidden),
                    Decision::Deny(Denial::Forbidden),
                ),
            };
            assert_eq!(decide(&actor, Action::ListCustomers), list, "{actor:?}");
            assert_eq!(decide(&actor, Action::ManageCustomers), manage, "{actor:?}");
            assert_eq!(decide(&actor, Action::ViewCatalogues), Decision::Allow);
            let catalogues = if actor.role == Role::PlatformAdmin {
                Decision::Allow
            } else {
                Decision::Deny(Denial::Forbidden)
            };
            assert_eq!(decide(&actor, Action::ManageCatalogues), catalogues);
        }
    }

    #[test]
    fn a_partner_and_its_users_are_managed_by_the_platform_and_its_own_admins_only() {
        let acme = partner("PARTACME");
        let other = partner("PARTOTHER");
        for actor in every_actor() {
            let own = match actor.role {
                Role::PlatformAdmin | Role::PartnerAdmin => Decision::Allow,
                Role::PartnerUser | Role::PartnerMarketing | Role::PartnerNotifications => {
                    Decision::Deny(Denial::Forbidden)
                }
                Role::CustomerAdmin | Role::CustomerUser => Decision::Deny(Denial::Hidden),
            };
            assert_eq!(decide(&actor, Action::ViewPartner(&acme)), own, "{actor:?}");
            assert_eq!(
                decide(&actor, Action::ManagePartnerUsers(&acme)),
                own,
                "{actor:?}"
            );
            let foreign = if actor.role == Role::PlatformAdmin {
                Decision::Allow
            } else {
                Decision::Deny(Denial::Hidden)
            };
            assert_eq!(
                decide(&actor, Action::ViewPartner(&other)),
                foreign,
                "{actor:?}"
            );
        }
    }
}
