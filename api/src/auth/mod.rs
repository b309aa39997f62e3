//! Authentication at the HTTP edge: the `Caller` and `Bearer` extractors that turn a bearer
//! token into who is calling (the checks themselves are `services::identity`).

pub mod caller;

pub use caller::{Bearer, Caller};
