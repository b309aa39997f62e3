//! A partner's own users (seed 000 "Add or Edit Partner Users", seed 004 roles): invite, list,
//! read, edit, deactivate, resend the invitation, remove. Partner admins manage their own
//! partner's users; platform admins any partner's.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::ids::AccountKind;
use persistence::time::from_db;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::account_users::UserQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Confirmation, JsonBody};
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;
use services::users::members::UserEdit;
use services::users::onboarding::Person;
use services::users::partner_users::{self, PartnerUserEdit};

pub fn configure(cfg: &mut Registry) {
    cfg.service(invite_partner_user)
        .service(list_partner_users)
        .service(get_partner_user)
        .service(update_partner_user)
        .service(resend_partner_user_invitation)
        .service(reset_partner_user_password)
        .service(remove_partner_user);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Bea Quinn", "email": "bea@acme.example", "role": "user"}))]
pub struct NewPartnerUser {
    #[schema(example = "Bea Quinn")]
    pub name: String,
    #[schema(example = "bea@acme.example")]
    pub email: String,
    /// Defaults to the email address.
    pub logon: Option<String>,
    /// `admin`, `user`, `marketing` or `notifications` (no login; emails only).
    #[schema(example = "user")]
    pub role: String,
    /// For role `user`: the customers it is assigned to (then it sees only those).
    #[schema(example = json!(["ACME"]))]
    pub assigned_customers: Option<Vec<String>>,
}

impl From<NewPartnerUser> for partner_users::NewPartnerUser {
    fn from(body: NewPartnerUser) -> Self {
        partner_users::NewPartnerUser {
            person: Person {
                name: body.name,
                email: body.email,
                logon: body.logon,
            },
            role: body.role,
            assigned_customers: body.assigned_customers.unwrap_or_default(),
        }
    }
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "admin"}))]
pub struct PartnerUserChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub logon: Option<String>,
    #[schema(example = "admin")]
    pub role: Option<String>,
    /// `false` blocks the user's logins to the hub and to every customer at once.
    pub active: Option<bool>,
    /// For role `user`: exactly the customers it is assigned to from now on (`[]` for none).
    pub assigned_customers: Option<Vec<String>>,
}

