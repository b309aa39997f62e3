//! Access requests (seed 000 "Request Access Permissions"): the HTTP side of
//! [`services::access::requests`].

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::request::RequestState;
use services::access::requests as cases;
use services::access::terms::narrowing;
use services::access::{grants, requests};

use super::dto::{
    AccessRequest, AccessRequestFilter, AccessRequestPage, Approval, Approved, Denial,
    NewAccessRequest,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{JsonBody, OptionalJsonBody};
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_requests)
        .service(create_request)
        .service(get_request)
        .service(cancel_request)
        .service(approve_request)
        .service(deny_request);
}

/// The states named by `?status=`, comma-separated.
fn parse_states(text: Option<&str>) -> Result<Vec<RequestState>, ApiError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|word| {
            RequestState::parse(word).map_err(|_| {
                ApiError::InvalidQuery(format!(
                    "`status` takes pending, approved, denied, cancelled, expired; not `{word}`"
                ))
            })
        })
        .collect()
}

/// The `(requested_at, id)` a page of requests starts before.
fn parse_before(page: &PageQuery) -> Result<Option<(DateTime<Utc>, String)>, ApiError> {
    match page.after.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => {
            let (at, id): (DateTime<Utc>, String) = paging::decode_value(cursor)?;
            if !persistence::time::storable(at) {
                return Err(paging::not_a_cursor());
            }
            Ok(Some((at, id)))
        }
        None => Ok(None),
    }
}

/// List access requests: a partner admin sees its partner's, a customer admin those for its
/// account; newest first. A pending request older than 24 hours shows as `expired`.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(AccessRequestFilter, PageQuery),
    responses(
        (status = 200, description = "A page of requests, newest first", body = AccessRequestPage),
        (status = 400, description = "Unknown status"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins see requests"),
    ),
)]
#[get("/access-requests")]
async fn list_requests(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AccessRequestFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<AccessRequestPage>, ApiError> {
    let scope = grants::overseer(&caller)?;
    let now = state.clock.now();
    let filter = filter.into_inner();
    let states = parse_states(filter.status.as_deref())?;
    let limit = page.limit()?;
    let before = parse_before(&page)?;
    let narrowing = narrowing(filter.customer_id, filter.user_id);
    let mut rows = state
        .read(move |_, conn| {
            let before = before.as_ref().map(|(at, id)| (*at, id.as_str()));
            cases::list(conn, &scope, &narrowing, &states, before, limit + 1, now)
        })
        .await?;
    let next = paging::last_of_page(&mut rows, limit)
        .map(|row| paging::encode_value(&serde_json::json!([row.requested_at, row.id])));
    Ok(web::Json(AccessRequestPage {
        items: rows.into_iter().map(AccessRequest::from).collect(),
        next,
    }))
}

/// Ask a customer's admins to let a partner user in.
///
/// Every active admin of the customer — or only `customer_admin_id`, for the customer admin
/// layer — gets an email with a link; the request expires 24 hours after it was made. At most
/// one pending request per partner user and customer (409 `request_already_pending`).
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = NewAccessRequest,
    responses(
        (status = 201, description = "Sent", body = AccessRequest,
         headers(("Location" = String, description = "The request's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins request access"),
        (status = 409, description = "A pending request for this partner user and customer exists"),
        (status = 422, description = "Invalid terms, unknown user or customer, or no admin to ask"),
    ),
)]
#[post("/access-requests")]
async fn create_request(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewAccessRequest>,
) -> Result<HttpResponse, ApiError> {
    let partner = grants::manager(&caller)?;
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    let created: AccessRequest = state
        .transaction(move |state, conn| {
            cases::create(
                conn,
                &state.settings,
                &state.keys,
                &caller,
                &partner,
                &input,
                now,
            )
        })
        .await?
        .into();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/access-requests/{}", created.id)))
        .json(created))
}

/// Read one access request.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses(
        (status = 200, description = "The request", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins see requests"),
        (status = 404, description = "No such request"),
    ),
)]
#[get("/access-requests/{request_id}")]
async fn get_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    let scope = grants::overseer(&caller)?;
    let now = state.clock.now();
    let request = state
        .read(move |_, conn| cases::get(conn, &scope, &id, now))
        .await?;
    Ok(web::Json(request.into()))
}

/// Cancel a pending request (the partner changed its mind).
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses(
        (status = 200, description = "Cancelled", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins cancel requests"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
    ),
)]
#[post("/access-requests/{request_id}/cancel")]
async fn cancel_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    let partner = grants::manager(&caller)?;
    let now = state.clock.now();
    let cancelled = state
        .transaction(move |_, conn| cases::cancel(conn, &caller, &partner, &id, now))
        .await?;
    Ok(web::Json(cancelled.into()))
}

/// Approve a request: the grant is made (or an existing grant of the pair takes the new terms)
/// in the same transaction.
///
/// The approving admin may narrow what was asked — fewer permissions, a shorter duration — but
/// never widen it. 409 `request_expired` from 24 hours after the request was made.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    request_body(content = Approval, description = "Optional: narrow the request"),
    responses(
        (status = 200, description = "Approved, with the grant it made", body = Approved),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins decide (never a partner user acting inside)"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
        (status = 422, description = "The approval widens the request"),
    ),
)]
#[post("/access-requests/{request_id}/approve")]
async fn approve_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: OptionalJsonBody<Approval>,
) -> Result<web::Json<Approved>, ApiError> {
    let own = grants::customer_controls(&caller)?;
    let approval: requests::Approval = body.into_inner()?.into();
    let now = state.clock.now();
    let approved = state
        .transaction(move |state, conn| {
            cases::approve(conn, &state.keys, &caller, &own, &id, &approval, now)
        })
        .await?;
    Ok(web::Json(approved.into()))
}

/// Deny a request, optionally saying why. 409 `request_expired` from 24 hours after it was
/// made.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    request_body(content = Denial, description = "Optional: a note to the partner"),
    responses(
        (status = 200, description = "Denied", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins decide (never a partner user acting inside)"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
        (status = 422, description = "The note is too long"),
    ),
)]
#[post("/access-requests/{request_id}/deny")]
async fn deny_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: OptionalJsonBody<Denial>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    let own = grants::customer_controls(&caller)?;
    let message = cases::denial_note(body.into_inner()?.message.as_deref())?;
    let now = state.clock.now();
    let denied = state
        .transaction(move |state, conn| {
            cases::deny(
                conn,
                &state.keys,
                &caller,
                &own,
                &id,
                message.as_deref(),
                now,
            )
        })
        .await?;
    Ok(web::Json(denied.into()))
}
