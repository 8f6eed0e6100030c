//! The Retell side of the protocol, for talking to any custom-LLM server (ours or another):
//! `ascendia call`, its `--script` runner, the load generator and the integration tests.

mod connection;
pub mod loadtest;
pub mod persona;
pub mod script;

pub use connection::{
    AgentTurn, CallClient, CallOptions, ClientError, ServerFrame, ToolCallSeen, trusting,
};
