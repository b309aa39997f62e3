//! Access grants (DOMAIN.md §4): how partner users get into customers. Partner admins give them
//! directly where the customer's status and flag allow (seed 000 "Manage Access Rights"),
//! change and revoke them; a customer's own admins see every grant into their account, revoke
//! any, invite a partner user as a guest (seed 001) and set their "requires customer access
//! permissions" flag — which, once they set it, the partner cannot clear.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use domain::access::{self, GrantPath, grant_live};
use domain::customer::CustomerStatus;
use domain::ids::{Email, PartnerId};
use domain::policy::Action;
use persistence::access::{self as store, GrantRow, Scope};
use persistence::customers::{self, CustomerRow};
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, users};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::customer_record::{Field, present};
use crate::error::{ApiError, ErrorCode, Fields};
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::state::AppState;
use services::access::terms::{self as grant_terms, Terms};
use services::audit::{self, Change};
use services::tenancy::{access_scope, own_customer, own_partner, partner_customer_field};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_grants)
        .service(create_grant)
        .service(get_grant)
        .service(update_grant)
        .service(revoke_grant)
        .service(invite_guest)
        .service(set_access_permission);
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

impl Grant {
    fn of(row: GrantRow, user: grant_terms::PartnerUserRef, now: DateTime<Utc>) -> Grant {
        let expires_at = row.expires_at.map(from_db);
        Grant {
            live: grant_live(expires_at, now),
            permissions: grant_terms::stored_permissions(&row.permissions),
            id: row.id,
            customer_id: row.customer_id,
            partner_id: row.partner_id,
            user: user.into(),
            profile: row.profile,
            role: row.role,
            expires_at,
            origin: row.origin,
            request_id: row.request_id,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
            last_used_at: row.last_used_at.map(from_db),
        }
    }
}

/// Shows `rows`, their users looked up in one query.
pub fn shown(
    conn: &mut DbConnection,
    rows: Vec<GrantRow>,
    now: DateTime<Utc>,
) -> Result<Vec<Grant>, ApiError> {
    Ok(grant_terms::with_users(
        conn,
        rows,
        |g| &g.user_id,
        |row, user| Grant::of(row, user, now),
    )?)
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

fn load_grant(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<GrantRow, ApiError> {
    store::find_grant_in(conn, scope, id)?.ok_or(ApiError::NotFound("grant"))
}

/// 422 unless a partner admin may give access to `customer` directly (DOMAIN.md §4's table).
pub fn require_direct_path(customer: &CustomerRow) -> Result<(), ApiError> {
    let status = CustomerStatus::from_rank(customer.status)
        .ok_or_else(|| ApiError::internal("a stored status is out of range"))?;
    match access::grant_path(status, customer.requires_access_permission) {
        GrantPath::Direct => Ok(()),
        GrantPath::RequestOnly => Err(ApiError::rule(
            ErrorCode::AccessRequiresCustomerPermission,
            format!(
                "Access to {} requires the customer's permission (status {}{}): send an access \
                 request with POST /access-requests.",
                customer.id,
                status.as_str(),
                if customer.requires_access_permission {
                    ", requires customer access permissions on"
                } else {
                    ""
                }
            ),
        )),
    }
}

fn snapshot(row: &GrantRow) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "user_id": row.user_id,
        "customer_id": row.customer_id,
        "profile": row.profile,
        "role": row.role,
        "permissions": grant_terms::stored_permissions(&row.permissions),
        "expires_at": row.expires_at.map(from_db),
        "origin": row.origin,
    }))
}

