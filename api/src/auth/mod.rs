//! Authentication: passwords, TOTP, opaque tokens, access tokens, and the `Caller` extractor
//! that turns a bearer token into who is calling.

pub mod caller;
pub mod jwt;
pub mod password;
pub mod secrets;
pub mod totp;

pub use caller::Caller;
