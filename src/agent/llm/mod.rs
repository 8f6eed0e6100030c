//! The LLM agent: an OpenAI-compatible model drives the call through the same tools as the
//! built-in receptionist. Sentences stream as they form; tool calls are reported to Retell;
//! a holding line covers slow tools; a model that does not start within the first-token
//! budget is replaced by the fallback model, or the caller hears an apology. Nothing is
//! retried once the caller has heard part of an answer.

pub mod client;
mod prompt;
pub mod stream;

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

pub use client::{ChatClient, LlmEndpoint, LlmError};

use self::stream::{Delta, Sentences, ToolCalls};
use super::tools::{self, CallGuard, ToolCall, ToolContext, ToolResult};
use super::{Agent, AgentError, CallMemory, Ending, Reply, Turn};
use crate::booking::{ClinicSettings, PhoneNumber};
use crate::retell::frames::Role;

/// The model settings for one call (server defaults, overridden per clinic).
#[derive(Debug, Clone)]
pub struct LlmPlan {
    pub holding_line: String,
    pub primary: LlmEndpoint,
    pub fallback: Option<LlmEndpoint>,
    pub first_token: Duration,
    pub max_tool_rounds: usize,
}

const HOLDING_LINE: &str = "One moment while I check the schedule.";
const APOLOGY: &str = "I'm sorry, I'm having trouble right now. Could you say that again?";

/// What the agent remembers between turns: who is verified and what awaits a yes, and the
/// tool exchanges (placed after the transcript item they followed).
#[derive(Debug, Clone, Default)]
pub struct LlmMemory {
    guard: CallGuard,
    exchanges: Vec<(usize, Value)>,
}

/// The server-wide model settings (ASCENDIA_LLM_*), which clinics may override.
#[derive(Debug, Clone)]
pub struct LlmDefaults {
    pub endpoint: LlmEndpoint,
    pub fallback_model: Option<String>,
    pub first_token: Duration,
}

pub struct LlmAgent {
    client: ChatClient,
    defaults: LlmDefaults,
}

impl LlmAgent {
    pub fn new(defaults: LlmDefaults) -> Self {
        Self {
            client: ChatClient::new(),
            defaults,
        }
    }

    /// The clinic's model settings over the server's. A clinic names the environment
    /// variable that holds its key, so keys stay out of the database.
    pub fn plan(&self, clinic: &ClinicSettings) -> LlmPlan {
        let base_url = clinic
            .llm_base_url
            .clone()
            .unwrap_or_else(|| self.defaults.endpoint.base_url.clone());
        let api_key = clinic
            .llm_api_key_env
            .as_deref()
            .and_then(|var| std::env::var(var).ok())
            .or_else(|| self.defaults.endpoint.api_key.clone());
        let primary = LlmEndpoint {
            base_url,
            api_key,
            model: clinic
                .llm_model
                .clone()
                .unwrap_or_else(|| self.defaults.endpoint.model.clone()),
        };
        let fallback = clinic
            .llm_fallback_model
            .clone()
            .or_else(|| self.defaults.fallback_model.clone())
            .map(|model| LlmEndpoint {
                model,
                ..primary.clone()
            });
        LlmPlan {
            holding_line: clinic.phrases.or("holding", HOLDING_LINE),
            primary,
            fallback,
            first_token: self.defaults.first_token,
            max_tool_rounds: 5,
        }
    }

    /// Answers one turn with the given model settings.
    pub async fn respond_with(
        &self,
        plan: &LlmPlan,
        turn: Turn,
        reply: &mut Reply,
    ) -> Result<Ending, AgentError> {
        let mut memory_slot = turn.memory.lock().await;
        // A copy: a turn cut short (superseded) leaves the memory as it was.
        let mut memory = match &*memory_slot {
            CallMemory::Llm(memory) => LlmMemory::clone(memory),
            _ => LlmMemory::default(),
        };
        let result = self.answer(&turn, reply, plan, &mut memory).await;
        *memory_slot = CallMemory::Llm(Box::new(memory));
        result
    }
}

enum Round {
    /// The model finished speaking.
    Spoke,
    /// The model asked for tools.
    Tools(Vec<stream::ToolCall>),
    /// Nothing usable came (no first token in time, or an error before any).
    Failed(String),
}

impl Agent for LlmAgent {
    fn name(&self) -> &'static str {
        "llm"
    }

    fn respond<'a>(
        &'a self,
        turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            let clinic = turn.clinic_settings().await;
            let plan = self.plan(&clinic);
            self.respond_with(&plan, turn, reply).await
        })
    }
}

