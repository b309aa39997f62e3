//! Forgotten passwords: a single-use reset link by email, and choosing a new password with it.

use chrono::{DateTime, Duration, Utc};
use domain::ids::{AccountId, Logon};
use persistence::time::to_db;
use persistence::users::UserRow;
use persistence::{DbConnection, sessions, users};

use crate::audit::{self, By, Change};
use crate::caller::RequestMeta;
use crate::error::ServiceError;
use crate::identity::keyring::Keys;
use crate::identity::password::Chosen;
use crate::mail::{self, Message};
use crate::settings::Settings;
use crate::users::onboarding::{self, PASSWORD_RESET};

/// How long a password-reset link works.
pub const PASSWORD_RESET_TTL: Duration = Duration::hours(1);

/// Emails a reset link to the user an account ID and logon name, if it exists, is active and has
/// a password; does nothing otherwise (the answer must not tell which).
pub fn request_reset(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    meta: &RequestMeta,
    account_id: &str,
    logon: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (Ok(account), Ok(logon)) = (AccountId::parse(account_id), Logon::parse(logon)) else {
        return Ok(());
    };
    let Some(user) = users::find_by_logon(conn, account.as_str(), logon.as_str())? else {
        return Ok(());
    };
    if !user.active || user.password_hash.is_none() {
        return Ok(());
    }
    send_link(conn, settings, keys, &user, now)?;
    audit::record(
        conn,
        By::anonymous(meta, now),
        Change {
            action: "user.password_reset_requested",
            target_type: "user",
            target_id: &user.id,
            partner_id: audit::partner_of(&user),
            ..Change::default()
        },
    )
}

/// Issues a reset link for `user` (a previous one stops working) and emails it.
pub fn send_link(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let token = onboarding::issue_token(conn, user, PASSWORD_RESET, now, PASSWORD_RESET_TTL)?;
    mail::queue(
        conn,
        keys,
        now,
        Message {
            kind: PASSWORD_RESET,
            recipient: user.email.clone(),
            subject: "Reset your Partner Hub password".to_owned(),
            body: format!(
                "Hello {},\n\nSomeone asked to reset the password of your user {} in {}. \
                 To choose a new one, send it with this link (it works once, for an hour):\n\n\
                 {}/auth/password-reset/{token}\n\nIf it was not you, ignore this email.\n",
                user.name, user.logon, user.account_id, settings.public_url
            ),
        },
    )
}

/// Sets the password hashed as `hash` for the user of the reset link `token`; every session of
/// the user ends, and a lockout is lifted.
pub fn reset(
    conn: &mut DbConnection,
    meta: &RequestMeta,
    token: &str,
    password: &Chosen,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (row, mut user) = onboarding::open_token(conn, token, PASSWORD_RESET, now)?;
    user.password_hash = Some(password.for_user(&user)?);
    user.failed_logins = 0;
    user.locked_until = None;
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    persistence::tokens::mark_used(conn, &row.id, to_db(now))?;
    sessions::revoke_all_for_user(conn, &user.id, "password_reset", to_db(now))?;
    audit::record(
        conn,
        By::user(&user.id, meta, now),
        Change {
            action: "user.password_reset",
            target_type: "user",
            target_id: &user.id,
            partner_id: audit::partner_of(&user),
            ..Change::default()
        },
    )
}
