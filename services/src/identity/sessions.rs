//! Sessions: logging in (account ID + logon + password + TOTP code), refreshing, logging out,
//! and switching into a customer (DOMAIN.md §4, seed 001 "Switch Between Accounts"), which opens
//! an acting session whose token names the customer as the account and the partner user in
//! `act` (RFC 8693).

use chrono::{DateTime, Utc};
use domain::access::{self, SwitchRefusal};
use domain::customer::AccountState;
use domain::ids::{AccountId, AccountKind, CustomerId, Logon};
use domain::policy::Action;
use domain::role::Role;
use persistence::access::{self as store, GrantRow};
use persistence::sessions::{self, Held, SessionRow};
use persistence::time::{from_db, to_db};
use persistence::users::{self, UserRow};
use persistence::{DbConnection, recovery_codes};

use crate::audit::{self, By, Change};
use crate::caller::{Caller, RequestMeta};
use crate::error::{ErrorCode, ServiceError};
use crate::identity::jwt::{self, ACCESS_TOKEN_TTL, Claims};
use crate::identity::keyring::Keys;
use crate::identity::secrets;
use crate::identity::totp;
use crate::settings::Settings;
use crate::tenancy::{self, OwnPartner};

/// The tokens of a session: a short-lived access token and a refresh token that works once.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
}

/// A fresh refresh token and the hash stored for it, made before the transaction that stores it
/// (so that a re-run of the transaction stores the same one).
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    token: String,
    hash: String,
}

impl NewRefreshToken {
    pub fn generate() -> Result<NewRefreshToken, ServiceError> {
        let token = secrets::random_token()?;
        let hash = secrets::hash_token(&token);
        Ok(NewRefreshToken { token, hash })
    }
}

/// Tokens for `session` of `user`. An acting session's token names the customer as its account
/// and the partner user in `act`.
pub fn tokens_for(
    keys: &Keys,
    user: &UserRow,
    session: &SessionRow,
    refresh: NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Tokens, ServiceError> {
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
        access_token: jwt::issue(keys, claims, now)?,
        expires_in: ACCESS_TOKEN_TTL.num_seconds(),
        refresh_token: refresh.token,
    })
}

/// Checks a current authenticator code of `user` and records its step as used (the caller
/// writes `user` back).
pub fn check_code(
    keys: &Keys,
    user: &mut UserRow,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let sealed = user
        .totp_secret
        .as_deref()
        .ok_or_else(ServiceError::unauthenticated)?;
    let secret = keys.open(sealed)?;
    let step = totp::check(&secret, code, now, user.totp_last_step).ok_or_else(|| {
        ServiceError::rule(
            ErrorCode::InvalidTotpCode,
            "The code does not match your current authenticator.",
        )
    })?;
    user.totp_last_step = Some(step);
    Ok(())
}

/// The user a login names, if the account ID and logon parse and such a user exists. Read
/// before the password is hashed, outside any transaction (hashing is the slow part).
pub fn login_user(
    conn: &mut DbConnection,
    account_id: &str,
    logon: &str,
) -> Result<Option<UserRow>, ServiceError> {
    let (Ok(account), Ok(logon)) = (AccountId::parse(account_id), Logon::parse(logon)) else {
        return Ok(None);
    };
    Ok(users::find_by_logon(
        conn,
        account.as_str(),
        logon.as_str(),
    )?)
}

/// Records a login for a user that does not exist — like any failed login, which also gives the
/// answer the same database work as a known user's failure.
pub fn login_failed_unknown(
    conn: &mut DbConnection,
    meta: &RequestMeta,
    account_id: &str,
    logon: &str,
    now: DateTime<Utc>,
) -> Result<ServiceError, ServiceError> {
    // Only what parses is recorded: the rest is whatever the caller typed, of any length and
    // with any character (PostgreSQL refuses a text holding NUL).
    let account_id = AccountId::parse(account_id)
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    let logon = Logon::parse(logon).map(String::from).unwrap_or_default();
    let attempted = format!("{account_id}/{logon}");
    audit::record(
        conn,
        By::anonymous(meta, now),
        Change {
            action: "session.login_failed",
            target_type: "logon",
            target_id: &attempted,
            ..Change::default()
        },
    )?;
    Ok(ServiceError::invalid_credentials())
}

/// A session that was just opened, and its user.
pub struct Opened {
    pub user: UserRow,
    pub session: SessionRow,
}

