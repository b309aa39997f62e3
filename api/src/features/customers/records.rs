//! Customer accounts (seed 000 "Add or Edit Customer Accounts"): create one with its group layer
//! entity, read it, edit it. The partner is always the caller's own, from its token: another
//! partner's customer answers 404 like one that does not exist.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use domain::entity::{GROUP_LAYER, GROUP_TYPE, entity_id};
use domain::ids::{CustomerId, Invalid, PartnerId};
use domain::policy::Action;
use persistence::customers::{self, CustomerRow};
use persistence::entities::{self, EntityRow};
use persistence::time::to_db;
use persistence::{partners, sessions};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::customer_record::{self, Catalogues, Customer, CustomerFields};
use crate::error::{ApiError, ErrorCode, Fields};
use crate::extract::JsonBody;
use crate::state::AppState;
use services::audit::{self, Change};
use services::tenancy::{self, own_partner, partner_customer};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_customer)
        .service(get_customer)
        .service(update_customer);
}

/// The strong validator of a record version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// 412 unless `If-Match` (when sent) names the current version or `*`.
fn check_if_match(if_match: Option<&str>, version: i32) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return Ok(());
    };
    let current = etag(version);
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(ApiError::rule(
            ErrorCode::PreconditionFailed,
            format!(
                "The customer is now at version {current}; read it again and re-apply your change."
            ),
        ))
    }
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
    let partner = own_partner(&caller, Action::ManageCustomers)?;
    let input = body.into_inner()?;
    let now = state.clock.now();
    let customer = state
        .transaction(move |_, conn| {
            let owner =
                partners::find(conn, partner.as_str())?.ok_or(ApiError::NotFound("partner"))?;
            let catalogues = Catalogues::load(conn, None)?;
            let mut fields = Fields::default();
            let id = match input.id.as_ref().and_then(|v| v.as_deref()) {
                Some(id) => fields.check("id", CustomerId::parse(id)),
                None => fields.check("id", Err(Invalid::new("required", "is required"))),
            };
            let record =
                customer_record::parse(&input, owner.on_price_plan, &catalogues, &mut fields);
            if let Some(record) = &record
                && customers::reference_taken(
                    conn,
                    partner.as_str(),
                    record.reference.as_str(),
                    "",
                )?
            {
                fields.check::<()>(
                    "ref",
                    Err(Invalid::new(
                        "taken",
                        "is already used by another of your customers",
                    )),
                );
            }
            fields.finish()?;
            let (Some(id), Some(record)) = (id, record) else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            if customers::find(conn, id.as_str())?.is_some() {
                return Err(ApiError::rule(
                    ErrorCode::CustomerIdTaken,
                    format!("The customer ID {id} is taken: choose another login prefix."),
                ));
            }
            let at = to_db(now);
            let mut row = new_row(&id, &partner, at);
            record.apply_to(&mut row);
            customers::insert(conn, &row)?;
            let group = EntityRow {
                id: entity_id(&id, GROUP_LAYER),
                customer_id: id.to_string(),
                number: i32::from(GROUP_LAYER),
                name: row.name.clone(),
                entity_type: GROUP_TYPE.to_owned(),
                active: true,
                created_at: at,
                updated_at: at,
            };
            entities::insert(conn, &group)?;
            customers::recount_entities(conn, id.as_str())?;
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "entity.created",
                    target_type: "entity",
                    target_id: &group.id,
                    partner_id: Some(partner.as_str()),
                    customer_id: Some(id.as_str()),
                    after: audit::snapshot(&super::entities::Entity::from(group.clone())),
                    ..Change::default()
                },
            )?;
            let row = customers::find(conn, id.as_str())?.ok_or(ApiError::NotFound("customer"))?;
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "customer.created",
                    target_type: "customer",
                    target_id: &row.id,
                    partner_id: Some(partner.as_str()),
                    customer_id: Some(&row.id),
                    after: audit::snapshot(&Customer::from(row.clone())),
                    ..Change::default()
                },
            )?;
            Ok(Customer::from(row))
        })
        .await?;
    let version = customer.version;
    let response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/customers/{}", customer.id)))
        .json(customer);
    Ok(with_etag(response, version))
}

