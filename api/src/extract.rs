//! Extractors and extractor settings, so that bad input of any shape becomes a problem document.

use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON request body. Unlike actix's `Json`, a body of the wrong shape is reported with the
/// path of the offending field (`licences[2].seats_used`), not only serde's message.
///
/// Reading the body never fails the extraction: the handler takes the outcome with
/// [`JsonBody::into_inner`] once it has authorized the caller, so that a bad token is always a
/// 401 and a forbidden caller always a 403, whatever the body (extractors run concurrently:
/// a body error could otherwise win the race against the token check).
#[derive(Debug)]
pub struct JsonBody<T>(Result<T, ApiError>);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = check_content_type(req);
        // The same limit the app gave `web::PayloadConfig`, which has no getter.
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(DEFAULT_BODY_LIMIT, |state| state.settings.body_limit);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let parsed = async {
                content_type?;
                let bytes = body.await.map_err(|e| {
                    if e.as_response_error().status_code() == 413 {
                        ApiError::PayloadTooLarge { limit }
                    } else {
                        ApiError::MalformedJson(format!("the body could not be read: {e}"))
                    }
                })?;
                parse_json(&bytes)
            };
            Ok(JsonBody(parsed.await))
        })
    }
}

/// A JSON body that may be left out: a request with neither a body nor a Content-Type reads as
/// `T::default()` (e.g. approving an access request as asked); anything sent is read as
/// [`JsonBody`] reads it.
#[derive(Debug)]
pub struct OptionalJsonBody<T>(Result<T, ApiError>);

impl<T> OptionalJsonBody<T> {
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let empty = req.headers().get(header::CONTENT_TYPE).is_none()
            && req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_none_or(|len| len.as_bytes() == b"0")
            && req.headers().get(header::TRANSFER_ENCODING).is_none();
        if empty {
            return Box::pin(async { Ok(OptionalJsonBody(Ok(T::default()))) });
        }
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJsonBody(body.await?.0)) })
    }
}

pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(ApiError::UnsupportedMediaType(None));
    };
    let text = value.to_str().unwrap_or_default();
    let essence = text
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(Some(text.to_owned())))
    }
}

/// Syntax errors are 400 `malformed_json`; well-formed JSON of the wrong shape is 422
/// `invalid_body` naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::InvalidBody(shape_error(&path, &inner)),
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    match crate::nul::in_json(bytes) {
        Some(refused) => Err(refused),
        None => Ok(value),
    }
}

fn shape_error(path: &str, error: &serde_json::Error) -> FieldError {
    let message = strip_position(&error.to_string());
    let join = |name: &str| match path {
        "." | "" => name.to_owned(),
        parent => format!("{parent}.{name}"),
    };
    let field_of = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').nth(1))
            .map(join)
    };
    if let Some(field) = field_of("missing field ") {
        return FieldError::new(field, "required", "is required");
    }
    if message.starts_with("unknown field ") {
        // Here the path already ends at the unknown key.
        return FieldError::new(path, "unknown_field", message);
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let code = if message.starts_with("invalid type") {
        "invalid_type"
    } else {
        "invalid_value"
    };
    FieldError::new(field, code, message)
}

/// serde_json appends " at line L column C"; the field path says more to an API caller.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|error, _req| ApiError::InvalidQuery(error.to_string()).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|error, _req| ApiError::InvalidPath(error.to_string()).into())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Customer {
        name: String,
        licences: Vec<Licence>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Licence {
        seats: u32,
    }

    fn error(body: &str) -> ApiError {
        parse_json::<Customer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        assert!(matches!(error("{\"name\": "), ApiError::MalformedJson(_)));
        assert!(matches!(
            error(r#"{"name": "A", "licences": []} trailing"#),
            ApiError::MalformedJson(_)
        ));
        assert!(matches!(error(""), ApiError::MalformedJson(_)));
    }

    #[test]
    fn shape_errors_name_the_field() {
        let field = |body: &str| match error(body) {
            ApiError::InvalidBody(e) => (e.field, e.code),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(r#"{"licences": []}"#),
            ("name".into(), "required".into())
        );
        assert_eq!(
            field(r#"{"name": "A", "licences": [{"seats": 1}, {"seats": -1}]}"#),
            ("licences[1].seats".into(), "invalid_value".into())
        );
        assert_eq!(
            field(r#"{"name": 5, "licences": []}"#),
            ("name".into(), "invalid_type".into())
        );
        assert_eq!(
            field(r#"{"name": "A", "licences": [], "extra": 1}"#),
            ("extra".into(), "unknown_field".into())
        );
        assert_eq!(field("5"), ("body".into(), "invalid_type".into()));
    }
}

/// `?confirm=true`, which an operation that cannot be undone asks for.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Confirmation {
    /// Must be `true`: removal cannot be undone.
    pub confirm: Option<bool>,
}

impl Confirmation {
    /// 422 `confirmation_required` unless `confirm=true` was sent.
    pub fn given(&self) -> Result<(), ApiError> {
        if self.confirm == Some(true) {
            Ok(())
        } else {
            Err(ApiError::rule(
                crate::error::ErrorCode::ConfirmationRequired,
                "Removing a user cannot be undone: repeat the request with confirm=true.",
            ))
        }
    }
}
