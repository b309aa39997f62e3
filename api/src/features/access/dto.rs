//! The request and answer types of delegated access, as the API document shows them, and their
//! conversions to and from the use cases' own types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use services::access::grants::{self as grant_cases, GrantView};
use services::access::requests::{self as request_cases, RequestView};
use services::access::terms as grant_terms;
use utoipa::{IntoParams, ToSchema};

use crate::customer_record::{Field, present};

/// A partner user as shown beside a grant or request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerUserRef {
    pub id: String,
    #[schema(example = "Bea Byrne")]
    pub name: String,
    #[schema(example = "bea@acme.example")]
    pub email: String,
}

impl From<grant_terms::PartnerUserRef> for PartnerUserRef {
    fn from(user: grant_terms::PartnerUserRef) -> Self {
        PartnerUserRef {
            id: user.id,
            name: user.name,
            email: user.email,
        }
    }
}

/// A partner user's access to a customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    /// The partner user who may enter.
    pub user: PartnerUserRef,
    /// The user profile the partner user works with inside the customer.
    #[schema(example = "Consultant")]
    pub profile: String,
    /// `admin` or `user`: the role the partner user holds inside the customer.
    #[schema(example = "admin")]
    pub role: String,
    /// `view_entities`, `manage_entities` (managing implies viewing; a `user` role grant is
    /// read-only).
    #[schema(example = json!(["view_entities", "manage_entities"]))]
    pub permissions: Vec<String>,
    /// When the grant stops working by itself; absent = until revoked.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it lets its holder in now (false once expired).
    pub live: bool,
    /// How it came to exist: `direct` (a partner admin), `request` (a customer admin approved
    /// an access request), `guest` (the customer invited the partner user).
    #[schema(example = "direct")]
    pub origin: String,
    /// The approved access request, for `request` grants.
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The partner user's last switch into the customer with it.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantPage {
    pub items: Vec<Grant>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantFilter {
    /// Only grants into this customer.
    pub customer_id: Option<String>,
    /// Only grants of this partner user.
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "6f1c…the partner user's id", "customer_id": "ACME",
    "profile": "Consultant", "role": "admin", "permissions": ["view_entities", "manage_entities"],
    "expires_at": "2027-01-31T18:00:00Z"}))]
pub struct NewGrant {
    /// A partner user (admin or user role) of the caller's partner.
    pub user_id: String,
    pub customer_id: String,
    pub profile: String,
    /// `admin` or `user`.
    pub role: String,
    pub permissions: Vec<String>,
    /// In the future, within a year; leave out for no expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Only the fields sent change; `expires_at: null` removes the expiry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"permissions": ["view_entities"], "expires_at": null}))]
pub struct GrantChanges {
    pub profile: Option<String>,
    pub role: Option<String>,
    pub permissions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Field<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "bea@acme.example", "profile": "Consultant", "role": "user",
    "permissions": ["view_entities"]}))]
pub struct GuestInvitation {
    /// The email address of an active user of the customer's partner (admin or user role).
    pub email: String,
    pub profile: String,
    /// `admin` or `user`.
    pub role: String,
    pub permissions: Vec<String>,
    /// In the future, within a year; leave out for no expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"required": true}))]
pub struct AccessPermission {
    /// `true`: partner users get in only through access requests this customer approves, and
    /// the partner cannot switch it off. `false` lifts that.
    pub required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessPermissionState {
    pub customer_id: String,
    pub required: bool,
    /// Set by the customer's own admins: the partner cannot clear it.
    pub locked_by_customer: bool,
}

/// A request for a partner user's access to a customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessRequest {
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    /// The partner user who would get in.
    pub user: PartnerUserRef,
    /// The customer admin asked by name (a request for the customer admin layer); absent = any
    /// of the customer's admins may decide.
    pub addressed_to: Option<String>,
    #[schema(example = "Consultant")]
    pub profile: String,
    #[schema(example = "admin")]
    pub role: String,
    #[schema(example = json!(["view_entities", "manage_entities"]))]
    pub permissions: Vec<String>,
    /// How long the grant lasts once approved; absent = until revoked.
    pub duration_hours: Option<u32>,
    /// The partner admin's note to the customer.
    pub message: Option<String>,
    /// The partner admin who asked.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// 24 hours after `requested_at`: from then on it can be neither approved nor denied.
    pub expires_at: DateTime<Utc>,
    /// `pending`, `approved`, `denied`, `cancelled` or `expired` (pending for 24 hours).
    #[schema(example = "pending")]
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The customer admin's note with the decision.
    pub decision_message: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestPage {
    pub items: Vec<AccessRequest>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessRequestFilter {
    /// One or more of `pending`, `approved`, `denied`, `cancelled`, `expired`, comma-separated.
    #[param(example = "pending,expired")]
    pub status: Option<String>,
    /// Only requests for this customer.
    pub customer_id: Option<String>,
    /// Only requests for this partner user.
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "6f1c…the partner user's id", "customer_id": "ACME",
    "profile": "Consultant", "role": "admin", "permissions": ["view_entities", "manage_entities"],
    "duration_hours": 72, "message": "Bea will set up your new clinics this week."}))]
