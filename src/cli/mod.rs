//! Command-line administration that needs the library's internals (the binary stays thin).

pub mod appointments;
pub mod calls;
pub mod messages;
pub mod org;
pub mod user;
