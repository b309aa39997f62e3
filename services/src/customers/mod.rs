//! Customer accounts: the record, its entities, its admins and assignments.

pub mod admins;
pub mod assignments;
pub mod entities;
pub mod listing;
pub mod record;
pub mod records;
pub mod suspension;
