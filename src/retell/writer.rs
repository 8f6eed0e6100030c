//! The single writer of a call's socket. Everything that speaks (ping echoes, response
//! streams, the completion guard) goes through an `Outbox`, so frames never interleave.

use axum::extract::ws::{CloseFrame, Message};
use futures_util::{Sink, SinkExt};
use tokio::sync::mpsc;

use super::frames::Outbound;

/// Close codes this server uses. 1000 would tell Retell to hang up, so errors never use it.
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const INTERNAL_ERROR: u16 = 1011;
}

#[derive(Debug)]
enum Command {
    Frame(Outbound),
    Close(u16, &'static str),
}

#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Command>,
}

/// The writer task is gone: the socket closed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the call's connection is closed")]
pub struct Disconnected;

impl Outbox {
    pub fn send(&self, frame: Outbound) -> Result<(), Disconnected> {
        self.tx
            .send(Command::Frame(frame))
            .map_err(|_| Disconnected)
    }

    /// Sends a close frame after everything queued before it.
    pub fn close(&self, code: u16, reason: &'static str) {
        let _ = self.tx.send(Command::Close(code, reason));
    }

    /// An outbox whose frames go to a channel: lets tests and tools observe what would be sent.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<Outbound>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (frames_tx, frames_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Command::Frame(frame)) = rx.recv().await {
                if frames_tx.send(frame).is_err() {
                    break;
                }
            }
        });
        (Self { tx }, frames_rx)
    }
}

/// Starts the writer over the socket's sending half (any sink of messages, so tests can use a
/// channel).
pub fn spawn<S>(sink: S, call_id: std::sync::Arc<str>) -> (Outbox, tokio::task::JoinHandle<()>)
where
    S: Sink<Message> + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(write_loop(sink, rx, call_id));
    (Outbox { tx }, task)
}

async fn write_loop<S>(
    mut sink: S,
    mut rx: mpsc::UnboundedReceiver<Command>,
    call_id: std::sync::Arc<str>,
) where
    S: Sink<Message> + Unpin,
{
    while let Some(command) = rx.recv().await {
        let message = match command {
            Command::Frame(frame) => match serde_json::to_string(&frame) {
                Ok(text) => Message::Text(text.into()),
                Err(err) => {
                    tracing::error!(%call_id, error = %err, "[Retell WS] could not serialize a frame");
                    close_frame(close_code::INTERNAL_ERROR, "internal error")
                }
            },
            Command::Close(code, reason) => close_frame(code, reason),
        };
        let closing = matches!(message, Message::Close(_));
        // Feed without flushing while more frames are already queued; flush when caught up.
        let sent = if closing || rx.is_empty() {
            sink.send(message).await
        } else {
            sink.feed(message).await
        };
        if sent.is_err() || closing {
            break;
        }
    }
    let _ = sink.flush().await;
}

fn close_frame(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
