//! The headers every answer carries, whoever wrote it: nothing is stored by a browser or a
//! shared proxy unless its handler says it may be (RFC 6749 §5.1 for tokens; OWASP ASVS V14 for
//! personal data), nothing is sniffed, nothing leaks a referrer, and nothing runs or frames —
//! except Swagger UI, whose pages get the policy they need to work.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// Where Swagger UI's pages are served.
pub const SWAGGER_UI_PREFIX: &str = "/swagger-ui/";

/// The API answers JSON, files and images: nothing in them may load or run anything.
const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Swagger UI: its scripts, styles and the spec from this origin; React's inline style
/// attributes and the data: images of its stylesheet; calls to this API only.
const SWAGGER_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let swagger = req.path().starts_with(SWAGGER_UI_PREFIX);
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    // A handler that set its own caching (a partner's public logo) keeps it.
    let stored = !headers.contains_key(header::CACHE_CONTROL);
    if stored {
        set(headers, header::CACHE_CONTROL, "no-store");
        set(headers, header::PRAGMA, "no-cache");
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        if swagger { SWAGGER_POLICY } else { API_POLICY },
    );
    Ok(response)
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}