/// Completes a login whose password was checked (`password_ok`): the code, the lockout, the
/// account; then opens the session. A failure is `Ok(Err(_))`: it is committed (it counts
/// towards the lockout) and then refused, with the same answer whatever went wrong.
#[allow(clippy::too_many_arguments)]
pub fn complete_login(
    conn: &mut DbConnection,
    keys: &Keys,
    settings: &Settings,
    meta: &RequestMeta,
    user_id: &str,
    password_ok: bool,
    code: &str,
    refresh: &NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Result<Opened, ServiceError>, ServiceError> {
    let Some(mut user) = users::find(conn, user_id)? else {
        return Ok(Err(ServiceError::invalid_credentials()));
    };
    let passed = login_passes(conn, keys, &mut user, password_ok, code, now)?;
    user.updated_at = to_db(now);
    if !passed {
        user.failed_logins += 1;
        if user.failed_logins >= i32::try_from(settings.lockout_after).unwrap_or(i32::MAX) {
            user.locked_until = Some(to_db(now + settings.lockout_for));
            user.failed_logins = 0;
        }
        users::update(conn, &user)?;
        audit::record(
            conn,
            By::anonymous(meta, now),
            Change {
                action: "session.login_failed",
                target_type: "user",
                target_id: &user.id,
                partner_id: audit::partner_of(&user),
                ..Change::default()
            },
        )?;
        return Ok(Err(ServiceError::invalid_credentials()));
    }
    user.failed_logins = 0;
    user.locked_until = None;
    users::update(conn, &user)?;
    let session = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        refresh_token_hash: refresh.hash.clone(),
        created_at: to_db(now),
        authenticated_at: to_db(now),
        last_used_at: to_db(now),
        expires_at: to_db(now + settings.session_ttl),
        revoked_at: None,
        revoked_reason: None,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        acting_customer_id: None,
        grant_id: None,
        parent_session_id: None,
    };
    sessions::insert(conn, &session)?;
    persistence::users::record_login(conn, &user.id, to_db(now))?;
    if user.account_kind == AccountKind::Customer.as_str() {
        persistence::customers::record_login(conn, &user.account_id, to_db(now))?;
    }
    audit::record(
        conn,
        By::user(&user.id, meta, now),
        Change {
            action: "session.created",
            target_type: "session",
            target_id: &session.id,
            partner_id: audit::partner_of(&user),
            ..Change::default()
        },
    )?;
    Ok(Ok(Opened { user, session }))
}

