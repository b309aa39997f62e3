//! The platform's own staff: platform admins invite further platform admins, and can reset a
//! user's authenticator.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use domain::ids::AccountId;
use domain::policy::Action;
use domain::role::Role;
use persistence::time::to_db;
use persistence::{sessions, users};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::records::NewUser;
use crate::auth::Caller;
use crate::error::{ApiError, Fields};
use crate::extract::JsonBody;
use crate::state::AppState;
use services::audit::{self, Change};
use services::users::onboarding::{self, Invitee};

pub fn configure(cfg: &mut ServiceConfig) {
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
    caller.authorize(Action::InvitePlatformAdmin, "user")?;
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let person = body.parse(&mut fields, "");
    let (name, email, logon) = fields.conclude(person)?;
    let invitee = Invitee {
        account: AccountId::Platform,
        role: Role::PlatformAdmin,
        name,
        email,
        logon,
    };
    let now = state.clock.now();
    let user = state
        .transaction(move |state, conn| {
            let by = caller.by(now);
            onboarding::invite(conn, &state.settings, by, invitee.clone()).map(|i| i.user)
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
    caller.authorize(Action::ResetTotp, "user")?;
    let now = state.clock.now();
    state
        .transaction(move |state, conn| {
            let mut user = users::find(conn, &user_id)?.ok_or(ApiError::NotFound("user"))?;
            user.totp_secret = None;
            user.totp_pending_secret = None;
            user.totp_enrolled_at = None;
            user.updated_at = to_db(now);
            users::update(conn, &user)?;
            sessions::revoke_all_for_user(conn, &user.id, "totp_reset", to_db(now))?;
            onboarding::send_invitation(conn, &state.settings, now, &user)?;
            let partner_id = audit::partner_of(&user);
            Ok::<_, ApiError>(audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "user.totp_reset",
                    target_type: "user",
                    target_id: &user.id,
                    partner_id,
                    ..Change::default()
                },
            )?)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
