//! Writing a validated clinic file in one transaction, matching rows by name.

use std::collections::{HashMap, HashSet};

use super::SetupError;
use super::changes::changes;
use super::export::read;
use super::file::ClinicFile;
use super::patch::ClinicPatch;
use super::validate::{Validated, text, validate};
use crate::booking::{
    AppointmentType, AppointmentTypeId, Operatory, OperatoryId, Provider, ProviderId,
    ScheduleException, WeeklyBlock,
};
use crate::store::{ClinicTx, Store, TxMode};
use crate::tenancy::Organization;

/// What an import did, for the CLI to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub providers: usize,
    pub operatories: usize,
    pub appointment_types: usize,
    pub deactivated: usize,
}

/// Rows renamed by a console form, new name to old: the row keeps its id (and so its
/// appointments and schedules) under the new name instead of being replaced by a new one.
#[derive(Debug, Clone, Default)]
pub struct Renames {
    pub operatories: HashMap<String, String>,
    pub providers: HashMap<String, String>,
    pub appointment_types: HashMap<String, String>,
}

/// The id a file's row takes: the row of that name, else the row it was renamed from, else new.
fn matched<Id: Copy>(
    existing: &HashMap<&str, Id>,
    renamed_from: &HashMap<String, String>,
    name: &str,
    new: impl FnOnce() -> Id,
) -> Id {
    existing
        .get(name)
        .or_else(|| {
            renamed_from
                .get(name)
                .and_then(|old| existing.get(old.as_str()))
        })
        .copied()
        .unwrap_or_else(new)
}

/// What applying an operator's file did (or, checked only, would do).
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub summary: ImportSummary,
    /// In words, as the console's preview says them.
    pub changes: Vec<String>,
}

/// Applies an operator's file over the clinic's setup in one transaction: only what the file
/// says changes. With `write` false it only checks the result and says what would change.
pub async fn apply_file(
    store: &Store,
    org: &Organization,
    patch: ClinicPatch,
    write_it: bool,
) -> Result<Applied, SetupError> {
    let mode = if write_it {
        TxMode::Write
    } else {
        TxMode::Read
    };
    let mut tx = store.clinic(org.id, mode).await?;
    let before = read(&mut tx).await?;
    let mut after = before.clone();
    patch.apply(&mut after);
    let valid = validate(&after)?;
    let changes = changes(&before, &after);
    if !write_it {
        return Ok(Applied {
            summary: ImportSummary::default(),
            changes,
        });
    }
    let summary = write(&mut tx, &valid, &Renames::default()).await?;
    tx.commit().await?;
    Ok(Applied { summary, changes })
}

/// Replaces the clinic's whole setup with `file` (the demo clinic, a template).
pub async fn import(
    store: &Store,
    org: &Organization,
    file: &ClinicFile,
) -> Result<ImportSummary, SetupError> {
    let valid = validate(file)?;
    let mut tx = store.clinic(org.id, TxMode::Write).await?;
    let summary = write(&mut tx, &valid, &Renames::default()).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Changes part of a clinic's setup: reads its file, lets `change` edit it, validates the
/// whole result and writes it, all in one transaction, so two people editing different
/// parts at once cannot undo each other's change. Returns the file as written.
pub async fn edit(
    store: &Store,
    org: &Organization,
    renames: &Renames,
    change: impl FnOnce(&mut ClinicFile) -> Result<(), SetupError>,
) -> Result<ClinicFile, SetupError> {
    let mut tx = store.clinic(org.id, TxMode::Write).await?;
    let mut file = read(&mut tx).await?;
    change(&mut file)?;
    let valid = validate(&file)?;
    write(&mut tx, &valid, renames).await?;
    tx.commit().await?;
    Ok(file)
}

async fn write(
    tx: &mut ClinicTx,
    valid: &Validated,
    renames: &Renames,
) -> Result<ImportSummary, SetupError> {
    let mut summary = ImportSummary::default();

    // Rows are read once: matched by name (or the name they were renamed from); those the
    // file no longer uses are deactivated, never deleted, since appointments refer to them.
    let before = tx.operatories().await?;
    let existing: HashMap<&str, OperatoryId> =
        before.iter().map(|o| (o.name.as_str(), o.id)).collect();
    let mut operatory_ids = HashMap::new();
    for (order, entry) in valid.operatories.iter().enumerate() {
        let id = matched(
            &existing,
            &renames.operatories,
            &entry.name,
            OperatoryId::new_random,
        );
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
    let used: HashSet<OperatoryId> = operatory_ids.values().copied().collect();
    for stale in before
        .into_iter()
        .filter(|o| o.active && !used.contains(&o.id))
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
        let id = matched(
            &existing,
            &renames.providers,
            &entry.name,
            ProviderId::new_random,
        );
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
    let used: HashSet<ProviderId> = provider_ids.values().copied().collect();
    for stale in before
        .into_iter()
        .filter(|p| p.active && !used.contains(&p.id))
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
    let mut used = HashSet::new();
    for (entry, minutes, pattern) in &valid.types {
        let id = matched(
            &existing,
            &renames.appointment_types,
            &entry.name,
            AppointmentTypeId::new_random,
        );
        used.insert(id);
        tx.save_appointment_type(&AppointmentType {
            id,
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
        .filter(|t| t.active && !used.contains(&t.id))
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
    Ok(summary)
}
