//! Delegated access: access grants and access requests.

mod dto;
pub mod grants;
pub mod requests;
