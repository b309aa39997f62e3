//! The platform's partners, their users, and the platform's own admins.

pub mod partner_users;
pub mod platform;
pub mod records;
pub mod summary;
