//! A customer's entities (seed 000: the group/practice layer and what sits under it): list,
//! read, create, rename, change type, deactivate. IDs are the customer ID and the next 4-digit
//! number, handed out inside the creating transaction so that concurrent creations never get
//! the same number or leave a gap. The customer row's entity counts change in the same
//! transaction.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::catalogue::CatalogueKind;
use domain::entity::{self, GROUP_LAYER, GROUP_TYPE};
use domain::ids::{CustomerId, DisplayName, Invalid};
use persistence::entities::{self, EntityRow};
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, catalogue, customers};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, Fields};
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::state::AppState;
use services::audit::{self, Change};
use services::tenancy::{Work, reachable};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_entities)
        .service(get_entity)
        .service(create_entity)
        .service(update_entity);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entity {
    #[schema(example = "ACME0001")]
    pub id: String,
    #[schema(example = "ACME")]
    pub customer_id: String,
    /// 0 is the group layer.
    pub number: i32,
    #[schema(example = "Acme Dental Cork")]
    pub name: String,
    /// An `entity_type` catalogue code, or `group` for the group layer.
    #[schema(example = "site")]
    pub entity_type: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EntityRow> for Entity {
    fn from(row: EntityRow) -> Self {
        Entity {
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

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityPage {
    pub items: Vec<Entity>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Dental Cork", "entity_type": "clinic"}))]
pub struct NewEntity {
    pub name: String,
    /// An active `entity_type` catalogue code.
    pub entity_type: String,
}

/// Only the fields sent change. The group layer can be renamed only.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Dental Cork City"}))]
pub struct EntityChanges {
    pub name: Option<String>,
    pub entity_type: Option<String>,
    /// `false` deactivates the entity; it no longer counts in the listing.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntityFilter {
    /// Only active (`true`) or inactive (`false`) entities.
    pub active: Option<bool>,
}

/// `code` if it is an active entity type; `group` is the group layer's alone.
fn entity_type(conn: &mut DbConnection, code: &str) -> Result<Result<String, Invalid>, ApiError> {
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

fn load_entity(
    conn: &mut DbConnection,
    customer: &str,
    entity_id: &str,
) -> Result<EntityRow, ApiError> {
    let (owner, number) =
        entity::parse_entity_id(entity_id).map_err(|_| ApiError::NotFound("entity"))?;
    if owner.as_str() != customer {
        return Err(ApiError::NotFound("entity"));
    }
    let id = CustomerId::parse(customer).map_err(|_| ApiError::NotFound("entity"))?;
    entities::find(conn, customer, &entity::entity_id(&id, number))?
        .ok_or(ApiError::NotFound("entity"))
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    now: DateTime<Utc>,
    partner_id: &str,
    action: &str,
    before: Option<&EntityRow>,
    after: &EntityRow,
) -> Result<(), ApiError> {
    customers::recount_entities(conn, &after.customer_id)?;
    Ok(audit::record(
        conn,
        caller.by(now),
        Change {
            action,
            target_type: "entity",
            target_id: &after.id,
            partner_id: Some(partner_id),
            customer_id: Some(&after.customer_id),
            before: before.and_then(|b| audit::snapshot(&Entity::from(b.clone()))),
            after: audit::snapshot(&Entity::from(after.clone())),
        },
    )?)
}

/// List a customer's entities by number, the group layer first.
#[utoipa::path(
    tag = "entities",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), EntityFilter, PageQuery),
    responses(
        (status = 200, description = "A page of entities", body = EntityPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not do this inside the customer (role or grant)"),
        (status = 404, description = "No such customer"),
    ),
)]
#[get("/customers/{customer_id}/entities")]
async fn list_entities(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    filter: web::Query<EntityFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<EntityPage>, ApiError> {
    let target = reachable(&caller, &customer_id, Work::View)?;
    let (limit, after) = (page.limit()?, page.after()?);
    let after_number = match after {
        Some((number, _)) => Some(number.parse::<i32>().map_err(|_| paging::not_a_cursor())?),
        None => None,
    };
    let active = filter.active;
    let rows = state
        .read(move |_, conn| {
            let customer = target.load(conn, &caller)?;
            Ok::<_, ApiError>(entities::list(
                conn,
                &customer.id,
                active,
                after_number,
                limit + 1,
            )?)
        })
        .await?;
    let mut rows = rows;
    let next = paging::last_of_page(&mut rows, limit)
        .map(|row| paging::encode(&row.number.to_string(), &row.id));
    Ok(web::Json(EntityPage {
        items: rows.into_iter().map(Entity::from).collect(),
        next,
    }))
}

/// Read one entity.
#[utoipa::path(
    tag = "entities",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("entity_id" = String, Path, example = "ACME0001")),
    responses(
        (status = 200, description = "The entity", body = Entity),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not do this inside the customer (role or grant)"),
        (status = 404, description = "No such customer or entity"),
    ),
)]
#[get("/customers/{customer_id}/entities/{entity_id}")]
async fn get_entity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Entity>, ApiError> {
    let target = reachable(&caller, &path.0, Work::View)?;
    let (_, entity_id) = path.into_inner();
    let row = state
        .read(move |_, conn| {
            let customer = target.load(conn, &caller)?;
            load_entity(conn, &customer.id, &entity_id)
        })
        .await?;
    Ok(web::Json(row.into()))
}

/// Add an entity: its ID is the customer ID and the next 4-digit number.
#[utoipa::path(
    tag = "entities",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    request_body = NewEntity,
    responses(
        (status = 201, description = "Created", body = Entity,
         headers(("Location" = String, description = "The entity's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not do this inside the customer (role or grant)"),
        (status = 404, description = "No such customer"),
        (status = 409, description = "All 9 999 entity numbers are used"),
    ),
)]
#[post("/customers/{customer_id}/entities")]
async fn create_entity(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
    body: JsonBody<NewEntity>,
) -> Result<HttpResponse, ApiError> {
    let target = reachable(&caller, &customer_id, Work::Manage)?;
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let name = fields.check("name", DisplayName::parse(&body.name));
    let now = state.clock.now();
    let row = state
        .transaction(move |_, conn| {
            let customer = target.load(conn, &caller)?;
            let mut fields = std::mem::take(&mut fields);
            let kind = fields.check("entity_type", entity_type(conn, &body.entity_type)?);
            fields.finish()?;
            let (Some(name), Some(kind)) = (name.clone(), kind) else {
                return Err(ApiError::internal("a checked field is missing"));
            };
            let next = customers::take_entity_number(conn, &customer.id)?;
            let number = u16::try_from(next)
                .ok()
                .and_then(entity::allocate)
                .ok_or_else(|| {
                    ApiError::rule(
                        ErrorCode::EntityNumbersExhausted,
                        format!("{} has used all 9 999 entity numbers.", customer.id),
                    )
                })?;
            let id = CustomerId::parse(&customer.id).map_err(|e| ApiError::internal(e.message))?;
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
            record(
                conn,
                &caller,
                now,
                &customer.partner_id,
                "entity.created",
                None,
                &row,
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/customers/{}/entities/{}", row.customer_id, row.id),
        ))
        .json(Entity::from(row)))
}

/// Rename an entity, change its type or deactivate it.
#[utoipa::path(
    tag = "entities",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME"), ("entity_id" = String, Path, example = "ACME0001")),
    request_body = EntityChanges,
    responses(
        (status = 200, description = "The updated entity", body = Entity),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not do this inside the customer (role or grant)"),
        (status = 404, description = "No such customer or entity"),
    ),
)]
#[patch("/customers/{customer_id}/entities/{entity_id}")]
async fn update_entity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<EntityChanges>,
) -> Result<web::Json<Entity>, ApiError> {
    let target = reachable(&caller, &path.0, Work::Manage)?;
    let (_, entity_id) = path.into_inner();
    let changes = body.into_inner()?;
    let mut fields = Fields::default();
    let name = fields.optional("name", changes.name.as_deref(), DisplayName::parse);
    let now = state.clock.now();
    let row = state
        .transaction(move |_, conn| {
            let customer = target.load(conn, &caller)?;
            let before = load_entity(conn, &customer.id, &entity_id)?;
            let mut fields = std::mem::take(&mut fields);
            let group_layer = before.number == i32::from(GROUP_LAYER);
            let kind = match changes.entity_type.as_deref() {
                Some(kind) if group_layer && kind != GROUP_TYPE => fields.check(
                    "entity_type",
                    Err(Invalid::new(
                        "group_layer",
                        "the group layer's type is always group",
                    )),
                ),
                Some(kind) if kind != before.entity_type => {
                    fields.check("entity_type", entity_type(conn, kind)?)
                }
                _ => None,
            };
            if group_layer && changes.active == Some(false) {
                fields.check::<()>(
                    "active",
                    Err(Invalid::new(
                        "group_layer",
                        "the group layer stays active: deactivate the customer instead",
                    )),
                );
            }
            fields.finish()?;
            let mut after = before.clone();
            if let Some(name) = &name {
                after.name = name.to_string();
            }
            if let Some(kind) = kind {
                after.entity_type = kind;
            }
            if let Some(active) = changes.active {
                after.active = active;
            }
            if after == before {
                return Ok::<_, ApiError>(after);
            }
            after.updated_at = to_db(now);
            entities::update(conn, &after)?;
            record(
                conn,
                &caller,
                now,
                &customer.partner_id,
                "entity.updated",
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
        .await?;
    Ok(web::Json(row.into()))
}
