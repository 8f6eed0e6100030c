//! A clinic's setup as a TOML file operators edit: `org import` reads it, `org export` writes
//! it. The whole file is validated before anything is written, and applied in one
//! transaction. Rows are matched by name, so ids (and the appointments that use them) survive
//! a re-import; providers, chairs and types missing from the file are deactivated, not deleted.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::ClinicProfile;
use super::{
    AgentKind, AppointmentType, AppointmentTypeId, BookingRules, ClinicSettings, ExceptionKind,
    Minutes, OfficeHours, Operatory, OperatoryId, PhoneNumber, Provider, ProviderId, ProviderKind,
    ScheduleException, TimePattern, TimeRange, WeeklyBlock,
};
use crate::store::{Store, StoreError, TxMode};
use crate::tenancy::{Organization, TimeZone, clinic_name};

/// The demo clinic every fresh install starts with.
pub const DEMO_CLINIC: &str = include_str!("../../examples/clinics/demo.toml");

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Invalid(String),
    #[error("clinic file: {0}")]
    Parse(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(message: impl Into<String>) -> SetupError {
    SetupError::Invalid(message.into())
}

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
            llm_api_key_env: None,
            transcript_retention_days: None,
            languages: Vec::new(),
        }
    }
}

/// Language codes as two or three lowercase letters ("es", "yue"), each once.
fn languages(raw: &[String]) -> Result<Vec<String>, SetupError> {
    let mut codes: Vec<String> = Vec::new();
    for code in raw {
        let code = code.trim().to_lowercase();
        if !(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(invalid(format!(
                "settings.languages: '{code}' is not a language code like \"es\""
            )));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
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

/// A weekly block with its operatory still named.
type NamedBlock = (Weekday, TimeRange, Option<String>);

/// A validated file, names not yet resolved to ids.
#[derive(Debug, Clone)]
struct Validated {
    profile: ClinicProfile,
    settings: ClinicSettings,
    office_hours: Vec<OfficeHours>,
    operatories: Vec<OperatoryEntry>,
    providers: Vec<(ProviderEntry, Vec<NamedBlock>)>,
    types: Vec<(TypeEntry, Minutes, Option<TimePattern>)>,
    exceptions: Vec<(ExceptionEntry, Option<TimeRange>)>,
}

pub fn weekday_from_name(raw: &str) -> Result<Weekday, SetupError> {
    let day = raw.trim().to_ascii_lowercase();
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .position(|name| *name == day || name[..3] == day)
    .and_then(|i| u8::try_from(i).ok())
    .and_then(|i| Weekday::try_from(i).ok())
    .ok_or_else(|| invalid(format!("'{raw}' is not a weekday (use monday to sunday)")))
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// "08:00-12:30" as a range.
pub fn parse_hours(raw: &str) -> Result<TimeRange, SetupError> {
    let bad = || invalid(format!("'{raw}' is not a time range like 08:00-12:30"));
    let (start, end) = raw.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    TimeRange::new(time(start)?, time(end)?)
        .map_err(|_| invalid(format!("'{raw}': a time range must start before it ends")))
}

fn format_hours(range: TimeRange) -> String {
    format!(
        "{}-{}",
        range.start.format("%H:%M"),
        range.end.format("%H:%M")
    )
}

fn optional_phone(raw: &Option<String>, what: &str) -> Result<Option<PhoneNumber>, SetupError> {
    raw.as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| PhoneNumber::parse(p).map_err(|e| invalid(format!("{what}: {e}"))))
        .transpose()
}

fn text(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn phrases(raw: &BTreeMap<String, String>) -> Result<super::Phrases, SetupError> {
    for (key, text) in raw {
        if !super::PHRASE_KEYS.iter().any(|(k, _)| k == key) {
            let known: Vec<&str> = super::PHRASE_KEYS.iter().map(|(k, _)| *k).collect();
            return Err(invalid(format!(
                "[phrases] '{key}' is not a phrase (use {})",
                known.join(", ")
            )));
        }
        let length = text.trim().chars().count();
        if length == 0 || length > 300 {
            return Err(invalid(format!(
                "[phrases] '{key}' must be 1 to 300 characters"
            )));
        }
    }
    Ok(super::Phrases(raw.clone()))
}

fn unique<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Result<(), SetupError> {
    let mut seen = HashSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err(invalid(format!("every {what} needs a name")));
        }
        if !seen.insert(name) {
            return Err(invalid(format!("{what} '{name}' appears twice")));
        }
    }
    Ok(())
}

fn validate(file: &ClinicFile) -> Result<Validated, SetupError> {
    let time_zone = TimeZone::parse(&file.time_zone).map_err(|e| invalid(e.to_string()))?;
    let name = clinic_name(&file.name).map_err(|e| invalid(e.to_string()))?;
    let s = &file.settings;
    let rules = BookingRules {
        lead_minutes: s.lead_minutes,
        horizon_days: s.horizon_days,
        slot_step_minutes: s.slot_step_minutes,
    };
    rules.validate().map_err(|e| invalid(e.to_string()))?;
    let settings = ClinicSettings {
        address: text(&s.address),
        phone: optional_phone(&s.phone, "settings.phone")?,
        transfer_number: optional_phone(&s.transfer_number, "settings.transfer_number")?,
        cancellation_policy: text(&s.cancellation_policy),
        rules,
        agent: s.agent,
        llm_base_url: text(&s.llm_base_url)
            .map(|url| {
                if url.starts_with("http://") || url.starts_with("https://") {
                    Ok(url)
                } else {
                    Err(invalid(format!("settings.llm_base_url '{url}' must start with http:// or https://")))
                }
            })
            .transpose()?,
        llm_model: text(&s.llm_model),
        phrases: phrases(&file.phrases)?,
        transcript_retention_days: match s.transcript_retention_days {
            Some(days) if !(1..=3650).contains(&days) => {
                return Err(invalid("settings.transcript_retention_days must be 1 to 3650"));
            }
            days => days,
        },
        languages: languages(&s.languages)?,
        llm_api_key_env: text(&s.llm_api_key_env)
            .map(|var| {
                if var.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                    Ok(var)
                } else {
                    Err(invalid(format!("settings.llm_api_key_env '{var}' must name an environment variable (A-Z, 0-9, _), not hold the key")))
                }
            })
            .transpose()?,
    };
    let mut office_hours = Vec::new();
    for (day, ranges) in &file.office_hours {
        let weekday = weekday_from_name(day)?;
        for range in ranges.split(',').filter(|r| !r.trim().is_empty()) {
            office_hours.push(OfficeHours {
                weekday,
                hours: parse_hours(range)?,
            });
        }
    }
    unique(
        file.operatories.iter().map(|o| o.name.as_str()),
        "operatory",
    )?;
    unique(file.providers.iter().map(|p| p.name.as_str()), "provider")?;
    unique(
        file.appointment_types.iter().map(|t| t.name.as_str()),
        "appointment type",
    )?;
    let operatory_names: HashSet<&str> = file.operatories.iter().map(|o| o.name.as_str()).collect();
    let provider_names: HashSet<&str> = file.providers.iter().map(|p| p.name.as_str()).collect();
    let known_operatory = |name: &Option<String>, context: &str| match name {
        Some(n) if !operatory_names.contains(n.as_str()) => Err(invalid(format!(
            "{context}: operatory '{n}' is not in [[operatories]]"
        ))),
        _ => Ok(()),
    };
    let mut providers = Vec::new();
    for provider in &file.providers {
        let mut blocks = Vec::new();
        for entry in &provider.schedule {
            known_operatory(&entry.operatory, &format!("provider '{}'", provider.name))?;
            let hours = parse_hours(&entry.hours)?;
            for day in &entry.days {
                blocks.push((weekday_from_name(day)?, hours, entry.operatory.clone()));
            }
        }
        providers.push((provider.clone(), blocks));
    }
    let mut types = Vec::new();
    for entry in &file.appointment_types {
        let context =
            |e: &dyn std::fmt::Display| invalid(format!("appointment type '{}': {e}", entry.name));
        let pattern = entry
            .pattern
            .as_deref()
            .map(TimePattern::parse)
            .transpose()
            .map_err(|e| context(&e))?;
        let minutes = match (entry.minutes, &pattern) {
            (Some(m), Some(p)) if m != p.len_minutes() => {
                return Err(context(&format!(
                    "minutes = {m} but the pattern is {} minutes long",
                    p.len_minutes()
                )));
            }
            (Some(m), _) => m,
            (None, Some(p)) => p.len_minutes(),
            (None, None) => return Err(context(&"give minutes or a pattern")),
        };
        let minutes = Minutes::new(minutes).map_err(|e| context(&e))?;
        types.push((entry.clone(), minutes, pattern));
    }
    let mut exceptions = Vec::new();
    for entry in &file.exceptions {
        let context = format!("exception on {}", entry.date);
        known_operatory(&entry.operatory, &context)?;
        if let Some(p) = &entry.provider
            && !provider_names.contains(p.as_str())
        {
            return Err(invalid(format!(
                "{context}: provider '{p}' is not in [[providers]]"
            )));
        }
        let hours = entry.hours.as_deref().map(parse_hours).transpose()?;
        if entry.kind == ExceptionKind::ExtraHours && (hours.is_none() || entry.provider.is_none())
        {
            return Err(invalid(format!(
                "{context}: extra_hours needs a provider and hours"
            )));
        }
        if entry.kind == ExceptionKind::Blockout && hours.is_none() {
            return Err(invalid(format!("{context}: a blockout needs hours")));
        }
        exceptions.push((entry.clone(), hours));
    }
    Ok(Validated {
        profile: ClinicProfile {
            name,
            time_zone,
            greeting: text(&file.greeting),
            instructions: text(&file.instructions),
        },
        settings,
        office_hours,
        operatories: file.operatories.clone(),
        providers,
        types,
        exceptions,
    })
}

/// What an import did, for the CLI to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub providers: usize,
    pub operatories: usize,
    pub appointment_types: usize,
    pub deactivated: usize,
}

