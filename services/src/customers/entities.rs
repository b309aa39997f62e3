//! A customer's entities (seed 000: the group/practice layer and what sits under it): list,
//! read, create, rename, change type, deactivate. IDs are the customer ID and the next 4-digit
//! number, handed out inside the creating transaction so that concurrent creations never get
//! the same number or leave a gap. The customer row's entity counts change in the same
//! transaction.

use chrono::{DateTime, Utc};
use domain::catalogue::CatalogueKind;
use domain::entity::{self, GROUP_LAYER, GROUP_TYPE};
use domain::ids::{CustomerId, DisplayName, Invalid};
use persistence::entities::{self, EntityRow};
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, catalogue, customers};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::tenancy::Reachable;

/// An entity as its readers (and the audit trail) see it.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub id: String,
    pub customer_id: String,
    pub number: i32,
    pub name: String,
    pub entity_type: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EntityRow> for EntityView {
    fn from(row: EntityRow) -> Self {
        EntityView {
            id: row.id,
            customer_id: row.customer_id,
            number: row.number,
            name: row.name,
            entity_type: row.entity_type,
            active: row.active,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

/// The audit trail's picture of an entity.
pub fn snapshot(row: &EntityRow) -> Option<serde_json::Value> {
    audit::snapshot(&EntityView::from(row.clone()))
}

/// Up to `take` entities of the customer, by number after `after_number`, the group layer first.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Reachable,
    active: Option<bool>,
    after_number: Option<i32>,
    take: i64,
) -> Result<Vec<EntityView>, ServiceError> {
    let customer = customer.load(conn, caller)?;
    let rows = entities::list(conn, &customer.id, active, after_number, take)?;
    Ok(rows.into_iter().map(EntityView::from).collect())
}

pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Reachable,
    entity_id: &str,
) -> Result<EntityView, ServiceError> {
    let customer = customer.load(conn, caller)?;
    Ok(load(conn, &customer.id, entity_id)?.into())
}

/// A new entity, as sent.
#[derive(Debug, Clone)]
pub struct NewEntity {
    pub name: String,
    pub entity_type: String,
}

/// Adds an entity with the customer's next number.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Reachable,
    input: &NewEntity,
    now: DateTime<Utc>,
) -> Result<EntityView, ServiceError> {
    let customer = customer.load(conn, caller)?;
    let mut fields = Fields::default();
    let name = fields.check("name", DisplayName::parse(&input.name));
    let kind = fields.check("entity_type", entity_type(conn, &input.entity_type)?);
    let (name, kind) = fields.conclude(name.zip(kind))?;
    let next = customers::add_entity(conn, &customer, &kind)?;
    let number = u16::try_from(next)
        .ok()
        .and_then(entity::allocate)
        .ok_or_else(|| {
            ServiceError::rule(
                ErrorCode::EntityNumbersExhausted,
                format!("{} has used all 9 999 entity numbers.", customer.id),
            )
        })?;
    let id = CustomerId::parse(&customer.id).map_err(|e| ServiceError::internal(e.message))?;
    let at = to_db(now);
    let row = EntityRow {
        id: entity::entity_id(&id, number),
        customer_id: customer.id.clone(),
        number: i32::from(number),
        name: name.into(),
        entity_type: kind,
        active: true,
        created_at: at,
        updated_at: at,
    };
    entities::insert(conn, &row)?;
    audit_change(
        conn,
        caller,
        now,
        &customer.partner_id,
        "entity.created",
        None,
        &row,
    )?;
    Ok(row.into())
}

/// What an edit of an entity sends: absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct EntityChanges {
    pub name: Option<String>,
    pub entity_type: Option<String>,
    pub active: Option<bool>,
}

/// Renames an entity, changes its type or (de)activates it; the group layer can be renamed only.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Reachable,
    entity_id: &str,
    changes: &EntityChanges,
    now: DateTime<Utc>,
) -> Result<EntityView, ServiceError> {
    let customer = customer.load(conn, caller)?;
    let before = load(conn, &customer.id, entity_id)?;
    let mut fields = Fields::default();
    let name = fields.optional("name", changes.name.as_deref(), DisplayName::parse);
    let group_layer = before.number == i32::from(GROUP_LAYER);
    let kind = match changes.entity_type.as_deref() {
        Some(kind) if group_layer && kind != GROUP_TYPE => {
            let why = "the group layer's type is always group";
            fields.refuse("entity_type", Invalid::new("group_layer", why));
            None
        }
        Some(kind) if kind != before.entity_type => {
            fields.check("entity_type", entity_type(conn, kind)?)
        }
        _ => None,
    };
    if group_layer && changes.active == Some(false) {
        let why = "the group layer stays active: deactivate the customer instead";
        fields.refuse("active", Invalid::new("group_layer", why));
    }
    fields.finish()?;
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = name.into();
    }
    if let Some(kind) = kind {
        after.entity_type = kind;
    }
    if let Some(active) = changes.active {
        after.active = active;
    }
    if after == before {
        return Ok(after.into());
    }
    after.updated_at = to_db(now);
    entities::update(conn, &after)?;
    // Activation and type move the counts: recounted, as an edit is rare.
    customers::recount_entities(conn, &after.customer_id)?;
    audit_change(
        conn,
        caller,
        now,
        &customer.partner_id,
        "entity.updated",
        Some(&before),
        &after,
    )?;
    Ok(after.into())
}

/// `code` if it is an active entity type; `group` is the group layer's alone.
fn entity_type(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Result<String, Invalid>, ServiceError> {
    let known = catalogue::find(conn, CatalogueKind::EntityType.as_str(), code)?
        .is_some_and(|item| item.active);
    Ok(if known {
        Ok(code.to_owned())
    } else {
        Err(Invalid::new(
            "unknown_code",
            "is not an active entity_type code: see GET /catalogues/entity_type",
        ))
    })
}

/// The entity `entity_id` of `customer`: an id of another customer answers as a missing one.
fn load(
    conn: &mut DbConnection,
    customer: &str,
    entity_id: &str,
) -> Result<EntityRow, ServiceError> {
    let missing = || ServiceError::NotFound("entity");
    let (owner, number) = entity::parse_entity_id(entity_id).map_err(|_| missing())?;
    if owner.as_str() != customer {
        return Err(missing());
    }
    let id = CustomerId::parse(customer).map_err(|_| missing())?;
    entities::find(conn, customer, &entity::entity_id(&id, number))?.ok_or_else(missing)
}

/// The audit event of a change to an entity, on the partner's and the customer's trails.
fn audit_change(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
    partner_id: &str,
    action: &str,
    before: Option<&EntityRow>,
    after: &EntityRow,
) -> Result<(), ServiceError> {
    audit::record(
        conn,
        caller.by(now),
        Change {
            action,
            target_type: "entity",
            target_id: &after.id,
            partner_id: Some(partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )
}