/// Audits a change to a grant on both trails (the partner's and the customer's).
pub fn audit_grant(
    conn: &mut DbConnection,
    caller_by: audit::By<'_>,
    action: &str,
    before: Option<&GrantRow>,
    after: &GrantRow,
) -> Result<(), ApiError> {
    Ok(audit::record(
        conn,
        caller_by,
        Change {
            action,
            target_type: "access_grant",
            target_id: &after.id,
            partner_id: Some(&after.partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )?)
}

/// A new grant row for `user` into `customer`.
pub fn new_grant(
    customer: &CustomerRow,
    user_id: &str,
    terms: &Terms,
    expires_at: Option<DateTime<Utc>>,
    origin: &str,
    by: &str,
    now: DateTime<Utc>,
) -> GrantRow {
    GrantRow {
        id: uuid::Uuid::new_v4().to_string(),
        partner_id: customer.partner_id.clone(),
        customer_id: customer.id.clone(),
        user_id: user_id.to_owned(),
        profile: terms.profile.to_string(),
        role: terms.role.as_str().to_owned(),
        permissions: terms.permissions_json(),
        expires_at: expires_at.map(to_db),
        origin: origin.to_owned(),
        request_id: None,
        created_by: Some(by.to_owned()),
        created_at: to_db(now),
        updated_at: to_db(now),
        last_used_at: None,
    }
}

/// Inserts `grant`; 409 when the partner user already holds one for the customer.
fn insert_new(conn: &mut DbConnection, grant: &GrantRow) -> Result<(), ApiError> {
    let taken = || {
        ApiError::rule(
            ErrorCode::GrantExists,
            "This partner user already holds a grant for this customer: change or revoke it.",
        )
    };
    if store::grant_for(conn, &grant.user_id, &grant.customer_id)?.is_some() {
        return Err(taken());
    }
    match store::insert_grant(conn, grant) {
        Err(e) if persistence::is_unique_violation(&e) => Err(taken()),
        other => Ok(other?),
    }
}

/// List access grants: a partner admin sees its partner's, a customer admin every grant into
/// its account (who can enter, on what terms, until when, last used when).
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(GrantFilter, PageQuery),
    responses(
        (status = 200, description = "A page of grants, by customer then partner user", body = GrantPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins oversee access"),
    ),
)]
#[get("/grants")]
async fn list_grants(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<GrantFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<GrantPage>, ApiError> {
    let scope = access_scope(&caller, Action::OverseeAccess)?;
    let (limit, after) = (page.limit()?, page.after()?);
    let filter = filter.into_inner();
    let narrowing = grant_terms::narrowing(filter.customer_id, filter.user_id);
    let now = state.clock.now();
    let (items, next) = state
        .read(move |_, conn| {
            let rows = store::list_grants(
                conn,
                &scope,
                &narrowing,
                after.as_ref().map(|(c, u)| (c.as_str(), u.as_str())),
                limit + 1,
            )?;
            let (rows, next) = paging::page(rows, limit, |g| {
                (g.customer_id.as_str(), g.user_id.as_str())
            });
            Ok::<_, ApiError>((shown(conn, rows, now)?, next))
        })
        .await?;
    Ok(web::Json(GrantPage { items, next }))
}

/// Give a partner user access to a customer (Manage Access Rights).
///
/// Only where DOMAIN.md §4's table allows a direct grant: for a customer in Pre-Sales, Demo,
/// Onboarding or Handholding whose "requires customer access permissions" is off. Otherwise 422
/// `access_requires_customer_permission`: send an access request instead.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = NewGrant,
    responses(
        (status = 201, description = "Granted", body = Grant,
         headers(("Location" = String, description = "The grant's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins give access"),
        (status = 409, description = "The partner user already holds a grant for the customer"),
        (status = 422, description = "Invalid terms, or access requires the customer's permission"),
    ),
)]
#[post("/grants")]
async fn create_grant(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewGrant>,
) -> Result<HttpResponse, ApiError> {
    let partner = own_partner(&caller, Action::ManageAccess)?;
    let body = body.into_inner()?;
    let now = state.clock.now();
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &body.profile, &body.role, &body.permissions);
    let expires_at = fields.check("expires_at", access::grant_expiry(body.expires_at, now));
    let grant = state
        .transaction(move |_, conn| {
            let mut fields = fields.clone();
            let user = fields.check(
                "user_id",
                grant_terms::grantee(conn, &partner, &body.user_id)?,
            );
            let customer = fields.check(
                "customer_id",
                partner_customer_field(conn, &partner, &body.customer_id)?,
            );
            fields.finish()?;
            let (Some(user), Some(customer), Some(terms), Some(expires_at)) =
                (user, customer, terms.clone(), expires_at)
            else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            require_direct_path(&customer)?;
            let grant = new_grant(
                &customer,
                &user.id,
                &terms,
                expires_at,
                "direct",
                &caller.actor.user_id,
                now,
            );
            insert_new(conn, &grant)?;
            audit_grant(conn, caller.by(now), "access_grant.created", None, &grant)?;
            Ok(shown(conn, vec![grant], now)?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/grants/{}", grant.id)))
        .json(grant))
}

/// Read one grant.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("grant_id" = String, Path)),
    responses(
        (status = 200, description = "The grant", body = Grant),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins oversee access"),
        (status = 404, description = "No such grant"),
    ),
)]
#[get("/grants/{grant_id}")]
async fn get_grant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<Grant>, ApiError> {
    let scope = access_scope(&caller, Action::OverseeAccess)?;
    let now = state.clock.now();
    let grant = state
        .read(move |_, conn| {
            let row = load_grant(conn, &scope, &id)?;
            Ok::<_, ApiError>(shown(conn, vec![row], now)?.remove(0))
        })
        .await?;
    Ok(web::Json(grant))
}

/// Change a grant's profile, role, permissions or expiry.
///
/// Only where a direct grant is allowed: for a customer that requires its permission the
/// partner may revoke a grant, or ask again with an access request, but not change it.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("grant_id" = String, Path)),
    request_body = GrantChanges,
    responses(
        (status = 200, description = "The changed grant", body = Grant),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins change grants"),
        (status = 404, description = "No such grant"),
        (status = 422, description = "Invalid terms, or access requires the customer's permission"),
    ),
)]
#[patch("/grants/{grant_id}")]
async fn update_grant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: JsonBody<GrantChanges>,
) -> Result<web::Json<Grant>, ApiError> {
    let partner = own_partner(&caller, Action::ManageAccess)?;
    let changes = body.into_inner()?;
    let now = state.clock.now();
    let grant = state
        .transaction(move |_, conn| {
            let scope = Scope::Partner(partner.as_str().to_owned());
            let before = load_grant(conn, &scope, &id)?;
            let mut fields = Fields::default();
            let stored = grant_terms::stored_permissions(&before.permissions);
            let terms = Terms::parse(
                &mut fields,
                changes.profile.as_deref().unwrap_or(&before.profile),
                changes.role.as_deref().unwrap_or(&before.role),
                changes.permissions.as_deref().unwrap_or(&stored),
            );
            let expires_at = match changes.expires_at {
                Some(wanted) => fields.check("expires_at", access::grant_expiry(wanted, now)),
                None => Some(before.expires_at.map(from_db)),
            };
            fields.finish()?;
            let (Some(terms), Some(expires_at)) = (terms, expires_at) else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            let customer = customers::find(conn, &before.customer_id)?
                .ok_or_else(|| ApiError::internal("a grant without its customer"))?;
            require_direct_path(&customer)?;
            let mut after = before.clone();
            after.profile = terms.profile.to_string();
            after.role = terms.role.as_str().to_owned();
            after.permissions = terms.permissions_json();
            after.expires_at = expires_at.map(to_db);
            if after != before {
                after.updated_at = to_db(now);
                store::update_grant(conn, &after)?;
                audit_grant(
                    conn,
                    caller.by(now),
                    "access_grant.updated",
                    Some(&before),
                    &after,
                )?;
            }
            Ok::<_, ApiError>(shown(conn, vec![after], now)?.remove(0))
        })
        .await?;
    Ok(web::Json(grant))
}

