//! The service itself: health probes and the catalogue of problem types.

pub mod health;
pub mod problems;
