//! Links the audit trail's new events into its hash chain (`services::audit::chain`) for as
//! long as the server runs: a round every `every`, and at once again after a round that took a
//! whole batch (more may be queued). A round reads and hashes outside any transaction, then
//! stores the links in a short write transaction of its own.

use std::time::Duration;

use persistence::{Db, Isolation};
use services::ServiceError;
use services::audit::chain;

/// How long the linker rests between rounds. Short, so that each round is short: on SQLite its
/// write is a turn of the one writer, and a change that arrives during it waits for all of it.
pub const EVERY: Duration = Duration::from_millis(100);

pub async fn run(db: Db, every: Duration) {
    loop {
        let round = db.clone();
        let linked = actix_web::web::block(move || link_round(&round)).await;
        match linked {
            Ok(Ok(n)) if chain::batch_was_full(n) => continue,
            Ok(Ok(_)) => {}
            // Another server linked the same events first, or the database is away: the next
            // round starts from the chain as it then is.
            Ok(Err(error)) => tracing::warn!(%error, "linking the audit chain failed"),
            Err(error) => tracing::warn!(%error, "linking the audit chain failed"),
        }
        actix_web::rt::time::sleep(every).await;
    }
}

/// One round: the links hashed from a read, then written unless the chain moved meanwhile.
/// Returns how many events it linked.
fn link_round(db: &Db) -> Result<usize, ServiceError> {
    let prepared = db.read(chain::prepare)?;
    if prepared.is_empty() {
        return Ok(0);
    }
    // Two linkers at once collide on the unique chain position, never silently: the write
    // needs no serializable reads (see `Isolation::Snapshot`).
    db.transaction_at(Isolation::Snapshot, |conn| chain::write(conn, &prepared))
}