impl From<PartnerUserChanges> for PartnerUserEdit {
    fn from(body: PartnerUserChanges) -> Self {
        PartnerUserEdit {
            user: UserEdit {
                name: body.name,
                email: body.email,
                logon: body.logon,
                role: body.role,
                active: body.active,
            },
            assigned_customers: body.assigned_customers,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerUser {
    pub id: String,
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    #[schema(example = "Bea Quinn")]
    pub name: String,
    #[schema(example = "bea@acme.example")]
    pub email: String,
    #[schema(example = "bea@acme.example")]
    pub logon: String,
    #[schema(example = "user")]
    pub role: String,
    pub active: bool,
    /// The user has not finished their invitation (password and authenticator) yet.
    pub pending_invitation: bool,
    /// The customers a `user` is assigned to; with none it sees them all.
    #[schema(example = json!(["ACME"]))]
    pub assigned_customers: Vec<String>,
    pub assigned_customer_count: usize,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<partner_users::PartnerUser> for PartnerUser {
    fn from(view: partner_users::PartnerUser) -> Self {
        let row = view.user;
        PartnerUser {
            assigned_customer_count: view.assigned_customers.len(),
            assigned_customers: view.assigned_customers,
            pending_invitation: row.totp_enrolled_at.is_none(),
            id: row.id,
            partner_id: row.account_id,
            name: row.name,
            email: row.email,
            logon: row.logon,
            role: row.role,
            active: row.active,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerUserPage {
    pub items: Vec<PartnerUser>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Invite a partner user.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME")),
    request_body = NewPartnerUser,
    responses(
        (status = 201, description = "Invited: the invitation email is on its way", body = PartnerUser,
         headers(("Location" = String, description = "The new user's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner"),
        (status = 409, description = "The logon is taken in this partner"),
    ),
)]
#[post("/partners/{partner_id}/users")]
async fn invite_partner_user(
    state: web::Data<AppState>,
    caller: Caller,
    partner_id: web::Path<String>,
    body: JsonBody<NewPartnerUser>,
) -> Result<HttpResponse, ApiError> {
    let partner = partner_users::manager(&caller, &partner_id)?;
    let new = body.into_inner()?.into();
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            let (settings, keys) = (&state.settings, &state.keys);
            partner_users::invite(conn, settings, keys, &caller, &partner, &new, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/partners/{}/users/{}", user.user.account_id, user.user.id),
        ))
        .json(PartnerUser::from(user)))
}

/// List a partner's users, by name.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), UserQuery, PageQuery),
    responses(
        (status = 200, description = "A page of users", body = PartnerUserPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner"),
        (status = 422, description = "An unknown role"),
    ),
)]
#[get("/partners/{partner_id}/users")]
async fn list_partner_users(
    state: web::Data<AppState>,
    caller: Caller,
    partner_id: web::Path<String>,
    filter: web::Query<UserQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<PartnerUserPage>, ApiError> {
    let partner = partner_users::manager(&caller, &partner_id)?;
    let filter = filter.filter(AccountKind::Partner)?;
    let (limit, after) = (page.limit()?, page.after()?);
    let rows = state
        .read(move |_, conn| {
            let after = after.as_ref().map(|(n, i)| (n.as_str(), i.as_str()));
            let rows = partner
                .members()
                .list(conn, filter.clone(), after, limit + 1)?;
            partner_users::with_assignments(conn, rows)
        })
        .await?;
    let (rows, next) = paging::page(rows, limit, |view| (&view.user.name, &view.user.id));
    let items = rows.into_iter().map(PartnerUser::from).collect();
    Ok(web::Json(PartnerUserPage { items, next }))
}

/// Read one partner user.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The user", body = PartnerUser),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner or user"),
    ),
)]
#[get("/partners/{partner_id}/users/{user_id}")]
async fn get_partner_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<PartnerUser>, ApiError> {
    let (partner_id, user_id) = path.into_inner();
    let partner = partner_users::manager(&caller, &partner_id)?;
    let user = state
        .read(move |_, conn| {
            let user = partner.members().load(conn, &user_id)?;
            partner_users::one(conn, user)
        })
        .await?;
    Ok(web::Json(user.into()))
}

/// Edit a partner user: name, email, logon, role, active, the customers it is assigned to.
///
/// Deactivating blocks the user's logins to the hub and to every customer at once: their
/// sessions end. A change that would leave the partner without an active admin is refused
/// with 409 `last_active_admin`.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), ("user_id" = String, Path)),
    request_body = PartnerUserChanges,
    responses(
        (status = 200, description = "The updated user", body = PartnerUser),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner or user"),
        (status = 409, description = "The last active admin, or a logon taken"),
    ),
)]
#[patch("/partners/{partner_id}/users/{user_id}")]
async fn update_partner_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<PartnerUserChanges>,
) -> Result<web::Json<PartnerUser>, ApiError> {
    let (partner_id, user_id) = path.into_inner();
    let partner = partner_users::manager(&caller, &partner_id)?;
    let edit = body.into_inner()?.into();
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            partner_users::update(conn, &state.keys, &caller, &partner, &user_id, &edit, now)
        })
        .await?;
    Ok(web::Json(user.into()))
}

/// Re-send the invitation email; the previous link stops working.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), ("user_id" = String, Path)),
    responses(
        (status = 202, description = "A new invitation is on its way"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner or user"),
        (status = 409, description = "The user already accepted their invitation"),
    ),
)]
#[post("/partners/{partner_id}/users/{user_id}/invitation")]
async fn resend_partner_user_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, user_id) = path.into_inner();
    let partner = partner_users::manager(&caller, &partner_id)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            partner.members().resend_invitation(
                conn,
                &state.settings,
                &state.keys,
                caller.by(now),
                &user_id,
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Remove a partner user for good; they are emailed that their access was revoked.
///
/// Needs `confirm=true`: without it the answer is 422 `confirmation_required`.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), ("user_id" = String, Path), Confirmation),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner or user"),
        (status = 409, description = "The last active admin"),
        (status = 422, description = "`confirm=true` is missing"),
    ),
)]
#[delete("/partners/{partner_id}/users/{user_id}")]
async fn remove_partner_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    confirmation: web::Query<Confirmation>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, user_id) = path.into_inner();
    let partner = partner_users::manager(&caller, &partner_id)?;
    confirmation.given()?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            partner
                .members()
                .remove(conn, &state.keys, caller.by(now), &user_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send the user a password-reset link (never a password): their sessions end, and the link
/// works once, for an hour.
#[utoipa::path(
    tag = "partner users",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, example = "PARTACME"), ("user_id" = String, Path)),
    responses(
        (status = 202, description = "The reset link is on its way; the user's sessions ended"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only admins manage partner users"),
        (status = 404, description = "No such partner or user"),
        (status = 409, description = "The user's invitation is pending, or the user is inactive"),
    ),
)]
#[post("/partners/{partner_id}/users/{user_id}/password-reset")]
async fn reset_partner_user_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, user_id) = path.into_inner();
    let partner = partner_users::manager(&caller, &partner_id)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            partner.members().send_password_reset(
                conn,
                &state.settings,
                &state.keys,
                caller.by(now),
                &user_id,
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
