//! The users of an account, managed the same way whoever's they are: a partner's own users
//! (managed by its admins) and a customer's users (managed by the partner's admins, the
//! customer's own admins and partner users acting inside with `manage_users`). One flow for
//! inviting, listing, editing, deactivating, re-inviting and removing; what differs (which
//! roles, whether an active admin must remain, which audit trail) is a field of [`Members`].

use domain::ids::{AccountId, AccountKind, DisplayName, Email, Invalid, Logon};
use domain::partner_users::keeps_an_active_admin;
use domain::role::Role;
use persistence::DbConnection;
use persistence::sessions;
use persistence::time::to_db;
use persistence::users::{self, UserFilter, UserRow};

use crate::Settings;
use crate::audit::{self, By, Change};
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::identity::{password_reset, profile};
use crate::mail::{self, Message};
use crate::users::onboarding::{self, Invitee};

/// Whose users, and the rules that come with them.
#[derive(Debug, Clone)]
pub struct Members {
    pub account: AccountId,
    /// The partner whose audit trail records the changes.
    pub partner_id: String,
    /// The roles the account's users may hold.
    pub roles: &'static [Role],
    /// Refuse a change that leaves the account without an active admin.
    pub keep_an_active_admin: bool,
    /// How messages and the audit trail name one of them: `partner_user`, `customer_user`.
    pub noun: &'static str,
}

/// A checked change to one user; only what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<DisplayName>,
    pub email: Option<Email>,
    pub logon: Option<Logon>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// A change to one user as sent; only what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct UserEdit {
    pub name: Option<String>,
    pub email: Option<String>,
    pub logon: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

impl UserEdit {
    /// The change for a user of an account of `kind`, every bad field reported at once.
    pub fn parse(&self, kind: AccountKind) -> Result<UserChanges, ServiceError> {
        let mut fields = Fields::default();
        let changes = UserChanges {
            name: fields.optional("name", self.name.as_deref(), DisplayName::parse),
            email: fields.optional("email", self.email.as_deref(), Email::parse),
            logon: fields.optional("logon", self.logon.as_deref(), Logon::parse),
            role: fields.optional("role", self.role.as_deref(), |r| role(kind, r)),
            active: self.active,
        };
        fields.finish()?;
        Ok(changes)
    }
}

/// A role of an account of `kind`, by name.
pub fn role(kind: AccountKind, name: &str) -> Result<Role, Invalid> {
    Role::parse(kind, name).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| r.account_kind() == kind)
            .map(|r| r.name())
            .collect();
        Invalid::new("role", format!("must be one of {}", names.join(", ")))
    })
}

impl Members {
    fn customer_id(&self) -> Option<&str> {
        matches!(self.account, AccountId::Customer(_)).then(|| self.account.as_str())
    }

