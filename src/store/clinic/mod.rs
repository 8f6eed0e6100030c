//! One transaction scoped to one clinic. Every statement a `ClinicTx` runs names the clinic
//! it was opened for (and on PostgreSQL row level security holds it to that clinic); there
//! is no way to pass another.

mod messages;
mod patients;
mod schedule;
mod setup;

use chrono::{DateTime, Utc};

use super::StoreError;
use super::db::Tx;
use crate::booking::{MessageStatus, PatientId};
use crate::tenancy::{OrgId, TimeZone};

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

pub struct ClinicTx {
    tx: Tx,
    org: OrgId,
}

impl ClinicTx {
    pub(super) fn new(tx: Tx, org: OrgId) -> Self {
        Self { tx, org }
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}
