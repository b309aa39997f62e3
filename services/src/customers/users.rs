//! A customer's own users (seeds 001 and 002): invite, list, read, edit, promote and demote,
//! deactivate and reactivate, re-invite, remove. The account members flow of
//! [`crate::users::members`] over the customer's account, with the roles `admin` and `guest`;
//! an invited user starts as a guest unless the inviter says otherwise.
//!
//! Who may: the customer's partner's admins, the customer's own admins, and a partner user
//! acting inside with `manage_users` (`domain::policy`, `ManageCustomerUsers`); anyone inside
//! the account may read its users.

use chrono::{DateTime, Utc};
use domain::ids::{AccountId, AccountKind, CustomerId};
use domain::role::Role;
use persistence::customers::CustomerRow;
use persistence::time::from_db;
use persistence::users::{UserFilter, UserRow};
use persistence::{DbConnection, licences};

use crate::Settings;
use crate::caller::Caller;
use crate::error::{Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::tenancy::{self, Reachable, Work};
use crate::users::members::{self, Members, UserEdit};
use crate::users::onboarding::Person;

/// The roles a customer's user may hold.
pub const ROLES: &[Role] = &[Role::CustomerAdmin, Role::CustomerGuest];

/// A customer whose users the caller may read: only [`reader`] makes one.
pub struct Readable(Reachable);

/// A customer whose users the caller may manage: only [`manager`] makes one.
pub struct Managed(Reachable);

pub fn reader(caller: &Caller, customer_id: &str) -> Result<Readable, ServiceError> {
    tenancy::reachable(caller, customer_id, Work::ViewUsers).map(Readable)
}

pub fn manager(caller: &Caller, customer_id: &str) -> Result<Managed, ServiceError> {
    tenancy::reachable(caller, customer_id, Work::ManageUsers).map(Managed)
}

impl Readable {
    /// The customer, looked up within the caller's tenant, and its users.
    pub fn open(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
    ) -> Result<(CustomerRow, Members), ServiceError> {
        open(conn, caller, &self.0)
    }
}

impl Managed {
    pub fn open(
        &self,
        conn: &mut DbConnection,
        caller: &Caller,
    ) -> Result<(CustomerRow, Members), ServiceError> {
        open(conn, caller, &self.0)
    }
}

fn open(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Reachable,
) -> Result<(CustomerRow, Members), ServiceError> {
    let row = customer.load(conn, caller)?;
    let id = CustomerId::parse(&row.id).map_err(|_| ServiceError::NotFound("customer"))?;
    let members = Members {
        account: AccountId::Customer(id),
        partner_id: row.partner_id.clone(),
        roles: ROLES,
        keep_an_active_admin: true,
        noun: "customer_user",
    };
    Ok((row, members))
}

/// A customer's user as its readers see it: the user and the licences it holds a seat of.
#[derive(Debug, Clone)]
pub struct CustomerUser {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub logon: String,
    pub role: String,
    pub active: bool,
    pub pending_invitation: bool,
    pub licences: Vec<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CustomerUser {
    fn of(row: UserRow, licences: Vec<String>) -> CustomerUser {
        CustomerUser {
            pending_invitation: row.totp_enrolled_at.is_none(),
            id: row.id,
            customer_id: row.account_id,
            name: row.name,
            email: row.email,
            logon: row.logon,
            role: row.role,
            active: row.active,
            licences,
            last_login_at: row.last_login_at.map(from_db),
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

/// `rows` with the licences each holds (one query for them all).
pub fn with_licences(
    conn: &mut DbConnection,
    customer_id: &str,
    rows: Vec<UserRow>,
) -> Result<Vec<CustomerUser>, ServiceError> {
    let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
    let mut held = licences::held_by(conn, customer_id, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = held.drain(..).partition(|(u, _)| *u == row.id);
            held = rest;
            let products = mine.into_iter().map(|(_, p)| p).collect();
            CustomerUser::of(row, products)
        })
        .collect())
}

fn one(
    conn: &mut DbConnection,
    customer_id: &str,
    row: UserRow,
) -> Result<CustomerUser, ServiceError> {
    Ok(with_licences(conn, customer_id, vec![row])?
        .pop()
        .expect("one user in, one out"))
}

/// A user to invite, as sent.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub person: Person,
    /// A guest unless the inviter says otherwise.
    pub role: Option<String>,
}

/// Invites a user into the customer.
pub fn invite(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    customer: &Managed,
    new: &NewUser,
    now: DateTime<Utc>,
) -> Result<CustomerUser, ServiceError> {
    let mut fields = Fields::default();
    let person = new.person.parse(&mut fields, "");
    let role = match new.role.as_deref() {
        Some(role) => fields.check("role", members::role(AccountKind::Customer, role)),
        None => Some(Role::CustomerGuest),
    };
    let (person, role) = fields.conclude(person.zip(role))?;
    let (row, members) = customer.open(conn, caller)?;
    let user = members.invite(conn, settings, keys, caller.by(now), person, role)?;
    one(conn, &row.id, user)
}

/// A page of the customer's users by name, after the (name, id) cursor.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Readable,
    filter: UserFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<CustomerUser>, ServiceError> {
    let (row, members) = customer.open(conn, caller)?;
    let rows = members.list(conn, filter, after, limit)?;
    with_licences(conn, &row.id, rows)
}

pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Readable,
    user_id: &str,
) -> Result<CustomerUser, ServiceError> {
    let (row, members) = customer.open(conn, caller)?;
    let user = members.load(conn, user_id)?;
    one(conn, &row.id, user)
}

/// Edits, promotes or demotes, deactivates or reactivates a user; an active admin remains
/// once the customer has had one.
pub fn update(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    edit: &UserEdit,
    now: DateTime<Utc>,
) -> Result<CustomerUser, ServiceError> {
    let changes = edit.parse(AccountKind::Customer)?;
    let (row, members) = customer.open(conn, caller)?;
    let user = members.update(conn, keys, caller.by(now), user_id, &changes)?;
    one(conn, &row.id, user)
}

pub fn resend_invitation(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (_, members) = customer.open(conn, caller)?;
    members.resend_invitation(conn, settings, keys, caller.by(now), user_id)
}

/// Emails the user a password-reset link and ends their sessions.
pub fn send_password_reset(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (_, members) = customer.open(conn, caller)?;
    members.send_password_reset(conn, settings, keys, caller.by(now), user_id)
}

/// Removes the user for good (its seats are freed) and emails them.
pub fn remove(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (_, members) = customer.open(conn, caller)?;
    members.remove(conn, keys, caller.by(now), user_id)
}
