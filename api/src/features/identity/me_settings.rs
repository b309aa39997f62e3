//! The caller's own settings (seed 000 "User Profile Settings", seed 004 "Account management"):
//! the HTTP side of [`services::identity::profile`].

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use domain::ids::{Email, Logon};
use domain::password::NewPassword;
use persistence::time::from_db;
use persistence::users::UserRow;
use serde::{Deserialize, Serialize};
use services::identity::{password, profile, secrets, totp};
use utoipa::ToSchema;

use super::invitations::{ConfirmTotp, RECOVERY_CODES, RecoveryCodes, TotpEnrolment};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_my_sessions)
        .service(end_my_session)
        .service(change_my_password)
        .service(change_my_email)
        .service(change_my_logon)
        .service(start_totp_change)
        .service(confirm_totp_change)
        .service(regenerate_recovery_codes)
        .service(get_my_notifications)
        .service(set_my_notifications);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MySession {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session this request is made with.
    pub current: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple", "new_password": "a new long passphrase"}))]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple", "email": "ana.byrne@acme.example"}))]
pub struct EmailChange {
    /// The current password, to prove it is you.
    pub password: String,
    #[schema(example = "ana.byrne@acme.example")]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple", "logon": "ana"}))]
pub struct LogonChange {
    /// The current password, to prove it is you.
    pub password: String,
    #[schema(example = "ana")]
    pub logon: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"frequency": "weekly", "categories": ["access_requests", "invitations"]}))]
pub struct NotificationPreferences {
    /// `none`, `daily` or `weekly` (Monday morning).
    #[schema(example = "weekly")]
    pub frequency: String,
    /// Which kinds of outstanding task the digest covers: any of `access_requests`,
    /// `invitations`, `customer_accounts`, `platform_requests`.
    #[schema(example = json!(["access_requests"]))]
    pub categories: Vec<String>,
}

/// Checks `password` against the caller's own (outside any transaction: hashing is slow).
async fn reauthenticate(
    state: &AppState,
    caller: &Caller,
    password: String,
    field: &'static str,
) -> Result<(), ApiError> {
    let me = caller.clone();
    let user = state.read(move |_, conn| profile::me(conn, &me)).await?;
    if password::verify(password, user.password_hash).await? {
        Ok(())
    } else {
        Err(profile::incorrect(field).into())
    }
}

/// List my live sessions.
#[utoipa::path(tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "Live sessions, newest first", body = Vec<MySession>),
              (status = 401, description = "Not authenticated")))]
#[get("/me/sessions")]
async fn list_my_sessions(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<MySession>>, ApiError> {
    let now = state.clock.now();
    let current = caller.session_id.clone();
    let rows = state
        .read(move |_, conn| profile::sessions(conn, &caller, now))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|s| MySession {
                current: s.id == current,
                id: s.id,
                created_at: from_db(s.created_at),
                last_used_at: from_db(s.last_used_at),
                expires_at: from_db(s.expires_at),
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

/// End one of my sessions (another device, or this one).
#[utoipa::path(tag = "me", security(("bearer" = [])),
    params(("session_id" = String, Path)),
    responses((status = 204, description = "Ended"), (status = 401, description = "Not authenticated"),
              (status = 404, description = "No such session of mine")))]
#[delete("/me/sessions/{session_id}")]
async fn end_my_session(
    state: web::Data<AppState>,
    caller: Caller,
    session_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    state
        .transaction(move |_, conn| profile::end_session(conn, &caller, &session_id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change my password. Every one of my sessions ends, this one too: log in again.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed; log in again"), (status = 401, description = "Not authenticated"),
              (status = 422, description = "The current password is wrong, or the new one too weak")))]
#[put("/me/password")]
async fn change_my_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner()?;
    let new_password =
        NewPassword::parse(&new_password).map_err(|e| ApiError::field("new_password", e))?;
    reauthenticate(&state, &caller, current_password, "current_password").await?;
    let chosen = password::Chosen::hash("new_password", new_password).await?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| profile::change_password(conn, &caller, &chosen, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change my email address. The old address is told; every one of my sessions ends.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = EmailChange,
    responses((status = 204, description = "Changed; log in again"), (status = 401, description = "Not authenticated"),
              (status = 422, description = "The password is wrong, or the email invalid")))]
