//! How a partner user's access grant to a customer may come to exist (DOMAIN.md §4, the law):
//!
//! | status | requires customer access permissions | partner admin may |
//! |---|---|---|
//! | Pre-Sales, Demo, Onboarding, Handholding | off | grant directly |
//! | same | on | only request |
//! | Established, Advocate, Read Only, Churned | any | only request |

use crate::customer::CustomerStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantPath {
    /// The partner admin may grant access directly (Manage Access Rights).
    Direct,
    /// Access needs the customer's permission: send an access request.
    RequestOnly,
}

/// The way to access for a customer in `status` whose "requires customer access permissions"
/// flag is `requires_permission`. Churned is not named by the seed: least privilege, as
/// Established.
pub fn grant_path(status: CustomerStatus, requires_permission: bool) -> GrantPath {
    let early = matches!(
        status,
        CustomerStatus::PreSales
            | CustomerStatus::Demo
            | CustomerStatus::Onboarding
            | CustomerStatus::Handholding
    );
    if early && !requires_permission {
        GrantPath::Direct
    } else {
        GrantPath::RequestOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status × flag combination, spelled out as the table in DOMAIN.md.
    #[test]
    fn the_table() {
        use CustomerStatus::*;
        let expected = [
            (PreSales, GrantPath::Direct),
            (Demo, GrantPath::Direct),
            (Onboarding, GrantPath::Direct),
            (Handholding, GrantPath::Direct),
            (Established, GrantPath::RequestOnly),
            (Advocate, GrantPath::RequestOnly),
            (ReadOnly, GrantPath::RequestOnly),
            (Churned, GrantPath::RequestOnly),
        ];
        assert_eq!(expected.len(), CustomerStatus::ALL.len());
        for (status, without_flag) in expected {
            assert_eq!(
                grant_path(status, false),
                without_flag,
                "{status:?}, flag off"
            );
            assert_eq!(
                grant_path(status, true),
                GrantPath::RequestOnly,
                "{status:?}, flag on"
            );
        }
    }
}
