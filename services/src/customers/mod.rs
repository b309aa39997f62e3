//! Customer accounts: the record, its entities, its users and their licences, assignments.

pub mod account_export;
pub mod assignments;
pub mod entities;
pub mod licences;
pub mod listing;
pub mod record;
pub mod records;
pub mod suspension;
pub mod users;