/// Everything but the password, which was checked before the transaction: whether the login
/// passes, whatever the reason it does not.
fn login_passes(
    conn: &mut DbConnection,
    keys: &Keys,
    user: &mut UserRow,
    password_ok: bool,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let locked = user.locked_until.is_some_and(|until| from_db(until) > now);
    let kind = AccountKind::parse(&user.account_kind);
    let may_log_in = kind
        .and_then(|kind| Role::parse(kind, &user.role))
        .is_some_and(Role::can_log_in);
    let account_active = match kind {
        Some(kind) => crate::identity::account_lets_in(conn, kind, &user.account_id)?,
        None => false,
    };
    let enrolled = user.totp_enrolled_at.is_some();
    if !password_ok || locked || !may_log_in || !account_active || !user.active || !enrolled {
        return Ok(false);
    }
    let Some(sealed) = user.totp_secret.as_deref() else {
        return Ok(false);
    };
    let secret = keys.open(sealed)?;
    if let Some(step) = totp::check(&secret, code, now, user.totp_last_step) {
        user.totp_last_step = Some(step);
        return Ok(true);
    }
    // Not a current code: perhaps an unused recovery code.
    let presented = secrets::hash_token(&code.trim().to_ascii_lowercase());
    let recovery = recovery_codes::unused_for_user(conn, &user.id)?
        .into_iter()
        .find(|c| c.code_hash == presented);
    match recovery {
        Some(code) => {
            recovery_codes::mark_used(conn, &code.id, to_db(now))?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Exchanges a refresh token for the session's next one. Presenting an already-used one (a sign
/// it was stolen) ends the whole session: that is committed, then refused (`Ok(Err(_))`).
pub fn refresh(
    conn: &mut DbConnection,
    meta: &RequestMeta,
    presented: &str,
    next: &NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Result<Opened, ServiceError>, ServiceError> {
    let presented = secrets::hash_token(presented);
    let Some(session) = sessions::find_by_refresh_hash(conn, &presented)? else {
        if let Some(session_id) = sessions::find_by_used_refresh_hash(conn, &presented)? {
            let revoked = sessions::revoke(conn, &session_id, "refresh_token_reuse", to_db(now))?;
            if revoked > 0 {
                audit::record(
                    conn,
                    By::anonymous(meta, now),
                    Change {
                        action: "session.revoked_on_refresh_reuse",
                        target_type: "session",
                        target_id: &session_id,
                        ..Change::default()
                    },
                )?;
            }
        }
        return Ok(Err(ServiceError::unauthenticated()));
    };
    let live = session.revoked_at.is_none() && from_db(session.expires_at) > now;
    let user = users::find(conn, &session.user_id)?.filter(|u| u.active);
    let (true, Some(user)) = (live, user) else {
        return Ok(Err(ServiceError::unauthenticated()));
    };
    sessions::rotate_refresh(conn, &session, &next.hash, to_db(now))?;
    Ok(Ok(Opened { user, session }))
}

/// Ends the caller's session, and the acting sessions it opened in customers.
pub fn logout(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    sessions::revoke(conn, &caller.session_id, "logout", to_db(now))?;
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
}

/// Who may switch into customers: partner admins and users.
pub fn switcher(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::SwitchIntoCustomer)
}

/// The customer `customer_id` of the caller's partner and the caller's live grant into it, if
/// it may be entered now: another partner's customer and one without a grant answer alike.
fn live_grant_into(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    customer_id: &str,
    now: DateTime<Utc>,
) -> Result<(persistence::customers::CustomerRow, GrantRow), ServiceError> {
    let no_grant = || {
        ServiceError::rule(
            ErrorCode::NoAccessGrant,
            ErrorCode::NoAccessGrant.description(),
        )
    };
    let (customer, grant) = match CustomerId::parse(customer_id) {
        Ok(id) => {
            store::customer_with_grant(conn, partner.as_str(), id.as_str(), &caller.actor.user_id)?
        }
        Err(_) => None,
    }
    .ok_or_else(no_grant)?;
    access::may_switch(
        grant.as_ref().map(|g| g.expires_at.map(from_db)),
        customer.active,
        !AccountState::lets_users_in(&customer.account_state),
        now,
    )
    .map_err(|refusal| match refusal {
        SwitchRefusal::NoGrant => no_grant(),
        SwitchRefusal::CustomerInactive => ServiceError::rule(
            ErrorCode::CustomerInactive,
            format!("{} is deactivated: nobody can enter it.", customer.id),
        ),
        SwitchRefusal::CustomerSuspended => ServiceError::rule(
            ErrorCode::CustomerSuspended,
            format!(
                "{}'s account is suspended: nobody can enter it until its partner resumes it.",
                customer.id
            ),
        ),
    })?;
    let grant = grant.ok_or_else(no_grant)?;
    Ok((customer, grant))
}

/// A switch from a session that last authenticated longer ago than the window needs a current
/// authenticator code (seed 001 asks to sign in again); a good one counts as authenticating it.
fn reauthenticate_if_due(
    conn: &mut DbConnection,
    keys: &Keys,
    settings: &Settings,
    parent: &SessionRow,
    user: &mut UserRow,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let window = settings.switch_reauth_after;
    if !access::switch_needs_code(from_db(parent.authenticated_at), now, window) {
        return Ok(());
    }
    let Some(code) = code else {
        return Err(ServiceError::rule(
            ErrorCode::ReauthenticationRequired,
            format!(
                "Your session last authenticated more than {} minutes ago: send a current \
                 authenticator `code` to switch.",
                window.num_minutes()
            ),
        ));
    };
    check_code(keys, user, code, now)?;
    users::update(conn, user)?;
    sessions::reauthenticated(conn, &parent.id, to_db(now))?;
    Ok(())
}

/// An acting session just opened, with the grant it rests on.
pub struct Switched {
    pub opened: Opened,
    pub grant: GrantRow,
}

/// Opens an acting session of the caller inside `customer_id`, resting on its live grant.
/// `held` is the caller's own session and user, as its check read them in this transaction.
#[allow(clippy::too_many_arguments)]
pub fn switch_into(
    conn: &mut DbConnection,
    keys: &Keys,
    settings: &Settings,
    caller: &Caller,
    partner: &OwnPartner,
    held: Held,
    customer_id: &str,
    code: Option<&str>,
    refresh: &NewRefreshToken,
    now: DateTime<Utc>,
) -> Result<Switched, ServiceError> {
    let (customer, grant) = live_grant_into(conn, caller, partner, customer_id, now)?;
    let Held {
        session: parent,
        mut user,
        ..
    } = held;
    reauthenticate_if_due(conn, keys, settings, &parent, &mut user, code, now)?;
    let session = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        refresh_token_hash: refresh.hash.clone(),
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
    // Someone entered the account: the listing's last login says when (docs/DECISIONS.md).
    persistence::customers::record_login(conn, &customer.id, to_db(now))?;
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
    Ok(Switched {
        opened: Opened { user, session },
        grant,
    })
}
