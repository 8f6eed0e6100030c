//! The booking operations the voice agent's tools and the Booking API both call. Each runs in
//! one clinic-scoped transaction; writes re-check the slot inside their transaction.

mod appointments;
mod follow_ups;
mod messages;
mod names;
mod patients;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{
    Appointment, AppointmentType, AppointmentTypeId, ClinicSettings, Message, MessageStatus,
    Operatory, OperatoryId, PatientId, PhoneNumber, Provider, ProviderId, SlotProblem,
};
use crate::store::{ClinicTx, Store, StoreError, TxMode};
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

/// What staff search patients by: a last name (and a first name) from their start, a phone
/// number, or a birth date.
#[derive(Debug, Clone, Copy)]
pub enum PatientSearch<'a> {
    Name {
        last_name: &'a str,
        first_name: Option<&'a str>,
    },
    Phone(&'a PhoneNumber),
    BirthDate(NaiveDate),
}

/// A patient's contact details as staff set them, validated; a blank one clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientContact {
    phone: Option<PhoneNumber>,
    email: Option<String>,
}

impl PatientContact {
    /// Both details checked: every problem found, not just the first.
    pub fn parse(phone: &str, email: &str) -> Result<Self, Vec<super::BookingError>> {
        let phone = match phone.trim() {
            "" => Ok(None),
            raw => PhoneNumber::parse(raw).map(Some),
        };
        let email = super::contact_email(email);
        match (phone, email) {
            (Ok(phone), Ok(email)) => Ok(Self { phone, email }),
            (phone, email) => Err([phone.err(), email.err()].into_iter().flatten().collect()),
        }
    }
}

/// A patient after a contact change, and which details changed ("phone", "email").
#[derive(Debug, Clone)]
pub struct ContactChanged {
    pub patient: super::Patient,
    pub changed: Vec<&'static str>,
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
    pub weekly_blocks: Vec<super::WeeklyBlock>,
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
            weekly_blocks: tx.weekly_blocks().await?,
            operatories: tx.operatories().await?,
            appointment_types: tx.appointment_types().await?,
            settings: tx.settings().await?,
        })
    }
}
