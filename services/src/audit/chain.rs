//! The audit trail as a hash chain (ASVS 5.0 V16): every event, once committed, is given the
//! next position in one chain for the deployment and a hash — SHA-256 over the previous link's
//! hash, its position and its content — so that an event edited, removed or slipped in with SQL
//! breaks every link after it. [`verify`] walks the chain and names the first broken link.
//!
//! Events are linked after they commit, by [`prepare`] and [`write`] (the server runs a round
//! every tenth of a second), not inside the change's own transaction: a chain written by every
//! change would make each audited write wait for, or conflict with, every other. A trigger
//! queues each event as it is written; the linker takes the queue in order and writes each link
//! as a row of its own, so an event is never updated. An event not linked yet is shown without
//! a hash. Whoever can rewrite the whole database can rewrite the whole chain: an auditor keeps
//! the hash of a recent link outside it (the trail's API shows each one) and checks that the
//! chain still passes through it.

use persistence::DbConnection;
use persistence::audit::{self, AuditEvent, Link};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// The hash before the first link.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Events linked or checked per query.
const BATCH: i64 = 500;

/// The hash of `event` at `position` after `previous`: over a JSON array of its fields, so that
/// no field can run into the next. The array is written straight into the hash, with no JSON
/// value built first (the linker hashes every event).
pub fn link_hash(previous: &str, position: i64, event: &AuditEvent) -> String {
    let content = (
        previous,
        position,
        &event.id,
        event
            .occurred_at
            .format("%Y-%m-%dT%H:%M:%S%.6f")
            .to_string(),
        &event.partner_id,
        &event.customer_id,
        &event.actor_user_id,
        &event.acting_user_id,
        &event.action,
        &event.target_type,
        &event.target_id,
        &event.before_state,
        &event.after_state,
        &event.request_id,
        &event.source_ip,
    );
    let mut hasher = Sha256::new();
    // Writing into a hasher cannot fail, nor can serializing strings and numbers.
    serde_json::to_writer(&mut hasher, &content).expect("a hasher takes any bytes");
    format!("{:x}", hasher.finalize())
}

/// The links of up to one batch of committed events not linked yet, hashed in the order they
/// were recorded after the chain's head as read; [`write`] stores them unless the head moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    head: Option<(i64, String)>,
    links: Vec<Link>,
}

impl Prepared {
    /// How many events it links.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

/// Reads the chain's head and the queue and hashes the next links: read-only work, so the
/// server does it outside any write transaction (on SQLite a write transaction is the one
/// writer's turn, which every change waits for; hashing in it held them up).
pub fn prepare(conn: &mut DbConnection) -> Result<Prepared, ServiceError> {
    let head = audit::chain_head(conn)?;
    let (mut position, mut previous) = head.clone().unwrap_or_else(|| (0, GENESIS.to_owned()));
    let links = audit::queued_unchained(conn, BATCH)?
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
    Ok(Prepared { head, links })
}

/// Stores `prepared`'s links and takes their events off the queue, in a write transaction;
/// returns how many. When the chain's head is no longer the one they were hashed after (another
/// server linked first), stores nothing and returns 0: the next round starts from the new head.
/// Two writes from the same head at once cannot both take a position (it is unique): the
/// loser's transaction runs again and finds the head moved.
pub fn write(conn: &mut DbConnection, prepared: &Prepared) -> Result<usize, ServiceError> {
    if prepared.is_empty() || audit::chain_head(conn)? != prepared.head {
        return Ok(0);
    }
    audit::link(conn, &prepared.links)?;
    Ok(prepared.len())
}

/// Links up to one batch of committed events not linked yet, within the caller's transaction:
/// [`prepare`] and [`write`] in one.
pub fn link_pending(conn: &mut DbConnection) -> Result<usize, ServiceError> {
    let prepared = prepare(conn)?;
    write(conn, &prepared)
}

/// Whether a round that linked `linked` events took a whole batch, so that more may be queued
/// behind it. The linker runs its next round at once only then, and otherwise rests: each round
/// writes in a writer's turn, and on SQLite back-to-back rounds for the few events that arrived
/// since the last held the creates queued behind them.
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

    /// Chains already in databases were hashed over a `serde_json::Value` array of the fields:
    /// the hash written straight from them must be the same, byte for byte.
    #[test]
    fn the_hash_is_the_one_chains_were_linked_with() {
        let event = AuditEvent {
            seq: 7,
            id: "evt-1".into(),
            occurred_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 5)
                .and_then(|d| d.and_hms_micro_opt(21, 30, 1, 250))
                .unwrap_or_default(),
            partner_id: Some("PARTDEMO".into()),
            customer_id: None,
            actor_user_id: Some("user \"ø\" \\ 1".into()),
            acting_user_id: None,
            action: "customer.updated".into(),
            target_type: "customer".into(),
            target_id: Some("ACME".into()),
            before_state: Some(r#"{"name":"Acme\nLtd","n":1}"#.into()),
            after_state: Some("{}".into()),
            request_id: None,
            source_ip: Some("127.0.0.1".into()),
            ..AuditEvent::default()
        };
        let as_linked_before = serde_json::json!([
            "ab".repeat(32),
            42,
            event.id,
            "2026-12-05T21:30:01.000250",
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
        let digest = Sha256::digest(as_linked_before.to_string().as_bytes());
        let expected: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(link_hash(&"ab".repeat(32), 42, &event), expected);
    }
}
