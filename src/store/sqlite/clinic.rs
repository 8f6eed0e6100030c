//! `ClinicTx` for SQLite: one transaction, every statement bound to the org it was opened for.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use crate::booking::{
    AgentKind, Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId,
    BookingRules, Busy, ClinicSettings, Message, MessageId, MessageStatus, Minutes, OfficeHours,
    Operatory, OperatoryId, Patient, PatientId, PhoneNumber, Provider, ProviderId,
    ScheduleException, TimePattern, WeeklyBlock,
};
use crate::store::StoreError;
use crate::store::clinic::{
    AppointmentFilter, ClinicProfile, ClinicTx, MessageFilter, StoreFuture,
};
use crate::store::columns::{
    corrupt, day_number, exception_kind, exception_kind_str, kind_str, minute_of, phone,
    provider_kind, time_range, unsigned, weekday,
};
use crate::tenancy::OrgId;

pub struct SqliteClinic {
    tx: Transaction<'static, Sqlite>,
    org: OrgId,
    org_key: String,
}

impl SqliteClinic {
    pub fn new(tx: Transaction<'static, Sqlite>, org: OrgId) -> Self {
        Self {
            tx,
            org,
            org_key: org.to_string(),
        }
    }
}

macro_rules! select_appointment {
    ($tail:literal) => {
        concat!(
            "SELECT id, patient_id, provider_id, operatory_id, appointment_type_id, start_at, end_at,
                    status, note, source, idempotency_key, call_id, created_at, updated_at
             FROM appointments WHERE org_id = ? ",
            $tail
        )
    };
}

macro_rules! select_patient {
    ($tail:literal) => {
        concat!(
            "SELECT id, first_name, last_name, birth_date, phone, email, created_at
             FROM patients WHERE org_id = ? ",
            $tail
        )
    };
}

macro_rules! select_message {
    ($tail:literal) => {
        concat!(
            "SELECT id, call_id, caller_name, callback, reason, language, urgent, status,
                    created_at, handled_at
             FROM caller_messages WHERE org_id = ? ",
            $tail
        )
    };
}

impl ClinicTx for SqliteClinic {
    fn org(&self) -> OrgId {
        self.org
    }

