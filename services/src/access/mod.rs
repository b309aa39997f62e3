//! Delegated access: grants, access requests and the terms both carry.

pub mod grants;
pub mod requests;
pub mod terms;
