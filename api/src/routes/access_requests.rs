//! Access requests (DOMAIN.md §4, seed 000 "Request Access Permissions"): a partner admin asks
//! a customer's admins — or one named admin, for the customer admin layer — to let a partner
//! user in. They get an email and approve (perhaps narrowing what was asked) or deny; approval
//! makes the grant in the same transaction. A request expires 24 hours after it was made: that
//! is computed from the clock on every read, so nothing has to run for it to be true.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use domain::access::{self as rules, Permissions, approval_narrows};
use domain::ids::AccountId;
use domain::policy::Action;
use domain::request::{self, Decision, RequestError, RequestState};
use persistence::access::{self as store, RequestRow, Scope, StateFilter};
use persistence::customers::CustomerRow;
use persistence::time::{from_db, to_db};
use persistence::users::{self, UserFilter, UserRow};
use persistence::{DbConnection, customers};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, Fields};
use crate::extract::{JsonBody, OptionalJsonBody};
use crate::paging::{self, PageQuery};
use crate::routes::grants::{self, Grant, PartnerUserRef};
use crate::state::{AppState, Settings};
use services::access::terms::{self as grant_terms, Terms};
use services::audit::{self, Change};
use services::mail::{self, Message};
use services::tenancy::{access_scope, own_partner, partner_customer_field};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_requests)
        .service(create_request)
        .service(get_request)
        .service(cancel_request)
        .service(approve_request)
        .service(deny_request);
}

/// A request for a partner user's access to a customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessRequest {
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    /// The partner user who would get in.
    pub user: PartnerUserRef,
    /// The customer admin asked by name (a request for the customer admin layer); absent = any
    /// of the customer's admins may decide.
    pub addressed_to: Option<String>,
    #[schema(example = "Consultant")]
    pub profile: String,
    #[schema(example = "admin")]
    pub role: String,
    #[schema(example = json!(["view_entities", "manage_entities"]))]
    pub permissions: Vec<String>,
    /// How long the grant lasts once approved; absent = until revoked.
    pub duration_hours: Option<u32>,
    /// The partner admin's note to the customer.
    pub message: Option<String>,
    /// The partner admin who asked.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// 24 hours after `requested_at`: from then on it can be neither approved nor denied.
    pub expires_at: DateTime<Utc>,
    /// `pending`, `approved`, `denied`, `cancelled` or `expired` (pending for 24 hours).
    #[schema(example = "pending")]
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The customer admin's note with the decision.
    pub decision_message: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<String>,
}

fn stored_decision(row: &RequestRow) -> Decision {
    match row.decision.as_str() {
        "approved" => Decision::Approved,
        "denied" => Decision::Denied,
        "cancelled" => Decision::Cancelled,
        _ => Decision::Pending,
    }
}

fn state_name(state: RequestState) -> &'static str {
    match state {
        RequestState::Pending => "pending",
        RequestState::Approved => "approved",
        RequestState::Denied => "denied",
        RequestState::Cancelled => "cancelled",
        RequestState::Expired => "expired",
    }
}

