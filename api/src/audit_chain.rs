//! Links the audit trail's new events into its hash chain (`services::audit::chain`) for as
//! long as the server runs: every second, and at once again after a round that took a whole
//! batch (more may be queued).

use std::time::Duration;

use persistence::{Db, Isolation};
use services::audit::chain;

pub async fn run(db: Db, every: Duration) {
    loop {
        let round = db.clone();
        // Two linkers at once collide on the unique chain position, never silently: the
        // linker needs no serializable reads (see `Isolation::Snapshot`).
        let linked = actix_web::web::block(move || {
            round.transaction_at(Isolation::Snapshot, chain::link_pending)
        })
        .await;
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
