//! Answers serialized where their data was read.

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;

use crate::error::ApiError;
use crate::json_writer;

/// A JSON answer (written by [`json_writer`]) serialized on the blocking thread that read its
/// rows, instead of on the async worker as `web::Json` does: the rows' strings are written while
/// still in that thread's cache and freed by the thread that allocated them, and the worker only
/// sends bytes. For large answers read in a blocking job (the customer listing: ~60 KB a page),
/// and for one written once and served many times (the OpenAPI document: cloning shares the
/// bytes).
#[derive(Debug, Clone)]
pub struct Rendered(Bytes);

impl Rendered {
    /// `value` as JSON, into a buffer of `size_hint` bytes to begin with (growing it by doubling
    /// copies the answer again each time).
    pub fn json(value: &impl Serialize, size_hint: usize) -> Result<Rendered, ApiError> {
        let mut buffer = Vec::with_capacity(size_hint);
        json_writer::write(value, &mut buffer).map_err(ApiError::internal)?;
        Ok(Rendered(buffer.into()))
    }
}

impl Responder for Rendered {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;
    use actix_web::test::TestRequest;

    #[test]
    fn answers_the_value_as_json() {
        let rendered = Rendered::json(&serde_json::json!({"a": [1, "b"]}), 4).unwrap();
        let response = rendered.respond_to(&TestRequest::default().to_http_request());
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        let body = response.into_body().try_into_bytes().unwrap();
        assert_eq!(&body[..], br#"{"a":[1,"b"]}"#);
    }
}