impl AccessRequest {
    fn of(row: RequestRow, user: grant_terms::PartnerUserRef, now: DateTime<Utc>) -> AccessRequest {
        let requested_at = from_db(row.requested_at);
        let status = request::state(requested_at, stored_decision(&row), now);
        AccessRequest {
            status: state_name(status).to_owned(),
            permissions: grant_terms::stored_permissions(&row.permissions),
            duration_hours: row.duration_hours.and_then(|h| u32::try_from(h).ok()),
            expires_at: requested_at + request::EXPIRES_AFTER,
            id: row.id,
            customer_id: row.customer_id,
            partner_id: row.partner_id,
            user: user.into(),
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
) -> Result<Vec<AccessRequest>, ApiError> {
    Ok(grant_terms::with_users(
        conn,
        rows,
        |r| &r.user_id,
        |row, user| AccessRequest::of(row, user, now),
    )?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestPage {
    pub items: Vec<AccessRequest>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessRequestFilter {
    /// One or more of `pending`, `approved`, `denied`, `cancelled`, `expired`, comma-separated.
    #[param(example = "pending,expired")]
    pub status: Option<String>,
    /// Only requests for this customer.
    pub customer_id: Option<String>,
    /// Only requests for this partner user.
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "6f1c…the partner user's id", "customer_id": "ACME",
    "profile": "Consultant", "role": "admin", "permissions": ["view_entities", "manage_entities"],
    "duration_hours": 72, "message": "Bea will set up your new clinics this week."}))]
pub struct NewAccessRequest {
    /// A partner user (admin or user role) of the caller's partner.
    pub user_id: String,
    pub customer_id: String,
    pub profile: String,
    /// `admin` or `user`.
    pub role: String,
    pub permissions: Vec<String>,
    /// How long the grant should last once approved, 1–8 784 hours; leave out for no expiry.
    pub duration_hours: Option<i64>,
    /// A note to the customer's admins, up to 1 000 characters.
    pub message: Option<String>,
    /// Ask this customer admin alone, for admin-level access (seed 000 "Request access to
    /// Customer Admin Layer"); the role must then be `admin`.
    pub customer_admin_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"permissions": ["view_entities"], "duration_hours": 24,
    "message": "Read-only for now, please."}))]
pub struct Approval {
    /// Keep all or some of the requested permissions; leave out to give what was asked.
    pub permissions: Option<Vec<String>>,
    /// At most the requested duration; leave out to give what was asked.
    pub duration_hours: Option<i64>,
    /// A note to the partner, up to 1 000 characters.
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "We do not need outside help this quarter."}))]
pub struct Denial {
    /// A note to the partner, up to 1 000 characters.
    pub message: Option<String>,
}

/// An approved request and the grant it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Approved {
    pub request: AccessRequest,
    pub grant: Grant,
}

const MESSAGE_MAX: usize = 1000;

fn note(text: Option<String>) -> Result<Option<String>, domain::ids::Invalid> {
    match text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > MESSAGE_MAX => Err(domain::ids::Invalid::new(
            "length",
            format!("at most {MESSAGE_MAX} characters"),
        )),
        other => Ok(other),
    }
}

fn hours(value: Option<i64>) -> Result<Option<u32>, domain::ids::Invalid> {
    value.map(rules::duration_hours).transpose()
}

fn parse_states(text: Option<&str>, now: DateTime<Utc>) -> Result<Vec<StateFilter>, ApiError> {
    let cut = to_db(now - request::EXPIRES_AFTER);
    let mut states = Vec::new();
    for word in text
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        states.push(match word {
            "pending" => StateFilter::Pending { made_after: cut },
            "expired" => StateFilter::Expired { made_after: cut },
            "approved" => StateFilter::Decided("approved"),
            "denied" => StateFilter::Decided("denied"),
            "cancelled" => StateFilter::Decided("cancelled"),
            other => {
                return Err(ApiError::InvalidQuery(format!(
                    "`status` takes pending, approved, denied, cancelled, expired; not `{other}`"
                )));
            }
        });
    }
    Ok(states)
}

