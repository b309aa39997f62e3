//! Partner Hub's storage: tables, rows and queries, one module per aggregate. Knows nothing of
//! HTTP; takes and returns plain rows that the API turns into domain types.

/// Inserts many rows: on PostgreSQL in multi-row statements of [`db::ROWS_PER_INSERT`] rows
/// (a round trip per row made the demo dataset take minutes), on SQLite a statement per row
/// (in-process, and diesel's SQLite multi-row form cannot write a column's DEFAULT).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        match $conn {
            $crate::DbConnection::Postgres(pg) => {
                for chunk in $rows.chunks($crate::db::ROWS_PER_INSERT) {
                    diesel::insert_into($table).values(chunk).execute(pg)?;
                }
            }
            $crate::DbConnection::Sqlite(sqlite) => {
                for row in $rows {
                    diesel::insert_into($table).values(row).execute(sqlite)?;
                }
            }
        }
        Ok(())
    }};
    // Rows whose fields convert on the way in (`serialize_as`) insert only by value.
    ($conn:expr, $table:expr, $rows:expr, by_value) => {{
        match $conn {
            $crate::DbConnection::Postgres(pg) => {
                for chunk in $rows.chunks($crate::db::ROWS_PER_INSERT) {
                    diesel::insert_into($table)
                        .values(chunk.to_vec())
                        .execute(pg)?;
                }
            }
            $crate::DbConnection::Sqlite(sqlite) => {
                for row in $rows {
                    diesel::insert_into($table)
                        .values(row.clone())
                        .execute(sqlite)?;
                }
            }
        }
        Ok(())
    }};
}

/// Runs `$body` with `$c` bound to the concrete connection inside `$conn`: diesel's
/// `MultiConnection` writes a statement's whole SQL text anew in every pass it makes over it
/// (binds, cacheability, the cache key), a `String` per quoted identifier, which was a quarter
/// of the instructions of switching into a customer. The queries that every request or every
/// switch runs go straight to the backend this way; the body is written once, compiled for both.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Postgres($c) => $body,
            $crate::DbConnection::Sqlite($c) => $body,
        }
    };
}

pub mod access;
pub mod audit;
pub mod catalogue;
pub mod customer_listing;
pub mod customers;
pub mod db;
pub mod entities;
pub mod licences;
pub mod outbox;
pub mod partner_kit;
pub mod partners;
pub mod recovery_codes;
pub mod schema;
pub mod sessions;
pub mod time;
pub mod tokens;
pub mod users;
pub mod word;

pub use db::{
    Backend, DatabaseUrl, Db, DbConnection, DbError, Isolation, PoolOptions, TransactionError,
};

/// diesel's query error, named here so that callers need not depend on diesel to handle it.
pub type QueryError = diesel::result::Error;

/// Whether a failed insert or update broke a unique constraint (an id or name already taken).
pub fn is_unique_violation(error: &QueryError) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