#[put("/me/email")]
async fn change_my_email(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<EmailChange>,
) -> Result<HttpResponse, ApiError> {
    let EmailChange { password, email } = body.into_inner()?;
    let email = Email::parse(&email).map_err(|e| ApiError::field("email", e))?;
    reauthenticate(&state, &caller, password, "password").await?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            profile::change_email(conn, &state.keys, &caller, &email, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change my logon (the name I log in with).
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = LogonChange,
    responses((status = 204, description = "Changed"), (status = 401, description = "Not authenticated"),
              (status = 409, description = "The logon is taken in my account"),
              (status = 422, description = "The password is wrong, or the logon invalid")))]
#[put("/me/logon")]
async fn change_my_logon(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<LogonChange>,
) -> Result<HttpResponse, ApiError> {
    let LogonChange { password, logon } = body.into_inner()?;
    let logon = Logon::parse(&logon).map_err(|e| ApiError::field("logon", e))?;
    reauthenticate(&state, &caller, password, "password").await?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| profile::change_logon(conn, &caller, &logon, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start moving to a new authenticator: prove the current one with a code, get the new one's
/// enrolment. The current authenticator keeps working until the new one is confirmed.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = ConfirmTotp,
    responses((status = 200, description = "The new authenticator to confirm", body = TotpEnrolment),
              (status = 401, description = "Not authenticated"),
              (status = 422, description = "The current code does not match")))]
#[post("/me/totp")]
async fn start_totp_change(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ConfirmTotp>,
) -> Result<web::Json<TotpEnrolment>, ApiError> {
    let code = body.into_inner()?.code;
    let secret = totp::generate_secret();
    let now = state.clock.now();
    let pending = secret.clone();
    let user = state
        .transaction(move |state, conn| {
            profile::start_totp_change(conn, &state.keys, &caller, &code, &pending, now)
        })
        .await?;
    Ok(web::Json(TotpEnrolment::new(&secret, &user)?))
}

/// Confirm the new authenticator with a code from it; the old one stops working.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = ConfirmTotp,
    responses((status = 204, description = "Switched to the new authenticator"),
              (status = 401, description = "Not authenticated"),
              (status = 422, description = "No change was started, or the code does not match the new authenticator")))]
#[post("/me/totp/confirm")]
async fn confirm_totp_change(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ConfirmTotp>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner()?.code;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            profile::confirm_totp_change(conn, &state.keys, &caller, &code, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace my recovery codes (the old ones stop working); needs a current code.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = ConfirmTotp,
    responses((status = 200, description = "The new codes; shown once", body = RecoveryCodes),
              (status = 401, description = "Not authenticated"),
              (status = 422, description = "The code does not match")))]
#[post("/me/recovery-codes")]
async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ConfirmTotp>,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    let code = body.into_inner()?.code;
    let (codes, hashed) = secrets::recovery_codes(RECOVERY_CODES)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            profile::replace_recovery_codes(conn, &state.keys, &caller, &code, &hashed, now)
        })
        .await?;
    Ok(web::Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// My notification preferences.
#[utoipa::path(tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "The preferences", body = NotificationPreferences),
              (status = 401, description = "Not authenticated")))]
#[get("/me/notifications")]
async fn get_my_notifications(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    let user = state
        .read(move |_, conn| profile::me(conn, &caller))
        .await?;
    Ok(web::Json(preferences_of(&user)))
}

fn preferences_of(user: &UserRow) -> NotificationPreferences {
    NotificationPreferences {
        frequency: user.notification_frequency.clone(),
        categories: user
            .notification_categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

/// Set my notification preferences.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = NotificationPreferences,
    responses((status = 200, description = "The preferences now", body = NotificationPreferences),
              (status = 401, description = "Not authenticated"),
              (status = 422, description = "An unknown frequency or category")))]
#[put("/me/notifications")]
async fn set_my_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NotificationPreferences>,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    let body = body.into_inner()?;
    let now = state.clock.now();
    let user = state
        .transaction(move |_, conn| {
            profile::set_notifications(conn, &caller, &body.frequency, &body.categories, now)
        })
        .await?;
    Ok(web::Json(preferences_of(&user)))
}
