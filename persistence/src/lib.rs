//! Partner Hub's storage: tables, rows and queries, one module per aggregate. Knows nothing of
//! HTTP; takes and returns plain rows that the API turns into domain types.

pub mod access;
pub mod audit;
pub mod catalogue;
pub mod customer_listing;
pub mod customers;
pub mod db;
pub mod entities;
pub mod outbox;
pub mod partner_kit;
pub mod partners;
pub mod recovery_codes;
pub mod schema;
pub mod sessions;
pub mod time;
pub mod tokens;
pub mod users;

pub use db::{Backend, DatabaseUrl, Db, DbConnection, DbError, PoolOptions, TransactionError};

/// diesel's query error, named here so that callers need not depend on diesel to handle it.
pub type QueryError = diesel::result::Error;

/// Whether a failed insert or update broke a unique constraint (an id or name already taken).
pub fn is_unique_violation(error: &QueryError) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
