//! What only SQLite needs: its pragmas, its one writer committing transactions in groups, and
//! the thread that checkpoints its WAL.

use std::collections::VecDeque;
use std::sync::Weak;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{RunQueryDsl, SqliteConnection};

use super::{DatabaseUrl, DbConnection, DbError};

/// Applied to every pooled SQLite connection: WAL lets readers run beside the one writer,
/// `busy_timeout` makes a writer wait for the lock instead of failing at once. `synchronous =
/// FULL` syncs the WAL at every commit, so a committed change (a revoked grant, a logout, its
/// audit row) survives a power loss as it does on PostgreSQL; with `NORMAL` the last commits could
/// roll back (it also spreads the disk's work over the commits instead of a checkpoint's fsync).
/// No automatic checkpoints: the commit that crossed 1 000 WAL pages would copy them into the
/// database and fsync it on a request's time; [`Checkpointer`] does it on a thread of its own,
/// and sees that the WAL starts over; should it grow past 64 MB all the same (a long read holding
/// old pages), it is cut back to that when it does. A page cache of 16 MB per connection (SQLite's
/// default is 2 MB): a grid page with a filter beside its sort reads a row from the table for
/// each of up to a thousand index entries, pages that a 2 MB cache let go between two requests
/// (every one read again from the kernel); the cache only grows with the pages a connection reads.
pub(super) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; \
     PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -16384;";

/// SQLite's one writer: a connection of its own that every write transaction of this process
/// runs on, in turns, committing in groups. SQLite syncs the WAL at each commit (`synchronous =
/// FULL`), and a sync costs this machine's disk milliseconds, more than most transactions' work:
/// so while other writers wait for their turn, a writer's transaction runs as a savepoint inside
/// one open transaction, and whoever finds no writer waiting (or the group full) commits it, one
/// sync for the whole group. Each writer answers only once its group has committed, so nothing a
/// client is told of can be lost; a writer whose work fails rolls back to its savepoint and the
/// others keep theirs. Should the commit itself fail, every writer of the group gets the error.
///
/// Turns are taken in this process (a writer that waits longer than the pool's checkout timeout
/// gets [`DbError::WriterBusy`], as it would have got `SQLITE_BUSY`); SQLite's own locking still
/// guards against other processes (a migration, the CLI).
pub(super) struct Writer {
    url: DatabaseUrl,
    state: parking_lot::Mutex<Group>,
    /// Signalled when a group ends, committed or not.
    ended: parking_lot::Condvar,
    /// Writers waiting for their turn.
    queued: AtomicUsize,
    wait: Duration,
}

/// The group of transactions open on the writer's connection.
struct Group {
    conn: Option<DbConnection>,
    /// The open group's number, if one is open.
    open: Option<u64>,
    members: usize,
    next: u64,
    /// Every group up to this one has ended.
    ended_through: u64,
    /// Groups that ended without committing, the latest few, and why.
    failed: VecDeque<(u64, String)>,
}

/// The writer's own settings. Each transaction of a group is a savepoint, for which SQLite
/// copies every page it first changes into a sub-journal: in memory, not a temporary file (its
/// writes were a sixth of a create's CPU). And a cache that holds the indexes' upper pages.
const WRITER_PRAGMAS: &str = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;";

/// Transactions per group at most: the first of a group waits for the work of all of them.
const GROUP_SIZE: usize = 32;

/// How often a writer waiting for its group's commit checks that someone will still commit it
/// (a writer counted as waiting for its turn may give up its wait).
const RECHECK: Duration = Duration::from_millis(20);

impl Writer {
    pub(super) fn new(url: &DatabaseUrl, wait: Duration) -> Writer {
        Writer {
            url: url.clone(),
            state: parking_lot::Mutex::new(Group {
                conn: None,
                open: None,
                members: 0,
                next: 1,
                ended_through: 0,
                failed: VecDeque::new(),
            }),
            ended: parking_lot::Condvar::new(),
            queued: AtomicUsize::new(0),
            wait,
        }
    }

    /// Runs `work` as one transaction of a group; returns once the group has committed.
    pub(super) fn run<T, E: From<DbError>>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let turn = self.state.try_lock_for(self.wait);
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let mut group = turn.ok_or(DbError::WriterBusy)?;
        let (number, conn) = group.join(&self.url)?;
        let outcome =
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| member(conn, work))) {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(broken)) => {
                    group.abandon(number, broken.to_string());
                    self.ended.notify_all();
                    return Err(broken.into());
                }
                Err(panic) => {
                    group.abandon(number, "a writer of the group panicked".to_owned());
                    self.ended.notify_all();
                    std::panic::resume_unwind(panic);
                }
            };
        group.members += 1;
        loop {
            let nobody_waits = self.queued.load(Ordering::SeqCst) == 0;
            if group.open == Some(number) && (nobody_waits || group.members >= GROUP_SIZE) {
                group.commit(number);
                self.ended.notify_all();
            }
            if group.ended_through >= number {
                break;
            }
            self.ended.wait_for(&mut group, RECHECK);
        }
        match group.failed.iter().find(|(n, _)| *n == number) {
            Some((_, why)) if outcome.is_ok() => Err(DbError::GroupFailed(why.clone()).into()),
            _ => outcome,
        }
    }

    /// Runs `f` in a turn taken between two groups, so that nothing of this process writes while
    /// it runs; `None` if no such turn came within the wait. It does not count as a writer
    /// waiting: an open group commits without waiting for it.
    fn between_groups<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        let deadline = Instant::now() + self.wait;
        let mut group = self.state.try_lock_until(deadline)?;
        while group.open.is_some() {
            if self.ended.wait_until(&mut group, deadline).timed_out() && group.open.is_some() {
                return None;
            }
        }
        Some(f())
    }
}

