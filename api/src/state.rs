//! What every handler can reach: the database, the clock, the keys and the settings.

use std::sync::Arc;

use actix_web::web;
use domain::clock::Clock;
use persistence::{Db, DbConnection};
use services::identity::keyring::Keys;
use services::lane::Lane;

use crate::error::ApiError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<Keys>,
    pub settings: Arc<Settings>,
    /// Where exports run, a few at a time (`services::lane`).
    pub exports: Arc<Lane>,
}

/// Run-time settings: the HTTP adapter's own, and (through `Deref`) the ones the use cases need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Requests per client address and minute to the endpoints that take secrets; 0 = no limit.
    pub auth_rate_per_minute: u32,
    /// Threads for blocking work (database calls) over all HTTP workers: as many as the pool
    /// has connections, since one more would only wait for a connection (actix's default, 512
    /// per worker, lets a burst spawn dozens of threads, each with its own allocator cache).
    pub blocking_threads: usize,
    /// Exports running at once in all.
    pub exports_at_once: usize,
    /// Links in emails, lifetimes, lockouts.
    pub rules: services::Settings,
}

impl std::ops::Deref for Settings {
    type Target = services::Settings;

    fn deref(&self) -> &services::Settings {
        &self.rules
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            body_limit: crate::extract::DEFAULT_BODY_LIMIT,
            auth_rate_per_minute: 30,
            blocking_threads: 16,
            exports_at_once: 2,
            rules: services::Settings::default(),
        }
    }
}

impl AppState {
    /// Runs `work` in one transaction ([`persistence::Db::transaction`]) on the blocking pool:
    /// diesel is synchronous, and a query must never run on the async executor. `work` may run
    /// more than once (a serialization failure on PostgreSQL runs it again).
    pub async fn transaction<T, E, F>(&self, mut work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: persistence::TransactionError + Send + 'static,
        ApiError: From<E>,
        F: FnMut(&AppState, &mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let state = self.clone();
        let outcome = web::block(move || state.db.transaction(|conn| work(&state, conn))).await?;
        Ok(outcome?)
    }

    /// [`AppState::transaction`] for work that changes one hot row, named by `hot`
    /// ([`persistence::Db::transaction_queued`]): such work waits for its turn on PostgreSQL
    /// instead of failing and running again.
    pub async fn transaction_queued<T, E, F>(&self, hot: String, mut work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: persistence::TransactionError + Send + 'static,
        ApiError: From<E>,
        F: FnMut(&AppState, &mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let state = self.clone();
        let outcome =
            web::block(move || state.db.transaction_queued(&hot, |conn| work(&state, conn)))
                .await?;
        Ok(outcome?)
    }

    /// Runs read-only `work` on a pooled connection, on the blocking pool.
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: From<persistence::DbError> + Send + 'static,
        ApiError: From<E>,
        F: FnOnce(&AppState, &mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let state = self.clone();
        let outcome = web::block(move || state.db.read(|conn| work(&state, conn))).await?;
        Ok(outcome?)
    }
}
