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

use crate::request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A stable, machine-readable error code. Each has exactly one HTTP status and title; clients
/// branch on the code, never on the human-readable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    RouteNotFound,
    NotFound,
    MethodNotAllowed,
    MalformedJson,
    InvalidQuery,
    InvalidPath,
    InvalidBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    DatabaseUnavailable,
    Internal,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    InvitationExpired,
    InvalidTotpCode,
    PartnerIdTaken,
    LogonTaken,
    LastActiveAdmin,
    ConfirmationRequired,
    AlreadyEnrolled,
    CustomerIdTaken,
    ImmutableField,
    PreconditionFailed,
    EntityNumbersExhausted,
    InvalidUpload,
    InvalidImage,
    RateLimited,
    AccessRequiresCustomerPermission,
    GrantExists,
    RequestAlreadyPending,
    RequestExpired,
    RequestAlreadyDecided,
    LockedByCustomer,
    NoAccessGrant,
    CustomerInactive,
    ReauthenticationRequired,
    NotWhileActing,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::RouteNotFound,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidPath,
        ErrorCode::InvalidBody,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::ValidationFailed,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::Internal,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::Forbidden,
        ErrorCode::InvitationExpired,
        ErrorCode::InvalidTotpCode,
        ErrorCode::PartnerIdTaken,
        ErrorCode::LogonTaken,
        ErrorCode::LastActiveAdmin,
        ErrorCode::ConfirmationRequired,
        ErrorCode::AlreadyEnrolled,
        ErrorCode::CustomerIdTaken,
        ErrorCode::ImmutableField,
        ErrorCode::PreconditionFailed,
        ErrorCode::EntityNumbersExhausted,
        ErrorCode::InvalidUpload,
        ErrorCode::InvalidImage,
        ErrorCode::RateLimited,
        ErrorCode::AccessRequiresCustomerPermission,
        ErrorCode::GrantExists,
        ErrorCode::RequestAlreadyPending,
        ErrorCode::RequestExpired,
        ErrorCode::RequestAlreadyDecided,
        ErrorCode::LockedByCustomer,
        ErrorCode::NoAccessGrant,
        ErrorCode::CustomerInactive,
        ErrorCode::ReauthenticationRequired,
        ErrorCode::NotWhileActing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvalidTotpCode => "invalid_totp_code",
            ErrorCode::PartnerIdTaken => "partner_id_taken",
            ErrorCode::LogonTaken => "logon_taken",
            ErrorCode::LastActiveAdmin => "last_active_admin",
            ErrorCode::ConfirmationRequired => "confirmation_required",
            ErrorCode::AlreadyEnrolled => "already_enrolled",
            ErrorCode::CustomerIdTaken => "customer_id_taken",
            ErrorCode::ImmutableField => "immutable_field",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::EntityNumbersExhausted => "entity_numbers_exhausted",
            ErrorCode::InvalidUpload => "invalid_upload",
            ErrorCode::InvalidImage => "invalid_image",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::AccessRequiresCustomerPermission => "access_requires_customer_permission",
            ErrorCode::GrantExists => "grant_exists",
            ErrorCode::RequestAlreadyPending => "request_already_pending",
            ErrorCode::RequestExpired => "request_expired",
            ErrorCode::RequestAlreadyDecided => "request_already_decided",
            ErrorCode::LockedByCustomer => "locked_by_customer",
            ErrorCode::NoAccessGrant => "no_access_grant",
            ErrorCode::CustomerInactive => "customer_inactive",
            ErrorCode::ReauthenticationRequired => "reauthentication_required",
            ErrorCode::NotWhileActing => "not_while_acting",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }

    pub fn status(self) -> StatusCode {
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
            | ErrorCode::AlreadyEnrolled => StatusCode::CONFLICT,
            ErrorCode::ConfirmationRequired => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::CustomerIdTaken => StatusCode::CONFLICT,
            ErrorCode::ImmutableField => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::EntityNumbersExhausted => StatusCode::CONFLICT,
            ErrorCode::InvalidUpload => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidImage => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::AccessRequiresCustomerPermission => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::GrantExists => StatusCode::CONFLICT,
            ErrorCode::RequestAlreadyPending => StatusCode::CONFLICT,
            ErrorCode::RequestExpired => StatusCode::CONFLICT,
            ErrorCode::RequestAlreadyDecided => StatusCode::CONFLICT,
            ErrorCode::LockedByCustomer => StatusCode::FORBIDDEN,
            ErrorCode::NoAccessGrant => StatusCode::FORBIDDEN,
            ErrorCode::CustomerInactive => StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationRequired => StatusCode::FORBIDDEN,
            ErrorCode::NotWhileActing => StatusCode::FORBIDDEN,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::RouteNotFound => "No such route",
            ErrorCode::NotFound => "Not found",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::MalformedJson => "Malformed JSON",
            ErrorCode::InvalidQuery => "Invalid query string",
            ErrorCode::InvalidPath => "Invalid path parameter",
            ErrorCode::InvalidBody => "Request body does not match the schema",
            ErrorCode::UnsupportedMediaType => "Unsupported media type",
            ErrorCode::PayloadTooLarge => "Request body too large",
            ErrorCode::ValidationFailed => "Validation failed",
            ErrorCode::DatabaseUnavailable => "Database unavailable",
            ErrorCode::Internal => "Internal error",
            ErrorCode::Unauthenticated => "Authentication required",
            ErrorCode::InvalidCredentials => "Invalid credentials",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::InvitationExpired => "Invitation no longer valid",
            ErrorCode::InvalidTotpCode => "Invalid authenticator code",
            ErrorCode::PartnerIdTaken => "Partner ID taken",
            ErrorCode::LogonTaken => "Logon taken",
            ErrorCode::LastActiveAdmin => "Last active admin",
            ErrorCode::ConfirmationRequired => "Confirmation required",
            ErrorCode::AlreadyEnrolled => "Already enrolled",
            ErrorCode::CustomerIdTaken => "Customer ID taken",
            ErrorCode::ImmutableField => "Field cannot change",
            ErrorCode::PreconditionFailed => "Precondition failed",
            ErrorCode::EntityNumbersExhausted => "No entity numbers left",
            ErrorCode::InvalidUpload => "Invalid upload",
            ErrorCode::InvalidImage => "Invalid image",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::AccessRequiresCustomerPermission => {
                "Access requires the customer's permission"
            }
            ErrorCode::GrantExists => "Grant exists",
            ErrorCode::RequestAlreadyPending => "Request already pending",
            ErrorCode::RequestExpired => "Request expired",
            ErrorCode::RequestAlreadyDecided => "Request already decided",
            ErrorCode::LockedByCustomer => "Locked by the customer",
            ErrorCode::NoAccessGrant => "No access grant",
            ErrorCode::CustomerInactive => "Customer inactive",
            ErrorCode::ReauthenticationRequired => "Fresh authenticator code required",
            ErrorCode::NotWhileActing => "Not from an acting session",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ErrorCode::RouteNotFound => "No operation exists at this path; see /openapi.json.",
            ErrorCode::NotFound => {
                "The resource does not exist, or belongs to another tenant: both answer alike."
            }
            ErrorCode::MethodNotAllowed => {
                "The path exists but not with this method; the Allow header lists the methods."
            }
            ErrorCode::MalformedJson => "The request body is not syntactically valid JSON.",
            ErrorCode::InvalidQuery => {
                "A query parameter is missing, unknown or of the wrong type."
            }
            ErrorCode::InvalidPath => "A path parameter is not of the expected form.",
            ErrorCode::InvalidBody => {
                "The JSON body has a field of the wrong type, a missing field or an unknown one; \
                 `errors` names it."
            }
            ErrorCode::UnsupportedMediaType => "Send the body as application/json.",
            ErrorCode::PayloadTooLarge => "The body exceeds the server's limit.",
            ErrorCode::ValidationFailed => "One or more fields are invalid; `errors` lists each.",
            ErrorCode::DatabaseUnavailable => {
                "The database did not answer in time; retry after the Retry-After delay."
            }
            ErrorCode::Internal => {
                "Something failed on the server. Quote the request_id when reporting it."
            }
            ErrorCode::Unauthenticated => {
                "Send a valid access token: `Authorization: Bearer <token>` from POST /auth/login. \
                 An expired token, or one whose session ended (logout, deactivation), is refused."
            }
            ErrorCode::InvalidCredentials => {
                "The account ID, logon, password or authenticator code is wrong, or the user may \
                 not log in (inactive, locked for a while after repeated failures, or without \
                 login rights). Which one is never said."
            }
            ErrorCode::Forbidden => "The caller's role may not do this.",
            ErrorCode::InvitationExpired => {
                "The link was used, replaced by a newer one, or has expired; ask for a new one."
            }
            ErrorCode::InvalidTotpCode => {
                "The code does not match the authenticator secret now, or was already used."
            }
            ErrorCode::PartnerIdTaken => "Another partner already has this ID.",
            ErrorCode::LogonTaken => "Another user of the same account already has this logon.",
            ErrorCode::LastActiveAdmin => {
                "A partner always keeps at least one active admin: make another user an active \
                 admin first."
            }
            ErrorCode::ConfirmationRequired => {
                "This cannot be undone: repeat the request with `confirm=true`."
            }
            ErrorCode::AlreadyEnrolled => {
                "The user has already accepted their invitation; there is nothing to resend."
            }
            ErrorCode::CustomerIdTaken => {
                "Another customer, of any partner, already has this customer ID: choose another login prefix."
            }
            ErrorCode::ImmutableField => {
                "The field is fixed once created (a customer's ID is its login prefix); leave it out or send the current value."
            }
            ErrorCode::PreconditionFailed => {
                "The resource changed since the ETag sent in If-Match: read it again and re-apply the change."
            }
            ErrorCode::EntityNumbersExhausted => {
                "The customer has used all 9 999 entity numbers; numbers are never reused."
            }
            ErrorCode::InvalidUpload => {
                "Send the file as multipart/form-data in a part named `file`."
            }
            ErrorCode::InvalidImage => {
                "The file is not a PNG, JPEG or WebP image (checked by its content, not its name), or its size in pixels is outside the limits."
            }
            ErrorCode::RateLimited => {
                "Too many attempts from this address; retry after the Retry-After delay."
            }
            ErrorCode::AccessRequiresCustomerPermission => {
                "The customer's status (Established, Advocate, Read Only or Churned) or its \"requires customer access permissions\" flag rules out a direct grant: send an access request (POST /access-requests) for the customer's admins to approve."
            }
            ErrorCode::GrantExists => {
                "The partner user already holds a grant for this customer: change it (PATCH /grants/{id}) or revoke it first."
            }
            ErrorCode::RequestAlreadyPending => {
                "A pending request for this partner user and customer exists: wait for its decision, or cancel it."
            }
            ErrorCode::RequestExpired => {
                "The request is more than 24 hours old: it can no longer be approved or denied; send a new one."
            }
            ErrorCode::RequestAlreadyDecided => {
                "The request was already approved, denied or cancelled."
            }
            ErrorCode::LockedByCustomer => {
                "The customer's own admins switched \"requires customer access permissions\" on: only they can switch it off."
            }
            ErrorCode::NoAccessGrant => {
                "You hold no live access grant for this customer (none was given, it expired or was revoked): ask a partner admin for one."
            }
            ErrorCode::CustomerInactive => {
                "The customer's Active flag is off: nobody can enter it."
            }
            ErrorCode::ReauthenticationRequired => {
                "Switching into a customer needs a current authenticator code when your session last authenticated more than 15 minutes ago: send `code`."
            }
            ErrorCode::NotWhileActing => {
                "A partner user acting inside a customer cannot do this: approving or denying access requests, changing grants and the customer's permission flag stay with the customer's own admins."
            }
        }
    }

    /// The problem `type` URI: a path of this API that describes the code (`GET /problems/{code}`).
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.as_str())
    }

    /// The code a bare framework status becomes when no handler chose one.
    pub fn for_status(status: StatusCode) -> ErrorCode {
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
        ApiError::Validation(vec![FieldError::new(field, invalid.code, invalid.message)])
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
        self.code().status()
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
            _ => {}
        }
        response
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

/// Collects every invalid field of a request, so that all are reported at once.
#[derive(Debug, Default, Clone)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// The value when `parsed` is valid; otherwise records why under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, domain::ids::Invalid>) -> Option<T> {
        parsed
            .map_err(|invalid| {
                self.0
                    .push(FieldError::new(field, invalid.code, invalid.message))
            })
            .ok()
    }

    /// Like [`Fields::check`] for a field that may be absent (a partial update): `None` when it
    /// is absent or invalid.
    pub fn optional<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, domain::ids::Invalid>,
    ) -> Option<T> {
        value.and_then(|value| self.check(field, parse(value)))
    }

    /// `Err` with every recorded field, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}
