//! Call records on PostgreSQL: each clinic's rows under row level security; the call id to
//! clinic route in `org_routes`.

use chrono::Utc;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::{PgStore, scope};
use crate::store::StoreError;
use crate::store::call_records::{
    CallDetail, CallEvent, CallSummary, ToolCallRecord, events_column, json_column,
};
use crate::tenancy::OrgId;
use uuid::Uuid;

macro_rules! select_record {
    ($tail:literal) => {
        concat!(
            "SELECT call_id, agent_id, direction, from_number, to_number, call_status, start_ms,
                    end_ms, duration_ms, disconnection_reason, events, transcript, transcript_object,
                    transcript_with_tool_calls, call_analysis, latency, transfer
             FROM call_records WHERE org_id = $1 ",
            $tail
        )
    };
}

fn summary(row: &PgRow) -> Result<CallSummary, StoreError> {
    Ok(CallSummary {
        call_id: row.try_get("call_id")?,
        agent_id: row.try_get("agent_id")?,
        direction: row.try_get("direction")?,
        from_number: row.try_get("from_number")?,
        to_number: row.try_get("to_number")?,
        call_status: row.try_get("call_status")?,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        duration_ms: row.try_get("duration_ms")?,
        disconnection_reason: row.try_get("disconnection_reason")?,
        events: events_column(row.try_get("events")?),
    })
}

fn text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(serde_json::Value::to_string)
}

impl PgStore {
    pub async fn org_for_call(&self, call_id: &str) -> Result<Option<OrgId>, StoreError> {
        self.routed_org("call", call_id).await
    }

    pub async fn org_for_agent(&self, agent_id: &str) -> Result<Option<OrgId>, StoreError> {
        self.routed_org("agent", agent_id).await
    }

