//! Every end-to-end test, in one binary so that it links once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod database;
mod email;
mod errors;
mod health;
mod identity;
mod logs;
mod openapi;
mod partner_users;
mod profile;