pub struct NewAccessRequest {
    /// A partner user (admin or user role) of the caller's partner.
    pub user_id: String,
    pub customer_id: String,
    pub profile: String,
    /// `admin` or `user`.
    pub role: String,
    pub permissions: Vec<String>,
    /// How long the grant should last once approved, 1–8 784 hours; leave out for no expiry.
    pub duration_hours: Option<i64>,
    /// A note to the customer's admins, up to 1 000 characters.
    pub message: Option<String>,
    /// Ask this customer admin alone, for admin-level access (seed 000 "Request access to
    /// Customer Admin Layer"); the role must then be `admin`.
    pub customer_admin_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"permissions": ["view_entities"], "duration_hours": 24,
    "message": "Read-only for now, please."}))]
pub struct Approval {
    /// Keep all or some of the requested permissions; leave out to give what was asked.
    pub permissions: Option<Vec<String>>,
    /// At most the requested duration; leave out to give what was asked.
    pub duration_hours: Option<i64>,
    /// A note to the partner, up to 1 000 characters.
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "We do not need outside help this quarter."}))]
pub struct Denial {
    /// A note to the partner, up to 1 000 characters.
    pub message: Option<String>,
}

/// An approved request and the grant it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Approved {
    pub request: AccessRequest,
    pub grant: Grant,
}

impl From<GrantView> for Grant {
    fn from(view: GrantView) -> Self {
        Grant {
            id: view.id,
            customer_id: view.customer_id,
            partner_id: view.partner_id,
            user: view.user.into(),
            profile: view.profile,
            role: view.role,
            permissions: view.permissions,
            expires_at: view.expires_at,
            live: view.live,
            origin: view.origin.as_str().to_owned(),
            request_id: view.request_id,
            created_at: view.created_at,
            updated_at: view.updated_at,
            last_used_at: view.last_used_at,
        }
    }
}

impl From<RequestView> for AccessRequest {
    fn from(view: RequestView) -> Self {
        AccessRequest {
            id: view.id,
            customer_id: view.customer_id,
            partner_id: view.partner_id,
            user: view.user.into(),
            addressed_to: view.addressed_to,
            profile: view.profile,
            role: view.role,
            permissions: view.permissions,
            duration_hours: view.duration_hours,
            message: view.message,
            requested_by: view.requested_by,
            requested_at: view.requested_at,
            expires_at: view.expires_at,
            status: view.status.as_str().to_owned(),
            decided_by: view.decided_by,
            decided_at: view.decided_at,
            decision_message: view.decision_message,
            grant_id: view.grant_id,
        }
    }
}

impl From<request_cases::Approved> for Approved {
    fn from(approved: request_cases::Approved) -> Self {
        Approved {
            request: approved.request.into(),
            grant: approved.grant.into(),
        }
    }
}

impl From<NewGrant> for grant_cases::NewGrant {
    fn from(body: NewGrant) -> Self {
        grant_cases::NewGrant {
            user_id: body.user_id,
            customer_id: body.customer_id,
            profile: body.profile,
            role: body.role,
            permissions: body.permissions,
            expires_at: body.expires_at,
        }
    }
}

impl From<GrantChanges> for grant_cases::GrantChanges {
    fn from(body: GrantChanges) -> Self {
        grant_cases::GrantChanges {
            profile: body.profile,
            role: body.role,
            permissions: body.permissions,
            expires_at: body.expires_at,
        }
    }
}

impl From<GuestInvitation> for grant_cases::GuestInvitation {
    fn from(body: GuestInvitation) -> Self {
        grant_cases::GuestInvitation {
            email: body.email,
            profile: body.profile,
            role: body.role,
            permissions: body.permissions,
            expires_at: body.expires_at,
        }
    }
}

impl From<grant_cases::AccessPermissionState> for AccessPermissionState {
    fn from(state: grant_cases::AccessPermissionState) -> Self {
        AccessPermissionState {
            customer_id: state.customer_id,
            required: state.required,
            locked_by_customer: state.locked_by_customer,
        }
    }
}

impl From<NewAccessRequest> for request_cases::NewRequest {
    fn from(body: NewAccessRequest) -> Self {
        request_cases::NewRequest {
            user_id: body.user_id,
            customer_id: body.customer_id,
            profile: body.profile,
            role: body.role,
            permissions: body.permissions,
            duration_hours: body.duration_hours,
            message: body.message,
            customer_admin_id: body.customer_admin_id,
        }
    }
}

impl From<Approval> for request_cases::Approval {
    fn from(body: Approval) -> Self {
        request_cases::Approval {
            permissions: body.permissions,
            duration_hours: body.duration_hours,
            message: body.message,
        }
    }
}
