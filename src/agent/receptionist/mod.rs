//! The built-in receptionist: a deterministic dialogue over the shared tools. It needs no
//! network, understands speech as Retell transcribes it (`agent::understand`), offers two or
//! three concrete times, reads back and books only after the caller's yes, and streams each
//! sentence as it is ready.
//!
//! The dialogue is a state machine: `state` holds what is known and the question pending
//! (`Phase`), `step` turns one event into commands, the `flow_*` modules hold each task's
//! steps, and `executor` runs the commands against the tools. A new intent is a lexicon row in
//! `understand`, a flow module, and an arm in `step`.

pub mod executor;
mod flow_book;
mod flow_handoff;
mod flow_identify;
mod flow_manage;
mod languages;
pub mod state;
pub mod step;
mod wording;

use std::sync::Arc;

use futures_util::future::BoxFuture;

pub use executor::{RetellVoice, Tools, Voice};
pub use state::{Dialogue, Facts};
pub use step::{Command, Event};

use super::tools::contract::{OfficeInfo, ToolCall, ToolResult};
use super::tools::{self, CallGuard, ToolContext, ToolError, ToolOutput};
use super::understand::{self, Context};
use super::{Agent, AgentError, CallMemory, Ending, Reply, Turn, TurnKind};
use crate::booking::PhoneNumber;

pub struct Receptionist;

/// What the receptionist keeps for one call.
#[derive(Debug, Clone, Default)]
pub struct ReceptionistMemory {
    dialogue: Dialogue,
    guard: CallGuard,
    office: Option<Arc<OfficeInfo>>,
}

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
            let mut slot = turn.memory.lock().await;
            // A copy: a turn cut short (superseded) leaves the memory as it was.
            let mut memory = match &*slot {
                CallMemory::Receptionist(memory) => ReceptionistMemory::clone(memory),
                _ => ReceptionistMemory::default(),
            };
            let ending = respond(&turn, reply, &mut memory).await;
            *slot = CallMemory::Receptionist(Box::new(memory));
            ending
        })
    }
}

/// The real tools, for the call's clinic and caller.
struct LiveTools<'t> {
    turn: &'t Turn,
    caller: Option<PhoneNumber>,
    guard: &'t mut CallGuard,
}

impl Tools for LiveTools<'_> {
    fn call<'a>(
        &'a mut self,
        request: &'a ToolCall,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolError>> {
        Box::pin(async move {
            let mut ctx = ToolContext {
                scheduler: &self.turn.scheduler,
                call_log: &self.turn.call_log,
                org: &self.turn.org,
                call_id: &self.turn.call_id,
                caller: self.caller.clone(),
                now: self.turn.now,
                transcript: &self.turn.transcript,
                guard: self.guard,
            };
            let started = std::time::Instant::now();
            let result = tools::call(&mut ctx, request).await;
            tracing::debug!(call_id = %self.turn.call_id, tool = request.name(), ok = result.is_ok(), elapsed_us = started.elapsed().as_micros() as u64, "tool call");
            result
        })
    }
}

async fn respond(
    turn: &Turn,
    reply: &mut Reply,
    memory: &mut ReceptionistMemory,
) -> Result<Ending, AgentError> {
    let caller = turn
        .call
        .as_ref()
        .and_then(|c| c.from_number.as_deref())
        .and_then(|n| PhoneNumber::parse(n).ok());
    let settings = turn.clinic_settings().await;
    let mut tools = LiveTools {
        turn,
        caller: caller.clone(),
        guard: &mut memory.guard,
    };
    let office = match &memory.office {
        Some(office) => Arc::clone(office),
        None => match tools.call(&ToolCall::OfficeInfo).await {
            Ok(ToolOutput {
                result: ToolResult::Office(office),
                ..
            }) => {
                let office = Arc::new(office);
                memory.office = Some(Arc::clone(&office));
                office
            }
            _ => {
                tracing::warn!(call_id = %turn.call_id, "could not read the clinic's office information");
                reply.say("I'm sorry, I can't reach our schedule right now. Please call back in a few minutes. ")?;
                return Ok(Ending::Continue);
            }
        },
    };
    let local = turn.org.time_zone.local(turn.now);
    let facts = Facts {
        clinic: turn.org.name.clone(),
        today: local.date_naive(),
        now: local.naive_local(),
        caller,
        phrases: settings.phrases.clone(),
        office,
        languages: settings.languages.clone(),
    };
    let event = match turn.kind {
        TurnKind::Reminder => Event::Silence {
            in_a_row: turn.reminders_in_a_row,
        },
        TurnKind::Response => {
            let said = turn.last_user_utterance().unwrap_or("");
            let providers: Vec<String> = facts
                .office
                .providers
                .iter()
                .map(|p| p.name.clone())
                .collect();
            let ctx = Context {
                today: facts.today,
                expecting: memory.dialogue.phase.expecting(&memory.dialogue.identity),
                providers: &providers,
            };
            Event::Heard(Box::new(understand::hear(said, &ctx)))
        }
    };
    let mut voice = RetellVoice {
        reply,
        call_id: &turn.call_id,
        tool_call_id: None,
    };
    executor::run(&mut memory.dialogue, event, &facts, &mut tools, &mut voice).await
}
