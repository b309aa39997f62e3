//! Instants cross into the database as UTC `NaiveDateTime`, truncated to microseconds, so that
//! both backends store and return exactly the same value.

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    domain::clock::truncate_to_micros(at).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// Whether both backends can store and compare `at` (years 1 to 9999): an instant outside is a
/// client's mistake, to be refused before it reaches a query.
pub fn storable(at: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (1..=9999).contains(&at.year())
}
