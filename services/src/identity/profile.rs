//! The caller's own settings (seed 000 "User Profile Settings", seed 004 "Account management"):
//! sessions, password, email, logon, authenticator, recovery codes, notification preferences.
//! Changing one's password or email ends one's own sessions: log in again.

use chrono::{DateTime, Utc};
use domain::ids::{AccountId, Email, Logon};
use domain::notifications::{self, Frequency};
use domain::policy::{self, Action, Actor, Decision};
use persistence::sessions::SessionRow;
use persistence::time::to_db;
use persistence::users::{self, UserRow};
use persistence::{DbConnection, recovery_codes, sessions};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, FieldError, Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::identity::password::Chosen;
use crate::identity::secrets::StoredCodes;
use crate::identity::sessions::check_code;
use crate::identity::totp;
use crate::mail::{self, Message};

/// The caller's own user row.
pub fn me(conn: &mut DbConnection, caller: &Caller) -> Result<UserRow, ServiceError> {
    users::find(conn, &caller.actor.user_id)?.ok_or_else(ServiceError::unauthenticated)
}

/// The answer to a wrong current password: a field error, as the field is what was wrong.
pub fn incorrect(field: &str) -> ServiceError {
    ServiceError::Validation(vec![FieldError::new(field, "incorrect", "is not right")])
}

/// The caller's live sessions, newest first.
pub fn sessions(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, ServiceError> {
    Ok(sessions::live_for_user(
        conn,
        &caller.actor.user_id,
        to_db(now),
    )?)
}

/// Ends one of the caller's own sessions; another user's answers as a missing one.
pub fn end_session(
    conn: &mut DbConnection,
    caller: &Caller,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let session = sessions::find(conn, session_id)?
        .filter(|s| s.user_id == caller.actor.user_id && s.revoked_at.is_none())
        .ok_or(ServiceError::NotFound("session"))?;
    sessions::revoke(conn, &session.id, "ended_by_user", to_db(now))?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "session.ended",
            target_type: "session",
            target_id: &session.id,
            ..Change::default()
        },
    )
}

/// Sets the password hashed as `hash` (the current one was checked); every session ends.
pub fn change_password(
    conn: &mut DbConnection,
    caller: &Caller,
    password: &Chosen,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = me(conn, caller)?;
    user.password_hash = Some(password.for_user(&user)?);
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    sessions::revoke_all_for_user(conn, &user.id, "password_changed", to_db(now))?;
    audit_self(conn, caller, now, &user, "user.password_changed")
}

/// Changes the caller's email (the password was checked); every session ends, and the old
/// address is told.
pub fn change_email(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = me(conn, caller)?;
    let old = std::mem::replace(&mut user.email, email.to_string());
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    own_email_changed(conn, keys, &user, &old, now)?;
    audit_self(conn, caller, now, &user, "user.email_changed")
}

/// After a user changed their own email, however they did it: every session of theirs ends
/// (log in again) and the old address is told.
pub fn own_email_changed(
    conn: &mut DbConnection,
    keys: &Keys,
    user: &UserRow,
    old: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    sessions::revoke_all_for_user(conn, &user.id, "email_changed", to_db(now))?;
    mail::queue(
        conn,
        keys,
        now,
        Message {
            kind: "email_changed",
            recipient: old.to_owned(),
            subject: "Your Partner Hub email address was changed".to_owned(),
            body: format!(
                "Hello {},\n\nThe email address of your Partner Hub user {} in {} was changed \
                 from {old} to {}. If you did not do this, contact your administrator at once.\n",
                user.name, user.logon, user.account_id, user.email
            ),
        },
    )
}

/// Changes the caller's logon (the password was checked); unique within the account.
pub fn change_logon(
    conn: &mut DbConnection,
    caller: &Caller,
    logon: &Logon,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = me(conn, caller)?;
    if user.logon == logon.as_str() {
        return Ok(());
    }
    if users::logon_taken(conn, &user.account_id, logon.as_str())? {
        return Err(ServiceError::rule(
            ErrorCode::LogonTaken,
            format!("{} already has a user with logon {logon}.", user.account_id),
        ));
    }
    user.logon = logon.to_string();
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    audit_self(conn, caller, now, &user, "user.logon_changed")
}

/// Starts a move to a new authenticator: a current code proves it is the caller, and the new
/// secret waits sealed until it is confirmed.
pub fn start_totp_change(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    code: &str,
    new_secret: &[u8],
    now: DateTime<Utc>,
) -> Result<UserRow, ServiceError> {
    let mut user = me(conn, caller)?;
    check_code(keys, &mut user, code, now)?;
    user.totp_pending_secret = Some(keys.seal(new_secret)?);
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    Ok(user)
}

