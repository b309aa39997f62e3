//! The lists the platform keeps: sectors, product plans, add-ons, entity types and licensable
//! products. Everyone signed in reads them (forms need their labels); platform admins edit them.
//! Items are retired with `active: false`, never deleted, so customers keep what they have.

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use domain::catalogue::{CatalogueCode, CatalogueKind};
use domain::entity::GROUP_TYPE;
use domain::ids::{DisplayName, Invalid};
use domain::policy::Action;
use persistence::catalogue::{self, CatalogueItemRow};
use persistence::time::{from_db, to_db};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, Fields};
use crate::extract::JsonBody;
use crate::state::AppState;
use services::audit::{self, Change};

pub fn configure(cfg: &mut ServiceConfig) {
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

impl From<CatalogueItemRow> for CatalogueItem {
    fn from(row: CatalogueItemRow) -> Self {
        CatalogueItem {
            code: row.code,
            label: row.label,
            active: row.active,
            position: row.position,
            updated_at: from_db(row.updated_at),
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

/// A catalogue kind in a path: an unknown one is a 404, like any path that names nothing.
fn kind_of(path: &str) -> Result<CatalogueKind, ApiError> {
    CatalogueKind::parse(path).map_err(|_| ApiError::NotFound("catalogue"))
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
    caller.authorize(Action::ViewCatalogues, "catalogue")?;
    let kind = kind_of(&kind)?;
    let rows = web::block(move || {
        state
            .db
            .read(|conn| Ok::<_, ApiError>(catalogue::list(conn, kind.as_str())?))
    })
    .await??;
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
    caller.authorize(Action::ManageCatalogues, "catalogue")?;
    let (kind, code) = path.into_inner();
    let kind = kind_of(&kind)?;
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let code = fields.check("code", CatalogueCode::parse(&code));
    if kind == CatalogueKind::EntityType && code.as_ref().is_some_and(|c| c.as_str() == GROUP_TYPE)
    {
        fields.refuse(
            "code",
            Invalid::new("reserved", "`group` is the group layer's built-in type"),
        );
    }
    let label = fields.check("label", DisplayName::parse(&body.label));
    let (code, label) = fields.conclude(code.zip(label))?;
    let now = state.clock.now();
    let (item, created) = state
        .transaction(move |_, conn| {
            let before = catalogue::find(conn, kind.as_str(), code.as_str())?;
            let position = match (body.position, &before) {
                (Some(position), _) => position,
                (None, Some(before)) => before.position,
                (None, None) => catalogue::list(conn, kind.as_str())?
                    .iter()
                    .map(|item| item.position)
                    .max()
                    .unwrap_or(0)
                    .saturating_add(1),
            };
            let item = CatalogueItemRow {
                kind: kind.as_str().to_owned(),
                code: code.to_string(),
                label: label.to_string(),
                active: body.active.unwrap_or(true),
                position,
                updated_at: to_db(now),
            };
            catalogue::save(conn, &item)?;
            let target = format!("{kind}/{code}");
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "catalogue.item_saved",
                    target_type: "catalogue_item",
                    target_id: &target,
                    before: before
                        .clone()
                        .and_then(|b| audit::snapshot(&CatalogueItem::from(b))),
                    after: audit::snapshot(&CatalogueItem::from(item.clone())),
                    ..Change::default()
                },
            )?;
            Ok::<_, ApiError>((CatalogueItem::from(item), before.is_none()))
        })
        .await?;
    Ok(if created {
        HttpResponse::Created().json(item)
    } else {
        HttpResponse::Ok().json(item)
    })
}
