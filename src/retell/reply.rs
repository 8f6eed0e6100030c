//! One response stream for one `response_id`, with the guarantee that it is always closed by a
//! `content_complete: true` frame: on success, on error, on timeout, on supersede and on panic.

use super::frames::{Outbound, ResponseFrame};
use super::writer::{Disconnected, Outbox};

/// How a response ends, i.e. the action Retell runs after the content is spoken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ending {
    #[default]
    Continue,
    EndCall,
    Transfer(String),
}

pub struct Reply {
    response_id: i64,
    outbox: Outbox,
    spoke: bool,
    completed: bool,
    /// When the response was asked for, and the agent answering it: its latency metrics.
    started: std::time::Instant,
    agent: &'static str,
}

impl Reply {
    pub fn new(response_id: i64, outbox: Outbox) -> Self {
        Self {
            response_id,
            outbox,
            spoke: false,
            completed: false,
            started: std::time::Instant::now(),
            agent: "unknown",
        }
    }

    /// Names the agent answering, for the latency metrics (a router sets the clinic's agent).
    pub fn set_agent(&mut self, agent: &'static str) {
        self.agent = agent;
    }

    pub fn response_id(&self) -> i64 {
        self.response_id
    }

    /// Whether any content has gone out for this id (after which nothing may be retried).
    pub fn has_spoken(&self) -> bool {
        self.spoke
    }

    /// Streams a piece of speech now; Retell starts speaking at the first complete sentence.
    pub fn say(&mut self, text: &str) -> Result<(), Disconnected> {
        if text.is_empty() {
            return Ok(());
        }
        if !self.spoke {
            crate::telemetry::metrics::response_first_chunk(self.agent, self.started.elapsed());
        }
        self.spoke = true;
        self.outbox.send(Outbound::Response(ResponseFrame::chunk(
            self.response_id,
            text,
        )))
    }

    /// Tells Retell a tool started (woven into `transcript_with_tool_calls`).
    pub fn tool_invocation(
        &self,
        id: &str,
        name: &str,
        arguments: &str,
    ) -> Result<(), Disconnected> {
        self.outbox.send(Outbound::ToolCallInvocation {
            tool_call_id: id.to_owned(),
            name: name.to_owned(),
            arguments: arguments.to_owned(),
        })
    }

    /// Tells Retell what a tool returned.
    pub fn tool_result(
        &self,
        id: &str,
        content: &str,
        successful: bool,
    ) -> Result<(), Disconnected> {
        self.outbox.send(Outbound::ToolCallResult {
            tool_call_id: id.to_owned(),
            content: content.to_owned(),
            successful: Some(successful),
        })
    }

    /// Closes the response, with the action to run after it is spoken.
    pub fn finish(mut self, ending: Ending) {
        self.complete(ending);
    }

    fn complete(&mut self, ending: Ending) {
        if self.completed {
            return;
        }
        self.completed = true;
        crate::telemetry::metrics::response_complete(self.agent, self.started.elapsed());
        let mut frame = ResponseFrame::complete(self.response_id, "");
        match ending {
            Ending::Continue => {}
            Ending::EndCall => frame.end_call = Some(true),
            Ending::Transfer(number) => frame.transfer_number = Some(number),
        }
        let _ = self.outbox.send(Outbound::Response(frame));
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        self.complete(Ending::Continue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames_of(run: impl FnOnce(Outbox)) -> Vec<ResponseFrame> {
        let (outbox, mut rx) = Outbox::channel();
        run(outbox);
        let mut frames = Vec::new();
        while let Ok(Some(Outbound::Response(frame))) =
            tokio::time::timeout(std::time::Duration::from_millis(100), rx.recv()).await
        {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn dropped_reply_still_completes_exactly_once() {
        let frames = frames_of(|outbox| {
            let mut reply = Reply::new(4, outbox);
            let _ = reply.say("Hello. ");
            drop(reply);
        })
        .await;
        assert_eq!(
            frames,
            vec![
                ResponseFrame::chunk(4, "Hello. "),
                ResponseFrame::complete(4, "")
            ]
        );
    }

    #[tokio::test]
    async fn finish_carries_the_action() {
        let frames = frames_of(|outbox| Reply::new(2, outbox).finish(Ending::EndCall)).await;
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].end_call, Some(true));
        assert!(frames[0].content_complete);
    }
}
