//! Accepting an invitation: see what it is for, choose a password and start the authenticator
//! enrolment, confirm it with a current code. No session is ever issued here: the user logs in
//! once 2FA is confirmed.

use chrono::{DateTime, Utc};
use persistence::time::to_db;
use persistence::tokens::{self, UserTokenRow};
use persistence::users::{self, UserRow};
use persistence::{DbConnection, recovery_codes};

use crate::audit::{self, By, Change};
use crate::caller::RequestMeta;
use crate::error::{ErrorCode, ServiceError};
use crate::identity::keyring::Keys;
use crate::identity::password::Chosen;
use crate::identity::secrets::StoredCodes;
use crate::identity::totp;
use crate::users::onboarding::{self, INVITATION};

/// Recovery codes issued when an authenticator is confirmed.
pub const RECOVERY_CODES: usize = 10;

/// The open invitation behind `token`, and its user: 404 when unknown, 410 when used, replaced
/// or expired.
pub fn open(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(UserTokenRow, UserRow), ServiceError> {
    onboarding::open_token(conn, token, INVITATION, now)
}

/// Sets the password hashed as `password_hash` and starts an enrolment with `secret` (sealed);
/// may be repeated until the enrolment is confirmed.
pub fn accept(
    conn: &mut DbConnection,
    keys: &Keys,
    token: &str,
    password: &Chosen,
    secret: &[u8],
    now: DateTime<Utc>,
) -> Result<UserRow, ServiceError> {
    let (_, mut user) = open(conn, token, now)?;
    user.password_hash = Some(password.for_user(&user)?);
    user.totp_secret = Some(keys.seal(secret)?);
    user.totp_enrolled_at = None;
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    Ok(user)
}

/// Confirms the enrolment with a current code: the invitation is used up, the account becomes
/// usable, and the recovery codes hashed as `hashed` replace any before.
pub fn confirm(
    conn: &mut DbConnection,
    keys: &Keys,
    meta: &RequestMeta,
    token: &str,
    code: &str,
    hashed: &StoredCodes,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (invitation, mut user) = open(conn, token, now)?;
    let sealed = user
        .totp_secret
        .as_deref()
        .filter(|_| user.password_hash.is_some());
    let Some(sealed) = sealed else {
        return Err(ServiceError::rule(
            ErrorCode::InvalidTotpCode,
            "Accept the invitation (choose a password) before confirming a code.",
        ));
    };
    let secret = keys.open(sealed)?;
    let step = totp::check(&secret, code, now, user.totp_last_step).ok_or_else(|| {
        ServiceError::rule(
            ErrorCode::InvalidTotpCode,
            "The code does not match; try the current one.",
        )
    })?;
    user.totp_enrolled_at = Some(to_db(now));
    user.totp_last_step = Some(step);
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    tokens::mark_used(conn, &invitation.id, to_db(now))?;
    recovery_codes::replace_all(conn, &user.id, hashed)?;
    audit::record(
        conn,
        By::user(&user.id, meta, now),
        Change {
            action: "user.enrolled",
            target_type: "user",
            target_id: &user.id,
            partner_id: audit::partner_of(&user),
            ..Change::default()
        },
    )
}
