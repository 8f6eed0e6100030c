//! Retell's custom-LLM WebSocket protocol: frames, the per-call session, the single writer and
//! the response guard.

pub mod calls;
pub mod drain;
pub mod frames;
pub mod reply;
pub mod session;
pub mod signature;
pub mod writer;
