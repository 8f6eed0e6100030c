//! Retell's custom-LLM WebSocket protocol: frames, the per-call session, the single writer and
//! the response guard. It knows nothing of clinics, agents or storage: the application behind
//! it implements `handler::CallHandler`.

pub mod calls;
pub mod drain;
pub mod frames;
pub mod handler;
pub mod reply;
pub mod session;
#[cfg(test)]
mod session_tests;
pub mod signature;
pub mod unserved;
pub mod writer;
