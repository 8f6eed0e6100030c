//! Ascendia: the brain of AI phone receptionists for dental clinics, serving Retell's
//! custom-LLM WebSocket protocol for many clinics from one server.
//!
//! The layers, each using only those below it:
//!
//! - edges: [`http`] (routes), [`cli`], [`server`] (builds everything), [`client`] (Retell's
//!   side, for `ascendia call` and the tests);
//! - the voice application: [`voice`] (a call's clinic, agent and record) over [`retell`]
//!   (the protocol engine, which knows nothing of clinics) and [`agent`] (the receptionists
//!   and their tools);
//! - services, the only way the layers above reach data: [`booking::Scheduler`] (the booking
//!   rules) and [`booking::setup`], [`calls::CallLog`], [`clinics`] (the registry the connect
//!   path reads), [`retention`];
//! - [`store`]: persistence, one set of SQL for SQLite and PostgreSQL;
//! - the domain, validated values and pure rules: [`tenancy`], the booking model and
//!   availability in [`booking`], call records in [`calls::model`].

pub mod agent;
pub mod booking;
pub mod calls;
pub mod cli;
pub mod client;
pub mod clinics;
pub mod config;
pub mod http;
pub mod retell;
pub mod retention;
pub mod server;
pub mod staff;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod voice;

pub use http::{AppState, app};
pub use server::Server;
