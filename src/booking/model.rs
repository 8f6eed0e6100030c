//! The clinic's scheduling catalogue and appointments, as the engine sees them.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::{
    AppointmentId, AppointmentTypeId, BookingError, OperatoryId, PatientId, PhoneNumber,
    ProviderId, TimePattern,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Dentist,
    Hygienist,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub id: ProviderId,
    pub name: String,
    pub kind: ProviderKind,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operatory {
    pub id: OperatoryId,
    pub name: String,
    pub active: bool,
    pub is_hygiene: bool,
    pub sort_order: i32,
}

/// A time of day range, start before end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl TimeRange {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, BookingError> {
        if start >= end {
            return Err(BookingError::EmptyTimeRange);
        }
        Ok(Self { start, end })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    pub weekday: Weekday,
    pub hours: TimeRange,
}

/// A provider's recurring weekly working block, optionally tied to one operatory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyBlock {
    pub provider: ProviderId,
    pub weekday: Weekday,
    pub hours: TimeRange,
    pub operatory: Option<OperatoryId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// Nobody (or this provider) works that day, or during `hours` if given.
    Closed,
    /// The provider works these hours in addition to (or outside) the usual ones.
    ExtraHours,
    /// Not bookable: lunch, meetings. Limited to one operatory if given.
    Blockout,
}

/// A dated change to the weekly pattern. `provider: None` means the whole clinic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleException {
    pub date: NaiveDate,
    pub provider: Option<ProviderId>,
    pub kind: ExceptionKind,
    pub hours: Option<TimeRange>,
    pub operatory: Option<OperatoryId>,
    pub note: Option<String>,
}

/// Minutes an appointment takes: whole 5-minute units, 5 minutes to 9 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Minutes(u32);

impl Minutes {
    /// The longest appointment: 9 hours, Open Dental's pattern limit.
    pub const MAX: Minutes = Minutes(540);

    pub fn new(value: u32) -> Result<Self, BookingError> {
        if value == 0 || value > Self::MAX.0 || !value.is_multiple_of(5) {
            return Err(BookingError::InvalidDuration(value));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.0))
    }
}

impl TryFrom<u32> for Minutes {
    type Error = BookingError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Minutes> for u32 {
    fn from(minutes: Minutes) -> Self {
        minutes.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentType {
    pub id: AppointmentTypeId,
    pub name: String,
    #[serde(rename = "duration_minutes")]
    pub duration: Minutes,
    /// Who can do it; `None` means any provider.
    pub provider_kind: Option<ProviderKind>,
    pub pattern: Option<TimePattern>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Scheduled,
    Cancelled,
    Completed,
    NoShow,
}

impl AppointmentStatus {
    /// Whether the appointment holds its chair, provider and patient.
    pub fn occupies_time(self) -> bool {
        matches!(self, Self::Scheduled | Self::Completed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, BookingError> {
        Ok(match raw {
            "scheduled" => Self::Scheduled,
            "cancelled" => Self::Cancelled,
            "completed" => Self::Completed,
            "no_show" => Self::NoShow,
            other => {
                return Err(BookingError::InvalidStatus(
                    other.chars().take(32).collect(),
                ));
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: AppointmentId,
    #[serde(rename = "patient_id")]
    pub patient: PatientId,
    #[serde(rename = "provider_id")]
    pub provider: ProviderId,
    #[serde(rename = "operatory_id")]
    pub operatory: OperatoryId,
    #[serde(rename = "appointment_type_id")]
    pub appointment_type: AppointmentTypeId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub note: Option<String>,
    pub source: String,
    pub idempotency_key: Option<String>,
    /// The Retell call it was booked in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How far ahead and how finely a clinic lets callers book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRules {
    /// No booking sooner than this many minutes from now.
    pub lead_minutes: u32,
    /// No booking more than this many days ahead (clinic-local dates).
    pub horizon_days: u32,
    /// Offered start times are this many minutes apart.
    pub slot_step_minutes: u32,
}

impl Default for BookingRules {
    fn default() -> Self {
        Self {
            lead_minutes: 120,
            horizon_days: 90,
            slot_step_minutes: 15,
        }
    }
}

impl BookingRules {
    pub fn validate(&self) -> Result<(), BookingError> {
        if self.slot_step_minutes == 0
            || self.slot_step_minutes > 240
            || !self.slot_step_minutes.is_multiple_of(5)
        {
            return Err(BookingError::InvalidRule(
                "slot step must be 5 to 240 minutes, in 5-minute units",
            ));
        }
        if self.horizon_days == 0 || self.horizon_days > 730 {
            return Err(BookingError::InvalidRule(
                "booking horizon must be 1 to 730 days",
            ));
        }
        if self.lead_minutes > 14 * 24 * 60 {
            return Err(BookingError::InvalidRule(
                "lead time must be at most 14 days",
            ));
        }
        Ok(())
    }
}