fn load_request(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<RequestRow, ApiError> {
    store::find_request_in(conn, scope, id)?.ok_or(ApiError::NotFound("access request"))
}

/// 409 unless `row` is still pending at `now`.
fn still_pending(row: &RequestRow, now: DateTime<Utc>) -> Result<(), ApiError> {
    request::decide(from_db(row.requested_at), stored_decision(row), now).map_err(|e| match e {
        RequestError::Expired => ApiError::rule(
            ErrorCode::RequestExpired,
            format!(
                "The request expired at {} (24 hours after it was made): ask the partner to send a new one.",
                (from_db(row.requested_at) + request::EXPIRES_AFTER).format("%Y-%m-%d %H:%M:%S UTC")
            ),
        ),
        RequestError::AlreadyDecided => ApiError::rule(
            ErrorCode::RequestAlreadyDecided,
            format!("The request was already {}.", row.decision),
        ),
    })
}

fn audit_request(
    conn: &mut DbConnection,
    by: audit::By<'_>,
    action: &str,
    before: Option<&RequestRow>,
    after: &RequestRow,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let snap = |row: &RequestRow| {
        audit::snapshot(&AccessRequest::of(
            row.clone(),
            grant_terms::unknown_user(&row.user_id),
            now,
        ))
    };
    Ok(audit::record(
        conn,
        by,
        Change {
            action,
            target_type: "access_request",
            target_id: &after.id,
            partner_id: Some(&after.partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(snap),
            after: snap(after),
        },
    )?)
}

/// The customer admins who get the request email: the one asked, or every active one.
fn deciders(
    conn: &mut DbConnection,
    customer: &CustomerRow,
    addressed_to: Option<&str>,
) -> Result<Vec<UserRow>, ApiError> {
    let admins = users::list_for_account(
        conn,
        &customer.id,
        &UserFilter {
            role: Some("admin".into()),
            active: Some(true),
            pending: None,
        },
        None,
        i64::MAX,
    )?;
    Ok(admins
        .into_iter()
        .filter(|a| addressed_to.is_none_or(|id| a.id == id))
        .collect())
}

fn email_deciders(
    conn: &mut DbConnection,
    settings: &Settings,
    admins: &[UserRow],
    row: &RequestRow,
    user: &UserRow,
    partner_name: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let link = format!("{}/access-requests/{}", settings.public_url, row.id);
    for admin in admins {
        mail::queue(
            conn,
            now,
            Message {
                kind: "access_request",
                recipient: admin.email.clone(),
                subject: format!(
                    "{partner_name} asks for access to {} for {}",
                    row.customer_id, user.name
                ),
                body: format!(
                    "Hello {admin},\n\n{partner_name} asks you to let {user} ({email}) into your \
                     account {customer} with the profile \"{profile}\", role {role} and \
                     permissions {permissions}{duration}.\n{message}\nApprove or deny it here \
                     within 24 hours, before {expires} (UTC):\n\n{link}\n",
                    admin = admin.name,
                    user = user.name,
                    email = user.email,
                    customer = row.customer_id,
                    profile = row.profile,
                    role = row.role,
                    permissions = grant_terms::stored_permissions(&row.permissions).join(", "),
                    duration = row
                        .duration_hours
                        .map(|h| format!(", for {h} hours"))
                        .unwrap_or_default(),
                    message = row
                        .message
                        .as_deref()
                        .map(|m| format!("\nTheir note: {m}\n"))
                        .unwrap_or_default(),
                    expires = (now + request::EXPIRES_AFTER).format("%Y-%m-%d %H:%M"),
                ),
            },
        )?;
    }
    Ok(())
}

/// Tells the partner admin who asked what was decided.
fn email_requester(
    conn: &mut DbConnection,
    row: &RequestRow,
    decision: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(requester) = users::find(conn, &row.requested_by)?.filter(|u| u.active) else {
        return Ok(());
    };
    Ok(mail::queue(
        conn,
        now,
        Message {
            kind: "access_request_decided",
            recipient: requester.email,
            subject: format!("Your access request for {} was {decision}", row.customer_id),
            body: format!(
                "Hello {},\n\n{} {decision} your request for access to their account.{}\n",
                requester.name,
                row.customer_id,
                row.decision_message
                    .as_deref()
                    .map(|m| format!("\n\nTheir note: {m}"))
                    .unwrap_or_default(),
            ),
        },
    )?)
}

/// List access requests: a partner admin sees its partner's, a customer admin those for its
/// account; newest first. A pending request older than 24 hours shows as `expired`.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(AccessRequestFilter, PageQuery),
    responses(
        (status = 200, description = "A page of requests, newest first", body = AccessRequestPage),
        (status = 400, description = "Unknown status"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins see requests"),
    ),
)]
#[get("/access-requests")]
async fn list_requests(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AccessRequestFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<AccessRequestPage>, ApiError> {
    let scope = access_scope(&caller, Action::OverseeAccess)?;
    let now = state.clock.now();
    let filter = filter.into_inner();
    let states = parse_states(filter.status.as_deref(), now)?;
    let limit = page.limit()?;
    let before = match page.after.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => {
            let (at, id): (DateTime<Utc>, String) = paging::decode_value(cursor)?;
            if !persistence::time::storable(at) {
                return Err(paging::not_a_cursor());
            }
            Some((to_db(at), id))
        }
        None => None,
    };
    let narrowing = grant_terms::narrowing(filter.customer_id, filter.user_id);
    let (items, next) = state
        .read(move |_, conn| {
            let mut rows = store::list_requests(
                conn,
                &scope,
                &narrowing,
                &states,
                before.as_ref().map(|(at, id)| (*at, id.as_str())),
                limit + 1,
            )?;
            let next = paging::last_of_page(&mut rows, limit).map(|row| {
                paging::encode_value(&serde_json::json!([from_db(row.requested_at), row.id]))
            });
            Ok::<_, ApiError>((shown(conn, rows, now)?, next))
        })
        .await?;
    Ok(web::Json(AccessRequestPage { items, next }))
}

/// Ask a customer's admins to let a partner user in.
///
/// Every active admin of the customer — or only `customer_admin_id`, for the customer admin
/// layer — gets an email with a link; the request expires 24 hours after it was made. At most
/// one pending request per partner user and customer (409 `request_already_pending`).
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    request_body = NewAccessRequest,
    responses(
        (status = 201, description = "Sent", body = AccessRequest,
         headers(("Location" = String, description = "The request's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins request access"),
        (status = 409, description = "A pending request for this partner user and customer exists"),
        (status = 422, description = "Invalid terms, unknown user or customer, or no admin to ask"),
    ),
)]
#[post("/access-requests")]
async fn create_request(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewAccessRequest>,
) -> Result<HttpResponse, ApiError> {
    let partner = own_partner(&caller, Action::ManageAccess)?;
    let body = body.into_inner()?;
    let now = state.clock.now();
    let mut fields = Fields::default();
    let terms = Terms::parse(&mut fields, &body.profile, &body.role, &body.permissions);
    let duration = fields.check("duration_hours", hours(body.duration_hours));
    let message = fields.check("message", note(body.message.clone()));
    if body.customer_admin_id.is_some() && body.role != "admin" {
        fields.check::<()>(
            "role",
            Err(domain::ids::Invalid::new(
                "admin_layer",
                "a request to a customer admin is for the admin role",
            )),
        );
    }
    let created = state.transaction(move |state, conn| {
            let mut fields = fields.clone();
            let user = fields.check(
                "user_id",
                grant_terms::grantee(conn, &partner, &body.user_id)?,
            );
            let customer = fields.check(
                "customer_id",
                partner_customer_field(conn, &partner, &body.customer_id)?,
            );
            let admins = match &customer {
                Some(customer) => {
                    let admins = deciders(conn, customer, body.customer_admin_id.as_deref())?;
                    let (field, why) = match body.customer_admin_id {
                        Some(_) => ("customer_admin_id", "no such active admin of this customer"),
                        None => ("customer_id", "the customer has no active admin to ask"),
                    };
                    if admins.is_empty() {
                        fields.check::<()>(
                            field,
                            Err(domain::ids::Invalid::new("no_admin", why)),
                        );
                    }
                    admins
                }
                None => Vec::new(),
            };
            fields.finish()?;
            let (Some(user), Some(customer), Some(terms), Some(duration), Some(message)) =
                (user, customer, terms.clone(), duration, message.clone())
            else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            let key = store::pending_key(&user.id, &customer.id);
            let pending = || {
                ApiError::rule(
                    ErrorCode::RequestAlreadyPending,
                    format!(
                        "{} already has a pending request for {}: wait for its decision or cancel it.",
                        user.name, customer.id
                    ),
                )
            };
            if let Some(open) = store::pending_request(conn, &key)? {
                if request::state(from_db(open.requested_at), stored_decision(&open), now)
                    == RequestState::Pending
                {
                    return Err(pending());
                }
                store::release_pending_slot(conn, &open.id)?;
            }
            let row = RequestRow {
                id: uuid::Uuid::new_v4().to_string(),
                partner_id: partner.as_str().to_owned(),
                customer_id: customer.id.clone(),
                user_id: user.id.clone(),
                addressed_to: body.customer_admin_id.clone(),
                profile: terms.profile.to_string(),
                role: terms.role.as_str().to_owned(),
                permissions: terms.permissions_json(),
                duration_hours: duration.map(|h| h as i32),
                message,
                requested_by: caller.actor.user_id.clone(),
                requested_at: to_db(now),
                decision: "pending".into(),
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
            let partner_name = persistence::partners::find(conn, partner.as_str())?
                .map(|p| p.name)
                .unwrap_or_else(|| partner.as_str().to_owned());
            email_deciders(conn, &state.settings, &admins, &row, &user, &partner_name, now)?;
            audit_request(conn, caller.by(now), "access_request.created", None, &row, now)?;
            Ok(shown(conn, vec![row], now)?.remove(0))
        }).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/access-requests/{}", created.id)))
        .json(created))
}

/// Read one access request.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses(
        (status = 200, description = "The request", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins and customer admins see requests"),
        (status = 404, description = "No such request"),
    ),
)]
#[get("/access-requests/{request_id}")]
async fn get_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    let scope = access_scope(&caller, Action::OverseeAccess)?;
    let now = state.clock.now();
    let shown_request = state
        .read(move |_, conn| {
            let row = load_request(conn, &scope, &id)?;
            Ok::<_, ApiError>(shown(conn, vec![row], now)?.remove(0))
        })
        .await?;
    Ok(web::Json(shown_request))
}

