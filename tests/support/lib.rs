//! Test support: the real app on a free port over a fresh database of the backend under test.
//!
//! The backend is chosen by `DATABASE_URL`: unset (or an SQLite path) → a temporary SQLite file
//! per test; `postgres://…` → a fresh database per test on that server, dropped afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod database;
pub mod identity;
pub mod probes;
pub mod smtp;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use api::routes::Routes;
use api::state::{AppState, Settings};
use chrono::{TimeZone, Utc};
use domain::clock::ManualClock;
use persistence::Db;
use services::identity::keyring::Keys;

pub use database::TestDatabase;

pub struct TestApp {
    /// e.g. `http://127.0.0.1:41234`
    pub address: String,
    pub client: reqwest::Client,
    /// The app's clock: tests move it instead of sleeping.
    pub clock: Arc<ManualClock>,
    pub db: Db,
    pub database: TestDatabase,
    pub settings: Arc<Settings>,
    /// The keys the app signs and seals with.
    pub keys: Arc<Keys>,
    /// The app's export lane: a test can take its places.
    pub exports: Arc<services::lane::Lane>,
    server: ServerHandle,
}

impl TestApp {
    /// The real API.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(api::features::configure, Self::settings()).await
    }

    /// The default settings, but for a rate limit that a test's own logins never reach.
    pub fn settings() -> Settings {
        Settings {
            auth_rate_per_minute: 10_000,
            ..Settings::default()
        }
    }

    /// The real API plus the test probes (routes that fail on purpose).
    pub async fn spawn_with_probes() -> TestApp {
        Self::spawn_with(probes::configure, Self::settings()).await
    }

    pub async fn spawn_with(routes: Routes, settings: Settings) -> TestApp {
        let keys = Keys::derive(&uuid::Uuid::new_v4().into_bytes());
        Self::spawn_with_keys(routes, settings, keys).await
    }

    /// The app signing and sealing with `keys` (a ring read from a key file, say).
    pub async fn spawn_with_keys(routes: Routes, settings: Settings, keys: Keys) -> TestApp {
        let database = TestDatabase::create();
        let db = database.connect();
        db.migrate().expect("migrations apply");
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap(),
        ));
        let exports = services::lane::Lane::new(settings.exports_at_once);
        let settings = Arc::new(settings);
        let keys = Arc::new(keys);
        let state = AppState {
            db: db.clone(),
            clock: clock.clone(),
            keys: keys.clone(),
            exports: exports.clone(),
            settings: settings.clone(),
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let server = api::app::start_with_routes(state, listener, 2, routes).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            address,
            client,
            clock,
            db,
            database,
            settings,
            keys,
            exports,
            server: handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

/// Reads a problem document, checking the content type that says it is one.
/// A valid 1×1 PNG, for the upload routes.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

pub async fn problem(response: reqwest::Response) -> serde_json::Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    response.json().await.unwrap()
}

/// A problem response's status and `code`.
pub async fn code_of(response: reqwest::Response) -> (reqwest::StatusCode, String) {
    let status = response.status();
    let body = problem(response).await;
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}