    fn what(&self) -> &'static str {
        match self.noun {
            "customer_user" => "customer user",
            _ => "partner user",
        }
    }

    fn role_of(&self, user: &UserRow) -> Option<Role> {
        Role::parse(self.account.kind(), &user.role).filter(|role| self.roles.contains(role))
    }

    /// The member `user_id`, or 404 (a user of another account, or of another role, is not
    /// there).
    pub fn load(&self, conn: &mut DbConnection, user_id: &str) -> Result<UserRow, ServiceError> {
        users::find(conn, user_id)?
            .filter(|u| u.account_id == self.account.as_str() && self.role_of(u).is_some())
            .ok_or(ServiceError::NotFound(self.what()))
    }

    /// Keeps the account's counts on its row current (customers count their users).
    fn counted(&self, conn: &mut DbConnection) -> Result<(), ServiceError> {
        if let Some(customer) = self.customer_id() {
            persistence::customers::recount_users(conn, customer)?;
        }
        Ok(())
    }

    fn audit(
        &self,
        conn: &mut DbConnection,
        by: By<'_>,
        action: &str,
        user: &UserRow,
        before: Option<&UserRow>,
        after: Option<&UserRow>,
    ) -> Result<(), ServiceError> {
        audit::record(
            conn,
            by,
            Change {
                action: &format!("{}.{action}", self.noun),
                target_type: "user",
                target_id: &user.id,
                partner_id: Some(&self.partner_id),
                customer_id: self.customer_id(),
                before: before.and_then(|u| audit::snapshot(&snapshot(u))),
                after: after.and_then(|u| audit::snapshot(&snapshot(u))),
            },
        )
    }

    /// Creates the user and emails the invitation (the one onboarding flow).
    pub fn invite(
        &self,
        conn: &mut DbConnection,
        settings: &Settings,
        keys: &Keys,
        by: By<'_>,
        (name, email, logon): (DisplayName, Email, Logon),
        role: Role,
    ) -> Result<UserRow, ServiceError> {
        let invitee = Invitee {
            account: self.account.clone(),
            role,
            name,
            email,
            logon,
        };
        let invited = onboarding::invite(conn, settings, keys, by, invitee)?;
        self.counted(conn)?;
        Ok(invited.user)
    }

    pub fn list(
        &self,
        conn: &mut DbConnection,
        mut filter: UserFilter,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<UserRow>, ServiceError> {
        if let [only] = self.roles {
            filter.role = Some(only.name().to_owned());
        }
        Ok(users::list_for_account(
            conn,
            self.account.as_str(),
            &filter,
            after,
            limit,
        )?)
    }

    /// Applies `changes`; deactivating ends the user's sessions at once, and so does changing
    /// one's own email (as `PUT /me/email` does).
    pub fn update(
        &self,
        conn: &mut DbConnection,
        keys: &Keys,
        by: By<'_>,
        user_id: &str,
        changes: &UserChanges,
    ) -> Result<UserRow, ServiceError> {
        let before = self.load(conn, user_id)?;
        let mut after = before.clone();
        if let Some(name) = &changes.name {
            after.name = name.to_string();
        }
        if let Some(email) = &changes.email {
            after.email = email.to_string();
        }
        if let Some(logon) = &changes.logon
            && logon.as_str() != before.logon
        {
            if users::logon_taken(conn, &before.account_id, logon.as_str())? {
                return Err(ServiceError::rule(
                    ErrorCode::LogonTaken,
                    format!(
                        "{} already has a user with logon {logon}.",
                        before.account_id
                    ),
                ));
            }
            after.logon = logon.to_string();
        }
        if let Some(role) = changes.role {
            after.role = role.name().to_owned();
        }
        if let Some(active) = changes.active {
            after.active = active;
        }
        let after_role = self
            .role_of(&after)
            .ok_or_else(|| ServiceError::internal("a role outside the set"))?;
        self.guard_last_admin(conn, &before, Some((after_role, after.active)))?;
        if after == before {
            return Ok(after);
        }
        after.updated_at = to_db(by.at);
        users::update(conn, &after)?;
        if before.active && !after.active {
            sessions::revoke_all_for_user(conn, &after.id, "user_deactivated", to_db(by.at))?;
        }
        if after.email != before.email && by.user_id == Some(after.id.as_str()) {
            profile::own_email_changed(conn, keys, &after, &before.email, by.at)?;
        }
        self.counted(conn)?;
        self.audit(conn, by, "updated", &after, Some(&before), Some(&after))?;
        Ok(after)
    }

    /// Issues a new invitation link (the previous one stops working) and emails it.
    pub fn resend_invitation(
        &self,
        conn: &mut DbConnection,
        settings: &Settings,
        keys: &Keys,
        by: By<'_>,
        user_id: &str,
    ) -> Result<(), ServiceError> {
        let user = self.load(conn, user_id)?;
        if user.totp_enrolled_at.is_some() {
            return Err(ServiceError::rule(
                ErrorCode::AlreadyEnrolled,
                format!("{} has already accepted their invitation.", user.name),
            ));
        }
        onboarding::send_invitation(conn, settings, keys, by.at, &user)?;
        self.audit(conn, by, "invitation_resent", &user, None, None)
    }

    /// Emails the user a single-use password-reset link (never a password) and ends their
    /// sessions: an admin's "reset password" (seed 004).
    pub fn send_password_reset(
        &self,
        conn: &mut DbConnection,
        settings: &Settings,
        keys: &Keys,
        by: By<'_>,
        user_id: &str,
    ) -> Result<(), ServiceError> {
        let user = self.load(conn, user_id)?;
        if user.totp_enrolled_at.is_none() {
            return Err(ServiceError::rule(
                ErrorCode::InvitationPending,
                format!(
                    "{} has not accepted their invitation yet: re-send it instead.",
                    user.name
                ),
            ));
        }
        if !user.active {
            return Err(ServiceError::rule(
                ErrorCode::UserInactive,
                format!("{} is deactivated: reactivate them first.", user.name),
            ));
        }
        password_reset::send_link(conn, settings, keys, &user, by.at)?;
        sessions::revoke_all_for_user(conn, &user.id, "password_reset_sent", to_db(by.at))?;
        self.audit(conn, by, "password_reset_sent", &user, None, None)
    }

    /// Deletes the user and emails them that their access was revoked.
    pub fn remove(
        &self,
        conn: &mut DbConnection,
        keys: &Keys,
        by: By<'_>,
        user_id: &str,
    ) -> Result<(), ServiceError> {
        let user = self.load(conn, user_id)?;
        self.guard_last_admin(conn, &user, None)?;
        if let Some(customer) = self.customer_id() {
            crate::customers::licences::release_all(conn, customer, &user.id)?;
        }
        users::delete(conn, &user.id)?;
        mail::queue(
            conn,
            keys,
            by.at,
            Message {
                kind: "access_revoked",
                recipient: user.email.clone(),
                subject: format!("Your Partner Hub access to {} was removed", user.account_id),
                body: format!(
                    "Hello {},\n\nYour user {} in {} has been removed from Partner Hub: you can no \
                     longer log in to the hub or to its customers.\n",
                    user.name, user.logon, user.account_id
                ),
            },
        )?;
        self.counted(conn)?;
        self.audit(conn, by, "removed", &user, Some(&user), None)
    }

    /// Refuses a change that would leave the account without an active admin, where the set
    /// asks for one. Runs inside the change's serializable transaction, so two admins demoting
    /// each other at once cannot both pass it.
    fn guard_last_admin(
        &self,
        conn: &mut DbConnection,
        before: &UserRow,
        after: Option<(Role, bool)>,
    ) -> Result<(), ServiceError> {
        let was_active_admin = before.active && self.role_of(before).is_some_and(Role::is_admin);
        if !self.keep_an_active_admin || !was_active_admin {
            return Ok(());
        }
        let others =
            users::count_active_with_role(conn, &before.account_id, &before.role, &before.id)?;
        if keeps_an_active_admin(usize::try_from(others).unwrap_or(usize::MAX), after) {
            Ok(())
        } else {
            Err(ServiceError::rule(
                ErrorCode::LastActiveAdmin,
                format!(
                    "{} is the last active admin of {}.",
                    before.name, before.account_id
                ),
            ))
        }
    }
}

/// What the audit trail keeps of a user (never secrets).
fn snapshot(user: &UserRow) -> serde_json::Value {
    serde_json::json!({
        "id": user.id, "account_id": user.account_id, "role": user.role, "name": user.name,
        "email": user.email, "logon": user.logon, "active": user.active,
    })
}
