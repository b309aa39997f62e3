//! The one invitation flow, for every kind of user (platform admins, partner users, customer
//! admins): create the user without credentials, issue a single-use link, email it.

use chrono::{DateTime, Utc};
use domain::ids::{AccountId, DisplayName, Email, Logon};
use domain::role::Role;
use persistence::DbConnection;
use persistence::tokens::{self, UserTokenRow};
use persistence::users::{self, UserRow};

use crate::Settings;
use crate::audit::{self, By, Change};
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::identity::secrets;
use crate::mail::{self, Message};

pub const INVITATION: &str = "invitation";
pub const PASSWORD_RESET: &str = "password_reset";

/// Who is being invited, already valid.
#[derive(Debug, Clone)]
pub struct Invitee {
    pub account: AccountId,
    pub role: Role,
    pub name: DisplayName,
    pub email: Email,
    pub logon: Logon,
}

impl Invitee {
    /// A platform admin from the command line's words; the name defaults to the email's local
    /// part and the logon to the email.
    pub fn platform_admin(
        email: &str,
        name: Option<&str>,
        logon: Option<&str>,
    ) -> Result<Invitee, domain::ids::Invalid> {
        let email = Email::parse(email)?;
        let local_part = email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        Ok(Invitee {
            account: AccountId::Platform,
            role: Role::PlatformAdmin,
            name: DisplayName::parse(name.unwrap_or(&local_part))?,
            logon: logon.map_or_else(|| Ok(Logon::from(&email)), Logon::parse)?,
            email,
        })
    }
}

/// A new user as sent: a name, an email and perhaps a logon.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub logon: Option<String>,
}

impl Person {
    /// See [`parse_person`].
    pub fn parse(&self, fields: &mut Fields, prefix: &str) -> Option<(DisplayName, Email, Logon)> {
        parse_person(
            fields,
            prefix,
            &self.name,
            &self.email,
            self.logon.as_deref(),
        )
    }
}

/// A new user's name, email and logon (the email when none is given), each invalid one recorded
/// under `prefix` + its field name; `None` when any is invalid.
pub fn parse_person(
    fields: &mut Fields,
    prefix: &str,
    name: &str,
    email: &str,
    logon: Option<&str>,
) -> Option<(DisplayName, Email, Logon)> {
    let name = fields.check(&format!("{prefix}name"), DisplayName::parse(name));
    let email = fields.check(&format!("{prefix}email"), Email::parse(email));
    let logon = match logon {
        Some(logon) => fields.check(&format!("{prefix}logon"), Logon::parse(logon)),
        None => email.as_ref().map(Logon::from),
    };
    Some((name?, email?, logon?))
}

/// A user without credentials yet: they choose a password and enrol an authenticator through
/// their invitation.
pub fn new_user(invitee: Invitee, now: DateTime<Utc>) -> UserRow {
    let at = persistence::time::to_db(now);
    UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        account_kind: invitee.account.kind().as_str().to_owned(),
        account_id: invitee.account.as_str().to_owned(),
        role: invitee.role.name().to_owned(),
        name: invitee.name.into(),
        email: invitee.email.into(),
        logon: invitee.logon.into(),
        active: true,
        password_hash: None,
        totp_secret: None,
        totp_enrolled_at: None,
        totp_last_step: None,
        totp_pending_secret: None,
        notification_frequency: "none".to_owned(),
        notification_categories: String::new(),
        failed_logins: 0,
        locked_until: None,
        created_at: at,
        updated_at: at,
        last_login_at: None,
    }
}

/// The invited user and the link that was emailed (returned for the CLI, which prints it).
pub struct Invited {
    pub user: UserRow,
    pub link: String,
}

