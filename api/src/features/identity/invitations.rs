//! Accepting an invitation: see what it is for, choose a password, enrol an authenticator app.
//! No session is ever issued here: the user logs in once 2FA is confirmed.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use domain::password::NewPassword;
use persistence::time::from_db;
use persistence::users::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::caller::Origin;
use crate::error::{ApiError, Fields};
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;
use services::identity::{enrolment, password, secrets, totp};

pub fn configure(cfg: &mut Registry) {
    cfg.service(get_invitation)
        .service(accept_invitation)
        .service(confirm_invitation);
}

pub use services::identity::enrolment::RECOVERY_CODES;

#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    /// The account the user will log in with.
    #[schema(example = "PARTACME")]
    pub account_id: String,
    #[schema(example = "partner")]
    pub account_kind: String,
    #[schema(example = "admin")]
    pub role: String,
    #[schema(example = "Ana Byrne")]
    pub name: String,
    #[schema(example = "ana@acme.example")]
    pub email: String,
    #[schema(example = "ana@acme.example")]
    pub logon: String,
    pub expires_at: DateTime<Utc>,
    /// Whether a password was already chosen (the next step is then `confirm`).
    pub password_set: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct AcceptInvitation {
    /// 12 to 128 characters.
    #[schema(example = "correct horse battery staple")]
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

/// What an authenticator app needs; shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The shared secret, base32, for typing into the app.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The `otpauth://` URI the QR code encodes.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

impl TotpEnrolment {
    /// What `user`'s authenticator app needs to take on `secret`.
    pub fn new(secret: &[u8], user: &UserRow) -> Result<TotpEnrolment, ApiError> {
        let uri = totp::otpauth_uri(secret, &format!("{} ({})", user.logon, user.account_id))?;
        Ok(TotpEnrolment {
            secret: totp::base32(secret),
            qr_svg: totp::qr_svg(&uri)?,
            otpauth_uri: uri,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "123456"}))]
pub struct ConfirmTotp {
    /// The 6-digit code the authenticator app shows now.
    #[schema(example = "123456")]
    pub code: String,
}

/// Single-use codes that stand in for the authenticator at login; shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    #[schema(example = json!(["k3m9p-x2q7r"]))]
    pub recovery_codes: Vec<String>,
}

/// See what an invitation is for, without using it up.
#[utoipa::path(
    tag = "invitations",
    params(("token" = String, Path, description = "The token from the invitation link")),
    responses(
        (status = 200, description = "The invitation", body = Invitation),
        (status = 404, description = "No such invitation"),
        (status = 410, description = "Used, replaced or expired"),
    ),
)]
#[get("/invitations/{token}")]
async fn get_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<Invitation>, ApiError> {
    let now = state.clock.now();
    let (token, user) = state
        .read(move |_, conn| enrolment::open(conn, &token, now))
        .await?;
    let view = Invitation {
        account_id: user.account_id,
        account_kind: user.account_kind,
        role: user.role,
        name: user.name,
        email: user.email,
        logon: user.logon,
        expires_at: from_db(token.expires_at),
        password_set: user.password_hash.is_some(),
    };
    Ok(web::Json(view))
}

/// Choose a password; answers the authenticator enrolment to confirm next.
///
/// May be repeated until the enrolment is confirmed: each time sets the password again and
/// starts a new enrolment (for a user who lost the first QR code).
#[utoipa::path(
    tag = "invitations",
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "Scan or type this into an authenticator app, then confirm a code", body = TotpEnrolment),
        (status = 404, description = "No such invitation"),
        (status = 410, description = "Used, replaced or expired"),
    ),
)]
#[post("/invitations/{token}/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: JsonBody<AcceptInvitation>,
) -> Result<web::Json<TotpEnrolment>, ApiError> {
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let password = fields.check("password", NewPassword::parse(&body.password));
    let password = fields.conclude(password)?;
    // Hashing is slow on purpose: done before the transaction, not inside it.
    let chosen = password::Chosen::hash("password", password).await?;
    let secret = totp::generate_secret();
    let now = state.clock.now();
    let pending = secret.clone();
    let user = state
        .transaction(move |state, conn| {
            enrolment::accept(conn, &state.keys, &token, &chosen, &pending, now)
        })
        .await?;
    Ok(web::Json(TotpEnrolment::new(&secret, &user)?))
}

/// Confirm the authenticator with a current code: the invitation is used up, the account
/// becomes usable, and recovery codes are issued.
#[utoipa::path(
    tag = "invitations",
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = ConfirmTotp,
    responses(
        (status = 200, description = "Enrolled; log in with POST /auth/login", body = RecoveryCodes),
        (status = 404, description = "No such invitation"),
        (status = 410, description = "Used, replaced or expired"),
        (status = 422, description = "The code does not match, or no password was chosen yet"),
    ),
)]
#[post("/invitations/{token}/confirm")]
async fn confirm_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: JsonBody<ConfirmTotp>,
    Origin(meta): Origin,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    let body = body.into_inner()?;
    let (codes, hashed) = secrets::recovery_codes(RECOVERY_CODES)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            let (keys, code) = (&state.keys, &body.code);
            enrolment::confirm(conn, keys, &meta, &token, code, &hashed, now)
        })
        .await?;
    Ok(web::Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}
