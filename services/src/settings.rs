//! The settings the rules depend on (links in emails, lifetimes, lockouts); the HTTP adapter's
//! own settings stay in `api`.

#[derive(Clone, Debug)]
pub struct Settings {
    /// The base URL that links in emails point at.
    pub public_url: String,
    /// How long an invitation link stays valid.
    pub invitation_ttl: chrono::Duration,
    /// How long a session lasts before its user must log in again (refreshing does not extend it).
    pub session_ttl: chrono::Duration,
    /// Failed logins in a row that lock a user out, and for how long.
    pub lockout_after: u32,
    pub lockout_for: chrono::Duration,
    /// A switch into a customer needs a fresh authenticator code once the session last
    /// authenticated longer ago than this.
    pub switch_reauth_after: chrono::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".to_owned(),
            invitation_ttl: chrono::Duration::days(7),
            session_ttl: chrono::Duration::hours(12),
            lockout_after: 10,
            lockout_for: chrono::Duration::minutes(15),
            switch_reauth_after: domain::access::DEFAULT_SWITCH_REAUTH_AFTER,
        }
    }
}