    fn settings(&mut self) -> StoreFuture<'_, ClinicSettings> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT address, phone, transfer_number, cancellation_policy, lead_minutes,
                        horizon_days, slot_step_minutes, agent, llm_base_url, llm_model,
                        llm_api_key_env, phrases, transcript_retention_days, languages
                 FROM org_settings WHERE org_id = ?",
            )
            .bind(&self.org_key)
            .fetch_optional(&mut *self.tx)
            .await?;
            let Some(row) = row else {
                return Ok(ClinicSettings::default());
            };
            Ok(ClinicSettings {
                address: row.try_get("address")?,
                phone: phone(row.try_get("phone")?)?,
                transfer_number: phone(row.try_get("transfer_number")?)?,
                cancellation_policy: row.try_get("cancellation_policy")?,
                rules: BookingRules {
                    lead_minutes: unsigned(row.try_get("lead_minutes")?)?,
                    horizon_days: unsigned(row.try_get("horizon_days")?)?,
                    slot_step_minutes: unsigned(row.try_get("slot_step_minutes")?)?,
                },
                agent: row
                    .try_get::<Option<String>, _>("agent")?
                    .map(|a| AgentKind::parse(&a).ok_or_else(|| corrupt(format!("agent '{a}'"))))
                    .transpose()?,
                llm_base_url: row.try_get("llm_base_url")?,
                llm_model: row.try_get("llm_model")?,
                llm_api_key_env: row.try_get("llm_api_key_env")?,
                phrases: row
                    .try_get::<Option<String>, _>("phrases")?
                    .map(|json| serde_json::from_str(&json).map_err(corrupt))
                    .transpose()?
                    .unwrap_or_default(),
                transcript_retention_days: row
                    .try_get::<Option<i64>, _>("transcript_retention_days")?
                    .map(|d| u32::try_from(d).map_err(corrupt))
                    .transpose()?,
                languages: row
                    .try_get::<Option<String>, _>("languages")?
                    .map(|codes| codes.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        })
    }

    fn providers(&mut self) -> StoreFuture<'_, Vec<Provider>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT id, name, kind, active FROM providers WHERE org_id = ? ORDER BY name",
            )
            .bind(&self.org_key)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(Provider {
                        id: parse(row.try_get("id")?)?,
                        name: row.try_get("name")?,
                        kind: provider_kind(&row.try_get::<String, _>("kind")?)?,
                        active: row.try_get("active")?,
                    })
                })
                .collect()
        })
    }

    fn operatories(&mut self) -> StoreFuture<'_, Vec<Operatory>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT id, name, active, is_hygiene, sort_order FROM operatories
                 WHERE org_id = ? ORDER BY sort_order, name",
            )
            .bind(&self.org_key)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(Operatory {
                        id: parse(row.try_get("id")?)?,
                        name: row.try_get("name")?,
                        active: row.try_get("active")?,
                        is_hygiene: row.try_get("is_hygiene")?,
                        sort_order: row.try_get("sort_order")?,
                    })
                })
                .collect()
        })
    }

    fn appointment_types(&mut self) -> StoreFuture<'_, Vec<AppointmentType>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT id, name, duration_minutes, provider_kind, pattern, active
                 FROM appointment_types WHERE org_id = ? ORDER BY name",
            )
            .bind(&self.org_key)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    let kind: Option<String> = row.try_get("provider_kind")?;
                    let pattern: Option<String> = row.try_get("pattern")?;
                    Ok(AppointmentType {
                        id: parse(row.try_get("id")?)?,
                        name: row.try_get("name")?,
                        duration: Minutes::new(unsigned(row.try_get("duration_minutes")?)?)
                            .map_err(corrupt)?,
                        provider_kind: kind.as_deref().map(provider_kind).transpose()?,
                        pattern: pattern
                            .as_deref()
                            .map(TimePattern::parse)
                            .transpose()
                            .map_err(corrupt)?,
                        active: row.try_get("active")?,
                    })
                })
                .collect()
        })
    }

    fn office_hours(&mut self) -> StoreFuture<'_, Vec<OfficeHours>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT weekday, start_minute, end_minute FROM office_hours
                 WHERE org_id = ? ORDER BY weekday, start_minute",
            )
            .bind(&self.org_key)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(OfficeHours {
                        weekday: weekday(row.try_get("weekday")?)?,
                        hours: time_range(
                            row.try_get("start_minute")?,
                            row.try_get("end_minute")?,
                        )?,
                    })
                })
                .collect()
        })
    }

    fn weekly_blocks(&mut self) -> StoreFuture<'_, Vec<WeeklyBlock>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT provider_id, weekday, start_minute, end_minute, operatory_id
                 FROM provider_schedules WHERE org_id = ? ORDER BY weekday, start_minute",
            )
            .bind(&self.org_key)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(WeeklyBlock {
                        provider: parse(row.try_get("provider_id")?)?,
                        weekday: weekday(row.try_get("weekday")?)?,
                        hours: time_range(
                            row.try_get("start_minute")?,
                            row.try_get("end_minute")?,
                        )?,
                        operatory: optional(row.try_get("operatory_id")?)?,
                    })
                })
                .collect()
        })
    }

    fn exceptions(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<ScheduleException>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT date, provider_id, kind, start_minute, end_minute, operatory_id, note
                 FROM schedule_exceptions WHERE org_id = ? AND date >= ? AND date <= ?
                 ORDER BY date, start_minute",
            )
            .bind(&self.org_key)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter().map(exception_from_row).collect()
        })
    }

    fn busy(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreFuture<'_, Vec<Busy>> {
        Box::pin(async move {
            let rows = sqlx::query(
                "SELECT patient_id, provider_id, operatory_id, start_at, end_at FROM appointments
                 WHERE org_id = ? AND status IN ('scheduled', 'completed')
                   AND start_at >= ? AND start_at < ? AND end_at > ?",
            )
            .bind(&self.org_key)
            // No appointment is longer than Minutes::MAX: this bounds the index range scan.
            .bind((from - Minutes::MAX.duration()).timestamp())
            .bind(to.timestamp())
            .bind(from.timestamp())
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(Busy {
                        provider: Some(parse_str(row.try_get(1)?)?),
                        operatory: Some(parse_str(row.try_get(2)?)?),
                        patient: Some(parse_str(row.try_get(0)?)?),
                        start: instant(row.try_get(3)?)?,
                        end: instant(row.try_get(4)?)?,
                    })
                })
                .collect()
        })
    }

    fn patient(&mut self, id: PatientId) -> StoreFuture<'_, Option<Patient>> {
        Box::pin(async move {
            let row = sqlx::query(select_patient!("AND id = ?"))
                .bind(&self.org_key)
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
            row.as_ref().map(patient_from_row).transpose()
        })
    }

    fn patients_by_phone<'a>(
        &'a mut self,
        phone: &'a PhoneNumber,
    ) -> StoreFuture<'a, Vec<Patient>> {
        Box::pin(async move {
            let rows = sqlx::query(select_patient!(
                "AND phone = ? ORDER BY last_name, first_name"
            ))
            .bind(&self.org_key)
            .bind(phone.as_str())
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter().map(patient_from_row).collect()
        })
    }

    fn patients_by_name<'a>(
        &'a mut self,
        last_name: &'a str,
        first_name: Option<&'a str>,
        birth_date: NaiveDate,
    ) -> StoreFuture<'a, Vec<Patient>> {
        Box::pin(async move {
            let rows = sqlx::query(select_patient!(
                "AND last_name = ? COLLATE NOCASE AND birth_date = ?
                 AND (? IS NULL OR first_name = ? COLLATE NOCASE)
                 ORDER BY last_name, first_name"
            ))
            .bind(&self.org_key)
            .bind(last_name)
            .bind(birth_date)
            .bind(first_name)
            .bind(first_name)
            .fetch_all(&mut *self.tx)
            .await?;
            rows.iter().map(patient_from_row).collect()
        })
    }

    fn insert_patient<'a>(&'a mut self, patient: &'a Patient) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO patients (id, org_id, first_name, last_name, birth_date, phone, email,
                                       created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(patient.id.to_string())
            .bind(&self.org_key)
            .bind(&patient.first_name)
            .bind(&patient.last_name)
            .bind(patient.birth_date)
            .bind(patient.phone.as_ref().map(PhoneNumber::as_str))
            .bind(&patient.email)
            .bind(patient.created_at)
            .bind(patient.created_at)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn appointment(&mut self, id: AppointmentId) -> StoreFuture<'_, Option<Appointment>> {
        Box::pin(async move {
            let row = sqlx::query(select_appointment!("AND id = ?"))
                .bind(&self.org_key)
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
            row.as_ref().map(appointment_from_row).transpose()
        })
    }

    fn appointment_by_key<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<Appointment>> {
        Box::pin(async move {
            let row = sqlx::query(select_appointment!("AND idempotency_key = ?"))
                .bind(&self.org_key)
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?;
            row.as_ref().map(appointment_from_row).transpose()
        })
    }

    fn appointments(&mut self, filter: AppointmentFilter) -> StoreFuture<'_, Vec<Appointment>> {
        Box::pin(async move {
            let rows = match filter {
                AppointmentFilter::Patient(patient) => {
                    sqlx::query(select_appointment!("AND patient_id = ? ORDER BY start_at"))
                        .bind(&self.org_key)
                        .bind(patient.to_string())
                        .fetch_all(&mut *self.tx)
                        .await?
                }
                AppointmentFilter::Between(from, to) => {
                    sqlx::query(select_appointment!(
                        "AND start_at >= ? AND start_at < ? ORDER BY start_at"
                    ))
                    .bind(&self.org_key)
                    .bind(from.timestamp())
                    .bind(to.timestamp())
                    .fetch_all(&mut *self.tx)
                    .await?
                }
            };
            rows.iter().map(appointment_from_row).collect()
        })
    }

    fn insert_appointment<'a>(&'a mut self, a: &'a Appointment) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO appointments (id, org_id, patient_id, provider_id, operatory_id,
                     appointment_type_id, start_at, end_at, status, note, source, idempotency_key,
                     created_at, updated_at, call_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(a.id.to_string())
            .bind(&self.org_key)
            .bind(a.patient.to_string())
            .bind(a.provider.to_string())
            .bind(a.operatory.to_string())
            .bind(a.appointment_type.to_string())
            .bind(a.start.timestamp())
            .bind(a.end.timestamp())
            .bind(a.status.as_str())
            .bind(&a.note)
            .bind(&a.source)
            .bind(&a.idempotency_key)
            .bind(a.created_at)
            .bind(a.updated_at)
            .bind(&a.call_id)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn update_appointment<'a>(&'a mut self, a: &'a Appointment) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let updated = sqlx::query(
                "UPDATE appointments SET provider_id = ?, operatory_id = ?, start_at = ?, end_at = ?,
                     status = ?, note = ?, updated_at = ?
                 WHERE org_id = ? AND id = ?",
            )
            .bind(a.provider.to_string())
            .bind(a.operatory.to_string())
            .bind(a.start.timestamp())
            .bind(a.end.timestamp())
            .bind(a.status.as_str())
            .bind(&a.note)
            .bind(a.updated_at)
            .bind(&self.org_key)
            .bind(a.id.to_string())
            .execute(&mut *self.tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Corrupt(format!(
                    "appointment {} vanished",
                    a.id
                )));
            }
            Ok(())
        })
    }

    fn message(&mut self, id: MessageId) -> StoreFuture<'_, Option<Message>> {
        Box::pin(async move {
            let row = sqlx::query(select_message!("AND id = ?"))
                .bind(&self.org_key)
                .bind(id.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
            row.as_ref().map(message_from_row).transpose()
        })
    }

    fn messages<'a>(&'a mut self, filter: MessageFilter<'a>) -> StoreFuture<'a, Vec<Message>> {
        Box::pin(async move {
            let rows = match filter {
                MessageFilter::Between {
                    from,
                    to,
                    status,
                    limit,
                    offset,
                } => {
                    sqlx::query(select_message!(
                        "AND created_at >= ? AND created_at < ? AND (? IS NULL OR status = ?)
                         ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
                    ))
                    .bind(&self.org_key)
                    .bind(from.timestamp_micros())
                    .bind(to.timestamp_micros())
                    .bind(status.map(MessageStatus::as_str))
                    .bind(status.map(MessageStatus::as_str))
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&mut *self.tx)
                    .await?
                }
                MessageFilter::Call(call_id) => {
                    sqlx::query(select_message!("AND call_id = ? ORDER BY created_at, id"))
                        .bind(&self.org_key)
                        .bind(call_id)
                        .fetch_all(&mut *self.tx)
                        .await?
                }
            };
            rows.iter().map(message_from_row).collect()
        })
    }

    fn insert_message<'a>(&'a mut self, m: &'a Message) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO caller_messages (id, org_id, call_id, caller_name, callback, reason,
                     language, urgent, status, created_at, handled_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(m.id.to_string())
            .bind(&self.org_key)
            .bind(&m.call_id)
            .bind(&m.caller_name)
            .bind(m.callback.as_ref().map(PhoneNumber::as_str))
            .bind(&m.reason)
            .bind(&m.language)
            .bind(m.urgent)
            .bind(m.status.as_str())
            .bind(m.created_at.timestamp_micros())
            .bind(m.handled_at)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn update_message<'a>(&'a mut self, m: &'a Message) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let updated = sqlx::query(
                "UPDATE caller_messages SET status = ?, handled_at = ? WHERE org_id = ? AND id = ?",
            )
            .bind(m.status.as_str())
            .bind(m.handled_at)
            .bind(&self.org_key)
            .bind(m.id.to_string())
            .execute(&mut *self.tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Corrupt(format!("message {} vanished", m.id)));
            }
            Ok(())
        })
    }

    fn save_profile<'a>(&'a mut self, profile: &'a ClinicProfile) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "UPDATE organizations SET name = ?, time_zone = ?, greeting = ?, instructions = ?,
                     updated_at = ?
                 WHERE id = ?",
            )
            .bind(&profile.name)
            .bind(profile.time_zone.name())
            .bind(&profile.greeting)
            .bind(&profile.instructions)
            .bind(Utc::now())
            .bind(&self.org_key)
            .execute(&mut *self.tx)
            .await?;
            super::bump_generation(&mut self.tx).await
        })
    }

    fn save_settings<'a>(&'a mut self, s: &'a ClinicSettings) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO org_settings (org_id, address, phone, transfer_number,
                     cancellation_policy, lead_minutes, horizon_days, slot_step_minutes, updated_at,
                     agent, llm_base_url, llm_model, llm_api_key_env, phrases,
                     transcript_retention_days, languages)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (org_id) DO UPDATE SET address = excluded.address,
                     phone = excluded.phone, transfer_number = excluded.transfer_number,
                     cancellation_policy = excluded.cancellation_policy,
                     lead_minutes = excluded.lead_minutes, horizon_days = excluded.horizon_days,
                     slot_step_minutes = excluded.slot_step_minutes,
                     updated_at = excluded.updated_at, agent = excluded.agent,
                     llm_base_url = excluded.llm_base_url, llm_model = excluded.llm_model,
                     llm_api_key_env = excluded.llm_api_key_env, phrases = excluded.phrases,
                     transcript_retention_days = excluded.transcript_retention_days,
                     languages = excluded.languages",
            )
            .bind(&self.org_key)
            .bind(&s.address)
            .bind(s.phone.as_ref().map(PhoneNumber::as_str))
            .bind(s.transfer_number.as_ref().map(PhoneNumber::as_str))
            .bind(&s.cancellation_policy)
            .bind(i64::from(s.rules.lead_minutes))
            .bind(i64::from(s.rules.horizon_days))
            .bind(i64::from(s.rules.slot_step_minutes))
            .bind(Utc::now())
            .bind(s.agent.map(AgentKind::as_str))
            .bind(&s.llm_base_url)
            .bind(&s.llm_model)
            .bind(&s.llm_api_key_env)
            .bind(
                Some(&s.phrases)
                    .filter(|p| !p.0.is_empty())
                    .map(|p| serde_json::to_string(p).unwrap_or_default()),
            )
            .bind(s.transcript_retention_days.map(i64::from))
            .bind(Some(s.languages.join(",")).filter(|l| !l.is_empty()))
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn save_provider<'a>(&'a mut self, p: &'a Provider) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO providers (id, org_id, name, kind, active) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                     active = excluded.active
                 WHERE providers.org_id = excluded.org_id",
            )
            .bind(p.id.to_string())
            .bind(&self.org_key)
            .bind(&p.name)
            .bind(kind_str(p.kind))
            .bind(p.active)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn save_operatory<'a>(&'a mut self, o: &'a Operatory) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO operatories (id, org_id, name, active, is_hygiene, sort_order)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active,
                     is_hygiene = excluded.is_hygiene, sort_order = excluded.sort_order
                 WHERE operatories.org_id = excluded.org_id",
            )
            .bind(o.id.to_string())
            .bind(&self.org_key)
            .bind(&o.name)
            .bind(o.active)
            .bind(o.is_hygiene)
            .bind(o.sort_order)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn save_appointment_type<'a>(&'a mut self, t: &'a AppointmentType) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO appointment_types (id, org_id, name, duration_minutes, provider_kind,
                     pattern, active)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                     duration_minutes = excluded.duration_minutes,
                     provider_kind = excluded.provider_kind, pattern = excluded.pattern,
                     active = excluded.active
                 WHERE appointment_types.org_id = excluded.org_id",
            )
            .bind(t.id.to_string())
            .bind(&self.org_key)
            .bind(&t.name)
            .bind(i64::from(t.duration.get()))
            .bind(t.provider_kind.map(kind_str))
            .bind(t.pattern.as_ref().map(TimePattern::as_str))
            .bind(t.active)
            .execute(&mut *self.tx)
            .await?;
            Ok(())
        })
    }

    fn replace_schedules<'a>(
        &'a mut self,
        office_hours: &'a [OfficeHours],
        weekly: &'a [WeeklyBlock],
        exceptions: &'a [ScheduleException],
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            for table in [
                "DELETE FROM office_hours WHERE org_id = ?",
                "DELETE FROM provider_schedules WHERE org_id = ?",
                "DELETE FROM schedule_exceptions WHERE org_id = ?",
            ] {
                sqlx::query(table)
                    .bind(&self.org_key)
                    .execute(&mut *self.tx)
                    .await?;
            }
            for h in office_hours {
                sqlx::query(
                    "INSERT INTO office_hours (org_id, weekday, start_minute, end_minute)
                     VALUES (?, ?, ?, ?)",
                )
                .bind(&self.org_key)
                .bind(i64::from(day_number(h.weekday)))
                .bind(i64::from(minute_of(h.hours.start)))
                .bind(i64::from(minute_of(h.hours.end)))
                .execute(&mut *self.tx)
                .await?;
            }
            for b in weekly {
                sqlx::query(
                    "INSERT INTO provider_schedules (org_id, provider_id, weekday, start_minute,
                         end_minute, operatory_id)
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&self.org_key)
                .bind(b.provider.to_string())
                .bind(i64::from(day_number(b.weekday)))
                .bind(i64::from(minute_of(b.hours.start)))
                .bind(i64::from(minute_of(b.hours.end)))
                .bind(b.operatory.map(|o| o.to_string()))
                .execute(&mut *self.tx)
                .await?;
            }
            for e in exceptions {
                sqlx::query(
                    "INSERT INTO schedule_exceptions (org_id, date, provider_id, kind,
                         start_minute, end_minute, operatory_id, note)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&self.org_key)
                .bind(e.date)
                .bind(e.provider.map(|p| p.to_string()))
                .bind(exception_kind_str(e.kind))
                .bind(e.hours.map(|h| i64::from(minute_of(h.start))))
                .bind(e.hours.map(|h| i64::from(minute_of(h.end))))
                .bind(e.operatory.map(|o| o.to_string()))
                .bind(&e.note)
                .execute(&mut *self.tx)
                .await?;
            }
            Ok(())
        })
    }

    fn commit(self: Box<Self>) -> StoreFuture<'static, ()> {
        Box::pin(async move {
            self.tx.commit().await?;
            Ok(())
        })
    }
}

