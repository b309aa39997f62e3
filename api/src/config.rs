//! Every setting, from a command-line flag or a `PH_*` environment variable, with defaults that
//! just work on a fresh clone.

use std::net::SocketAddr;
use std::path::PathBuf;

use persistence::{DatabaseUrl, DbError};

use crate::state::Settings;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/partner-hub.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database: postgres://… for PostgreSQL, sqlite://PATH or a plain path for SQLite.
    /// Falls back to DATABASE_URL, then to an SQLite file under ./data/.
    #[arg(long, env = "PH_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address and port to listen on.
    #[arg(long, env = "PH_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,

    /// Worker threads serving HTTP (default: one per core).
    #[arg(long, env = "PH_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Database connections in the pool, and threads for database work (default: two per
    /// core, at least 4 — raise it for a PostgreSQL across a network).
    #[arg(long, env = "PH_DB_POOL_SIZE", global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub db_pool_size: Option<u32>,

    /// Exports (of the listing, of the audit trail) running at once in all, each holding a
    /// connection while it runs; more are answered 429 `too_many_exports` (default: a quarter
    /// of the pool, at least one; never the pool's last connection).
    #[arg(long, env = "PH_EXPORTS_AT_ONCE", global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub exports_at_once: Option<u32>,

    /// File holding the token-signing key; generated (mode 0600) on first start if absent.
    #[arg(
        long,
        env = "PH_SIGNING_KEY_FILE",
        default_value = "data/signing.key",
        global = true
    )]
    pub signing_key_file: PathBuf,

    /// SMTP server for outgoing email, e.g. smtp://localhost:1025 or smtps://user:pass@host.
    /// Unset: emails are written as files under --mail-dir.
    #[arg(long, env = "PH_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Folder for outgoing email as `.eml` files when no SMTP URL is set.
    #[arg(long, env = "PH_MAIL_DIR", default_value = "data/mail", global = true)]
    pub mail_dir: PathBuf,

    /// Sender of outgoing email.
    #[arg(long, env = "PH_MAIL_FROM", default_value = crate::mailer::DEFAULT_FROM, global = true)]
    pub mail_from: String,

    /// Base URL that links in emails point at (default: http:// + the bind address).
    #[arg(long, env = "PH_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PH_BODY_LIMIT", default_value_t = crate::extract::DEFAULT_BODY_LIMIT, global = true)]
    pub body_limit: usize,

    /// How long an invitation link stays valid, in hours.
    #[arg(
        long,
        env = "PH_INVITATION_TTL_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub invitation_ttl_hours: u32,

    /// How long a session lasts before its user must log in again, in hours.
    #[arg(
        long,
        env = "PH_SESSION_TTL_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_ttl_hours: u32,

    /// Failed logins in a row that lock a user out.
    #[arg(long, env = "PH_LOCKOUT_AFTER", default_value_t = 10, global = true)]
    pub lockout_after: u32,

    /// How long a locked-out user waits, in minutes.
    #[arg(long, env = "PH_LOCKOUT_MINUTES", default_value_t = 15, global = true)]
    pub lockout_minutes: u32,

    /// Requests per client address and minute to login, refresh, password reset and
    /// invitation links (0 turns the limit off, e.g. for load tests).
    #[arg(
        long,
        env = "PH_AUTH_RATE_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub auth_rate_per_minute: u32,

    /// Minutes after which switching into a customer asks for a fresh authenticator code.
    #[arg(
        long,
        env = "PH_SWITCH_REAUTH_MINUTES",
        default_value_t = 15,
        global = true
    )]
    pub switch_reauth_minutes: u32,

    /// Log format.
    #[arg(long, env = "PH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Log filter, in tracing's EnvFilter syntax (e.g. `info,api=debug`).
    #[arg(long, env = "PH_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl Config {
    pub fn database_url(&self) -> Result<DatabaseUrl, DbError> {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
            .parse()
    }

    /// The database pool's size. The work behind it is CPU-bound (SQLite in the process, or a
    /// PostgreSQL on the same host), so more connections than cores to run them only add
    /// switching: two per core served the listing faster, with a shorter tail, than 16.
    pub fn pool_size(&self) -> u32 {
        self.db_pool_size.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(2, usize::from);
            u32::try_from(2 * cores).unwrap_or(u32::MAX).max(4)
        })
    }

    /// Exports at once: as configured (a quarter of the pool by default), but never the last
    /// connection of the pool while it has more than one.
    pub fn exports_at_once(&self) -> u32 {
        let pool = self.pool_size();
        let wanted = self.exports_at_once.unwrap_or(pool / 4);
        wanted.min(pool.saturating_sub(1)).max(1)
    }

    pub fn settings(&self) -> Settings {
        Settings {
            body_limit: self.body_limit,
            auth_rate_per_minute: self.auth_rate_per_minute,
            blocking_threads: usize::try_from(self.pool_size()).unwrap_or(4),
            exports_at_once: usize::try_from(self.exports_at_once()).unwrap_or(1),
            rules: services::Settings {
                public_url: self
                    .public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", self.bind))
                    .trim_end_matches('/')
                    .to_owned(),
                invitation_ttl: chrono::Duration::hours(self.invitation_ttl_hours.into()),
                session_ttl: chrono::Duration::hours(self.session_ttl_hours.into()),
                lockout_after: self.lockout_after.max(1),
                lockout_for: chrono::Duration::minutes(self.lockout_minutes.into()),
                switch_reauth_after: chrono::Duration::minutes(self.switch_reauth_minutes.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn config(args: &[&str]) -> Config {
        Cli::parse_from(std::iter::once("partner-hub").chain(args.iter().copied())).config
    }

    #[test]
    fn exports_never_take_the_pools_last_connection() {
        let at_once = |args: &[&str]| config(args).exports_at_once();
        assert_eq!(at_once(&["--db-pool-size", "8"]), 2, "a quarter by default");
        assert_eq!(at_once(&["--db-pool-size", "4"]), 1);
        assert_eq!(
            at_once(&["--db-pool-size", "4", "--exports-at-once", "4"]),
            3
        );
        assert_eq!(
            at_once(&["--db-pool-size", "1", "--exports-at-once", "3"]),
            1
        );
    }
}