/// Confirms the new authenticator with a code it shows; from then on it is the only one.
pub fn confirm_totp_change(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = me(conn, caller)?;
    let Some(pending) = user.totp_pending_secret.clone() else {
        return Err(ServiceError::rule(
            ErrorCode::InvalidTotpCode,
            "Start the change with POST /me/totp first.",
        ));
    };
    let secret = keys.open(&pending)?;
    let step = totp::check(&secret, code, now, None).ok_or_else(|| {
        ServiceError::rule(
            ErrorCode::InvalidTotpCode,
            "The code does not match the new authenticator.",
        )
    })?;
    user.totp_secret = Some(pending);
    user.totp_pending_secret = None;
    user.totp_last_step = Some(step);
    user.totp_enrolled_at = Some(to_db(now));
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    audit_self(conn, caller, now, &user, "user.totp_changed")
}

/// Replaces the caller's recovery codes (a current code proves it is the caller).
pub fn replace_recovery_codes(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    code: &str,
    hashed: &StoredCodes,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = me(conn, caller)?;
    check_code(keys, &mut user, code, now)?;
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    recovery_codes::replace_all(conn, &user.id, hashed)?;
    audit_self(conn, caller, now, &user, "user.recovery_codes_replaced")
}

/// Sets the caller's notification digest: how often, about which kinds of task.
pub fn set_notifications(
    conn: &mut DbConnection,
    caller: &Caller,
    frequency: &str,
    categories: &[String],
    now: DateTime<Utc>,
) -> Result<UserRow, ServiceError> {
    let mut fields = Fields::default();
    let frequency = fields.check("frequency", Frequency::parse(frequency));
    let categories = fields.check("categories", notifications::parse_categories(categories));
    let (frequency, categories) = fields.conclude(frequency.zip(categories))?;
    let mut user = me(conn, caller)?;
    user.notification_frequency = frequency.as_str().to_owned();
    user.notification_categories = categories.join(",");
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    audit_self(conn, caller, now, &user, "user.notifications_changed")?;
    Ok(user)
}

fn audit_self(
    conn: &mut DbConnection,
    caller: &Caller,
    at: DateTime<Utc>,
    user: &UserRow,
    action: &str,
) -> Result<(), ServiceError> {
    audit::record(
        conn,
        caller.by(at),
        Change {
            action,
            target_type: "user",
            target_id: &user.id,
            partner_id: audit::partner_of(user),
            ..Change::default()
        },
    )
}

/// Who the caller is: its user, its account's name, and what it may do.
pub struct WhoAmI {
    pub user: UserRow,
    pub account_name: String,
    pub can: Vec<&'static str>,
}

pub fn who_am_i(conn: &mut DbConnection, caller: &Caller) -> Result<WhoAmI, ServiceError> {
    let user = me(conn, caller)?;
    let account_name = match &caller.actor.account {
        AccountId::Platform => "Platform".to_owned(),
        AccountId::Partner(id) => persistence::partners::find(conn, id.as_str())?
            .map(|p| p.name)
            .unwrap_or_default(),
        AccountId::Customer(id) => persistence::customers::find(conn, id.as_str())?
            .map(|c| c.name)
            .unwrap_or_default(),
    };
    Ok(WhoAmI {
        user,
        account_name,
        can: abilities(&caller.actor),
    })
}

/// What the policy lets `actor` do, by name, for a client to show only what works.
pub fn abilities(actor: &Actor) -> Vec<&'static str> {
    let allowed = |action: Action<'_>| policy::decide(actor, action) == Decision::Allow;
    let checks: [(&str, Action<'_>); 12] = [
        ("manage_partners", Action::ManagePartners),
        ("invite_platform_admins", Action::InvitePlatformAdmin),
        ("manage_catalogues", Action::ManageCatalogues),
        ("list_customers", Action::ListCustomers),
        ("manage_customers", Action::ManageCustomers),
        ("manage_access", Action::ManageAccess),
        ("oversee_access", Action::OverseeAccess),
        ("control_access", Action::ControlAccess),
        ("switch_into_customers", Action::SwitchIntoCustomer),
        ("read_audit", Action::ReadAudit),
        ("view_partner_kit", Action::ViewPartnerKit),
        ("manage_partner_kit", Action::ManagePartnerKit),
    ];
    let mut can: Vec<&'static str> = checks
        .into_iter()
        .filter(|(_, action)| allowed(*action))
        .map(|(name, _)| name)
        .collect();
    if let AccountId::Partner(own) = &actor.account
        && allowed(Action::ViewPartner(own))
    {
        can.push("view_own_partner");
    }
    if let AccountId::Customer(own) = &actor.account {
        for (name, action) in [
            ("view_entities", Action::ViewEntities(own)),
            ("manage_entities", Action::ManageEntities(own)),
            ("view_users", Action::ViewCustomerUsers(own)),
            ("manage_users", Action::ManageCustomerUsers(own)),
        ] {
            if allowed(action) {
                can.push(name);
            }
        }
    }
    can
}
