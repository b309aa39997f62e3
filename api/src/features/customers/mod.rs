//! Customer accounts: the record, the listing and its exports, entities, customer admins and
//! assignments of partner users.

pub mod admins;
pub mod assignments;
pub mod entities;
pub mod exports;
pub mod listing;
pub mod records;