/// Cancel a pending request (the partner changed its mind).
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses(
        (status = 200, description = "Cancelled", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins cancel requests"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
    ),
)]
#[post("/access-requests/{request_id}/cancel")]
async fn cancel_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    let partner = own_partner(&caller, Action::ManageAccess)?;
    let now = state.clock.now();
    let cancelled = state
        .transaction(move |_, conn| {
            let scope = Scope::Partner(partner.as_str().to_owned());
            let before = load_request(conn, &scope, &id)?;
            still_pending(&before, now)?;
            let after = store::decide_request(
                conn,
                &before.id,
                "cancelled",
                &caller.actor.user_id,
                to_db(now),
                None,
                None,
            )?;
            audit_request(
                conn,
                caller.by(now),
                "access_request.cancelled",
                Some(&before),
                &after,
                now,
            )?;
            Ok::<_, ApiError>(shown(conn, vec![after], now)?.remove(0))
        })
        .await?;
    Ok(web::Json(cancelled))
}

/// The request `id` into the caller's own customer, which the caller may decide: a request
/// addressed to another admin is theirs alone.
fn decidable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<RequestRow, ApiError> {
    caller.authorize(Action::ControlAccess, "access request")?;
    let AccountId::Customer(customer) = &caller.actor.account else {
        return Err(ApiError::internal(
            "the policy allowed a caller without a customer",
        ));
    };
    let row = load_request(conn, &Scope::Customer(customer.as_str().to_owned()), id)?;
    if row
        .addressed_to
        .as_deref()
        .is_some_and(|to| to != caller.actor.user_id)
    {
        return Err(ApiError::rule(
            ErrorCode::Forbidden,
            "This request asks another admin of your account by name: only they can decide it.",
        ));
    }
    still_pending(&row, now)?;
    Ok(row)
}

