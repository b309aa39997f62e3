//! The partner kit (DOMAIN.md §2): marketing material the platform publishes. Partner admins
//! and marketing users list and download it — it is all a marketing user can reach.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use domain::files::MAX_KIT_BYTES;
use persistence::partner_kit::KitItemSummary;
use persistence::time::from_db;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;
use services::partner_kit as cases;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_kit)
        .service(publish_kit_item)
        .service(download_kit_item)
        .service(withdraw_kit_item);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KitItem {
    pub id: String,
    #[schema(example = "Spring campaign brochure")]
    pub title: String,
    #[schema(example = "brochure.pdf")]
    pub file_name: String,
    #[schema(example = "application/pdf")]
    pub content_type: String,
    pub size_bytes: i32,
    /// Where to download it (with a token).
    #[schema(example = "/partner-kit/3f6c…/file")]
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<KitItemSummary> for KitItem {
    fn from(item: KitItemSummary) -> Self {
        KitItem {
            url: format!("/partner-kit/{}/file", item.id),
            id: item.id,
            title: item.title,
            file_name: item.file_name,
            content_type: item.content_type,
            size_bytes: item.size,
            created_at: from_db(item.created_at),
        }
    }
}

/// The upload form.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct KitUpload {
    /// The file, at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What partners see it as, 1–100 characters.
    title: String,
}

/// List the partner kit, newest first.
#[utoipa::path(
    tag = "partner kit",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every published item", body = Vec<KitItem>),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins, marketing users and the platform see the kit"),
    ),
)]
#[get("/partner-kit")]
async fn list_kit(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<KitItem>>, ApiError> {
    cases::reader(&caller)?;
    let items = state.read(|_, conn| cases::list(conn)).await?;
    Ok(web::Json(items.into_iter().map(KitItem::from).collect()))
}

/// Publish an item (platform admins): multipart form with `file` (≤ 10 MiB) and `title`.
#[utoipa::path(
    tag = "partner kit",
    security(("bearer" = [])),
    request_body(content = KitUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Published", body = KitItem,
         headers(("Location" = String, description = "The file's URL"))),
        (status = 400, description = "Not a readable multipart form with a `file` part"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins publish"),
        (status = 413, description = "Larger than 10 MiB"),
        (status = 415, description = "Not multipart/form-data"),
        (status = 422, description = "No title, or an empty file"),
    ),
)]
#[post("/partner-kit")]
async fn publish_kit_item(
    state: web::Data<AppState>,
    caller: Caller,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    cases::publisher(&caller)?;
    let mut form = crate::upload::read_form(form, MAX_KIT_BYTES).await?;
    let upload = cases::KitUpload {
        title: form.texts.remove("title").unwrap_or_default(),
        file_name: form.file_name,
        bytes: form.file,
    };
    let now = state.clock.now();
    let item = cases::checked(upload, now)?;
    let published = state
        .transaction(move |_, conn| cases::publish(conn, &caller, &item, now))
        .await?;
    let item = KitItem::from(published);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, item.url.clone()))
        .json(item))
}

/// Download an item's file.
#[utoipa::path(
    tag = "partner kit",
    security(("bearer" = [])),
    params(("item_id" = String, Path)),
    responses(
        (status = 200, description = "The file, as an attachment",
         content((Vec<u8> = "application/octet-stream"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins, marketing users and the platform see the kit"),
        (status = 404, description = "No such item"),
    ),
)]
#[get("/partner-kit/{item_id}/file")]
async fn download_kit_item(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    cases::reader(&caller)?;
    let item = state.read(move |_, conn| cases::file(conn, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, item.content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", item.file_name),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", item.sha256)))
        .body(item.bytes))
}

/// Withdraw an item (platform admins).
#[utoipa::path(
    tag = "partner kit",
    security(("bearer" = [])),
    params(("item_id" = String, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins withdraw"),
        (status = 404, description = "No such item"),
    ),
)]
#[delete("/partner-kit/{item_id}")]
async fn withdraw_kit_item(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    cases::publisher(&caller)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| cases::withdraw(conn, &caller, &id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
