//! Which partner users of role `user` a customer is assigned to (DOMAIN.md §2): a `user` with
//! any assignment sees only its assigned customers in the listing; one without sees them all.

use actix_web::{HttpResponse, delete, get, put, web};
use domain::ids::{AccountId, Invalid};
use domain::policy::Action;
use domain::role::Role;
use persistence::time::to_db;
use persistence::{DbConnection, customers, users};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use services::audit::{self, Change};
use services::tenancy::{own_partner, partner_customer};

pub fn configure(cfg: &mut ServiceConfig) {
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

/// The partner user `user_id` of `partner`, who must have role `user`: 404 for anyone else's,
/// 422 for another role (admins see everything anyway; marketing sees no customers).
fn assignable(conn: &mut DbConnection, partner: &AccountId, user_id: &str) -> Result<(), ApiError> {
    let user = users::find(conn, user_id)?
        .filter(|u| u.account_id == partner.as_str())
        .ok_or(ApiError::NotFound("partner user"))?;
    if user.role == Role::PartnerUser.name() {
        Ok(())
    } else {
        Err(ApiError::field(
            "user_id",
            Invalid::new(
                "role",
                "only partner users of role `user` are assigned to customers",
            ),
        ))
    }
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
    let partner = own_partner(&caller, Action::ManageCustomers)?;
    let assignments = state
        .read(move |_, conn| {
            let customer = partner_customer(conn, &partner, &customer_id)?;
            let user_ids = customers::assigned_users(conn, &customer.id)?;
            Ok::<_, ApiError>(Assignments {
                customer_id: customer.id,
                user_ids,
            })
        })
        .await?;
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
    let partner = own_partner(&caller, Action::ManageCustomers)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| {
            let customer = partner_customer(conn, &partner, &customer_id)?;
            assignable(conn, &AccountId::Partner(partner.id().clone()), &user_id)?;
            let changed = if assign {
                customers::assign(conn, &customer.id, &user_id, to_db(now))?
            } else {
                customers::unassign(conn, &customer.id, &user_id)?
            };
            if !changed {
                return Ok::<_, ApiError>(());
            }
            let target = format!("{}/{user_id}", customer.id);
            Ok(audit::record(
                conn,
                caller.by(now),
                Change {
                    action: if assign {
                        "customer.user_assigned"
                    } else {
                        "customer.user_unassigned"
                    },
                    target_type: "assignment",
                    target_id: &target,
                    partner_id: Some(partner.as_str()),
                    customer_id: Some(&customer.id),
                    ..Change::default()
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
