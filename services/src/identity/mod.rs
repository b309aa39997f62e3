//! Who someone is: passwords, TOTP, opaque tokens and sealed secrets, access tokens, and the
//! session check behind every authenticated request.

pub mod enrolment;
pub mod jwt;
pub mod keyring;
pub mod password;
pub mod password_reset;
pub mod profile;
pub mod rotation;
pub mod secrets;
pub mod session;
pub mod sessions;
pub mod totp;

use domain::ids::AccountKind;
use persistence::{DbConnection, customers, partners};

use crate::error::ServiceError;

/// Whether the account a user belongs to lets its users in now (`AccountKind::lets_users_in`
/// is the rule; this reads the flag it needs).
pub fn account_lets_in(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: &str,
) -> Result<bool, ServiceError> {
    let flag = match kind {
        AccountKind::Platform => None,
        AccountKind::Partner => partners::active_flag(conn, account_id)?,
        AccountKind::Customer => customers::lets_users_in(conn, account_id)?,
    };
    Ok(kind.lets_users_in(flag))
}
