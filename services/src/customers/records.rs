//! Customer accounts (seed 000 "Add or Edit Customer Accounts"): create one with its group layer
//! entity, read it, edit it. The partner is always the caller's own: another partner's customer
//! answers 404 like one that does not exist.

use chrono::{DateTime, Utc};
use domain::customer::CustomerStatus;
use domain::entity::{GROUP_LAYER, GROUP_TYPE, entity_id};
use domain::ids::{CustomerId, Invalid, PartnerId};
use domain::policy::Action;
use persistence::customers::{self, CustomerRow, Refused};
use persistence::entities::EntityRow;
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, partners, sessions};
use serde_json::{Value, json};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::customers::licences;
use crate::customers::record::{self, Catalogues, CustomerInput, Record};
use crate::error::{ErrorCode, FieldError, Fields, ServiceError};
use crate::tenancy::{self, OwnPartner};

/// Who creates and edits customers: partner admins, for their own partner.
pub fn manager(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ManageCustomers)
}

/// Who reads customers: partner admins and users (a `user` with assignments, only those).
pub fn reader(caller: &Caller) -> Result<OwnPartner, ServiceError> {
    tenancy::own_partner(caller, Action::ListCustomers)
}

/// The strong validator of a record version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The customer `id` as the caller sees it, and whether the caller holds a live grant into it.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(CustomerRow, bool), ServiceError> {
    let row = tenancy::partner_customer(conn, partner, id)?;
    tenancy::check_listed(conn, caller, &row)?;
    let live_grant =
        persistence::access::holds_live_grant(conn, &caller.actor.user_id, &row.id, to_db(now))?;
    Ok((row, live_grant))
}

/// Creates a customer and its group layer entity `<ID>0000`: every invalid field at once, a
/// customer ID taken anywhere in the deployment 409.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    input: &CustomerInput,
    now: DateTime<Utc>,
) -> Result<CustomerRow, ServiceError> {
    let owner = partners::find(conn, partner.as_str())?.ok_or(ServiceError::NotFound("partner"))?;
    let catalogues = Catalogues::load(conn, None)?;
    let mut fields = Fields::default();
    let id = match input.id.as_ref().and_then(|v| v.as_deref()) {
        Some(id) => fields.check("id", CustomerId::parse(id)),
        None => fields.check("id", Err(Invalid::new("required", "is required"))),
    };
    let record = record::parse(input, owner.on_price_plan, &catalogues, &mut fields);
    if !fields.is_empty() {
        // Refused already: name a taken ref beside the other fields. A valid request leaves it
        // to the insert (see `customers::Refused`).
        refuse_taken_ref(conn, &mut fields, partner, record.as_ref(), "")?;
    }
    let (id, record) = fields.conclude(id.zip(record))?;
    let at = to_db(now);
    let mut row = new_row(&id, partner, at);
    record.apply_to(&mut row);
    let group = EntityRow {
        id: entity_id(&id, GROUP_LAYER),
        customer_id: id.to_string(),
        number: i32::from(GROUP_LAYER),
        name: row.name.clone(),
        entity_type: GROUP_TYPE.to_owned(),
        active: true,
        created_at: at,
        updated_at: at,
    };
    customers::insert_with_entity(conn, &mut row, &group).map_err(|refused| match refused {
        Refused::IdTaken => ServiceError::rule(
            ErrorCode::CustomerIdTaken,
            format!("The customer ID {id} is taken: choose another login prefix."),
        ),
        Refused::RefTaken => {
            let taken = ref_taken();
            ServiceError::Validation(vec![FieldError::new("ref", taken.code, taken.message)])
        }
        Refused::Query(error) => error.into(),
    })?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "entity.created",
            target_type: "entity",
            target_id: &group.id,
            partner_id: Some(partner.as_str()),
            customer_id: Some(id.as_str()),
            after: crate::customers::entities::snapshot(&group),
            ..Change::default()
        },
    )?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "customer.created",
            target_type: "customer",
            target_id: &row.id,
            partner_id: Some(partner.as_str()),
            customer_id: Some(&row.id),
            after: Some(snapshot(&row)),
            ..Change::default()
        },
    )?;
    Ok(row)
}

