//! One connection of a clinic's call, as the protocol's `CallHandler`: the clinic's greeting,
//! the call's records, and each turn handed to the clinic's agent with the call's memory.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use super::VoiceApp;
use super::record::Recorded;
use crate::agent::{AgentError, AgentMemory, CallMemory, ClinicCache, Ending, Reply, Turn};
use crate::retell::calls::CallState;
use crate::retell::frames::CallDetails;
use crate::retell::handler::{CallHandler, CallKey, SocketEnd, TurnRequest};
use crate::telemetry::metrics::ActiveCall;
use crate::tenancy::Organization;
use futures_util::future::BoxFuture;

/// What the voice application keeps for one call, across reconnects.
#[derive(Debug, Default)]
pub struct VoiceCall {
    /// The agent's own memory of the call (its dialogue state).
    memory: AgentMemory,
    /// The clinic's settings, read at most once per call.
    clinic: ClinicCache,
    /// Set when a reconnect came from another caller number: the next turn starts the
    /// agent's memory afresh (no identity verified by the earlier caller survives).
    forget_caller: AtomicBool,
}

pub struct VoiceLine {
    app: Arc<VoiceApp>,
    /// As resolved for this connection: a reconnect sees the clinic's latest name and zone.
    org: Arc<Organization>,
    /// This connection's record as it is written, so details and the close land on the row.
    recorded: OnceLock<Recorded>,
    /// Counts the connection in the call metrics until the line is dropped (on every path).
    active: OnceLock<ActiveCall>,
}

impl VoiceLine {
    pub(super) fn new(app: Arc<VoiceApp>, org: Arc<Organization>) -> Self {
        Self {
            app,
            org,
            recorded: OnceLock::new(),
            active: OnceLock::new(),
        }
    }

    /// The connection is served: counts it in (as a new call, or a reconnect).
    pub(super) fn count_in(&self, reconnect: bool) {
        let _ = self
            .active
            .set(ActiveCall::open(self.org.slug.as_str(), reconnect));
    }
}

impl CallHandler for VoiceLine {
    type Call = VoiceCall;
    type Error = AgentError;

    fn name(&self) -> &str {
        self.app.agent.name()
    }

    fn open(&self, _key: &CallKey) -> VoiceCall {
        VoiceCall::default()
    }

    fn greeting(&self) -> String {
        self.org.greeting_line()
    }

    fn connected(&self, call: &Arc<CallState<VoiceCall>>) {
        let recorded = self.app.recorder.connected(self.org.id, call.call_id());
        let _ = self.recorded.set(recorded);
    }

    fn call_details(&self, call: &Arc<CallState<VoiceCall>>, details: &Arc<CallDetails>) {
        self.app.recorder.details(
            self.org.id,
            call.call_id(),
            details,
            self.recorded.get().cloned(),
        );
    }

    fn disconnected(&self, call: &Arc<CallState<VoiceCall>>, how: SocketEnd) {
        if let Some(recorded) = self.recorded.get() {
            self.app
                .recorder
                .closed(self.org.id, call.call_id(), how, recorded.clone());
        }
    }

    fn caller_changed(&self, call: &Arc<CallState<VoiceCall>>) {
        call.app.forget_caller.store(true, Ordering::SeqCst);
    }

    fn answer<'a>(
        &'a self,
        call: &'a Arc<CallState<VoiceCall>>,
        turn: TurnRequest,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        let turn = Turn {
            org: Arc::clone(&self.org),
            call_id: Arc::clone(call.call_id()),
            kind: turn.kind,
            transcript: turn.transcript,
            reminders_in_a_row: turn.reminders_in_a_row,
            call: turn.details,
            now: chrono::Utc::now(),
            scheduler: self.app.scheduler.clone(),
            call_log: self.app.call_log.clone(),
            memory: Arc::clone(&call.app.memory),
            clinic: Arc::clone(&call.app.clinic),
        };
        let forget = call.app.forget_caller.swap(false, Ordering::SeqCst);
        reply.set_agent(self.app.agent.name());
        Box::pin(async move {
            if forget {
                *turn.memory.lock().await = CallMemory::default();
            }
            let ending = self.app.agent.respond(turn, reply).await;
            if let (Ok(ending @ (Ending::EndCall | Ending::Transfer(_))), Some(active)) =
                (&ending, self.active.get())
            {
                active.ended_by_agent(matches!(ending, Ending::Transfer(_)));
            }
            ending
        })
    }
}
