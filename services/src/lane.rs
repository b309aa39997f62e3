//! The lane expensive work runs in — exports of the listing and of the audit trail, and the
//! account workbooks, imports and digests to come (OWASP API4:2023, unrestricted resource
//! consumption). Each holds a pooled connection and a thread for seconds; left unbounded, one
//! admin's exports would take every connection and the hub would stop answering everyone else.
//! So at most a configured number run at once in all, and one per account at a time; the rest
//! are refused at once (429 with `Retry-After`) rather than queued behind each other.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{ErrorCode, ServiceError};

/// How long a refused caller is told to wait before asking again, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 10;

#[derive(Debug)]
pub struct Lane {
    at_once: usize,
    /// The accounts whose work is running now.
    running: Mutex<HashSet<String>>,
}

/// A place in the lane, held while the work runs; dropping it frees the place.
#[derive(Debug)]
pub struct Pass {
    lane: Arc<Lane>,
    account: String,
}

impl Lane {
    /// A lane for `at_once` jobs at a time (at least one).
    pub fn new(at_once: usize) -> Arc<Lane> {
        Arc::new(Lane {
            at_once: at_once.max(1),
            running: Mutex::new(HashSet::new()),
        })
    }

    /// A place for `account`'s job, or `too_many_exports` when the lane is full or the account
    /// already has a job running.
    pub fn enter(self: &Arc<Self>, account: &str) -> Result<Pass, ServiceError> {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let refused = if running.contains(account) {
            Some("Your account already has an export running: wait for it to finish.")
        } else if running.len() >= self.at_once {
            Some("The hub is running as many exports as it runs at once: try again shortly.")
        } else {
            None
        };
        if let Some(detail) = refused {
            return Err(ServiceError::rule(ErrorCode::TooManyExports, detail));
        }
        running.insert(account.to_owned());
        Ok(Pass {
            lane: Arc::clone(self),
            account: account.to_owned(),
        })
    }

    /// How many jobs run now.
    pub fn running(&self) -> usize {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.lane
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<Pass, ServiceError>) -> bool {
        matches!(
            result,
            Err(ServiceError::Rule {
                code: ErrorCode::TooManyExports,
                ..
            })
        )
    }

    #[test]
    fn one_job_per_account_and_a_bound_in_all() {
        let lane = Lane::new(2);
        let a = lane.enter("PARTA").unwrap();
        assert!(refused(lane.enter("PARTA")), "one per account");
        let b = lane.enter("PARTB").unwrap();
        assert!(refused(lane.enter("PARTC")), "two in all");
        assert_eq!(lane.running(), 2);
        drop(a);
        let c = lane.enter("PARTC").unwrap();
        drop((b, c));
        assert_eq!(lane.running(), 0);
        assert!(lane.enter("PARTA").is_ok());
    }
}
