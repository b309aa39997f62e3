//! A customer's own users (seeds 001 and 002): invite, list, read, edit, promote and demote,
//! deactivate and reactivate, re-send the invitation, remove. Roles `admin` (manages users, licences and access) and `guest` (uses the account,
//! manages nothing; where an invited user starts). They log in with the customer ID as account
//! ID. Not to be confused with the partner users a customer lets in (`POST /account/guests`).

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::ids::AccountKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::account_users::UserQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Confirmation, JsonBody};
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;
use services::customers::users::{self, CustomerUser as UserView, NewUser};
use services::users::members::UserEdit;
use services::users::onboarding::Person;

pub fn configure(cfg: &mut Registry) {
    cfg.service(invite_customer_user)
        .service(list_customer_users)
        .service(get_customer_user)
        .service(update_customer_user)
        .service(remove_customer_user)
        .service(resend_customer_user_invitation)
        .service(reset_customer_user_password);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Cleo Hart", "email": "cleo@acme.example"}))]
pub struct NewCustomerUser {
    #[schema(example = "Cleo Hart")]
    pub name: String,
    #[schema(example = "cleo@acme.example")]
    pub email: String,
    /// Defaults to the email address.
    pub logon: Option<String>,
    /// `guest` (the default: uses the account, manages nothing) or `admin`.
    #[schema(example = "guest")]
    pub role: Option<String>,
}

impl From<NewCustomerUser> for NewUser {
    fn from(body: NewCustomerUser) -> Self {
        NewUser {
            person: Person {
                name: body.name,
                email: body.email,
                logon: body.logon,
            },
            role: body.role,
        }
    }
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "admin"}))]
pub struct CustomerUserChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub logon: Option<String>,
    /// `admin` promotes, `guest` demotes.
    #[schema(example = "admin")]
    pub role: Option<String>,
    /// `false` deactivates: the user's logins are blocked and their sessions end at once (their
    /// seats stay held); `true` reactivates.
    pub active: Option<bool>,
}

