//! `partner-hub floor`: the Performance issue's F1 — the listing's database work in a tight
//! loop, without HTTP: what a `GET /customers` request costs at the least. Each round checks the
//! bearer token and its session, user and account (as every request does) and reads the page
//! (status filter, sorted by name, 50 rows and `can_access`) exactly as the listing route does.
//! `make bench` compares the server's CPU per listing request with this figure.

use std::time::{Duration, Instant};

use domain::clock::{Clock, SystemClock};
use domain::customer::CustomerStatus;
use persistence::customer_listing::{self, Column, Filter, Sort, Value, Viewer};
use serde::Serialize;

use crate::config::Config;
use crate::error::ApiError;
use crate::{CliError, open_database};
use services::identity::jwt;
use services::identity::session::live_actor;
use services::tenancy::listing_scope;

/// What the loop measured.
#[derive(Debug, Serialize)]
pub struct Floor {
    pub rounds: u64,
    /// This process's CPU time (user + system) per round, in microseconds.
    pub cpu_us_per_round: f64,
    /// Elapsed time per round (on PostgreSQL it includes waiting for the server).
    pub wall_us_per_round: f64,
}

/// Runs rounds for `seconds` as the holder of `token`.
pub fn run(config: &Config, token: &str, seconds: u64) -> Result<Floor, CliError> {
    let db = open_database(config)?;
    let keys = crate::signing_keys(&db, &config.signing_key_file)?;
    let invalid = |e: ApiError| CliError::Invalid(e.to_string());
    let filters = [Filter::OneOf(
        Column::Status,
        vec![Value::Int(CustomerStatus::Onboarding.rank())],
    )];
    let sort = Sort::by(Column::Name, false);
    let until = Duration::from_secs(seconds);
    let (cpu_before, started) = (cpu_time(), Instant::now());
    let mut rounds = 0u64;
    while started.elapsed() < until {
        let now = SystemClock.now();
        db.read(|conn| {
            let claims = jwt::verify(&keys, token, now).ok_or_else(ApiError::unauthenticated)?;
            let actor = live_actor(conn, &claims, now)?;
            let scope = listing_scope(conn, &actor)?;
            let viewer = Viewer {
                user_id: actor.user_id.clone(),
                now: persistence::time::to_db(now),
            };
            let rows =
                customer_listing::page_seen_by(conn, &viewer, &scope, &filters, sort, None, 51)?;
            std::hint::black_box(rows);
            Ok::<_, ApiError>(())
        })
        .map_err(invalid)?;
        rounds += 1;
    }
    let (cpu, wall) = (cpu_time() - cpu_before, started.elapsed());
    let per_round = |d: Duration| d.as_secs_f64() * 1e6 / rounds.max(1) as f64;
    Ok(Floor {
        rounds,
        cpu_us_per_round: per_round(cpu),
        wall_us_per_round: per_round(wall),
    })
}

/// This process's CPU time so far, from `/proc/self/stat` (Linux; clock ticks of 10 ms, so a
/// run of seconds measures to a fraction of a per cent).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}