/// Checks a file without writing anything.
pub fn check(file: &ClinicFile) -> Result<(), SetupError> {
    validate(file).map(|_| ())
}

pub async fn import(
    store: &Store,
    org: &Organization,
    file: &ClinicFile,
) -> Result<ImportSummary, SetupError> {
    let valid = validate(file)?;
    let mut tx = store.clinic(org.id, TxMode::Write).await?;
    let mut summary = ImportSummary::default();

    // Rows are read once: matched by name, and those the file leaves out are deactivated.
    let before = tx.operatories().await?;
    let existing: HashMap<&str, OperatoryId> =
        before.iter().map(|o| (o.name.as_str(), o.id)).collect();
    let mut operatory_ids = HashMap::new();
    for (order, entry) in valid.operatories.iter().enumerate() {
        let id = existing
            .get(entry.name.as_str())
            .copied()
            .unwrap_or_else(OperatoryId::new_random);
        operatory_ids.insert(entry.name.clone(), id);
        tx.save_operatory(&Operatory {
            id,
            name: entry.name.clone(),
            active: entry.active,
            is_hygiene: entry.hygiene,
            sort_order: i32::try_from(order).unwrap_or(i32::MAX),
        })
        .await?;
        summary.operatories += 1;
    }
    for stale in before
        .into_iter()
        .filter(|o| o.active && !operatory_ids.contains_key(&o.name))
    {
        tx.save_operatory(&Operatory {
            active: false,
            ..stale
        })
        .await?;
        summary.deactivated += 1;
    }

    let before = tx.providers().await?;
    let existing: HashMap<&str, ProviderId> =
        before.iter().map(|p| (p.name.as_str(), p.id)).collect();
    let mut provider_ids = HashMap::new();
    let mut weekly = Vec::new();
    for (entry, blocks) in &valid.providers {
        let id = existing
            .get(entry.name.as_str())
            .copied()
            .unwrap_or_else(ProviderId::new_random);
        provider_ids.insert(entry.name.clone(), id);
        tx.save_provider(&Provider {
            id,
            name: entry.name.clone(),
            kind: entry.kind,
            active: entry.active,
        })
        .await?;
        summary.providers += 1;
        for (weekday, hours, operatory) in blocks {
            weekly.push(WeeklyBlock {
                provider: id,
                weekday: *weekday,
                hours: *hours,
                operatory: operatory
                    .as_ref()
                    .and_then(|o| operatory_ids.get(o).copied()),
            });
        }
    }
    for stale in before
        .into_iter()
        .filter(|p| p.active && !provider_ids.contains_key(&p.name))
    {
        tx.save_provider(&Provider {
            active: false,
            ..stale
        })
        .await?;
        summary.deactivated += 1;
    }

    let before = tx.appointment_types().await?;
    let existing: HashMap<&str, AppointmentTypeId> =
        before.iter().map(|t| (t.name.as_str(), t.id)).collect();
    let mut type_names = HashSet::new();
    for (entry, minutes, pattern) in &valid.types {
        type_names.insert(entry.name.clone());
        tx.save_appointment_type(&AppointmentType {
            id: existing
                .get(entry.name.as_str())
                .copied()
                .unwrap_or_else(AppointmentTypeId::new_random),
            name: entry.name.clone(),
            duration: *minutes,
            provider_kind: entry.provider_kind,
            pattern: pattern.clone(),
            active: entry.active,
        })
        .await?;
        summary.appointment_types += 1;
    }
    for stale in before
        .into_iter()
        .filter(|t| t.active && !type_names.contains(&t.name))
    {
        tx.save_appointment_type(&AppointmentType {
            active: false,
            ..stale
        })
        .await?;
        summary.deactivated += 1;
    }

    let exceptions: Vec<ScheduleException> = valid
        .exceptions
        .iter()
        .map(|(entry, hours)| ScheduleException {
            date: entry.date,
            provider: entry
                .provider
                .as_ref()
                .and_then(|p| provider_ids.get(p).copied()),
            kind: entry.kind,
            hours: *hours,
            operatory: entry
                .operatory
                .as_ref()
                .and_then(|o| operatory_ids.get(o).copied()),
            note: text(&entry.note),
        })
        .collect();
    tx.replace_schedules(&valid.office_hours, &weekly, &exceptions)
        .await?;
    tx.save_settings(&valid.settings).await?;
    tx.save_profile(&valid.profile).await?;
    tx.commit().await?;
    Ok(summary)
}

