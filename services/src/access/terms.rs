//! What a grant or a request for one says: the user profile, the role inside the customer and
//! the permissions (seed 000 "Manage Access Rights"), checked once for every way a grant comes
//! to exist — direct, by request, by the customer's guest invitation.

use chrono::{DateTime, Utc};
use domain::access::{GrantRole, Permissions};
use domain::ids::{DisplayName, Invalid, PartnerId};
use domain::role::Role;
use persistence::DbConnection;
use persistence::access::Narrowing;
use persistence::users::{self, UserRow};
use serde::Serialize;

use crate::error::{Fields, ServiceError};

/// Checked terms of access.
#[derive(Debug, Clone)]
pub struct Terms {
    pub profile: DisplayName,
    pub role: GrantRole,
    pub permissions: Permissions,
}

impl Terms {
    /// Each bad part is reported under its own field.
    pub fn parse(
        fields: &mut Fields,
        profile: &str,
        role: &str,
        permissions: &[String],
    ) -> Option<Terms> {
        let profile = fields.check("profile", DisplayName::parse(profile));
        let role = fields.check("role", GrantRole::parse(role));
        let permissions = role
            .and_then(|role| fields.check("permissions", Permissions::parse(role, permissions)));
        Some(Terms {
            profile: profile?,
            role: role?,
            permissions: permissions?,
        })
    }

    pub fn permissions_json(&self) -> String {
        serde_json::Value::from(self.permissions.codes()).to_string()
    }
}

/// The stored permission codes of a grant or request.
pub fn stored_permissions(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The partner user `user_id` of `partner` who may hold a grant (an active admin or user), or
/// why not, as a field error: another partner's user reads as one that does not exist.
pub fn grantee(
    conn: &mut DbConnection,
    partner: &PartnerId,
    user_id: &str,
) -> Result<Result<UserRow, Invalid>, ServiceError> {
    let Some(user) = users::find(conn, user_id)?
        .filter(|u| u.account_kind == "partner" && u.account_id == partner.as_str())
    else {
        return Ok(Err(Invalid::new("not_found", "no such partner user")));
    };
    let role = Role::parse(domain::ids::AccountKind::Partner, &user.role);
    if !matches!(role, Some(Role::PartnerAdmin | Role::PartnerUser)) {
        return Ok(Err(Invalid::new(
            "role",
            "only partner admins and users can enter customers; marketing and notification users cannot",
        )));
    }
    if !user.active {
        return Ok(Err(Invalid::new(
            "inactive",
            "the partner user is deactivated",
        )));
    }
    Ok(Ok(user))
}

/// A partner user as shown beside a grant or request.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerUserRef {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// `rows` shown with the partner user each names, the users looked up in one query.
pub fn with_users<R, T>(
    conn: &mut DbConnection,
    rows: Vec<R>,
    user_of: impl Fn(&R) -> &String,
    show: impl Fn(R, PartnerUserRef) -> T,
) -> Result<Vec<T>, ServiceError> {
    let mut ids: Vec<String> = rows.iter().map(|r| user_of(r).clone()).collect();
    ids.sort();
    ids.dedup();
    let mut refs: std::collections::HashMap<String, PartnerUserRef> = users::find_many(conn, &ids)?
        .into_iter()
        .map(|u| {
            let user = PartnerUserRef {
                id: u.id,
                name: u.name,
                email: u.email,
            };
            (user.id.clone(), user)
        })
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = user_of(&row).clone();
            let user = refs.remove(&id).unwrap_or_else(|| unknown_user(&id));
            show(row, user)
        })
        .collect())
}

/// A listing's narrowing from its query: an empty parameter counts as absent, customer IDs are
/// compared in their stored upper case.
pub fn narrowing(customer_id: Option<String>, user_id: Option<String>) -> Narrowing {
    Narrowing {
        customer_id: customer_id
            .filter(|c| !c.is_empty())
            .map(|c| c.to_ascii_uppercase()),
        user_id: user_id.filter(|u| !u.is_empty()),
    }
}

/// The one item of a list shown from one row.
pub fn only<T>(mut shown: Vec<T>) -> Result<T, ServiceError> {
    shown
        .pop()
        .ok_or_else(|| ServiceError::internal("a shown row went missing"))
}

pub fn unknown_user(id: &str) -> PartnerUserRef {
    PartnerUserRef {
        id: id.to_owned(),
        name: String::new(),
        email: String::new(),
    }
}

/// When a grant ends, if ever.
pub fn expiry_after(now: DateTime<Utc>, hours: Option<u32>) -> Option<DateTime<Utc>> {
    hours.map(|h| now + chrono::Duration::hours(i64::from(h)))
}
