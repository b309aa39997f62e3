//! Access grants (DOMAIN.md §4, seed 000 "Manage Access Rights"): a partner user's access to a
//! customer. A partner admin gives one directly where the customer's status and its permission
//! flag allow; the customer's own admins see every grant into their account, revoke any, invite
//! partner users in as guests and set the permission flag.

use chrono::{DateTime, Utc};
use domain::access::{self as rules, GrantOrigin, GrantPath, grant_live};
use domain::customer::CustomerStatus;
use domain::ids::{Email, Invalid, PartnerId};
use domain::policy::Action;
use persistence::access::{self as store, GrantRow, Narrowing};
use persistence::customers::{self, CustomerRow};
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, users};

use crate::access::terms::{self, PartnerUserRef, Terms};
use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::tenancy::{self, AccessScope, OwnCustomer, OwnPartner};

/// A grant as its overseers see it.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub id: String,
    pub customer_id: String,
    pub partner_id: String,
    pub user: PartnerUserRef,
    pub profile: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it lets its holder in at the moment it was read.
    pub live: bool,
    pub origin: GrantOrigin,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl GrantView {
    fn of(row: GrantRow, user: PartnerUserRef, now: DateTime<Utc>) -> GrantView {
        let expires_at = row.expires_at.map(from_db);
        GrantView {
            live: grant_live(expires_at, now),
            permissions: terms::stored_permissions(&row.permissions),
            origin: row.origin,
            id: row.id,
            customer_id: row.customer_id,
            partner_id: row.partner_id,
            user,
            profile: row.profile,
            role: row.role,
            expires_at,
            request_id: row.request_id,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
            last_used_at: row.last_used_at.map(from_db),
        }
    }
}

/// `rows` shown with their users, looked up in one query.
pub fn shown(
    conn: &mut DbConnection,
    rows: Vec<GrantRow>,
    now: DateTime<Utc>,
) -> Result<Vec<GrantView>, ServiceError> {
    terms::with_users(
        conn,
        rows,
        |g| &g.user_id,
        |row, user| GrantView::of(row, user, now),
    )
}

fn shown_one(
    conn: &mut DbConnection,
    row: GrantRow,
    now: DateTime<Utc>,
) -> Result<GrantView, ServiceError> {
    terms::only(shown(conn, vec![row], now)?)
}

/// Who may list, read and revoke grants: partner admins (their partner's), customer admins
/// (into their account).
pub fn overseer(caller: &Caller) -> Result<AccessScope, ServiceError> {
    tenancy::access_scope(caller, Action::OverseeAccess)
}

/// Who may give, change and request access: partner admins, for their own partner.
pub fn manager(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ManageAccess)
}

/// Up to `take` grants in `scope` after the key `after`, by customer then partner user.
pub fn list(
    conn: &mut DbConnection,
    scope: &AccessScope,
    narrowing: &Narrowing,
    after: Option<(&str, &str)>,
    take: i64,
    now: DateTime<Utc>,
) -> Result<Vec<GrantView>, ServiceError> {
    let rows = store::list_grants(conn, scope.as_store(), narrowing, after, take)?;
    shown(conn, rows, now)
}

pub fn get(
    conn: &mut DbConnection,
    scope: &AccessScope,
    id: &str,
    now: DateTime<Utc>,
) -> Result<GrantView, ServiceError> {
    let row = load(conn, scope, id)?;
    shown_one(conn, row, now)
}

fn load(conn: &mut DbConnection, scope: &AccessScope, id: &str) -> Result<GrantRow, ServiceError> {
    store::find_grant_in(conn, scope.as_store(), id)?.ok_or(ServiceError::NotFound("grant"))
}

/// The terms of a new grant, as sent.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub user_id: String,
    pub customer_id: String,
    pub profile: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A partner admin gives a partner user access to a customer, where DOMAIN.md §4's table allows
/// a direct grant.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    input: &NewGrant,
    now: DateTime<Utc>,
) -> Result<GrantView, ServiceError> {
    let partner = partner.id();
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &input.profile, &input.role, &input.permissions);
    let expires_at = fields.check("expires_at", rules::grant_expiry(input.expires_at, now));
    let user = fields.check("user_id", terms::grantee(conn, partner, &input.user_id)?);
    let customer = fields.check(
        "customer_id",
        tenancy::partner_customer_field(conn, partner, &input.customer_id)?,
    );
    let (user, customer, terms, expires_at) =
        fields.conclude(zip4(user, customer, terms, expires_at))?;
    require_direct_path(&customer)?;
    let grant = new_grant(
        &customer,
        &user.id,
        &terms,
        expires_at,
        GrantOrigin::Direct,
        &caller.actor.user_id,
        now,
    );
    insert_new(conn, &grant)?;
    audit_grant(conn, caller, now, "access_grant.created", None, &grant)?;
    shown_one(conn, grant, now)
}

