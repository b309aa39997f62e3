//! Times and days in JSON answers, written exactly as chrono's `Serialize` writes them (RFC 3339
//! with `Z`, fractions of a second as `SecondsFormat::AutoSi`; `YYYY-MM-DD`). chrono's own goes
//! through `collect_str`, which escapes its output a character at a time, and formatting with
//! chrono into a `String` first costs the `fmt` machinery and an allocation per value — both
//! showed in the listing's profile. The digits are put into a buffer on the stack; years outside
//! 0–9999 and leap seconds, which chrono writes in forms of their own, still go through chrono.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// The longest time written here: `YYYY-MM-DDTHH:MM:SS.fffffffffZ`.
const LONGEST: usize = 30;

pub fn timestamp<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut text = [0; LONGEST];
    match rfc3339(at, &mut text) {
        Some(len) => serializer.serialize_str(ascii(&text[..len])),
        None => serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

pub fn optional_timestamp<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => timestamp(at, serializer),
        None => serializer.serialize_none(),
    }
}

pub fn optional_day<S: Serializer>(
    day: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut text = [0; 10];
    match day {
        Some(day) if write_day(*day, &mut text) => serializer.serialize_str(ascii(&text)),
        Some(day) => serializer.serialize_str(&day.to_string()),
        None => serializer.serialize_none(),
    }
}

/// Writes `at` into `text`, returning its length; `None` where chrono's own form differs.
fn rfc3339(at: &DateTime<Utc>, text: &mut [u8; LONGEST]) -> Option<usize> {
    let time = at.time();
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 || !write_day(at.date_naive(), &mut text[..10]) {
        return None;
    }
    text[10] = b'T';
    digits(&mut text[11..13], time.hour());
    text[13] = b':';
    digits(&mut text[14..16], time.minute());
    text[16] = b':';
    digits(&mut text[17..19], time.second());
    let mut len = 19;
    let fraction = match nanos {
        0 => None,
        n if n % 1_000_000 == 0 => Some((n / 1_000_000, 3)),
        n if n % 1_000 == 0 => Some((n / 1_000, 6)),
        n => Some((n, 9)),
    };
    if let Some((value, width)) = fraction {
        text[len] = b'.';
        digits(&mut text[len + 1..len + 1 + width], value);
        len += 1 + width;
    }
    text[len] = b'Z';
    Some(len + 1)
}

/// `YYYY-MM-DD` into `text` (10 bytes); false for a year outside 0–9999.
fn write_day(day: NaiveDate, text: &mut [u8]) -> bool {
    let Ok(year) = u32::try_from(day.year()) else {
        return false;
    };
    if year > 9999 {
        return false;
    }
    digits(&mut text[0..4], year);
    text[4] = b'-';
    digits(&mut text[5..7], day.month());
    text[7] = b'-';
    digits(&mut text[8..10], day.day());
    true
}

/// `value` in decimal, padded with zeros to the width of `text`.
fn digits(text: &mut [u8], mut value: u32) {
    for slot in text.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn ascii(text: &[u8]) -> &str {
    // Only digits and separators were written: this never fails.
    std::str::from_utf8(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "timestamp")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "optional_timestamp")]
        maybe_at: Option<DateTime<Utc>>,
        #[serde(serialize_with = "optional_day")]
        day: Option<NaiveDate>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe_at: Option<DateTime<Utc>>,
        day: Option<NaiveDate>,
    }

    fn both(at: DateTime<Utc>, day: Option<NaiveDate>) {
        for (maybe_at, day) in [(Some(at), day), (None, None)] {
            assert_eq!(
                serde_json::to_string(&Ours { at, maybe_at, day }).unwrap(),
                serde_json::to_string(&Chronos { at, maybe_at, day }).unwrap()
            );
        }
    }

    #[test]
    fn the_json_is_chronos_own() {
        let second = Utc.with_ymd_and_hms(2026, 11, 29, 18, 4, 5).unwrap();
        let day = NaiveDate::from_ymd_opt(2027, 1, 31);
        for nanos in [
            0,
            1_000_000,
            120_000_000,
            123_456_000,
            1,
            999_999_999,
            5_000,
        ] {
            both(second + chrono::Duration::nanoseconds(nanos), day);
        }
        assert_eq!(
            serde_json::to_value(Ours {
                at: second,
                maybe_at: None,
                day
            })
            .unwrap(),
            serde_json::json!({"at": "2026-11-29T18:04:05Z", "maybe_at": null, "day": "2027-01-31"})
        );
    }

    #[test]
    fn chronos_own_forms_at_the_edges() {
        // Years outside 0–9999 are signed in chrono's forms; a leap second reads `:60`.
        for year in [-1, 0, 1, 999, 9999, 10_000, 262_000] {
            let at = Utc.with_ymd_and_hms(year, 1, 2, 3, 4, 5).unwrap();
            both(at, Some(at.date_naive()));
        }
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        both(leap, None);
        assert!(
            serde_json::to_string(&Ours {
                at: leap,
                maybe_at: None,
                day: None
            })
            .unwrap()
            .contains(":60.5")
        );
    }

    #[test]
    fn every_kind_of_instant_matches() {
        // A deterministic walk over seconds, fractions and days of many years.
        let mut at = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        for step in 0..20_000_i64 {
            at += chrono::Duration::nanoseconds(step * 7_919_000_003 + step * step * 86_400_017);
            both(at, Some(at.date_naive()));
        }
    }
}
