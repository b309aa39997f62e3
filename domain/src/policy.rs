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
        Action::ManagePartners | Action::InvitePlatformAdmin | Action::ResetTotp => {
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
