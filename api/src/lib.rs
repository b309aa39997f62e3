//! Partner Hub's HTTP API.

pub mod account_users;
pub mod app;
pub mod audit_chain;
pub mod auth;
pub mod config;
pub mod customer_record;
pub mod demo;
pub mod error;
pub mod extract;
pub mod features;
pub mod floor;
pub mod json_time;
pub mod json_writer;
pub mod keys;
pub mod mailer;
pub mod middleware;
pub mod nul;
pub mod openapi;
pub mod paging;
pub mod rate_limit;
pub mod rendered;
pub mod request_id;
pub mod routes;
pub mod security_headers;
pub mod state;
pub mod streaming;
pub mod telemetry;
pub mod upload;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::clock::SystemClock;
use persistence::{Db, PoolOptions};

use crate::config::Config;
use crate::state::AppState;
use services::identity::keyring::Keys;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] persistence::DbError),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error(
        "the signing key in {path} cannot open the secrets sealed in this database: start with \
         the key file the database's secrets were sealed with"
    )]
    KeyMismatch { path: String },
    #[error(
        "the signing key file {path} does not exist, but this database holds secrets sealed \
         with a key: start with the key file they were sealed with"
    )]
    KeyMissing { path: String },
    #[error("keys: {0}")]
    Keys(String),
    #[error("could not listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Server(std::io::Error),
    #[error("email: {0}")]
    Mail(String),
}

/// Opens the database and applies pending migrations.
pub fn open_database(config: &Config) -> Result<Db, StartError> {
    let url = config.database_url()?;
    tracing::info!(database = %url.redacted(), "opening the database");
    let db = Db::connect(
        &url,
        PoolOptions {
            max_size: config.pool_size(),
            ..PoolOptions::default()
        },
    )?;
    let applied = db.migrate()?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(db)
}

/// The keys to serve `db` with, from the key file at `path`. A server started with another key
/// than its data was sealed with would answer every two-factor login with a 500, so it refuses
/// to start instead; and a missing file becomes a new key only while nothing is sealed yet (a
/// new key written beside such a database would only have to be thrown away).
pub fn signing_keys(db: &Db, path: &Path) -> Result<Keys, StartError> {
    let sealed = db.read(|conn| {
        let secret = persistence::users::any_sealed_secret(conn)?;
        let body = || persistence::outbox::any_sealed_body(conn);
        secret
            .map_or_else(body, |s| Ok(Some(s)))
            .map_err(persistence::DbError::from)
    })?;
    let now = domain::clock::Clock::now(&SystemClock);
    let entries = match (keys::load(path)?, &sealed) {
        (Some(entries), _) => entries,
        (None, None) => keys::create(path, now)?,
        (None, Some(_)) => {
            return Err(StartError::KeyMissing {
                path: path.display().to_string(),
            });
        }
    };
    let keys = key_ring(path, &entries)?;
    if sealed.is_some_and(|sealed| keys.open(&sealed).is_err()) {
        return Err(StartError::KeyMismatch {
            path: path.display().to_string(),
        });
    }
    Ok(keys)
}

/// The ring of `entries`, read again from `path` when it meets a key it does not hold.
pub fn key_ring(path: &Path, entries: &[keys::Entry]) -> Result<Keys, StartError> {
    let path = path.to_owned();
    let read_at = std::sync::Mutex::new(keys::modified(&path));
    let reload: services::identity::keyring::Reload = Box::new(move || {
        let modified = keys::modified(&path);
        let mut last = read_at
            .lock()
            .map_err(|_| "the key file's lock is poisoned")?;
        if modified.is_some() && modified == *last {
            return Ok(None);
        }
        let entries = keys::load(&path)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{} is gone", path.display()))?;
        *last = modified;
        Ok(Some(keys::masters(&entries)))
    });
    Keys::ring(&keys::masters(entries), Some(reload)).map_err(|e| StartError::Keys(e.to_string()))
}

/// What `partner-hub keys rotate` did.
#[derive(Debug, serde::Serialize)]
pub struct Rotation {
    /// The id of the key that now signs and seals.
    pub current: String,
    /// The ids of the keys in the file, oldest first.
    pub keys: Vec<String>,
    /// Values sealed again with the current key.
    pub resealed: usize,
    /// The ids of the keys taken out of the file: every token they signed has expired, and no
    /// value is sealed with them any more.
    pub retired: Vec<String>,
}

