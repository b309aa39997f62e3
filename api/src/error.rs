//! The API's one error format: RFC 9457 problem details (`application/problem+json`).
//!
//! Every failure a handler, an extractor or the framework can produce becomes an [`ApiError`],
//! and every [`ApiError`] becomes a [`Problem`] here, in [`ApiError::error_response`]: the only
//! place that maps errors to HTTP.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use services::{ServiceError, lane};

use crate::request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

pub use services::ErrorCode;

/// The one mapping from error codes to HTTP statuses.
pub trait HttpStatus {
    fn status(self) -> StatusCode;
}

impl HttpStatus for ErrorCode {
    fn status(self) -> StatusCode {
        match self {
            ErrorCode::RouteNotFound | ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MalformedJson | ErrorCode::InvalidQuery | ErrorCode::InvalidPath => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::InvalidBody | ErrorCode::ValidationFailed => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::InvitationExpired => StatusCode::GONE,
            ErrorCode::InvalidTotpCode => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PartnerIdTaken
            | ErrorCode::LogonTaken
            | ErrorCode::LastActiveAdmin
            | ErrorCode::NoSeatsAvailable
            | ErrorCode::InvitationPending
            | ErrorCode::UserInactive
            | ErrorCode::SeatsInUse
            | ErrorCode::AlreadyEnrolled => StatusCode::CONFLICT,
            ErrorCode::ConfirmationRequired => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::CustomerIdTaken => StatusCode::CONFLICT,
            ErrorCode::ImmutableField => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::EntityNumbersExhausted => StatusCode::CONFLICT,
            ErrorCode::InvalidUpload => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidImage => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited | ErrorCode::TooManyExports => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::AccessRequiresCustomerPermission => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::GrantExists => StatusCode::CONFLICT,
            ErrorCode::RequestAlreadyPending => StatusCode::CONFLICT,
            ErrorCode::RequestExpired => StatusCode::CONFLICT,
            ErrorCode::RequestAlreadyDecided => StatusCode::CONFLICT,
            ErrorCode::LockedByCustomer => StatusCode::FORBIDDEN,
            ErrorCode::NoAccessGrant => StatusCode::FORBIDDEN,
            ErrorCode::CustomerInactive | ErrorCode::CustomerSuspended => StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationRequired => StatusCode::FORBIDDEN,
            ErrorCode::NotWhileActing => StatusCode::FORBIDDEN,
        }
    }
}

/// The code a bare framework status becomes when no handler chose one.
pub fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::ValidationFailed,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_client_error() => ErrorCode::MalformedJson,
        _ => ErrorCode::Internal,
    }
}

/// The schema of [`ErrorCode`] in the API document (the enum lives in `services`, which knows
/// nothing of utoipa).
pub struct ErrorCodeSchema;

impl utoipa::PartialSchema for ErrorCodeSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "A stable, machine-readable error code. Each has exactly one HTTP status and title; clients\n\
                 branch on the code, never on the human-readable text.",
            ))
            .enum_values(Some(ErrorCode::all().map(ErrorCode::as_str)))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCodeSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ErrorCode")
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"field": "contact_email", "code": "email", "message": "must be an email address"}))]
pub struct FieldError {
    /// The field's path in the request, e.g. `licences[2].seats_used`.
    pub field: String,
    /// A stable code for what is wrong, e.g. `required`, `length`, `email`, `invalid_type`.
    pub code: String,
    pub message: String,
}

