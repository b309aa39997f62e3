//! Authentication: passwords, TOTP, opaque tokens, access tokens, and the `Caller` extractor
//! that turns a bearer token into who is calling.

pub mod caller;
pub mod jwt;
pub mod password;
pub mod secrets;
pub mod totp;

pub use caller::{Bearer, Caller};

use domain::ids::AccountKind;
use persistence::{DbConnection, customers, partners};

use crate::error::ApiError;

/// Whether the account a user belongs to lets its users in now (`AccountKind::lets_users_in`
/// is the rule; this reads the flag it needs).
pub fn account_lets_in(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: &str,
) -> Result<bool, ApiError> {
    let flag = match kind {
        AccountKind::Platform => None,
        AccountKind::Partner => partners::active_flag(conn, account_id)?,
        AccountKind::Customer => customers::active_flag(conn, account_id)?,
    };
    Ok(kind.lets_users_in(flag))
}
