//! White label (seed 000 "Settings"): a partner's logo and "Powered by" logo, uploaded by its
//! admins, and the public branding a hub header needs. The text settings (support email,
//! "Powered by" URL, the partner's email) are fields of `PATCH /partners/{partner_id}`.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use domain::files::MAX_IMAGE_BYTES;
use persistence::time::from_db;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;
use services::branding as cases;

pub fn configure(cfg: &mut Registry) {
    cfg.service(upload_partner_image)
        .service(delete_partner_image)
        .service(get_branding)
        .service(get_branding_image);
}

/// Where an image goes: the hub header's logo, or the "Powered by" logo.
const SLOTS: [&str; 2] = ["logo", "powered_by_logo"];

fn slot_of(path: &str) -> Result<&'static str, ApiError> {
    SLOTS
        .into_iter()
        .find(|slot| *slot == path)
        .ok_or(ApiError::NotFound("image slot"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerImage {
    #[schema(example = "logo")]
    pub slot: String,
    #[schema(example = "image/png")]
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: usize,
    /// Where the image is served, without authentication.
    #[schema(example = "/branding/PARTACME/images/logo")]
    pub url: String,
    pub updated_at: DateTime<Utc>,
}

/// The upload form: one part named `file`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// A PNG, JPEG or WebP image of at most 1 MiB and 4096 pixels a side. SVG is refused.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Branding {
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    #[schema(example = "Acme Accountants")]
    pub name: String,
    /// Where the partner's customers send support requests.
    pub support_email: Option<String>,
    pub powered_by_url: Option<String>,
    pub logo_url: Option<String>,
    pub powered_by_logo_url: Option<String>,
}

fn image_url(partner: &str, slot: &str) -> String {
    format!("/branding/{partner}/images/{slot}")
}

/// Upload the partner's logo (`logo`) or "Powered by" logo (`powered_by_logo`).
///
/// PNG, JPEG or WebP, at most 1 MiB and 4096 pixels a side; the content is checked, not the
/// file name. It replaces the slot's previous image.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("partner_id" = String, Path, example = "PARTACME"),
        ("slot" = String, Path, description = "logo or powered_by_logo", example = "logo"),
    ),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Stored", body = PartnerImage),
        (status = 400, description = "Not a readable multipart form with a `file` part"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the partner's admins change its branding"),
        (status = 404, description = "No such partner or slot"),
        (status = 413, description = "Larger than 1 MiB"),
        (status = 415, description = "Not multipart/form-data"),
        (status = 422, description = "Not a PNG, JPEG or WebP image within the size limits"),
    ),
)]
#[put("/partners/{partner_id}/images/{slot}")]
async fn upload_partner_image(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    form: Multipart,
) -> Result<web::Json<PartnerImage>, ApiError> {
    let (partner_id, slot) = path.into_inner();
    let partner = cases::editor(&caller, &partner_id)?;
    let slot = slot_of(&slot)?;
    let bytes = crate::upload::read_form(form, MAX_IMAGE_BYTES).await?.file;
    let now = state.clock.now();
    let image = cases::checked_image(&partner, slot, bytes, now)?;
    let row = image.row();
    let answer = PartnerImage {
        slot: slot.to_owned(),
        content_type: row.content_type.clone(),
        width: row.width,
        height: row.height,
        size_bytes: row.bytes.len(),
        url: image_url(partner.id().as_str(), slot),
        updated_at: from_db(row.updated_at),
    };
    state
        .transaction(move |_, conn| cases::save_image(conn, &caller, &partner, &image, now))
        .await?;
    Ok(web::Json(answer))
}

/// Remove the partner's logo or "Powered by" logo.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("partner_id" = String, Path, example = "PARTACME"),
        ("slot" = String, Path, description = "logo or powered_by_logo", example = "logo"),
    ),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only the partner's admins change its branding"),
        (status = 404, description = "No such partner or slot"),
    ),
)]
#[delete("/partners/{partner_id}/images/{slot}")]
async fn delete_partner_image(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, slot) = path.into_inner();
    let partner = cases::editor(&caller, &partner_id)?;
    let slot = slot_of(&slot)?;
    let now = state.clock.now();
    state
        .transaction(move |_, conn| cases::remove_image(conn, &caller, &partner, slot, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What a hub header shows for a partner: name, support email, "Powered by" link and logos.
/// Public: the login page shows it before anyone is signed in.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = String, Path, example = "PARTACME")),
    responses(
        (status = 200, description = "The partner's branding", body = Branding),
        (status = 404, description = "No such active partner"),
    ),
)]
#[get("/branding/{partner_id}")]
async fn get_branding(
    state: web::Data<AppState>,
    partner_id: web::Path<String>,
) -> Result<web::Json<Branding>, ApiError> {
    let (row, slots) = state
        .read(move |_, conn| cases::branding(conn, &partner_id))
        .await?;
    let url = |slot: &str| {
        slots
            .iter()
            .any(|s| s == slot)
            .then(|| image_url(&row.id, slot))
    };
    let branding = Branding {
        logo_url: url("logo"),
        powered_by_logo_url: url("powered_by_logo"),
        partner_id: row.id.clone(),
        name: row.name,
        support_email: row.support_email,
        powered_by_url: row.powered_by_url,
    };
    Ok(web::Json(branding))
}

/// A partner's logo or "Powered by" logo, with its content type and a validator for caches.
#[utoipa::path(
    tag = "partners",
    params(
        ("partner_id" = String, Path, example = "PARTACME"),
        ("slot" = String, Path, description = "logo or powered_by_logo", example = "logo"),
    ),
    responses(
        (status = 200, description = "The image",
         content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp")),
         headers(("ETag" = String, description = "The image's SHA-256"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such partner or image"),
    ),
)]
#[get("/branding/{partner_id}/images/{slot}")]
async fn get_branding_image(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (partner_id, slot) = path.into_inner();
    let slot = slot_of(&slot)?;
    let image = state
        .read(move |_, conn| cases::image(conn, &partner_id, slot))
        .await?;
    let etag = format!("\"{}\"", image.sha256);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    Ok(if unchanged {
        response.finish()
    } else {
        response
            .insert_header((header::CONTENT_TYPE, image.content_type))
            .body(image.bytes)
    })
}
