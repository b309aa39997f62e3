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
/// tries up to 18 formats with `parse_from_str`, each parsed again from its strftime text — 12 %
/// of a listing page's CPU went there. This reads the one format diesel writes with chrono's
/// items compiled in, and hands anything else to diesel's reader; PostgreSQL's binary values go
/// to diesel's reader directly. Used as `#[diesel(deserialize_as = Fast<…>)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct Fast<T>(pub T);

mod fast {
    use chrono::format::{self, Fixed, Item, Numeric, Pad, Parsed};
    use chrono::{NaiveDate, NaiveDateTime};
    use diesel::deserialize::{self, FromSql};
    use diesel::pg::Pg;
    use diesel::sql_types::{Date, Nullable, Timestamp};
    use diesel::sqlite::{Sqlite, SqliteValue};

    use super::Fast;

    type Multi = <crate::DbConnection as diesel::Connection>::Backend;
    type MultiValue<'a> = <Multi as diesel::backend::Backend>::RawValue<'a>;

    /// `%Y-%m-%d %H:%M:%S%.f`, how diesel writes a timestamp into SQLite.
    const SQLITE_TIMESTAMP: &[Item<'static>] = &[
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
        Item::Literal(" "),
        Item::Numeric(Numeric::Hour, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Minute, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Second, Pad::Zero),
        Item::Fixed(Fixed::Nanosecond),
    ];

    fn timestamp(text: &str) -> Option<NaiveDateTime> {
        let mut parsed = Parsed::new();
        format::parse(&mut parsed, text, SQLITE_TIMESTAMP.iter()).ok()?;
        parsed.to_naive_datetime_with_offset(0).ok()
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
            // `NaiveDate`'s `FromStr` has its items compiled in; `parse_from_str` does not.
            if let Ok(day) = value.read_text().parse() {
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

            impl FromSql<Nullable<$sql>, Multi> for Fast<Option<$rust>> {
                fn from_sql(value: MultiValue<'_>) -> deserialize::Result<Self> {
                    value
                        .from_sql::<Fast<$rust>, $sql>()
                        .map(|Fast(v)| Fast(Some(v)))
                }

                fn from_nullable_sql(value: Option<MultiValue<'_>>) -> deserialize::Result<Self> {
                    value.map_or(Ok(Fast(None)), Self::from_sql)
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

        use chrono::Timelike;
    }
}
