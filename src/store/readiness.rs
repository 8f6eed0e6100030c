//! What the readiness checklist and the operators' page read about one clinic.

use super::db::record;
use super::db::{TxMode, sql};
use super::{Store, StoreError};
use chrono::{DateTime, Utc};

use crate::clinics::readiness::ClinicFacts;
use crate::tenancy::OrgId;

record! {
    struct FactsRow {
        office_hours: bool,
        scheduled_provider: bool,
        active_appointment_type: bool,
        websocket_call: bool,
        webhook_event: bool,
        active_api_key: bool,
    }
}

impl Store {
    /// The readiness facts of one clinic, in one statement.
    pub async fn readiness_facts(&self, org: OrgId) -> Result<ClinicFacts, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let row: FactsRow = tx
            .fetch_one(
                sql("SELECT
                    EXISTS (SELECT 1 FROM office_hours WHERE org_id = $1) AS office_hours,
                    EXISTS (SELECT 1 FROM providers p
                            JOIN provider_schedules s
                              ON s.org_id = p.org_id AND s.provider_id = p.id
                            WHERE p.org_id = $1 AND p.active) AS scheduled_provider,
                    EXISTS (SELECT 1 FROM appointment_types
                            WHERE org_id = $1 AND active) AS active_appointment_type,
                    EXISTS (SELECT 1 FROM calls WHERE org_id = $1) AS websocket_call,
                    -- A record only a WebSocket made has no event names yet.
                    EXISTS (SELECT 1 FROM call_records
                            WHERE org_id = $1 AND events <> '') AS webhook_event,
                    EXISTS (SELECT 1 FROM api_keys
                            WHERE org_id = $1 AND revoked_at IS NULL) AS active_api_key")
                .bind(org),
            )
            .await?;
        tx.commit().await?;
        Ok(ClinicFacts {
            office_hours: row.office_hours,
            scheduled_provider: row.scheduled_provider,
            active_appointment_type: row.active_appointment_type,
            websocket_call: row.websocket_call,
            webhook_event: row.webhook_event,
            active_api_key: row.active_api_key,
        })
    }

    /// How many of the clinic's calls started at or after each of two instants (Unix ms):
    /// `recent_ms` must not be before `since_ms`.
    pub async fn call_volume(
        &self,
        org: OrgId,
        recent_ms: i64,
        since_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let (recent, since): (i64, i64) = tx
            .fetch_one(
                sql("SELECT COUNT(CASE WHEN start_ms >= $2 THEN 1 END), COUNT(*)
                     FROM call_records WHERE org_id = $1 AND start_ms >= $3")
                .bind(org)
                .bind(recent_ms)
                .bind(since_ms),
            )
            .await?;
        tx.commit().await?;
        Ok((recent, since))
    }

    /// When the clinic's last call connected over its WebSocket, and when a Retell webhook
    /// last touched one of its call records (`org status`).
    pub async fn last_activity(&self, org: OrgId) -> Result<LastActivity, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let call: Option<At> = tx
            .fetch_optional(
                sql("SELECT last_connected_at AS at FROM calls WHERE org_id = $1
                     ORDER BY last_connected_at DESC LIMIT 1")
                .bind(org),
            )
            .await?;
        let webhook: Option<At> = tx
            .fetch_optional(
                sql("SELECT updated_at AS at FROM call_records
                     WHERE org_id = $1 AND events <> ''
                     ORDER BY updated_at DESC LIMIT 1")
                .bind(org),
            )
            .await?;
        tx.commit().await?;
        Ok(LastActivity {
            call: call.map(|row| row.at),
            webhook: webhook.map(|row| row.at),
        })
    }
}

record! {
    struct At {
        at: DateTime<Utc>,
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastActivity {
    pub call: Option<DateTime<Utc>>,
    pub webhook: Option<DateTime<Utc>>,
}