impl LlmAgent {
    async fn answer(
        &self,
        turn: &Turn,
        reply: &mut Reply,
        plan: &LlmPlan,
        memory: &mut LlmMemory,
    ) -> Result<Ending, AgentError> {
        let tools_json: Vec<Value> = tools::TOOLS.iter().map(tools::ToolDef::openai).collect();
        let clinic = turn.clinic_settings().await;
        let mut messages = self.messages(turn, &clinic, memory);
        let caller = turn
            .call
            .as_ref()
            .and_then(|c| c.from_number.as_deref())
            .and_then(|n| PhoneNumber::parse(n).ok());
        let mut ending = Ending::Continue;
        let mut held = false;
        for round in 0..plan.max_tool_rounds.max(1) {
            let calls = match self.round(reply, plan, &messages, &tools_json).await? {
                Round::Spoke => return Ok(ending),
                Round::Failed(why) => {
                    tracing::warn!(call_id = %turn.call_id, reason = %why, "[LLM] no answer from the model");
                    if !reply.has_spoken() {
                        reply.say(APOLOGY)?;
                    }
                    return Ok(ending);
                }
                Round::Tools(calls) => calls,
            };
            // Before slow work, a holding line, unless the caller is already hearing something.
            let slow = calls
                .iter()
                .any(|c| c.name == "find_slots" || tools::find(&c.name).is_some_and(|t| t.writes));
            if slow && !reply.has_spoken() && !held {
                reply.say(&format!("{} ", plan.holding_line))?;
                held = true;
            }
            let assistant = json!({
                "role": "assistant",
                "content": Value::Null,
                "tool_calls": calls.iter().map(|c| json!({
                    "id": c.id, "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                })).collect::<Vec<_>>(),
            });
            messages.push(assistant.clone());
            let position = turn.transcript.len();
            memory.exchanges.push((position, assistant));
            // A proposal's read-back is said word for word and the caller answers it: the
            // model does not get to speak past it, and later calls in the batch wait.
            let mut readback: Option<String> = None;
            for call in calls {
                let content = if readback.is_some() {
                    json!({"skipped": "waiting for the caller's answer to the read-back"})
                        .to_string()
                } else {
                    let tool_call_id = format!("{}-{round}-{}", turn.call_id, call.id);
                    reply.tool_invocation(&tool_call_id, &call.name, &call.arguments)?;
                    let args: Value =
                        serde_json::from_str(&call.arguments).unwrap_or_else(|_| json!({}));
                    let result = match ToolCall::parse(&call.name, &args) {
                        Ok(request) => {
                            let mut ctx = ToolContext {
                                scheduler: &turn.scheduler,
                                call_log: &turn.call_log,
                                org: &turn.org,
                                call_id: &turn.call_id,
                                caller: caller.clone(),
                                now: turn.now,
                                transcript: &turn.transcript,
                                guard: &mut memory.guard,
                            };
                            tools::call(&mut ctx, &request).await
                        }
                        Err(err) => Err(err),
                    };
                    let (content, ok) = match &result {
                        Ok(output) => {
                            if let Some(end) = &output.ending {
                                ending = end.clone();
                            }
                            if let ToolResult::Proposed(proposed) = &output.result {
                                readback = Some(proposed.readback.clone());
                            }
                            (output.result.to_json().to_string(), true)
                        }
                        Err(err) => (err.as_result().to_string(), false),
                    };
                    reply.tool_result(&tool_call_id, &content, ok)?;
                    content
                };
                let message = json!({"role": "tool", "tool_call_id": call.id, "content": content});
                messages.push(message.clone());
                memory.exchanges.push((position, message));
            }
            if let Some(readback) = readback {
                reply.say(&format!("{readback} "))?;
                return Ok(ending);
            }
            if ending != Ending::Continue && reply.has_spoken() {
                return Ok(ending);
            }
        }
        Ok(ending)
    }

    /// System prompt, then the transcript with earlier tool exchanges woven in.
    fn messages(&self, turn: &Turn, clinic: &ClinicSettings, memory: &LlmMemory) -> Vec<Value> {
        let mut messages = vec![json!({"role": "system", "content": prompt::system(turn, clinic)})];
        for (i, utterance) in turn.transcript.iter().enumerate() {
            for (_, exchange) in memory.exchanges.iter().filter(|(at, _)| *at == i) {
                messages.push(exchange.clone());
            }
            let role = match utterance.role {
                Role::Agent => "assistant",
                _ => "user",
            };
            messages.push(json!({"role": role, "content": utterance.content}));
        }
        for (_, exchange) in memory
            .exchanges
            .iter()
            .filter(|(at, _)| *at >= turn.transcript.len())
        {
            messages.push(exchange.clone());
        }
        messages
    }

    /// One model request: streams its text into the reply, or collects its tool calls.
    async fn round(
        &self,
        reply: &mut Reply,
        plan: &LlmPlan,
        messages: &[Value],
        tools_json: &[Value],
    ) -> Result<Round, AgentError> {
        let mut endpoints = vec![&plan.primary];
        endpoints.extend(plan.fallback.as_ref());
        let mut last_failure = String::from("no model configured");
        let mut previous: Option<&str> = None;
        for endpoint in endpoints {
            if let Some(model) = previous {
                crate::telemetry::metrics::llm_fallback(model);
            }
            previous = Some(&endpoint.model);
            let started = Instant::now();
            let deadline = started + plan.first_token;
            let stream = tokio::time::timeout_at(
                deadline,
                self.client.stream(endpoint, messages, tools_json),
            )
            .await;
            let mut rx = match stream {
                Ok(Ok(rx)) => rx,
                Ok(Err(err)) => {
                    last_failure = format!("{}: {err}", endpoint.model);
                    continue;
                }
                Err(_) => {
                    last_failure = format!(
                        "{}: no response within {} ms",
                        endpoint.model,
                        plan.first_token.as_millis()
                    );
                    continue;
                }
            };
            let timing = (endpoint.model.as_str(), started);
            match self.consume(reply, &mut rx, deadline, timing).await? {
                Some(round) => return Ok(round),
                None => {
                    last_failure = format!(
                        "{}: no first token within {} ms, or an error before it",
                        endpoint.model,
                        plan.first_token.as_millis()
                    );
                    // Dropping `rx` here ends that request.
                }
            }
        }
        Ok(Round::Failed(last_failure))
    }

    /// Reads one stream. `None` when nothing came before the deadline or an error came first
    /// (so another model may be tried); once anything came, the round is this stream's.
    async fn consume(
        &self,
        reply: &mut Reply,
        rx: &mut mpsc::Receiver<Result<Delta, LlmError>>,
        first_token_deadline: Instant,
        (model, asked): (&str, Instant),
    ) -> Result<Option<Round>, AgentError> {
        let mut sentences = Sentences::default();
        let mut calls = ToolCalls::default();
        let mut started = false;
        loop {
            let next = if started {
                rx.recv().await
            } else {
                match tokio::time::timeout_at(first_token_deadline, rx.recv()).await {
                    Ok(next) => next,
                    Err(_) => return Ok(None),
                }
            };
            let delta = match next {
                Some(Ok(delta)) => delta,
                Some(Err(err)) => {
                    if !started {
                        tracing::warn!(error = %err, "[LLM] stream failed before the first token");
                        return Ok(None);
                    }
                    tracing::warn!(error = %err, "[LLM] stream broke mid-answer; keeping what was said");
                    Delta::Done
                }
                None => Delta::Done,
            };
            if !started && matches!(delta, Delta::Text(_) | Delta::ToolCall { .. }) {
                crate::telemetry::metrics::llm_first_token(model, asked.elapsed());
            }
            match delta {
                Delta::Text(text) => {
                    started = true;
                    if let Some(sentence) = sentences.push(&text) {
                        reply.say(&sentence)?;
                    }
                }
                Delta::ToolCall {
                    index,
                    id,
                    name,
                    arguments,
                } => {
                    started = true;
                    calls.add(index, id, name, arguments);
                }
                Delta::Error(message) => {
                    if !started {
                        tracing::warn!(error = %message, "[LLM] the model server reported an error");
                        return Ok(None);
                    }
                    tracing::warn!(error = %message, "[LLM] the model server reported an error mid-answer");
                    break;
                }
                Delta::Done => break,
            }
        }
        if !started {
            return Ok(None);
        }
        if let Some(rest) = sentences.flush() {
            reply.say(&rest)?;
        }
        if calls.is_empty() {
            Ok(Some(Round::Spoke))
        } else {
            Ok(Some(Round::Tools(calls.finish("tool"))))
        }
    }
}
