//! What the two user resources share — a partner's users and a customer's users are managed by
//! one flow (`services::users::members`), so their query parameters and edits parse alike.

use domain::ids::{AccountKind, DisplayName, Email, Invalid, Logon};
use domain::role::Role;
use persistence::users::UserFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, Fields};
use services::users::members::UserChanges;

/// The filters of a user listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this role (the account's roles: see the user's `role`).
    pub role: Option<String>,
    /// Only active (`true`) or inactive (`false`) users.
    pub active: Option<bool>,
    /// Only users whose invitation is pending (`true`) or done (`false`).
    pub pending_invitation: Option<bool>,
    /// Only users whose name, email or logon contains this, whatever the case.
    pub q: Option<String>,
}

/// A role of an account of `kind`, by name.
pub fn role(kind: AccountKind, name: &str) -> Result<Role, Invalid> {
    Role::parse(kind, name).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| r.account_kind() == kind)
            .map(|r| r.name())
            .collect();
        Invalid::new("role", format!("must be one of {}", names.join(", ")))
    })
}

impl UserQuery {
    /// The filter for an account of `kind` (422 for a role it does not have).
    pub fn filter(&self, kind: AccountKind) -> Result<UserFilter, ApiError> {
        let mut fields = Fields::default();
        let role = self
            .role
            .as_deref()
            .and_then(|r| fields.check("role", role(kind, r)));
        fields.finish()?;
        Ok(UserFilter {
            role: role.map(|r| r.name().to_owned()),
            active: self.active,
            pending: self.pending_invitation,
            text: self.q.clone().filter(|q| !q.is_empty()),
        })
    }
}

/// An edit of a user of an account of `kind`, every bad field reported at once.
pub fn changes(
    kind: AccountKind,
    (name, email, logon, new_role): (Option<&str>, Option<&str>, Option<&str>, Option<&str>),
    active: Option<bool>,
) -> Result<UserChanges, ApiError> {
    let mut fields = Fields::default();
    let changes = UserChanges {
        name: fields.optional("name", name, DisplayName::parse),
        email: fields.optional("email", email, Email::parse),
        logon: fields.optional("logon", logon, Logon::parse),
        role: fields.optional("role", new_role, |r| role(kind, r)),
        active,
    };
    fields.finish()?;
    Ok(changes)
}
