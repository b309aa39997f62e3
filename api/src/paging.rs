//! Keyset pages: a page carries an opaque cursor naming its last row's sort key; the next page
//! starts after it. Never OFFSET.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u16 = 50;
pub const MAX_LIMIT: u16 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u16>,
}

impl PageQuery {
    /// The page size; outside 1–200 is a 400 (the spec says so, and silently clamping would
    /// answer a different question than the one asked).
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit.unwrap_or(DEFAULT_LIMIT) {
            limit @ 1..=MAX_LIMIT => Ok(i64::from(limit)),
            other => Err(ApiError::InvalidQuery(format!(
                "`limit` must be 1 to {MAX_LIMIT}, not {other}"
            ))),
        }
    }

    /// The (name, id) key the page starts after.
    pub fn after(&self) -> Result<Option<(String, String)>, ApiError> {
        self.after
            .as_deref()
            .filter(|cursor| !cursor.is_empty())
            .map(decode)
            .transpose()
    }
}

pub fn encode(name: &str, id: &str) -> String {
    encode_value(&serde_json::json!([name, id]))
}

/// Any JSON value as an opaque cursor.
pub fn encode_value(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The value of a cursor made by [`encode_value`], of the shape `T`.
pub fn decode_value<T: serde::de::DeserializeOwned>(cursor: &str) -> Result<T, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<T>(&bytes).ok())
        .ok_or_else(not_a_cursor)
}

pub fn not_a_cursor() -> ApiError {
    ApiError::InvalidQuery("`after` is not a cursor this API issued for this listing".into())
}

fn decode(cursor: &str) -> Result<(String, String), ApiError> {
    decode_value(cursor)
}

/// Cuts `rows` (fetched with `limit + 1`) down to the page; the last row of the page, when
/// another page follows, is where the next cursor points.
pub fn last_of_page<T>(rows: &mut Vec<T>, limit: i64) -> Option<&T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last()
}

/// Splits `rows` (fetched with `limit + 1`) into the page and the cursor of the next one.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> (&str, &str),
) -> (Vec<T>, Option<String>) {
    let next = last_of_page(&mut rows, limit).map(|row| {
        let (name, id) = key(row);
        encode(name, id)
    });
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursors_round_trip(key in "\\PC{0,30}", id in "\\PC{0,30}") {
            let cursor = encode(&key, &id);
            let query = PageQuery { after: Some(cursor), limit: None };
            prop_assert_eq!(query.after().unwrap(), Some((key, id)));
        }

        #[test]
        fn any_text_is_refused_or_read_never_a_panic(text in "\\PC{0,60}") {
            let query = PageQuery { after: Some(text), limit: Some(0) };
            let _ = query.after();
            prop_assert!(query.limit().is_err());
        }
    }
}
