//! Customer accounts (seed 000 "Add or Edit Customer Accounts"): the HTTP side of
//! [`services::customers::records`], with the record's version as its `ETag`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::customer::AccountState;
use serde::Deserialize;
use services::customers::records::{self as cases, etag};
use services::customers::suspension::{self, Reason};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::customer_record::{self, Customer, CustomerFields};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(create_customer)
        .service(get_customer)
        .service(update_customer)
        .service(suspend_customer)
        .service(resume_customer);
}

fn with_etag(mut response: HttpResponse, version: i32) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// Create a customer account and its group layer entity `<ID>0000`.
///
/// Every invalid field is reported at once (422). A customer ID used anywhere in the
/// deployment answers 409 `customer_id_taken`.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = CustomerFields,
    responses(
        (status = 201, description = "Created", body = Customer,
         headers(("Location" = String, description = "The customer's URL"), ("ETag" = String, description = "The record's version"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins create customers"),
        (status = 409, description = "The customer ID is taken"),
    ),
)]
#[post("/customers")]
async fn create_customer(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CustomerFields>,
) -> Result<HttpResponse, ApiError> {
    let partner = cases::manager(&caller)?;
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    let row = state
        .transaction(move |_, conn| cases::create(conn, &caller, &partner, &input, now))
        .await?;
    let customer = Customer::from(row);
    let version = customer.version;
    let response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/customers/{}", customer.id)))
        .json(customer);
    Ok(with_etag(response, version))
}

/// Read a customer account.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    responses(
        (status = 200, description = "The customer", body = Customer,
         headers(("ETag" = String, description = "The record's version"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller's role sees no customers"),
        (status = 404, description = "No such customer"),
    ),
)]
#[get("/customers/{customer_id}")]
async fn get_customer(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let partner = cases::reader(&caller)?;
    let now = state.clock.now();
    let (row, live_grant) = state
        .read(move |_, conn| cases::get(conn, &caller, &partner, &customer_id, now))
        .await?;
    let customer = customer_record::seen(row, live_grant);
    let version = customer.version;
    Ok(with_etag(HttpResponse::Ok().json(customer), version))
}

/// Edit a customer account: only the fields sent change; `null` clears an optional one.
///
/// Send the `ETag` of your last read in `If-Match`: if someone changed the customer since,
/// the answer is 412 and nothing is written. The customer ID cannot change (422
/// `immutable_field`). `active: false` stops every login to the customer and ends its
/// users' sessions at once; status changes never touch access grants.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(
        ("customer_id" = String, Path, example = "ACME"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on", example = "\"3\""),
    ),
    request_body(content = CustomerFields, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated customer", body = Customer,
         headers(("ETag" = String, description = "The record's new version"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins edit customers"),
        (status = 404, description = "No such customer"),
        (status = 412, description = "The customer changed since the ETag in If-Match"),
    ),
)]
#[patch("/customers/{customer_id}")]
async fn update_customer(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    customer_id: web::Path<String>,
    body: JsonBody<CustomerFields>,
) -> Result<HttpResponse, ApiError> {
    let partner = cases::manager(&caller)?;
    let changes = body.into_inner()?.into();
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let now = state.clock.now();
    let row = state
        .transaction(move |_, conn| {
            let if_match = if_match.as_deref();
            cases::update(
                conn,
                &caller,
                &partner,
                &customer_id,
                if_match,
                &changes,
                now,
            )
        })
        .await?;
    let customer = Customer::from(row);
    let version = customer.version;
    Ok(with_etag(HttpResponse::Ok().json(customer), version))
}

/// Why an account is suspended or resumed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Invoices unpaid since March"}))]
pub struct AccountStateChange {
    /// 1–500 characters; kept in the audit trail.
    pub reason: String,
}

/// Suspend a customer account (seed 001).
///
/// Its users can no longer log in (a login answers 401, as any failed one), their sessions and
/// every partner session inside it end at once, and partner users cannot switch in (403
/// `customer_suspended`) until it is resumed. Grants and the Active flag stay as they are.
/// Suspending a suspended account changes nothing.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    request_body = AccountStateChange,
    responses(
        (status = 200, description = "The customer, suspended", body = Customer,
         headers(("ETag" = String, description = "The record's new version"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins suspend customers"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "No reason given, or one over 500 characters"),
    ),
)]
#[post("/customers/{customer_id}/suspend")]
async fn suspend_customer(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<AccountStateChange>,
) -> Result<HttpResponse, ApiError> {
    change_account_state(state, caller, customer_id, body, AccountState::Suspended).await
}

/// Resume a suspended customer account: its users log in again, grants work as before.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    request_body = AccountStateChange,
    responses(
        (status = 200, description = "The customer, active again", body = Customer,
         headers(("ETag" = String, description = "The record's new version"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins resume customers"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "No reason given, or one over 500 characters"),
    ),
)]
#[post("/customers/{customer_id}/resume")]
async fn resume_customer(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<AccountStateChange>,
) -> Result<HttpResponse, ApiError> {
    change_account_state(state, caller, customer_id, body, AccountState::Active).await
}

async fn change_account_state(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<AccountStateChange>,
    to: AccountState,
) -> Result<HttpResponse, ApiError> {
    let partner = suspension::manager(&caller)?;
    let reason = Reason::of("reason", &body.into_inner()?.reason)?;
    let now = state.clock.now();
    let row = state
        .transaction(move |_, conn| {
            suspension::change(conn, &caller, &partner, &customer_id, to, &reason, now)
        })
        .await?;
    let version = row.version;
    Ok(with_etag(
        HttpResponse::Ok().json(Customer::from(row)),
        version,
    ))
}
