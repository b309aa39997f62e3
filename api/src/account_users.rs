//! What the two user resources share — a partner's users and a customer's users are managed by
//! one flow (`services::users::members`), so their listings filter alike.

use domain::ids::AccountKind;
use persistence::users::UserFilter;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, Fields};
use services::users::members;

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

impl UserQuery {
    /// The filter for an account of `kind` (422 for a role it does not have).
    pub fn filter(&self, kind: AccountKind) -> Result<UserFilter, ApiError> {
        let mut fields = Fields::default();
        let role = self
            .role
            .as_deref()
            .and_then(|r| fields.check("role", members::role(kind, r)));
        fields.finish()?;
        Ok(UserFilter {
            role: role.map(|r| r.name().to_owned()),
            active: self.active,
            pending: self.pending_invitation,
            text: self.q.clone().filter(|q| !q.is_empty()),
        })
    }
}
