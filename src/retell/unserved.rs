//! A line no clinic serves: one sentence, end the call, touch no clinic's data.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;

use super::frames::{Inbound, Outbound, ResponseFrame};
use super::session::NOT_SET_UP;
use super::writer::{self, close_code};

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