/// Edits a customer: only the fields sent change. `if_match`, when sent, must name the current
/// version (or `*`); the ID never changes; deactivating ends the customer's sessions at once.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &OwnPartner,
    id: &str,
    if_match: Option<&str>,
    changes: &CustomerInput,
    now: DateTime<Utc>,
) -> Result<CustomerRow, ServiceError> {
    let before = tenancy::partner_customer(conn, partner, id)?;
    check_if_match(if_match, before.version)?;
    if let Some(id) = &changes.id
        && id
            .as_deref()
            .and_then(|id| CustomerId::parse(id).ok())
            .map(String::from)
            != Some(before.id.clone())
    {
        return Err(ServiceError::rule(
            ErrorCode::ImmutableField,
            format!(
                "`id`: the customer ID {} is its login prefix and never changes.",
                before.id
            ),
        ));
    }
    let owner = partners::find(conn, partner.as_str())?.ok_or(ServiceError::NotFound("partner"))?;
    let catalogues = Catalogues::load(conn, Some(&before))?;
    let merged = CustomerInput::from(&before).overlay(changes.clone());
    let mut fields = Fields::default();
    let record = record::parse(&merged, owner.on_price_plan, &catalogues, &mut fields);
    refuse_taken_ref(conn, &mut fields, partner, record.as_ref(), &before.id)?;
    let mut record = fields.conclude(record)?;
    licences::count_seats(conn, &before.id, &mut record.licences)?;
    let mut after = before.clone();
    record.apply_to(&mut after);
    if before.access_permission_locked && !after.requires_access_permission {
        return Err(ServiceError::rule(
            ErrorCode::LockedByCustomer,
            format!(
                "{}'s own admins switched \"requires customer access permissions\" on: only \
                 they can switch it off.",
                before.id
            ),
        ));
    }
    if after == before {
        return Ok(after);
    }
    after.version = before.version + 1;
    after.updated_at = to_db(now);
    customers::update(conn, &after)?;
    if before.active && !after.active {
        sessions::revoke_all_for_account(conn, &after.id, "customer_deactivated", to_db(now))?;
    }
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "customer.updated",
            target_type: "customer",
            target_id: &after.id,
            partner_id: Some(partner.as_str()),
            customer_id: Some(&after.id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
        },
    )?;
    Ok(after)
}

/// A ref is unique within the partner: a clash is a field error, reported with the others.
fn refuse_taken_ref(
    conn: &mut DbConnection,
    fields: &mut Fields,
    partner: &OwnPartner,
    record: Option<&Record>,
    own_id: &str,
) -> Result<(), ServiceError> {
    if let Some(record) = record
        && customers::reference_taken(conn, partner.as_str(), record.reference.as_str(), own_id)?
    {
        fields.refuse("ref", ref_taken());
    }
    Ok(())
}

fn ref_taken() -> Invalid {
    Invalid::new("taken", "is already used by another of your customers")
}

/// 412 unless `if_match` (when sent) names the current version or `*`.
fn check_if_match(if_match: Option<&str>, version: i32) -> Result<(), ServiceError> {
    let Some(value) = if_match else {
        return Ok(());
    };
    let current = etag(version);
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(ServiceError::rule(
            ErrorCode::PreconditionFailed,
            format!(
                "The customer is now at version {current}; read it again and re-apply your change."
            ),
        ))
    }
}

/// The audit trail's picture of a customer: the record as the API answers it.
pub fn snapshot(row: &CustomerRow) -> Value {
    let stored = |text: &str, empty: Value| match serde_json::from_str::<Value>(text) {
        Ok(value) if value.is_array() || value.is_object() => value,
        _ => empty,
    };
    let counts =
        |total: i32, by_type: &str| json!({"total": total, "by_type": stored(by_type, json!({}))});
    json!({
        "id": row.id,
        "partner_id": row.partner_id,
        "ref": row.reference,
        "name": row.name,
        "active": row.active,
        "website": row.website,
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "termset": row.termset,
        "product_plan": row.product_plan,
        "add_ons": stored(&row.add_ons, json!([])),
        "sector": row.sector,
        "status": CustomerStatus::from_rank(row.status).map(|s| s.as_str()).unwrap_or_default(),
        "requires_access_permission": row.requires_access_permission,
        "iframe_embedding": row.iframe_embedding,
        "iframe_domains": stored(&row.iframe_domains, json!([])),
        "membership_end_date": row.membership_end_date,
        "locations": row.locations,
        "account_type": row.account_type,
        "billing_recipient": row.billing_recipient,
        "compliance_percent": row.compliance_percent,
        "workers": row.workers,
        "licences": stored(&row.licences, json!([])),
        "next_renewal_date": row.next_renewal_date,
        "account_state": row.account_state,
        "last_login_at": row.last_login_at.map(from_db),
        "entities": counts(row.entity_count, &row.entity_counts),
        "users": counts(row.user_count, &row.user_counts),
        "can_access": false,
        "access_permission_locked_by_customer": row.access_permission_locked,
        "version": row.version,
        "created_at": from_db(row.created_at),
        "updated_at": from_db(row.updated_at),
    })
}

fn new_row(id: &CustomerId, partner: &PartnerId, at: chrono::NaiveDateTime) -> CustomerRow {
    CustomerRow {
        id: id.to_string(),
        partner_id: partner.to_string(),
        reference: String::new(),
        name: String::new(),
        active: true,
        website: None,
        contact_name: None,
        contact_email: None,
        termset: String::new(),
        product_plan: None,
        add_ons: "[]".to_owned(),
        sector: None,
        status: 0,
        requires_access_permission: false,
        iframe_embedding: false,
        iframe_domains: "[]".to_owned(),
        membership_end_date: None,
        locations: None,
        account_type: String::new(),
        billing_recipient: None,
        compliance_percent: None,
        workers: None,
        licences: "[]".to_owned(),
        licensed_products: String::new(),
        next_renewal_date: None,
        account_state: String::new(),
        last_login_at: None,
        entity_count: 0,
        entity_counts: "{}".to_owned(),
        user_count: 0,
        user_counts: "{}".to_owned(),
        next_entity_number: 1,
        version: 1,
        created_at: at,
        updated_at: at,
        access_permission_locked: false,
    }
}
