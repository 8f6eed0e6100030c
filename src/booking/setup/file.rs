//! The clinic file's shape: what operators write, as serde reads and writes it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::SetupError;
use crate::booking::{AgentKind, BookingRules, ExceptionKind, ProviderKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicFile {
    pub name: String,
    pub time_zone: String,
    /// Written even when unset (as ""), so the file shows every setting it holds.
    #[serde(default, with = "empty_is_none")]
    pub greeting: Option<String>,
    #[serde(default, with = "empty_is_none")]
    pub instructions: Option<String>,
    #[serde(default)]
    pub settings: SettingsSection,
    /// Weekday name to ranges, e.g. `monday = "08:00-12:00, 13:00-17:00"`.
    #[serde(default)]
    pub office_hours: BTreeMap<String, String>,
    /// The clinic's own wording: `goodbye`, `anything_else`, `transfer`, `holding`.
    #[serde(default)]
    pub phrases: BTreeMap<String, String>,
    // Empty lists are left out rather than written as `[]`: an operator appending a
    // `[[exceptions]]` table after `exceptions = []` would get a duplicate-key error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operatories: Vec<OperatoryEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<ProviderEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appointment_types: Vec<TypeEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSection {
    // Every setting is written, "" (or 0, or []) when unset, so an exported file shows them all.
    #[serde(default, with = "empty_is_none")]
    pub address: Option<String>,
    #[serde(default, with = "empty_is_none")]
    pub phone: Option<String>,
    #[serde(default, with = "empty_is_none")]
    pub transfer_number: Option<String>,
    #[serde(default, with = "empty_is_none")]
    pub cancellation_policy: Option<String>,
    pub lead_minutes: u32,
    pub horizon_days: u32,
    pub slot_step_minutes: u32,
    /// "builtin" or "llm"; "": the server's default agent.
    #[serde(default, with = "agent_choice")]
    pub agent: Option<AgentKind>,
    #[serde(default, with = "empty_is_none")]
    pub llm_base_url: Option<String>,
    #[serde(default, with = "empty_is_none")]
    pub llm_model: Option<String>,
    /// Tried when the model is slow or failing; "": the server's `llm_fallback_model`.
    #[serde(default, with = "empty_is_none")]
    pub llm_fallback_model: Option<String>,
    /// The name of the environment variable that holds this clinic's model API key.
    #[serde(default, with = "empty_is_none")]
    pub llm_api_key_env: Option<String>,
    /// Delete call transcripts older than this many days (1 to 3650); 0: keep them.
    #[serde(default, with = "zero_is_none")]
    pub transcript_retention_days: Option<u32>,
    /// Languages the front desk speaks besides English ("es", "zh"...).
    #[serde(default)]
    pub languages: Vec<String>,
}

impl Default for SettingsSection {
    fn default() -> Self {
        let rules = BookingRules::default();
        Self {
            address: None,
            phone: None,
            transfer_number: None,
            cancellation_policy: None,
            lead_minutes: rules.lead_minutes,
            horizon_days: rules.horizon_days,
            slot_step_minutes: rules.slot_step_minutes,
            agent: None,
            llm_base_url: None,
            llm_model: None,
            llm_fallback_model: None,
            llm_api_key_env: None,
            transcript_retention_days: None,
            languages: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatoryEntry {
    pub name: String,
    #[serde(default)]
    pub hygiene: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderEntry {
    pub name: String,
    pub kind: ProviderKind,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ScheduleEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    pub days: Vec<String>,
    pub hours: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operatory: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeEntry {
    pub name: String,
    /// Optional when a pattern gives the length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_kind: Option<ProviderKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionEntry {
    pub date: NaiveDate,
    pub kind: ExceptionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operatory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ClinicFile {
    pub fn parse(text: &str) -> Result<Self, SetupError> {
        toml::from_str(text).map_err(|err| SetupError::Parse(err.to_string()))
    }

    pub fn to_toml(&self) -> Result<String, SetupError> {
        toml::to_string_pretty(self).map_err(|err| SetupError::Parse(err.to_string()))
    }
}

/// An optional text kept in the file as "" when unset; "" (or blanks) reads as unset.
pub(super) mod empty_is_none {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.as_deref().unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let raw = String::deserialize(d)?;
        Ok((!raw.trim().is_empty()).then_some(raw))
    }
}

/// A number kept in the file as 0 when unset.
pub(super) mod zero_is_none {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(value.unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        Ok(Some(u32::deserialize(d)?).filter(|n| *n != 0))
    }
}

/// The clinic's agent: "builtin", "llm", or "" for the server's default.
pub(super) mod agent_choice {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::booking::AgentKind;

    pub fn serialize<S: Serializer>(value: &Option<AgentKind>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.map(AgentKind::as_str).unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AgentKind>, D::Error> {
        let raw = String::deserialize(d)?;
        match raw.trim() {
            "" => Ok(None),
            known if AgentKind::parse(known).is_some() => Ok(AgentKind::parse(known)),
            other => Err(D::Error::custom(format!(
                "'{other}' is not an agent (use \"builtin\", \"llm\", or \"\" for the server's default)"
            ))),
        }
    }
}
