//! Writing a validated clinic file in one transaction, matching rows by name.

use std::collections::{HashMap, HashSet};

use super::SetupError;
use super::file::ClinicFile;
use super::validate::{text, validate};
use crate::booking::{
    AppointmentType, AppointmentTypeId, Operatory, OperatoryId, Provider, ProviderId,
    ScheduleException, WeeklyBlock,
};
use crate::store::{Store, TxMode};
use crate::tenancy::Organization;

/// What an import did, for the CLI to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub providers: usize,
    pub operatories: usize,
    pub appointment_types: usize,
    pub deactivated: usize,
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
