//! Checking a whole clinic file before anything is written: names unique, hours and dates
//! well formed, references resolved by name.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveTime, Weekday};

use super::file::{
    ClinicFile, ExceptionEntry, OperatoryEntry, ProviderEntry, SettingsSection, TypeEntry,
};
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
            return Err(invalid(
                "settings.languages",
                format!("'{code}' is not a language code like \"es\""),
            ));
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

pub fn weekday_from_name(raw: &str) -> Result<Weekday, String> {
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
    .ok_or_else(|| format!("'{raw}' is not a weekday (use monday to sunday)"))
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
pub fn parse_hours(raw: &str) -> Result<TimeRange, String> {
    let bad = || format!("'{}' is not a time range like 08:00-12:30", raw.trim());
    let (start, end) = raw.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    TimeRange::new(time(start)?, time(end)?)
        .map_err(|_| format!("'{}': a time range must start before it ends", raw.trim()))
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
        .map(|p| PhoneNumber::parse(p).map_err(|e| invalid(what, e.to_string())))
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
            return Err(invalid(
                format!("phrases.{key}"),
                format!("'{key}' is not a phrase (use {})", known.join(", ")),
            ));
        }
        let length = text.trim().chars().count();
        if length == 0 || length > 300 {
            return Err(invalid(
                format!("phrases.{key}"),
                "a phrase is 1 to 300 characters",
            ));
        }
    }
    Ok(crate::booking::Phrases(raw.clone()))
}

/// Names present, at most 80 characters, and each once; `section` is the file's array.
pub(super) fn unique<'a>(
    names: impl Iterator<Item = &'a str>,
    section: &str,
    what: &str,
) -> Result<(), SetupError> {
    let mut seen = HashSet::new();
    for (i, name) in names.enumerate() {
        let place = format!("{section}[{i}].name");
        if name.trim().is_empty() {
            return Err(invalid(place, format!("every {what} needs a name")));
        }
        if name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(invalid(
                place,
                format!("a {what}'s name is at most 80 characters on one line"),
            ));
        }
        if !seen.insert(name.trim()) {
            return Err(invalid(place, format!("{what} '{name}' appears twice")));
        }
    }
    Ok(())
}

/// Each rule checked alone against the defaults, so an error names the field it is about.
fn rules(s: &SettingsSection) -> Result<BookingRules, SetupError> {
    let defaults = BookingRules::default();
    let alone = [
        (
            "settings.lead_minutes",
            BookingRules {
                lead_minutes: s.lead_minutes,
                ..defaults
            },
        ),
        (
            "settings.horizon_days",
            BookingRules {
                horizon_days: s.horizon_days,
                ..defaults
            },
        ),
        (
            "settings.slot_step_minutes",
            BookingRules {
                slot_step_minutes: s.slot_step_minutes,
                ..defaults
            },
        ),
    ];
    for (place, rules) in alone {
        rules
            .validate()
            .map_err(|e| invalid(place, e.to_string()))?;
    }
    Ok(BookingRules {
        lead_minutes: s.lead_minutes,
        horizon_days: s.horizon_days,
        slot_step_minutes: s.slot_step_minutes,
    })
}

fn settings(file: &ClinicFile) -> Result<ClinicSettings, SetupError> {
    let s = &file.settings;
    let model = |raw: &Option<String>, place: &str| -> Result<Option<String>, SetupError> {
        match text(raw) {
            Some(name) if name.len() > 200 || name.chars().any(char::is_whitespace) => {
                Err(invalid(
                    place,
                    format!("'{name}' is not a model name (no spaces, at most 200 characters)"),
                ))
            }
            name => Ok(name),
        }
    };
    Ok(ClinicSettings {
        address: text(&s.address),
        phone: optional_phone(&s.phone, "settings.phone")?,
        transfer_number: optional_phone(&s.transfer_number, "settings.transfer_number")?,
        cancellation_policy: text(&s.cancellation_policy),
        rules: rules(s)?,
        agent: s.agent,
        llm_base_url: text(&s.llm_base_url)
            .map(|url| {
                if url.starts_with("http://") || url.starts_with("https://") {
                    Ok(url)
                } else {
                    Err(invalid(
                        "settings.llm_base_url",
                        format!("'{url}' must start with http:// or https://"),
                    ))
                }
            })
            .transpose()?,
        llm_model: model(&s.llm_model, "settings.llm_model")?,
        llm_fallback_model: model(&s.llm_fallback_model, "settings.llm_fallback_model")?,
        phrases: phrases(&file.phrases)?,
        transcript_retention_days: match s.transcript_retention_days {
            Some(days) if !(1..=3650).contains(&days) => {
                return Err(invalid(
                    "settings.transcript_retention_days",
                    "keep transcripts 1 to 3650 days (or leave it empty to keep them)",
                ));
            }
            days => days,
        },
        languages: languages(&s.languages)?,
        llm_api_key_env: text(&s.llm_api_key_env)
            .map(|var| {
                if var.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                    Ok(var)
                } else {
                    Err(invalid(
                        "settings.llm_api_key_env",
                        format!("'{var}' must name an environment variable (A-Z, 0-9, _), not hold the key"),
                    ))
                }
            })
            .transpose()?,
    })
}

