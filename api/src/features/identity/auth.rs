//! Logging in and out: account ID + logon + password + TOTP code → an access token (15 min)
//! and a refresh token that rotates on every use.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Duration, Utc};
use domain::ids::{AccountId, AccountKind, Logon};
use domain::password::NewPassword;
use domain::role::Role;
use persistence::sessions::{self, SessionRow};
use persistence::time::{from_db, to_db};
use persistence::users::{self, UserRow};
use persistence::{DbConnection, recovery_codes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::auth::caller::Origin;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use services::audit::{self, By, Change};
use services::identity::jwt::{self, ACCESS_TOKEN_TTL, Claims};
use services::identity::{password, secrets, totp};
use services::mail::{self, Message};
use services::users::onboarding::{self, PASSWORD_RESET};

pub fn configure(cfg: &mut ServiceConfig) {
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
    let Login {
        account_id,
        logon,
        password,
        code,
    } = body.into_inner()?;
    let now = state.clock.now();
    let db = state.db.clone();
    // Look the user up first, then hash outside any transaction (hashing is the slow part).
    let account = AccountId::parse(&account_id).ok();
    let logon = Logon::parse(&logon).ok();
    let user = match (&account, &logon) {
        (Some(account), Some(logon)) => {
            let (account, logon) = (account.as_str().to_owned(), logon.as_str().to_owned());
            web::block(move || {
                db.read(|conn| Ok::<_, ApiError>(users::find_by_logon(conn, &account, &logon)?))
            })
            .await??
        }
        _ => None,
    };
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = password::verify(password, stored).await?;
    let Some(user) = user else {
        // Recorded like any failed login, which also gives this answer the same database work
        // as a known user's failure: the time taken does not tell whether the user exists.
        let attempted = format!(
            "{account_id}/{}",
            logon.map(String::from).unwrap_or_default()
        );
        state
            .transaction(move |_, conn| {
                audit::record(
                    conn,
                    By::anonymous(&meta, now),
                    Change {
                        action: "session.login_failed",
                        target_type: "logon",
                        target_id: &attempted,
                        ..Change::default()
                    },
                )
            })
            .await?;
        return Err(ApiError::invalid_credentials());
    };

    let refresh_token = secrets::random_token()?;
    let refresh_hash = secrets::hash_token(&refresh_token);
    let state2 = state.clone();
    let outcome = state2
        .transaction(move |state2, conn| {
            let Some(mut user) = users::find(conn, &user.id)? else {
                return Ok(Err(ApiError::invalid_credentials()));
            };
            let verdict = check_login(conn, state2, &mut user, password_ok, &code, now)?;
            user.updated_at = to_db(now);
            if verdict.is_err() {
                user.failed_logins += 1;
                let settings = &state2.settings;
                if user.failed_logins >= i32::try_from(settings.lockout_after).unwrap_or(i32::MAX) {
                    user.locked_until = Some(to_db(now + settings.lockout_for));
                    user.failed_logins = 0;
                }
                users::update(conn, &user)?;
                audit::record(
                    conn,
                    By::anonymous(&meta, now),
                    Change {
                        action: "session.login_failed",
                        target_type: "user",
                        target_id: &user.id,
                        partner_id: audit::partner_of(&user),
                        ..Change::default()
                    },
                )?;
                return Ok(Err(ApiError::invalid_credentials()));
            }
            user.failed_logins = 0;
            user.locked_until = None;
            users::update(conn, &user)?;
            let session = SessionRow {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: user.id.clone(),
                refresh_token_hash: refresh_hash.clone(),
                created_at: to_db(now),
                authenticated_at: to_db(now),
                last_used_at: to_db(now),
                expires_at: to_db(now + state2.settings.session_ttl),
                revoked_at: None,
                revoked_reason: None,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                acting_customer_id: None,
                grant_id: None,
                parent_session_id: None,
            };
            sessions::insert(conn, &session)?;
            if user.account_kind == AccountKind::Customer.as_str() {
                persistence::customers::record_login(conn, &user.account_id, to_db(now))?;
            }
            audit::record(
                conn,
                By::user(&user.id, &meta, now),
                Change {
                    action: "session.created",
                    target_type: "session",
                    target_id: &session.id,
                    partner_id: audit::partner_of(&user),
                    ..Change::default()
                },
            )?;
            Ok::<_, ApiError>(Ok((user, session)))
        })
        .await?;
    // A failed attempt is committed (it counts towards the lockout) and then refused.
    let (user, session) = outcome?;
    Ok(web::Json(tokens_for(
        &state,
        &user,
        &session,
        refresh_token,
        now,
    )?))
}

/// Everything but the password, which was checked before the transaction. `Err(())` means
/// "invalid credentials", whatever the reason.
fn check_login(
    conn: &mut DbConnection,
    state: &AppState,
    user: &mut UserRow,
    password_ok: bool,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), ()>, ApiError> {
    let locked = user.locked_until.is_some_and(|until| from_db(until) > now);
    let kind = AccountKind::parse(&user.account_kind);
    let may_log_in = kind
        .and_then(|kind| Role::parse(kind, &user.role))
        .is_some_and(Role::can_log_in);
    let account_active = match kind {
        Some(kind) => services::identity::account_lets_in(conn, kind, &user.account_id)?,
        None => false,
    };
    let enrolled = user.totp_enrolled_at.is_some();
    if !password_ok || locked || !may_log_in || !account_active || !user.active || !enrolled {
        return Ok(Err(()));
    }
    let Some(sealed) = user.totp_secret.as_deref() else {
        return Ok(Err(()));
    };
    let secret = state.keys.open(sealed)?;
    if let Some(step) = totp::check(&secret, code, now, user.totp_last_step) {
        user.totp_last_step = Some(step);
        return Ok(Ok(()));
    }
    // Not a current code: perhaps an unused recovery code.
    let presented = secrets::hash_token(&code.trim().to_ascii_lowercase());
    let recovery = recovery_codes::unused_for_user(conn, &user.id)?
        .into_iter()
        .find(|c| c.code_hash == presented);
    match recovery {
        Some(code) => {
            recovery_codes::mark_used(conn, &code.id, to_db(now))?;
            Ok(Ok(()))
        }
        None => Ok(Err(())),
    }
}

/// Tokens for `session` of `user`. An acting session's token names the customer as its
/// account and the partner user in `act`.
pub(crate) fn tokens_for(
    state: &AppState,
    user: &UserRow,
    session: &SessionRow,
    refresh_token: String,
    now: DateTime<Utc>,
) -> Result<Tokens, ApiError> {
    let (acct, kind, act) = match &session.acting_customer_id {
        Some(customer) => (
            customer.clone(),
            AccountKind::Customer.as_str().to_owned(),
            Some(user.id.clone()),
        ),
        None => (user.account_id.clone(), user.account_kind.clone(), None),
    };
    let claims = Claims {
        sub: user.id.clone(),
        acct,
        kind,
        sid: session.id.clone(),
        iat: 0,
        exp: 0,
        act,
    };
    Ok(Tokens {
        access_token: jwt::issue(&state.keys, claims, now)?,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_TTL.num_seconds(),
        refresh_token,
    })
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
    let body = body.into_inner()?;
    let presented = secrets::hash_token(&body.refresh_token);
    let new_token = secrets::random_token()?;
    let new_hash = secrets::hash_token(&new_token);
    let now = state.clock.now();
    let state2 = state.clone();
    let outcome = state2
        .transaction(move |_, conn| {
            let Some(session) = sessions::find_by_refresh_hash(conn, &presented)? else {
                if let Some(session_id) = sessions::find_by_used_refresh_hash(conn, &presented)? {
                    let revoked =
                        sessions::revoke(conn, &session_id, "refresh_token_reuse", to_db(now))?;
                    if revoked > 0 {
                        audit::record(
                            conn,
                            By::anonymous(&meta, now),
                            Change {
                                action: "session.revoked_on_refresh_reuse",
                                target_type: "session",
                                target_id: &session_id,
                                ..Change::default()
                            },
                        )?;
                    }
                }
                return Ok(Err(ApiError::unauthenticated()));
            };
            let live = session.revoked_at.is_none() && from_db(session.expires_at) > now;
            let user = users::find(conn, &session.user_id)?.filter(|u| u.active);
            let (true, Some(user)) = (live, user) else {
                return Ok(Err(ApiError::unauthenticated()));
            };
            sessions::rotate_refresh(conn, &session, &new_hash, to_db(now))?;
            Ok::<_, ApiError>(Ok((user, session)))
        })
        .await?;
    let (user, session) = outcome?;
    Ok(web::Json(tokens_for(
        &state, &user, &session, new_token, now,
    )?))
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
        .transaction(move |_, conn| {
            sessions::revoke(conn, &caller.session_id, "logout", to_db(now))?;
            // The customers it switched into go with it.
            sessions::revoke_children(conn, &caller.session_id, "logout", to_db(now))?;
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "session.ended",
                    target_type: "session",
                    target_id: &caller.session_id,
                    ..Change::default()
                },
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How long a password-reset link works.
pub const PASSWORD_RESET_TTL: Duration = Duration::hours(1);

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
    let account = AccountId::parse(&body.account_id).ok();
    let logon = Logon::parse(&body.logon).ok();
    if let (Some(account), Some(logon)) = (account, logon) {
        let now = state.clock.now();
        state.transaction(move |state, conn| {
                let Some(user) = users::find_by_logon(conn, account.as_str(), logon.as_str())? else {
                    return Ok(());
                };
                if !user.active || user.password_hash.is_none() {
                    return Ok(());
                }
                let token = onboarding::issue_token(conn, &user, PASSWORD_RESET, now, PASSWORD_RESET_TTL)?;
                mail::queue(
                    conn,
                    now,
                    Message {
                        kind: PASSWORD_RESET,
                        recipient: user.email.clone(),
                        subject: "Reset your Partner Hub password".to_owned(),
                        body: format!(
                            "Hello {},\n\nSomeone asked to reset the password of your user {} in {}. \
                             To choose a new one, send it with this link (it works once, for an hour):\n\n\
                             {}/auth/password-reset/{token}\n\nIf it was not you, ignore this email.\n",
                            user.name, user.logon, user.account_id, state.settings.public_url
                        ),
                    },
                )?;
                audit::record(
                    conn,
                    By::anonymous(&meta, now),
                    Change {
                        action: "user.password_reset_requested",
                        target_type: "user",
                        target_id: &user.id,
                        partner_id: audit::partner_of(&user),
                        ..Change::default()
                    },
                )
            }).await?;
    }
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
    let hash = password::hash(password.expose().to_owned()).await?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| {
            let (row, mut user) = onboarding::open_token(conn, &token, PASSWORD_RESET, now)?;
            user.password_hash = Some(hash.clone());
            user.failed_logins = 0;
            user.locked_until = None;
            user.updated_at = to_db(now);
            users::update(conn, &user)?;
            persistence::tokens::mark_used(conn, &row.id, to_db(now))?;
            sessions::revoke_all_for_user(conn, &user.id, "password_reset", to_db(now))?;
            audit::record(
                conn,
                By::user(&user.id, &meta, now),
                Change {
                    action: "user.password_reset",
                    target_type: "user",
                    target_id: &user.id,
                    partner_id: audit::partner_of(&user),
                    ..Change::default()
                },
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
