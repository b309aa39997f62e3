//! The users of every account: the one invitation flow, and the members of an account.

pub mod members;
pub mod onboarding;
pub mod partner_users;
