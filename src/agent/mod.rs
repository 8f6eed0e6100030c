//! What the agent behind the protocol must do. The session gives it a `Turn` and a `Reply`;
//! the agent streams sentences into the reply and says how the turn ends.

pub mod llm;
pub mod receptionist;
mod router;
pub mod tools;
pub mod understand;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

pub use llm::LlmMemory;
pub use receptionist::{Receptionist, ReceptionistMemory};
pub use router::AgentRouter;

use crate::booking::{ClinicSettings, Scheduler};
use crate::calls::CallLog;
use crate::retell::frames::{CallDetails, Role, Utterance};
pub use crate::retell::handler::TurnKind;
pub use crate::retell::reply::{Ending, Reply};
use crate::retell::writer::Disconnected;
use crate::tenancy::Organization;

/// What the agent answering a call keeps between its turns. A call that moves to the other
/// agent (its clinic switched agents mid-call) starts that agent's memory afresh. Boxed: an
/// idle call holds only a pointer.
#[derive(Debug, Default)]
pub enum CallMemory {
    #[default]
    Empty,
    Receptionist(Box<ReceptionistMemory>),
    Llm(Box<LlmMemory>),
}

/// The call's memory, held for a whole turn, so a superseded turn is gone before the next one
/// reads it; kept across reconnects, evicted with the call.
pub type AgentMemory = Arc<tokio::sync::Mutex<CallMemory>>;

/// Everything an agent may use to answer one request.
#[derive(Clone)]
pub struct Turn {
    pub org: Arc<Organization>,
    pub call_id: Arc<str>,
    pub kind: TurnKind,
    pub transcript: Arc<Vec<Utterance>>,
    /// Reminders since the caller last spoke (1 on the first reminder).
    pub reminders_in_a_row: u32,
    pub call: Option<Arc<CallDetails>>,
    pub now: DateTime<Utc>,
    /// The booking engine, for this call's clinic only through the tools.
    pub scheduler: Scheduler,
    /// Where the tools' calls are recorded.
    pub call_log: CallLog,
    pub memory: AgentMemory,
    /// The clinic's settings, read at most once per call.
    pub clinic: ClinicCache,
}

pub type ClinicCache = Arc<tokio::sync::OnceCell<Arc<ClinicSettings>>>;

impl Turn {
    /// The clinic's settings (agent choice, wording, model), cached for the call; on a
    /// database error, the defaults, not cached.
    pub async fn clinic_settings(&self) -> Arc<ClinicSettings> {
        let loaded = self
            .clinic
            .get_or_try_init(|| async { self.scheduler.settings(&self.org).await.map(Arc::new) })
            .await;
        match loaded {
            Ok(settings) => Arc::clone(settings),
            Err(err) => {
                tracing::warn!(call_id = %self.call_id, error = %err, "could not read the clinic's settings; using the defaults");
                Arc::new(ClinicSettings::default())
            }
        }
    }
}

impl Turn {
    pub fn last_user_utterance(&self) -> Option<&str> {
        self.transcript
            .iter()
            .rev()
            .find(|u| u.role == Role::User)
            .map(|u| u.content.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Disconnected(#[from] Disconnected),
    #[error("agent failed: {0}")]
    Failed(String),
}

pub trait Agent: Send + Sync + 'static {
    /// A short name for logs and settings.
    fn name(&self) -> &'static str;

    /// Answers one `response_required` or `reminder_required`. The session completes the
    /// response if this returns an error, times out, is superseded or panics.
    fn respond<'a>(
        &'a self,
        turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>>;
}
