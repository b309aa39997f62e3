//! Rules about a partner's own users (DOMAIN.md §2).

use crate::role::Role;

/// A partner always keeps at least one active admin. `others` is how many active admins the
/// partner has besides the user being changed; `after` is that user's role and active flag
/// once the change is made (`None` when the user is removed).
pub fn keeps_an_active_admin(others: usize, after: Option<(Role, bool)>) -> bool {
    others > 0 || after == Some((Role::PartnerAdmin, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_active_admin_stays() {
        assert!(keeps_an_active_admin(1, None));
        assert!(keeps_an_active_admin(1, Some((Role::PartnerUser, true))));
        assert!(keeps_an_active_admin(0, Some((Role::PartnerAdmin, true))));
        assert!(!keeps_an_active_admin(0, Some((Role::PartnerAdmin, false))));
        assert!(!keeps_an_active_admin(0, Some((Role::PartnerUser, true))));
        assert!(!keeps_an_active_admin(0, None));
    }
}
