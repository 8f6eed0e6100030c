//! A clinic's own settings: where it is, how callers reach a person, and its booking rules.

use serde::{Deserialize, Serialize};

use super::{BookingRules, PhoneNumber};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClinicSettings {
    pub address: Option<String>,
    pub phone: Option<PhoneNumber>,
    /// Where "let me put you through to the front desk" goes (Retell `transfer_number`).
    pub transfer_number: Option<PhoneNumber>,
    pub cancellation_policy: Option<String>,
    pub rules: BookingRules,
    /// Which agent answers this clinic's calls; `None`: the server's default.
    pub agent: Option<AgentKind>,
    /// LLM agent overrides: model server, model, and the environment variable holding the key.
    pub llm_base_url: Option<String>,
    pub llm_model: Option<String>,
    /// Tried when the model is slow or failing; `None`: the server's fallback model.
    pub llm_fallback_model: Option<String>,
    pub llm_api_key_env: Option<String>,
    /// The clinic's own wording for what the receptionist says often.
    pub phrases: Phrases,
    /// Call transcripts older than this many days are deleted; `None` keeps them.
    pub transcript_retention_days: Option<u32>,
    /// Languages the front desk speaks besides English, as codes ("es"): a caller speaking one
    /// of them is put through; others get a callback. Empty: put everyone through.
    pub languages: Vec<String>,
}

/// Lines a clinic may word its own way; anything else is refused on import.
pub const PHRASE_KEYS: &[(&str, &str)] = &[
    ("anything_else", "asked after each task is done"),
    ("goodbye", "said before the call ends"),
    ("transfer", "said before handing over to the front desk"),
    ("holding", "said by the LLM agent before slow tools"),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phrases(pub std::collections::BTreeMap<String, String>);

impl Phrases {
    /// The clinic's line for `key`, else `default`.
    pub fn or(&self, key: &str, default: &str) -> String {
        self.0
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .unwrap_or(default)
            .to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentKind {
    /// The built-in receptionist (no network).
    #[default]
    Builtin,
    /// An OpenAI-compatible model.
    Llm,
}

impl AgentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::Builtin => "builtin",
            AgentKind::Llm => "llm",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "builtin" => Some(AgentKind::Builtin),
            "llm" => Some(AgentKind::Llm),
            _ => None,
        }
    }
}
