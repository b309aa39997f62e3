//! Probes for orchestrators: liveness (the process answers) and readiness (the database too).

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(get_liveness).service(get_readiness);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The database backend in use.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// Liveness: the process is up and serving requests.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is serving requests", body = Liveness)),
)]
#[get("/health/live")]
async fn get_liveness() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .json(Liveness { status: "ok" })
}

/// Readiness: the process is up and its database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve traffic", body = Readiness),
        (status = 503, description = "The database does not answer"),
    ),
)]
#[get("/health/ready")]
async fn get_readiness(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    web::block(move || db.ping())
        .await?
        .map_err(|e| ApiError::DatabaseUnavailable(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .json(Readiness {
            status: "ready",
            database: state.db.backend().name(),
        }))
}