    pub async fn set_agent(&self, org: OrgId, agent_id: &str) -> Result<(), StoreError> {
        if self
            .routed_org("agent", agent_id)
            .await?
            .is_some_and(|owner| owner != org)
        {
            return Err(StoreError::AgentTaken(agent_id.to_owned()));
        }
        sqlx::query(
            "INSERT INTO org_routes (kind, key, org_id) VALUES ('agent', $1, $2)
             ON CONFLICT (kind, key) DO NOTHING",
        )
        .bind(agent_id)
        .bind(org.as_uuid())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn apply_call_event(&self, org: OrgId, e: &CallEvent) -> Result<(), StoreError> {
        let now = crate::store::stamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        route_call(&mut tx, org, &e.call_id).await?;
        let owner: Option<Uuid> =
            sqlx::query_scalar("SELECT org_id FROM org_routes WHERE kind = 'call' AND key = $1")
                .bind(&e.call_id)
                .fetch_optional(&mut *tx)
                .await?;
        if owner.is_some_and(|o| o != org.as_uuid()) {
            return Err(StoreError::CallOfAnotherClinic(e.call_id.clone()));
        }
        sqlx::query(
            "INSERT INTO call_records (call_id, org_id, agent_id, direction, from_number, to_number,
                 call_status, start_ms, end_ms, duration_ms, disconnection_reason, transcript,
                 transcript_object, transcript_with_tool_calls, transcript_items, call_analysis,
                 latency, transfer, events, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
             ON CONFLICT (call_id) DO UPDATE SET
                 agent_id = COALESCE(excluded.agent_id, call_records.agent_id),
                 direction = COALESCE(excluded.direction, call_records.direction),
                 from_number = COALESCE(excluded.from_number, call_records.from_number),
                 to_number = COALESCE(excluded.to_number, call_records.to_number),
                 call_status = CASE
                     WHEN call_records.call_status IN ('ended', 'error')
                          AND excluded.call_status IN ('registered', 'ongoing')
                     THEN call_records.call_status
                     ELSE COALESCE(excluded.call_status, call_records.call_status) END,
                 start_ms = COALESCE(excluded.start_ms, call_records.start_ms),
                 end_ms = COALESCE(excluded.end_ms, call_records.end_ms),
                 duration_ms = COALESCE(excluded.duration_ms, call_records.duration_ms),
                 disconnection_reason = COALESCE(excluded.disconnection_reason, call_records.disconnection_reason),
                 transcript = CASE WHEN excluded.transcript_items >= call_records.transcript_items
                     THEN COALESCE(excluded.transcript, call_records.transcript) ELSE call_records.transcript END,
                 transcript_object = CASE WHEN excluded.transcript_items >= call_records.transcript_items
                     THEN COALESCE(excluded.transcript_object, call_records.transcript_object) ELSE call_records.transcript_object END,
                 transcript_with_tool_calls = CASE WHEN excluded.transcript_items >= call_records.transcript_items
                     THEN COALESCE(excluded.transcript_with_tool_calls, call_records.transcript_with_tool_calls)
                     ELSE call_records.transcript_with_tool_calls END,
                 transcript_items = GREATEST(excluded.transcript_items, call_records.transcript_items),
                 call_analysis = COALESCE(excluded.call_analysis, call_records.call_analysis),
                 latency = COALESCE(excluded.latency, call_records.latency),
                 transfer = COALESCE(excluded.transfer, call_records.transfer),
                 events = CASE
                     WHEN strpos(',' || call_records.events || ',', ',' || excluded.events || ',') > 0
                     THEN call_records.events
                     WHEN call_records.events = '' THEN excluded.events
                     ELSE call_records.events || ',' || excluded.events END,
                 updated_at = excluded.updated_at
             WHERE call_records.org_id = excluded.org_id",
        )
        .bind(&e.call_id)
        .bind(org.as_uuid())
        .bind(&e.agent_id)
        .bind(&e.direction)
        .bind(&e.from_number)
        .bind(&e.to_number)
        .bind(&e.call_status)
        .bind(e.start_ms)
        .bind(e.end_ms)
        .bind(e.duration_ms)
        .bind(&e.disconnection_reason)
        .bind(&e.transcript)
        .bind(text(&e.transcript_object))
        .bind(text(&e.transcript_with_tool_calls))
        .bind(e.transcript_items())
        .bind(text(&e.call_analysis))
        .bind(text(&e.latency))
        .bind(text(&e.transfer))
        .bind(&e.event)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn store_unattributed(&self, e: &CallEvent, payload: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unattributed_events (received_at, event, call_id, agent_id, payload)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Utc::now())
        .bind(&e.event)
        .bind(&e.call_id)
        .bind(&e.agent_id)
        .bind(payload)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn list_call_records(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CallSummary>, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let rows = sqlx::query(select_record!(
            "AND COALESCE(start_ms, 0) >= $2 AND COALESCE(start_ms, 0) < $3
             ORDER BY start_ms DESC, call_id LIMIT $4 OFFSET $5"
        ))
        .bind(org.as_uuid())
        .bind(from_ms)
        .bind(to_ms)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(summary).collect()
    }

    pub async fn call_detail(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallDetail>, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let Some(row) = sqlx::query(select_record!("AND call_id = $2"))
            .bind(org.as_uuid())
            .bind(call_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let tool_rows = sqlx::query(
            "SELECT at, name, arguments, result, successful FROM call_tool_calls
             WHERE org_id = $1 AND call_id = $2 ORDER BY at",
        )
        .bind(org.as_uuid())
        .bind(call_id)
        .fetch_all(&mut *tx)
        .await?;
        let appointments: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM appointments WHERE org_id = $1 AND call_id = $2 ORDER BY created_at",
        )
        .bind(org.as_uuid())
        .bind(call_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let appointments: Vec<String> = appointments.iter().map(Uuid::to_string).collect();
        Ok(Some(CallDetail {
            summary: summary(&row)?,
            transcript: row.try_get("transcript")?,
            transcript_object: json_column(row.try_get("transcript_object")?),
            transcript_with_tool_calls: json_column(row.try_get("transcript_with_tool_calls")?),
            call_analysis: json_column(row.try_get("call_analysis")?),
            latency: json_column(row.try_get("latency")?),
            transfer: json_column(row.try_get("transfer")?),
            tool_calls: tool_rows
                .iter()
                .map(|r| {
                    Ok(ToolCallRecord {
                        at: r.try_get("at")?,
                        name: r.try_get("name")?,
                        arguments: r.try_get("arguments")?,
                        result: r.try_get("result")?,
                        successful: r.try_get("successful")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            appointments,
        }))
    }

    pub async fn record_tool_call(
        &self,
        org: OrgId,
        call_id: &str,
        call: &ToolCallRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        sqlx::query(
            "INSERT INTO call_tool_calls (org_id, call_id, at, name, arguments, result, successful)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org.as_uuid())
        .bind(call_id)
        .bind(call.at)
        .bind(&call.name)
        .bind(&call.arguments)
        .bind(&call.result)
        .bind(call.successful)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes transcripts of calls that started before `before_ms`; returns how many.
    pub async fn purge_transcripts(&self, org: OrgId, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        scope(&mut tx, org).await?;
        let done = sqlx::query(
            "UPDATE call_records SET transcript = NULL, transcript_object = NULL,
                 transcript_with_tool_calls = NULL
             WHERE org_id = $1 AND start_ms < $2
               AND (transcript IS NOT NULL OR transcript_object IS NOT NULL
                    OR transcript_with_tool_calls IS NOT NULL)",
        )
        .bind(org.as_uuid())
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

/// The call id to clinic route, for webhooks. A call id belongs to one clinic for good.
pub(super) async fn route_call(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    org: OrgId,
    call_id: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO org_routes (kind, key, org_id) VALUES ('call', $1, $2)
         ON CONFLICT (kind, key) DO NOTHING",
    )
    .bind(call_id)
    .bind(org.as_uuid())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
