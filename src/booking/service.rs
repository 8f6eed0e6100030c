//! The booking operations the voice agent's tools and the Booking API both call. Each runs in
//! one clinic-scoped transaction; writes re-check the slot inside their transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::availability::AutoFill;
use super::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeId, Busy,
    Calendar, CalendarData, ClinicSettings, Message, MessageId, MessageStatus, NewMessage,
    NewPatient, Operatory, OperatoryId, Patient, PatientId, PhoneNumber, Provider, ProviderId,
    Slot, SlotProblem, SlotQuery, SlotRequest,
};
use super::{AppointmentFilter, MessageFilter};
use crate::store::{ClinicTx, Store, StoreError, TxMode, stamp};
use crate::tenancy::Organization;

/// The widest date range one slot search may cover.
pub const MAX_SEARCH_DAYS: i64 = 92;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(String),
    #[error("no such {0} in this clinic")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(SlotProblem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::BookingError> for ServiceError {
    fn from(err: super::BookingError) -> Self {
        ServiceError::Invalid(err.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct SlotSearch {
    pub appointment_type: AppointmentTypeId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub provider: Option<ProviderId>,
    pub patient: Option<PatientId>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct BookRequest {
    pub patient: PatientId,
    pub appointment_type: AppointmentTypeId,
    pub provider: ProviderId,
    pub start: DateTime<Utc>,
    pub operatory: Option<OperatoryId>,
    pub note: Option<String>,
    /// Who booked: "api", "voice".
    pub source: String,
    pub idempotency_key: Option<String>,
    /// The Retell call it is booked in, for the call's record.
    pub call_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RescheduleRequest {
    pub start: DateTime<Utc>,
    /// `None` keeps the current provider.
    pub provider: Option<ProviderId>,
    pub operatory: Option<OperatoryId>,
}

/// A booking, and whether this request made it (false: an earlier one with the same key did).
#[derive(Debug, Clone, Serialize)]
pub struct Booked {
    pub appointment: Appointment,
    pub created: bool,
}

pub enum PatientLookup<'a> {
    Phone(&'a PhoneNumber),
    Name {
        last_name: &'a str,
        first_name: Option<&'a str>,
        birth_date: NaiveDate,
    },
}

/// Which messages to list: clinic-local dates `from..=to` (open when absent), a page at a time,
/// as `/api/calls` pages.
#[derive(Debug, Clone, Default)]
pub struct MessageQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `None`: new and handled alike.
    pub status: Option<MessageStatus>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessagePage {
    pub items: Vec<Message>,
    /// Pass as `offset` for the next page; absent on the last.
    pub next_offset: Option<i64>,
}

/// What a clinic offers, for listings and the agent's office questions.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    pub office_hours: Vec<super::OfficeHours>,
    pub providers: Vec<Provider>,
    pub operatories: Vec<Operatory>,
    pub appointment_types: Vec<AppointmentType>,
    pub settings: ClinicSettings,
}

#[derive(Clone)]
pub struct Scheduler {
    store: Store,
}

impl Scheduler {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn read(&self, org: &Organization) -> Result<ClinicTx, ServiceError> {
        Ok(self.store.clinic(org.id, TxMode::Read).await?)
    }

    pub async fn settings(&self, org: &Organization) -> Result<ClinicSettings, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(tx.settings().await?)
    }

    pub async fn catalogue(&self, org: &Organization) -> Result<Catalogue, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(Catalogue {
            office_hours: tx.office_hours().await?,
            providers: tx.providers().await?,
            operatories: tx.operatories().await?,
            appointment_types: tx.appointment_types().await?,
            settings: tx.settings().await?,
        })
    }

    pub async fn patient(
        &self,
        org: &Organization,
        id: PatientId,
    ) -> Result<Patient, ServiceError> {
        let mut tx = self.read(org).await?;
        tx.patient(id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))
    }

    pub async fn find_patients(
        &self,
        org: &Organization,
        lookup: PatientLookup<'_>,
    ) -> Result<Vec<Patient>, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(match lookup {
            PatientLookup::Phone(phone) => tx.patients_by_phone(phone).await?,
            PatientLookup::Name {
                last_name,
                first_name,
                birth_date,
            } => {
                let last = super::person_name(last_name, "last name")?;
                let first = first_name
                    .map(|f| super::person_name(f, "first name"))
                    .transpose()?;
                tx.patients_by_name(&last, first.as_deref(), birth_date)
                    .await?
            }
        })
    }

    /// Creates a patient; the same name and birth date twice is a conflict, not a duplicate.
    pub async fn create_patient(
        &self,
        org: &Organization,
        new: NewPatient,
        now: DateTime<Utc>,
    ) -> Result<Patient, ServiceError> {
        let now = stamp(now);
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let same = tx
            .patients_by_name(&new.last_name, Some(&new.first_name), new.birth_date)
            .await?;
        if let Some(existing) = same.first() {
            return Err(ServiceError::Conflict(format!(
                "a patient with this name and birth date already exists (id {})",
                existing.id
            )));
        }
        let patient = new.into_patient(now);
        tx.insert_patient(&patient).await?;
        tx.commit().await?;
        Ok(patient)
    }

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

    /// Files a message for the front desk. Only ids reach the log: never the caller's words.
    pub async fn take_message(
        &self,
        org: &Organization,
        new: NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Message, ServiceError> {
        let message = new.into_message(stamp(now));
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        tx.insert_message(&message).await?;
        tx.commit().await?;
        tracing::info!(
            org_id = %org.id,
            message_id = %message.id,
            call_id = message.call_id.as_deref().unwrap_or(""),
            urgent = message.urgent,
            "took a message for the front desk"
        );
        Ok(message)
    }

    /// A page of the clinic's messages, newest first.
    pub async fn messages(
        &self,
        org: &Organization,
        query: &MessageQuery,
    ) -> Result<MessagePage, ServiceError> {
        let (from, to) = super::days_in_ms(query.from, query.to, org.time_zone.tz())
            .map_err(|date| ServiceError::Invalid(format!("date {date} is out of range")))?;
        if to <= from {
            return Err(ServiceError::Invalid(
                "'to' must be on or after 'from'".into(),
            ));
        }
        let limit = query.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ServiceError::Invalid("limit is 1 to 200".into()));
        }
        let offset = query.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ServiceError::Invalid("offset cannot be negative".into()));
        }
        // An open end is as late as an instant goes.
        let instant = |ms| DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut tx = self.read(org).await?;
        // One more than the page: whether there is a next one.
        let mut items = tx
            .messages(MessageFilter::Between {
                from: instant(from),
                to: instant(to),
                status: query.status,
                limit: limit + 1,
                offset,
            })
            .await?;
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(MessagePage {
            items,
            next_offset: more.then_some(offset + limit),
        })
    }

    /// The messages taken during one call, oldest first.
    pub async fn call_messages(
        &self,
        org: &Organization,
        call_id: &str,
    ) -> Result<Vec<Message>, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(tx.messages(MessageFilter::Call(call_id)).await?)
    }

    /// Marks a message handled; marking it again changes nothing.
    pub async fn mark_message_handled(
        &self,
        org: &Organization,
        id: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Message, ServiceError> {
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let mut message = tx
            .message(id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        if message.status == MessageStatus::Handled {
            return Ok(message);
        }
        message.status = MessageStatus::Handled;
        message.handled_at = Some(stamp(now));
        tx.update_message(&message).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org.id, message_id = %message.id, "message handled");
        Ok(message)
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
        super::day_start(date, zone)
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
