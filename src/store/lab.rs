//! The web console's test lab: calls registered as tests before they connect, and the
//! appointments they made, for undoing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::columns::corrupt;
use super::db::record;
use super::db::types::{DbId, EpochSeconds};
use super::db::{TxMode, sql};
use super::{Store, StoreError};
use crate::booking::AppointmentStatus;
use crate::calls::model::{LabBooking, LabCall};
use crate::tenancy::OrgId;

record! {
    struct LabCallRow {
        call_id: String,
        started_by: Option<DbId>,
        created_at: EpochSeconds,
    }
}

record! {
    struct LabBookingRow {
        id: DbId,
        call_id: String,
        start_at: EpochSeconds,
        status: String,
        first_name: String,
        last_name: String,
        type_name: String,
    }
}

macro_rules! select_bookings {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.call_id, a.start_at, a.status, p.first_name, p.last_name,
                    t.name AS type_name
             FROM lab_calls l
             JOIN appointments a ON a.org_id = l.org_id AND a.call_id = l.call_id
             JOIN patients p ON p.org_id = a.org_id AND p.id = a.patient_id
             JOIN appointment_types t ON t.org_id = a.org_id AND t.id = a.appointment_type_id
             WHERE l.org_id = $1 ",
            $tail
        )
    };
}

impl Store {
    /// Registers `call_id` as a test lab call of the clinic, started by `user`.
    pub async fn record_lab_call(
        &self,
        org: OrgId,
        call_id: &str,
        user: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        tx.execute(
            sql(
                "INSERT INTO lab_calls (call_id, org_id, started_by, created_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(call_id)
            .bind(org)
            .bind(user)
            .bind(EpochSeconds(at)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clinic's lab call `call_id`; None for any other call (or another clinic's).
    pub async fn lab_call(&self, org: OrgId, call_id: &str) -> Result<Option<LabCall>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let row: Option<LabCallRow> = tx
            .fetch_optional(
                sql("SELECT call_id, started_by, created_at FROM lab_calls
                     WHERE org_id = $1 AND call_id = $2")
                .bind(org)
                .bind(call_id),
            )
            .await?;
        tx.commit().await?;
        Ok(row.map(|r| LabCall {
            call_id: r.call_id,
            started_by: r.started_by.map(|id| id.0),
            created_at: r.created_at.0,
        }))
    }

    /// The appointments the clinic's lab call `call_id` made, oldest first.
    pub async fn lab_call_bookings(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Vec<LabBooking>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<LabBookingRow> = tx
            .fetch_all(
                sql(select_bookings!(
                    "AND l.call_id = $2 ORDER BY a.created_at, a.id"
                ))
                .bind(org)
                .bind(call_id),
            )
            .await?;
        tx.commit().await?;
        rows.into_iter().map(booking).collect()
    }

    /// The appointments lab calls started since `since` made, newest call first.
    pub async fn recent_lab_bookings(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LabBooking>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<LabBookingRow> = tx
            .fetch_all(
                sql(select_bookings!(
                    "AND l.created_at >= $2 ORDER BY l.created_at DESC, a.created_at, a.id
                     LIMIT $3"
                ))
                .bind(org)
                .bind(EpochSeconds(since))
                .bind(limit),
            )
            .await?;
        tx.commit().await?;
        rows.into_iter().map(booking).collect()
    }
}

fn booking(row: LabBookingRow) -> Result<LabBooking, StoreError> {
    Ok(LabBooking {
        appointment_id: row.id.of(),
        call_id: row.call_id,
        start: row.start_at.0,
        status: AppointmentStatus::parse(&row.status).map_err(corrupt)?,
        patient: format!("{} {}", row.first_name, row.last_name),
        appointment_type: row.type_name,
    })
}
