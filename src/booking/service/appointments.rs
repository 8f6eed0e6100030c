//! Appointments: open slots, booking, moving and cancelling, each re-checked inside its
//! write transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{
    BookRequest, Booked, MAX_SEARCH_DAYS, RescheduleRequest, Scheduler, ServiceError, SlotSearch,
};
use crate::booking::AppointmentFilter;
use crate::booking::availability::AutoFill;
use crate::booking::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId, Busy,
    Calendar, CalendarData, OperatoryId, ProviderId, Slot, SlotQuery, SlotRequest,
};
use crate::store::{ClinicTx, TxMode, stamp};
use crate::tenancy::Organization;

impl Scheduler {
    pub async fn appointment(
        &self,
        org: &Organization,
        id: AppointmentId,
    ) -> Result<Appointment, ServiceError> {
        let mut tx = self.read(org).await?;
        tx.appointment(id)
            .await?
            .ok_or(ServiceError::NotFound("appointment"))
    }

    /// The appointments starting in `[from, to)` with their patients' names, in one read.
    pub async fn appointments_with_names(
        &self,
        org: &Organization,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<
        (
            Vec<Appointment>,
            std::collections::HashMap<crate::booking::PatientId, String>,
        ),
        ServiceError,
    > {
        let mut tx = self.read(org).await?;
        let appointments = tx
            .appointments(AppointmentFilter::Between(from, to))
            .await?;
        let names = tx.names_of_patients_booked_between(from, to).await?;
        Ok((appointments, names.into_iter().collect()))
    }

    pub async fn appointments(
        &self,
        org: &Organization,
        filter: AppointmentFilter,
    ) -> Result<Vec<Appointment>, ServiceError> {
        let mut tx = self.read(org).await?;
        if let AppointmentFilter::Patient(patient) = filter
            && tx.patient(patient).await?.is_none()
        {
            return Err(ServiceError::NotFound("patient"));
        }
        Ok(tx.appointments(filter).await?)
    }

    pub async fn open_slots(
        &self,
        org: &Organization,
        search: &SlotSearch,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, ServiceError> {
        if search.to < search.from {
            return Err(ServiceError::Invalid("'to' is before 'from'".into()));
        }
        if (search.to - search.from).num_days() >= MAX_SEARCH_DAYS {
            return Err(ServiceError::Invalid(format!(
                "search at most {MAX_SEARCH_DAYS} days at a time"
            )));
        }
        let mut tx = self.read(org).await?;
        let kind = active_type(&mut tx, search.appointment_type).await?;
        let calendar = load_calendar(&mut tx, org, search.from, search.to, None).await?;
        if let Some(provider) = search.provider {
            require_provider(&calendar, provider)?;
        }
        if let Some(patient) = search.patient
            && tx.patient(patient).await?.is_none()
        {
            return Err(ServiceError::NotFound("patient"));
        }
        let settings = tx.settings().await?;
        Ok(calendar.open_slots(&SlotQuery {
            duration: kind.duration,
            provider_kind: kind.provider_kind,
            provider: search.provider,
            patient: search.patient,
            from: search.from,
            to: search.to,
            now,
            rules: settings.rules,
            limit: search.limit,
        }))
    }

    pub async fn book(
        &self,
        org: &Organization,
        request: BookRequest,
        now: DateTime<Utc>,
    ) -> Result<Booked, ServiceError> {
        let now = stamp(now);
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        if let Some(key) = &request.idempotency_key
            && let Some(existing) = tx.appointment_by_key(key).await?
        {
            let same = existing.patient == request.patient
                && existing.provider == request.provider
                && existing.appointment_type == request.appointment_type
                && existing.start == request.start;
            return if same {
                Ok(Booked {
                    appointment: existing,
                    created: false,
                })
            } else {
                Err(ServiceError::Conflict(
                    "this idempotency key was already used for a different booking".into(),
                ))
            };
        }
        if tx.patient(request.patient).await?.is_none() {
            return Err(ServiceError::NotFound("patient"));
        }
        let kind = active_type(&mut tx, request.appointment_type).await?;
        let date = request
            .start
            .with_timezone(&org.time_zone.tz())
            .date_naive();
        let calendar = load_calendar(&mut tx, org, date, date, None).await?;
        require_provider(&calendar, request.provider)?;
        require_operatory(&calendar, request.operatory)?;
        let settings = tx.settings().await?;
        let placement = calendar
            .check(&SlotRequest {
                provider: request.provider,
                operatory: request.operatory,
                patient: Some(request.patient),
                start: request.start,
                duration: kind.duration,
                provider_kind: kind.provider_kind,
                now,
                rules: settings.rules,
            })
            .map_err(ServiceError::Unavailable)?;
        log_auto_fill(placement.auto_filled, placement.operatory);
        let appointment = Appointment {
            id: AppointmentId::new_random(),
            patient: request.patient,
            provider: request.provider,
            operatory: placement.operatory,
            appointment_type: kind.id,
            start: request.start,
            end: request.start + kind.duration.duration(),
            status: AppointmentStatus::Scheduled,
            note: clean_note(request.note)?,
            source: request.source,
            idempotency_key: request.idempotency_key,
            call_id: request.call_id,
            created_at: now,
            updated_at: now,
        };
        tx.insert_appointment(&appointment).await?;
        tx.commit().await?;
        tracing::info!(
            org_id = %org.id,
            appointment_id = %appointment.id,
            provider_id = %appointment.provider,
            operatory_id = %appointment.operatory,
            "booked appointment"
        );
        Ok(Booked {
            appointment,
            created: true,
        })
    }

    pub async fn reschedule(
        &self,
        org: &Organization,
        id: AppointmentId,
        request: RescheduleRequest,
        now: DateTime<Utc>,
    ) -> Result<Appointment, ServiceError> {
        let now = stamp(now);
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let mut appointment = tx
            .appointment(id)
            .await?
            .ok_or(ServiceError::NotFound("appointment"))?;
        let provider = request.provider.unwrap_or(appointment.provider);
        if appointment.status != AppointmentStatus::Scheduled {
            return Err(ServiceError::Conflict(format!(
                "the appointment is {} and cannot be moved",
                appointment.status.as_str().replace('_', "-")
            )));
        }
        if appointment.start == request.start
            && appointment.provider == provider
            && request
                .operatory
                .is_none_or(|op| op == appointment.operatory)
        {
            return Ok(appointment);
        }
        let kind = tx
            .appointment_types()
            .await?
            .into_iter()
            .find(|t| t.id == appointment.appointment_type)
            .ok_or(ServiceError::NotFound("appointment type"))?;
        let date = request
            .start
            .with_timezone(&org.time_zone.tz())
            .date_naive();
        // The appointment's own time is free for its move.
        let calendar = load_calendar(&mut tx, org, date, date, Busy::of(&appointment)).await?;
        require_provider(&calendar, provider)?;
        require_operatory(&calendar, request.operatory)?;
        let settings = tx.settings().await?;
        let placement = calendar
            .check(&SlotRequest {
                provider,
                operatory: request.operatory,
                patient: Some(appointment.patient),
                start: request.start,
                duration: kind.duration,
                provider_kind: kind.provider_kind,
                now,
                rules: settings.rules,
            })
            .map_err(ServiceError::Unavailable)?;
        log_auto_fill(placement.auto_filled, placement.operatory);
        appointment.provider = provider;
        appointment.operatory = placement.operatory;
        appointment.start = request.start;
        appointment.end = request.start + kind.duration.duration();
        appointment.updated_at = now;
        tx.update_appointment(&appointment).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org.id, appointment_id = %appointment.id, "rescheduled appointment");
        Ok(appointment)
    }

    /// Cancels a scheduled appointment; cancelling it again changes nothing.
    pub async fn cancel(
        &self,
        org: &Organization,
        id: AppointmentId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Appointment, ServiceError> {
        let now = stamp(now);
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let mut appointment = tx
            .appointment(id)
            .await?
            .ok_or(ServiceError::NotFound("appointment"))?;
        match appointment.status {
            AppointmentStatus::Cancelled => return Ok(appointment),
            AppointmentStatus::Scheduled => {}
            other => {
                return Err(ServiceError::Conflict(format!(
                    "the appointment is {} and cannot be cancelled",
                    other.as_str().replace('_', "-")
                )));
            }
        }
        if let Some(reason) = clean_note(reason)? {
            appointment.note = Some(match appointment.note.take() {
                Some(note) => format!("{note}\nCancelled: {reason}"),
                None => format!("Cancelled: {reason}"),
            });
        }
        appointment.status = AppointmentStatus::Cancelled;
        appointment.updated_at = now;
        tx.update_appointment(&appointment).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org.id, appointment_id = %appointment.id, "cancelled appointment");
        Ok(appointment)
    }
}

fn log_auto_fill(auto_filled: AutoFill, operatory: OperatoryId) {
    match auto_filled {
        AutoFill::FirstActive => {
            tracing::info!("Auto-filled Op={operatory} (first active operatory)")
        }
        AutoFill::ScheduleBlock => {
            tracing::info!("Auto-filled Op={operatory} (provider's schedule)")
        }
        AutoFill::Requested => {}
    }
}

fn clean_note(note: Option<String>) -> Result<Option<String>, ServiceError> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ServiceError::Invalid(
            "a note may hold at most 2000 characters".into(),
        ));
    }
    Ok(note)
}

