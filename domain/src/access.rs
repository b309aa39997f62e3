//! How a partner user's access grant to a customer may come to exist (DOMAIN.md §4, the law):
//!
//! | status | requires customer access permissions | partner admin may |
//! |---|---|---|
//! | Pre-Sales, Demo, Onboarding, Handholding | off | grant directly |
//! | same | on | only request |
//! | Established, Advocate, Read Only, Churned | any | only request |

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::choice::choice;
use crate::customer::CustomerStatus;
use crate::ids::Invalid;

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

choice!(
    /// The role a partner user holds inside a customer while acting there.
    GrantRole, "grant_role" { Admin = "admin", User = "user" }
);

choice!(
    /// How a grant came to exist: a partner admin gave it, a customer admin approved an access
    /// request, or the customer invited the partner user as a guest.
    GrantOrigin, "origin" { Direct = "direct", Request = "request", Guest = "guest" }
);

choice!(
    /// What a grant lets its holder do inside the customer's account. Any permission lets one
    /// see the account's entities, users and licences; managing needs the admin role.
    Permission, "permission" {
        ViewEntities = "view_entities",
        ManageEntities = "manage_entities",
        ManageUsers = "manage_users"
    }
);

/// A grant's set of permissions: never empty, and a `user`-role grant cannot change anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions(BTreeSet<Permission>);

impl Permissions {
    pub fn parse(role: GrantRole, codes: &[String]) -> Result<Permissions, Invalid> {
        let mut set = BTreeSet::new();
        for code in codes {
            set.insert(Permission::parse(code)?);
        }
        if set.is_empty() {
            return Err(Invalid::new("required", "name at least one permission"));
        }
        if let Some(managing) = set.iter().find(|p| **p != Permission::ViewEntities)
            && role == GrantRole::User
        {
            return Err(Invalid::new(
                "needs_admin_role",
                format!("{managing} needs the admin role: a user-role grant is read-only"),
            ));
        }
        Ok(Permissions(set))
    }

    /// The stored set (already checked when it was written); unknown codes are dropped.
    pub fn from_stored(codes: &[String]) -> Permissions {
        Permissions(
            codes
                .iter()
                .filter_map(|c| Permission::parse(c).ok())
                .collect(),
        )
    }

    pub fn allows(&self, wanted: Permission) -> bool {
        match wanted {
            Permission::ViewEntities => !self.0.is_empty(),
            managing => self.0.contains(&managing),
        }
    }

    pub fn is_subset(&self, of: &Permissions) -> bool {
        self.0.is_subset(&of.0)
    }

    pub fn codes(&self) -> Vec<String> {
        self.0.iter().map(|p| p.as_str().to_owned()).collect()
    }
}

/// The longest a requested or granted access may last: a year, in hours.
pub const MAX_DURATION_HOURS: u32 = 24 * 366;

/// A grant duration in whole hours, 1 to [`MAX_DURATION_HOURS`].
pub fn duration_hours(hours: i64) -> Result<u32, Invalid> {
    u32::try_from(hours)
        .ok()
        .filter(|h| (1..=MAX_DURATION_HOURS).contains(h))
        .ok_or_else(|| {
            Invalid::new(
                "range",
                format!("must be 1 to {MAX_DURATION_HOURS} hours; leave it out for no expiry"),
            )
        })
}

