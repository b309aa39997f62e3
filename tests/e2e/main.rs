//! Every end-to-end test, in one binary so that it links once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod architecture;
mod at_rest;
mod audit_chain;
mod authz_matrix;
mod branding;
mod catalogues;
mod customer_listing;
mod customer_users;
mod customers;
mod database;
mod demo;
mod email;
mod entities;
mod errors;
mod exports;
mod health;
mod identity;
mod key_rotation;
mod logs;
mod openapi;
mod partner_account;
mod partner_users;
mod partners;
mod profile;
