//! Patients and their appointments.

use chrono::{DateTime, NaiveDate, Utc};

use super::ClinicTx;
use crate::booking::AppointmentFilter;
use crate::booking::{
    Appointment, AppointmentId, AppointmentStatus, Patient, PatientId, PhoneNumber,
};
use crate::store::StoreError;
use crate::store::columns::{corrupt, phone};
use crate::store::db::types::{DbId, EpochSeconds};
use crate::store::db::{record, sql};

macro_rules! select_patient {
    ($tail:literal) => {
        concat!(
            "SELECT id, first_name, last_name, birth_date, phone, email, created_at
             FROM patients WHERE org_id = $1 ",
            $tail
        )
    };
}

macro_rules! select_appointment {
    ($tail:literal) => {
        concat!(
            "SELECT id, patient_id, provider_id, operatory_id, appointment_type_id, start_at,
                    end_at, status, note, source, idempotency_key, call_id, created_at, updated_at
             FROM appointments WHERE org_id = $1 ",
            $tail
        )
    };
}

record! {
    struct PatientRow {
        id: DbId,
        first_name: String,
        last_name: String,
        birth_date: NaiveDate,
        phone: Option<String>,
        email: Option<String>,
        created_at: DateTime<Utc>,
    }
}

impl TryFrom<PatientRow> for Patient {
    type Error = StoreError;
    fn try_from(row: PatientRow) -> Result<Self, StoreError> {
        Ok(Patient {
            id: row.id.of(),
            first_name: row.first_name,
            last_name: row.last_name,
            birth_date: row.birth_date,
            phone: phone(row.phone)?,
            email: row.email,
            created_at: row.created_at,
        })
    }
}