fn parse<T: std::str::FromStr>(raw: String) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(corrupt)
}

/// Borrowed from the row: the hot availability query decodes thousands of ids.
fn parse_str<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(corrupt)
}

fn optional<T: std::str::FromStr>(raw: Option<String>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.map(parse).transpose()
}

fn instant(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt(format!("timestamp {seconds}")))
}

fn exception_from_row(row: &SqliteRow) -> Result<ScheduleException, StoreError> {
    let kind = exception_kind(&row.try_get::<String, _>("kind")?)?;
    let start: Option<i64> = row.try_get("start_minute")?;
    let end: Option<i64> = row.try_get("end_minute")?;
    let hours = match (start, end) {
        (Some(s), Some(e)) => Some(time_range(s, e)?),
        _ => None,
    };
    Ok(ScheduleException {
        date: row.try_get("date")?,
        provider: optional::<ProviderId>(row.try_get("provider_id")?)?,
        kind,
        hours,
        operatory: optional::<OperatoryId>(row.try_get("operatory_id")?)?,
        note: row.try_get("note")?,
    })
}

fn patient_from_row(row: &SqliteRow) -> Result<Patient, StoreError> {
    Ok(Patient {
        id: parse(row.try_get("id")?)?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        birth_date: row.try_get("birth_date")?,
        phone: phone(row.try_get("phone")?)?,
        email: row.try_get("email")?,
        created_at: row.try_get("created_at")?,
    })
}

