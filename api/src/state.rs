//! What every handler can reach: the database, the clock, the keys and the settings.

use std::sync::Arc;

use domain::clock::Clock;
use persistence::Db;

use crate::keys::SigningKey;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub signing_key: Arc<SigningKey>,
    pub settings: Arc<Settings>,
}

/// Run-time settings the handlers need (the rest of the configuration stays in `main`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The base URL that links in emails point at.
    pub public_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            body_limit: crate::extract::DEFAULT_BODY_LIMIT,
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}
