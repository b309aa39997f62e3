//! The one place authorization is decided: Actor × Action → Allow or Deny(reason).
//!
//! Handlers never compare roles themselves. A denial says how to answer: `Hidden` when the
//! target lies in another tenant (answered exactly like a target that does not exist), and
//! `Forbidden` when the actor can see the target but may not do this to it.

use crate::access::{Permission, Permissions};
use crate::ids::{AccountId, CustomerId, PartnerId};
use crate::role::Role;

/// Who is acting: the authenticated user's role and account, from its token.
///
/// A partner user switched into a customer acts with the account of that customer, the role its
/// grant gives (customer admin or user) and `acting` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub account: AccountId,
    pub acting: Option<Acting>,
}

/// A partner user's session inside a customer, resting on a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub partner: PartnerId,
    pub grant_id: String,
    pub permissions: Permissions,
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
    /// Read a customer's entities: its partner's admins, its own users, a partner user acting
    /// inside it with a grant that allows it.
    ViewEntities(&'a CustomerId),
    /// Create and change a customer's entities: as above, with admin rights.
    ManageEntities(&'a CustomerId),
    /// Read a customer's users and licences: as [`Action::ViewEntities`] (its guests too).
    ViewCustomerUsers(&'a CustomerId),
    /// Invite, edit, promote, deactivate and remove a customer's users and assign its licences:
    /// its partner's admins, its own admins, a partner user acting inside with `manage_users`.
    ManageCustomerUsers(&'a CustomerId),
    /// Give, change and request partner users' access to the actor's partner's customers.
    ManageAccess,
    /// See and revoke who can enter customers: a partner admin for its customers, a customer's
    /// own admin for its account (never from inside an acting session).
    OverseeAccess,
    /// Decide access requests, invite guests and set the customer's permission flag: the
    /// customer's own admins, never a partner user acting inside.
    ControlAccess,
    /// Open an acting session inside a customer (the grant decides which).
    SwitchIntoCustomer,
    /// Read the audit trail of the actor's scope: all (platform), its partner, its customer.
    ReadAudit,
    /// Read and download the partner kit.
    ViewPartnerKit,
    /// Publish and withdraw partner kit items.
    ManagePartnerKit,
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
        Action::ManageCustomers | Action::ManageAccess => match (&actor.account, actor.role) {
            (AccountId::Partner(_), Role::PartnerAdmin) => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::ViewEntities(customer) => {
            inside_customer(actor, customer, Permission::ViewEntities)
        }
        Action::ManageEntities(customer) => {
            inside_customer(actor, customer, Permission::ManageEntities)
        }
        // Any grant lets its holder see who works in the account.
        Action::ViewCustomerUsers(customer) => {
            inside_customer(actor, customer, Permission::ViewEntities)
        }
        Action::ManageCustomerUsers(customer) => {
            inside_customer(actor, customer, Permission::ManageUsers)
        }
        Action::OverseeAccess | Action::ReadAudit => match (&actor.account, actor.role) {
            (AccountId::Platform, Role::PlatformAdmin) if action == Action::ReadAudit => Allow,
            (AccountId::Partner(_), Role::PartnerAdmin) => Allow,
            (AccountId::Customer(_), Role::CustomerAdmin) if actor.acting.is_none() => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::ControlAccess => match (&actor.account, actor.role) {
            (AccountId::Customer(_), Role::CustomerAdmin) if actor.acting.is_none() => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::SwitchIntoCustomer => match (&actor.account, actor.role) {
            (AccountId::Partner(_), Role::PartnerAdmin | Role::PartnerUser) => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::ViewPartnerKit => match (&actor.account, actor.role) {
            (AccountId::Platform, Role::PlatformAdmin) => Allow,
            (AccountId::Partner(_), Role::PartnerAdmin | Role::PartnerMarketing) => Allow,
            _ => Deny(Denial::Forbidden),
        },
        Action::ManagePartnerKit => {
            if actor.role == Role::PlatformAdmin {
                Allow
            } else {
                Deny(Denial::Forbidden)
            }
        }
    }
}

/// Work on a customer's own data (its entities). A partner admin may, for its partner's
/// customers (the caller then looks the customer up within its partner); a customer's own
/// admin may, its other users only read; a partner user acting inside may as far as its grant
/// allows. Another customer is hidden.
fn inside_customer(actor: &Actor, customer: &CustomerId, wanted: Permission) -> Decision {
    use Decision::{Allow, Deny};
    match (&actor.account, actor.role) {
        (AccountId::Partner(_), Role::PartnerAdmin) => Allow,
        (AccountId::Customer(own), _) if own != customer => Deny(Denial::Hidden),
        (AccountId::Customer(_), role) => match &actor.acting {
            Some(acting) if acting.permissions.allows(wanted) => Allow,
            Some(_) => Deny(Denial::Forbidden),
            None if role == Role::CustomerAdmin || wanted == Permission::ViewEntities => Allow,
            None => Deny(Denial::Forbidden),
        },
        _ => Deny(Denial::Forbidden),
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
            acting: None,
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
            actor(Role::CustomerGuest, customer),
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
                Role::CustomerAdmin | Role::CustomerGuest => Decision::Deny(Denial::Hidden),
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

    fn acting(role: Role, codes: &[&str]) -> Actor {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        let grant_role = if role == Role::CustomerAdmin {
            crate::access::GrantRole::Admin
        } else {
            crate::access::GrantRole::User
        };
        Actor {
            acting: Some(Acting {
                partner: partner("PARTACME"),
                grant_id: "g".into(),
                permissions: Permissions::parse(grant_role, &codes).unwrap(),
            }),
            ..actor(
                role,
                AccountId::Customer(CustomerId::parse("SHOP").unwrap()),
            )
        }
    }

    /// Every kind of actor, named: the seven roles, and partner users acting inside SHOP with a
    /// managing admin grant and with a read-only user grant.
    fn every_kind() -> Vec<(&'static str, Actor)> {
        let names = [
            "platform",
            "p_admin",
            "p_user",
            "p_marketing",
            "p_notify",
            "c_admin",
            "c_guest",
        ];
        let mut all: Vec<(&str, Actor)> = names.into_iter().zip(every_actor()).collect();
        all.push((
            "acting_admin",
            acting(Role::CustomerAdmin, &["view_entities", "manage_entities"]),
        ));
        all.push((
            "acting_user",
            acting(Role::CustomerGuest, &["view_entities"]),
        ));
        all
    }

    /// The delegated-access actions, every actor, as a table: A = allow, F = forbidden, H =
    /// hidden. Columns: platform, p_admin, p_user, p_marketing, p_notify, c_admin, c_guest,
    /// acting_admin, acting_user.
    #[test]
    fn delegated_access_table() {
        let shop = CustomerId::parse("SHOP").unwrap();
        let other = CustomerId::parse("ELSE").unwrap();
        let table: [(&str, Action<'_>, &str); 15] = [
            (
                "view own entities",
                Action::ViewEntities(&shop),
                "FAFFFAAAA",
            ),
            (
                "manage own entities",
                Action::ManageEntities(&shop),
                "FAFFFAFAF",
            ),
            (
                "view other entities",
                Action::ViewEntities(&other),
                "FAFFFHHHH",
            ),
            (
                "manage other entities",
                Action::ManageEntities(&other),
                "FAFFFHHHH",
            ),
            (
                "view own users",
                Action::ViewCustomerUsers(&shop),
                "FAFFFAAAA",
            ),
            (
                "manage own users",
                Action::ManageCustomerUsers(&shop),
                "FAFFFAFFF",
            ),
            (
                "view other users",
                Action::ViewCustomerUsers(&other),
                "FAFFFHHHH",
            ),
            (
                "manage other users",
                Action::ManageCustomerUsers(&other),
                "FAFFFHHHH",
            ),
            ("manage access", Action::ManageAccess, "FAFFFFFFF"),
            ("oversee access", Action::OverseeAccess, "FAFFFAFFF"),
            ("control access", Action::ControlAccess, "FFFFFAFFF"),
            ("switch", Action::SwitchIntoCustomer, "FAAFFFFFF"),
            ("read audit", Action::ReadAudit, "AAFFFAFFF"),
            ("view kit", Action::ViewPartnerKit, "AAFAFFFFF"),
            ("manage kit", Action::ManagePartnerKit, "AFFFFFFFF"),
        ];
        let kinds = every_kind();
        for (what, action, expected) in table {
            assert_eq!(expected.len(), kinds.len());
            for ((name, actor), want) in kinds.iter().zip(expected.chars()) {
                let want = match want {
                    'A' => Decision::Allow,
                    'F' => Decision::Deny(Denial::Forbidden),
                    _ => Decision::Deny(Denial::Hidden),
                };
                assert_eq!(decide(actor, action), want, "{what}: {name}");
            }
        }
    }

    #[test]
    fn only_a_grant_with_manage_users_manages_users_from_inside() {
        let shop = CustomerId::parse("SHOP").unwrap();
        let with = acting(Role::CustomerAdmin, &["view_entities", "manage_users"]);
        let without = acting(Role::CustomerAdmin, &["view_entities", "manage_entities"]);
        assert_eq!(
            decide(&with, Action::ManageCustomerUsers(&shop)),
            Decision::Allow
        );
        assert_eq!(
            decide(&without, Action::ManageCustomerUsers(&shop)),
            Decision::Deny(Denial::Forbidden)
        );
        assert_eq!(
            decide(&with, Action::ManageEntities(&shop)),
            Decision::Deny(Denial::Forbidden)
        );
    }

    #[test]
    fn an_acting_session_reaches_no_partner_level_action() {
        let acme = partner("PARTACME");
        for (_, actor) in every_kind().into_iter().filter(|(_, a)| a.acting.is_some()) {
            for action in [
                Action::ListCustomers,
                Action::ManageCustomers,
                Action::ManageAccess,
                Action::ManagePartners,
            ] {
                assert_eq!(decide(&actor, action), Decision::Deny(Denial::Forbidden));
            }
            assert_eq!(
                decide(&actor, Action::ManagePartnerUsers(&acme)),
                Decision::Deny(Denial::Hidden)
            );
        }
    }
}
