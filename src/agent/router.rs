//! Picks the agent for each call: the clinic's choice, else the server's default.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::llm::{LlmAgent, LlmDefaults, LlmEndpoint};
use super::{Agent, AgentError, Ending, Receptionist, Reply, Turn};
use crate::booking::AgentKind;
use crate::config::Settings;

pub struct AgentRouter {
    default: AgentKind,
    /// Set for local runs (`ascendia call --agent`): every clinic gets this agent.
    forced: Option<AgentKind>,
    builtin: Receptionist,
    llm: LlmAgent,
}

impl AgentRouter {
    pub fn from_settings(settings: &Settings, forced: Option<AgentKind>) -> Arc<Self> {
        let defaults = LlmDefaults {
            endpoint: LlmEndpoint {
                base_url: settings.llm_base_url.clone(),
                api_key: settings.llm_api_key.as_ref().map(|k| k.expose().to_owned()),
                model: settings.llm_model.clone(),
            },
            fallback_model: settings.llm_fallback_model.clone(),
            first_token: Duration::from_millis(settings.llm_first_token_ms),
        };
        Arc::new(Self {
            default: settings.agent,
            forced,
            builtin: Receptionist,
            llm: LlmAgent::new(defaults),
        })
    }
}

impl Agent for AgentRouter {
    fn name(&self) -> &'static str {
        match self.forced.unwrap_or(self.default) {
            AgentKind::Builtin => "receptionist (per clinic)",
            AgentKind::Llm => "llm (per clinic)",
        }
    }

    fn respond<'a>(
        &'a self,
        turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            let clinic = turn.clinic_settings().await;
            match self.forced.or(clinic.agent).unwrap_or(self.default) {
                AgentKind::Builtin => {
                    reply.set_agent(self.builtin.name());
                    self.builtin.respond(turn, reply).await
                }
                AgentKind::Llm => {
                    reply.set_agent(self.llm.name());
                    let plan = self.llm.plan(&clinic);
                    self.llm.respond_with(&plan, turn, reply).await
                }
            }
        })
    }
}