fn new_row(id: &CustomerId, partner: &PartnerId, at: chrono::NaiveDateTime) -> CustomerRow {
    CustomerRow {
        id: id.to_string(),
        partner_id: partner.to_string(),
        reference: String::new(),
        name: String::new(),
        active: true,
        website: None,
        contact_name: None,
        contact_email: None,
        termset: String::new(),
        product_plan: None,
        add_ons: "[]".to_owned(),
        sector: None,
        status: 0,
        requires_access_permission: false,
        iframe_embedding: false,
        iframe_domains: "[]".to_owned(),
        membership_end_date: None,
        locations: None,
        account_type: String::new(),
        billing_recipient: None,
        compliance_percent: None,
        workers: None,
        licences: "[]".to_owned(),
        licensed_products: String::new(),
        next_renewal_date: None,
        account_state: String::new(),
        last_login_at: None,
        entity_count: 0,
        entity_counts: "{}".to_owned(),
        user_count: 0,
        user_counts: "{}".to_owned(),
        next_entity_number: 1,
        version: 1,
        created_at: at,
        updated_at: at,
        access_permission_locked: false,
    }
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
    let partner = own_partner(&caller, Action::ListCustomers)?;
    let now = state.clock.now();
    let customer = state
        .read(move |_, conn| {
            let row = partner_customer(conn, &partner, &customer_id)?;
            tenancy::check_listed(conn, &caller, &row)?;
            let live_grant = persistence::access::holds_live_grant(
                conn,
                &caller.actor.user_id,
                &row.id,
                persistence::time::to_db(now),
            )?;
            Ok::<_, ApiError>(customer_record::seen(row, live_grant))
        })
        .await?;
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
    let partner = own_partner(&caller, Action::ManageCustomers)?;
    let changes = body.into_inner()?;
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let now = state.clock.now();
    let customer = state
        .transaction(move |_, conn| {
            let before = partner_customer(conn, &partner, &customer_id)?;
            check_if_match(if_match.as_deref(), before.version)?;
            if let Some(id) = &changes.id
                && id
                    .as_deref()
                    .and_then(|id| CustomerId::parse(id).ok())
                    .map(String::from)
                    != Some(before.id.clone())
            {
                return Err(ApiError::rule(
                    ErrorCode::ImmutableField,
                    format!(
                        "`id`: the customer ID {} is its login prefix and never changes.",
                        before.id
                    ),
                ));
            }
            let owner =
                partners::find(conn, partner.as_str())?.ok_or(ApiError::NotFound("partner"))?;
            let catalogues = Catalogues::load(conn, Some(&before))?;
            let merged = CustomerFields::from(&before).overlay(changes.clone());
            let mut fields = Fields::default();
            let record =
                customer_record::parse(&merged, owner.on_price_plan, &catalogues, &mut fields);
            if let Some(record) = &record
                && customers::reference_taken(
                    conn,
                    partner.as_str(),
                    record.reference.as_str(),
                    &before.id,
                )?
            {
                fields.check::<()>(
                    "ref",
                    Err(Invalid::new(
                        "taken",
                        "is already used by another of your customers",
                    )),
                );
            }
            fields.finish()?;
            let record = record.ok_or_else(|| ApiError::internal("a checked record is missing"))?;
            let mut after = before.clone();
            record.apply_to(&mut after);
            if before.access_permission_locked && !after.requires_access_permission {
                return Err(ApiError::rule(
                    ErrorCode::LockedByCustomer,
                    format!(
                        "{}'s own admins switched \"requires customer access permissions\" on: \
                         only they can switch it off.",
                        before.id
                    ),
                ));
            }
            if after == before {
                return Ok(Customer::from(after));
            }
            after.version = before.version + 1;
            after.updated_at = to_db(now);
            customers::update(conn, &after)?;
            if before.active && !after.active {
                sessions::revoke_all_for_account(
                    conn,
                    &after.id,
                    "customer_deactivated",
                    to_db(now),
                )?;
            }
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "customer.updated",
                    target_type: "customer",
                    target_id: &after.id,
                    partner_id: Some(partner.as_str()),
                    customer_id: Some(&after.id),
                    before: audit::snapshot(&Customer::from(before.clone())),
                    after: audit::snapshot(&Customer::from(after.clone())),
                },
            )?;
            Ok(Customer::from(after))
        })
        .await?;
    let version = customer.version;
    Ok(with_etag(HttpResponse::Ok().json(customer), version))
}