/// A direct grant's expiry: in the future when given.
pub fn grant_expiry(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Invalid> {
    match expires_at {
        Some(at) if at <= now => Err(Invalid::new("past", "must be in the future")),
        Some(at) if at > now + Duration::hours(i64::from(MAX_DURATION_HOURS)) => Err(Invalid::new(
            "range",
            "must be within a year; leave it out for no expiry",
        )),
        other => Ok(other),
    }
}

/// Whether a grant with this expiry lets its holder in at `now`. An expired grant stops working
/// by itself: nothing has to delete it.
pub fn grant_live(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires_at.is_none_or(|at| now < at)
}

/// How an approving customer admin may change what was asked: narrow, never widen.
pub fn approval_narrows(
    asked: &Permissions,
    asked_hours: Option<u32>,
    given: &Permissions,
    given_hours: Option<u32>,
) -> Result<(), Invalid> {
    if !given.is_subset(asked) {
        return Err(Invalid::new(
            "widens",
            "may only keep or remove requested permissions",
        ));
    }
    match (asked_hours, given_hours) {
        (Some(asked), Some(given)) if given > asked => Err(Invalid::new(
            "widens",
            format!("may not be longer than the {asked} hours requested"),
        )),
        (Some(asked), None) => Err(Invalid::new(
            "widens",
            format!("the request was for {asked} hours: give at most that"),
        )),
        _ => Ok(()),
    }
}

/// How recently the session must have been authenticated for a switch without a fresh code
/// (seed 001 asks to sign in again when switching); configurable in the server's settings.
pub const DEFAULT_SWITCH_REAUTH_AFTER: Duration = Duration::minutes(15);

/// Whether switching at `now` needs a fresh authenticator code.
pub fn switch_needs_code(
    authenticated_at: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> bool {
    now - authenticated_at > window
}

/// Why a partner user may not switch into a customer; each is its own answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchRefusal {
    /// No grant for this customer, or it has expired.
    NoGrant,
    /// The customer's Active flag is off.
    CustomerInactive,
    /// The customer's account is suspended.
    CustomerSuspended,
}

/// The conditions of a switch beyond the caller's own session (which authentication already
/// checked: user and partner active).
pub fn may_switch(
    grant_expiry: Option<Option<DateTime<Utc>>>,
    customer_active: bool,
    customer_suspended: bool,
    now: DateTime<Utc>,
) -> Result<(), SwitchRefusal> {
    match grant_expiry {
        Some(expiry) if grant_live(expiry, now) => {}
        _ => return Err(SwitchRefusal::NoGrant),
    }
    if !customer_active {
        return Err(SwitchRefusal::CustomerInactive);
    }
    if customer_suspended {
        return Err(SwitchRefusal::CustomerSuspended);
    }
    Ok(())
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

    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    fn perms(role: GrantRole, codes: &[&str]) -> Result<Permissions, Invalid> {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        Permissions::parse(role, &codes)
    }

    #[test]
    fn permissions_are_a_non_empty_known_set_and_user_grants_are_read_only() {
        assert_eq!(perms(GrantRole::User, &[]).unwrap_err().code, "required");
        assert_eq!(
            perms(GrantRole::Admin, &["fly"]).unwrap_err().code,
            "permission"
        );
        assert_eq!(
            perms(GrantRole::User, &["manage_entities"])
                .unwrap_err()
                .code,
            "needs_admin_role"
        );
        let view = perms(GrantRole::User, &["view_entities", "view_entities"]).unwrap();
        assert_eq!(view.codes(), vec!["view_entities"]);
        assert!(view.allows(Permission::ViewEntities));
        assert!(!view.allows(Permission::ManageEntities));
        let manage = perms(GrantRole::Admin, &["manage_entities"]).unwrap();
        assert!(
            manage.allows(Permission::ViewEntities),
            "managing implies viewing"
        );
        assert!(manage.allows(Permission::ManageEntities));
    }

    #[test]
    fn a_grant_works_until_its_expiry_and_not_at_it() {
        assert!(grant_live(None, at(9)));
        assert!(grant_live(Some(at(10)), at(9)));
        assert!(grant_live(Some(at(10)), at(10) - Duration::microseconds(1)));
        assert!(!grant_live(Some(at(10)), at(10)));
        assert!(!grant_live(Some(at(10)), at(11)));
    }

    #[test]
    fn an_expiry_lies_in_the_coming_year() {
        assert!(grant_expiry(None, at(9)).unwrap().is_none());
        assert_eq!(grant_expiry(Some(at(9)), at(9)).unwrap_err().code, "past");
        assert!(grant_expiry(Some(at(10)), at(9)).is_ok());
        let far = at(9) + Duration::days(400);
        assert_eq!(grant_expiry(Some(far), at(9)).unwrap_err().code, "range");
        assert_eq!(duration_hours(0).unwrap_err().code, "range");
        assert_eq!(duration_hours(-3).unwrap_err().code, "range");
        assert_eq!(duration_hours(24), Ok(24));
        assert!(duration_hours(i64::from(MAX_DURATION_HOURS) + 1).is_err());
    }

    #[test]
    fn an_approval_may_narrow_but_never_widen() {
        let both = perms(GrantRole::Admin, &["view_entities", "manage_entities"]).unwrap();
        let view = perms(GrantRole::Admin, &["view_entities"]).unwrap();
        assert!(approval_narrows(&both, Some(48), &view, Some(24)).is_ok());
        assert!(approval_narrows(&both, Some(48), &both, Some(48)).is_ok());
        assert!(approval_narrows(&both, None, &both, Some(8)).is_ok());
        assert!(approval_narrows(&both, None, &both, None).is_ok());
        assert!(approval_narrows(&view, None, &both, None).is_err());
        assert!(approval_narrows(&both, Some(24), &both, Some(25)).is_err());
        assert!(approval_narrows(&both, Some(24), &both, None).is_err());
    }

    #[test]
    fn switching_needs_a_live_grant_and_an_active_customer() {
        let now = at(9);
        for grant in [
            None,
            Some(Some(at(8))),
            Some(Some(at(9))),
            Some(Some(at(10))),
            Some(None),
        ] {
            for (active, suspended) in [(false, false), (true, false), (false, true), (true, true)]
            {
                let live = matches!(grant, Some(expiry) if grant_live(expiry, now));
                let expected = if !live {
                    Err(SwitchRefusal::NoGrant)
                } else if !active {
                    Err(SwitchRefusal::CustomerInactive)
                } else if suspended {
                    Err(SwitchRefusal::CustomerSuspended)
                } else {
                    Ok(())
                };
                assert_eq!(
                    may_switch(grant, active, suspended, now),
                    expected,
                    "{grant:?} {active} {suspended}"
                );
            }
        }
    }

    #[test]
    fn a_switch_needs_a_code_once_the_session_authenticated_over_the_window_ago() {
        let window = DEFAULT_SWITCH_REAUTH_AFTER;
        assert!(!switch_needs_code(at(9), at(9) + window, window));
        assert!(switch_needs_code(
            at(9),
            at(9) + window + Duration::seconds(1),
            window
        ));
    }
}
