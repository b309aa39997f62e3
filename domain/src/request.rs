//! Access requests (DOMAIN.md §4): pending until a customer admin approves or denies, the
//! partner cancels, or 24 hours pass. Expiry is computed from the clock, never stored by a job:
//! a request is expired the instant its 24 hours are over.

use chrono::{DateTime, Duration, Utc};

use crate::choice::choice;

pub const EXPIRES_AFTER: Duration = Duration::hours(24);

choice!(
    /// What has been decided about a request (as stored).
    Decision, "decision" {
        Pending = "pending", Approved = "approved", Denied = "denied", Cancelled = "cancelled"
    }
);

choice!(
    /// What a request is at a given instant (as shown): a pending one expires by the clock.
    RequestState, "status" {
        Pending = "pending", Approved = "approved", Denied = "denied", Cancelled = "cancelled",
        Expired = "expired"
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestError {
    /// More than 24 hours old: it can be neither approved nor denied; send a new one.
    Expired,
    /// Already approved, denied or cancelled.
    AlreadyDecided,
}

/// The request's state at `now`, given when it was made and what was decided.
pub fn state(requested_at: DateTime<Utc>, decision: Decision, now: DateTime<Utc>) -> RequestState {
    match decision {
        Decision::Approved => RequestState::Approved,
        Decision::Denied => RequestState::Denied,
        Decision::Cancelled => RequestState::Cancelled,
        Decision::Pending if now >= requested_at + EXPIRES_AFTER => RequestState::Expired,
        Decision::Pending => RequestState::Pending,
    }
}

/// Whether the request may be decided at `now`: approving, denying and cancelling all need a
/// pending request.
pub fn decide(
    requested_at: DateTime<Utc>,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<(), RequestError> {
    match state(requested_at, decision, now) {
        RequestState::Pending => Ok(()),
        RequestState::Expired => Err(RequestError::Expired),
        _ => Err(RequestError::AlreadyDecided),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_request_expires_exactly_24_hours_after_it_was_made() {
        let made = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let just_before = made + EXPIRES_AFTER - Duration::microseconds(1);
        assert_eq!(
            state(made, Decision::Pending, just_before),
            RequestState::Pending
        );
        assert_eq!(decide(made, Decision::Pending, just_before), Ok(()));
        let at_expiry = made + EXPIRES_AFTER;
        assert_eq!(
            state(made, Decision::Pending, at_expiry),
            RequestState::Expired
        );
        assert_eq!(
            decide(made, Decision::Pending, at_expiry),
            Err(RequestError::Expired)
        );
    }

    #[test]
    fn a_decided_request_stays_decided() {
        let made = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let later = made + Duration::days(3);
        for (decision, shown) in [
            (Decision::Approved, RequestState::Approved),
            (Decision::Denied, RequestState::Denied),
            (Decision::Cancelled, RequestState::Cancelled),
        ] {
            assert_eq!(state(made, decision, made), shown);
            assert_eq!(
                state(made, decision, later),
                shown,
                "expiry does not rewrite history"
            );
            assert_eq!(
                decide(made, decision, made),
                Err(RequestError::AlreadyDecided)
            );
        }
    }
}
