//! What a use case can answer besides success: a [`ServiceError`], with a stable [`ErrorCode`]
//! for every refusal a client can branch on. The HTTP adapter maps each code to one status, in
//! one place (`api::error`); nothing here knows HTTP.

use strum::{EnumIter, EnumMessage, IntoEnumIterator, IntoStaticStr};

/// A stable, machine-readable error code. Each has exactly one HTTP status and title; clients
/// branch on the code, never on the human-readable text. The title is the variant's `message`,
/// the problem type's description its `detailed_message`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    EnumIter,
    EnumMessage,
    IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    #[strum(
        message = "No such route",
        detailed_message = "No operation exists at this path; see /openapi.json."
    )]
    RouteNotFound,
    #[strum(
        message = "Not found",
        detailed_message = "The resource does not exist, or belongs to another tenant: both answer alike."
    )]
    NotFound,
    #[strum(
        message = "Method not allowed",
        detailed_message = "The path exists but not with this method; the Allow header lists the methods."
    )]
    MethodNotAllowed,
    #[strum(
        message = "Malformed JSON",
        detailed_message = "The request body is not syntactically valid JSON."
    )]
    MalformedJson,
    #[strum(
        message = "Invalid query string",
        detailed_message = "A query parameter is missing, unknown or of the wrong type."
    )]
    InvalidQuery,
    #[strum(
        message = "Invalid path parameter",
        detailed_message = "A path parameter is not of the expected form."
    )]
    InvalidPath,
    #[strum(
        message = "Request body does not match the schema",
        detailed_message = "The JSON body has a field of the wrong type, a missing field or an unknown one; \
                 `errors` names it."
    )]
    InvalidBody,
    #[strum(
        message = "Unsupported media type",
        detailed_message = "Send the body as application/json."
    )]
    UnsupportedMediaType,
    #[strum(
        message = "Request body too large",
        detailed_message = "The body exceeds the server's limit."
    )]
    PayloadTooLarge,
    #[strum(
        message = "Validation failed",
        detailed_message = "One or more fields are invalid; `errors` lists each."
    )]
    ValidationFailed,
    #[strum(
        message = "Database unavailable",
        detailed_message = "The database did not answer in time; retry after the Retry-After delay."
    )]
    DatabaseUnavailable,
    #[strum(
        message = "Internal error",
        detailed_message = "Something failed on the server. Quote the request_id when reporting it."
    )]
    Internal,
    #[strum(
        message = "Authentication required",
        detailed_message = "Send a valid access token: `Authorization: Bearer <token>` from POST /auth/login. \
                 An expired token, or one whose session ended (logout, deactivation), is refused."
    )]
    Unauthenticated,
    #[strum(
        message = "Invalid credentials",
        detailed_message = "The account ID, logon, password or authenticator code is wrong, or the user may \
                 not log in (inactive, locked for a while after repeated failures, or without \
                 login rights). Which one is never said."
    )]
    InvalidCredentials,
    #[strum(
        message = "Forbidden",
        detailed_message = "The caller's role may not do this."
    )]
    Forbidden,
    #[strum(
        message = "Invitation no longer valid",
        detailed_message = "The link was used, replaced by a newer one, or has expired; ask for a new one."
    )]
    InvitationExpired,
    #[strum(
        message = "Invalid authenticator code",
        detailed_message = "The code does not match the authenticator secret now, or was already used."
    )]
    InvalidTotpCode,
    #[strum(
        message = "Partner ID taken",
        detailed_message = "Another partner already has this ID."
    )]
    PartnerIdTaken,
    #[strum(
        message = "Logon taken",
        detailed_message = "Another user of the same account already has this logon."
    )]
    LogonTaken,
    #[strum(
        message = "Last active admin",
        detailed_message = "A partner always keeps at least one active admin, and so does a customer once it \
                 has had one: make another user an active admin first."
    )]
    LastActiveAdmin,
    #[strum(
        message = "No seats available",
        detailed_message = "Every seat of the licence is held: free one (DELETE the assignment) or raise the \
                 licence's seats available first."
    )]
    NoSeatsAvailable,
    #[strum(
        message = "Invitation pending",
        detailed_message = "The user has not accepted their invitation yet, so has no password to reset: \
                 re-send the invitation instead."
    )]
    InvitationPending,
    #[strum(
        message = "User inactive",
        detailed_message = "The user is deactivated: reactivate them first."
    )]
    UserInactive,
    #[strum(
        message = "Seats in use",
        detailed_message = "The customer's users hold more seats of the licence than the change leaves: \
                 unassign seats first (GET /customers/{customer_id}/licences lists who holds them)."
    )]
    SeatsInUse,
    #[strum(
        message = "Confirmation required",
        detailed_message = "This cannot be undone: repeat the request with `confirm=true`."
    )]
    ConfirmationRequired,
    #[strum(
        message = "Already enrolled",
        detailed_message = "The user has already accepted their invitation; there is nothing to resend."
    )]
    AlreadyEnrolled,
    #[strum(
        message = "Customer ID taken",
        detailed_message = "Another customer, of any partner, already has this customer ID: choose another login prefix."
    )]
    CustomerIdTaken,
    #[strum(
        message = "Field cannot change",
        detailed_message = "The field is fixed once created (a customer's ID is its login prefix); leave it out or send the current value."
    )]
    ImmutableField,
    #[strum(
        message = "Precondition failed",
        detailed_message = "The resource changed since the ETag sent in If-Match: read it again and re-apply the change."
    )]
    PreconditionFailed,
    #[strum(
        message = "No entity numbers left",
        detailed_message = "The customer has used all 9 999 entity numbers; numbers are never reused."
    )]
    EntityNumbersExhausted,
    #[strum(
        message = "Invalid upload",
        detailed_message = "Send the file as multipart/form-data in a part named `file`."
    )]
    InvalidUpload,
    #[strum(
        message = "Invalid image",
        detailed_message = "The file is not a PNG, JPEG or WebP image (checked by its content, not its name), or its size in pixels is outside the limits."
    )]
    InvalidImage,
    #[strum(
        message = "Too many requests",
        detailed_message = "Too many attempts from this address; retry after the Retry-After delay."
    )]
    RateLimited,
    #[strum(
        message = "Too many exports",
        detailed_message = "Exports run a few at a time in all and one at a time per account: retry after the Retry-After delay."
    )]
    TooManyExports,
    #[strum(
        message = "Access requires the customer's permission",
        detailed_message = "The customer's status (Established, Advocate, Read Only or Churned) or its \"requires customer access permissions\" flag rules out a direct grant: send an access request (POST /access-requests) for the customer's admins to approve."
    )]
    AccessRequiresCustomerPermission,
    #[strum(
        message = "Grant exists",
        detailed_message = "The partner user already holds a grant for this customer: change it (PATCH /grants/{id}) or revoke it first."
    )]
    GrantExists,
    #[strum(
        message = "Request already pending",
        detailed_message = "A pending request for this partner user and customer exists: wait for its decision, or cancel it."
    )]
    RequestAlreadyPending,
    #[strum(
        message = "Request expired",
        detailed_message = "The request is more than 24 hours old: it can no longer be approved or denied; send a new one."
    )]
    RequestExpired,
    #[strum(
        message = "Request already decided",
        detailed_message = "The request was already approved, denied or cancelled."
    )]
    RequestAlreadyDecided,
    #[strum(
        message = "Locked by the customer",
        detailed_message = "The customer's own admins switched \"requires customer access permissions\" on: only they can switch it off."
    )]
    LockedByCustomer,
    #[strum(
        message = "No access grant",
        detailed_message = "You hold no live access grant for this customer (none was given, it expired or was revoked): ask a partner admin for one."
    )]
    NoAccessGrant,
    #[strum(
        message = "Customer inactive",
        detailed_message = "The customer's Active flag is off: nobody can enter it."
    )]
    CustomerInactive,
    #[strum(
        message = "Customer suspended",
        detailed_message = "The customer's account is suspended: nobody can enter it until its partner resumes it (POST /customers/{customer_id}/resume)."
    )]
    CustomerSuspended,
    #[strum(
        message = "Fresh authenticator code required",
        detailed_message = "Switching into a customer needs a current authenticator code when your session last authenticated more than 15 minutes ago: send `code`."
    )]
    ReauthenticationRequired,
    #[strum(
        message = "Not from an acting session",
        detailed_message = "A partner user acting inside a customer cannot do this: approving or denying access requests, changing grants and the customer's permission flag stay with the customer's own admins."
    )]
    NotWhileActing,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        ErrorCode::iter()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        code.parse().ok()
    }

    pub fn title(self) -> &'static str {
        self.get_message().unwrap_or("")
    }

    pub fn description(self) -> &'static str {
        self.get_detailed_message().unwrap_or("")
    }

    /// The problem `type` URI: a path of the API that describes the code (`GET /problems/{code}`).
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.as_str())
    }
}

