//! Who someone is: logging in and out, invitations and enrolment, one's own profile and
//! sessions, and switching into a customer.

pub mod auth;
pub mod invitations;
pub mod me;
pub mod me_settings;
pub mod switch;
