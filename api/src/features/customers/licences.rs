//! A customer's licences and their seats (seed 001 "Manage Users and Licences", "License
//! summary"): the summary, and a seat assigned to one of the customer's users or freed. The
//! licences themselves (type, seats available, dates) are edited with the customer's record.

use actix_web::{delete, get, put, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::customer_record::Licence;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;
use services::customers::licences::{self, LicenceSummary};
use services::customers::users;

pub fn configure(cfg: &mut Registry) {
    cfg.service(licence_summary)
        .service(assign_licence)
        .service(unassign_licence);
}

/// A licence, and who holds its seats.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceUse {
    #[schema(example = "analytics")]
    pub product: String,
    #[schema(example = "subscription")]
    pub licence_type: String,
    /// How many seats are held: the length of `holders`.
    pub seats_used: i32,
    pub seats_available: i32,
    pub contract_expiry: Option<NaiveDate>,
    pub next_renewal: Option<NaiveDate>,
    /// The customer's users holding a seat, by name.
    pub holders: Vec<SeatHolder>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeatHolder {
    pub user_id: String,
    #[schema(example = "Cleo Hart")]
    pub name: String,
    #[schema(example = "cleo@acme.example")]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceSummaryPage {
    #[schema(example = "ACME")]
    pub customer_id: String,
    /// By product.
    pub licences: Vec<LicenceUse>,
}

impl From<LicenceSummary> for LicenceUse {
    fn from(l: LicenceSummary) -> Self {
        LicenceUse {
            product: l.product,
            licence_type: l.licence_type,
            seats_used: l.seats_used,
            seats_available: l.seats_available,
            contract_expiry: l.contract_expiry,
            next_renewal: l.next_renewal,
            holders: l
                .holders
                .into_iter()
                .map(|h| SeatHolder {
                    user_id: h.user_id,
                    name: h.name,
                    email: h.email,
                })
                .collect(),
        }
    }
}

/// The customer's licence summary: per product the licence type, seats used and available,
/// contract expiry, next renewal, and who holds a seat.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    responses(
        (status = 200, description = "The customer's licences", body = LicenceSummaryPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not see this customer's users"),
        (status = 404, description = "No such customer"),
    ),
)]
#[get("/customers/{customer_id}/licences")]
async fn licence_summary(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
) -> Result<web::Json<LicenceSummaryPage>, ApiError> {
    let customer = users::reader(&caller, &customer_id)?;
    let (customer_id, all) = state
        .read(move |_, conn| licences::summary(conn, &caller, &customer))
        .await?;
    Ok(web::Json(LicenceSummaryPage {
        customer_id,
        licences: all.into_iter().map(LicenceUse::from).collect(),
    }))
}

/// Give the user a seat of the customer's licence for `product`.
///
/// Holding one already changes nothing. When every seat is held the answer is 409
/// `no_seats_available` — also when several assignments race for the last seat: exactly one
/// gets it.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path),
           ("product" = String, Path, example = "analytics")),
    responses(
        (status = 200, description = "The user holds a seat; the licence after", body = Licence),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer, user, or licence of the customer"),
        (status = 409, description = "No seat is free"),
    ),
)]
#[put("/customers/{customer_id}/users/{user_id}/licences/{product}")]
async fn assign_licence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<Licence>, ApiError> {
    let (customer_id, user_id, product) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    let now = state.clock.now();
    let licence = state
        .transaction(move |_, conn| {
            licences::assign(conn, &caller, &customer, &user_id, &product, now)
        })
        .await?;
    Ok(web::Json(licence.into()))
}

/// Free the user's seat of the licence for `product`; holding none changes nothing.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path),
           ("product" = String, Path, example = "analytics")),
    responses(
        (status = 200, description = "The user holds no seat; the licence after", body = Licence),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer, user, or licence of the customer"),
    ),
)]
#[delete("/customers/{customer_id}/users/{user_id}/licences/{product}")]
async fn unassign_licence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<web::Json<Licence>, ApiError> {
    let (customer_id, user_id, product) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    let now = state.clock.now();
    let licence = state
        .transaction(move |_, conn| {
            licences::unassign(conn, &caller, &customer, &user_id, &product, now)
        })
        .await?;
    Ok(web::Json(licence.into()))
}
