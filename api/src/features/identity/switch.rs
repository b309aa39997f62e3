//! Switching into a customer (DOMAIN.md §4, seed 001 "Switch Between Accounts"): a partner user
//! with a live grant gets a session inside the customer. Its token names the customer as the
//! account and carries the partner user in `act` (RFC 8693); everything done with it is audited
//! as that partner user acting in that customer, and every request re-checks the grant, the
//! user, the partner, the customer and the partner session it came from.

use actix_web::{post, web};
use chrono::{DateTime, Utc};
use domain::access::{self, SwitchRefusal};
use domain::ids::CustomerId;
use domain::policy::Action;
use persistence::sessions::{self, SessionRow};
use persistence::time::{from_db, to_db};
use persistence::{access as store, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::{Tokens, tokens_for};
use super::me_settings::check_code;
use crate::auth::Bearer;
use crate::error::{ApiError, ErrorCode};
use crate::extract::JsonBody;
use crate::state::AppState;
use services::audit::{self, Change};
use services::identity::secrets;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(switch_into_customer);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_id": "ACME", "code": "123456"}))]
pub struct Switch {
    pub customer_id: String,
    /// A current authenticator code: needed when the session last authenticated more than 15
    /// minutes ago (configurable), as seed 001 asks to sign in again when switching.
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Switched {
    /// Tokens of the acting session: use them for everything inside the customer. Log out with
    /// them to return to the partner account.
    #[serde(flatten)]
    pub tokens: Tokens,
    #[schema(example = "ACME")]
    pub customer_id: String,
    pub grant_id: String,
    /// `admin` or `user`: the role held inside the customer.
    pub role: String,
    pub permissions: Vec<String>,
    /// The grant's expiry: the acting session ends with it.
    pub grant_expires_at: Option<DateTime<Utc>>,
}

/// Switch into a customer.
///
/// Needs a live grant (403 `no_access_grant`) into an active customer (403
/// `customer_inactive`); the caller itself, its partner and session are live or it would not
/// be authenticated. When the session last authenticated more than 15 minutes ago, send a
/// current authenticator `code` (403 `reauthentication_required` without one, 422
/// `invalid_totp_code` for a wrong one). The acting session ends on its next request once the
/// grant is revoked or expires, or the user, its partner or the customer is deactivated, or the
/// partner session logs out.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = Switch,
    responses(
        (status = 200, description = "Tokens of the acting session", body = Switched),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Not a partner admin or user, no live grant, the customer is inactive, or a fresh code is needed"),
        (status = 422, description = "The code is wrong"),
    ),
)]
#[post("/auth/switch")]
async fn switch_into_customer(
    state: web::Data<AppState>,
    bearer: Bearer,
    body: JsonBody<Switch>,
) -> Result<web::Json<Switched>, ApiError> {
    // The caller is checked inside the switch's transaction, and a body error answered only
    // after that check: 401 or 403 for such a caller, whatever the body.
    let mut body = body.into_inner();
    let refresh_token = secrets::random_token()?;
    let refresh_hash = secrets::hash_token(&refresh_token);
    let now = state.clock.now();
    let state2 = state.clone();
    let (user, session, grant) = state2
        .transaction(move |state2, conn| {
            let (caller, held) = bearer.caller(conn, now)?;
            caller.authorize(Action::SwitchIntoCustomer, "customer")?;
            let body = match &mut body {
                Ok(body) => &*body,
                // Not a serialization failure: the transaction does not run again to see this.
                Err(error) => {
                    let answered = ApiError::internal("the body's error was answered already");
                    return Err(std::mem::replace(error, answered));
                }
            };
            let partner = caller.actor.partner().ok_or_else(|| {
                ApiError::internal("the policy allowed a caller without a partner")
            })?;
            let no_grant = || {
                ApiError::rule(
                    ErrorCode::NoAccessGrant,
                    ErrorCode::NoAccessGrant.description(),
                )
            };
            // Another partner's customer and one without a grant answer alike.
            let (customer, grant) = match CustomerId::parse(&body.customer_id) {
                Ok(id) => store::customer_with_grant(
                    conn,
                    partner.as_str(),
                    id.as_str(),
                    &caller.actor.user_id,
                )?,
                Err(_) => None,
            }
            .ok_or_else(no_grant)?;
            access::may_switch(
                grant.as_ref().map(|g| g.expires_at.map(from_db)),
                customer.active,
                now,
            )
            .map_err(|refusal| match refusal {
                SwitchRefusal::NoGrant => no_grant(),
                SwitchRefusal::CustomerInactive => ApiError::rule(
                    ErrorCode::CustomerInactive,
                    format!("{} is deactivated: nobody can enter it.", customer.id),
                ),
            })?;
            let grant = grant.ok_or_else(no_grant)?;
            let sessions::Held {
                session: parent,
                mut user,
                ..
            } = held;
            let window = state2.settings.switch_reauth_after;
            if access::switch_needs_code(from_db(parent.authenticated_at), now, window) {
                let Some(code) = body.code.as_deref() else {
                    return Err(ApiError::rule(
                        ErrorCode::ReauthenticationRequired,
                        format!(
                            "Your session last authenticated more than {} minutes ago: send a \
                             current authenticator `code` to switch.",
                            window.num_minutes()
                        ),
                    ));
                };
                check_code(state2, &mut user, code, now)?;
                users::update(conn, &user)?;
                sessions::reauthenticated(conn, &parent.id, to_db(now))?;
            }
            let session = SessionRow {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: user.id.clone(),
                refresh_token_hash: refresh_hash.clone(),
                created_at: to_db(now),
                authenticated_at: to_db(now),
                last_used_at: to_db(now),
                expires_at: parent.expires_at,
                revoked_at: None,
                revoked_reason: None,
                ip: caller.meta.ip.clone(),
                user_agent: caller.meta.user_agent.clone(),
                acting_customer_id: Some(customer.id.clone()),
                grant_id: Some(grant.id.clone()),
                parent_session_id: Some(parent.id.clone()),
            };
            sessions::insert(conn, &session)?;
            store::record_grant_use(conn, &grant.id, to_db(now))?;
            let mut by = caller.by(now);
            by.acting_user_id = Some(&caller.actor.user_id);
            audit::record(
                conn,
                by,
                Change {
                    action: "session.switched_into_customer",
                    target_type: "session",
                    target_id: &session.id,
                    partner_id: Some(&customer.partner_id),
                    customer_id: Some(&customer.id),
                    before: None,
                    after: Some(serde_json::json!({"grant_id": grant.id})),
                },
            )?;
            Ok::<_, ApiError>((user, session, grant))
        })
        .await?;
    let tokens = tokens_for(&state, &user, &session, refresh_token, now)?;
    Ok(web::Json(Switched {
        tokens,
        customer_id: grant.customer_id.clone(),
        permissions: services::access::terms::stored_permissions(&grant.permissions),
        role: grant.role,
        grant_id: grant.id,
        grant_expires_at: grant.expires_at.map(from_db),
    }))
}
