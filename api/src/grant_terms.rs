//! What a grant or a request for one says: the user profile, the role inside the customer and
//! the permissions (seed 000 "Manage Access Rights"), checked once for every way a grant comes
//! to exist — direct, by request, by the customer's guest invitation.

use chrono::{DateTime, Utc};
use domain::access::{GrantRole, Permissions};
use domain::ids::{DisplayName, Invalid, PartnerId};
use domain::role::Role;
use persistence::DbConnection;
use persistence::users::{self, UserRow};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Fields};

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
) -> Result<Result<UserRow, Invalid>, ApiError> {
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerUserRef {
    pub id: String,
    #[schema(example = "Bea Byrne")]
    pub name: String,
    #[schema(example = "bea@acme.example")]
    pub email: String,
}

/// The users `ids` name, looked up in one query.
pub fn user_refs(
    conn: &mut DbConnection,
    ids: Vec<String>,
) -> Result<std::collections::HashMap<String, PartnerUserRef>, ApiError> {
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    Ok(users::find_many(conn, &ids)?
        .into_iter()
        .map(|u| {
            (
                u.id.clone(),
                PartnerUserRef {
                    id: u.id,
                    name: u.name,
                    email: u.email,
                },
            )
        })
        .collect())
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
