//! `Caller`: the authenticated user behind a request. It checks the token's signature and
//! expiry, then the session, the user and the account in the database, so that a logout, a
//! deactivation or a revoked session takes effect on the very next request.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use domain::ids::{AccountId, AccountKind};
use domain::policy::{self, Action, Actor, Decision, Denial};
use domain::role::Role;
use futures_util::future::LocalBoxFuture;
use persistence::time::from_db;
use persistence::{DbConnection, sessions, users};

use crate::auth::jwt::{self, Claims};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub session_id: String,
    pub meta: RequestMeta,
}

/// Where a request came from, for the audit trail and session lists.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Read here, in the request's scope: work moved to a blocking thread cannot see it.
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn of(req: &HttpRequest) -> RequestMeta {
        RequestMeta {
            ip: req.peer_addr().map(|addr| addr.ip().to_string()),
            user_agent: req
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(256).collect()),
            request_id: crate::request_id::current(),
        }
    }
}

impl FromRequest for RequestMeta {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(RequestMeta::of(req)))
    }
}

impl Caller {
    /// The caller as the author of a change made at `at`, for the audit trail.
    pub fn by(&self, at: DateTime<Utc>) -> crate::audit::By<'_> {
        crate::audit::By::user(&self.actor.user_id, &self.meta, at)
    }

    /// Asks the policy; a denial becomes 404 (other tenants' things do not exist) or 403.
    pub fn authorize(&self, action: Action<'_>, what: &'static str) -> Result<(), ApiError> {
        match policy::decide(&self.actor, action) {
            Decision::Allow => Ok(()),
            Decision::Deny(Denial::Hidden) => Err(ApiError::NotFound(what)),
            Decision::Deny(Denial::Forbidden) => Err(ApiError::rule(
                ErrorCode::Forbidden,
                "Your role may not do this.",
            )),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let meta = RequestMeta::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no app state"))?;
            let token = token.ok_or_else(ApiError::unauthenticated)?;
            let now = state.clock.now();
            let claims =
                jwt::verify(&state.keys, &token, now).ok_or_else(ApiError::unauthenticated)?;
            let db = state.db.clone();
            let session_id = claims.sid.clone();
            let actor =
                web::block(move || db.read(|conn| live_actor(conn, &claims, now))).await??;
            Ok(Caller {
                actor,
                session_id,
                meta,
            })
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The actor behind `claims`, if its session, user and account are all still live at `now`.
fn live_actor(
    conn: &mut DbConnection,
    claims: &Claims,
    now: DateTime<Utc>,
) -> Result<Actor, ApiError> {
    let session = sessions::find(conn, &claims.sid)?.ok_or_else(ApiError::unauthenticated)?;
    let session_live = session.user_id == claims.sub
        && session.revoked_at.is_none()
        && from_db(session.expires_at) > now;
    if !session_live {
        return Err(ApiError::unauthenticated());
    }
    let user = users::find(conn, &claims.sub)?.ok_or_else(ApiError::unauthenticated)?;
    let kind = AccountKind::parse(&user.account_kind).ok_or_else(ApiError::unauthenticated)?;
    let role = Role::parse(kind, &user.role).ok_or_else(ApiError::unauthenticated)?;
    let account = AccountId::parse(&user.account_id).map_err(|_| ApiError::unauthenticated())?;
    if !user.active || !role.can_log_in() || user.account_id != claims.acct {
        return Err(ApiError::unauthenticated());
    }
    if !crate::auth::account_active(conn, &user.account_kind, &user.account_id)? {
        return Err(ApiError::unauthenticated());
    }
    Ok(Actor {
        user_id: user.id,
        role,
        account,
    })
}
