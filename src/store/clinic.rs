//! One transaction scoped to one clinic. Every query a `ClinicTx` runs carries the org it was
//! opened for; there is no way to pass another. Each backend implements it once.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::BoxFuture;

use super::StoreError;
use crate::booking::{
    Appointment, AppointmentId, AppointmentType, Busy, ClinicSettings, Message, MessageId,
    MessageStatus, OfficeHours, Operatory, Patient, PatientId, PhoneNumber, Provider,
    ScheduleException, WeeklyBlock,
};
use crate::tenancy::{OrgId, TimeZone};

pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Reads take a snapshot; writes take the database's write lock up front, so a check made
/// inside the transaction still holds when it commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    Read,
    Write,
}

/// Which appointments to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentFilter {
    Patient(PatientId),
    /// Appointments starting in `[from, to)`.
    Between(DateTime<Utc>, DateTime<Utc>),
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFilter<'a> {
    /// Taken in `[from, to)`, newest first, one page of them; `status: None` is any.
    Between {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        status: Option<MessageStatus>,
        limit: i64,
        offset: i64,
    },
    /// Taken during this call, oldest first.
    Call(&'a str),
}

/// The clinic-wide fields an import may change (never the slug).
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicProfile {
    pub name: String,
    pub time_zone: TimeZone,
    pub greeting: Option<String>,
    pub instructions: Option<String>,
}

pub trait ClinicTx: Send {
    fn org(&self) -> OrgId;

    fn settings(&mut self) -> StoreFuture<'_, ClinicSettings>;
    fn providers(&mut self) -> StoreFuture<'_, Vec<Provider>>;
    fn operatories(&mut self) -> StoreFuture<'_, Vec<Operatory>>;
    fn appointment_types(&mut self) -> StoreFuture<'_, Vec<AppointmentType>>;
    fn office_hours(&mut self) -> StoreFuture<'_, Vec<OfficeHours>>;
    fn weekly_blocks(&mut self) -> StoreFuture<'_, Vec<WeeklyBlock>>;
    /// Exceptions dated `from` to `to`, inclusive.
    fn exceptions(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreFuture<'_, Vec<ScheduleException>>;
    /// Time held by appointments overlapping `[from, to)`.
    fn busy(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreFuture<'_, Vec<Busy>>;

    fn patient(&mut self, id: PatientId) -> StoreFuture<'_, Option<Patient>>;
    fn patients_by_phone<'a>(&'a mut self, phone: &'a PhoneNumber)
    -> StoreFuture<'a, Vec<Patient>>;
    /// Case-insensitive on names; `first_name: None` matches any.
    fn patients_by_name<'a>(
        &'a mut self,
        last_name: &'a str,
        first_name: Option<&'a str>,
        birth_date: NaiveDate,
    ) -> StoreFuture<'a, Vec<Patient>>;
    fn insert_patient<'a>(&'a mut self, patient: &'a Patient) -> StoreFuture<'a, ()>;

    fn appointment(&mut self, id: AppointmentId) -> StoreFuture<'_, Option<Appointment>>;
    fn appointment_by_key<'a>(&'a mut self, key: &'a str) -> StoreFuture<'a, Option<Appointment>>;
    fn appointments(&mut self, filter: AppointmentFilter) -> StoreFuture<'_, Vec<Appointment>>;
    fn insert_appointment<'a>(&'a mut self, appointment: &'a Appointment) -> StoreFuture<'a, ()>;
    /// Saves status, times, provider, operatory and note of an existing appointment.
    fn update_appointment<'a>(&'a mut self, appointment: &'a Appointment) -> StoreFuture<'a, ()>;

    fn message(&mut self, id: MessageId) -> StoreFuture<'_, Option<Message>>;
    fn messages<'a>(&'a mut self, filter: MessageFilter<'a>) -> StoreFuture<'a, Vec<Message>>;
    fn insert_message<'a>(&'a mut self, message: &'a Message) -> StoreFuture<'a, ()>;
    /// Saves status and handled time of an existing message.
    fn update_message<'a>(&'a mut self, message: &'a Message) -> StoreFuture<'a, ()>;

    // Clinic setup, as `org import` writes it.
    fn save_profile<'a>(&'a mut self, profile: &'a ClinicProfile) -> StoreFuture<'a, ()>;
    fn save_settings<'a>(&'a mut self, settings: &'a ClinicSettings) -> StoreFuture<'a, ()>;
    /// Inserts or updates by id.
    fn save_provider<'a>(&'a mut self, provider: &'a Provider) -> StoreFuture<'a, ()>;
    fn save_operatory<'a>(&'a mut self, operatory: &'a Operatory) -> StoreFuture<'a, ()>;
    fn save_appointment_type<'a>(&'a mut self, kind: &'a AppointmentType) -> StoreFuture<'a, ()>;
    /// Replaces office hours, weekly blocks and exceptions as a whole.
    fn replace_schedules<'a>(
        &'a mut self,
        office_hours: &'a [OfficeHours],
        weekly: &'a [WeeklyBlock],
        exceptions: &'a [ScheduleException],
    ) -> StoreFuture<'a, ()>;

    fn commit(self: Box<Self>) -> StoreFuture<'static, ()>;
}
