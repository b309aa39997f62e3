//! The catalogue of problem types: what each `code` in an error body means. A problem's `type`
//! URI points here.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorCode, ErrorCodeSchema, HttpStatus};
use crate::routes::Registry;

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_problem_types).service(get_problem_type);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemType {
    #[schema(value_type = ErrorCodeSchema)]
    pub code: ErrorCode,
    /// The HTTP status that problems of this type carry.
    #[schema(example = 404)]
    pub status: u16,
    #[schema(example = "Not found")]
    pub title: &'static str,
    pub description: &'static str,
}

impl From<ErrorCode> for ProblemType {
    fn from(code: ErrorCode) -> Self {
        Self {
            code,
            status: code.status().as_u16(),
            title: code.title(),
            description: code.description(),
        }
    }
}

/// List every problem type (error code) the API can answer with.
#[utoipa::path(
    tag = "problems",
    responses((status = 200, description = "Every problem type", body = Vec<ProblemType>)),
)]
#[get("/problems")]
async fn list_problem_types() -> web::Json<Vec<ProblemType>> {
    web::Json(ErrorCode::all().map(ProblemType::from).collect())
}

/// Describe one problem type.
#[utoipa::path(
    tag = "problems",
    params(("code" = String, Path, description = "A problem code", example = "not_found")),
    responses(
        (status = 200, description = "The problem type", body = ProblemType),
        (status = 404, description = "No such problem type"),
    ),
)]
#[get("/problems/{code}")]
async fn get_problem_type(code: web::Path<String>) -> Result<web::Json<ProblemType>, ApiError> {
    ErrorCode::parse(&code)
        .map(|code| web::Json(code.into()))
        .ok_or(ApiError::NotFound("problem type"))
}
