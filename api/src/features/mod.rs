//! Every operation of the API, by feature, registered in one place. A feature module holds its
//! handlers and their request and answer types; the work itself is `services`'. No feature
//! imports another (a test in `tests/e2e/architecture.rs` keeps it so).

use crate::routes::Registry;

pub mod access;
pub mod audit;
pub mod branding;
pub mod catalogues;
pub mod customers;
pub mod identity;
pub mod partner_kit;
pub mod partners;
pub mod system;

/// The router tries each route in this order (a pattern with `{…}` costs a regex match), so the
/// routes partners call all day come first.
pub fn configure(cfg: &mut Registry) {
    customers::listing::configure(cfg);
    customers::exports::configure(cfg);
    customers::account_export::configure(cfg);
    system::health::configure(cfg);
    identity::auth::configure(cfg);
    identity::switch::configure(cfg);
    system::problems::configure(cfg);
    identity::invitations::configure(cfg);
    identity::me::configure(cfg);
    identity::me_settings::configure(cfg);
    partners::records::configure(cfg);
    partners::summary::configure(cfg);
    partners::partner_users::configure(cfg);
    partners::platform::configure(cfg);
    catalogues::configure(cfg);
    branding::configure(cfg);
    customers::records::configure(cfg);
    customers::users::configure(cfg);
    customers::licences::configure(cfg);
    customers::entities::configure(cfg);
    customers::assignments::configure(cfg);
    access::grants::configure(cfg);
    access::requests::configure(cfg);
    audit::configure(cfg);
    partner_kit::configure(cfg);
}
