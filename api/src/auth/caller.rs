//! `Caller`: the authenticated user behind a request. It checks the token's signature and
//! expiry, then the session, the user and the account in the database, so that a logout, a
//! deactivation or a revoked session takes effect on the very next request. `Bearer` is the same
//! check split in two, for a route whose work is one transaction: the token at extraction, the
//! rest inside that transaction.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use domain::access::{GrantRole, Permissions, grant_live};
use domain::ids::{AccountId, AccountKind, CustomerId, PartnerId};
use domain::policy::{self, Acting, Action, Actor, Decision, Denial};
use domain::role::Role;
use futures_util::future::LocalBoxFuture;
use persistence::time::from_db;
use persistence::{DbConnection, access, customers, sessions, users};

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
        let mut by = crate::audit::By::user(&self.actor.user_id, &self.meta, at);
        if self.actor.acting.is_some() {
            by.acting_user_id = Some(&self.actor.user_id);
        }
        by
    }

    /// The partner user's partner while it acts inside a customer.
    pub fn acting_partner(&self) -> Option<&PartnerId> {
        self.actor.acting.as_ref().map(|a| &a.partner)
    }

    /// Asks the policy; a denial becomes 404 (other tenants' things do not exist) or 403.
    pub fn authorize(&self, action: Action<'_>, what: &'static str) -> Result<(), ApiError> {
        match policy::decide(&self.actor, action) {
            Decision::Allow => Ok(()),
            Decision::Deny(Denial::Hidden) => Err(ApiError::NotFound(what)),
            Decision::Deny(Denial::Forbidden) if self.actor.acting.is_some() => match action {
                Action::ViewEntities(_) | Action::ManageEntities(_) => Err(ApiError::rule(
                    ErrorCode::Forbidden,
                    "Your access grant in this customer does not allow this.",
                )),
                _ => Err(ApiError::rule(
                    ErrorCode::NotWhileActing,
                    ErrorCode::NotWhileActing.description(),
                )),
            },
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
            Ok(Caller {
                actor,
                session_id,
                meta,
            })
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
            meta: RequestMeta::of(req),
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
        let caller = Caller {
            actor,
            session_id: self.claims.sid.clone(),
            meta: self.meta.clone(),
        };
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

/// The actor behind `claims`, if its session, user and account are all still live at `now`.
pub(crate) fn live_actor(
    conn: &mut DbConnection,
    claims: &Claims,
    now: DateTime<Utc>,
) -> Result<Actor, ApiError> {
    let held = sessions::find_held(conn, &claims.sid)?.ok_or_else(ApiError::unauthenticated)?;
    actor_of(conn, claims, &held, now)
}

/// The actor behind `claims` given its session's rows, if they are all still live at `now`.
fn actor_of(
    conn: &mut DbConnection,
    claims: &Claims,
    held: &sessions::Held,
    now: DateTime<Utc>,
) -> Result<Actor, ApiError> {
    let sessions::Held {
        session,
        user,
        account_active,
    } = held;
    let session_live = session.user_id == claims.sub
        && session.revoked_at.is_none()
        && from_db(session.expires_at) > now;
    if !session_live {
        return Err(ApiError::unauthenticated());
    }
    if let Some(customer) = &session.acting_customer_id {
        return acting_actor(conn, claims, session, user, customer, now);
    }
    if claims.act.is_some() {
        return Err(ApiError::unauthenticated());
    }
    let kind = AccountKind::parse(&user.account_kind).ok_or_else(ApiError::unauthenticated)?;
    let role = Role::parse(kind, &user.role).ok_or_else(ApiError::unauthenticated)?;
    let account = AccountId::parse(&user.account_id).map_err(|_| ApiError::unauthenticated())?;
    let may_enter = user.active && role.can_log_in() && kind.lets_users_in(*account_active);
    if !may_enter || user.account_id != claims.acct {
        return Err(ApiError::unauthenticated());
    }
    Ok(Actor {
        user_id: user.id.clone(),
        role,
        account,
        acting: None,
    })
}

/// The actor of an acting session: a partner user inside `customer_id`. Every condition of the
/// switch is checked again on every request, so that revoking the grant, deactivating the user,
/// its partner or the customer, or logging out of the partner session ends it at once.
fn acting_actor(
    conn: &mut DbConnection,
    claims: &Claims,
    session: &sessions::SessionRow,
    user: &users::UserRow,
    customer_id: &str,
    now: DateTime<Utc>,
) -> Result<Actor, ApiError> {
    let refused = ApiError::unauthenticated;
    let partner_role = Role::parse(AccountKind::Partner, &user.role)
        .filter(|r| matches!(r, Role::PartnerAdmin | Role::PartnerUser));
    let token_matches = claims.acct == customer_id
        && claims.act.as_deref() == Some(user.id.as_str())
        && user.account_kind == AccountKind::Partner.as_str();
    if !token_matches || !user.active || partner_role.is_none() {
        return Err(refused());
    }
    let partner = PartnerId::parse(&user.account_id).map_err(|_| refused())?;
    if !crate::auth::account_lets_in(conn, AccountKind::Partner, partner.as_str())? {
        return Err(refused());
    }
    let parent_live = match &session.parent_session_id {
        Some(parent) => sessions::find(conn, parent)?
            .is_some_and(|p| p.revoked_at.is_none() && from_db(p.expires_at) > now),
        None => false,
    };
    let customer = customers::find(conn, customer_id)?
        .filter(|c| c.active && c.partner_id == partner.as_str())
        .ok_or_else(refused)?;
    let grant = match &session.grant_id {
        Some(id) => access::find_grant(conn, id)?,
        None => None,
    }
    .filter(|g| g.user_id == user.id && g.customer_id == customer.id)
    .filter(|g| grant_live(g.expires_at.map(from_db), now))
    .ok_or_else(refused)?;
    if !parent_live {
        return Err(refused());
    }
    let role = match GrantRole::parse(&grant.role).map_err(|_| refused())? {
        GrantRole::Admin => Role::CustomerAdmin,
        GrantRole::User => Role::CustomerUser,
    };
    let codes: Vec<String> = serde_json::from_str(&grant.permissions).unwrap_or_default();
    Ok(Actor {
        user_id: user.id.clone(),
        role,
        account: AccountId::Customer(CustomerId::parse(&customer.id).map_err(|_| refused())?),
        acting: Some(Acting {
            partner,
            grant_id: grant.id,
            permissions: Permissions::from_stored(&codes),
        }),
    })
}
