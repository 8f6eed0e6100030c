//! Runs the dialogue's commands: says sentences as soon as they are decided, calls one tool at
//! a time and feeds its answer back in, and reports each tool call to Retell.

use futures_util::future::BoxFuture;

use crate::agent::tools::contract::ToolCall;
use crate::agent::tools::{ToolError, ToolOutput};
use crate::agent::{AgentError, Ending, Reply};

use super::state::{Dialogue, Facts};
use super::step::{Command, Event};

/// The tools as the dialogue sees them: the real ones over the booking engine, or a fake.
pub trait Tools: Send {
    fn call<'a>(
        &'a mut self,
        request: &'a ToolCall,
    ) -> BoxFuture<'a, Result<ToolOutput, ToolError>>;
}

/// Where the receptionist's words go: the caller (through Retell), or a test's transcript.
pub trait Voice: Send {
    fn say(&mut self, sentence: &str) -> Result<(), AgentError>;
    fn tool_started(&mut self, _request: &ToolCall) -> Result<(), AgentError> {
        Ok(())
    }
    fn tool_finished(
        &mut self,
        _request: &ToolCall,
        _result: &Result<ToolOutput, ToolError>,
    ) -> Result<(), AgentError> {
        Ok(())
    }
}

/// More would mean a loop in the dialogue; the caller hears what was said so far.
const MAX_TOOL_CALLS_PER_TURN: usize = 8;

pub async fn run(
    dialogue: &mut Dialogue,
    first: Event,
    facts: &Facts,
    tools: &mut dyn Tools,
    voice: &mut dyn Voice,
) -> Result<Ending, AgentError> {
    let mut event = first;
    for _ in 0..=MAX_TOOL_CALLS_PER_TURN {
        let mut next = None;
        for command in dialogue.step(event, facts) {
            match command {
                Command::Say(sentence) => voice.say(&sentence)?,
                Command::End(ending) => return Ok(ending),
                Command::Call(request) => {
                    voice.tool_started(&request)?;
                    let result = tools.call(&request).await;
                    voice.tool_finished(&request, &result)?;
                    next = Some(Event::Tool(Box::new((request, result))));
                }
            }
        }
        match next {
            Some(tool_answer) => event = tool_answer,
            None => return Ok(Ending::Continue),
        }
    }
    tracing::warn!("the receptionist called too many tools in one turn");
    Ok(Ending::Continue)
}

/// The caller hears it through Retell; each tool call is reported as it happens.
pub struct RetellVoice<'a> {
    pub reply: &'a mut Reply,
    pub call_id: &'a str,
    pub tool_call_id: Option<String>,
}

impl Voice for RetellVoice<'_> {
    fn say(&mut self, sentence: &str) -> Result<(), AgentError> {
        self.reply.say(&format!("{sentence} "))?;
        Ok(())
    }

    fn tool_started(&mut self, request: &ToolCall) -> Result<(), AgentError> {
        let id = format!("{}-{}", self.call_id, uuid::Uuid::new_v4().simple());
        self.reply
            .tool_invocation(&id, request.name(), &request.arguments().to_string())?;
        self.tool_call_id = Some(id);
        Ok(())
    }

    fn tool_finished(
        &mut self,
        _request: &ToolCall,
        result: &Result<ToolOutput, ToolError>,
    ) -> Result<(), AgentError> {
        let Some(id) = self.tool_call_id.take() else {
            return Ok(());
        };
        let content = match result {
            Ok(output) => output.result.to_json().to_string(),
            Err(err) => err.as_result().to_string(),
        };
        self.reply.tool_result(&id, &content, result.is_ok())?;
        Ok(())
    }
}