async fn active_type(
    tx: &mut ClinicTx,
    id: AppointmentTypeId,
) -> Result<AppointmentType, ServiceError> {
    tx.appointment_types()
        .await?
        .into_iter()
        .find(|t| t.id == id && t.active)
        .ok_or(ServiceError::NotFound("appointment type"))
}

fn require_provider(calendar: &Calendar, id: ProviderId) -> Result<(), ServiceError> {
    if calendar.has_provider(id) {
        Ok(())
    } else {
        Err(ServiceError::NotFound("provider"))
    }
}

fn require_operatory(calendar: &Calendar, id: Option<OperatoryId>) -> Result<(), ServiceError> {
    match id {
        Some(id) if !calendar.has_operatory(id) => Err(ServiceError::NotFound("operatory")),
        _ => Ok(()),
    }
}

/// Everything availability needs for clinic-local dates `from..=to`, minus one appointment.
async fn load_calendar(
    tx: &mut ClinicTx,
    org: &Organization,
    from: NaiveDate,
    to: NaiveDate,
    without: Option<Busy>,
) -> Result<Calendar, ServiceError> {
    let zone = org.time_zone.tz();
    let midnight = |date: NaiveDate| {
        crate::booking::day_start(date, zone)
            .ok_or_else(|| ServiceError::Invalid(format!("date {date} is out of range")))
    };
    // A day's slots can reach past its midnight; a day either side covers any zone.
    let busy_from = midnight(from)? - Duration::days(1);
    let busy_to = midnight(to)? + Duration::days(2);
    let mut busy = tx.busy(busy_from, busy_to).await?;
    if let Some(own) = without
        && let Some(at) = busy.iter().position(|b| *b == own)
    {
        busy.swap_remove(at);
    }
    Ok(Calendar::new(
        zone,
        CalendarData {
            office_hours: tx.office_hours().await?,
            providers: tx.providers().await?,
            operatories: tx.operatories().await?,
            weekly: tx.weekly_blocks().await?,
            exceptions: tx.exceptions(from, to).await?,
            busy,
        },
    ))
}