/// One invalid field of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist, or lies in another tenant: both answer alike.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Every invalid field of the input, reported at once.
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// A product rule refused; the code says which.
    #[error("{code:?}: {detail}")]
    Rule { code: ErrorCode, detail: String },
    /// Kept whole (not yet a string) so a transaction can tell a serialization failure.
    #[error("database error: {0}")]
    Database(#[from] persistence::DbError),
    /// A broken invariant; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ServiceError::Internal(cause.to_string())
    }

    pub fn rule(code: ErrorCode, detail: impl Into<String>) -> Self {
        ServiceError::Rule {
            code,
            detail: detail.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        ServiceError::rule(
            ErrorCode::Unauthenticated,
            "A valid access token is required.",
        )
    }

    pub fn invalid_credentials() -> Self {
        ServiceError::rule(
            ErrorCode::InvalidCredentials,
            "The account ID, logon, password or authenticator code is not right.",
        )
    }

    /// One invalid field.
    pub fn field(field: &str, invalid: domain::ids::Invalid) -> Self {
        ServiceError::Validation(vec![FieldError::new(field, invalid.code, invalid.message)])
    }

    /// The code a client sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::Validation(_) => ErrorCode::ValidationFailed,
            ServiceError::Rule { code, .. } => *code,
            ServiceError::Database(error) if error.is_unavailable() => {
                ErrorCode::DatabaseUnavailable
            }
            ServiceError::Database(_) | ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<persistence::QueryError> for ServiceError {
    fn from(error: persistence::QueryError) -> Self {
        ServiceError::Database(error.into())
    }
}

impl persistence::TransactionError for ServiceError {
    fn is_serialization_failure(&self) -> bool {
        matches!(self, ServiceError::Database(e) if e.is_serialization_failure())
    }

    fn is_unique_violation(&self) -> bool {
        matches!(self, ServiceError::Database(e) if e.is_unique_violation())
    }
}

/// Collects every invalid field of an input, so that all are reported at once.
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

    /// Records `invalid` under `field` (a check that needs no value back).
    pub fn refuse(&mut self, field: &str, invalid: domain::ids::Invalid) {
        self.0
            .push(FieldError::new(field, invalid.code, invalid.message));
    }

    /// Whether no field was refused so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err` with every recorded field, if any.
    pub fn finish(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(self.0))
        }
    }

    /// `value` once no field was refused: the one way out of a collector, so that a value
    /// checked field by field needs no "a checked field is missing" fallback.
    pub fn conclude<T>(self, value: Option<T>) -> Result<T, ServiceError> {
        self.finish()?;
        value.ok_or_else(|| ServiceError::internal("a field was refused without a reason"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_title_a_description_and_round_trips_its_name() {
        for code in ErrorCode::all() {
            assert!(!code.title().is_empty(), "{code:?}");
            assert!(!code.description().is_empty(), "{code:?}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_value(code).expect("a code serializes");
            assert_eq!(json, serde_json::Value::from(code.as_str()));
        }
    }
}
