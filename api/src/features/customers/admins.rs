//! A customer's admins, as the partner's admins manage them (seed 000 "Add and Manage Customer
//! Admins"): invite, list, read, edit, deactivate, re-invite. The same flow as partner users
//! (`services::users::members`); they log in with the customer ID as their account ID.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::ids::{DisplayName, Email, Logon};
use domain::role::Role;
use persistence::time::from_db;
use persistence::users::{UserFilter, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, Fields};
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::state::AppState;
use services::customers::admins;
use services::users::members::UserChanges;
use services::users::onboarding;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(invite_customer_admin)
        .service(list_customer_admins)
        .service(get_customer_admin)
        .service(update_customer_admin)
        .service(resend_customer_admin_invitation);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Cara Doyle", "email": "cara@acme.example"}))]
pub struct NewCustomerAdmin {
    pub name: String,
    pub email: String,
    /// Defaults to the email address.
    pub logon: Option<String>,
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct CustomerAdminChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub logon: Option<String>,
    /// `false` blocks the admin's logins and ends their sessions at once.
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerAdmin {
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    #[schema(example = "Cara Doyle")]
    pub name: String,
    #[schema(example = "cara@acme.example")]
    pub email: String,
    /// Logs in with this and the customer ID as account ID.
    #[schema(example = "cara@acme.example")]
    pub logon: String,
    pub active: bool,
    /// The admin has not finished their invitation (password and authenticator) yet.
    pub pending_invitation: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for CustomerAdmin {
    fn from(row: UserRow) -> Self {
        CustomerAdmin {
            pending_invitation: row.totp_enrolled_at.is_none(),
            id: row.id,
            customer_id: row.account_id,
            name: row.name,
            email: row.email,
            logon: row.logon,
            active: row.active,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerAdminPage {
    pub items: Vec<CustomerAdmin>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerAdminFilter {
    /// Only active (`true`) or inactive (`false`) admins.
    pub active: Option<bool>,
    /// Only admins whose invitation is pending (`true`) or done (`false`).
    pub pending_invitation: Option<bool>,
}

/// Invite a customer admin: they get an email to set a password and enrol an authenticator.
#[utoipa::path(
    tag = "customer admins",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    request_body = NewCustomerAdmin,
    responses(
        (status = 201, description = "Invited: the invitation email is on its way", body = CustomerAdmin,
         headers(("Location" = String, description = "The admin's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage customer admins"),
        (status = 404, description = "No such customer"),
        (status = 409, description = "The logon is taken in this customer"),
    ),
)]
#[post("/customers/{customer_id}/admins")]
async fn invite_customer_admin(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<NewCustomerAdmin>,
) -> Result<HttpResponse, ApiError> {
    let partner = admins::manager(&caller)?;
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let person = onboarding::parse_person(
        &mut fields,
        "",
        &body.name,
        &body.email,
        body.logon.as_deref(),
    );
    let (name, email, logon) = fields.conclude(person)?;
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            Ok::<_, ApiError>(admins::members(conn, &partner, &customer_id)?.invite(
                conn,
                &state.settings,
                &state.keys,
                caller.by(now),
                (name.clone(), email.clone(), logon.clone()),
                Role::CustomerAdmin,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/customers/{}/admins/{}", user.account_id, user.id),
        ))
        .json(CustomerAdmin::from(user)))
}

/// List a customer's admins, by name.
#[utoipa::path(
    tag = "customer admins",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), CustomerAdminFilter, PageQuery),
    responses(
        (status = 200, description = "A page of admins", body = CustomerAdminPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage customer admins"),
        (status = 404, description = "No such customer"),
    ),
)]
#[get("/customers/{customer_id}/admins")]
async fn list_customer_admins(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    filter: web::Query<CustomerAdminFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<CustomerAdminPage>, ApiError> {
    let partner = admins::manager(&caller)?;
    let filter = UserFilter {
        role: None,
        active: filter.active,
        pending: filter.pending_invitation,
    };
    let (limit, after) = (page.limit()?, page.after()?);
    let rows = state
        .read(move |_, conn| {
            let after = after.as_ref().map(|(n, i)| (n.as_str(), i.as_str()));
            Ok::<_, ApiError>(admins::members(conn, &partner, &customer_id)?.list(
                conn,
                filter.clone(),
                after,
                limit + 1,
            )?)
        })
        .await?;
    let (rows, next) = paging::page(rows, limit, |row| (&row.name, &row.id));
    Ok(web::Json(CustomerAdminPage {
        items: rows.into_iter().map(CustomerAdmin::from).collect(),
        next,
    }))
}

/// Read one customer admin.
#[utoipa::path(
    tag = "customer admins",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The admin", body = CustomerAdmin),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage customer admins"),
        (status = 404, description = "No such customer or admin"),
    ),
)]
#[get("/customers/{customer_id}/admins/{user_id}")]
async fn get_customer_admin(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<CustomerAdmin>, ApiError> {
    let partner = admins::manager(&caller)?;
    let (customer_id, user_id) = path.into_inner();
    let user = state
        .read(move |_, conn| admins::members(conn, &partner, &customer_id)?.load(conn, &user_id))
        .await?;
    Ok(web::Json(user.into()))
}

/// Edit a customer admin: name, email, logon, active. Deactivating ends their sessions.
#[utoipa::path(
    tag = "customer admins",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    request_body = CustomerAdminChanges,
    responses(
        (status = 200, description = "The updated admin", body = CustomerAdmin),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage customer admins"),
        (status = 404, description = "No such customer or admin"),
        (status = 409, description = "The logon is taken in this customer"),
    ),
)]
#[patch("/customers/{customer_id}/admins/{user_id}")]
async fn update_customer_admin(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<CustomerAdminChanges>,
) -> Result<web::Json<CustomerAdmin>, ApiError> {
    let partner = admins::manager(&caller)?;
    let (customer_id, user_id) = path.into_inner();
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let changes = UserChanges {
        name: fields.optional("name", body.name.as_deref(), DisplayName::parse),
        email: fields.optional("email", body.email.as_deref(), Email::parse),
        logon: fields.optional("logon", body.logon.as_deref(), Logon::parse),
        role: None,
        active: body.active,
    };
    fields.finish()?;
    let now = state.clock.now();
    let user = state
        .transaction(move |_, conn| {
            Ok::<_, ApiError>(admins::members(conn, &partner, &customer_id)?.update(
                conn,
                caller.by(now),
                &user_id,
                &changes,
            )?)
        })
        .await?;
    Ok(web::Json(user.into()))
}

/// Re-send the invitation email; the previous link stops working.
#[utoipa::path(
    tag = "customer admins",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 202, description = "A new invitation is on its way"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins manage customer admins"),
        (status = 404, description = "No such customer or admin"),
        (status = 409, description = "The admin already accepted their invitation"),
    ),
)]
#[post("/customers/{customer_id}/admins/{user_id}/invitation")]
async fn resend_customer_admin_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let partner = admins::manager(&caller)?;
    let (customer_id, user_id) = path.into_inner();
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            Ok::<_, ApiError>(
                admins::members(conn, &partner, &customer_id)?.resend_invitation(
                    conn,
                    &state.settings,
                    &state.keys,
                    caller.by(now),
                    &user_id,
                )?,
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
