//! The single writer of a call's socket. Everything that speaks (ping echoes, response
//! streams, the completion guard) goes through an `Outbox`, so frames never interleave.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message};
use futures_util::{Sink, SinkExt};
use tokio::sync::{Notify, mpsc};

use super::frames::Outbound;

/// Close codes this server uses. 1000 would tell Retell to hang up, so errors never use it.
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    pub const INTERNAL_ERROR: u16 = 1011;
}

#[derive(Debug)]
enum Command {
    Frame(Outbound),
    Close(u16, &'static str),
}

/// Frames a call may have queued for its peer. A peer that stops reading (a ping flood that
/// never reads the echoes) fills this and is dropped, instead of the queue growing the
/// server's memory without bound; a reading peer never comes near it.
pub const OUTBOX_FRAMES: usize = 1024;

#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Command>,
    /// Signalled when the queue is full: the session drops the connection.
    stalled: Arc<Notify>,
}

/// The writer task is gone: the socket closed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the call's connection is closed")]
pub struct Disconnected;

impl Outbox {
    fn new(tx: mpsc::Sender<Command>) -> Self {
        Self {
            tx,
            stalled: Arc::new(Notify::new()),
        }
    }

    pub fn send(&self, frame: Outbound) -> Result<(), Disconnected> {
        self.queue(Command::Frame(frame))
    }

    /// Sends a close frame after everything queued before it.
    pub fn close(&self, code: u16, reason: &'static str) {
        let _ = self.queue(Command::Close(code, reason));
    }

    fn queue(&self, command: Command) -> Result<(), Disconnected> {
        self.tx.try_send(command).map_err(|err| {
            if let mpsc::error::TrySendError::Full(_) = err {
                self.stalled.notify_one();
            }
            Disconnected
        })
    }

    /// Resolves once the peer has stopped reading and the queue is full.
    pub async fn stalled(&self) {
        self.stalled.notified().await;
    }

    /// An outbox whose frames go to a channel: lets tests and tools observe what would be sent.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<Outbound>) {
        let (tx, mut rx) = mpsc::channel(OUTBOX_FRAMES);
        let (frames_tx, frames_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Command::Frame(frame)) = rx.recv().await {
                if frames_tx.send(frame).is_err() {
                    break;
                }
            }
        });
        (Self::new(tx), frames_rx)
    }
}

/// Starts the writer over the socket's sending half (any sink of messages, so tests can use a
/// channel).
pub fn spawn<S>(sink: S, call_id: std::sync::Arc<str>) -> (Outbox, tokio::task::JoinHandle<()>)
where
    S: Sink<Message> + Unpin + Send + 'static,
{
    let (tx, rx) = mpsc::channel(OUTBOX_FRAMES);
    let task = tokio::spawn(write_loop(sink, rx, call_id));
    (Outbox::new(tx), task)
}

async fn write_loop<S>(mut sink: S, mut rx: mpsc::Receiver<Command>, call_id: std::sync::Arc<str>)
where
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
