//! Logging in and out: account ID + logon + password + TOTP code → an access token (15 min)
//! and a refresh token that rotates on every use.

use actix_web::{HttpResponse, post, web};
use domain::password::NewPassword;
use serde::{Deserialize, Serialize};
use services::identity::sessions::{self, NewRefreshToken};
use services::identity::{password, password_reset};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::auth::caller::Origin;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(request_password_reset)
        .service(reset_password);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "PARTACME", "logon": "ana@acme.example", "password": "correct horse battery staple", "code": "123456"}))]
pub struct Login {
    /// `PLATFORM`, a partner ID (`PART…`) or a customer ID.
    #[schema(example = "PARTACME")]
    pub account_id: String,
    /// The user logon (by default the email address); `username` is accepted too.
    #[schema(example = "ana@acme.example")]
    #[serde(alias = "username")]
    pub logon: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
    /// The authenticator app's current 6-digit code, or an unused recovery code.
    #[schema(example = "123456")]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "k3Jx…the refresh_token of the last answer"}))]
pub struct Refresh {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Tokens {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Exchange at POST /auth/refresh for new tokens; works once.
    pub refresh_token: String,
}

impl From<sessions::Tokens> for Tokens {
    fn from(tokens: sessions::Tokens) -> Self {
        Tokens {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in,
            refresh_token: tokens.refresh_token,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "PARTACME", "logon": "ana@acme.example"}))]
pub struct PasswordResetRequest {
    #[schema(example = "PARTACME")]
    pub account_id: String,
    #[schema(example = "ana@acme.example")]
    pub logon: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "a new long passphrase"}))]
pub struct PasswordReset {
    /// 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

/// Log in.
///
/// Any wrong part — account, logon, password, code — answers the same 401
/// `invalid_credentials`, in about the same time. After 10 failures in a row the user is locked
/// out for 15 minutes (both configurable; answered the same way).
#[utoipa::path(
    tag = "auth",
    request_body = Login,
    responses(
        (status = 200, description = "Logged in", body = Tokens),
        (status = 401, description = "Invalid credentials"),
    ),
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    body: JsonBody<Login>,
    Origin(meta): Origin,
) -> Result<web::Json<Tokens>, ApiError> {
    let login = body.into_inner()?;
    let now = state.clock.now();
    let (account_id, logon) = (login.account_id.clone(), login.logon.clone());
    let user = state
        .read(move |_, conn| sessions::login_user(conn, &account_id, &logon))
        .await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = password::verify(login.password, stored).await?;
    let Some(user) = user else {
        let refused = state
            .transaction(move |_, conn| {
                sessions::login_failed_unknown(conn, &meta, &login.account_id, &login.logon, now)
            })
            .await?;
        return Err(refused.into());
    };
    let issued = NewRefreshToken::generate()?;
    let stored = issued.clone();
    let opened = state
        .transaction(move |state, conn| {
            let keys = &state.keys;
            let settings = &state.settings;
            let (code, id) = (&login.code, &user.id);
            sessions::complete_login(
                conn,
                keys,
                settings,
                &meta,
                id,
                password_ok,
                code,
                &stored,
                now,
            )
        })
        .await??;
    let tokens = sessions::tokens_for(&state.keys, &opened.user, &opened.session, issued, now)?;
    Ok(web::Json(tokens.into()))
}

/// Exchange a refresh token for new tokens.
///
/// The refresh token is rotated: the one presented stops working. Presenting an already-used
/// one (a sign it was stolen) ends the whole session.
#[utoipa::path(
    tag = "auth",
    request_body = Refresh,
    responses(
        (status = 200, description = "New tokens", body = Tokens),
        (status = 401, description = "Unknown, used, expired or revoked refresh token"),
    ),
)]
#[post("/auth/refresh")]
async fn refresh(
    state: web::Data<AppState>,
    body: JsonBody<Refresh>,
    Origin(meta): Origin,
) -> Result<web::Json<Tokens>, ApiError> {
    let presented = body.into_inner()?.refresh_token;
    let next = NewRefreshToken::generate()?;
    let stored = next.clone();
    let now = state.clock.now();
    let opened = state
        .transaction(move |_, conn| sessions::refresh(conn, &meta, &presented, &stored, now))
        .await??;
    let tokens = sessions::tokens_for(&state.keys, &opened.user, &opened.session, next, now)?;
    Ok(web::Json(tokens.into()))
}

/// Log out: the session ends; its access and refresh tokens stop working at once, and so do the
/// acting sessions it opened in customers. With an acting session's token, only that one ends
/// (back to the partner account).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not authenticated"),
    ),
)]
#[post("/auth/logout")]
async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    state
        .transaction(move |_, conn| sessions::logout(conn, &caller, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask for a password-reset link by email.
///
/// Always answers 202, whether or not such a user exists, so that it reveals nothing. The link
/// works once, for an hour.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "If the user exists, a link is on its way")),
)]
#[post("/auth/password-reset")]
async fn request_password_reset(
    state: web::Data<AppState>,
    body: JsonBody<PasswordResetRequest>,
    Origin(meta): Origin,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            let (account, logon) = (&body.account_id, &body.logon);
            let keys = &state.keys;
            password_reset::request_reset(conn, &state.settings, keys, &meta, account, logon, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Choose a new password with the link from the reset email. Every session of the user ends.
#[utoipa::path(
    tag = "auth",
    params(("token" = String, Path, description = "The token from the reset link")),
    request_body = PasswordReset,
    responses(
        (status = 204, description = "Changed; log in with the new password"),
        (status = 404, description = "No such link"),
        (status = 410, description = "Used, replaced or expired"),
    ),
)]
#[post("/auth/password-reset/{token}")]
async fn reset_password(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: JsonBody<PasswordReset>,
    Origin(meta): Origin,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    let password =
        NewPassword::parse(&body.password).map_err(|e| ApiError::field("password", e))?;
    let chosen = password::Chosen::hash("password", password).await?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| password_reset::reset(conn, &meta, &token, &chosen, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
