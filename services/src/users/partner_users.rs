//! A partner's own users, as its admins (and the platform) manage them: the account members
//! flow of [`crate::users::members`] over the partner's account, where an active admin always
//! remains.

use chrono::{DateTime, Utc};
use domain::ids::{AccountId, AccountKind, Invalid, PartnerId};
use domain::policy::Action;
use domain::role::Role;
use persistence::time::to_db;
use persistence::users::UserRow;
use persistence::{DbConnection, customers};

use crate::Settings;
use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::users::members::{self, Members, UserEdit};
use crate::users::onboarding::Person;

/// A partner whose users the caller may manage: only [`manager`] makes one.
#[derive(Debug, Clone)]
pub struct ManagedPartner(PartnerId);

/// The partner in the path, if the policy lets the caller manage its users (another tenant's
/// partner answers as one that does not exist).
pub fn manager(caller: &Caller, partner_id: &str) -> Result<ManagedPartner, ServiceError> {
    let partner = PartnerId::parse(partner_id).map_err(|_| ServiceError::NotFound("partner"))?;
    caller.authorize(Action::ManagePartnerUsers(&partner), "partner")?;
    Ok(ManagedPartner(partner))
}

impl ManagedPartner {
    pub fn id(&self) -> &PartnerId {
        &self.0
    }

    /// 404 unless the partner exists (the platform may name any id).
    pub fn exists(&self, conn: &mut DbConnection) -> Result<(), ServiceError> {
        match persistence::partners::find(conn, self.0.as_str())? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound("partner")),
        }
    }

    /// The partner's users: every partner role, and an active admin always remains.
    pub fn members(&self) -> Members {
        Members {
            account: AccountId::Partner(self.0.clone()),
            partner_id: self.0.to_string(),
            roles: &[
                Role::PartnerAdmin,
                Role::PartnerUser,
                Role::PartnerMarketing,
                Role::PartnerNotifications,
            ],
            keep_an_active_admin: true,
            noun: "partner_user",
        }
    }
}

/// A partner user and the customers it is assigned to.
#[derive(Debug, Clone)]
pub struct PartnerUser {
    pub user: UserRow,
    pub assigned_customers: Vec<String>,
}

/// `rows` with their assignments (one query for them all).
pub fn with_assignments(
    conn: &mut DbConnection,
    rows: Vec<UserRow>,
) -> Result<Vec<PartnerUser>, ServiceError> {
    let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
    let mut all = customers::assignments_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|user| {
            let (mine, rest): (Vec<_>, Vec<_>) = all.drain(..).partition(|(u, _)| *u == user.id);
            all = rest;
            PartnerUser {
                user,
                assigned_customers: mine.into_iter().map(|(_, c)| c).collect(),
            }
        })
        .collect())
}

pub fn one(conn: &mut DbConnection, user: UserRow) -> Result<PartnerUser, ServiceError> {
    Ok(with_assignments(conn, vec![user])?
        .pop()
        .expect("one user in, one out"))
}

/// A partner user to invite, as sent.
#[derive(Debug, Clone)]
pub struct NewPartnerUser {
    pub person: Person,
    pub role: String,
    /// The customers a user of role `user` is assigned to.
    pub assigned_customers: Vec<String>,
}

/// Invites a user into the partner, assigned to the customers named.
pub fn invite(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    partner: &ManagedPartner,
    new: &NewPartnerUser,
    now: DateTime<Utc>,
) -> Result<PartnerUser, ServiceError> {
    partner.exists(conn)?;
    let mut fields = Fields::default();
    let person = new.person.parse(&mut fields, "");
    let role = fields.check("role", members::role(AccountKind::Partner, &new.role));
    let wanted = partner.check_assignments(conn, &mut fields, role, &new.assigned_customers)?;
    let (person, role) = fields.conclude(person.zip(role))?;
    let members = partner.members();
    let user = members.invite(conn, settings, keys, caller.by(now), person, role)?;
    partner.assign(conn, caller, &user, &wanted, now)?;
    one(conn, user)
}

