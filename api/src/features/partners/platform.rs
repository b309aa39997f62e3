//! The platform's own staff: platform admins invite further platform admins, and can reset a
//! user's authenticator.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use serde::Serialize;
use services::partners::platform as cases;
use utoipa::ToSchema;

use super::records::NewUser;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(invite_platform_admin).service(reset_totp);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitedUser {
    pub id: String,
    #[schema(example = "PLATFORM")]
    pub account_id: String,
    #[schema(example = "admin")]
    pub role: String,
    pub name: String,
    pub email: String,
    pub logon: String,
}

/// Invite a further platform admin.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Invited", body = InvitedUser),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins"),
        (status = 409, description = "The logon is taken"),
    ),
)]
#[post("/platform/admins")]
async fn invite_platform_admin(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewUser>,
) -> Result<HttpResponse, ApiError> {
    cases::inviter(&caller)?;
    let invitee = cases::platform_admin(&body.into_inner()?.into())?;
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            cases::invite(conn, &state.settings, &state.keys, &caller, &invitee, now)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/me"))
        .json(InvitedUser {
            id: user.id,
            account_id: user.account_id,
            role: user.role,
            name: user.name,
            email: user.email,
            logon: user.logon,
        }))
}

/// Reset a user's authenticator (for a user who lost it and its recovery codes).
///
/// The user's sessions end, and they are sent a new invitation link to choose a password and
/// enrol an authenticator again; until then they cannot log in.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "Any user's id")),
    responses(
        (status = 202, description = "Reset; a new enrolment link is on its way"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins"),
        (status = 404, description = "No such user"),
    ),
)]
#[post("/platform/users/{user_id}/totp-reset")]
async fn reset_totp(
    state: web::Data<AppState>,
    caller: Caller,
    user_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    cases::resetter(&caller)?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            cases::reset_totp(conn, &state.settings, &state.keys, &caller, &user_id, now)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
