//! Partner Hub's HTTP API.

pub mod app;
pub mod config;
pub mod error;
pub mod extract;
pub mod keys;
pub mod middleware;
pub mod openapi;
pub mod request_id;
pub mod routes;
pub mod state;
pub mod telemetry;

use std::net::TcpListener;
use std::sync::Arc;

use domain::clock::SystemClock;
use persistence::{Db, PoolOptions};

use crate::config::Config;
use crate::keys::SigningKey;
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] persistence::DbError),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("could not listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Server(std::io::Error),
}

/// Opens the database and applies pending migrations.
pub fn open_database(config: &Config) -> Result<Db, StartError> {
    let url = config.database_url()?;
    tracing::info!(database = %url.redacted(), "opening the database");
    let db = Db::connect(
        &url,
        PoolOptions {
            max_size: config.db_pool_size,
            ..PoolOptions::default()
        },
    )?;
    let applied = db.migrate()?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(db)
}

/// `partner-hub serve`: migrate, then serve until SIGINT or SIGTERM (graceful: in-flight
/// requests finish).
pub async fn serve(config: Config) -> Result<(), StartError> {
    let db = open_database(&config)?;
    let signing_key = SigningKey::load_or_create(&config.signing_key_file)?;
    let state = AppState {
        db,
        clock: Arc::new(SystemClock),
        signing_key: Arc::new(signing_key),
        settings: Arc::new(config.settings()),
    };
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