fn appointment_from_row(row: &SqliteRow) -> Result<Appointment, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(Appointment {
        id: parse(row.try_get("id")?)?,
        patient: parse::<PatientId>(row.try_get("patient_id")?)?,
        provider: parse(row.try_get("provider_id")?)?,
        operatory: parse(row.try_get("operatory_id")?)?,
        appointment_type: parse::<AppointmentTypeId>(row.try_get("appointment_type_id")?)?,
        start: instant(row.try_get("start_at")?)?,
        end: instant(row.try_get("end_at")?)?,
        status: AppointmentStatus::parse(&status).map_err(corrupt)?,
        note: row.try_get("note")?,
        source: row.try_get("source")?,
        idempotency_key: row.try_get("idempotency_key")?,
        call_id: row.try_get("call_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn message_from_row(row: &SqliteRow) -> Result<Message, StoreError> {
    let created: i64 = row.try_get("created_at")?;
    let status: String = row.try_get("status")?;
    Ok(Message {
        id: parse(row.try_get("id")?)?,
        call_id: row.try_get("call_id")?,
        caller_name: row.try_get("caller_name")?,
        callback: phone(row.try_get("callback")?)?,
        reason: row.try_get("reason")?,
        language: row.try_get("language")?,
        urgent: row.try_get("urgent")?,
        status: MessageStatus::parse(&status).map_err(corrupt)?,
        created_at: DateTime::from_timestamp_micros(created)
            .ok_or_else(|| corrupt(format!("timestamp {created}")))?,
        handled_at: row.try_get("handled_at")?,
    })
}
