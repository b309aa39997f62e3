//! The audit trail as a hash chain (ASVS 5.0 V16): every event, once committed, is given the
//! next position in one chain for the deployment and a hash — SHA-256 over the previous link's
//! hash, its position and its content — so that an event edited, removed or slipped in with SQL
//! breaks every link after it. [`verify`] walks the chain and names the first broken link.
//!
//! Events are linked after they commit, by [`link_pending`] (the server runs it every second),
//! not inside the change's own transaction: a chain written by every change would make each
//! audited write wait for, or conflict with, every other. A trigger queues each event as it is
//! written; the linker takes the queue in order and writes each link as a row of its own, so an
//! event is never updated. An event not linked yet is shown without a hash. Whoever can
//! rewrite the whole database can rewrite the whole chain: an auditor keeps the hash of a recent
//! link outside it (the trail's API shows each one) and checks that the chain still passes
//! through it.

use persistence::DbConnection;
use persistence::audit::{self, AuditEvent, Link};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// The hash before the first link.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Events linked or checked per query.
const BATCH: i64 = 500;

/// The hash of `event` at `position` after `previous`: over a JSON array of its fields, so that
/// no field can run into the next.
pub fn link_hash(previous: &str, position: i64, event: &AuditEvent) -> String {
    let content = serde_json::json!([
        previous,
        position,
        event.id,
        event
            .occurred_at
            .format("%Y-%m-%dT%H:%M:%S%.6f")
            .to_string(),
        event.partner_id,
        event.customer_id,
        event.actor_user_id,
        event.acting_user_id,
        event.action,
        event.target_type,
        event.target_id,
        event.before_state,
        event.after_state,
        event.request_id,
        event.source_ip,
    ]);
    let digest = Sha256::digest(content.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Links up to one batch of committed events not linked yet, in the order they were recorded;
/// returns how many. Run it in a transaction of its own: two linkers at once cannot both take a
/// position (it is unique), and the loser's transaction is retried.
pub fn link_pending(conn: &mut DbConnection) -> Result<usize, ServiceError> {
    let (mut position, mut previous) =
        audit::chain_head(conn)?.unwrap_or_else(|| (0, GENESIS.to_owned()));
    let links: Vec<Link> = audit::dequeue_unchained(conn, BATCH)?
        .iter()
        .map(|event| {
            position += 1;
            previous = link_hash(&previous, position, event);
            Link {
                position,
                seq: event.seq,
                hash: previous.clone(),
            }
        })
        .collect();
    if !links.is_empty() {
        audit::link(conn, &links)?;
    }
    Ok(links.len())
}

/// Whether a round of [`link_pending`] that linked `linked` events took a whole batch, so that
/// more may be queued behind it. The linker runs its next round at once only then: a round
/// for the few events that arrived since the last is a writer's turn, and on SQLite the
/// linker's many small turns under steady writes held the creates queued behind them.
pub fn batch_was_full(linked: usize) -> bool {
    i64::try_from(linked).is_ok_and(|linked| linked >= BATCH)
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// Links checked, from the first.
    pub checked: i64,
    /// The last good link's hash: keep it outside the database as a checkpoint.
    pub head: Option<String>,
    /// Events recorded but not linked yet (linked within seconds by a running server).
    pub unlinked: i64,
    /// The first link that does not hold, if any.
    pub broken: Option<Broken>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Broken {
    pub position: i64,
    /// The event found there (absent when the position is missing: an event was removed).
    pub event_id: Option<String>,
    pub reason: &'static str,
}

/// Walks the whole chain from its first link.
pub fn verify(conn: &mut DbConnection) -> Result<Verdict, ServiceError> {
    let mut verdict = Verdict {
        checked: 0,
        head: None,
        unlinked: audit::count_unchained(conn)?,
        broken: None,
    };
    let mut previous = GENESIS.to_owned();
    loop {
        let links = audit::chain_after(conn, verdict.checked, BATCH)?;
        if links.is_empty() {
            return Ok(verdict);
        }
        for event in links {
            let position = verdict.checked + 1;
            let broken = |event_id, reason| Broken {
                position,
                event_id,
                reason,
            };
            if event.chain_position != Some(position) {
                verdict.broken = Some(broken(None, "the event at this position is missing"));
                return Ok(verdict);
            }
            let hash = link_hash(&previous, position, &event);
            if event.hash.as_deref() != Some(hash.as_str()) {
                let reason = "the event does not match its hash, or the hash does not follow the previous link";
                verdict.broken = Some(broken(Some(event.id), reason));
                return Ok(verdict);
            }
            verdict.checked = position;
            verdict.head = Some(hash.clone());
            previous = hash;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_batch_calls_for_another_round_at_once() {
        assert!(!batch_was_full(0));
        assert!(!batch_was_full(499));
        assert!(batch_was_full(500));
    }
}
