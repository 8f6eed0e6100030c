//! Ascendia: the brain of AI phone receptionists for dental clinics, serving Retell's
//! custom-LLM WebSocket protocol for many clinics from one server.

pub mod agent;
pub mod booking;
pub mod cli;
pub mod client;
pub mod config;
pub mod http;
pub mod retell;
pub mod retention;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod voice;

pub use http::{AppState, app};
pub use server::Server;