impl From<CustomerUserChanges> for UserEdit {
    fn from(body: CustomerUserChanges) -> Self {
        UserEdit {
            name: body.name,
            email: body.email,
            logon: body.logon,
            role: body.role,
            active: body.active,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerUser {
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    #[schema(example = "Cleo Hart")]
    pub name: String,
    #[schema(example = "cleo@acme.example")]
    pub email: String,
    /// Logs in with this and the customer ID as account ID.
    #[schema(example = "cleo@acme.example")]
    pub logon: String,
    /// `admin` or `guest`.
    #[schema(example = "guest")]
    pub role: String,
    pub active: bool,
    /// The user has not finished their invitation (password and authenticator) yet.
    pub pending_invitation: bool,
    /// The products of the customer's licences the user holds a seat of.
    #[schema(example = json!(["analytics"]))]
    pub licences: Vec<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserView> for CustomerUser {
    fn from(user: UserView) -> Self {
        CustomerUser {
            id: user.id,
            customer_id: user.customer_id,
            name: user.name,
            email: user.email,
            logon: user.logon,
            role: user.role,
            active: user.active,
            pending_invitation: user.pending_invitation,
            licences: user.licences,
            last_login_at: user.last_login_at,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerUserPage {
    pub items: Vec<CustomerUser>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Invite a user into a customer: they get an email to set a password and enrol an
/// authenticator, and start as a `guest` unless `role` says `admin`.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    request_body = NewCustomerUser,
    responses(
        (status = 201, description = "Invited: the invitation email is on its way", body = CustomerUser,
         headers(("Location" = String, description = "The user's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer"),
        (status = 409, description = "The logon is taken in this customer"),
        (status = 422, description = "Invalid fields"),
    ),
)]
#[post("/customers/{customer_id}/users")]
async fn invite_customer_user(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<NewCustomerUser>,
) -> Result<HttpResponse, ApiError> {
    let customer = users::manager(&caller, &customer_id)?;
    let new = NewUser::from(body.into_inner()?);
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            users::invite(
                conn,
                &state.settings,
                &state.keys,
                &caller,
                &customer,
                &new,
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/customers/{}/users/{}", user.customer_id, user.id),
        ))
        .json(CustomerUser::from(user)))
}

/// List a customer's users, by name.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), UserQuery, PageQuery),
    responses(
        (status = 200, description = "A page of users", body = CustomerUserPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not see this customer's users"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "An unknown role"),
    ),
)]
#[get("/customers/{customer_id}/users")]
async fn list_customer_users(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    filter: web::Query<UserQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<CustomerUserPage>, ApiError> {
    let customer = users::reader(&caller, &customer_id)?;
    let filter = filter.filter(AccountKind::Customer)?;
    let (limit, after) = (page.limit()?, page.after()?);
    let rows = state
        .read(move |_, conn| {
            let after = after.as_ref().map(|(n, i)| (n.as_str(), i.as_str()));
            users::list(conn, &caller, &customer, filter.clone(), after, limit + 1)
        })
        .await?;
    let (rows, next) = paging::page(rows, limit, |user| (&user.name, &user.id));
    let items = rows.into_iter().map(CustomerUser::from).collect();
    Ok(web::Json(CustomerUserPage { items, next }))
}

/// Read one of a customer's users.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The user", body = CustomerUser),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not see this customer's users"),
        (status = 404, description = "No such customer or user"),
    ),
)]
#[get("/customers/{customer_id}/users/{user_id}")]
async fn get_customer_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<CustomerUser>, ApiError> {
    let (customer_id, user_id) = path.into_inner();
    let customer = users::reader(&caller, &customer_id)?;
    let user = state
        .read(move |_, conn| users::get(conn, &caller, &customer, &user_id))
        .await?;
    Ok(web::Json(user.into()))
}

/// Edit a customer's user: name, email, logon; promote (`role: admin`) or demote (`guest`);
/// deactivate (`active: false`, their sessions end) or reactivate.
///
/// A change that would leave the customer without an active admin, once it has had one, is
/// refused with 409 `last_active_admin`.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    request_body = CustomerUserChanges,
    responses(
        (status = 200, description = "The updated user", body = CustomerUser),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer or user"),
        (status = 409, description = "The last active admin, or a logon taken"),
        (status = 422, description = "Invalid fields"),
    ),
)]
#[patch("/customers/{customer_id}/users/{user_id}")]
async fn update_customer_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<CustomerUserChanges>,
) -> Result<web::Json<CustomerUser>, ApiError> {
    let (customer_id, user_id) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    let edit = UserEdit::from(body.into_inner()?);
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            users::update(conn, &state.keys, &caller, &customer, &user_id, &edit, now)
        })
        .await?;
    Ok(web::Json(user.into()))
}

/// Remove a customer's user for good: their seats are freed and they are emailed that their
/// access was removed.
///
/// Needs `confirm=true`: without it the answer is 422 `confirmation_required`.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path), Confirmation),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer or user"),
        (status = 409, description = "The last active admin"),
        (status = 422, description = "`confirm=true` is missing"),
    ),
)]
#[delete("/customers/{customer_id}/users/{user_id}")]
async fn remove_customer_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    confirmation: web::Query<Confirmation>,
) -> Result<HttpResponse, ApiError> {
    let (customer_id, user_id) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    confirmation.given()?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            users::remove(conn, &state.keys, &caller, &customer, &user_id, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Re-send the invitation email; the previous link stops working.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 202, description = "A new invitation is on its way"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer or user"),
        (status = 409, description = "The user already accepted their invitation"),
    ),
)]
#[post("/customers/{customer_id}/users/{user_id}/invitation")]
async fn resend_customer_user_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (customer_id, user_id) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            users::resend_invitation(
                conn,
                &state.settings,
                &state.keys,
                &caller,
                &customer,
                &user_id,
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Send the user a password-reset link (never a password): their sessions end, and the link
/// works once, for an hour.
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("user_id" = String, Path)),
    responses(
        (status = 202, description = "The reset link is on its way; the user's sessions ended"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer or user"),
        (status = 409, description = "The user's invitation is pending, or the user is inactive"),
    ),
)]
#[post("/customers/{customer_id}/users/{user_id}/password-reset")]
async fn reset_customer_user_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (customer_id, user_id) = path.into_inner();
    let customer = users::manager(&caller, &customer_id)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            users::send_password_reset(
                conn,
                &state.settings,
                &state.keys,
                &caller,
                &customer,
                &user_id,
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
