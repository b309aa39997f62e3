//! Authentication: passwords, TOTP, opaque tokens, access tokens, and the `Caller` extractor
//! that turns a bearer token into who is calling.

pub mod caller;
pub mod jwt;
pub mod password;
pub mod secrets;
pub mod totp;

pub use caller::Caller;

use persistence::{DbConnection, customers, partners};

use crate::error::ApiError;

/// Whether the account a user belongs to lets its users in: an inactive partner or customer
/// stops every login and session of its users (the platform is always active).
pub fn account_active(
    conn: &mut DbConnection,
    account_kind: &str,
    account_id: &str,
) -> Result<bool, ApiError> {
    Ok(match account_kind {
        "partner" => partners::is_active(conn, account_id)?,
        "customer" => customers::is_active(conn, account_id)?,
        _ => true,
    })
}
