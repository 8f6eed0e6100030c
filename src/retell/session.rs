//! One call's WebSocket: the read loop (never waits on the agent or the database), the single
//! writer, and one response task at a time, superseded by any newer `response_id`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::calls::{CallRegistry, CallState};
use super::frames::{ConfigBody, Inbound, Outbound, ResponseFrame, Utterance};
use super::reply::{Ending, Reply};
use super::writer::{self, Outbox, close_code};
use crate::agent::{Agent, Turn, TurnKind};
use crate::store::CallMetadata;
use crate::tenancy::Organization;

/// Spoken when the agent fails or runs out of time before it said anything.
pub const APOLOGY: &str =
    "I'm sorry, I'm having trouble with that right now. Could you say it again?";
/// Spoken on a line whose clinic is not configured; then the call ends.
pub const NOT_SET_UP: &str = "Sorry, this line is not set up yet. Goodbye.";

#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    /// How long one response may take before the caller hears an apology.
    pub response_timeout: Duration,
}

pub struct Session {
    pub org: Arc<Organization>,
    pub call: Arc<CallState>,
    pub reconnect: bool,
    pub agent: Arc<dyn Agent>,
    pub scheduler: crate::booking::Scheduler,
    pub calls: Arc<CallRegistry>,
    pub settings: SessionSettings,
}

impl Session {
    /// Runs the call until it ends, or until `cut` turns true (the drain time is over).
    pub async fn run(self, socket: WebSocket, mut cut: watch::Receiver<bool>) {
        let call_id = Arc::clone(&self.call.call_id);
        let (call, calls) = (Arc::clone(&self.call), Arc::clone(&self.calls));
        let org_id = self.org.id;
        let (sink, stream) = socket.split();
        let (outbox, writer) = writer::spawn(sink, Arc::clone(&call_id));
        // The reader runs as its own task so that if it fails, the writer still closes the
        // socket with 1011: an internal error must never look like a hang-up (1000).
        let mut reader = tokio::spawn(self.read(stream, outbox.clone()));
        tokio::select! {
            ended = &mut reader => {
                if let Err(err) = ended
                    && err.is_panic()
                {
                    tracing::error!(%call_id, "[Retell WS] session failed; closing with 1011");
                    outbox.close(close_code::INTERNAL_ERROR, "internal error");
                }
            }
            _ = cut.wait_for(|cut| *cut) => {
                // No close frame: Retell treats the drop as abnormal and reconnects.
                tracing::warn!(%call_id, "[Retell WS] drain time over: dropping the connection for Retell to reconnect");
                reader.abort();
                writer.abort();
            }
        }
        calls.detach(&call);
        drop(outbox);
        let _ = writer.await;
        tracing::info!(%call_id, %org_id, "[Retell WS] Disconnected");
    }

    async fn read(self, mut stream: SplitStream<WebSocket>, outbox: Outbox) {
        let call_id = Arc::clone(&self.call.call_id);
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
            self.org.greeting_line()
        };
        let _ = outbox.send(Outbound::Response(ResponseFrame::complete(0, greeting)));
        let recorded = self.record_connect();