/// One writer's transaction as a savepoint of the group: its outcome, or the error that left
/// the group's transaction unusable.
fn member<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<Result<T, E>, DbError> {
    DbConnection::begin_transaction(conn)?;
    let outcome = work(conn);
    match &outcome {
        Ok(_) => DbConnection::commit_transaction(conn)?,
        Err(_) => DbConnection::rollback_transaction(conn)?,
    }
    Ok(outcome)
}

impl Group {
    /// The open group's number and the connection, opening a group (and the connection) when
    /// none is open.
    fn join(&mut self, url: &DatabaseUrl) -> Result<(u64, &mut DbConnection), DbError> {
        if self.conn.is_none() {
            let mut conn = url.establish()?;
            conn.batch_execute(WRITER_PRAGMAS)?;
            self.conn = Some(conn);
        }
        let conn = self.conn.as_mut().expect("connected above");
        let number = match self.open {
            Some(number) => number,
            None => {
                // IMMEDIATE takes the write lock up front: a deferred transaction that reads
                // and then writes would fail with `SQLITE_BUSY` without waiting.
                let DbConnection::Sqlite(c) = conn else {
                    unreachable!("the writer is SQLite's")
                };
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                let number = self.next;
                self.next += 1;
                self.open = Some(number);
                self.members = 0;
                number
            }
        };
        Ok((number, conn))
    }

    fn commit(&mut self, number: u64) {
        let conn = self.conn.as_mut().expect("a group is open on it");
        match DbConnection::commit_transaction(conn) {
            Ok(()) => self.end(number),
            Err(error) => self.abandon(number, error.to_string()),
        }
    }

    /// Ends the group uncommitted: closing the connection rolls back whatever it held.
    fn abandon(&mut self, number: u64, why: String) {
        tracing::error!(error = %why, "an SQLite write group could not commit");
        self.conn = None;
        if self.failed.len() == GROUP_SIZE {
            self.failed.pop_front();
        }
        self.failed.push_back((number, why));
        self.end(number);
    }

    fn end(&mut self, number: u64) {
        self.open = None;
        self.ended_through = number;
    }
}

/// How often the checkpointer moves the WAL's pages into an SQLite database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// WAL pages (4 KiB each: 16 MB) past which a round of the checkpointer finishes in a writer's
/// turn.
pub(super) const START_OVER_PAST: i32 = 4096;

/// Checkpoints an SQLite database's WAL from its own thread and connection while any clone of
/// the [`Db`] lives, in [`round`]s. Dropping the last clone stops the thread and waits for its
/// final checkpoint: a process that exited first left the whole WAL behind (1.5 GB after the
/// demo dataset), and the next start spent 0.7 s reading it.
#[derive(Debug)]
pub(super) struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Held weakly, the writer closes its connection with the last clone of the [`Db`], before
    /// the final checkpoint.
    pub(super) fn start(url: &DatabaseUrl, writer: Weak<Writer>) -> Result<Checkpointer, DbError> {
        let (DatabaseUrl::Sqlite(path), DbConnection::Sqlite(mut conn)) = (url, url.establish()?)
        else {
            unreachable!("only SQLite has a checkpointer")
        };
        let database = std::fs::File::open(path)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    let Some(writer) = writer.upgrade() else {
                        continue;
                    };
                    if let Err(error) = round(&mut conn, &database, &writer) {
                        tracing::warn!(%error, "checkpointing the SQLite WAL failed");
                    }
                }
                // The pool's connections are closed by now: this leaves an empty WAL, which
                // SQLite deletes as this last connection closes.
                if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);") {
                    tracing::warn!(%error, "the final checkpoint of the SQLite WAL failed");
                }
            })?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What a checkpoint did, in WAL pages.
#[derive(diesel::QueryableByName, Debug, Clone, Copy)]
pub(super) struct Checkpointed {
    /// Another checkpoint was running, so this one did nothing.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
    /// Pages in the WAL.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub(super) log: i32,
    /// Of those, pages now in the database.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    checkpointed: i32,
}

impl Checkpointed {
    /// Every page is in the database: the next write starts the WAL over from its beginning.
    pub(super) fn complete(&self) -> bool {
        self.busy == 0 && self.checkpointed == self.log
    }
}

/// A passive checkpoint: it copies what no reader still needs from the WAL, never waiting.
pub(super) fn checkpoint(conn: &mut SqliteConnection) -> Result<Checkpointed, DbError> {
    Ok(diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)?)
}

/// One round of the checkpointer: a checkpoint beside the writer, which copies the WAL as it was
/// when it began; then, once the WAL is past [`START_OVER_PAST`] pages, a second in a writer's
/// turn between two groups, which copies the little written meanwhile. With every page copied,
/// the next group's first write starts the WAL over. SQLite does that only for a write that
/// begins with every page copied, which under steady writes none ever did: the WAL grew without
/// end (100 MB a second under switches), and the lookups of every read in it with it. Syncing
/// the database, by far the dearest part (the pages of both checkpoints), is done between them,
/// outside the turn: the checkpoint in the turn then syncs only what it copied itself. Returns
/// the last checkpoint's outcome.
pub(super) fn round(
    conn: &mut SqliteConnection,
    database: &std::fs::File,
    writer: &Writer,
) -> Result<Checkpointed, DbError> {
    let beside = checkpoint(conn)?;
    if beside.log <= START_OVER_PAST {
        return Ok(beside);
    }
    database.sync_data()?;
    let Some(last) = writer.between_groups(|| checkpoint(conn)) else {
        return Ok(beside);
    };
    let last = last?;
    if !last.complete() {
        // A read begun before the last write still needs the WAL's pages: the next round tries again.
        tracing::debug!(?last, "the SQLite WAL could not start over");
    }
    Ok(last)
}
