//! Access requests (DOMAIN.md §4, seed 000 "Request Access Permissions"): a partner admin asks
//! a customer's admins — or one named admin, for the customer admin layer — to let a partner
//! user in. They get an email and approve (perhaps narrowing what was asked) or deny; approval
//! makes the grant in the same transaction. A request expires 24 hours after it was made: that
//! is computed from the clock on every read, so nothing has to run for it to be true.

use chrono::{DateTime, Utc};
use domain::access::{self as rules, GrantOrigin, GrantRole, Permissions, approval_narrows};
use domain::ids::{DisplayName, Invalid};
use domain::request::{self, Decision, RequestError, RequestState};
use persistence::DbConnection;
use persistence::access::{self as store, Narrowing, RequestRow, StateFilter};
use persistence::customers::{self, CustomerRow};
use persistence::time::{from_db, to_db};
use persistence::users::{self, UserRow};
use serde::Serialize;

use crate::access::grants::{self, GrantView};
use crate::access::request_mail;
use crate::access::terms::{self, PartnerUserRef, Terms};
use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::settings::Settings;
use crate::tenancy::{self, AccessScope, OwnCustomer, OwnPartner};

/// A request as its parties see it (and as the audit trail records it).
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: String,
    pub customer_id: String,
    pub partner_id: String,
    pub user: PartnerUserRef,
    pub addressed_to: Option<String>,
    pub profile: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub duration_hours: Option<u32>,
    pub message: Option<String>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(serialize_with = "word")]
    pub status: RequestState,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_message: Option<String>,
    pub grant_id: Option<String>,
}

fn word<S: serde::Serializer>(state: &RequestState, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(state.as_str())
}

impl RequestView {
    fn of(row: RequestRow, user: PartnerUserRef, now: DateTime<Utc>) -> RequestView {
        let requested_at = from_db(row.requested_at);
        RequestView {
            status: request::state(requested_at, row.decision, now),
            permissions: terms::stored_permissions(&row.permissions),
            duration_hours: row.duration_hours.and_then(|h| u32::try_from(h).ok()),
            expires_at: requested_at + request::EXPIRES_AFTER,
            id: row.id,
            customer_id: row.customer_id,
            partner_id: row.partner_id,
            user,
            addressed_to: row.addressed_to,
            profile: row.profile,
            role: row.role,
            message: row.message,
            requested_by: row.requested_by,
            requested_at,
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(from_db),
            decision_message: row.decision_message,
            grant_id: row.grant_id,
        }
    }
}

fn shown(
    conn: &mut DbConnection,
    rows: Vec<RequestRow>,
    now: DateTime<Utc>,
) -> Result<Vec<RequestView>, ServiceError> {
    terms::with_users(
        conn,
        rows,
        |r| &r.user_id,
        |row, user| RequestView::of(row, user, now),
    )
}

fn shown_one(
    conn: &mut DbConnection,
    row: RequestRow,
    now: DateTime<Utc>,
) -> Result<RequestView, ServiceError> {
    terms::only(shown(conn, vec![row], now)?)
}

/// Which states a listing asks for, from their words; `None` names the word that is none.
pub fn state_filters(words: &[RequestState], now: DateTime<Utc>) -> Vec<StateFilter> {
    let cut = to_db(now - request::EXPIRES_AFTER);
    words
        .iter()
        .map(|state| match state {
            RequestState::Pending => StateFilter::Pending { made_after: cut },
            RequestState::Expired => StateFilter::Expired { made_after: cut },
            RequestState::Approved => StateFilter::Decided(Decision::Approved),
            RequestState::Denied => StateFilter::Decided(Decision::Denied),
            RequestState::Cancelled => StateFilter::Decided(Decision::Cancelled),
        })
        .collect()
}

/// Up to `take` requests in `scope` made before `before`, newest first.
pub fn list(
    conn: &mut DbConnection,
    scope: &AccessScope,
    narrowing: &Narrowing,
    states: &[RequestState],
    before: Option<(DateTime<Utc>, &str)>,
    take: i64,
    now: DateTime<Utc>,
) -> Result<Vec<RequestView>, ServiceError> {
    let rows = store::list_requests(
        conn,
        scope.as_store(),
        narrowing,
        &state_filters(states, now),
        before.map(|(at, id)| (to_db(at), id)),
        take,
    )?;
    shown(conn, rows, now)
}

