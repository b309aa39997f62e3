//! A partner's own account at a glance (seed 001 "My Account", "License summary").

use std::collections::BTreeMap;

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use services::partners::records as partners;
use services::partners::summary::{self, CustomerCounts, PartnerSummary, ProductSeats, UserCounts};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(partner_summary);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    pub users: Users,
    pub customers: Customers,
    /// Seats of each product across the partner's customers, by product.
    pub licences: Vec<Seats>,
    /// The soonest contract expiry of any customer's licence, today or later.
    pub next_contract_expiry: Option<NaiveDate>,
    /// The soonest renewal of any customer's licence, today or later.
    pub next_renewal: Option<NaiveDate>,
}

/// The partner's own users.
#[derive(Debug, Serialize, ToSchema)]
pub struct Users {
    pub total: i64,
    /// Active users of each role.
    #[schema(example = json!({"admin": 2, "user": 14, "marketing": 1}))]
    pub by_role: BTreeMap<String, i64>,
    pub inactive: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Customers {
    pub total: i64,
    /// Customers whose Active flag is off.
    pub inactive: i64,
    #[schema(example = json!({"onboarding": 12, "established": 80}))]
    pub by_status: BTreeMap<String, i64>,
    #[schema(example = json!({"active": 90, "suspended": 2}))]
    pub by_account_state: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Seats {
    #[schema(example = "analytics")]
    pub product: String,
    /// How many customers hold a licence of it.
    pub customers: i64,
    pub seats_used: i64,
    pub seats_available: i64,
}

impl From<PartnerSummary> for Summary {
    fn from(s: PartnerSummary) -> Self {
        let UserCounts {
            total,
            by_role,
            inactive,
        } = s.users;
        let CustomerCounts {
            total: customers,
            inactive: inactive_customers,
            by_status,
            by_account_state,
        } = s.customers;
        Summary {
            partner_id: s.partner_id,
            users: Users {
                total,
                by_role,
                inactive,
            },
            customers: Customers {
                total: customers,
                inactive: inactive_customers,
                by_status,
                by_account_state,
            },
            licences: s
                .licences
                .into_iter()
                .map(|p: ProductSeats| Seats {
                    product: p.product,
                    customers: p.customers,
                    seats_used: p.seats_used,
                    seats_available: p.seats_available,
                })
                .collect(),
            next_contract_expiry: s.next_contract_expiry,
            next_renewal: s.next_renewal,
        }
    }
}

/// The partner's account summary: its users by role, its customers by status and account
/// state, seats used and available per product across its customers, and the nearest
/// contract expiry and renewal.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, description = "The partner's ID", example = "PARTACME")),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the partner's admins and the platform read it"),
        (status = 404, description = "No such partner"),
    ),
)]
#[get("/partners/{partner_id}/summary")]
async fn partner_summary(
    state: web::Data<AppState>,
    caller: Caller,
    partner_id: web::Path<String>,
) -> Result<web::Json<Summary>, ApiError> {
    let partner = partners::readable(&caller, &partner_id)?;
    let today = state.clock.now().date_naive();
    let view = state
        .read(move |_, conn| summary::summary(conn, &partner, today))
        .await?;
    Ok(web::Json(view.into()))
}
