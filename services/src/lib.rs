//! Partner Hub's use cases. Each runs inside one transaction it is given, asks
//! `domain::policy`, reads and writes only within the caller's tenant, and writes its audit rows
//! and outbox messages in that same transaction. Nothing here knows HTTP: the adapter (`api`)
//! authenticates, converts its input and maps [`ServiceError`] to a status.

pub mod access;
pub mod audit;
pub mod branding;
pub mod caller;
pub mod catalogues;
pub mod customers;
pub mod error;
pub mod identity;
pub mod lane;
pub mod mail;
pub mod partner_kit;
pub mod partners;
pub mod settings;
pub mod tenancy;
pub mod users;

pub use caller::{Caller, RequestMeta};
pub use error::{ErrorCode, FieldError, Fields, ServiceError};
pub use settings::Settings;
