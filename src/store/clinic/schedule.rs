//! The clinic's setup as the booking engine reads it: settings, providers, chairs,
//! appointment types, hours and exceptions, and the busy times of a date range.

use chrono::{DateTime, NaiveDate, Utc};

use super::ClinicTx;
use crate::booking::{
    AgentKind, AppointmentType, BookingRules, Busy, ClinicSettings, Minutes, OfficeHours,
    Operatory, Provider, ScheduleException, TimePattern, WeeklyBlock,
};
use crate::store::StoreError;
use crate::store::columns::{
    corrupt, exception_kind, phone, provider_kind, time_range, unsigned, weekday,
};
use crate::store::db::types::{DbId, EpochSeconds};
use crate::store::db::{record, sql};

record! {
    struct SettingsRow {
        address: Option<String>,
        phone: Option<String>,
        transfer_number: Option<String>,
        cancellation_policy: Option<String>,
        lead_minutes: i64,
        horizon_days: i64,
        slot_step_minutes: i64,
        agent: Option<String>,
        llm_base_url: Option<String>,
        llm_model: Option<String>,
        llm_fallback_model: Option<String>,
        llm_api_key_env: Option<String>,
        phrases: Option<String>,
        transcript_retention_days: Option<i64>,
        languages: Option<String>,
    }
}

impl TryFrom<SettingsRow> for ClinicSettings {
    type Error = StoreError;
    fn try_from(row: SettingsRow) -> Result<Self, StoreError> {
        Ok(ClinicSettings {
            address: row.address,
            phone: phone(row.phone)?,
            transfer_number: phone(row.transfer_number)?,
            cancellation_policy: row.cancellation_policy,
            rules: BookingRules {
                lead_minutes: unsigned(row.lead_minutes)?,
                horizon_days: unsigned(row.horizon_days)?,
                slot_step_minutes: unsigned(row.slot_step_minutes)?,
            },
            agent: row
                .agent
                .map(|a| AgentKind::parse(&a).ok_or_else(|| corrupt(format!("agent '{a}'"))))
                .transpose()?,
            llm_base_url: row.llm_base_url,
            llm_model: row.llm_model,
            llm_fallback_model: row.llm_fallback_model,
            llm_api_key_env: row.llm_api_key_env,
            phrases: row
                .phrases
                .map(|json| serde_json::from_str(&json).map_err(corrupt))
                .transpose()?
                .unwrap_or_default(),
            transcript_retention_days: row.transcript_retention_days.map(unsigned).transpose()?,
            languages: row
                .languages
                .map(|codes| codes.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
        })
    }
}

record! {
    struct ProviderRow {
        id: DbId,
        name: String,
        kind: String,
        active: bool,
    }
}

record! {
    struct OperatoryRow {
        id: DbId,
        name: String,
        active: bool,
        is_hygiene: bool,
        sort_order: i64,
    }
}

record! {
    struct AppointmentTypeRow {
        id: DbId,
        name: String,
        duration_minutes: i64,
        provider_kind: Option<String>,
        pattern: Option<String>,
        active: bool,
    }
}

record! {
    struct HoursRow {
        weekday: i64,
        start_minute: i64,
        end_minute: i64,
    }
}

record! {
    struct WeeklyBlockRow {
        provider_id: DbId,
        weekday: i64,
        start_minute: i64,
        end_minute: i64,
        operatory_id: Option<DbId>,
    }
}

record! {
    struct ExceptionRow {
        date: NaiveDate,
        provider_id: Option<DbId>,
        kind: String,
        start_minute: Option<i64>,
        end_minute: Option<i64>,
        operatory_id: Option<DbId>,
        note: Option<String>,
    }
}

impl TryFrom<ExceptionRow> for ScheduleException {
    type Error = StoreError;
    fn try_from(row: ExceptionRow) -> Result<Self, StoreError> {
        let hours = match (row.start_minute, row.end_minute) {
            (Some(start), Some(end)) => Some(time_range(start, end)?),
            _ => None,
        };
        Ok(ScheduleException {
            date: row.date,
            provider: row.provider_id.map(DbId::of),
            kind: exception_kind(&row.kind)?,
            hours,
            operatory: row.operatory_id.map(DbId::of),
            note: row.note,
        })
    }
}

/// Read by position: the availability search decodes thousands of these.
type BusyRow = (DbId, DbId, DbId, EpochSeconds, EpochSeconds);

impl ClinicTx {
    pub async fn settings(&mut self) -> Result<ClinicSettings, StoreError> {
        let row: Option<SettingsRow> = self
            .tx
            .fetch_optional(
                sql(
                    "SELECT address, phone, transfer_number, cancellation_policy, lead_minutes,
                            horizon_days, slot_step_minutes, agent, llm_base_url, llm_model,
                            llm_fallback_model, llm_api_key_env, phrases, transcript_retention_days, languages
                     FROM org_settings WHERE org_id = $1",
                )
                .bind(self.org),
            )
            .await?;
        row.map_or_else(|| Ok(ClinicSettings::default()), ClinicSettings::try_from)
    }

