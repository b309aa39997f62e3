pub mod db;
pub mod schema;

pub use db::{Backend, DatabaseUrl, Db, DbConnection, DbError, PoolOptions, TransactionError};

/// diesel's query error, named here so that callers need not depend on diesel to handle it.
pub type QueryError = diesel::result::Error;
