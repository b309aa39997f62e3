//! Who a user is inside its account: the role decides what it may do (see `policy`).

use crate::ids::AccountKind;

/// A user's role. Which roles exist depends on the kind of account the user belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The platform's staff.
    PlatformAdmin,
    /// Everything in the partner (DOMAIN.md §2).
    PartnerAdmin,
    /// Lists customers, switches into those it holds a grant for.
    PartnerUser,
    /// The partner kit only; no customer data.
    PartnerMarketing,
    /// No login at all; receives notification emails only.
    PartnerNotifications,
    /// Manages the customer's users, licences and access (seed 002's Admin).
    CustomerAdmin,
    /// Uses the account but manages nothing: where a user invited into a customer starts (seed
    /// 002's Guest). Not the partner user a customer lets in (`POST /account/guests`, seed 001),
    /// which is an access grant.
    CustomerGuest,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::PlatformAdmin,
        Role::PartnerAdmin,
        Role::PartnerUser,
        Role::PartnerMarketing,
        Role::PartnerNotifications,
        Role::CustomerAdmin,
        Role::CustomerGuest,
    ];

    pub fn account_kind(self) -> AccountKind {
        match self {
            Role::PlatformAdmin => AccountKind::Platform,
            Role::PartnerAdmin
            | Role::PartnerUser
            | Role::PartnerMarketing
            | Role::PartnerNotifications => AccountKind::Partner,
            Role::CustomerAdmin | Role::CustomerGuest => AccountKind::Customer,
        }
    }

    /// The role's name within its kind of account, as the API and the database spell it.
    pub fn name(self) -> &'static str {
        match self {
            Role::PlatformAdmin | Role::PartnerAdmin | Role::CustomerAdmin => "admin",
            Role::PartnerUser => "user",
            Role::CustomerGuest => "guest",
            Role::PartnerMarketing => "marketing",
            Role::PartnerNotifications => "notifications",
        }
    }

    pub fn parse(kind: AccountKind, name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.account_kind() == kind && role.name() == name)
    }

    /// Users of this role may hold a session at all.
    pub fn can_log_in(self) -> bool {
        self != Role::PartnerNotifications
    }

    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::PlatformAdmin | Role::PartnerAdmin | Role::CustomerAdmin
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_kind_and_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.account_kind(), role.name()), Some(role));
        }
        assert_eq!(Role::parse(AccountKind::Customer, "marketing"), None);
        assert_eq!(Role::parse(AccountKind::Platform, "user"), None);
    }

    #[test]
    fn only_notification_recipients_cannot_log_in() {
        let cannot: Vec<Role> = Role::ALL.into_iter().filter(|r| !r.can_log_in()).collect();
        assert_eq!(cannot, vec![Role::PartnerNotifications]);
    }
}