/// What an edit of a grant sends: absent fields keep their value; `expires_at: Some(None)`
/// removes the expiry.
#[derive(Debug, Clone, Default)]
pub struct GrantChanges {
    pub profile: Option<String>,
    pub role: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// A partner admin changes a grant, only where a direct grant is allowed.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    id: &str,
    changes: &GrantChanges,
    now: DateTime<Utc>,
) -> Result<GrantView, ServiceError> {
    let before = load(conn, &partner.access_scope(), id)?;
    let mut fields = Fields::default();
    let stored = terms::stored_permissions(&before.permissions);
    let terms = Terms::parse(
        &mut fields,
        changes.profile.as_deref().unwrap_or(&before.profile),
        changes.role.as_deref().unwrap_or(&before.role),
        changes.permissions.as_deref().unwrap_or(&stored),
    );
    let expires_at = match changes.expires_at {
        Some(wanted) => fields.check("expires_at", rules::grant_expiry(wanted, now)),
        None => Some(before.expires_at.map(from_db)),
    };
    let (terms, expires_at) = fields.conclude(terms.zip(expires_at))?;
    let customer = customers::find(conn, &before.customer_id)?
        .ok_or_else(|| ServiceError::internal("a grant without its customer"))?;
    require_direct_path(&customer)?;
    let mut after = before.clone();
    after.profile = terms.profile.to_string();
    after.role = terms.role.as_str().to_owned();
    after.permissions = terms.permissions_json();
    after.expires_at = expires_at.map(to_db);
    if after != before {
        after.updated_at = to_db(now);
        store::update_grant(conn, &after)?;
        audit_grant(
            conn,
            caller,
            now,
            "access_grant.updated",
            Some(&before),
            &after,
        )?;
    }
    shown_one(conn, after, now)
}

/// Revokes a grant: an acting session resting on it ends on its next request.
pub fn revoke(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &AccessScope,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let grant = load(conn, scope, id)?;
    store::delete_grant(conn, &grant.id, "grant_revoked", to_db(now))?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "access_grant.revoked",
            target_type: "access_grant",
            target_id: &grant.id,
            partner_id: Some(&grant.partner_id),
            customer_id: Some(&grant.customer_id),
            before: snapshot(&grant),
            after: None,
        },
    )
}

/// The customer's own admins: who decides requests, invites guests and sets the flag.
pub fn customer_controls(caller: &Caller) -> Result<OwnCustomer, ServiceError> {
    tenancy::own_customer_id(caller)
}

/// A guest invitation, as sent.
#[derive(Debug, Clone)]
pub struct GuestInvitation {
    pub email: String,
    pub profile: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The customer invites a partner user of its partner in as a guest (seed 001): the grant is
/// made at once, whatever the status, as it is the customer's own act.
pub fn invite_guest(
    conn: &mut DbConnection,
    caller: &Caller,
    own: &OwnCustomer,
    input: &GuestInvitation,
    now: DateTime<Utc>,
) -> Result<GrantView, ServiceError> {
    let customer = own.load(conn)?;
    let partner = PartnerId::parse(&customer.partner_id)
        .map_err(|_| ServiceError::internal("a stored partner id is invalid"))?;
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &input.profile, &input.role, &input.permissions);
    let expires_at = fields.check("expires_at", rules::grant_expiry(input.expires_at, now));
    let user = match fields.check("email", Email::parse(&input.email)) {
        Some(email) => match users::find_by_email(conn, partner.as_str(), email.as_str())? {
            Some(user) => fields.check("email", terms::grantee(conn, &partner, &user.id)?),
            None => {
                fields.refuse(
                    "email",
                    Invalid::new(
                        "not_found",
                        "no user of your partner has this email address",
                    ),
                );
                None
            }
        },
        None => None,
    };
    let (user, terms, expires_at) =
        fields.conclude(user.zip(terms).zip(expires_at).map(|((u, t), e)| (u, t, e)))?;
    let grant = new_grant(
        &customer,
        &user.id,
        &terms,
        expires_at,
        GrantOrigin::Guest,
        &caller.actor.user_id,
        now,
    );
    insert_new(conn, &grant)?;
    audit_grant(
        conn,
        caller,
        now,
        "access_grant.guest_invited",
        None,
        &grant,
    )?;
    shown_one(conn, grant, now)
}

/// "Requires customer access permissions" on the customer's own account.
#[derive(Debug, Clone)]
pub struct AccessPermissionState {
    pub customer_id: String,
    pub required: bool,
    pub locked_by_customer: bool,
}

