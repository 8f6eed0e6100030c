//! The names beside appointments' ids, read in one joined query for a whole listing.

use super::ClinicTx;
use crate::booking::{AppointmentFilter, AppointmentId, AppointmentNames};
use crate::store::StoreError;
use crate::store::db::types::{DbId, EpochSeconds};
use crate::store::db::{record, sql};

macro_rules! select_names {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, p.first_name, p.last_name, pr.name AS provider_name,
                    o.name AS operatory_name, t.name AS type_name
             FROM appointments a
             JOIN patients p ON p.org_id = a.org_id AND p.id = a.patient_id
             JOIN providers pr ON pr.org_id = a.org_id AND pr.id = a.provider_id
             JOIN operatories o ON o.org_id = a.org_id AND o.id = a.operatory_id
             JOIN appointment_types t ON t.org_id = a.org_id AND t.id = a.appointment_type_id
             WHERE a.org_id = $1 ",
            $tail
        )
    };
}

record! {
    struct NamesRow {
        id: DbId,
        first_name: String,
        last_name: String,
        provider_name: String,
        operatory_name: String,
        type_name: String,
    }
}

/// Whose names to read: one appointment's, or a listing's.
#[derive(Debug, Clone, Copy)]
pub enum NamesOf {
    One(AppointmentId),
    Listed(AppointmentFilter),
}

impl ClinicTx {
    pub async fn appointment_names(
        &mut self,
        of: NamesOf,
    ) -> Result<Vec<(AppointmentId, AppointmentNames)>, StoreError> {
        let query = match of {
            NamesOf::One(id) => sql(select_names!("AND a.id = $2"))
                .bind(self.org)
                .bind(id.as_uuid()),
            NamesOf::Listed(AppointmentFilter::Patient(patient)) => {
                sql(select_names!("AND a.patient_id = $2"))
                    .bind(self.org)
                    .bind(patient.as_uuid())
            }
            NamesOf::Listed(AppointmentFilter::Between(from, to)) => {
                sql(select_names!("AND a.start_at >= $2 AND a.start_at < $3"))
                    .bind(self.org)
                    .bind(EpochSeconds(from))
                    .bind(EpochSeconds(to))
            }
        };
        let rows: Vec<NamesRow> = self.tx.fetch_all(query).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    row.id.of(),
                    AppointmentNames {
                        patient_name: format!("{} {}", row.first_name, row.last_name),
                        provider_name: row.provider_name,
                        operatory_name: row.operatory_name,
                        appointment_type_name: row.type_name,
                    },
                )
            })
            .collect())
    }
}