/// Approve a request: the grant is made (or an existing grant of the pair takes the new terms)
/// in the same transaction.
///
/// The approving admin may narrow what was asked — fewer permissions, a shorter duration — but
/// never widen it. 409 `request_expired` from 24 hours after the request was made.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    request_body(content = Approval, description = "Optional: narrow the request"),
    responses(
        (status = 200, description = "Approved, with the grant it made", body = Approved),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins decide (never a partner user acting inside)"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
        (status = 422, description = "The approval widens the request"),
    ),
)]
#[post("/access-requests/{request_id}/approve")]
async fn approve_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: OptionalJsonBody<Approval>,
) -> Result<web::Json<Approved>, ApiError> {
    caller.authorize(Action::ControlAccess, "access request")?;
    let approval = body.into_inner()?;
    let now = state.clock.now();
    let approved = state
        .transaction(move |_, conn| {
            let before = decidable(conn, &caller, &id, now)?;
            let role = rules::GrantRole::parse(&before.role)
                .map_err(|_| ApiError::internal("a stored role is invalid"))?;
            let asked =
                Permissions::from_stored(&grant_terms::stored_permissions(&before.permissions));
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
            let message = fields.check("message", note(approval.message.clone()));
            if let (Some(given), Some(given_hours)) = (&given, given_hours) {
                fields.check(
                    "permissions",
                    approval_narrows(&asked, asked_hours, given, given_hours),
                );
            }
            fields.finish()?;
            let (Some(given), Some(given_hours), Some(message)) = (given, given_hours, message)
            else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            let customer = customers::find(conn, &before.customer_id)?
                .ok_or_else(|| ApiError::internal("a request without its customer"))?;
            let terms = Terms {
                profile: domain::ids::DisplayName::parse(&before.profile)
                    .map_err(|e| ApiError::internal(e.message))?,
                role,
                permissions: given,
            };
            let expires_at = grant_terms::expiry_after(now, given_hours);
            let existing = store::grant_for(conn, &before.user_id, &before.customer_id)?;
            let mut grant = grants::new_grant(
                &customer,
                &before.user_id,
                &terms,
                expires_at,
                "request",
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
            let after = store::decide_request(
                conn,
                &before.id,
                "approved",
                &caller.actor.user_id,
                to_db(now),
                message.as_deref(),
                Some(&grant.id),
            )?;
            audit_request(
                conn,
                caller.by(now),
                "access_request.approved",
                Some(&before),
                &after,
                now,
            )?;
            let action = if existing.is_some() {
                "access_grant.updated"
            } else {
                "access_grant.created"
            };
            grants::audit_grant(conn, caller.by(now), action, existing.as_ref(), &grant)?;
            email_requester(conn, &after, "approved", now)?;
            Ok::<_, ApiError>(Approved {
                request: shown(conn, vec![after], now)?.remove(0),
                grant: grants::shown(conn, vec![grant], now)?.remove(0),
            })
        })
        .await?;
    Ok(web::Json(approved))
}

/// Deny a request, optionally saying why. 409 `request_expired` from 24 hours after it was
/// made.
#[utoipa::path(
    tag = "access",
    security(("bearer" = [])),
    params(("request_id" = String, Path)),
    request_body(content = Denial, description = "Optional: a note to the partner"),
    responses(
        (status = 200, description = "Denied", body = AccessRequest),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the customer's own admins decide (never a partner user acting inside)"),
        (status = 404, description = "No such request"),
        (status = 409, description = "Expired or already decided"),
        (status = 422, description = "The note is too long"),
    ),
)]
#[post("/access-requests/{request_id}/deny")]
async fn deny_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: OptionalJsonBody<Denial>,
) -> Result<web::Json<AccessRequest>, ApiError> {
    caller.authorize(Action::ControlAccess, "access request")?;
    let denial = body.into_inner()?;
    let mut fields = Fields::default();
    let message = fields.check("message", note(denial.message));
    fields.finish()?;
    let message = message.flatten();
    let now = state.clock.now();
    let denied = state
        .transaction(move |_, conn| {
            let before = decidable(conn, &caller, &id, now)?;
            let after = store::decide_request(
                conn,
                &before.id,
                "denied",
                &caller.actor.user_id,
                to_db(now),
                message.as_deref(),
                None,
            )?;
            audit_request(
                conn,
                caller.by(now),
                "access_request.denied",
                Some(&before),
                &after,
                now,
            )?;
            email_requester(conn, &after, "denied", now)?;
            Ok::<_, ApiError>(shown(conn, vec![after], now)?.remove(0))
        })
        .await?;
    Ok(web::Json(denied))
}
