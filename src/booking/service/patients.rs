//! Patients: finding them by phone or by name and birth date, and registering them.

use chrono::{DateTime, Utc};

use super::{PatientLookup, Scheduler, ServiceError};
use crate::booking::{NewPatient, Patient, PatientId};
use crate::store::{TxMode, stamp};
use crate::tenancy::Organization;

impl Scheduler {
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
                let last = crate::booking::person_name(last_name, "last name")?;
                let first = first_name
                    .map(|f| crate::booking::person_name(f, "first name"))
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
}
