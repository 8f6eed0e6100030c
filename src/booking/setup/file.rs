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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(default)]
    pub settings: SettingsSection,
    /// Weekday name to ranges, e.g. `monday = "08:00-12:00, 13:00-17:00"`.
    #[serde(default)]
    pub office_hours: BTreeMap<String, String>,
    /// The clinic's own wording: `goodbye`, `anything_else`, `transfer`, `holding`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phrases: BTreeMap<String, String>,
    #[serde(default)]
    pub operatories: Vec<OperatoryEntry>,
    #[serde(default)]
    pub providers: Vec<ProviderEntry>,
    #[serde(default)]
    pub appointment_types: Vec<TypeEntry>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_policy: Option<String>,
    pub lead_minutes: u32,
    pub horizon_days: u32,
    pub slot_step_minutes: u32,
    /// "builtin" or "llm"; absent: the server's default agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_model: Option<String>,
    /// Tried when the model is slow or failing; absent: the server's `llm_fallback_model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_fallback_model: Option<String>,
    /// The name of the environment variable that holds this clinic's model API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_api_key_env: Option<String>,
    /// Delete call transcripts older than this many days (1 to 3650).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_retention_days: Option<u32>,
    /// Languages the front desk speaks besides English ("es", "zh"...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
    #[serde(default)]
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
