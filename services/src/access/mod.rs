//! Delegated access: grants, access requests and the terms both carry.

pub mod terms;