pub fn invite(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    by: By<'_>,
    invitee: Invitee,
) -> Result<Invited, ServiceError> {
    let account_id = invitee.account.as_str();
    if users::logon_taken(conn, account_id, invitee.logon.as_str())? {
        return Err(ServiceError::rule(
            ErrorCode::LogonTaken,
            format!(
                "{account_id} already has a user with logon {}.",
                invitee.logon
            ),
        ));
    }
    let user = new_user(invitee.clone(), by.at);
    users::insert(conn, &user)?;
    // Whose trails show the invitation: the partner's, and for a customer's user the
    // customer's and its partner's.
    let (partner_id, customer_id) = match &invitee.account {
        AccountId::Partner(_) => (Some(account_id.to_owned()), None),
        AccountId::Customer(_) => (
            persistence::customers::find(conn, account_id)?.map(|c| c.partner_id),
            Some(account_id),
        ),
        AccountId::Platform => (None, None),
    };
    audit::record(
        conn,
        by,
        Change {
            action: "user.invited",
            target_type: "user",
            target_id: &user.id,
            partner_id: partner_id.as_deref(),
            customer_id,
            after: audit::snapshot(&serde_json::json!({
                "account_id": user.account_id, "role": user.role, "name": user.name,
                "email": user.email, "logon": user.logon,
            })),
            ..Change::default()
        },
    )?;
    let link = send_invitation(conn, settings, keys, by.at, &user)?;
    Ok(Invited { user, link })
}

/// Issues a new invitation link for `user` (the previous one stops working) and emails it.
pub fn send_invitation(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    now: DateTime<Utc>,
    user: &UserRow,
) -> Result<String, ServiceError> {
    let token = issue_token(conn, user, INVITATION, now, settings.invitation_ttl)?;
    // Messages name the account the user joins by its name (white-labelling comes later).
    let name = match user.account_kind.as_str() {
        "partner" => persistence::partners::find(conn, &user.account_id)?.map(|p| p.name),
        "customer" => persistence::customers::find(conn, &user.account_id)?.map(|c| c.name),
        _ => None,
    };
    let account = match name {
        Some(name) => format!("{name} ({})", user.account_id),
        None => user.account_id.clone(),
    };
    let link = format!("{}/invitations/{token}", settings.public_url);
    mail::queue(
        conn,
        keys,
        now,
        Message {
            kind: INVITATION,
            recipient: user.email.clone(),
            subject: format!("Your Partner Hub invitation to {account}"),
            body: format!(
                "Hello {name},\n\nYou have been invited to Partner Hub as {role} of account {account}, \
                 with the logon {logon}.\n\nOpen this link to choose a password and set up your \
                 authenticator app:\n\n{link}\n\nThe link works once and expires on {expires} (UTC).\n",
                name = user.name,
                role = user.role,
                logon = user.logon,
                expires = (now + settings.invitation_ttl).format("%Y-%m-%d %H:%M"),
            ),
        },
    )?;
    Ok(link)
}

/// Issues a single-use token of `purpose` for `user`, valid for `ttl`; any open one of the same
/// purpose stops working. Returns the token (only its hash is stored).
pub fn issue_token(
    conn: &mut DbConnection,
    user: &UserRow,
    purpose: &str,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<String, ServiceError> {
    let at = persistence::time::to_db(now);
    tokens::revoke_open(conn, &user.id, purpose, at)?;
    let token = secrets::random_token()?;
    tokens::insert(
        conn,
        &UserTokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.id.clone(),
            purpose: purpose.to_owned(),
            token_hash: secrets::hash_token(&token),
            created_at: at,
            expires_at: persistence::time::to_db(now + ttl),
            used_at: None,
            revoked_at: None,
        },
    )?;
    Ok(token)
}

/// The open token of `purpose` behind `token`, and its user: 404 when unknown, 410 when used,
/// replaced, expired, or its user deactivated.
pub fn open_token(
    conn: &mut DbConnection,
    token: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(UserTokenRow, UserRow), ServiceError> {
    let what = if purpose == INVITATION {
        "invitation"
    } else {
        "link"
    };
    let row = tokens::find_by_hash(conn, &secrets::hash_token(token))?
        .filter(|t| t.purpose == purpose)
        .ok_or(ServiceError::NotFound(what))?;
    let usable = row.used_at.is_none()
        && row.revoked_at.is_none()
        && persistence::time::from_db(row.expires_at) > now;
    let user = users::find(conn, &row.user_id)?.ok_or(ServiceError::NotFound(what))?;
    if !usable || !user.active {
        return Err(ServiceError::rule(
            ErrorCode::InvitationExpired,
            "This link was used, replaced by a newer one, or has expired.",
        ));
    }
    Ok((row, user))
}