pub fn get(
    conn: &mut DbConnection,
    scope: &AccessScope,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestView, ServiceError> {
    let row = load(conn, scope, id)?;
    shown_one(conn, row, now)
}

fn load(
    conn: &mut DbConnection,
    scope: &AccessScope,
    id: &str,
) -> Result<RequestRow, ServiceError> {
    store::find_request_in(conn, scope.as_store(), id)?
        .ok_or(ServiceError::NotFound("access request"))
}

/// A request for access, as sent.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub user_id: String,
    pub customer_id: String,
    pub profile: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub duration_hours: Option<i64>,
    pub message: Option<String>,
    pub customer_admin_id: Option<String>,
}

const MESSAGE_MAX: usize = 1000;

fn note(text: Option<&str>) -> Result<Option<String>, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > MESSAGE_MAX => Err(Invalid::new(
            "length",
            format!("at most {MESSAGE_MAX} characters"),
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

fn hours(value: Option<i64>) -> Result<Option<u32>, Invalid> {
    value.map(rules::duration_hours).transpose()
}

/// A partner admin asks the customer's admins (every active one, or the one named) to let a
/// partner user in; each gets an email. One pending request per partner user and customer.
pub fn create(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    partner: &OwnPartner,
    input: &NewRequest,
    now: DateTime<Utc>,
) -> Result<RequestView, ServiceError> {
    let Checked {
        user,
        customer,
        terms,
        duration,
        message,
        admins,
    } = check_new(conn, partner, input)?;
    let key = store::pending_key(&user.id, &customer.id);
    let pending = || {
        ServiceError::rule(
            ErrorCode::RequestAlreadyPending,
            format!(
                "{} already has a pending request for {}: wait for its decision or cancel it.",
                user.name, customer.id
            ),
        )
    };
    if let Some(open) = store::pending_request(conn, &key)? {
        if request::state(from_db(open.requested_at), open.decision, now) == RequestState::Pending {
            return Err(pending());
        }
        store::release_pending_slot(conn, &open.id)?;
    }
    let row = RequestRow {
        id: uuid::Uuid::new_v4().to_string(),
        partner_id: partner.as_str().to_owned(),
        customer_id: customer.id.clone(),
        user_id: user.id.clone(),
        addressed_to: input.customer_admin_id.clone(),
        profile: terms.profile.to_string(),
        role: terms.role.as_str().to_owned(),
        permissions: terms.permissions_json(),
        duration_hours: duration.and_then(|h| i32::try_from(h).ok()),
        message,
        requested_by: caller.actor.user_id.clone(),
        requested_at: to_db(now),
        decision: Decision::Pending,
        decided_by: None,
        decided_at: None,
        decision_message: None,
        grant_id: None,
        pending_key: Some(key),
    };
    match store::insert_request(conn, &row) {
        Err(e) if persistence::is_unique_violation(&e) => return Err(pending()),
        other => other?,
    }
    request_mail::to_deciders(conn, settings, keys, &admins, &row, &user, now)?;
    audit_request(conn, caller, now, "access_request.created", None, &row)?;
    shown_one(conn, row, now)
}

/// A new request's every field checked, and the admins who will decide it.
struct Checked {
    user: UserRow,
    customer: CustomerRow,
    terms: Terms,
    duration: Option<u32>,
    message: Option<String>,
    admins: Vec<UserRow>,
}

fn check_new(
    conn: &mut DbConnection,
    partner: &OwnPartner,
    input: &NewRequest,
) -> Result<Checked, ServiceError> {
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &input.profile, &input.role, &input.permissions);
    let duration = fields.check("duration_hours", hours(input.duration_hours));
    let message = fields.check("message", note(input.message.as_deref()));
    if input.customer_admin_id.is_some() && input.role != GrantRole::Admin.as_str() {
        fields.refuse(
            "role",
            Invalid::new(
                "admin_layer",
                "a request to a customer admin is for the admin role",
            ),
        );
    }
    let user = fields.check("user_id", terms::grantee(conn, partner, &input.user_id)?);
    let customer = fields.check(
        "customer_id",
        tenancy::partner_customer_field(conn, partner, &input.customer_id)?,
    );
    let admins = match &customer {
        Some(customer) => {
            let admins = deciders(conn, customer, input.customer_admin_id.as_deref())?;
            if admins.is_empty() {
                let (field, why) = match input.customer_admin_id {
                    Some(_) => ("customer_admin_id", "no such active admin of this customer"),
                    None => ("customer_id", "the customer has no active admin to ask"),
                };
                fields.refuse(field, Invalid::new("no_admin", why));
            }
            admins
        }
        None => Vec::new(),
    };
    let complete = (|| Some((user?, customer?, terms?, duration?, message?)))();
    let (user, customer, terms, duration, message) = fields.conclude(complete)?;
    Ok(Checked {
        user,
        customer,
        terms,
        duration,
        message,
        admins,
    })
}

/// The partner cancels one of its pending requests.
pub fn cancel(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestView, ServiceError> {
    let before = load(conn, &partner.access_scope(), id)?;
    still_pending(&before, now)?;
    let after = decide(conn, caller, &before, Decision::Cancelled, now, None, None)?;
    audit_request(
        conn,
        caller,
        now,
        "access_request.cancelled",
        Some(&before),
        &after,
    )?;
    shown_one(conn, after, now)
}

/// What an approving admin sends: absent parts give what was asked.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub permissions: Option<Vec<String>>,
    pub duration_hours: Option<i64>,
    pub message: Option<String>,
}

/// An approved request and the grant it made.
#[derive(Debug, Clone)]
pub struct Approved {
    pub request: RequestView,
    pub grant: GrantView,
}

/// A customer admin approves, perhaps narrowing what was asked (never widening it): the grant is
/// made, or an existing grant of the pair takes the new terms, in the same transaction.
pub fn approve(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    own: &OwnCustomer,
    id: &str,
    approval: &Approval,
    now: DateTime<Utc>,
) -> Result<Approved, ServiceError> {
    let before = decidable(conn, caller, own, id, now)?;
    let role = GrantRole::parse(&before.role)
        .map_err(|_| ServiceError::internal("a stored role is invalid"))?;
    let (given, given_hours, message) = approved_terms(&before, role, approval)?;
    let customer = customers::find(conn, &before.customer_id)?
        .ok_or_else(|| ServiceError::internal("a request without its customer"))?;
    let terms = Terms {
        profile: DisplayName::parse(&before.profile)
            .map_err(|e| ServiceError::internal(e.message))?,
        role,
        permissions: given,
    };
    let expires_at = terms::expiry_after(now, given_hours);
    let existing = store::grant_for(conn, &before.user_id, &before.customer_id)?;
    let mut grant = grants::new_grant(
        &customer,
        &before.user_id,
        &terms,
        expires_at,
        GrantOrigin::Request,
        &caller.actor.user_id,
        now,
    );
    grant.request_id = Some(before.id.clone());
    match &existing {
        Some(old) => {
            grant.id = old.id.clone();
            grant.created_at = old.created_at;
            grant.last_used_at = old.last_used_at;
            store::update_grant(conn, &grant)?;
        }
        None => store::insert_grant(conn, &grant)?,
    }
    let after = decide(
        conn,
        caller,
        &before,
        Decision::Approved,
        now,
        message.as_deref(),
        Some(&grant.id),
    )?;
    audit_request(
        conn,
        caller,
        now,
        "access_request.approved",
        Some(&before),
        &after,
    )?;
    let action = if existing.is_some() {
        "access_grant.updated"
    } else {
        "access_grant.created"
    };
    grants::audit_grant(conn, caller, now, action, existing.as_ref(), &grant)?;
    request_mail::to_requester(conn, keys, &after, Decision::Approved, now)?;
    Ok(Approved {
        request: shown_one(conn, after, now)?,
        grant: terms::only(grants::shown(conn, vec![grant], now)?)?,
    })
}

/// What an approval gives: what was asked, or less (never more), and the note.
fn approved_terms(
    before: &RequestRow,
    role: GrantRole,
    approval: &Approval,
) -> Result<(Permissions, Option<u32>, Option<String>), ServiceError> {
    let asked = Permissions::from_stored(&terms::stored_permissions(&before.permissions));
    let asked_hours = before.duration_hours.and_then(|h| u32::try_from(h).ok());
    let mut fields = Fields::default();
    let given = match &approval.permissions {
        Some(codes) => fields.check("permissions", Permissions::parse(role, codes)),
        None => Some(asked.clone()),
    };
    let given_hours = match approval.duration_hours {
        Some(h) => fields.check("duration_hours", hours(Some(h))),
        None => Some(asked_hours),
    };
    let message = fields.check("message", note(approval.message.as_deref()));
    if let (Some(given), Some(given_hours)) = (&given, given_hours) {
        fields.check(
            "permissions",
            approval_narrows(&asked, asked_hours, given, given_hours),
        );
    }
    let complete = (|| Some((given?, given_hours?, message?)))();
    fields.conclude(complete)
}

/// The checked note of a denial.
pub fn denial_note(message: Option<&str>) -> Result<Option<String>, ServiceError> {
    note(message).map_err(|invalid| ServiceError::field("message", invalid))
}

/// A customer admin denies, optionally saying why.
pub fn deny(
    conn: &mut DbConnection,
    keys: &Keys,
    caller: &Caller,
    own: &OwnCustomer,
    id: &str,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RequestView, ServiceError> {
    let before = decidable(conn, caller, own, id, now)?;
    let after = decide(conn, caller, &before, Decision::Denied, now, message, None)?;
    audit_request(
        conn,
        caller,
        now,
        "access_request.denied",
        Some(&before),
        &after,
    )?;
    request_mail::to_requester(conn, keys, &after, Decision::Denied, now)?;
    shown_one(conn, after, now)
}

fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    before: &RequestRow,
    decision: Decision,
    now: DateTime<Utc>,
    message: Option<&str>,
    grant_id: Option<&str>,
) -> Result<RequestRow, ServiceError> {
    Ok(store::decide_request(
        conn,
        &before.id,
        decision,
        &caller.actor.user_id,
        to_db(now),
        message,
        grant_id,
    )?)
}

/// The request `id` into the caller's own customer, which the caller may decide now: a request
/// addressed to another admin is theirs alone.
fn decidable(
    conn: &mut DbConnection,
    caller: &Caller,
    own: &OwnCustomer,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestRow, ServiceError> {
    let row = load(conn, &own.access_scope(), id)?;
    if row
        .addressed_to
        .as_deref()
        .is_some_and(|to| to != caller.actor.user_id)
    {
        return Err(ServiceError::rule(
            ErrorCode::Forbidden,
            "This request asks another admin of your account by name: only they can decide it.",
        ));
    }
    still_pending(&row, now)?;
    Ok(row)
}

/// 409 unless `row` is still pending at `now`.
fn still_pending(row: &RequestRow, now: DateTime<Utc>) -> Result<(), ServiceError> {
    request::decide(from_db(row.requested_at), row.decision, now).map_err(|e| match e {
        RequestError::Expired => ServiceError::rule(
            ErrorCode::RequestExpired,
            format!(
                "The request expired at {} (24 hours after it was made): ask the partner to send a new one.",
                (from_db(row.requested_at) + request::EXPIRES_AFTER).format("%Y-%m-%d %H:%M:%S UTC")
            ),
        ),
        RequestError::AlreadyDecided => ServiceError::rule(
            ErrorCode::RequestAlreadyDecided,
            format!("The request was already {}.", row.decision),
        ),
    })
}

fn audit_request(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
    action: &str,
    before: Option<&RequestRow>,
    after: &RequestRow,
) -> Result<(), ServiceError> {
    let snap = |row: &RequestRow| {
        audit::snapshot(&RequestView::of(
            row.clone(),
            terms::unknown_user(&row.user_id),
            now,
        ))
    };
    audit::record(
        conn,
        caller.by(now),
        Change {
            action,
            target_type: "access_request",
            target_id: &after.id,
            partner_id: Some(&after.partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(snap),
            after: snap(after),
        },
    )
}

/// The customer admins who get the request email: the one asked, or every active one.
fn deciders(
    conn: &mut DbConnection,
    customer: &CustomerRow,
    addressed_to: Option<&str>,
) -> Result<Vec<UserRow>, ServiceError> {
    let admins = users::active_with_role(conn, &customer.id, "admin")?;
    Ok(admins
        .into_iter()
        .filter(|a| addressed_to.is_none_or(|id| a.id == id))
        .collect())
}
