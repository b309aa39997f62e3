//! Delegated access: grants, access requests and the terms both carry.

pub mod grants;
mod request_mail;
pub mod requests;
pub mod terms;
