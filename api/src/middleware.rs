//! The request context every request runs in: its id, its log span, panics turned into 500s,
//! and the guarantee that every error response, whoever produced it, is a problem document.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use futures_util::FutureExt;
use tracing::Instrument;

use crate::error::{PROBLEM_JSON, Problem};
use crate::request_id;

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(request_id::HEADER)
        .and_then(request_id::accept)
        .unwrap_or_else(request_id::generate);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %redact_path(req.path()),
    );
    let started = Instant::now();

    // The request is not cloned before routing (the router needs sole ownership of it); a
    // failure that escapes the service with no response is answered from `Escaped` instead.
    let outcome = request_id::scope(id.clone(), async move {
        match AssertUnwindSafe(next.call(req)).catch_unwind().await {
            Ok(Ok(response)) => Ok(as_problem(response.map_into_boxed_body())),
            Ok(Err(error)) => Err(Escaped::new(
                error.as_response_error().status_code(),
                &error,
            )),
            Err(_) => Err(Escaped::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the handler panicked",
            )),
        }
    })
    .instrument(span.clone())
    .await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(escaped) => {
            let escaped = escaped.with_request_id(id);
            span.in_scope(
                || tracing::error!(cause = %escaped.cause, "request failed without a response"),
            );
            return Err(escaped.into());
        }
    };

    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(request_id::HEADER), value);
    }
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, latency_ms, "handled"));
    Ok(response)
}

/// Paths whose last segment is a secret (a single-use token): never written to the logs.
const SECRET_SEGMENT_AFTER: &[&str] = &["/invitations/", "/auth/password-reset/"];

/// The path with any secret token replaced by `…`.
pub fn redact_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}").into();
        }
    }
    path.into()
}

/// An error response that is not yet a problem document (the framework's own, or a mounted
/// service's) is rewritten into one, keeping its status and headers such as `Allow`.
fn as_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let code = crate::error::code_for_status(status);
    let detail = status.canonical_reason().unwrap_or("Error");
    let mut problem = Problem::new(code, detail);
    problem.status = status.as_u16();
    let mut replacement: HttpResponse = problem.into_response(status);
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replacement
                .headers_mut()
                .append(name.clone(), value.clone());
        }
    }
    response.into_response(replacement)
}

/// A failure that left the service without a response (a panic, a middleware error): actix turns
/// it into a response after the request's scope has ended, so it carries the id itself.
#[derive(Debug)]
struct Escaped {
    status: StatusCode,
    cause: String,
    request_id: Option<String>,
}

impl Escaped {
    fn new(status: StatusCode, cause: impl std::fmt::Display) -> Self {
        Self {
            status,
            cause: cause.to_string(),
            request_id: None,
        }
    }

    fn with_request_id(self, id: String) -> Self {
        Self {
            request_id: Some(id),
            ..self
        }
    }
}

impl std::fmt::Display for Escaped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.cause)
    }
}

impl ResponseError for Escaped {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let code = crate::error::code_for_status(self.status);
        let mut problem = Problem::new(code, code.description());
        problem.status = self.status.as_u16();
        problem.request_id.clone_from(&self.request_id);
        let mut response = problem.into_response(self.status);
        if let Some(value) = self
            .request_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok())
        {
            response
                .headers_mut()
                .insert(HeaderName::from_static(request_id::HEADER), value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::redact_path;

    #[test]
    fn tokens_in_paths_are_redacted() {
        assert_eq!(redact_path("/invitations/abc123"), "/invitations/…");
        assert_eq!(
            redact_path("/invitations/abc123/accept"),
            "/invitations/…/accept"
        );
        assert_eq!(
            redact_path("/auth/password-reset/xyz"),
            "/auth/password-reset/…"
        );
        assert_eq!(redact_path("/auth/password-reset"), "/auth/password-reset");
        assert_eq!(redact_path("/partners/PARTACME"), "/partners/PARTACME");
    }
}
