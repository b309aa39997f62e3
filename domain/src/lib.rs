//! Partner Hub's product rules, free of I/O.
//!
//! Nothing in this crate may depend on diesel, actix-web or tokio (a test in `tests/` walks
//! `Cargo.lock` to keep it so): the rules must be testable and reusable on their own.

pub mod access;
pub mod catalogue;
pub mod choice;
pub mod clock;
pub mod customer;
pub mod entity;
pub mod files;
pub mod ids;
pub mod notifications;
pub mod partner_users;
pub mod password;
pub mod policy;
pub mod request;
pub mod role;
