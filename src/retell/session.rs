//! One call's WebSocket: the read loop (never waits on the handler or the database), the single
//! writer, and one response task at a time, superseded by any newer `response_id`. What a
//! call means is the `CallHandler`'s business; this file only speaks the protocol.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{Sink, Stream, StreamExt};
use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::calls::{CallRegistry, CallState};
use super::frames::{CallDetails, ConfigBody, Inbound, Outbound, ResponseFrame, Utterance};
use super::handler::{CallHandler, CallKey, SocketEnd, TurnKind, TurnRequest};
use super::reply::{Ending, Reply};
use super::writer::{self, Outbox, close_code};

/// Spoken when the handler fails or runs out of time before it said anything.
pub const APOLOGY: &str =
    "I'm sorry, I'm having trouble with that right now. Could you say it again?";
/// Spoken on a line whose clinic is not configured; then the call ends.
pub const NOT_SET_UP: &str = "Sorry, this line is not set up yet. Goodbye.";

#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// How long one response may take before the caller hears an apology.
    pub response_timeout: Duration,
    /// How long the peer may send nothing at all (Retell pings every 2 s) before the socket
    /// is closed: a half-open connection must not hold a call and a file descriptor forever.
    pub idle_timeout: Duration,
}

pub struct Session<H: CallHandler> {
    handler: Arc<H>,
    call: Arc<CallState<H::Call>>,
    reconnect: bool,
    calls: Arc<CallRegistry<H::Call>>,
    settings: SessionSettings,
}

impl<H: CallHandler> Session<H> {
    /// Opens the call `key`, or resumes it if it connected before. In memory only: fine on
    /// the connect path.
    pub fn open(
        handler: Arc<H>,
        calls: Arc<CallRegistry<H::Call>>,
        key: CallKey,
        settings: SessionSettings,
    ) -> Self {
        let (call, reconnect) = {
            let open = || handler.open(&key);
            calls.attach(key.clone(), open)
        };
        Self {
            handler,
            call,
            reconnect,
            calls,
            settings,
        }
    }

    /// Whether this call had connected before (Retell reconnected).
    pub fn is_reconnect(&self) -> bool {
        self.reconnect
    }

    /// Runs the call until it ends, or until `cut` turns true (the drain time is over).
    pub async fn run(self, socket: WebSocket, cut: watch::Receiver<bool>) {
        let (sink, stream) = socket.split();
        self.serve(sink, stream, cut).await;
    }

    /// `run` over any pair of message sink and stream (a socket's halves, or test channels).
    pub async fn serve<W, R, E>(self, sink: W, stream: R, mut cut: watch::Receiver<bool>)
    where
        W: Sink<Message> + Unpin + Send + 'static,
        R: Stream<Item = Result<Message, E>> + Unpin + Send + 'static,
        E: std::error::Error + Send + 'static,
    {
        let call_id = Arc::clone(self.call.call_id());
        let (call, calls) = (Arc::clone(&self.call), Arc::clone(&self.calls));
        let (outbox, writer) = writer::spawn(sink, Arc::clone(&call_id));
        // The reader runs as its own task so that if it fails, the writer still closes the
        // socket with 1011: an internal error must never look like a hang-up (1000).
        let handler = Arc::clone(&self.handler);
        let mut reader = tokio::spawn(self.read(stream, outbox.clone()));
        let how = tokio::select! {
            ended = &mut reader => match ended {
                Ok(how) => how,
                Err(err) => {
                    if err.is_panic() {
                        tracing::error!(%call_id, "[Retell WS] session failed; closing with 1011");
                        outbox.close(close_code::INTERNAL_ERROR, "internal error");
                    }
                    SocketEnd::Server
                }
            },
            _ = cut.wait_for(|cut| *cut) => {
                // No close frame: Retell treats the drop as abnormal and reconnects.
                tracing::warn!(%call_id, "[Retell WS] drain time over: dropping the connection for Retell to reconnect");
                reader.abort();
                writer.abort();
                SocketEnd::Server
            }
            () = outbox.stalled() => {
                tracing::warn!(%call_id, queued = writer::OUTBOX_FRAMES, "[Retell WS] the peer stopped reading: dropping the connection");
                reader.abort();
                writer.abort();
                SocketEnd::Server
            }
        };
        calls.detach(&call);
        drop(outbox);
        let _ = writer.await;
        // A call our agent ended or transferred ended by our hand, however the socket then closed.
        let how = call.lock().ended_by_us().unwrap_or(how);
        handler.disconnected(&call, how);
        tracing::info!(%call_id, line = %call.key.line, ended_by = how.as_str(), "[Retell WS] Disconnected");
    }