/// The customer's own admins switch the flag: on, it is locked against the partner; off, the
/// lock goes too. Existing grants are kept either way.
pub fn set_access_permission(
    conn: &mut DbConnection,
    caller: &Caller,
    own: &OwnCustomer,
    required: bool,
    now: DateTime<Utc>,
) -> Result<AccessPermissionState, ServiceError> {
    let before = own.load(conn)?;
    if before.requires_access_permission != required || before.access_permission_locked != required
    {
        customers::set_access_permission(conn, &before.id, required, to_db(now))?;
        let flag = |required: bool, locked: bool| serde_json::json!({"requires_access_permission": required, "locked_by_customer": locked});
        audit::record(
            conn,
            caller.by(now),
            Change {
                action: "customer.access_permission_set",
                target_type: "customer",
                target_id: &before.id,
                partner_id: Some(&before.partner_id),
                customer_id: Some(&before.id),
                before: Some(flag(
                    before.requires_access_permission,
                    before.access_permission_locked,
                )),
                after: Some(flag(required, required)),
            },
        )?;
    }
    Ok(AccessPermissionState {
        customer_id: before.id,
        required,
        locked_by_customer: required,
    })
}

/// 422 unless a partner admin may give access to `customer` directly (DOMAIN.md §4's table).
pub fn require_direct_path(customer: &CustomerRow) -> Result<(), ServiceError> {
    let status = CustomerStatus::from_rank(customer.status)
        .ok_or_else(|| ServiceError::internal("a stored status is out of range"))?;
    match rules::grant_path(status, customer.requires_access_permission) {
        GrantPath::Direct => Ok(()),
        GrantPath::RequestOnly => Err(ServiceError::rule(
            ErrorCode::AccessRequiresCustomerPermission,
            format!(
                "Access to {} requires the customer's permission (status {}{}): send an access \
                 request with POST /access-requests.",
                customer.id,
                status.as_str(),
                if customer.requires_access_permission {
                    ", requires customer access permissions on"
                } else {
                    ""
                }
            ),
        )),
    }
}

fn snapshot(row: &GrantRow) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "user_id": row.user_id,
        "customer_id": row.customer_id,
        "profile": row.profile,
        "role": row.role,
        "permissions": terms::stored_permissions(&row.permissions),
        "expires_at": row.expires_at.map(from_db),
        "origin": row.origin.as_str(),
    }))
}

/// Audits a change to a grant on both trails (the partner's and the customer's).
pub(crate) fn audit_grant(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
    action: &str,
    before: Option<&GrantRow>,
    after: &GrantRow,
) -> Result<(), ServiceError> {
    audit::record(
        conn,
        caller.by(now),
        Change {
            action,
            target_type: "access_grant",
            target_id: &after.id,
            partner_id: Some(&after.partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )
}

/// A new grant row for `user` into `customer`.
pub(crate) fn new_grant(
    customer: &CustomerRow,
    user_id: &str,
    terms: &Terms,
    expires_at: Option<DateTime<Utc>>,
    origin: GrantOrigin,
    by: &str,
    now: DateTime<Utc>,
) -> GrantRow {
    GrantRow {
        id: uuid::Uuid::new_v4().to_string(),
        partner_id: customer.partner_id.clone(),
        customer_id: customer.id.clone(),
        user_id: user_id.to_owned(),
        profile: terms.profile.to_string(),
        role: terms.role.as_str().to_owned(),
        permissions: terms.permissions_json(),
        expires_at: expires_at.map(to_db),
        origin,
        request_id: None,
        created_by: Some(by.to_owned()),
        created_at: to_db(now),
        updated_at: to_db(now),
        last_used_at: None,
    }
}

/// Inserts `grant`; 409 when the partner user already holds one for the customer.
fn insert_new(conn: &mut DbConnection, grant: &GrantRow) -> Result<(), ServiceError> {
    let taken = || {
        ServiceError::rule(
            ErrorCode::GrantExists,
            "This partner user already holds a grant for this customer: change or revoke it.",
        )
    };
    if store::grant_for(conn, &grant.user_id, &grant.customer_id)?.is_some() {
        return Err(taken());
    }
    match store::insert_grant(conn, grant) {
        Err(e) if persistence::is_unique_violation(&e) => Err(taken()),
        other => Ok(other?),
    }
}

fn zip4<A, B, C, D>(
    a: Option<A>,
    b: Option<B>,
    c: Option<C>,
    d: Option<D>,
) -> Option<(A, B, C, D)> {
    Some((a?, b?, c?, d?))
}
