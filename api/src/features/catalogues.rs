//! The lists the platform keeps: sectors, product plans, add-ons, entity types and licensable
//! products. Everyone signed in reads them (forms need their labels); platform admins edit them.
//! Items are retired with `active: false`, never deleted, so customers keep what they have.

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::routes::Registry;
use crate::state::AppState;
use services::catalogues::{self as cases, ItemView};

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_catalogue).service(save_catalogue_item);
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueItem {
    #[schema(example = "healthcare")]
    pub code: String,
    #[schema(example = "Healthcare")]
    pub label: String,
    /// Retired items stay on the customers that have them but cannot be chosen anew.
    pub active: bool,
    /// Display order.
    pub position: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<ItemView> for CatalogueItem {
    fn from(view: ItemView) -> Self {
        CatalogueItem {
            code: view.code,
            label: view.label,
            active: view.active,
            position: view.position,
            updated_at: view.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    #[schema(example = "sector")]
    pub kind: String,
    pub items: Vec<CatalogueItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"label": "Veterinary", "active": true, "position": 11}))]
pub struct CatalogueItemInput {
    pub label: String,
    /// Defaults to `true`.
    pub active: Option<bool>,
    /// Defaults to the end of the list for a new item, and to the current place otherwise.
    pub position: Option<i32>,
}

/// Read a catalogue: `sector`, `product_plan`, `add_on`, `entity_type` or `product`.
#[utoipa::path(
    tag = "catalogues",
    security(("bearer" = [])),
    params(("kind" = String, Path, description = "sector, product_plan, add_on, entity_type or product", example = "sector")),
    responses(
        (status = 200, description = "Every item, retired ones included, in display order", body = Catalogue),
        (status = 401, description = "Not authenticated"),
        (status = 404, description = "No such catalogue"),
    ),
)]
#[get("/catalogues/{kind}")]
async fn list_catalogue(
    state: web::Data<AppState>,
    caller: Caller,
    kind: web::Path<String>,
) -> Result<web::Json<Catalogue>, ApiError> {
    let kind = cases::kind(&kind)?;
    let rows = state
        .read(move |_, conn| cases::list(conn, &caller, kind))
        .await?;
    Ok(web::Json(Catalogue {
        kind: kind.as_str().to_owned(),
        items: rows.into_iter().map(CatalogueItem::from).collect(),
    }))
}

/// Add an item to a catalogue, or change one (label, active, position).
#[utoipa::path(
    tag = "catalogues",
    security(("bearer" = [])),
    params(
        ("kind" = String, Path, description = "sector, product_plan, add_on, entity_type or product", example = "sector"),
        ("code" = String, Path, description = "The item's code: lower-case letters, digits, underscores", example = "veterinary"),
    ),
    request_body = CatalogueItemInput,
    responses(
        (status = 200, description = "Changed", body = CatalogueItem),
        (status = 201, description = "Added", body = CatalogueItem),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins edit catalogues"),
        (status = 404, description = "No such catalogue"),
    ),
)]
#[put("/catalogues/{kind}/{code}")]
async fn save_catalogue_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<CatalogueItemInput>,
) -> Result<HttpResponse, ApiError> {
    cases::editor(&caller)?;
    let (kind, code) = path.into_inner();
    let kind = cases::kind(&kind)?;
    let body = body.into_inner()?;
    let input = cases::ItemInput {
        label: body.label,
        active: body.active,
        position: body.position,
    };
    let item = cases::check(kind, &code, &input)?;
    let now = state.clock.now();
    let (item, created) = state
        .transaction(move |_, conn| cases::save(conn, &caller, &item, now))
        .await?;
    let item = CatalogueItem::from(item);
    Ok(if created {
        HttpResponse::Created().json(item)
    } else {
        HttpResponse::Ok().json(item)
    })
}
