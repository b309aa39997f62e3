//! Routes that exist only in tests: they take every kind of input and fail in every way, so
//! the error format can be checked before real endpoints exist for each case.

use actix_web::{HttpResponse, get, post, web};
use api::error::ApiError;
use api::extract::JsonBody;
use api::routes::Registry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn configure(cfg: &mut Registry) {
    api::features::configure(cfg);
    cfg.service(echo)
        .service(item)
        .service(internal_error)
        .service(panic);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Echo {
    pub name: String,
    pub seats: u32,
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    pub limit: u32,
}

#[utoipa::path(request_body = Echo, responses((status = 200, body = Echo)))]
#[post("/__probe/echo")]
async fn echo(body: JsonBody<Echo>) -> Result<web::Json<Echo>, api::error::ApiError> {
    body.into_inner().map(web::Json)
}

#[utoipa::path(responses((status = 200)))]
#[get("/__probe/items/{id}")]
async fn item(id: web::Path<u32>, paging: web::Query<Paging>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"id": *id, "limit": paging.limit}))
}

#[utoipa::path(responses((status = 200)))]
#[get("/__probe/internal-error")]
async fn internal_error() -> Result<HttpResponse, ApiError> {
    Err(ApiError::internal(
        "connection to db-7.internal:5432 refused (password=hunter2)",
    ))
}

#[utoipa::path(responses((status = 200)))]
#[get("/__probe/panic")]
async fn panic() -> HttpResponse {
    panic!("a bug in a handler")
}
