//! What every handler can reach: the database, the clock, the keys and the settings.

use std::sync::Arc;

use domain::clock::Clock;
use persistence::Db;

use crate::auth::secrets::Keys;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    pub settings: Arc<Settings>,
}

/// Run-time settings the handlers need (the rest of the configuration stays in `main`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The base URL that links in emails point at.
    pub public_url: String,
    /// How long an invitation link stays valid.
    pub invitation_ttl: chrono::Duration,
    /// How long a session lasts before its user must log in again (refreshing does not extend it).
    pub session_ttl: chrono::Duration,
    /// Failed logins in a row that lock a user out, and for how long.
    pub lockout_after: u32,
    pub lockout_for: chrono::Duration,
    /// Requests per client address and minute to the endpoints that take secrets; 0 = no limit.
    pub auth_rate_per_minute: u32,
    /// A switch into a customer needs a fresh authenticator code once the session last
    /// authenticated longer ago than this.
    pub switch_reauth_after: chrono::Duration,
    /// Threads for blocking work (database calls) over all HTTP workers: as many as the pool
    /// has connections, since one more would only wait for a connection. Actix's default, 512
    /// per worker, let a burst spawn dozens of threads, each with its own allocator cache.
    pub blocking_threads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            body_limit: crate::extract::DEFAULT_BODY_LIMIT,
            public_url: "http://127.0.0.1:8080".to_owned(),
            invitation_ttl: chrono::Duration::days(7),
            session_ttl: chrono::Duration::hours(12),
            lockout_after: 10,
            lockout_for: chrono::Duration::minutes(15),
            auth_rate_per_minute: 30,
            switch_reauth_after: domain::access::DEFAULT_SWITCH_REAUTH_AFTER,
            blocking_threads: 16,
        }
    }
}
