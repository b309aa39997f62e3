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

/// A date or timestamp column as the listing reads it, many to a page: diesel's SQLite reader
/// tries up to 18 formats with `parse_from_str`, each parsed again from its strftime text, a
/// large share of a listing page's CPU. This reads the one format diesel writes by position, and
/// hands anything else to diesel's reader; PostgreSQL's binary values go to diesel's reader
/// directly. Used as `#[diesel(deserialize_as = Fast<…>)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct Fast<T>(pub T);

mod fast {
    use chrono::{NaiveDate, NaiveDateTime};
    use diesel::deserialize::{self, FromSql};
    use diesel::pg::Pg;
    use diesel::sql_types::{Date, Nullable, Timestamp};
    use diesel::sqlite::{Sqlite, SqliteValue};

    use super::Fast;

    type Multi = <crate::DbConnection as diesel::Connection>::Backend;
    type MultiValue<'a> = <Multi as diesel::backend::Backend>::RawValue<'a>;

    /// The number the ASCII digits spell; `None` if any byte is not a digit.
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    }

    /// `%Y-%m-%d`, how diesel writes a date into SQLite, read by position: chrono's general
    /// parser (even with its items compiled in) took a tenth of a listing page's instructions
    /// for the three times and two dates of each row. Anything else is `None`, for diesel's
    /// reader; chrono still checks the values.
    fn day(text: &[u8]) -> Option<NaiveDate> {
        match text {
            [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => NaiveDate::from_ymd_opt(
                i32::try_from(number(y)?).ok()?,
                number(&[*m1, *m2])?,
                number(&[*d1, *d2])?,
            ),
            _ => None,
        }
    }

    /// `%Y-%m-%d %H:%M:%S%.f`, how diesel writes a timestamp into SQLite, read the same way.
    fn timestamp(text: &str) -> Option<NaiveDateTime> {
        let text = text.as_bytes();
        let (date, time, fraction) = (text.get(..10)?, text.get(10..19)?, &text[19..]);
        let [b' ', h1, h2, b':', m1, m2, b':', s1, s2] = *time else {
            return None;
        };
        let nanos = match fraction {
            [] => 0,
            [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
                number(digits)? * 10u32.pow(9 - u32::try_from(digits.len()).ok()?)
            }
            _ => return None,
        };
        day(date)?.and_hms_nano_opt(
            number(&[h1, h2])?,
            number(&[m1, m2])?,
            number(&[s1, s2])?,
            nanos,
        )
    }

    impl FromSql<Timestamp, Sqlite> for Fast<NaiveDateTime> {
        fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            if let Some(at) = timestamp(value.read_text()) {
                return Ok(Fast(at));
            }
            <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Fast)
        }
    }

    impl FromSql<Date, Sqlite> for Fast<NaiveDate> {
        fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            if let Some(day) = day(value.read_text().as_bytes()) {
                return Ok(Fast(day));
            }
            <NaiveDate as FromSql<Date, Sqlite>>::from_sql(value).map(Fast)
        }
    }

    macro_rules! through_diesel_and_both_backends {
        ($rust:ty, $sql:ty) => {
            impl FromSql<$sql, Pg> for Fast<$rust> {
                fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
                    <$rust as FromSql<$sql, Pg>>::from_sql(value).map(Fast)
                }
            }

            impl FromSql<$sql, Multi> for Fast<$rust> {
                fn from_sql(value: MultiValue<'_>) -> deserialize::Result<Self> {
                    value.from_sql::<Self, $sql>()
                }
            }

            impl From<Fast<$rust>> for $rust {
                fn from(Fast(value): Fast<$rust>) -> $rust {
                    value
                }
            }

            impl From<Fast<Option<$rust>>> for Option<$rust> {
                fn from(Fast(value): Fast<Option<$rust>>) -> Option<$rust> {
                    value
                }
            }
        };
    }

    /// A nullable column on any backend (`MultiConnection` or the concrete connections).
    impl<T, ST, DB> FromSql<Nullable<ST>, DB> for Fast<Option<T>>
    where
        DB: diesel::backend::Backend,
        Fast<T>: FromSql<ST, DB>,
    {
        fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
            <Fast<T> as FromSql<ST, DB>>::from_sql(value).map(|Fast(v)| Fast(Some(v)))
        }

        fn from_nullable_sql(value: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
            value.map_or(Ok(Fast(None)), Self::from_sql)
        }
    }

    through_diesel_and_both_backends!(NaiveDateTime, Timestamp);
    through_diesel_and_both_backends!(NaiveDate, Date);

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn sqlite_timestamps_read_as_diesel_writes_them() {
            let at = NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.and_hms_micro_opt(8, 29, 7, 745_137))
                .unwrap();
            assert_eq!(timestamp("2026-11-29 08:29:07.745137"), Some(at));
            assert_eq!(
                timestamp("2026-11-29 08:29:07"),
                Some(at.with_nanosecond(0).unwrap())
            );
            assert_eq!(timestamp("2026-11-29T08:29:07"), None);
            assert_eq!(timestamp("2026-11-29 08:29:07.745137 trailing"), None);
        }

        #[test]
        fn what_is_read_by_position_is_what_chrono_reads() {
            for text in [
                "2026-11-29 08:29:07.745137",
                "2026-11-29 08:29:07.1",
                "2026-11-29 08:29:07.123456789",
                "0001-01-01 00:00:00",
                "9999-12-31 23:59:59.999999",
                "2028-02-29 12:00:00",
            ] {
                let chrono = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok();
                assert_eq!(timestamp(text), chrono, "{text}");
                assert!(chrono.is_some(), "{text}");
                let date = &text[..10];
                assert_eq!(day(date.as_bytes()), date.parse().ok(), "{date}");
            }
            // Not the written form, or not a real instant: left to diesel's reader, which
            // refuses what is not a date.
            for text in [
                "2027-02-29 12:00:00",
                "2026-13-01 00:00:00",
                "2026-11-29 24:00:00",
                "2026-11-29 08:29:07.",
                "2026-11-29 08:29:07.1234567890",
                "2026-11-29 08:29:7",
                "2026-11-2a 08:29:07",
                "+2026-11-29 08:29:07",
                "2026/11/29 08:29:07",
            ] {
                assert_eq!(timestamp(text), None, "{text}");
            }
            for text in ["2026-11-29x", "2026-1-29", "20261129", "-202-11-29", ""] {
                assert_eq!(day(text.as_bytes()), None, "{text}");
            }
        }

        use chrono::Timelike;
    }
}
