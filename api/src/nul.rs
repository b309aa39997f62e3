//! The NUL character (U+0000) is refused wherever a request can carry text — its path, its query,
//! its JSON body, its form's text parts — because no field means to hold one and PostgreSQL
//! refuses it in any text value: let through, it would become a 500 on PostgreSQL and a silent
//! miss on SQLite.

use actix_web::ResponseError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use serde_json::Value;

use crate::error::{ApiError, FieldError};

const REFUSED: &str = "must not contain the NUL character (U+0000)";

/// Answers 400 to a request whose path or query holds a percent-encoded NUL (`%00`: in a URI a
/// `%` always starts an escape, and a raw NUL never gets past the HTTP parser).
pub async fn refuse_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri = req.uri();
    let refused = if uri.path().contains("%00") {
        Some(ApiError::InvalidPath(format!("The path {REFUSED}.")))
    } else if uri.query().is_some_and(|query| query.contains("%00")) {
        Some(ApiError::InvalidQuery(format!("The query {REFUSED}.")))
    } else {
        None
    };
    if let Some(error) = refused {
        let response = error.error_response();
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The error for a JSON body that parsed but holds a NUL in a string, naming the first such
/// field as `serde_path_to_error` would (`licences[2].name`).
pub fn in_json(body: &[u8]) -> Option<ApiError> {
    if !has_escaped_nul(body) {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    let field = path_to_nul(&value, String::new())?;
    let field = if field.is_empty() {
        "body".to_owned()
    } else {
        field
    };
    Some(ApiError::InvalidBody(FieldError::new(
        field,
        "invalid_value",
        REFUSED,
    )))
}

/// The error for a form's text part holding a NUL (a file's name is cleaned of it instead).
pub fn in_form_text(name: &str, text: &str) -> Option<ApiError> {
    text.contains('\0')
        .then(|| ApiError::InvalidBody(FieldError::new(name, "invalid_value", REFUSED)))
}

/// Whether the JSON text writes `\u0000`: a NUL can only be written escaped, and the escape is
/// real when an odd number of backslashes precede the `u` (`\\u0000` is a backslash and text).
fn has_escaped_nul(body: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (at, byte) in body.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && body[at..].starts_with(b"u0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

fn path_to_nul(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then_some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| path_to_nul(item, format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                Some(inner)
            } else {
                path_to_nul(item, inner)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(body: &str) -> Option<String> {
        match in_json(body.as_bytes())? {
            ApiError::InvalidBody(error) => Some(error.field),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_field_holding_a_nul_is_named() {
        assert_eq!(field(r#"{"name": "a\u0000b"}"#).as_deref(), Some("name"));
        assert_eq!(
            field(r#"{"name": "ok", "licences": [{"x": "y"}, {"x": "\u0000"}]}"#).as_deref(),
            Some("licences[1].x")
        );
        assert_eq!(field(r#"{"a\u0000": 1}"#).as_deref(), Some("a\u{0}"));
        assert_eq!(field(r#""\u0000""#).as_deref(), Some("body"));
    }

    #[test]
    fn an_escaped_backslash_before_u0000_is_text_not_a_nul() {
        assert_eq!(field(r#"{"name": "a\\u0000b"}"#), None);
        assert_eq!(field(r#"{"name": "a\\\u0000b"}"#).as_deref(), Some("name"));
        assert_eq!(field(r#"{"name": "u0000", "other": "\u0001"}"#), None);
    }
}