    pub async fn providers(&mut self) -> Result<Vec<Provider>, StoreError> {
        let rows: Vec<ProviderRow> = self
            .tx
            .fetch_all(
                sql("SELECT id, name, kind, active FROM providers WHERE org_id = $1 ORDER BY name")
                    .bind(self.org),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Provider {
                    id: row.id.of(),
                    name: row.name,
                    kind: provider_kind(&row.kind)?,
                    active: row.active,
                })
            })
            .collect()
    }

    pub async fn operatories(&mut self) -> Result<Vec<Operatory>, StoreError> {
        let rows: Vec<OperatoryRow> = self
            .tx
            .fetch_all(
                sql(
                    "SELECT id, name, active, is_hygiene, sort_order FROM operatories
                     WHERE org_id = $1 ORDER BY sort_order, name",
                )
                .bind(self.org),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Operatory {
                    id: row.id.of(),
                    name: row.name,
                    active: row.active,
                    is_hygiene: row.is_hygiene,
                    sort_order: i32::try_from(row.sort_order).map_err(corrupt)?,
                })
            })
            .collect()
    }

    pub async fn appointment_types(&mut self) -> Result<Vec<AppointmentType>, StoreError> {
        let rows: Vec<AppointmentTypeRow> = self
            .tx
            .fetch_all(
                sql(
                    "SELECT id, name, duration_minutes, provider_kind, pattern, active
                     FROM appointment_types WHERE org_id = $1 ORDER BY name",
                )
                .bind(self.org),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(AppointmentType {
                    id: row.id.of(),
                    name: row.name,
                    duration: Minutes::new(unsigned(row.duration_minutes)?).map_err(corrupt)?,
                    provider_kind: row
                        .provider_kind
                        .as_deref()
                        .map(provider_kind)
                        .transpose()?,
                    pattern: row
                        .pattern
                        .as_deref()
                        .map(TimePattern::parse)
                        .transpose()
                        .map_err(corrupt)?,
                    active: row.active,
                })
            })
            .collect()
    }

    pub async fn office_hours(&mut self) -> Result<Vec<OfficeHours>, StoreError> {
        let rows: Vec<HoursRow> = self
            .tx
            .fetch_all(
                sql("SELECT weekday, start_minute, end_minute FROM office_hours
                     WHERE org_id = $1 ORDER BY weekday, start_minute")
                .bind(self.org),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(OfficeHours {
                    weekday: weekday(row.weekday)?,
                    hours: time_range(row.start_minute, row.end_minute)?,
                })
            })
            .collect()
    }

    pub async fn weekly_blocks(&mut self) -> Result<Vec<WeeklyBlock>, StoreError> {
        let rows: Vec<WeeklyBlockRow> = self
            .tx
            .fetch_all(
                sql(
                    "SELECT provider_id, weekday, start_minute, end_minute, operatory_id
                     FROM provider_schedules WHERE org_id = $1 ORDER BY weekday, start_minute",
                )
                .bind(self.org),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(WeeklyBlock {
                    provider: row.provider_id.of(),
                    weekday: weekday(row.weekday)?,
                    hours: time_range(row.start_minute, row.end_minute)?,
                    operatory: row.operatory_id.map(DbId::of),
                })
            })
            .collect()
    }

    /// Exceptions dated `from` to `to`, inclusive.
    pub async fn exceptions(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ScheduleException>, StoreError> {
        let rows: Vec<ExceptionRow> = self
            .tx
            .fetch_all(
                sql(
                    "SELECT date, provider_id, kind, start_minute, end_minute, operatory_id, note
                     FROM schedule_exceptions WHERE org_id = $1 AND date >= $2 AND date <= $3
                     ORDER BY date, start_minute",
                )
                .bind(self.org)
                .bind(from)
                .bind(to),
            )
            .await?;
        rows.into_iter().map(ScheduleException::try_from).collect()
    }

    /// Time held by appointments overlapping `[from, to)`.
    pub async fn busy(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Busy>, StoreError> {
        let rows: Vec<BusyRow> = self
            .tx
            .fetch_all(
                sql(
                    "SELECT patient_id, provider_id, operatory_id, start_at, end_at
                     FROM appointments
                     WHERE org_id = $1 AND status IN ('scheduled', 'completed')
                       AND start_at >= $2 AND start_at < $3 AND end_at > $4",
                )
                .bind(self.org)
                // No appointment is longer than Minutes::MAX: this bounds the index range scan.
                .bind(EpochSeconds(from - Minutes::MAX.duration()))
                .bind(EpochSeconds(to))
                .bind(EpochSeconds(from)),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(patient, provider, operatory, start, end)| Busy {
                provider: Some(provider.of()),
                operatory: Some(operatory.of()),
                patient: Some(patient.of()),
                start: start.0,
                end: end.0,
            })
            .collect())
    }
}
