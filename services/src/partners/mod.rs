//! The platform's partners.

pub mod platform;
pub mod records;
pub mod summary;
