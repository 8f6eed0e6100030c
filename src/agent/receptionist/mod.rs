//! The built-in receptionist: a deterministic dialogue manager over the shared tools. It needs
//! no network, understands speech as Retell transcribes it, offers two or three concrete
//! times, reads back and asks before booking, and streams each sentence as it is ready.

mod dialogue;
mod hear;
mod numbers;
pub mod smalltalk;

use futures_util::future::BoxFuture;

pub use dialogue::Dialogue;
pub use hear::{DayPart, Heard, Intent, hear};

use super::{Agent, AgentError, Ending, Reply, Turn};

pub struct Receptionist;

impl Agent for Receptionist {
    fn name(&self) -> &'static str {
        "receptionist"
    }

    fn respond<'a>(
        &'a self,
        turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            // Held for the turn: a superseded turn ends (and drops it) before the next reads.
            let mut memory = turn.memory.lock().await;
            let mut dialogue = memory
                .as_ref()
                .and_then(|m| m.downcast_ref::<Dialogue>())
                .cloned()
                .unwrap_or_default();
            let ending = dialogue.respond(&turn, reply).await;
            *memory = Some(Box::new(dialogue));
            ending
        })
    }
}
