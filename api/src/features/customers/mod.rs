//! Customer accounts: the record, the listing and its exports, entities, the customer's users
//! and the seats of its licences, assignments of partner users.

pub mod account_export;
pub mod assignments;
pub mod entities;
pub mod exports;
pub mod licences;
pub mod listing;
pub mod records;
pub mod users;
