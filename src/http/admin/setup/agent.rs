//! Which agent answers the clinic's calls: the built-in receptionist or a language model.
//! The model's key never passes through the browser: the clinic names the environment
//! variable that holds it on the server.

use super::fields::{Field, FormData, Problems};
use super::page::{Layout, SetupForm};
use crate::booking::AgentKind;
use crate::booking::setup::{ClinicFile, Renames, SetupError};

pub struct Agent;

pub struct Section {
    agent: Option<AgentKind>,
    base_url: Option<String>,
    model: Option<String>,
    fallback_model: Option<String>,
    key_env: Option<String>,
}

impl SetupForm for Agent {
    const TAB: &'static str = "agent";
    const TITLE: &'static str = "Agent";
    const INTRO: &'static str = "Who answers this clinic's calls. The language model's settings are used only when the agent is the language model; empty ones take the server's.";
    type Section = Section;

    fn to_form(file: &ClinicFile) -> FormData {
        let s = &file.settings;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FormData(vec![
            (
                "settings.agent".into(),
                s.agent.map(AgentKind::as_str).unwrap_or_default().into(),
            ),
            ("settings.llm_base_url".into(), text(&s.llm_base_url)),
            ("settings.llm_model".into(), text(&s.llm_model)),
            (
                "settings.llm_fallback_model".into(),
                text(&s.llm_fallback_model),
            ),
            ("settings.llm_api_key_env".into(), text(&s.llm_api_key_env)),
        ])
    }

    fn layout(form: &FormData, _: &ClinicFile) -> Layout {
        let text = |label: &str, name: &str| Field::text(label, name, form.get(name));
        let key_env = form.get("settings.llm_api_key_env");
        let key_state = if key_env.is_empty() {
            "The name of the environment variable that holds the model's API key on the server (never the key itself). Empty: the server's key."
        } else if std::env::var_os(key_env).is_some() {
            "Set on this server."
        } else {
            "Not set on this server: calls would fall back to the server's key."
        };
        Layout {
            fields: vec![
                Field::select(
                    "Agent",
                    "settings.agent",
                    form.get("settings.agent"),
                    &[
                        ("", "The server's default"),
                        ("builtin", "Built-in receptionist"),
                        ("llm", "Language model"),
                    ],
                ),
                text("Model server", "settings.llm_base_url")
                    .hint("An OpenAI-compatible API, e.g. https://api.openai.com/v1"),
                text("Model", "settings.llm_model"),
                text("Fallback model", "settings.llm_fallback_model")
                    .hint("Tried when the model is slow or failing."),
                text("API key variable", "settings.llm_api_key_env").hint(key_state),
            ],
            ..Layout::default()
        }
    }

    fn parse(form: &FormData, problems: &mut Problems) -> Option<(Section, Renames)> {
        let raw = form.get("settings.agent");
        let agent = if raw.is_empty() {
            None
        } else if let Some(kind) = AgentKind::parse(raw) {
            Some(kind)
        } else {
            problems.add("settings.agent", format!("'{raw}' is not an agent"));
            return None;
        };
        Some((
            Section {
                agent,
                base_url: form.optional("settings.llm_base_url"),
                model: form.optional("settings.llm_model"),
                fallback_model: form.optional("settings.llm_fallback_model"),
                key_env: form.optional("settings.llm_api_key_env"),
            },
            Renames::default(),
        ))
    }

    fn put(s: Section, file: &mut ClinicFile) -> Result<(), SetupError> {
        let settings = &mut file.settings;
        settings.agent = s.agent;
        settings.llm_base_url = s.base_url;
        settings.llm_model = s.model;
        settings.llm_fallback_model = s.fallback_model;
        settings.llm_api_key_env = s.key_env;
        Ok(())
    }
}
