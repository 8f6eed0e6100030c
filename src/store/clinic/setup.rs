//! Writing the clinic's setup, as `org import` does.

use chrono::Utc;

use super::ClinicTx;
use crate::booking::ClinicProfile;
use crate::booking::{
    AgentKind, AppointmentType, ClinicSettings, OfficeHours, Operatory, PhoneNumber, Provider,
    ScheduleException, TimePattern, WeeklyBlock,
};
use crate::store::StoreError;
use crate::store::columns::{day_number, exception_kind_str, kind_str, minute_of};
use crate::store::db::sql;
use crate::store::orgs::bump_generation;

impl ClinicTx {
    /// The clinic's own row as this transaction sees it (the registry's copy may lag a second).
    pub async fn profile(&mut self) -> Result<ClinicProfile, StoreError> {
        let (name, zone, greeting, instructions): (String, String, Option<String>, Option<String>) =
            self.tx
                .fetch_one(
                    sql(
                        "SELECT name, time_zone, greeting, instructions FROM organizations
                         WHERE id = $1",
                    )
                    .bind(self.org),
                )
                .await?;
        Ok(ClinicProfile {
            name,
            time_zone: crate::tenancy::TimeZone::parse(&zone)
                .map_err(|e| StoreError::Corrupt(format!("clinic time zone: {e}")))?,
            greeting,
            instructions,
        })
    }

    pub async fn save_profile(&mut self, profile: &ClinicProfile) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "UPDATE organizations SET name = $1, time_zone = $2, greeting = $3,
                         instructions = $4, updated_at = $5
                     WHERE id = $6",
                )
                .bind(&profile.name)
                .bind(profile.time_zone.name())
                .bind(&profile.greeting)
                .bind(&profile.instructions)
                .bind(Utc::now())
                .bind(self.org),
            )
            .await?;
        bump_generation(&mut self.tx).await
    }

    pub async fn save_settings(&mut self, s: &ClinicSettings) -> Result<(), StoreError> {
        let phrases = Some(&s.phrases)
            .filter(|p| !p.0.is_empty())
            .map(serde_json::to_string)
            .transpose()
            .map_err(|err| StoreError::Corrupt(format!("phrases: {err}")))?;
        self.tx
            .execute(
                sql(
                    "INSERT INTO org_settings (org_id, address, phone, transfer_number,
                         cancellation_policy, lead_minutes, horizon_days, slot_step_minutes,
                         updated_at, agent, llm_base_url, llm_model, llm_api_key_env, phrases,
                         transcript_retention_days, languages, llm_fallback_model)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17)
                     ON CONFLICT (org_id) DO UPDATE SET address = excluded.address,
                         phone = excluded.phone, transfer_number = excluded.transfer_number,
                         cancellation_policy = excluded.cancellation_policy,
                         lead_minutes = excluded.lead_minutes,
                         horizon_days = excluded.horizon_days,
                         slot_step_minutes = excluded.slot_step_minutes,
                         updated_at = excluded.updated_at, agent = excluded.agent,
                         llm_base_url = excluded.llm_base_url, llm_model = excluded.llm_model,
                         llm_api_key_env = excluded.llm_api_key_env, phrases = excluded.phrases,
                         transcript_retention_days = excluded.transcript_retention_days,
                         languages = excluded.languages,
                         llm_fallback_model = excluded.llm_fallback_model",
                )
                .bind(self.org)
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
                .bind(phrases)
                .bind(s.transcript_retention_days.map(i64::from))
                .bind(Some(s.languages.join(",")).filter(|l| !l.is_empty()))
                .bind(&s.llm_fallback_model),
            )
            .await?;
        Ok(())
    }

    /// Inserts or updates by id.
    pub async fn save_provider(&mut self, p: &Provider) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql("INSERT INTO providers (id, org_id, name, kind, active)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                         active = excluded.active
                     WHERE providers.org_id = excluded.org_id")
                .bind(p.id.as_uuid())
                .bind(self.org)
                .bind(p.name.as_str())
                .bind(kind_str(p.kind))
                .bind(p.active),
            )
            .await?;
        Ok(())
    }

    pub async fn save_operatory(&mut self, o: &Operatory) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO operatories (id, org_id, name, active, is_hygiene, sort_order)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                         active = excluded.active, is_hygiene = excluded.is_hygiene,
                         sort_order = excluded.sort_order
                     WHERE operatories.org_id = excluded.org_id",
                )
                .bind(o.id.as_uuid())
                .bind(self.org)
                .bind(o.name.as_str())
                .bind(o.active)
                .bind(o.is_hygiene)
                .bind(i64::from(o.sort_order)),
            )
            .await?;
        Ok(())
    }

    pub async fn save_appointment_type(&mut self, t: &AppointmentType) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO appointment_types (id, org_id, name, duration_minutes,
                         provider_kind, pattern, active)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                         duration_minutes = excluded.duration_minutes,
                         provider_kind = excluded.provider_kind, pattern = excluded.pattern,
                         active = excluded.active
                     WHERE appointment_types.org_id = excluded.org_id",
                )
                .bind(t.id.as_uuid())
                .bind(self.org)
                .bind(t.name.as_str())
                .bind(i64::from(t.duration.get()))
                .bind(t.provider_kind.map(kind_str))
                .bind(t.pattern.as_ref().map(TimePattern::as_str))
                .bind(t.active),
            )
            .await?;
        Ok(())
    }

    /// Replaces office hours, weekly blocks and exceptions as a whole.
    pub async fn replace_schedules(
        &mut self,
        office_hours: &[OfficeHours],
        weekly: &[WeeklyBlock],
        exceptions: &[ScheduleException],
    ) -> Result<(), StoreError> {
        for table in [
            "DELETE FROM office_hours WHERE org_id = $1",
            "DELETE FROM provider_schedules WHERE org_id = $1",
            "DELETE FROM schedule_exceptions WHERE org_id = $1",
        ] {
            self.tx.execute(sql(table).bind(self.org)).await?;
        }
        for h in office_hours {
            self.tx
                .execute(
                    sql(
                        "INSERT INTO office_hours (org_id, weekday, start_minute, end_minute)
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(self.org)
                    .bind(i64::from(day_number(h.weekday)))
                    .bind(i64::from(minute_of(h.hours.start)))
                    .bind(i64::from(minute_of(h.hours.end))),
                )
                .await?;
        }
        for b in weekly {
            self.tx
                .execute(
                    sql(
                        "INSERT INTO provider_schedules (org_id, provider_id, weekday,
                             start_minute, end_minute, operatory_id)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(self.org)
                    .bind(b.provider.as_uuid())
                    .bind(i64::from(day_number(b.weekday)))
                    .bind(i64::from(minute_of(b.hours.start)))
                    .bind(i64::from(minute_of(b.hours.end)))
                    .bind(b.operatory.map(|o| o.as_uuid())),
                )
                .await?;
        }
        for e in exceptions {
            self.tx
                .execute(
                    sql(
                        "INSERT INTO schedule_exceptions (org_id, date, provider_id, kind,
                             start_minute, end_minute, operatory_id, note)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(self.org)
                    .bind(e.date)
                    .bind(e.provider.map(|p| p.as_uuid()))
                    .bind(exception_kind_str(e.kind))
                    .bind(e.hours.map(|h| i64::from(minute_of(h.start))))
                    .bind(e.hours.map(|h| i64::from(minute_of(h.end))))
                    .bind(e.operatory.map(|o| o.as_uuid()))
                    .bind(&e.note),
                )
                .await?;
        }
        Ok(())
    }
}
