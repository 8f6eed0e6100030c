//! What the protocol engine needs from the application behind it. The session owns the
//! socket, the frames, supersede and the completion guarantee; a `CallHandler` owns what a
//! call means (which clinic, which agent, what is recorded) and its own typed per-call state.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use uuid::Uuid;

use super::calls::CallState;
use super::frames::{CallDetails, Utterance};
use super::reply::{Ending, Reply};

/// One call as the protocol tracks it. A call id is only trusted to be unique within the line
/// (the URL, i.e. the clinic) it came in on, so a reconnect is matched on both.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallKey {
    pub line: Uuid,
    pub call_id: Arc<str>,
}

impl CallKey {
    pub fn new(line: Uuid, call_id: &str) -> Self {
        Self {
            line,
            call_id: Arc::from(call_id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnKind {
    /// The caller spoke and waits for an answer.
    Response,
    /// The caller has been silent; check in briefly.
    Reminder,
}

/// One `response_required` or `reminder_required`, with what the session knows of the call.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    pub response_id: i64,
    pub kind: TurnKind,
    pub transcript: Arc<Vec<Utterance>>,
    /// Reminders since the caller last spoke (1 on the first reminder), across reconnects.
    pub reminders_in_a_row: u32,
    /// Retell's `call_details`, once received (on this connection or an earlier one).
    pub details: Option<Arc<CallDetails>>,
}

/// How one connection of a call ended, as the session saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketEnd {
    /// Our agent ended the call (`end_call`); Retell hangs up after the goodbye.
    Agent,
    /// Our agent transferred the call.
    Transfer,
    /// Retell closed the socket with a close frame: a hang-up, or a reconnect to come.
    Peer,
    /// The connection went away without a close frame (the network, or Retell's side).
    Dropped,
    /// We closed or dropped it: idle, a message too big, an internal error, the drain time,
    /// a peer that stopped reading.
    Server,
}

impl SocketEnd {
    /// As kept in the call record's `ended_by`.
    pub fn as_str(self) -> &'static str {
        match self {
            SocketEnd::Agent => "agent",
            SocketEnd::Transfer => "transfer",
            SocketEnd::Peer => "peer",
            SocketEnd::Dropped => "dropped",
            SocketEnd::Server => "server",
        }
    }

    /// Whether Retell may still reconnect the call after this (it did not end by our hand).
    pub fn may_reconnect(self) -> bool {
        !matches!(self, SocketEnd::Agent | SocketEnd::Transfer)
    }
}

/// The application behind the protocol. The session calls `greeting`, `connected` and
/// `call_details` on the read path, so they must not wait (start slow work in the
/// background); `answer` runs in its own task and may take its time.
pub trait CallHandler: Send + Sync + 'static {
    /// What the application keeps for one call: kept across reconnects, evicted with the call.
    type Call: Send + Sync + 'static;
    type Error: std::error::Error + Send + 'static;

    /// A short name for logs.
    fn name(&self) -> &str;

    /// The state of a call this server has not seen yet (its first connection).
    fn open(&self, key: &CallKey) -> Self::Call;

    /// The first words of a new call; a reconnect is not greeted again.
    fn greeting(&self) -> String;

    /// A connection of `call` is up (its first or a reconnect).
    fn connected(&self, call: &Arc<CallState<Self::Call>>);

    /// This connection of `call` closed (on the session's task, after the socket is done).
    fn disconnected(&self, call: &Arc<CallState<Self::Call>>, how: SocketEnd);

    /// Retell sent the call's details; turns already see them through `TurnRequest`.
    fn call_details(&self, call: &Arc<CallState<Self::Call>>, details: &Arc<CallDetails>);

    /// A later connection of `call` came with another caller number than the first: whatever
    /// the call established about its caller (a verified identity) must be forgotten before
    /// the next turn. The protocol part (transcript, counts) carries on.
    fn caller_changed(&self, call: &Arc<CallState<Self::Call>>);

    /// Answers one turn into `reply`. Whatever happens (an error, the session's timeout, a
    /// newer request superseding this one, a panic), the session completes the response.
    fn answer<'a>(
        &'a self,
        call: &'a Arc<CallState<Self::Call>>,
        turn: TurnRequest,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, Self::Error>>;
}
