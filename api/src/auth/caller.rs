//! `Caller`: the authenticated user behind a request. It checks the token's signature and
//! expiry, then the session, the user and the account in the database
//! ([`services::identity::session`]), so that a logout, a deactivation or a revoked session takes
//! effect on the very next request. `Bearer` is the same check split in two, for a route whose
//! work is one transaction: the token at extraction, the rest inside that transaction.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use persistence::{DbConnection, sessions};
use services::RequestMeta;
use services::identity::jwt::{self, Claims};
use services::identity::session::{actor_of, live_actor};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller ([`services::Caller`]) as an extractor.
#[derive(Debug, Clone)]
pub struct Caller(pub services::Caller);

impl std::ops::Deref for Caller {
    type Target = services::Caller;

    fn deref(&self) -> &services::Caller {
        &self.0
    }
}

/// Where the request came from, as an extractor.
#[derive(Debug, Clone, Default)]
pub struct Origin(pub RequestMeta);

/// The request's origin, for the audit trail and session lists. The request id is read here,
/// in the request's scope: work moved to a blocking thread cannot see it.
pub fn request_meta(req: &HttpRequest) -> RequestMeta {
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

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Origin(request_meta(req))))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = Bearer::of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("no app state"))?;
            let Bearer { claims, meta } = bearer?;
            let now = state.clock.now();
            let session_id = claims.sid.clone();
            // Three rows by key: on SQLite cheaper here than the hop to a blocking thread.
            let actor = match state.db.read_now(|conn| live_actor(conn, &claims, now)) {
                Some(actor) => actor?,
                None => {
                    let db = state.db.clone();
                    web::block(move || db.read(|conn| live_actor(conn, &claims, now))).await??
                }
            };
            Ok(Caller(services::Caller {
                actor,
                session_id,
                meta,
            }))
        })
    }
}

/// A request's access token, its signature and expiry checked, its session, user and account
/// not yet: for a route whose work is one transaction, which checks them inside it
/// ([`Bearer::caller`]). The check then costs no hop to a blocking thread and no round trip of
/// its own, and sees the rows the work sees.
pub struct Bearer {
    claims: Claims,
    meta: RequestMeta,
}

impl Bearer {
    fn of(req: &HttpRequest) -> Result<Bearer, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::internal("no app state"))?;
        let token = bearer_token(req).ok_or_else(ApiError::unauthenticated)?;
        let claims = jwt::verify(&state.keys, &token, state.clock.now())
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Bearer {
            claims,
            meta: request_meta(req),
        })
    }

    /// The caller, checked as the [`Caller`] extractor checks it, with its session's rows.
    pub fn caller(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
    ) -> Result<(Caller, sessions::Held), ApiError> {
        let held =
            sessions::find_held(conn, &self.claims.sid)?.ok_or_else(ApiError::unauthenticated)?;
        let actor = actor_of(conn, &self.claims, &held, now)?;
        let caller = Caller(services::Caller {
            actor,
            session_id: self.claims.sid.clone(),
            meta: self.meta.clone(),
        });
        Ok((caller, held))
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Bearer::of(req))
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}