    /// Reads until the socket ends; returns how it ended.
    async fn read<R, E>(self, mut stream: R, outbox: Outbox) -> SocketEnd
    where
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: std::error::Error + 'static,
    {
        let call_id = Arc::clone(self.call.call_id());
        let _ = outbox.send(Outbound::Config {
            config: ConfigBody {
                auto_reconnect: true,
                call_details: true,
                transcript_with_tool_calls: true,
            },
        });
        // A reconnect must not greet the caller a second time.
        let greeting = if self.reconnect {
            String::new()
        } else {
            self.handler.greeting()
        };
        let _ = outbox.send(Outbound::Response(ResponseFrame::complete(0, greeting)));
        self.handler.connected(&self.call);

        let mut in_flight: Option<AbortHandle> = None;
        // Supersede order is per connection: Retell may number anew after a reconnect.
        let mut latest_response_id = -1;
        // A reconnect must say who is calling (call details) before a turn may use what the
        // call knew of its caller: knowing a call id is not enough to take it over.
        let mut caller_confirmed = !self.reconnect;
        let idle = self.settings.idle_timeout;
        let how = loop {
            let Ok(message) = tokio::time::timeout(idle, stream.next()).await else {
                tracing::warn!(%call_id, idle_secs = idle.as_secs(), "[Retell WS] nothing received, not even a ping: closing");
                outbox.close(close_code::GOING_AWAY, "idle");
                break SocketEnd::Server;
            };
            let text = match message {
                Some(Ok(Message::Close(_))) => break SocketEnd::Peer,
                None => break SocketEnd::Dropped,
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Binary(bytes))) => {
                    tracing::warn!(%call_id, bytes = bytes.len(), "[Retell WS] ignored a binary frame");
                    continue;
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => {
                    if too_big(&err) {
                        tracing::warn!(%call_id, error = %err, "[Retell WS] a message over the size limit: closing with 1009");
                        outbox.close(close_code::MESSAGE_TOO_BIG, "message too big");
                        break SocketEnd::Server;
                    }
                    tracing::warn!(%call_id, error = %err, "[Retell WS] connection error");
                    break SocketEnd::Dropped;
                }
            };
            match Inbound::parse(&text) {
                Ok(frame) => {
                    if let Some(handle) = self.handle(
                        frame,
                        &outbox,
                        &mut latest_response_id,
                        &mut caller_confirmed,
                    ) && let Some(previous) = in_flight.replace(handle)
                    {
                        previous.abort();
                    }
                }
                Err(err) => {
                    tracing::warn!(%call_id, error = %err, bytes = text.len(), "[Retell WS] ignored a malformed frame")
                }
            }
        };
        if let Some(handle) = in_flight {
            handle.abort();
        }
        how
    }

    /// Handles one frame on the read path; returns a newly started response task, if any.
    fn handle(
        &self,
        frame: Inbound,
        outbox: &Outbox,
        latest_response_id: &mut i64,
        caller_confirmed: &mut bool,
    ) -> Option<AbortHandle> {
        let call_id = self.call.call_id();
        if !*caller_confirmed
            && matches!(
                frame,
                Inbound::ResponseRequired { .. } | Inbound::ReminderRequired { .. }
            )
        {
            tracing::warn!(%call_id, "[Retell WS] a reconnect asked for a turn before sending call details: forgetting what the call knew of its caller");
            self.handler.caller_changed(&self.call);
            *caller_confirmed = true;
        }
        match frame {
            Inbound::PingPong { timestamp } => {
                let _ = outbox.send(Outbound::PingPong { timestamp });
                None
            }
            Inbound::CallDetails { call } => {
                tracing::info!(
                    %call_id,
                    call_type = call.call_type.as_deref().unwrap_or("-"),
                    direction = call.direction.as_deref().unwrap_or("-"),
                    "[Retell WS] call details received"
                );
                let details: Arc<CallDetails> = Arc::from(call);
                let earlier = self.call.lock().details.replace(Arc::clone(&details));
                self.handler.call_details(&self.call, &details);
                if earlier.is_some_and(|earlier| earlier.from_number != details.from_number) {
                    tracing::warn!(%call_id, "[Retell WS] this connection's caller number differs from the call's: forgetting what the call knew of its caller");
                    self.handler.caller_changed(&self.call);
                }
                *caller_confirmed = true;
                None
            }
            Inbound::UpdateOnly { transcript } => {
                self.call.lock().transcript = Arc::new(transcript);
                None
            }
            Inbound::ResponseRequired { response_id, .. }
            | Inbound::ReminderRequired { response_id, .. }
                if response_id <= *latest_response_id =>
            {
                tracing::warn!(%call_id, response_id, latest = *latest_response_id, "[Retell WS] ignored a stale response request");
                None
            }
            Inbound::ResponseRequired {
                response_id,
                transcript,
            } => {
                *latest_response_id = response_id;
                Some(self.start_response(response_id, TurnKind::Response, transcript, outbox))
            }
            Inbound::ReminderRequired {
                response_id,
                transcript,
            } => {
                *latest_response_id = response_id;
                Some(self.start_response(response_id, TurnKind::Reminder, transcript, outbox))
            }
            Inbound::Unknown { interaction_type } => {
                let kind: String = interaction_type.chars().take(40).collect();
                tracing::warn!(%call_id, interaction_type = %kind.escape_debug(), "[Retell WS] ignored an unknown interaction type");
                None
            }
        }
    }

    fn start_response(
        &self,
        response_id: i64,
        kind: TurnKind,
        transcript: Vec<Utterance>,
        outbox: &Outbox,
    ) -> AbortHandle {
        let turn = {
            let mut data = self.call.lock();
            data.reminders_in_a_row = match kind {
                TurnKind::Response => 0,
                TurnKind::Reminder => data.reminders_in_a_row + 1,
            };
            data.transcript = Arc::new(transcript);
            TurnRequest {
                response_id,
                kind,
                transcript: Arc::clone(&data.transcript),
                reminders_in_a_row: data.reminders_in_a_row,
                details: data.details.clone(),
            }
        };
        let handler = Arc::clone(&self.handler);
        let call = Arc::clone(&self.call);
        let timeout = self.settings.response_timeout;
        let mut reply = Reply::new(response_id, outbox.clone());
        let task = tokio::spawn(async move {
            let call_id = call.call_id();
            match tokio::time::timeout(timeout, handler.answer(&call, turn, &mut reply)).await {
                Ok(Ok(ending)) => {
                    if ending != Ending::Continue {
                        // Ended or transferred: no later connection may resume it.
                        call.lock().end_by_us(matches!(ending, Ending::Transfer(_)));
                    }
                    reply.finish(ending)
                }
                Ok(Err(err)) => {
                    tracing::warn!(%call_id, response_id, agent = handler.name(), error = %err, "[Retell WS] agent failed");
                    apologise(reply);
                }
                Err(_) => {
                    tracing::warn!(%call_id, response_id, agent = handler.name(), timeout_ms = timeout.as_millis() as u64, "[Retell WS] agent timed out");
                    apologise(reply);
                }
            }
        });
        task.abort_handle()
    }
}

/// Whether the stream failed on a message over the inbound size limit.
fn too_big(err: &(dyn std::error::Error + 'static)) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(Error::Capacity(_)) = err.downcast_ref::<Error>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// Says sorry if nothing was said yet (a half-spoken answer is not patched with an apology).
fn apologise(mut reply: Reply) {
    if !reply.has_spoken() {
        let _ = reply.say(APOLOGY);
    }
    reply.finish(Ending::Continue);
}