impl From<services::FieldError> for FieldError {
    fn from(error: services::FieldError) -> Self {
        FieldError {
            field: error.field,
            code: error.code,
            message: error.message,
        }
    }
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details: the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "2 fields are invalid",
    "code": "validation_failed",
    "request_id": "01936f6e-2c4b-7cc0-a1f5-6f1d1c1e8a10",
    "errors": [{"field": "name", "code": "required", "message": "must not be empty"}]
}))]
pub struct Problem {
    /// A URI reference naming the problem type; `GET` it for its description.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// What went wrong in this occurrence, for a human.
    pub detail: String,
    /// The stable machine code (see `GET /problems`).
    #[schema(value_type = ErrorCodeSchema)]
    pub code: ErrorCode,
    /// The request's id (also in the `X-Request-Id` header); quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Every invalid field, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl Problem {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            type_uri: code.type_uri(),
            title: code.title().to_owned(),
            status: code.status().as_u16(),
            detail: detail.into(),
            code,
            request_id: request_id::current(),
            errors: None,
        }
    }

    pub fn into_response(self, status: StatusCode) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match serde_json::to_vec(&self) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no route {method} {path}")]
    RouteNotFound { method: Method, path: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method {method} not allowed")]
    MethodNotAllowed { method: Method, allow: Vec<Method> },
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    #[error("invalid path: {0}")]
    InvalidPath(String),
    #[error("body does not match the schema: {0:?}")]
    InvalidBody(FieldError),
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(Option<String>),
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    /// Kept whole (not yet a string) so a transaction can tell a serialization failure.
    #[error("database error: {0}")]
    Database(#[from] persistence::DbError),
    /// The cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
    #[error("rate limited for {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// A product rule refused the request; the code says which.
    #[error("{code:?}: {detail}")]
    Rule { code: ErrorCode, detail: String },
}

impl ApiError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::RouteNotFound { .. } => ErrorCode::RouteNotFound,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            ApiError::MalformedJson(_) => ErrorCode::MalformedJson,
            ApiError::InvalidQuery(_) => ErrorCode::InvalidQuery,
            ApiError::InvalidPath(_) => ErrorCode::InvalidPath,
            ApiError::InvalidBody(_) => ErrorCode::InvalidBody,
            ApiError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::DatabaseUnavailable(_) => ErrorCode::DatabaseUnavailable,
            ApiError::Database(error) if error.is_unavailable() => ErrorCode::DatabaseUnavailable,
            ApiError::Database(_) | ApiError::Internal(_) => ErrorCode::Internal,
            ApiError::Rule { code, .. } => *code,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
        }
    }

    pub fn rule(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::Rule {
            code,
            detail: detail.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        ApiError::rule(
            ErrorCode::Unauthenticated,
            "A valid access token is required.",
        )
    }

    pub fn invalid_credentials() -> Self {
        ApiError::rule(
            ErrorCode::InvalidCredentials,
            "The account ID, logon, password or authenticator code is not right.",
        )
    }

    /// One invalid field.
    pub fn field(field: &str, invalid: domain::ids::Invalid) -> Self {
        ServiceError::field(field, invalid).into()
    }

    fn problem(&self) -> Problem {
        let code = self.code();
        match self {
            ApiError::RouteNotFound { method, path } => {
                Problem::new(code, format!("There is no operation {method} {path}."))
            }
            ApiError::NotFound(what) => Problem::new(code, format!("No such {what}.")),
            ApiError::MethodNotAllowed { method, allow } => Problem::new(
                code,
                format!(
                    "{method} is not allowed here; allowed: {}.",
                    join_methods(allow)
                ),
            ),
            ApiError::MalformedJson(detail)
            | ApiError::InvalidQuery(detail)
            | ApiError::InvalidPath(detail) => Problem::new(code, detail.clone()),
            ApiError::InvalidBody(error) => Problem {
                errors: Some(vec![error.clone()]),
                ..Problem::new(code, format!("`{}`: {}", error.field, error.message))
            },
            ApiError::UnsupportedMediaType(found) => Problem::new(
                code,
                match found {
                    Some(found) => {
                        format!("Content-Type {found} is not accepted; send application/json.")
                    }
                    None => "The body has no Content-Type; send application/json.".to_owned(),
                },
            ),
            ApiError::PayloadTooLarge { limit } => Problem::new(
                code,
                format!("The body exceeds the limit of {limit} bytes."),
            ),
            ApiError::Validation(errors) => Problem {
                errors: Some(errors.clone()),
                ..Problem::new(code, validation_detail(errors))
            },
            ApiError::Rule { code, detail } => Problem::new(*code, detail.clone()),
            ApiError::RateLimited { retry_after } => Problem::new(
                code,
                format!("Too many attempts from this address; retry in {retry_after} s."),
            ),
            ApiError::DatabaseUnavailable(_) | ApiError::Database(_) | ApiError::Internal(_) => {
                Problem::new(
                    code,
                    match code {
                        ErrorCode::DatabaseUnavailable => {
                            "The database is busy or unreachable; retry shortly."
                        }
                        _ => {
                            "The server failed to handle this request; it has been logged under its request id."
                        }
                    },
                )
            }
        }
    }
}

fn validation_detail(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("`{}`: {}", one.field, one.message),
        many => format!("{} fields are invalid.", many.len()),
    }
}

fn join_methods(methods: &[Method]) -> String {
    methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        HttpStatus::status(self.code())
    }

    fn error_response(&self) -> HttpResponse {
        match self.code() {
            ErrorCode::Internal => tracing::error!(cause = %self, "internal error"),
            ErrorCode::DatabaseUnavailable => tracing::warn!(cause = %self, "database unavailable"),
            _ => {}
        }
        let mut response = self.problem().into_response(self.status_code());
        let headers = response.headers_mut();
        match self {
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(value) = HeaderValue::from_str(&join_methods(allow)) {
                    headers.insert(header::ALLOW, value);
                }
            }
            ApiError::RateLimited { retry_after } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ if self.code() == ErrorCode::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ if self.code() == ErrorCode::DatabaseUnavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ if self.code() == ErrorCode::TooManyExports => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(lane::RETRY_AFTER_SECONDS),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Validation(errors) => {
                ApiError::Validation(errors.into_iter().map(FieldError::from).collect())
            }
            ServiceError::Rule { code, detail } => ApiError::Rule { code, detail },
            ServiceError::Database(error) => ApiError::Database(error),
            ServiceError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<persistence::QueryError> for ApiError {
    fn from(error: persistence::QueryError) -> Self {
        ApiError::Database(error.into())
    }
}

impl persistence::TransactionError for ApiError {
    fn is_serialization_failure(&self) -> bool {
        matches!(self, ApiError::Database(e) if e.is_serialization_failure())
    }

    fn is_unique_violation(&self) -> bool {
        matches!(self, ApiError::Database(e) if e.is_unique_violation())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

pub use services::Fields;
