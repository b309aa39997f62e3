//! Instants cross into the database as UTC `NaiveDateTime`, truncated to microseconds, so that
//! both backends store and return exactly the same value.

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn to_db(at: DateTime<Utc>) -> NaiveDateTime {
    domain::clock::truncate_to_micros(at).naive_utc()
}

pub fn from_db(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