/// Revoke a grant: the partner user can no longer enter, and an acting session resting on it
/// ends on its next request. Partner admins revoke their partner's grants, customer admins any
/// grant into their account.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("grant_id" = String, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins revoke grants"),
        (status = 404, description = "No such grant"),
    ),
)]
#[delete("/grants/{grant_id}")]
async fn revoke_grant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let scope = access_scope(&caller, Action::OverseeAccess)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| {
            let grant = load_grant(conn, &scope, &id)?;
            store::delete_grant(conn, &grant.id, "grant_revoked", to_db(now))?;
            Ok::<_, ApiError>(audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "access_grant.revoked",
                    target_type: "access_grant",
                    target_id: &grant.id,
                    partner_id: Some(&grant.partner_id),
                    customer_id: Some(&grant.customer_id),
                    before: snapshot(&grant),
                    after: None,
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Invite a partner user in as a guest (seed 001): the customer's own act, so the grant is
/// made at once whatever the customer's status.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = GuestInvitation,
    responses(
        (status = 201, description = "The guest's grant", body = Grant,
         headers(("Location" = String, description = "The grant's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins invite guests"),
        (status = 409, description = "The partner user already holds a grant"),
        (status = 422, description = "Invalid terms, or no such partner user"),
    ),
)]
#[post("/account/guests")]
async fn invite_guest(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<GuestInvitation>,
) -> Result<HttpResponse, ApiError> {
    caller.authorize(Action::ControlAccess, "customer")?;
    let body = body.into_inner()?;
    let now = state.clock.now();
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &body.profile, &body.role, &body.permissions);
    let expires_at = fields.check("expires_at", access::grant_expiry(body.expires_at, now));
    let email = fields.check("email", Email::parse(&body.email));
    let grant = state
        .transaction(move |_, conn| {
            let customer = own_customer(conn, &caller)?;
            let partner = PartnerId::parse(&customer.partner_id)
                .map_err(|_| ApiError::internal("a stored partner id is invalid"))?;
            let mut fields = fields.clone();
            let user = match &email {
                Some(email) => {
                    let found = users::list_for_account(
                        conn,
                        partner.as_str(),
                        &users::UserFilter::default(),
                        None,
                        i64::MAX,
                    )?
                    .into_iter()
                    .find(|u| u.email.eq_ignore_ascii_case(email.as_str()));
                    match found {
                        Some(user) => {
                            fields.check("email", grant_terms::grantee(conn, &partner, &user.id)?)
                        }
                        None => fields.check::<persistence::users::UserRow>(
                            "email",
                            Err(domain::ids::Invalid::new(
                                "not_found",
                                "no user of your partner has this email address",
                            )),
                        ),
                    }
                }
                None => None,
            };
            fields.finish()?;
            let (Some(user), Some(terms), Some(expires_at)) = (user, terms.clone(), expires_at)
            else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            let grant = new_grant(
                &customer,
                &user.id,
                &terms,
                expires_at,
                "guest",
                &caller.actor.user_id,
                now,
            );
            insert_new(conn, &grant)?;
            audit_grant(
                conn,
                caller.by(now),
                "access_grant.guest_invited",
                None,
                &grant,
            )?;
            Ok(shown(conn, vec![grant], now)?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/grants/{}", grant.id)))
        .json(grant))
}

/// Set "requires customer access permissions" on the caller's own account.
///
/// Switched on here, by the customer's own admins, it is locked: the partner can no longer
/// switch it off (403 `locked_by_customer`). Switching it off here lifts the lock. Existing
/// grants are kept either way: revoke them with DELETE /grants/{id}.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = AccessPermission,
    responses(
        (status = 200, description = "The flag now", body = AccessPermissionState),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins set it here"),
    ),
)]
#[put("/account/access-permission")]
async fn set_access_permission(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<AccessPermission>,
) -> Result<web::Json<AccessPermissionState>, ApiError> {
    caller.authorize(Action::ControlAccess, "customer")?;
    let body = body.into_inner()?;
    let now = state.clock.now();
    let shown = state.transaction(move |_, conn| {
            let before = own_customer(conn, &caller)?;
            if before.requires_access_permission != body.required
                || before.access_permission_locked != body.required
            {
                customers::set_access_permission(conn, &before.id, body.required, to_db(now))?;
                let flag = |required: bool, locked: bool| {
                    serde_json::json!({"requires_access_permission": required, "locked_by_customer": locked})
                };
                audit::record(
                    conn,
                    caller.by(now),
                    Change {
                        action: "customer.access_permission_set",
                        target_type: "customer",
                        target_id: &before.id,
                        partner_id: Some(&before.partner_id),
                        customer_id: Some(&before.id),
                        before: Some(flag(
                            before.requires_access_permission,
                            before.access_permission_locked,
                        )),
                        after: Some(flag(body.required, body.required)),
                    },
                )?;
            }
            Ok::<_, ApiError>(AccessPermissionState {
                customer_id: before.id,
                required: body.required,
                locked_by_customer: body.required,
            })
        }).await?;
    Ok(web::Json(shown))
}
