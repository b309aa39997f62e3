//! Time as a dependency: nothing reads the system clock except [`SystemClock`], so expiry rules
//! are tested by moving a [`ManualClock`], never by sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, truncated to microseconds so that both databases store and return
    /// exactly the same value.
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate_to_micros(Utc::now())
    }
}

/// A clock that only moves when told to; shared by tests and the app under test.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(truncate_to_micros(start)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = truncate_to_micros(*now + by);
    }

    pub fn set(&self, to: DateTime<Utc>) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = truncate_to_micros(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn truncate_to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    // Cannot fail for a one-microsecond step on any representable instant.
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(24));
        assert_eq!(clock.now(), start + Duration::hours(24));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn instants_are_truncated_to_microseconds() {
        let at = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(truncate_to_micros(at).timestamp_subsec_nanos(), 123_456_000);
        assert_eq!(
            ManualClock::new(at).now().timestamp_subsec_nanos(),
            123_456_000
        );
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000, 0);
    }
}
