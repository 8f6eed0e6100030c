//! Patients: finding them by phone or by name and birth date, and registering them; staff
//! search them and change their contact details.

use chrono::{DateTime, Utc};

use super::{
    ContactChanged, PatientContact, PatientLookup, PatientSearch, Scheduler, ServiceError,
};
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

    /// Staff's search: at most `limit` patients, ordered by name.
    pub async fn search_patients(
        &self,
        org: &Organization,
        search: PatientSearch<'_>,
        limit: i64,
    ) -> Result<Vec<Patient>, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(match search {
            PatientSearch::Phone(phone) => {
                let mut found = tx.patients_by_phone(phone).await?;
                found.truncate(usize::try_from(limit).unwrap_or(0));
                found
            }
            PatientSearch::BirthDate(date) => tx.patients_by_birth_date(date, limit).await?,
            PatientSearch::Name {
                last_name,
                first_name,
            } => {
                let last = crate::booking::person_name(last_name, "last name")?;
                let first = first_name
                    .map(|f| crate::booking::person_name(f, "first name"))
                    .transpose()?;
                tx.patients_by_name_prefix(&last, first.as_deref(), limit)
                    .await?
            }
        })
    }

    /// Sets a patient's phone and email; says which of them changed (none: nothing written).
    pub async fn update_patient_contact(
        &self,
        org: &Organization,
        id: PatientId,
        contact: PatientContact,
        now: DateTime<Utc>,
    ) -> Result<ContactChanged, ServiceError> {
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let mut patient = tx
            .patient(id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let mut changed = Vec::new();
        if patient.phone != contact.phone {
            changed.push("phone");
        }
        if patient.email != contact.email {
            changed.push("email");
        }
        if !changed.is_empty() {
            patient.phone = contact.phone;
            patient.email = contact.email;
            tx.update_patient_contact(&patient, stamp(now)).await?;
            tx.commit().await?;
        }
        Ok(ContactChanged { patient, changed })
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
