//! The clinics as the running server sees them: an in-memory registry the connect path reads
//! without touching the database, reloaded when clinics change, and Booking API key lookup.

mod registry;

pub use registry::{OrgRegistry, Resolution, Snapshot};
