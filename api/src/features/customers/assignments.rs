//! Which partner users of role `user` a customer is assigned to (DOMAIN.md §2): a `user` with
//! any assignment sees only its assigned customers in the listing; one without sees them all.

use actix_web::{HttpResponse, delete, get, put, web};
use serde::Serialize;
use services::customers::assignments as cases;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_assignments)
        .service(assign_user)
        .service(unassign_user);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Assignments {
    #[schema(example = "ACME")]
    pub customer_id: String,
    /// The IDs of the partner users assigned to the customer.
    pub user_ids: Vec<String>,
}

/// List the partner users assigned to a customer.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    responses(
        (status = 200, description = "The assigned users", body = Assignments),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage assignments"),
        (status = 404, description = "No such customer"),
    ),
)]
#[get("/customers/{customer_id}/assignments")]
async fn list_assignments(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
) -> Result<web::Json<Assignments>, ApiError> {
    let partner = cases::manager(&caller)?;
    let (customer_id, user_ids) = state
        .read(move |_, conn| cases::list(conn, &partner, &customer_id))
        .await?;
    let assignments = Assignments {
        customer_id,
        user_ids,
    };
    Ok(web::Json(assignments))
}

/// Assign a partner user of role `user` to a customer (assigning twice changes nothing).
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "Assigned"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage assignments"),
        (status = 404, description = "No such customer or partner user"),
        (status = 422, description = "The user's role is not `user`"),
    ),
)]
#[put("/customers/{customer_id}/assignments/{user_id}")]
async fn assign_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    change(state, caller, path.into_inner(), true).await
}

/// Take an assignment away.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "Not assigned (any more)"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage assignments"),
        (status = 404, description = "No such customer or partner user"),
        (status = 422, description = "The user's role is not `user`"),
    ),
)]
#[delete("/customers/{customer_id}/assignments/{user_id}")]
async fn unassign_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    change(state, caller, path.into_inner(), false).await
}

async fn change(
    state: web::Data<AppState>,
    caller: Caller,
    (customer_id, user_id): (String, String),
    assign: bool,
) -> Result<HttpResponse, ApiError> {
    let partner = cases::manager(&caller)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| {
            cases::set(conn, &caller, &partner, &customer_id, &user_id, assign, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
