//! The voice application: what a Retell call means to Ascendia. It resolves the clinic from
//! the URL (the tenancy registry), hands each turn to the clinic's agent, records the call,
//! and keeps each call's typed state. The protocol engine (`crate::retell`) drives it through
//! `CallHandler`, implemented by `line::VoiceLine`.

mod line;
mod record;

use std::sync::Arc;

use crate::agent::Agent;
use crate::booking::Scheduler;
use crate::calls::CallLog;
use crate::clinics::{OrgRegistry, Resolution};
use crate::retell::calls::CallRegistry;
use crate::retell::handler::CallKey;
use crate::retell::session::{Session, SessionSettings};

pub use line::{VoiceCall, VoiceLine};
pub use record::CallRecorder;

/// Every call this server has state for, with the voice application's part of it.
pub type VoiceCalls = CallRegistry<VoiceCall>;

pub struct VoiceApp {
    registry: Arc<OrgRegistry>,
    agent: Arc<dyn Agent>,
    scheduler: Scheduler,
    recorder: CallRecorder,
    call_log: CallLog,
    calls: Arc<VoiceCalls>,
    session: SessionSettings,
}

/// What a connection to `/llm-websocket/…` gets.
pub enum Connect {
    /// A clinic answers: run this session on the socket.
    Serve(Session<VoiceLine>),
    /// No clinic serves this line: the caller hears it is not set up.
    Refuse { call_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("use /llm-websocket/{{org_slug}}/{{call_id}} or /llm-websocket/{{call_id}}")]
    BadPath,
    #[error("the call id must be 1 to 128 letters, digits, dashes or underscores")]
    BadCallId,
}

impl VoiceApp {
    pub fn new(
        registry: Arc<OrgRegistry>,
        agent: Arc<dyn Agent>,
        scheduler: Scheduler,
        call_log: CallLog,
        calls: Arc<VoiceCalls>,
        session: SessionSettings,
    ) -> Arc<Self> {
        Arc::new(Self {
            registry,
            agent,
            scheduler,
            recorder: CallRecorder::new(call_log.clone()),
            call_log,
            calls,
            session,
        })
    }

    pub fn agent_name(&self) -> &'static str {
        self.agent.name()
    }

    /// Resolves the path (`[slug/]call_id`) to a clinic and opens or resumes its call. Reads
    /// only memory (the registry's snapshot, the call states): nothing slow on the connect path.
    pub fn connect(self: &Arc<Self>, path: &str) -> Result<Connect, ConnectError> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (org, call_id, slug) = match self.registry.resolve(&segments) {
            Resolution::Org { org, call_id, slug } => (org, call_id, slug),
            Resolution::UnknownSlug { slug, call_id } => {
                let call_id = checked_call_id(call_id)?;
                crate::telemetry::metrics::unknown_slug_connect();
                tracing::warn!("Unknown org slug '{}'", printable(&slug));
                return Ok(Connect::Refuse { call_id });
            }
            Resolution::NoDefault { call_id } => {
                let call_id = checked_call_id(call_id)?;
                tracing::warn!(%call_id, "[Retell WS] no clinic is configured to serve this line");
                return Ok(Connect::Refuse { call_id });
            }
            Resolution::BadPath => return Err(ConnectError::BadPath),
        };
        let call_id = checked_call_id(call_id)?;
        let slug_label = slug.as_deref().unwrap_or(org.slug.as_str());
        tracing::info!("[Retell WS] Connected for call: {call_id} (org slug: {slug_label})");
        match &slug {
            Some(slug) => tracing::info!("[Retell WS] Using org {} from slug '{slug}'", org.id),
            None => tracing::info!("[Retell WS] Using default org {} ('{}')", org.id, org.slug),
        }
        let key = CallKey::new(org.id.as_uuid(), &call_id);
        let line = Arc::new(VoiceLine::new(Arc::clone(self), org));
        let session = Session::open(
            Arc::clone(&line),
            Arc::clone(&self.calls),
            key,
            self.session,
        );
        if session.is_reconnect() {
            tracing::info!(%call_id, "[Retell WS] Reconnected: resuming the call");
        }
        line.count_in(session.is_reconnect());
        Ok(Connect::Serve(session))
    }
}

/// Retell's call ids are short alphanumeric strings; anything else is refused before upgrading.
/// A path without one gets a fresh id.
fn checked_call_id(call_id: Option<String>) -> Result<String, ConnectError> {
    let Some(call_id) = call_id else {
        return Ok(uuid::Uuid::new_v4().simple().to_string());
    };
    let valid = !call_id.is_empty()
        && call_id.len() <= 128
        && call_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(call_id)
    } else {
        Err(ConnectError::BadCallId)
    }
}

fn printable(raw: &str) -> String {
    raw.chars().take(64).flat_map(char::escape_debug).collect()
}
