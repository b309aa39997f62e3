//! The one way to the database: a pool over SQLite or PostgreSQL, picked by the URL's scheme,
//! with the migrations of both dialects embedded and the transactions every change runs in.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::R2D2Connection;
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

mod sqlite;
use sqlite::{Checkpointer, SQLITE_PRAGMAS, Writer};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Rows per multi-row INSERT: tables have at most 64 columns here (diesel's feature), so a
/// statement binds at most 25 600 values, within SQLite's 32 766 and PostgreSQL's 65 535.
pub const ROWS_PER_INSERT: usize = 400;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL `{0}`: use postgres://…, sqlite://PATH or a file path")]
    InvalidUrl(String),
    #[error("could not prepare the database file: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not connect to the database: {0}")]
    Connect(#[from] ConnectionError),
    /// Every connection stayed busy for the whole checkout timeout.
    #[error("no database connection became free in time: {0}")]
    Unavailable(#[from] r2d2::Error),
    /// Other writers held SQLite's write lock for the whole checkout timeout.
    #[error("the database stayed busy with other writes")]
    WriterBusy,
    /// The group of SQLite transactions this one was committed with failed to commit.
    #[error("the write could not be committed: {0}")]
    GroupFailed(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl DbError {
    /// Whether the database could not be reached or dropped the connection mid-way: worth a
    /// retry shortly, unlike a query that failed on its own.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            DbError::Unavailable(_)
            | DbError::Connect(_)
            | DbError::WriterBusy
            | DbError::GroupFailed(_) => true,
            DbError::Query(Error::DatabaseError(kind, _)) => matches!(
                kind,
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
            ),
            _ => false,
        }
    }
}

/// Where the data lives: the backend is decided once, here, from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = DbError;

    fn from_str(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        // A file path, never another scheme, and never `:memory:`: each pooled connection
        // would see a database of its own.
        if path.is_empty() || path.contains("://") || path.starts_with(":memory:") {
            return Err(DbError::InvalidUrl(url.to_owned()));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }
}

impl DatabaseUrl {
    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// Opens one connection, ready for use (SQLite pragmas applied).
    pub fn establish(&self) -> Result<DbConnection, DbError> {
        match self {
            DatabaseUrl::Postgres(url) => Ok(DbConnection::Postgres(PgConnection::establish(url)?)),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    DbError::InvalidUrl(format!("{} (not UTF-8)", path.display()))
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    /// The same URL with the password hidden, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => redact_password(url),
        }
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

/// How long a PostgreSQL connection that last finished its work without an error is trusted
/// without a ping: under load every checkout falls within it (a ping per checkout was half of a
/// listing request's round trips), while a connection that sat idle — through a database restart,
/// say — is pinged, and dropped if it no longer answers.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A pooled connection, and when it last finished work without an error.
pub struct Pooled {
    conn: DbConnection,
    answered_at: Option<Instant>,
}

impl Pooled {
    /// Runs `work`, remembering whether the connection came out of it answering. After an error
    /// (whatever its cause: the work's own "not found" too) the next checkout pings it; a
    /// connection that died mid-query is also marked broken by diesel and dropped on return.
    fn run<T, E>(&mut self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E> {
        self.answered_at = None;
        let outcome = work(&mut self.conn);
        if outcome.is_ok() {
            self.answered_at = Some(Instant::now());
        }
        outcome
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = DbError;

    fn connect(&self) -> Result<Pooled, DbError> {
        Ok(Pooled {
            conn: self.url.establish()?,
            answered_at: None,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), DbError> {
        match &mut pooled.conn {
            // A file does not hang up: the ping would only prepare `SELECT 1` on every checkout.
            DbConnection::Sqlite(_) => Ok(()),
            DbConnection::Postgres(_)
                if pooled
                    .answered_at
                    .is_some_and(|at| at.elapsed() < TRUSTED_FOR) =>
            {
                Ok(())
            }
            conn => Ok(conn.ping()?),
        }
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        // A connection left inside a transaction (a panic mid-way) must never be reused.
        std::thread::panicking() || pooled.conn.is_broken()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long an operation waits for a pooled connection, and on SQLite for a writer's turn.
    pub checkout_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 16,
            checkout_timeout: Duration::from_secs(5),
        }
    }
}

/// The pool. Cheap to clone; every query goes through [`Db::read`] or [`Db::transaction`].
#[derive(Clone)]
pub struct Db {
    // Dropped before the checkpointer, whose final checkpoint wants the pool's connections closed.
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite only.
    writer: Option<std::sync::Arc<Writer>>,
    _checkpointer: Option<std::sync::Arc<Checkpointer>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    /// Opens the pool, creating the SQLite file (and its folder) on first use.
    pub fn connect(url: &DatabaseUrl, options: PoolOptions) -> Result<Db, DbError> {
        if let DatabaseUrl::Sqlite(path) = url {
            create_parent_dir(path)?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            .connection_timeout(options.checkout_timeout)
            .build(Manager { url: url.clone() })?;
        let (writer, checkpointer) = match url {
            DatabaseUrl::Sqlite(_) => {
                let writer = std::sync::Arc::new(Writer::new(url, options.checkout_timeout));
                let checkpointer = Checkpointer::start(url, std::sync::Arc::downgrade(&writer))?;
                (Some(writer), Some(std::sync::Arc::new(checkpointer)))
            }
            DatabaseUrl::Postgres(_) => (None, None),
        };
        Ok(Db {
            pool,
            backend: url.backend(),
            writer,
            _checkpointer: checkpointer,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut pooled = self.pool.get()?;
        let applied = match &mut pooled.conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }

    /// Reverts every applied migration, newest first; returns the names reverted.
    pub fn revert_all(&self) -> Result<Vec<String>, DbError> {
        let mut pooled = self.pool.get()?;
        let reverted = match &mut pooled.conn {
            DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(reverted.iter().map(ToString::to_string).collect())
    }

    /// Refreshes the query planner's statistics, after a bulk load: without them PostgreSQL
    /// guesses a partner holds a few hundred customers and plans the listing accordingly. On
    /// PostgreSQL it vacuums too, as autovacuum would soon: the visibility maps let index-only
    /// scans skip the rows, and the planner costs plans as it will once the database settles.
    pub fn analyze(&self) -> Result<(), DbError> {
        let statement = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        Ok(self.pool.get()?.conn.batch_execute(statement)?)
    }

    /// Checks that the database answers (always a round trip, whatever the pool trusts).
    pub fn ping(&self) -> Result<(), DbError> {
        let mut pooled = self.pool.get()?;
        pooled.run(|conn| Ok(conn.ping()?))
    }

    /// Runs read-only work on a pooled connection, outside any explicit transaction.
    pub fn read<T, E>(&self, work: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<DbError>,
    {
        let mut pooled = self.pool.get().map_err(DbError::from)?;
        pooled.run(work)
    }

    /// Runs read-only `work` at once on the calling thread, or returns `None` when that could
    /// wait: only on SQLite (a read in WAL mode never waits for a lock, and a few rows by key
    /// take microseconds — less than handing the work to another thread and back) and only
    /// with a connection free at this moment. PostgreSQL would wait for the network, a busy
    /// pool for a connection: those callers take a thread that may block.
    pub fn read_now<T, E>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Option<Result<T, E>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let mut pooled = self.pool.try_get()?;
        Some(pooled.run(work))
    }

    /// Runs `work` in one serializable transaction: committed when it returns `Ok`, rolled back
    /// otherwise. Both backends give the same guarantee, so a rule checked inside (say, "a
    /// partner keeps one active admin") holds under any concurrency:
    /// - SQLite runs every write transaction on its one writer's connection, in turns, and
    ///   commits them in groups ([`Writer`]);
    /// - PostgreSQL runs `SERIALIZABLE`, and `work` runs again when the database reports a
    ///   serialization failure. So that a transaction that keeps losing cannot starve, its
    ///   last attempts run alone: every write transaction holds a shared advisory lock (for the
    ///   transaction, taken with BEGIN), and an attempt from [`RUN_ALONE_FROM`] on holds it
    ///   exclusively (for the session, taken before BEGIN).
    pub fn transaction<T, E>(
        &self,
        work: impl FnMut(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: TransactionError,
    {
        self.transaction_at(Isolation::Serializable, work)
    }

    /// [`Db::transaction`] at `isolation` (on SQLite every write transaction is serializable).
    pub fn transaction_at<T, E>(
        &self,
        isolation: Isolation,
        work: impl FnMut(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: TransactionError,
    {
        self.run_transaction(isolation, None, work)
    }

    /// [`Db::transaction`] for work that changes one hot row, named by `hot` — a customer
    /// whose counters every entity created in it moves. On PostgreSQL such transactions run at
    /// once failed one another and ran again, most of them several times; these wait for each
    /// other instead, each holding a session advisory lock keyed by `hot`, taken before its
    /// snapshot. SQLite's writers take turns anyway.
    pub fn transaction_queued<T, E>(
        &self,
        hot: &str,
        work: impl FnMut(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: TransactionError,
    {
        self.run_transaction(Isolation::Serializable, Some(hot), work)
    }

    fn run_transaction<T, E>(
        &self,
        isolation: Isolation,
        hot: Option<&str>,
        mut work: impl FnMut(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: TransactionError,
    {
        if let Some(writer) = &self.writer {
            return writer.run(work);
        }
        let mut pooled = self.pool.get().map_err(DbError::from)?;
        let hot = hot.map(HotRowLock::named);
        // The hot row's lock is taken in the first BEGIN's round trip and released in the
        // successful COMMIT's: the next transaction in the queue waits for no answer of ours.
        let commit = hot.map_or_else(|| "COMMIT".to_owned(), HotRowLock::commit_releasing);
        let mut hot_held = false;
        let mut lock_released = true;
        let outcome = pooled.run(|conn| {
            let mut attempt = 1;
            loop {
                let outcome = match conn {
                    DbConnection::Sqlite(_) => unreachable!("SQLite writes go through its writer"),
                    // The shared lock is taken in BEGIN's round trip and released by COMMIT or
                    // ROLLBACK. The snapshot may predate the lock: one waiting for an attempt
                    // that runs alone has read nothing that could fail that one, and if its
                    // snapshot turns out stale, serializable isolation fails it to run again.
                    DbConnection::Postgres(_) if attempt < RUN_ALONE_FROM => {
                        let begin = begin_sharing_writer_lock(isolation);
                        let begin = match hot {
                            Some(hot) if attempt == 1 => format!("{}; {begin}", hot.take()),
                            _ => begin,
                        };
                        run_once(conn, &begin, &commit, &mut work)
                    }
                    DbConnection::Postgres(pg) => {
                        // Taken before BEGIN, so the snapshot is taken once the lock is held.
                        pg.batch_execute(&writer_lock_sql("lock"))
                            .map_err(DbError::from)?;
                        let outcome = run_once(conn, isolation.begin(), &commit, &mut work);
                        if let DbConnection::Postgres(pg) = conn {
                            // Should this fail, the connection is broken: it is pinged before
                            // its next use and discarded, and closing the session releases
                            // the lock.
                            if let Err(error) = pg.batch_execute(&writer_lock_sql("unlock")) {
                                tracing::warn!(%error, "releasing the writer lock failed");
                                lock_released = false;
                            }
                        }
                        outcome
                    }
                };
                // Held from the first attempt's BEGIN on, until a COMMIT releases it.
                hot_held = hot.is_some() && outcome.is_err();
                // Under SERIALIZABLE a unique violation may be a concurrent transaction's insert
                // of a key this one looked for and did not see: run again, it sees that row and
                // answers as the rule says (a genuine clash fails the same way again and is
                // returned).
                let retry =
                    |error: &E| error.is_serialization_failure() || error.is_unique_violation();
                match outcome {
                    Err(error) if retry(&error) && attempt < RUN_ALONE_FROM => {
                        tracing::debug!(
                            attempt,
                            "serialization failure; running the transaction again"
                        );
                        std::thread::sleep(backoff(attempt));
                        attempt += 1;
                    }
                    outcome => return outcome,
                }
            }
        });
        if let (Some(hot), true, DbConnection::Postgres(pg)) = (hot, hot_held, &mut pooled.conn)
            && let Err(error) = pg.batch_execute(&hot.release())
        {
            tracing::warn!(%error, "releasing a hot row's lock failed");
            lock_released = false;
        }
        if !lock_released {
            pooled.answered_at = None;
        }
        outcome
    }

    /// SQLite's effective settings on a pooled connection, for checks and diagnostics.
    pub fn sqlite_pragmas(&self) -> Result<Option<SqlitePragmas>, DbError> {
        use diesel::RunQueryDsl;
        use diesel::sql_types::{BigInt, Text};

        #[derive(diesel::QueryableByName)]
        struct Pragmas {
            #[diesel(sql_type = Text)]
            journal_mode: String,
            #[diesel(sql_type = BigInt)]
            foreign_keys: i64,
            #[diesel(sql_type = BigInt)]
            synchronous: i64,
            #[diesel(sql_type = BigInt)]
            busy_timeout: i64,
        }

        let mut pooled = self.pool.get()?;
        let DbConnection::Sqlite(c) = &mut pooled.conn else {
            return Ok(None);
        };
        let row: Pragmas = diesel::sql_query(
            "SELECT (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode, \
                    (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys, \
                    (SELECT synchronous FROM pragma_synchronous) AS synchronous, \
                    (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout",
        )
        .get_result(c)?;
        Ok(Some(SqlitePragmas {
            journal_mode: row.journal_mode,
            foreign_keys: row.foreign_keys == 1,
            synchronous: row.synchronous,
            busy_timeout_ms: row.busy_timeout,
        }))
    }
}

/// The attempt from which a PostgreSQL transaction that keeps meeting serialization failures
/// runs with no other writer beside it (and so cannot fail that way again).
pub const RUN_ALONE_FROM: u32 = 4;

/// The advisory lock every PostgreSQL write transaction holds ("PHUB").
const WRITER_LOCK_KEY: i64 = 0x5048_5542;

/// A PostgreSQL write transaction's isolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Every use case: whatever it reads and decides on holds at its commit.
    Serializable,
    /// For work whose every clash a unique constraint or an updated row catches, so that its
    /// reads need no predicate locks: the audit chain's linker, which reads the pages every
    /// audited write inserts into, and as a serializable reader made those writes fail.
    Snapshot,
}

impl Isolation {
    fn begin(self) -> &'static str {
        match self {
            Isolation::Serializable => "BEGIN ISOLATION LEVEL SERIALIZABLE",
            Isolation::Snapshot => "BEGIN ISOLATION LEVEL REPEATABLE READ",
        }
    }
}

/// Begins a transaction holding the writer lock shared, in one round trip.
fn begin_sharing_writer_lock(isolation: Isolation) -> String {
    format!(
        "{}; SELECT pg_advisory_xact_lock_shared({WRITER_LOCK_KEY})",
        isolation.begin()
    )
}

/// Takes or releases the writer lock exclusively, for the session (around a transaction).
fn writer_lock_sql(action: &str) -> String {
    format!("SELECT pg_advisory_{action}({WRITER_LOCK_KEY})")
}

/// The first key of the advisory locks [`Db::transaction_queued`] takes, the second being a
/// hash of the hot row's name ("HOT"; the writer lock's single key is a space of its own).
const HOT_ROW_LOCK_CLASS: i32 = 0x0048_4f54;

/// The session advisory lock on one hot row, held around a transaction. Two names that hash
/// alike merely queue behind each other. The key is hashed here, not by PostgreSQL, so that
/// the statements that take and release it carry no bound text and fit in one round trip
/// with BEGIN and COMMIT.
#[derive(Debug, Clone, Copy)]
struct HotRowLock(i32);

impl HotRowLock {
    fn named(hot: &str) -> Self {
        Self(i32::from_ne_bytes(
            crc32fast::hash(hot.as_bytes()).to_ne_bytes(),
        ))
    }

    /// Takes the lock in a transaction of its own: BEGIN's isolation level must come before
    /// any statement of the transaction it begins.
    fn take(self) -> String {
        format!(
            "BEGIN; SELECT pg_advisory_lock({HOT_ROW_LOCK_CLASS}, {}); COMMIT",
            self.0
        )
    }

    fn release(self) -> String {
        format!(
            "SELECT pg_advisory_unlock({HOT_ROW_LOCK_CLASS}, {})",
            self.0
        )
    }

    /// COMMIT, then the release; a failing COMMIT stops the statements after it, and the lock
    /// stays held for the transaction's next attempt.
    fn commit_releasing(self) -> String {
        format!("COMMIT; {}", self.release())
    }
}

/// A random pause that grows with the attempt, so that transactions which collided do not
/// collide again in lockstep (at most ~2^attempt ms, capped at 100 ms).
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let ceiling_ms = (1u64 << attempt.min(7)).min(100);
    Duration::from_micros(random % (ceiling_ms * 1000))
}

/// Runs `work` once in a PostgreSQL transaction begun by `begin` and, should it succeed, ended by
/// `commit` (COMMIT and what is to run right after it, in the same round trip).
fn run_once<T, E: TransactionError>(
    conn: &mut DbConnection,
    begin: &str,
    commit: &str,
    work: &mut impl FnMut(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    let DbConnection::Postgres(pg) = conn else {
        unreachable!("SQLite writes go through its writer")
    };
    AnsiTransactionManager::begin_transaction_sql(pg, begin).map_err(DbError::from)?;
    match work(conn) {
        Ok(value) => {
            // Whether COMMIT succeeds or fails, PostgreSQL ends the transaction, and diesel's
            // transaction manager follows the session's state as libpq reports it after every
            // statement: it leaves the transaction as diesel's own COMMIT would.
            conn.batch_execute(commit).map_err(DbError::from)?;
            Ok(value)
        }
        Err(error) => {
            // The original error is the one worth reporting; a connection whose rollback
            // failed is discarded by the pool (`has_broken`).
            if let Err(rollback) = DbConnection::rollback_transaction(conn) {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// An error a transaction can end with: it can hold a database error, and says whether that
/// was a serialization failure (worth running the transaction again).
pub trait TransactionError: From<DbError> {
    fn is_serialization_failure(&self) -> bool;

    /// Whether it holds a database error for a broken unique constraint.
    fn is_unique_violation(&self) -> bool {
        false
    }
}

impl TransactionError for DbError {
    fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query(error) if crate::is_unique_violation(error))
    }

    fn is_serialization_failure(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(
            self,
            DbError::Query(Error::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _
            ))
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    pub journal_mode: String,
    pub foreign_keys: bool,
    /// 1 = NORMAL.
    pub synchronous: i64,
    pub busy_timeout_ms: i64,
}

fn create_parent_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
