//! What the booking engine asks the store for: which appointments, which messages, which
//! clinic-wide fields an import changes.

use chrono::{DateTime, Utc};

use super::{MessageStatus, PatientId};
use crate::tenancy::TimeZone;

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
