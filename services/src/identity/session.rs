//! The session check every authenticated request makes: a token's session, user and account
//! must all still be live, so that a logout, a deactivation or a revoked grant takes effect on
//! the very next request.

use chrono::{DateTime, Utc};
use domain::access::{GrantRole, Permissions, grant_live};
use domain::customer::AccountState;
use domain::ids::{AccountId, AccountKind, CustomerId, PartnerId};
use domain::policy::{Acting, Actor};
use domain::role::Role;
use persistence::time::from_db;
use persistence::{DbConnection, access, customers, sessions, users};

use crate::error::ServiceError;
use crate::identity::jwt::Claims;

/// The actor behind `claims`, if its session, user and account are all still live at `now`.
pub fn live_actor(
    conn: &mut DbConnection,
    claims: &Claims,
    now: DateTime<Utc>,
) -> Result<Actor, ServiceError> {
    let held = sessions::find_held(conn, &claims.sid)?.ok_or_else(ServiceError::unauthenticated)?;
    actor_of(conn, claims, &held, now)
}

/// The actor behind `claims` given its session's rows, if they are all still live at `now`.
pub fn actor_of(
    conn: &mut DbConnection,
    claims: &Claims,
    held: &sessions::Held,
    now: DateTime<Utc>,
) -> Result<Actor, ServiceError> {
    let sessions::Held {
        session,
        user,
        account_active,
    } = held;
    let session_live = session.user_id == claims.sub
        && session.revoked_at.is_none()
        && from_db(session.expires_at) > now;
    if !session_live {
        return Err(ServiceError::unauthenticated());
    }
    if let Some(customer) = &session.acting_customer_id {
        return acting_actor(conn, claims, session, user, customer, now);
    }
    if claims.act.is_some() {
        return Err(ServiceError::unauthenticated());
    }
    let kind = AccountKind::parse(&user.account_kind).ok_or_else(ServiceError::unauthenticated)?;
    let role = Role::parse(kind, &user.role).ok_or_else(ServiceError::unauthenticated)?;
    let account =
        AccountId::parse(&user.account_id).map_err(|_| ServiceError::unauthenticated())?;
    let may_enter = user.active && role.can_log_in() && kind.lets_users_in(*account_active);
    if !may_enter || user.account_id != claims.acct {
        return Err(ServiceError::unauthenticated());
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
) -> Result<Actor, ServiceError> {
    let refused = ServiceError::unauthenticated;
    let partner_role = Role::parse(AccountKind::Partner, &user.role)
        .filter(|r| matches!(r, Role::PartnerAdmin | Role::PartnerUser));
    let token_matches = claims.acct == customer_id
        && claims.act.as_deref() == Some(user.id.as_str())
        && user.account_kind == AccountKind::Partner.as_str();
    if !token_matches || !user.active || partner_role.is_none() {
        return Err(refused());
    }
    let partner = PartnerId::parse(&user.account_id).map_err(|_| refused())?;
    if !crate::identity::account_lets_in(conn, AccountKind::Partner, partner.as_str())? {
        return Err(refused());
    }
    let parent_live = match &session.parent_session_id {
        Some(parent) => sessions::find(conn, parent)?
            .is_some_and(|p| p.revoked_at.is_none() && from_db(p.expires_at) > now),
        None => false,
    };
    let customer = customers::find(conn, customer_id)?
        .filter(|c| c.active && c.partner_id == partner.as_str())
        .filter(|c| AccountState::lets_users_in(&c.account_state))
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
        GrantRole::User => Role::CustomerGuest,
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
