//! Writing the audit trail: every change records who, as whom, what, when, from where, and
//! before/after, inside the change's own transaction.

use chrono::{DateTime, Utc};
use persistence::DbConnection;
use persistence::audit::{self, AuditEvent};
use serde::Serialize;

use crate::caller::RequestMeta;
use crate::error::ServiceError;

/// One change, described by the code that makes it.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub partner_id: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Who made a change and from where.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub user_id: Option<&'a str>,
    pub acting_user_id: Option<&'a str>,
    pub meta: &'a RequestMeta,
    pub at: DateTime<Utc>,
}

/// The partner whose trail an event about `user` belongs on, if the user is a partner user.
pub fn partner_of(user: &persistence::users::UserRow) -> Option<&str> {
    (user.account_kind == "partner").then_some(user.account_id.as_str())
}

impl<'a> By<'a> {
    /// A change made before anyone is authenticated (a login attempt, a reset request).
    pub fn anonymous(meta: &'a RequestMeta, at: DateTime<Utc>) -> Self {
        By {
            user_id: None,
            acting_user_id: None,
            meta,
            at,
        }
    }

    /// A change made by `user_id` as themselves.
    pub fn user(user_id: &'a str, meta: &'a RequestMeta, at: DateTime<Utc>) -> Self {
        By {
            user_id: Some(user_id),
            acting_user_id: None,
            meta,
            at,
        }
    }
}

pub fn snapshot(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

pub fn record(conn: &mut DbConnection, by: By<'_>, change: Change<'_>) -> Result<(), ServiceError> {
    let event = AuditEvent {
        seq: 0,
        id: uuid::Uuid::new_v4().to_string(),
        occurred_at: persistence::time::to_db(by.at),
        partner_id: change.partner_id.map(str::to_owned),
        customer_id: change.customer_id.map(str::to_owned),
        actor_user_id: by.user_id.map(str::to_owned),
        acting_user_id: by.acting_user_id.map(str::to_owned),
        action: change.action.to_owned(),
        target_type: change.target_type.to_owned(),
        target_id: Some(change.target_id.to_owned()),
        before_state: change.before.map(|v| v.to_string()),
        after_state: change.after.map(|v| v.to_string()),
        request_id: by.meta.request_id.clone(),
        source_ip: by.meta.ip.clone(),
        chain_position: None,
        hash: None,
    };
    audit::record(conn, &event)?;
    Ok(())
}

pub mod chain;
pub mod trail;
