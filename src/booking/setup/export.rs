//! A clinic's setup written back out as a clinic file.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::SetupError;
use super::file::{
    ClinicFile, ExceptionEntry, OperatoryEntry, ProviderEntry, ScheduleEntry, SettingsSection,
    TypeEntry,
};
use super::validate::{format_hours, weekday_name};
use crate::booking::{OperatoryId, ProviderId};
use crate::store::{ClinicTx, Store, TxMode};
use crate::tenancy::{Organization, default_greeting};

/// The clinic's setup for an operator to read and edit: the greeting is written out even
/// when it is the default one, so the file shows what callers hear.
pub async fn export(store: &Store, org: &Organization) -> Result<ClinicFile, SetupError> {
    let mut tx = store.clinic(org.id, TxMode::Read).await?;
    let mut file = read(&mut tx).await?;
    if file.greeting.is_none() {
        file.greeting = Some(default_greeting(&file.name));
    }
    Ok(file)
}

/// The clinic's setup as the transaction sees it.
pub(super) async fn read(tx: &mut ClinicTx) -> Result<ClinicFile, SetupError> {
    let profile = tx.profile().await?;
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
        name: profile.name,
        time_zone: profile.time_zone.name().to_owned(),
        greeting: profile.greeting,
        instructions: profile.instructions,
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
            llm_fallback_model: settings.llm_fallback_model,
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
