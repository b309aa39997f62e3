//! Access grants (seed 000 "Manage Access Rights"): the HTTP side of
//! [`services::access::grants`].

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use services::access::grants as cases;
use services::access::terms::narrowing;

use super::dto::{
    AccessPermission, AccessPermissionState, Grant, GrantChanges, GrantFilter, GrantPage,
    GuestInvitation, NewGrant,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_grants)
        .service(create_grant)
        .service(get_grant)
        .service(update_grant)
        .service(revoke_grant)
        .service(invite_guest)
        .service(set_access_permission);
}

fn created(grant: Grant) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/grants/{}", grant.id)))
        .json(grant)
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
    let scope = cases::overseer(&caller)?;
    let (limit, after) = (page.limit()?, page.after()?);
    let filter = filter.into_inner();
    let narrowing = narrowing(filter.customer_id, filter.user_id);
    let now = state.clock.now();
    let rows = state
        .read(move |_, conn| {
            let after = after.as_ref().map(|(c, u)| (c.as_str(), u.as_str()));
            cases::list(conn, &scope, &narrowing, after, limit + 1, now)
        })
        .await?;
    let (rows, next) = paging::page(rows, limit, |g| {
        (g.customer_id.as_str(), g.user.id.as_str())
    });
    Ok(web::Json(GrantPage {
        items: rows.into_iter().map(Grant::from).collect(),
        next,
    }))
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
    let partner = cases::manager(&caller)?;
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    let grant = state
        .transaction(move |_, conn| cases::create(conn, &caller, &partner, &input, now))
        .await?;
    Ok(created(grant.into()))
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
    let scope = cases::overseer(&caller)?;
    let now = state.clock.now();
    let grant = state
        .read(move |_, conn| cases::get(conn, &scope, &id, now))
        .await?;
    Ok(web::Json(grant.into()))
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
    let partner = cases::manager(&caller)?;
    let changes = body.into_inner()?.into();
    let now = state.clock.now();
    let grant = state
        .transaction(move |_, conn| cases::update(conn, &caller, &partner, &id, &changes, now))
        .await?;
    Ok(web::Json(grant.into()))
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
    let scope = cases::overseer(&caller)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| cases::revoke(conn, &caller, &scope, &id, now))
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
    let own = cases::customer_controls(&caller)?;
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    let grant = state
        .transaction(move |_, conn| cases::invite_guest(conn, &caller, &own, &input, now))
        .await?;
    Ok(created(grant.into()))
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
    let own = cases::customer_controls(&caller)?;
    let required = body.into_inner()?.required;
    let now = state.clock.now();
    let flag = state
        .transaction(move |_, conn| {
            cases::set_access_permission(conn, &caller, &own, required, now)
        })
        .await?;
    Ok(web::Json(flag.into()))
}