/// `partner-hub keys rotate`: adds a new key to the file at `path` (written first, so that
/// every server finds it), seals every sealed value again with it in one transaction, then
/// retires the keys whose successor has been current for longer than an access token lives
/// (plus the minute a server takes to read the file again).
pub fn rotate_keys(db: &Db, path: &Path, now: DateTime<Utc>) -> Result<Rotation, CliError> {
    let mut entries = keys::load(path)?.ok_or_else(|| StartError::KeyMissing {
        path: path.display().to_string(),
    })?;
    entries.push(keys::Entry::generate(now)?);
    keys::store(path, &entries)?;
    let ring = key_ring(path, &entries)?;
    let meta = services::RequestMeta::default();
    let resealed = db
        .transaction(|conn| services::identity::rotation::reseal(conn, &ring, &meta, now))
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    // A key retires once the key after it has been current since before the cutoff.
    let cutoff = now - services::identity::jwt::ACCESS_TOKEN_TTL - KEY_REFRESH_AFTER;
    let retires: Vec<bool> = (0..entries.len())
        .map(|i| {
            let successor = entries.get(i + 1).and_then(|next| next.added_at);
            successor.is_some_and(|at| at <= cutoff)
        })
        .collect();
    let (retired, kept): (Vec<_>, Vec<_>) = entries.into_iter().zip(retires).partition(|(_, r)| *r);
    let id = |(entry, _): &(keys::Entry, bool)| services::identity::keyring::id_of(&entry.key);
    let kept_entries: Vec<keys::Entry> = kept.iter().map(|(entry, _)| entry.clone()).collect();
    keys::store(path, &kept_entries)?;
    Ok(Rotation {
        current: ring.current_id(),
        keys: kept.iter().map(id).collect(),
        resealed,
        retired: retired.iter().map(id).collect(),
    })
}

/// How often a server reads its key file again.
pub const KEY_REFRESH_AFTER: chrono::Duration = chrono::Duration::minutes(1);

/// `partner-hub serve`: migrate, then serve until SIGINT or SIGTERM (graceful: in-flight
/// requests finish).
pub async fn serve(config: Config) -> Result<(), StartError> {
    let db = open_database(&config)?;
    let keys = signing_keys(&db, &config.signing_key_file)?;
    let state = AppState {
        db,
        clock: Arc::new(SystemClock),
        keys: Arc::new(keys),
        exports: services::lane::Lane::new(config.settings().exports_at_once),
        settings: Arc::new(config.settings()),
    };
    let transport = mailer::Transport::new(config.smtp_url.as_deref(), config.mail_dir.clone())
        .map_err(StartError::Mail)?;
    let from = config
        .mail_from
        .parse()
        .map_err(|e| StartError::Mail(format!("invalid --mail-from: {e}")))?;
    tracing::info!(transport = %transport.describe(), "delivering email");
    let outbox = mailer::Mailer {
        db: state.db.clone(),
        clock: state.clock.clone(),
        keys: state.keys.clone(),
        transport,
        from,
    };
    actix_web::rt::spawn(outbox.run(std::time::Duration::from_secs(2)));
    let refreshed = state.keys.clone();
    actix_web::rt::spawn(async move {
        let every = KEY_REFRESH_AFTER
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(60));
        loop {
            actix_web::rt::time::sleep(every).await;
            refreshed.refresh();
        }
    });
    actix_web::rt::spawn(audit_chain::run(state.db.clone(), audit_chain::EVERY));
    let listener = TcpListener::bind(config.bind).map_err(|source| StartError::Listen {
        address: config.bind,
        source,
    })?;
    let workers = config
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let server = app::start(state, listener, workers).map_err(StartError::Server)?;
    tracing::info!(
        "Partner Hub listening on http://{} — Swagger UI: http://{}{}",
        config.bind,
        config.bind,
        app::SWAGGER_UI
    );
    server.await.map_err(StartError::Server)
}

/// `partner-hub create-platform-admin`: invites a platform admin and returns the invitation
/// link (also queued as an email). The only way to create the first account.
pub fn create_platform_admin(
    config: &Config,
    email: &str,
    name: Option<&str>,
    logon: Option<&str>,
) -> Result<String, CliError> {
    let invitee = services::users::onboarding::Invitee::platform_admin(email, name, logon)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let db = open_database(config)?;
    let keys = signing_keys(&db, &config.signing_key_file)?;
    let now = domain::clock::Clock::now(&SystemClock);
    invite_platform_admin(&db, &config.settings(), &keys, now, invitee)
        .map_err(|e| CliError::Invalid(e.to_string()))
}

/// Invites a platform admin; returns the invitation link.
pub fn invite_platform_admin(
    db: &Db,
    settings: &state::Settings,
    keys: &Keys,
    now: chrono::DateTime<chrono::Utc>,
    invitee: services::users::onboarding::Invitee,
) -> Result<String, services::ServiceError> {
    let meta = services::RequestMeta::default();
    let by = services::audit::By::anonymous(&meta, now);
    db.transaction(|conn| {
        services::users::onboarding::invite(conn, settings, keys, by, invitee.clone())
    })
    .map(|invited| invited.link)
}

/// `partner-hub audit verify`: walks the audit trail's hash chain.
pub fn verify_audit(config: &Config) -> Result<services::audit::chain::Verdict, CliError> {
    let db = open_database(config)?;
    db.read(services::audit::chain::verify)
        .map_err(|e| CliError::Invalid(e.to_string()))
}

/// `partner-hub demo`: generates the demo dataset into the configured database.
pub fn generate_demo(
    config: &Config,
    options: &demo::DemoOptions,
) -> Result<demo::DemoReport, CliError> {
    let db = open_database(config)?;
    let keys = signing_keys(&db, &config.signing_key_file)?;
    let now = domain::clock::Clock::now(&SystemClock);
    demo::generate(&db, &config.settings(), &keys, options, now)
        .map_err(|e| CliError::Invalid(format!("{e}")))
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("{0}")]
    Invalid(String),
}
