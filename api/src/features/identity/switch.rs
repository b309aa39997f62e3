//! Switching into a customer (DOMAIN.md §4, seed 001 "Switch Between Accounts"): a partner user
//! with a live grant gets a session inside the customer. Its token names the customer as the
//! account and carries the partner user in `act` (RFC 8693); everything done with it is audited
//! as that partner user acting in that customer, and every request re-checks the grant, the
//! user, the partner, the customer and the partner session it came from.

use actix_web::{post, web};
use chrono::{DateTime, Utc};
use persistence::time::from_db;
use serde::{Deserialize, Serialize};
use services::access::terms::stored_permissions;
use services::identity::sessions::{self, NewRefreshToken};
use utoipa::ToSchema;

use super::auth::Tokens;
use crate::auth::Bearer;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
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
    let refresh = NewRefreshToken::generate()?;
    let stored = refresh.clone();
    let now = state.clock.now();
    let switched = state
        .transaction(move |state, conn| {
            let (caller, held) = bearer.caller(conn, now)?;
            let partner = sessions::switcher(&caller)?;
            let body = match &mut body {
                Ok(body) => &*body,
                // Not a serialization failure: the transaction does not run again to see this.
                Err(error) => {
                    let answered = ApiError::internal("the body's error was answered already");
                    return Err(std::mem::replace(error, answered));
                }
            };
            let (keys, settings) = (&state.keys, &state.settings);
            let (customer, code) = (&body.customer_id, body.code.as_deref());
            Ok(sessions::switch_into(
                conn, keys, settings, &caller, &partner, held, customer, code, &stored, now,
            )?)
        })
        .await?;
    let sessions::Switched { opened, grant } = switched;
    let tokens = sessions::tokens_for(&state.keys, &opened.user, &opened.session, refresh, now)?;
    Ok(web::Json(Switched {
        tokens: tokens.into(),
        customer_id: grant.customer_id.clone(),
        permissions: stored_permissions(&grant.permissions),
        role: grant.role,
        grant_id: grant.id,
        grant_expires_at: grant.expires_at.map(from_db),
    }))
}