/// A change to a partner user as sent: the user's own fields, and perhaps their customers.
#[derive(Debug, Clone, Default)]
pub struct PartnerUserEdit {
    pub user: UserEdit,
    /// When `Some`, exactly the customers the user is assigned to afterwards.
    pub assigned_customers: Option<Vec<String>>,
}

/// Edits, promotes or demotes, deactivates or reactivates a partner user (an active admin
/// remains), and sets their customers when named.
pub fn update(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    partner: &ManagedPartner,
    user_id: &str,
    edit: &PartnerUserEdit,
    now: DateTime<Utc>,
) -> Result<PartnerUser, ServiceError> {
    let changes = edit.user.parse(AccountKind::Partner)?;
    let members = partner.members();
    let user = members.update(conn, keys, caller.by(now), user_id, &changes)?;
    if let Some(assigned) = &edit.assigned_customers {
        partner.set_assignments(conn, caller, &user, assigned, now)?;
    }
    one(conn, user)
}

impl ManagedPartner {
    /// Makes `customer_ids` exactly the customers `user` is assigned to: every one must be a
    /// customer of the partner (422 naming each that is not), and the user of role `user`.
    pub fn set_assignments(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        user: &UserRow,
        customer_ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let mut fields = Fields::default();
        let role = Role::parse(AccountKind::Partner, &user.role);
        let wanted = self.check_assignments(conn, &mut fields, role, customer_ids)?;
        fields.finish()?;
        self.assign(conn, caller, user, &wanted, now)
    }

    /// The customers `customer_ids` name, each refused in `fields` unless it is one of the
    /// partner's, and all of them unless `role` is `user` (an unknown role was refused already).
    fn check_assignments(
        &self,
        conn: &mut DbConnection,
        fields: &mut Fields,
        role: Option<Role>,
        customer_ids: &[String],
    ) -> Result<Vec<String>, ServiceError> {
        if !customer_ids.is_empty() && role.is_some_and(|role| role != Role::PartnerUser) {
            fields.refuse(
                "assigned_customers",
                Invalid::new(
                    "role",
                    "only partner users of role `user` are assigned to customers",
                ),
            );
        }
        let mut wanted = Vec::new();
        for (i, id) in customer_ids.iter().enumerate() {
            match customers::find_for_partner(conn, self.0.as_str(), id)? {
                Some(customer) => wanted.push(customer.id),
                None => fields.refuse(
                    &format!("assigned_customers[{i}]"),
                    Invalid::new("unknown_customer", "is not a customer of this partner"),
                ),
            }
        }
        Ok(wanted)
    }

    /// Makes the checked `wanted` exactly the customers `user` is assigned to.
    fn assign(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        user: &UserRow,
        wanted: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let current = customers::assignments_of(conn, std::slice::from_ref(&user.id))?;
        let current: Vec<String> = current.into_iter().map(|(_, c)| c).collect();
        for customer in wanted.iter().filter(|c| !current.contains(c)) {
            customers::assign(conn, customer, &user.id, to_db(now))?;
            self.audit_assignment(conn, caller, user, customer, "customer.user_assigned", now)?;
        }
        for customer in current.iter().filter(|c| !wanted.contains(c)) {
            customers::unassign(conn, customer, &user.id)?;
            self.audit_assignment(
                conn,
                caller,
                user,
                customer,
                "customer.user_unassigned",
                now,
            )?;
        }
        Ok(())
    }

    fn audit_assignment(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
        user: &UserRow,
        customer: &str,
        action: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        audit::record(
            conn,
            caller.by(now),
            Change {
                action,
                target_type: "assignment",
                target_id: &format!("{customer}/{}", user.id),
                partner_id: Some(self.0.as_str()),
                customer_id: Some(customer),
                ..Change::default()
            },
        )
    }
}
