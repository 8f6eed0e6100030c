//! Checking a whole clinic file before anything is written: names unique, hours and dates
//! well formed, references resolved by name.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveTime, Weekday};

use super::file::{ClinicFile, ExceptionEntry, OperatoryEntry, ProviderEntry, TypeEntry};
use super::{SetupError, invalid};
use crate::booking::ClinicProfile;
use crate::booking::{
    BookingRules, ClinicSettings, ExceptionKind, Minutes, OfficeHours, PhoneNumber, TimePattern,
    TimeRange,
};
use crate::tenancy::{TimeZone, clinic_name};

/// Language codes as two or three lowercase letters ("es", "yue"), each once.
pub(super) fn languages(raw: &[String]) -> Result<Vec<String>, SetupError> {
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

/// A weekly block with its operatory still named.
pub(super) type NamedBlock = (Weekday, TimeRange, Option<String>);

/// A validated file, names not yet resolved to ids.
#[derive(Debug, Clone)]
pub(super) struct Validated {
    pub(super) profile: ClinicProfile,
    pub(super) settings: ClinicSettings,
    pub(super) office_hours: Vec<OfficeHours>,
    pub(super) operatories: Vec<OperatoryEntry>,
    pub(super) providers: Vec<(ProviderEntry, Vec<NamedBlock>)>,
    pub(super) types: Vec<(TypeEntry, Minutes, Option<TimePattern>)>,
    pub(super) exceptions: Vec<(ExceptionEntry, Option<TimeRange>)>,
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

pub(super) fn weekday_name(day: Weekday) -> &'static str {
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

pub(super) fn format_hours(range: TimeRange) -> String {
    format!(
        "{}-{}",
        range.start.format("%H:%M"),
        range.end.format("%H:%M")
    )
}

pub(super) fn optional_phone(
    raw: &Option<String>,
    what: &str,
) -> Result<Option<PhoneNumber>, SetupError> {
    raw.as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| PhoneNumber::parse(p).map_err(|e| invalid(format!("{what}: {e}"))))
        .transpose()
}

pub(super) fn text(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

pub(super) fn phrases(
    raw: &BTreeMap<String, String>,
) -> Result<crate::booking::Phrases, SetupError> {
    for (key, text) in raw {
        if !crate::booking::PHRASE_KEYS.iter().any(|(k, _)| k == key) {
            let known: Vec<&str> = crate::booking::PHRASE_KEYS
                .iter()
                .map(|(k, _)| *k)
                .collect();
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
    Ok(crate::booking::Phrases(raw.clone()))
}

pub(super) fn unique<'a>(
    names: impl Iterator<Item = &'a str>,
    what: &str,
) -> Result<(), SetupError> {
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

pub(super) fn validate(file: &ClinicFile) -> Result<Validated, SetupError> {
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

/// Checks a file without writing anything.
pub fn check(file: &ClinicFile) -> Result<(), SetupError> {
    validate(file).map(|_| ())
}
