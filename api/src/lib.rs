//! Partner Hub's HTTP API.

pub mod app;
pub mod auth;
pub mod config;
pub mod customer_record;
pub mod demo;
pub mod error;
pub mod extract;
pub mod features;
pub mod floor;
pub mod images;
pub mod json_time;
pub mod json_writer;
pub mod keys;
pub mod mailer;
pub mod middleware;
pub mod openapi;
pub mod paging;
pub mod rate_limit;
pub mod rendered;
pub mod request_id;
pub mod state;
pub mod streaming;
pub mod telemetry;
pub mod upload;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use domain::clock::SystemClock;
use persistence::{Db, PoolOptions};

use crate::config::Config;
use crate::keys::SigningKey;
use crate::state::AppState;
use services::identity::secrets::Keys;

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
        persistence::users::any_sealed_secret(conn).map_err(persistence::DbError::from)
    })?;
    let key = match (SigningKey::load(path)?, &sealed) {
        (Some(key), _) => key,
        (None, None) => SigningKey::create(path)?,
        (None, Some(_)) => {
            return Err(StartError::KeyMissing {
                path: path.display().to_string(),
            });
        }
    };
    let keys = Keys::derive(key.as_bytes());
    if sealed.is_some_and(|sealed| keys.open(&sealed).is_err()) {
        return Err(StartError::KeyMismatch {
            path: path.display().to_string(),
        });
    }
    Ok(keys)
}

/// `partner-hub serve`: migrate, then serve until SIGINT or SIGTERM (graceful: in-flight
/// requests finish).
pub async fn serve(config: Config) -> Result<(), StartError> {
    let db = open_database(&config)?;
    let keys = signing_keys(&db, &config.signing_key_file)?;
    let state = AppState {
        db,
        clock: Arc::new(SystemClock),
        keys: Arc::new(keys),
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
        transport,
        from,
    };
    actix_web::rt::spawn(outbox.run(std::time::Duration::from_secs(2)));
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
    let now = domain::clock::Clock::now(&SystemClock);
    invite_platform_admin(&db, &config.settings(), now, invitee)
        .map_err(|e| CliError::Invalid(e.to_string()))
}

/// Invites a platform admin; returns the invitation link.
pub fn invite_platform_admin(
    db: &Db,
    settings: &state::Settings,
    now: chrono::DateTime<chrono::Utc>,
    invitee: services::users::onboarding::Invitee,
) -> Result<String, services::ServiceError> {
    let meta = services::RequestMeta::default();
    let by = services::audit::By::anonymous(&meta, now);
    db.transaction(|conn| services::users::onboarding::invite(conn, settings, by, invitee.clone()))
        .map(|invited| invited.link)
}

/// `partner-hub demo`: generates the demo dataset into the configured database.
pub fn generate_demo(
    config: &Config,
    options: &demo::DemoOptions,
) -> Result<demo::DemoReport, CliError> {
    let db = open_database(config)?;
    let now = domain::clock::Clock::now(&SystemClock);
    demo::generate(&db, &config.settings(), options, now)
        .map_err(|e| CliError::Invalid(format!("{e}")))
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Invalid(String),
}
