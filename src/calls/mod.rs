//! The call log: each call's connections, Retell's record of it (from webhooks), and the tools
//! our agents ran in it. `CallLog` is the only way the voice application, the agents' tools,
//! the webhook, the calls API and retention reach call records.

mod log;
pub mod model;

pub use log::{CallLog, Filed, Signer};
pub use model::{
    CallDetail, CallEvent, CallFacts, CallMetadata, CallRecord, CallSummary, LabBooking, LabCall,
    ToolCallRecord,
};
