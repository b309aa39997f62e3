//! The platform's own admins: inviting more of them, and resetting a user's authenticator.

use chrono::{DateTime, Utc};
use domain::ids::AccountId;
use domain::policy::Action;
use domain::role::Role;
use persistence::time::to_db;
use persistence::users::{self, UserRow};
use persistence::{DbConnection, sessions};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::settings::Settings;
use crate::users::onboarding::{self, Invitee, Person};

/// Who invites platform admins: a platform admin.
pub fn inviter(caller: &Caller) -> Result<(), ServiceError> {
    caller.authorize(Action::InvitePlatformAdmin, "user")
}

/// Who resets authenticators: a platform admin.
pub fn resetter(caller: &Caller) -> Result<(), ServiceError> {
    caller.authorize(Action::ResetTotp, "user")
}

/// The invitee's fields checked, before the transaction.
pub fn platform_admin(person: &Person) -> Result<Invitee, ServiceError> {
    let mut fields = Fields::default();
    let parsed = person.parse(&mut fields, "");
    let (name, email, logon) = fields.conclude(parsed)?;
    Ok(Invitee {
        account: AccountId::Platform,
        role: Role::PlatformAdmin,
        name,
        email,
        logon,
    })
}

/// Invites another platform admin.
pub fn invite(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    invitee: &Invitee,
    now: DateTime<Utc>,
) -> Result<UserRow, ServiceError> {
    onboarding::invite(conn, settings, keys, caller.by(now), invitee.clone()).map(|i| i.user)
}

/// Clears a user's authenticator (lost, with its recovery codes): the sessions end and a new
/// invitation link lets the user choose a password and enrol again.
pub fn reset_totp(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let mut user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("user"))?;
    user.totp_secret = None;
    user.totp_pending_secret = None;
    user.totp_enrolled_at = None;
    user.updated_at = to_db(now);
    users::update(conn, &user)?;
    sessions::revoke_all_for_user(conn, &user.id, "totp_reset", to_db(now))?;
    onboarding::send_invitation(conn, settings, keys, now, &user)?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "user.totp_reset",
            target_type: "user",
            target_id: &user.id,
            partner_id: audit::partner_of(&user),
            ..Change::default()
        },
    )
}
