//! A customer's entities (seed 000: the group/practice layer and what sits under it): the HTTP
//! side of [`services::customers::entities`].

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use services::customers::entities::{self as cases, EntityView};
use services::tenancy::{Work, reachable};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
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

impl From<EntityView> for Entity {
    fn from(view: EntityView) -> Self {
        Entity {
            id: view.id,
            customer_id: view.customer_id,
            number: view.number,
            name: view.name,
            entity_type: view.entity_type,
            active: view.active,
            created_at: view.created_at,
            updated_at: view.updated_at,
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

impl From<NewEntity> for cases::NewEntity {
    fn from(body: NewEntity) -> Self {
        cases::NewEntity {
            name: body.name,
            entity_type: body.entity_type,
        }
    }
}

impl From<EntityChanges> for cases::EntityChanges {
    fn from(body: EntityChanges) -> Self {
        cases::EntityChanges {
            name: body.name,
            entity_type: body.entity_type,
            active: body.active,
        }
    }
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
    let mut rows = state
        .read(move |_, conn| cases::list(conn, &caller, &target, active, after_number, limit + 1))
        .await?;
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
    let entity = state
        .read(move |_, conn| cases::get(conn, &caller, &target, &entity_id))
        .await?;
    Ok(web::Json(entity.into()))
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
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    // Every entity created in a customer takes the next number from the customer's row.
    let hot = format!("customer:{customer_id}");
    let entity = state
        .transaction_queued(hot, move |_, conn| {
            cases::create(conn, &caller, &target, &input, now)
        })
        .await?;
    let location = format!("/customers/{}/entities/{}", entity.customer_id, entity.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(Entity::from(entity)))
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
    let changes = body.into_inner()?.into();
    let now = state.clock.now();
    let entity = state
        .transaction(move |_, conn| {
            cases::update(conn, &caller, &target, &entity_id, &changes, now)
        })
        .await?;
    Ok(web::Json(entity.into()))
}