pub async fn export(store: &Store, org: &Organization) -> Result<ClinicFile, SetupError> {
    let mut tx = store.clinic(org.id, TxMode::Read).await?;
    let settings = tx.settings().await?;
    let operatories = tx.operatories().await?;
    let providers = tx.providers().await?;
    let types = tx.appointment_types().await?;
    let weekly = tx.weekly_blocks().await?;
    let office = tx.office_hours().await?;
    let (first, last) = (
        NaiveDate::from_ymd_opt(1900, 1, 1),
        NaiveDate::from_ymd_opt(9999, 12, 31),
    );
    let exceptions = match (first, last) {
        (Some(first), Some(last)) => tx.exceptions(first, last).await?,
        _ => Vec::new(),
    };
    let operatory_name: HashMap<OperatoryId, String> =
        operatories.iter().map(|o| (o.id, o.name.clone())).collect();
    let provider_name: HashMap<ProviderId, String> =
        providers.iter().map(|p| (p.id, p.name.clone())).collect();

    let mut office_hours: BTreeMap<String, String> = BTreeMap::new();
    for hours in &office {
        let entry = office_hours
            .entry(weekday_name(hours.weekday).to_owned())
            .or_default();
        if !entry.is_empty() {
            entry.push_str(", ");
        }
        entry.push_str(&format_hours(hours.hours));
    }
    let providers = providers
        .iter()
        .map(|p| {
            // One entry per (hours, operatory), listing its days in week order.
            let mut grouped: Vec<ScheduleEntry> = Vec::new();
            for block in weekly.iter().filter(|b| b.provider == p.id) {
                let hours = format_hours(block.hours);
                let operatory = block
                    .operatory
                    .and_then(|o| operatory_name.get(&o).cloned());
                let day = weekday_name(block.weekday).to_owned();
                match grouped
                    .iter_mut()
                    .find(|g| g.hours == hours && g.operatory == operatory)
                {
                    Some(g) => g.days.push(day),
                    None => grouped.push(ScheduleEntry {
                        days: vec![day],
                        hours,
                        operatory,
                    }),
                }
            }
            ProviderEntry {
                name: p.name.clone(),
                kind: p.kind,
                active: p.active,
                schedule: grouped,
            }
        })
        .collect();
    Ok(ClinicFile {
        name: org.name.clone(),
        time_zone: org.time_zone.name().to_owned(),
        greeting: org.greeting.clone(),
        instructions: org.instructions.clone(),
        settings: SettingsSection {
            address: settings.address,
            phone: settings.phone.map(String::from),
            transfer_number: settings.transfer_number.map(String::from),
            cancellation_policy: settings.cancellation_policy,
            lead_minutes: settings.rules.lead_minutes,
            horizon_days: settings.rules.horizon_days,
            slot_step_minutes: settings.rules.slot_step_minutes,
            agent: settings.agent,
            llm_base_url: settings.llm_base_url,
            llm_model: settings.llm_model,
            llm_api_key_env: settings.llm_api_key_env,
            transcript_retention_days: settings.transcript_retention_days,
            languages: settings.languages,
        },
        office_hours,
        phrases: settings.phrases.0.clone(),
        operatories: operatories
            .iter()
            .map(|o| OperatoryEntry {
                name: o.name.clone(),
                hygiene: o.is_hygiene,
                active: o.active,
            })
            .collect(),
        providers,
        appointment_types: types
            .iter()
            .map(|t| TypeEntry {
                name: t.name.clone(),
                minutes: Some(t.duration.get()),
                provider_kind: t.provider_kind,
                pattern: t.pattern.as_ref().map(|p| p.as_str().to_owned()),
                active: t.active,
            })
            .collect(),
        exceptions: exceptions
            .iter()
            .map(|e| ExceptionEntry {
                date: e.date,
                kind: e.kind,
                provider: e.provider.and_then(|p| provider_name.get(&p).cloned()),
                hours: e.hours.map(format_hours),
                operatory: e.operatory.and_then(|o| operatory_name.get(&o).cloned()),
                note: e.note.clone(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_languages(list: &str) -> Result<(), SetupError> {
        let file = ClinicFile::parse(&format!(
            "name = \"Lakeside\"\ntime_zone = \"America/Chicago\"\n[settings]\nlead_minutes = 60\nhorizon_days = 30\nslot_step_minutes = 15\nlanguages = {list}\n"
        ))?;
        check(&file)
    }

    #[test]
    fn front_desk_languages_are_codes() {
        let ok = with_languages(r#"["es", "ZH", "yue"]"#);
        assert!(ok.is_ok(), "{ok:?}");
        for bad in [r#"["spanish"]"#, r#"["e"]"#, r#"["es-MX"]"#, r#"[""]"#] {
            assert!(
                matches!(with_languages(bad), Err(SetupError::Invalid(m)) if m.contains("settings.languages")),
                "{bad}"
            );
        }
    }
}
