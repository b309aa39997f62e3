//! What only SQLite needs: its pragmas, the writers' turns at its one write lock, and the
//! thread that checkpoints its WAL.

use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::{DatabaseUrl, DbError};

/// Applied to every pooled SQLite connection: WAL lets readers run beside the one writer,
/// `busy_timeout` makes a writer wait for the lock instead of failing at once. `synchronous =
/// FULL` syncs the WAL at every commit, so a committed change (a revoked grant, a logout, its
/// audit row) survives a power loss as it does on PostgreSQL; with `NORMAL` the last commits could
/// roll back (it also spreads the disk's work over the commits instead of a checkpoint's fsync).
/// No automatic checkpoints: the commit that crossed 1 000 WAL pages would copy them into the
/// database and fsync it on a request's time; [`Checkpointer`] does it on a thread of its own.
/// Under steady writes the WAL only grows (SQLite starts it over only when a write begins with
/// every frame checkpointed, and forcing that holds writers back); when it does start over, a
/// WAL that grew past 64 MB is cut back to that.
pub(super) const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; \
     PRAGMA journal_size_limit = 67108864;";

/// Turns at SQLite's one write lock, taken before `BEGIN IMMEDIATE` and held to the commit or
/// rollback. Writers of this process queue here and the next is woken as the lock frees; without
/// it they polled for the lock in SQLite's busy handler, which sleeps 1, 2, 5, 10… 100 ms between
/// tries, so a writer that kept losing waited up to the busy timeout (G8 in bench/RESULTS.md).
/// SQLite's locking still guards correctness (another process, a migration); this only orders
/// the writers of one process. A writer that waits longer than the pool's checkout timeout gets
/// [`DbError::WriterBusy`], as it would have got `SQLITE_BUSY`.
#[derive(Debug)]
pub(super) struct WriterTurns {
    pub(super) lock: parking_lot::Mutex<()>,
    pub(super) wait: Duration,
}

impl WriterTurns {
    pub(super) fn take(&self) -> Result<parking_lot::MutexGuard<'_, ()>, DbError> {
        self.lock.try_lock_for(self.wait).ok_or(DbError::WriterBusy)
    }
}

/// How often the checkpointer moves the WAL's pages into an SQLite database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints an SQLite database's WAL from its own thread and connection while any clone of
/// the [`Db`] lives (passive: it never blocks readers or the writer). Dropping the last clone
/// stops the thread and waits for its final checkpoint: a process that exited first left the
/// whole WAL behind (1.5 GB after the demo dataset), and the next start spent 0.7 s reading it.
#[derive(Debug)]
pub(super) struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(url: &DatabaseUrl) -> Result<Checkpointer, DbError> {
        let mut conn = url.establish()?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    if let Err(error) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
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