        let mut in_flight: Option<AbortHandle> = None;
        // Supersede order is per connection: Retell may number anew after a reconnect.
        let mut latest_response_id = -1;
        while let Some(message) = stream.next().await {
            let text = match message {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) => break,
                Ok(Message::Binary(bytes)) => {
                    tracing::warn!(%call_id, bytes = bytes.len(), "[Retell WS] ignored a binary frame");
                    continue;
                }
                Ok(_) => continue,
                Err(err) => {
                    tracing::warn!(%call_id, error = %err, "[Retell WS] connection error");
                    break;
                }
            };
            match Inbound::parse(&text) {
                Ok(frame) => {
                    if let Some(handle) =
                        self.handle(frame, &outbox, &recorded, &mut latest_response_id)
                        && let Some(previous) = in_flight.replace(handle)
                    {
                        previous.abort();
                    }
                }
                Err(err) => {
                    tracing::warn!(%call_id, error = %err, bytes = text.len(), "[Retell WS] ignored a malformed frame")
                }
            }
        }
        if let Some(handle) = in_flight {
            handle.abort();
        }
    }

    /// Handles one frame on the read path; returns a newly started response task, if any.
    fn handle(
        &self,
        frame: Inbound,
        outbox: &Outbox,
        recorded: &watch::Receiver<bool>,
        latest_response_id: &mut i64,
    ) -> Option<AbortHandle> {
        match frame {
            Inbound::PingPong { timestamp } => {
                let _ = outbox.send(Outbound::PingPong { timestamp });
                None
            }
            Inbound::CallDetails { call } => {
                tracing::info!(
                    call_id = %self.call.call_id,
                    call_type = call.call_type.as_deref().unwrap_or("-"),
                    direction = call.direction.as_deref().unwrap_or("-"),
                    "[Retell WS] call details received"
                );
                self.record_details(
                    recorded,
                    CallMetadata {
                        agent_id: call.agent_id.clone(),
                        call_type: call.call_type.clone(),
                        direction: call.direction.clone(),
                        from_number: call.from_number.clone(),
                        to_number: call.to_number.clone(),
                    },
                );
                self.call.lock().details = Some(Arc::from(call));
                None
            }
            Inbound::UpdateOnly { transcript } => {
                self.call.lock().transcript = Arc::new(transcript);
                None
            }
            Inbound::ResponseRequired {
                response_id,
                transcript,
            }
            | Inbound::ReminderRequired {
                response_id,
                transcript,
            } if response_id <= *latest_response_id => {
                let _ = transcript;
                tracing::warn!(call_id = %self.call.call_id, response_id, latest = *latest_response_id, "[Retell WS] ignored a stale response request");
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
                tracing::warn!(call_id = %self.call.call_id, interaction_type = %kind.escape_debug(), "[Retell WS] ignored an unknown interaction type");
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
            Turn {
                org: Arc::clone(&self.org),
                call_id: Arc::clone(&self.call.call_id),
                kind,
                transcript: Arc::clone(&data.transcript),
                reminders_in_a_row: data.reminders_in_a_row,
                call: data.details.clone(),
                now: chrono::Utc::now(),
                scheduler: self.scheduler.clone(),
                memory: Arc::clone(&self.call.memory),
                clinic: Arc::clone(&self.call.clinic),
            }
        };
        let agent = Arc::clone(&self.agent);
        let timeout = self.settings.response_timeout;
        let mut reply = Reply::new(response_id, outbox.clone());
        let task = tokio::spawn(async move {
            let call_id = Arc::clone(&turn.call_id);
            match tokio::time::timeout(timeout, agent.respond(turn, &mut reply)).await {
                Ok(Ok(ending)) => reply.finish(ending),
                Ok(Err(err)) => {
                    tracing::warn!(%call_id, response_id, agent = agent.name(), error = %err, "[Retell WS] agent failed");
                    apologise(reply);
                }
                Err(_) => {
                    tracing::warn!(%call_id, response_id, agent = agent.name(), timeout_ms = timeout.as_millis() as u64, "[Retell WS] agent timed out");
                    apologise(reply);
                }
            }
        });
        task.abort_handle()
    }

    /// Records the connection off the read path; the receiver turns true once it is stored,
    /// so details recorded later land on the row. Short tasks, not one per call for its whole
    /// life: an idle call should cost little.
    fn record_connect(&self) -> watch::Receiver<bool> {
        let store = self.scheduler.store().clone();
        let org_id = self.org.id;
        let call_id = Arc::clone(&self.call.call_id);
        let (done, recorded) = watch::channel(false);
        tokio::spawn(async move {
            if let Err(err) = store.record_call_connected(org_id, &call_id).await {
                tracing::warn!(%call_id, error = %err, "could not record the call");
            }
            let _ = done.send(true);
        });
        recorded
    }

    fn record_details(&self, recorded: &watch::Receiver<bool>, meta: CallMetadata) {
        let store = self.scheduler.store().clone();
        let org_id = self.org.id;
        let call_id = Arc::clone(&self.call.call_id);
        let mut recorded = recorded.clone();
        tokio::spawn(async move {
            // A closed channel means the connect task ended: go ahead either way.
            let _ = recorded.wait_for(|done| *done).await;
            if let Err(err) = store.record_call_details(org_id, &call_id, &meta).await {
                tracing::warn!(%call_id, error = %err, "could not record call details");
            }
        });
    }
}

/// Says sorry if nothing was said yet (a half-spoken answer is not patched with an apology).
fn apologise(mut reply: Reply) {
    if !reply.has_spoken() {
        let _ = reply.say(APOLOGY);
    }
    reply.finish(Ending::Continue);
}

/// A line whose clinic is unknown: one sentence, end the call, touch no clinic's data.
pub async fn refuse(socket: WebSocket, call_id: &str) {
    let (sink, mut stream) = socket.split();
    let (outbox, writer) = writer::spawn(sink, Arc::from(call_id));
    let not_set_up = |response_id| {
        let mut frame = ResponseFrame::complete(response_id, NOT_SET_UP);
        frame.end_call = Some(true);
        Outbound::Response(frame)
    };
    let _ = outbox.send(not_set_up(0));
    // Retell hangs up after speaking; if it does not, hang up ourselves.
    let wait = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(Ok(message)) = stream.next().await {
            match message {
                Message::Close(_) => break,
                Message::Text(text) => match Inbound::parse(&text) {
                    Ok(
                        Inbound::ResponseRequired { response_id, .. }
                        | Inbound::ReminderRequired { response_id, .. },
                    ) => {
                        let _ = outbox.send(not_set_up(response_id));
                    }
                    Ok(Inbound::PingPong { timestamp }) => {
                        let _ = outbox.send(Outbound::PingPong { timestamp });
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    });
    if wait.await.is_err() {
        outbox.close(close_code::NORMAL, "line not set up");
    }
    drop(outbox);
    let _ = writer.await;
}
