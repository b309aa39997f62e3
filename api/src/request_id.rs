//! The request id: accepted from `X-Request-Id` when it is a sane token, made up otherwise,
//! returned on every response, attached to every log line and to every problem body.

use actix_web::http::header::HeaderValue;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any (error bodies are built inside its scope).
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

pub async fn scope<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// A caller's id is kept only if it is short and made of token characters, so that it cannot
/// forge log lines or carry markup into a response.
pub fn accept(value: &HeaderValue) -> Option<String> {
    let value = value.to_str().ok()?;
    let sane = (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    sane.then(|| value.to_owned())
}

pub fn generate() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_ids_are_accepted() {
        let ok = |s: &str| accept(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123_x.y:z").as_deref(), Some("abc-123_x.y:z"));
        assert_eq!(ok(""), None);
        assert_eq!(ok("has space"), None);
        assert_eq!(ok("<script>"), None);
        assert_eq!(ok(&"a".repeat(129)), None);
        assert!(ok(&"a".repeat(128)).is_some());
    }
}
