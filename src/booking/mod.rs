//! The scheduling domain: typed ids and values that validate on construction, the clinic's
//! catalogue, and the availability engine (pure functions over data the store loads).

pub mod availability;
mod demo;
mod follow_up;
mod ids;
mod message;
pub mod model;
mod names;
mod patient;
mod pattern;
mod phone;
mod query;
pub mod service;
mod settings;
pub mod setup;
mod when;

pub use availability::{
    Busy, Calendar, CalendarData, Placement, Slot, SlotProblem, SlotQuery, SlotRequest,
};
pub use demo::open_store;
pub use follow_up::{CallFollowUp, CallTrail, FollowUpReason};
pub use ids::{AppointmentId, AppointmentTypeId, MessageId, OperatoryId, PatientId, ProviderId};
pub use message::{Message, MessageStatus, NewMessage};
pub use model::*;
pub use names::{AppointmentNames, NamedAppointment, NamedSlot};
pub use patient::{NewPatient, contact_email, person_name};
pub use pattern::TimePattern;
pub use phone::PhoneNumber;
pub use query::{AppointmentFilter, ClinicProfile, MessageFilter};
pub use service::{
    BookRequest, Booked, Catalogue, ContactChanged, MessagePage, MessageQuery, PatientContact,
    PatientLookup, PatientSearch, RescheduleRequest, Scheduler, ServiceError, SlotSearch,
};
pub use settings::{AgentKind, ClinicSettings, PHRASE_KEYS, Phrases};
pub use when::{bounded_date, day_start, days_in_ms, parse_date, parse_start};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("invalid {what} '{value}'")]
    InvalidId { what: &'static str, value: String },
    #[error("invalid phone number: use digits, e.g. +1 555 201 0123")]
    InvalidPhone,
    #[error("invalid time pattern: use 1 to 108 characters of X and /")]
    InvalidPattern,
    #[error("invalid duration {0} minutes: use 5 to 540, in 5-minute units")]
    InvalidDuration(u32),
    #[error("a time range must start before it ends")]
    EmptyTimeRange,
    #[error("invalid appointment status '{0}'")]
    InvalidStatus(String),
    #[error("invalid booking rule: {0}")]
    InvalidRule(&'static str),
    #[error("invalid {0}: use 1 to 100 characters")]
    InvalidName(&'static str),
    #[error("invalid birth date: it must be a real date after 1900 and not in the future")]
    InvalidBirthDate,
    #[error("invalid email address")]
    InvalidEmail,
    #[error(
        "invalid {0} '{1}': use YYYY-MM-DD (and for a time, YYYY-MM-DDTHH:MM in the clinic's zone or RFC 3339)"
    )]
    InvalidDate(&'static str, String),
    #[error("invalid {0} '{1}': use a date in the years 1900 to 2200")]
    DateOutOfRange(&'static str, String),
    #[error("{0} does not exist in the clinic's time zone (the clocks skip it)")]
    SkippedLocalTime(chrono::NaiveDateTime),
    #[error("invalid {what}: use 1 to {max} characters")]
    InvalidText { what: &'static str, max: usize },
    #[error("invalid language '{0}': use a short code such as es or pt-BR")]
    InvalidLanguage(String),
    #[error("invalid message status '{0}': use new or handled")]
    InvalidMessageStatus(String),
}