fn office_hours(file: &ClinicFile) -> Result<Vec<OfficeHours>, SetupError> {
    let mut office_hours = Vec::new();
    for (day, ranges) in &file.office_hours {
        let place = format!("office_hours.{day}");
        let weekday = weekday_from_name(day).map_err(|e| invalid(&place, e))?;
        for range in ranges.split(',').filter(|r| !r.trim().is_empty()) {
            office_hours.push(OfficeHours {
                weekday,
                hours: parse_hours(range).map_err(|e| invalid(&place, e))?,
            });
        }
    }
    Ok(office_hours)
}

pub(super) fn validate(file: &ClinicFile) -> Result<Validated, SetupError> {
    let time_zone =
        TimeZone::parse(&file.time_zone).map_err(|e| invalid("time_zone", e.to_string()))?;
    let name = clinic_name(&file.name).map_err(|e| invalid("name", e.to_string()))?;
    for (place, value, limit) in [
        ("greeting", &file.greeting, 1_000),
        ("instructions", &file.instructions, 20_000),
        ("settings.address", &file.settings.address, 300),
        (
            "settings.cancellation_policy",
            &file.settings.cancellation_policy,
            2_000,
        ),
    ] {
        if value
            .as_deref()
            .is_some_and(|v| v.trim().chars().count() > limit)
        {
            return Err(invalid(place, format!("at most {limit} characters")));
        }
    }
    let settings = settings(file)?;
    let office_hours = office_hours(file)?;
    unique(
        file.operatories.iter().map(|o| o.name.as_str()),
        "operatories",
        "operatory",
    )?;
    unique(
        file.providers.iter().map(|p| p.name.as_str()),
        "providers",
        "provider",
    )?;
    unique(
        file.appointment_types.iter().map(|t| t.name.as_str()),
        "appointment_types",
        "appointment type",
    )?;
    let operatory_names: HashSet<&str> = file.operatories.iter().map(|o| o.name.as_str()).collect();
    let provider_names: HashSet<&str> = file.providers.iter().map(|p| p.name.as_str()).collect();
    let known_operatory = |name: &Option<String>, place: String| match name {
        Some(n) if !operatory_names.contains(n.as_str()) => Err(invalid(
            place,
            format!("operatory '{n}' is not in [[operatories]]"),
        )),
        _ => Ok(()),
    };
    let mut providers = Vec::new();
    for (i, provider) in file.providers.iter().enumerate() {
        let mut blocks = Vec::new();
        for (j, entry) in provider.schedule.iter().enumerate() {
            let place = |field: &str| format!("providers[{i}].schedule[{j}].{field}");
            let context = |e: String| format!("{}: {e}", provider.name);
            known_operatory(&entry.operatory, place("operatory"))?;
            let hours =
                parse_hours(&entry.hours).map_err(|e| invalid(place("hours"), context(e)))?;
            if entry.days.is_empty() {
                return Err(invalid(
                    place("days"),
                    context("name at least one weekday".into()),
                ));
            }
            for day in &entry.days {
                let weekday =
                    weekday_from_name(day).map_err(|e| invalid(place("days"), context(e)))?;
                blocks.push((weekday, hours, entry.operatory.clone()));
            }
        }
        providers.push((provider.clone(), blocks));
    }
    let mut types = Vec::new();
    for (i, entry) in file.appointment_types.iter().enumerate() {
        let fail = |field: &str, e: &dyn std::fmt::Display| {
            invalid(
                format!("appointment_types[{i}].{field}"),
                format!("{}: {e}", entry.name),
            )
        };
        let pattern = entry
            .pattern
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(TimePattern::parse)
            .transpose()
            .map_err(|e| fail("pattern", &e))?;
        let minutes = match (entry.minutes, &pattern) {
            (Some(m), Some(p)) if m != p.len_minutes() => {
                return Err(fail(
                    "minutes",
                    &format!(
                        "minutes = {m} but the pattern is {} minutes long",
                        p.len_minutes()
                    ),
                ));
            }
            (Some(m), _) => m,
            (None, Some(p)) => p.len_minutes(),
            (None, None) => return Err(fail("minutes", &"give minutes or a pattern")),
        };
        let minutes = Minutes::new(minutes).map_err(|e| fail("minutes", &e))?;
        types.push((entry.clone(), minutes, pattern));
    }
    let mut exceptions = Vec::new();
    for (i, entry) in file.exceptions.iter().enumerate() {
        let place = |field: &str| format!("exceptions[{i}].{field}");
        let context = |e: &dyn std::fmt::Display| format!("exception on {}: {e}", entry.date);
        known_operatory(&entry.operatory, place("operatory"))?;
        if let Some(p) = &entry.provider
            && !provider_names.contains(p.as_str())
        {
            return Err(invalid(
                place("provider"),
                context(&format!("provider '{p}' is not in [[providers]]")),
            ));
        }
        let hours = entry
            .hours
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(parse_hours)
            .transpose()
            .map_err(|e| invalid(place("hours"), context(&e)))?;
        if entry.kind == ExceptionKind::ExtraHours && entry.provider.is_none() {
            return Err(invalid(
                place("provider"),
                context(&"extra hours are a provider's"),
            ));
        }
        if entry.kind != ExceptionKind::Closed && hours.is_none() {
            return Err(invalid(place("hours"), context(&"give the hours")));
        }
        if entry
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > 200)
        {
            return Err(invalid(
                place("note"),
                context(&"a note is at most 200 characters"),
            ));
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
