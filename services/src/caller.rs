//! Who is calling, from where, in which session: what every use case is given by the adapter
//! that authenticated the request, and the one place the policy's answer becomes an error.

use chrono::{DateTime, Utc};
use domain::ids::PartnerId;
use domain::policy::{self, Action, Actor, Decision, Denial};

use crate::audit::By;
use crate::error::{ErrorCode, ServiceError};

/// An authenticated user: the actor the policy judges, its session and the request's origin.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub session_id: String,
    pub meta: RequestMeta,
}

/// Where a request came from, for the audit trail and session lists.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl Caller {
    /// The caller as the author of a change made at `at`, for the audit trail.
    pub fn by(&self, at: DateTime<Utc>) -> By<'_> {
        let mut by = By::user(&self.actor.user_id, &self.meta, at);
        if self.actor.acting.is_some() {
            by.acting_user_id = Some(&self.actor.user_id);
        }
        by
    }

    /// The partner user's partner while it acts inside a customer.
    pub fn acting_partner(&self) -> Option<&PartnerId> {
        self.actor.acting.as_ref().map(|a| &a.partner)
    }

    /// Asks the policy; a denial becomes 404 (other tenants' things do not exist) or 403.
    pub fn authorize(&self, action: Action<'_>, what: &'static str) -> Result<(), ServiceError> {
        authorize(&self.actor, action, what)
    }
}

/// [`Caller::authorize`] for an actor.
pub fn authorize(
    actor: &Actor,
    action: Action<'_>,
    what: &'static str,
) -> Result<(), ServiceError> {
    match policy::decide(actor, action) {
        Decision::Allow => Ok(()),
        Decision::Deny(Denial::Hidden) => Err(ServiceError::NotFound(what)),
        Decision::Deny(Denial::Forbidden) if actor.acting.is_some() => match action {
            Action::ViewEntities(_) | Action::ManageEntities(_) => Err(ServiceError::rule(
                ErrorCode::Forbidden,
                "Your access grant in this customer does not allow this.",
            )),
            _ => Err(ServiceError::rule(
                ErrorCode::NotWhileActing,
                ErrorCode::NotWhileActing.description(),
            )),
        },
        Decision::Deny(Denial::Forbidden) => Err(ServiceError::rule(
            ErrorCode::Forbidden,
            "Your role may not do this.",
        )),
    }
}