record! {
    struct AppointmentRow {
        id: DbId,
        patient_id: DbId,
        provider_id: DbId,
        operatory_id: DbId,
        appointment_type_id: DbId,
        start_at: EpochSeconds,
        end_at: EpochSeconds,
        status: String,
        note: Option<String>,
        source: String,
        idempotency_key: Option<String>,
        call_id: Option<String>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(row: AppointmentRow) -> Result<Self, StoreError> {
        Ok(Appointment {
            id: row.id.of(),
            patient: row.patient_id.of(),
            provider: row.provider_id.of(),
            operatory: row.operatory_id.of(),
            appointment_type: row.appointment_type_id.of(),
            start: row.start_at.0,
            end: row.end_at.0,
            status: AppointmentStatus::parse(&row.status).map_err(corrupt)?,
            note: row.note,
            source: row.source,
            idempotency_key: row.idempotency_key,
            call_id: row.call_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn patients(rows: Vec<PatientRow>) -> Result<Vec<Patient>, StoreError> {
    rows.into_iter().map(Patient::try_from).collect()
}

/// A LIKE pattern matching what starts with `text`, its wildcards taken literally.
fn prefix_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn appointments(rows: Vec<AppointmentRow>) -> Result<Vec<Appointment>, StoreError> {
    rows.into_iter().map(Appointment::try_from).collect()
}

impl ClinicTx {
    pub async fn patient(&mut self, id: PatientId) -> Result<Option<Patient>, StoreError> {
        let row: Option<PatientRow> = self
            .tx
            .fetch_optional(
                sql(select_patient!("AND id = $2"))
                    .bind(self.org)
                    .bind(id.as_uuid()),
            )
            .await?;
        row.map(Patient::try_from).transpose()
    }

    pub async fn patients_by_phone(
        &mut self,
        phone: &PhoneNumber,
    ) -> Result<Vec<Patient>, StoreError> {
        let rows = self
            .tx
            .fetch_all(
                sql(select_patient!(
                    "AND phone = $2 ORDER BY last_name, first_name"
                ))
                .bind(self.org)
                .bind(phone.as_str()),
            )
            .await?;
        patients(rows)
    }

    /// Case-insensitive on names; `first_name: None` matches any.
    pub async fn patients_by_name(
        &mut self,
        last_name: &str,
        first_name: Option<&str>,
        birth_date: NaiveDate,
    ) -> Result<Vec<Patient>, StoreError> {
        let rows = self
            .tx
            .fetch_all(
                sql(select_patient!(
                    "AND lower(last_name) = lower($2) AND birth_date = $3
                     AND ($4 IS NULL OR lower(first_name) = lower($4))
                     ORDER BY last_name, first_name"
                ))
                .bind(self.org)
                .bind(last_name)
                .bind(birth_date)
                .bind(first_name),
            )
            .await?;
        patients(rows)
    }

    /// Case-insensitive prefixes of the last name and (when given) the first name; at most
    /// `limit`, by name.
    pub async fn patients_by_name_prefix(
        &mut self,
        last_name: &str,
        first_name: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Patient>, StoreError> {
        let rows = self
            .tx
            .fetch_all(
                sql(select_patient!(
                    "AND lower(last_name) LIKE lower($2) ESCAPE '\\'
                     AND ($3 IS NULL OR lower(first_name) LIKE lower($3) ESCAPE '\\')
                     ORDER BY last_name, first_name, birth_date LIMIT $4"
                ))
                .bind(self.org)
                .bind(prefix_pattern(last_name))
                .bind(first_name.map(prefix_pattern))
                .bind(limit),
            )
            .await?;
        patients(rows)
    }

    pub async fn patients_by_birth_date(
        &mut self,
        birth_date: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Patient>, StoreError> {
        let rows = self
            .tx
            .fetch_all(
                sql(select_patient!(
                    "AND birth_date = $2 ORDER BY last_name, first_name LIMIT $3"
                ))
                .bind(self.org)
                .bind(birth_date)
                .bind(limit),
            )
            .await?;
        patients(rows)
    }

    /// Saves phone and email of an existing patient.
    pub async fn update_patient_contact(
        &mut self,
        patient: &Patient,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let updated = self
            .tx
            .execute(
                sql("UPDATE patients SET phone = $1, email = $2, updated_at = $3
                     WHERE org_id = $4 AND id = $5")
                .bind(patient.phone.as_ref().map(PhoneNumber::as_str))
                .bind(&patient.email)
                .bind(now)
                .bind(self.org)
                .bind(patient.id.as_uuid()),
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Corrupt(format!(
                "patient {} vanished",
                patient.id
            )));
        }
        Ok(())
    }

    pub async fn insert_patient(&mut self, patient: &Patient) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO patients (id, org_id, first_name, last_name, birth_date, phone,
                         email, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(patient.id.as_uuid())
                .bind(self.org)
                .bind(patient.first_name.as_str())
                .bind(patient.last_name.as_str())
                .bind(patient.birth_date)
                .bind(patient.phone.as_ref().map(PhoneNumber::as_str))
                .bind(&patient.email)
                .bind(patient.created_at),
            )
            .await?;
        Ok(())
    }

    pub async fn appointment(
        &mut self,
        id: AppointmentId,
    ) -> Result<Option<Appointment>, StoreError> {
        let row: Option<AppointmentRow> = self
            .tx
            .fetch_optional(
                sql(select_appointment!("AND id = $2"))
                    .bind(self.org)
                    .bind(id.as_uuid()),
            )
            .await?;
        row.map(Appointment::try_from).transpose()
    }

    pub async fn appointment_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<Appointment>, StoreError> {
        let row: Option<AppointmentRow> = self
            .tx
            .fetch_optional(
                sql(select_appointment!("AND idempotency_key = $2"))
                    .bind(self.org)
                    .bind(key),
            )
            .await?;
        row.map(Appointment::try_from).transpose()
    }

    pub async fn appointments(
        &mut self,
        filter: AppointmentFilter,
    ) -> Result<Vec<Appointment>, StoreError> {
        let query = match filter {
            AppointmentFilter::Patient(patient) => {
                sql(select_appointment!("AND patient_id = $2 ORDER BY start_at"))
                    .bind(self.org)
                    .bind(patient.as_uuid())
            }
            AppointmentFilter::Between(from, to) => sql(select_appointment!(
                "AND start_at >= $2 AND start_at < $3 ORDER BY start_at"
            ))
            .bind(self.org)
            .bind(EpochSeconds(from))
            .bind(EpochSeconds(to)),
        };
        appointments(self.tx.fetch_all(query).await?)
    }

    /// The names of the patients with an appointment starting in `[from, to)`, in one query
    /// (the console lays out a day or a week with them).
    pub async fn names_of_patients_booked_between(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(PatientId, String)>, StoreError> {
        let rows: Vec<(DbId, String, String)> = self
            .tx
            .fetch_all(
                sql("SELECT p.id, p.first_name, p.last_name FROM patients p
                     WHERE p.org_id = $1 AND p.id IN (
                         SELECT a.patient_id FROM appointments a
                         WHERE a.org_id = $1 AND a.start_at >= $2 AND a.start_at < $3)")
                .bind(self.org)
                .bind(EpochSeconds(from))
                .bind(EpochSeconds(to)),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, first, last)| (id.of(), format!("{first} {last}")))
            .collect())
    }

    pub async fn insert_appointment(&mut self, a: &Appointment) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO appointments (id, org_id, patient_id, provider_id, operatory_id,
                         appointment_type_id, start_at, end_at, status, note, source,
                         idempotency_key, created_at, updated_at, call_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(a.id.as_uuid())
                .bind(self.org)
                .bind(a.patient.as_uuid())
                .bind(a.provider.as_uuid())
                .bind(a.operatory.as_uuid())
                .bind(a.appointment_type.as_uuid())
                .bind(EpochSeconds(a.start))
                .bind(EpochSeconds(a.end))
                .bind(a.status.as_str())
                .bind(&a.note)
                .bind(a.source.as_str())
                .bind(&a.idempotency_key)
                .bind(a.created_at)
                .bind(a.updated_at)
                .bind(&a.call_id),
            )
            .await?;
        Ok(())
    }

    /// Saves status, times, provider, operatory and note of an existing appointment.
    pub async fn update_appointment(&mut self, a: &Appointment) -> Result<(), StoreError> {
        let updated = self
            .tx
            .execute(
                sql(
                    "UPDATE appointments SET provider_id = $1, operatory_id = $2, start_at = $3,
                         end_at = $4, status = $5, note = $6, updated_at = $7
                     WHERE org_id = $8 AND id = $9",
                )
                .bind(a.provider.as_uuid())
                .bind(a.operatory.as_uuid())
                .bind(EpochSeconds(a.start))
                .bind(EpochSeconds(a.end))
                .bind(a.status.as_str())
                .bind(&a.note)
                .bind(a.updated_at)
                .bind(self.org)
                .bind(a.id.as_uuid()),
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Corrupt(format!(
                "appointment {} vanished",
                a.id
            )));
        }
        Ok(())
    }
}
