//! Every operation of the API, registered in one place.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod assignments;
pub mod auth;
pub mod branding;
pub mod catalogues;
pub mod customer_admins;
pub mod customer_listing;
pub mod customers;
pub mod entities;
pub mod exports;
pub mod health;
pub mod invitations;
pub mod me;
pub mod me_settings;
pub mod partner_users;
pub mod partners;
pub mod platform;
pub mod problems;

/// Registers a set of operations; the app and its OpenAPI document are both built from one.
pub type Routes = fn(&mut ServiceConfig);

pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    problems::configure(cfg);
    auth::configure(cfg);
    invitations::configure(cfg);
    me::configure(cfg);
    me_settings::configure(cfg);
    partners::configure(cfg);
    partner_users::configure(cfg);
    platform::configure(cfg);
    catalogues::configure(cfg);
    branding::configure(cfg);
    exports::configure(cfg);
    customer_listing::configure(cfg);
    customers::configure(cfg);
    customer_admins::configure(cfg);
    entities::configure(cfg);
    assignments::configure(cfg);
}
