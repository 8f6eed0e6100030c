//! The clinics as the running server sees them: an in-memory registry the connect path reads
//! without touching the database, reloaded when clinics change, and Booking API key lookup;
//! and whether a clinic is ready to take calls.

pub mod readiness;
mod registry;

pub use registry::{OrgRegistry, Resolution, Snapshot};
