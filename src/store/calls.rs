//! Calls: the WebSocket connections we served, and the records Retell's webhooks file.

use chrono::{DateTime, Utc};

use super::db::record;
use super::db::types::DbId;
use super::db::{TxMode, sql};
use super::{Store, StoreError};
use crate::calls::model::{
    CallDetail, CallEvent, CallFacts, CallMetadata, CallRecord, CallSummary, ToolCallRecord,
};
use crate::tenancy::OrgId;

macro_rules! select_record {
    ($tail:literal) => {
        concat!(
            "SELECT call_id, agent_id, direction, from_number, to_number, call_status, start_ms,
                    COALESCE(end_ms, socket_ended_ms) AS end_ms,
                    COALESCE(duration_ms, socket_ended_ms - start_ms) AS duration_ms,
                    socket_ended_ms, ended_by,
                    disconnection_reason, events, transcript, transcript_object,
                    transcript_with_tool_calls, call_analysis, latency, transfer, recording_url,
                    EXISTS (SELECT 1 FROM lab_calls l WHERE l.org_id = call_records.org_id
                            AND l.call_id = call_records.call_id) AS test
             FROM call_records WHERE org_id = $1 ",
            $tail
        )
    };
}

record! {
    struct CallRow {
        call_id: String,
        agent_id: Option<String>,
        call_type: Option<String>,
        direction: Option<String>,
        from_number: Option<String>,
        to_number: Option<String>,
        first_connected_at: DateTime<Utc>,
        last_connected_at: DateTime<Utc>,
        connections: i64,
    }
}

record! {
    struct RecordRow {
        call_id: String,
        agent_id: Option<String>,
        direction: Option<String>,
        from_number: Option<String>,
        to_number: Option<String>,
        call_status: Option<String>,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
        duration_ms: Option<i64>,
        socket_ended_ms: Option<i64>,
        ended_by: Option<String>,
        disconnection_reason: Option<String>,
        events: String,
        transcript: Option<String>,
        transcript_object: Option<String>,
        transcript_with_tool_calls: Option<String>,
        call_analysis: Option<String>,
        latency: Option<String>,
        transfer: Option<String>,
        recording_url: Option<String>,
        test: bool,
    }
}

impl RecordRow {
    fn summary(&self) -> CallSummary {
        CallSummary {
            call_id: self.call_id.clone(),
            agent_id: self.agent_id.clone(),
            direction: self.direction.clone(),
            from_number: self.from_number.clone(),
            to_number: self.to_number.clone(),
            call_status: self.call_status.clone(),
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            duration_ms: self.duration_ms,
            socket_ended_ms: self.socket_ended_ms,
            ended_by: self.ended_by.clone(),
            disconnection_reason: self.disconnection_reason.clone(),
            events: events_column(self.events.clone()),
            test: self.test,
        }
    }
}

record! {
    struct ToolCallRow {
        at: DateTime<Utc>,
        name: String,
        arguments: String,
        result: String,
        successful: bool,
    }
}

fn text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(serde_json::Value::to_string)
}

impl Store {
    /// Records a connection of the call; returns its number among the call's connections
    /// (1 for the first), which its close names.
    pub async fn record_call_connected(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<i64, StoreError> {
        let now = super::stamp(Utc::now());
        // A call id belongs to the clinic whose WebSocket first served it; another clinic's URL
        // with the same id records nothing. (Two clinics connecting one new id at the same
        // instant: the guards in the statements below keep the first's rows.) A clinic that
        // only has the id from webhook events signed with its own key did not serve it: the
        // WebSocket's clinic takes the id, and those events are moved apart.
        if let Some(owner) = self.org_for_call(call_id).await?
            && owner != org
            && !self.take_unserved_call(owner, call_id, org).await?
        {
            return Err(StoreError::CallOfAnotherClinic(call_id.to_owned()));
        }
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        let connection: Option<(i64,)> = tx
            .fetch_optional(
                sql(
                    "INSERT INTO calls (call_id, org_id, first_connected_at, last_connected_at)
                     VALUES ($1, $2, $3, $3)
                     ON CONFLICT (call_id) DO UPDATE SET
                         last_connected_at = excluded.last_connected_at,
                         connections = calls.connections + 1
                     WHERE calls.org_id = excluded.org_id
                     RETURNING connections",
                )
                .bind(call_id)
                .bind(org)
                .bind(now),
            )
            .await?;
        let Some((connection,)) = connection else {
            return Err(StoreError::CallOfAnotherClinic(call_id.to_owned()));
        };
        // The call's record, so it is listed from the start; inserting it routes the call id
        // to the clinic (a trigger), so webhooks find it.
        tx.execute(
            sql(
                "INSERT INTO call_records (call_id, org_id, call_status, start_ms, created_at,
                     updated_at)
                 VALUES ($1, $2, 'ongoing', $3, $4, $4) ON CONFLICT (call_id) DO NOTHING",
            )
            .bind(call_id)
            .bind(org)
            .bind(now.timestamp_millis())
            .bind(now),
        )
        .await?;
        // Retell reconnecting a call whose socket closed reopens it, unless we ended it or
        // Retell said it ended (its end time or reason): those are final.
        tx.execute(
            sql(
                "UPDATE call_records SET call_status = 'ongoing', socket_ended_ms = NULL,
                     ended_by = NULL, updated_at = $3
                 WHERE org_id = $1 AND call_id = $2 AND call_status = 'ended'
                   AND ended_by IN ('peer', 'dropped', 'server')
                   AND end_ms IS NULL AND disconnection_reason IS NULL",
            )
            .bind(org)
            .bind(call_id)
            .bind(now),
        )
        .await?;
        tx.commit().await?;
        Ok(connection)
    }

    /// Records that connection number `connection` of the call closed at `at_ms`, and how
    /// (`ended_by`): the call is `ended` from then on (an `error` from Retell stays), until a
    /// reconnect reopens it. Nothing changes if a later connection came meanwhile.
    pub async fn record_socket_closed(
        &self,
        org: OrgId,
        call_id: &str,
        connection: i64,
        ended_by: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let now = super::stamp(Utc::now());
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        tx.execute(
            sql(
                "UPDATE call_records SET socket_ended_ms = $1, ended_by = $2,
                     call_status = CASE WHEN call_status IN ('ended', 'error') THEN call_status
                         ELSE 'ended' END,
                     updated_at = $3
                 WHERE org_id = $4 AND call_id = $5
                   AND (SELECT c.connections FROM calls c
                        WHERE c.org_id = $4 AND c.call_id = $5) = $6",
            )
            .bind(at_ms)
            .bind(ended_by)
            .bind(now)
            .bind(org)
            .bind(call_id)
            .bind(connection),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_call_details(
        &self,
        org: OrgId,
        call_id: &str,
        meta: &CallMetadata,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        tx.execute(
            sql(
                "UPDATE calls SET agent_id = $1, call_type = $2, direction = $3, from_number = $4,
                     to_number = $5
                 WHERE call_id = $6 AND org_id = $7",
            )
            .bind(&meta.agent_id)
            .bind(&meta.call_type)
            .bind(&meta.direction)
            .bind(&meta.from_number)
            .bind(&meta.to_number)
            .bind(call_id)
            .bind(org),
        )
        .await?;
        // The record shows what the call details said until Retell's events say otherwise
        // (theirs win: a webhook's values replace these, these never replace a webhook's).
        tx.execute(
            sql("UPDATE call_records SET agent_id = COALESCE(agent_id, $1),
                     direction = COALESCE(direction, $2),
                     from_number = COALESCE(from_number, $3),
                     to_number = COALESCE(to_number, $4),
                     start_ms = CASE WHEN events = '' THEN COALESCE($5, start_ms)
                         ELSE start_ms END
                 WHERE org_id = $6 AND call_id = $7")
            .bind(&meta.agent_id)
            .bind(&meta.direction)
            .bind(&meta.from_number)
            .bind(&meta.to_number)
            .bind(meta.start_ms)
            .bind(org)
            .bind(call_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn call_record(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let row: Option<CallRow> = tx
            .fetch_optional(
                sql(
                    "SELECT call_id, agent_id, call_type, direction, from_number, to_number,
                            first_connected_at, last_connected_at, connections
                     FROM calls WHERE org_id = $1 AND call_id = $2",
                )
                .bind(org)
                .bind(call_id),
            )
            .await?;
        tx.commit().await?;
        Ok(row.map(|row| CallRecord {
            call_id: row.call_id,
            metadata: CallMetadata {
                agent_id: row.agent_id,
                call_type: row.call_type,
                direction: row.direction,
                from_number: row.from_number,
                to_number: row.to_number,
                start_ms: None,
            },
            first_connected_at: row.first_connected_at,
            last_connected_at: row.last_connected_at,
            connections: row.connections,
        }))
    }

    pub async fn count_calls(&self, org: OrgId) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let (count,): (i64,) = tx
            .fetch_one(sql("SELECT COUNT(*) FROM calls WHERE org_id = $1").bind(org))
            .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Files a webhook event into the clinic's call record; repeats change nothing. A record
    /// another clinic holds is refused by the statement itself (one write, no lock first).
    pub async fn apply_call_event(&self, org: OrgId, e: &CallEvent) -> Result<(), StoreError> {
        let now = super::stamp(Utc::now());
        // A later event never undoes an ended call, a shorter transcript never replaces a
        // longer one, and an event name is listed once.
        let filed = self
            .pool
            .append(
                org,
            sql("INSERT INTO call_records (call_id, org_id, agent_id, direction, from_number,
                     to_number, call_status, start_ms, end_ms, duration_ms, disconnection_reason,
                     transcript, transcript_object, transcript_with_tool_calls, transcript_items,
                     call_analysis, latency, transfer, events, created_at, updated_at,
                     recording_url)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $20, $21)
                 ON CONFLICT (call_id) DO UPDATE SET
                     recording_url = COALESCE(excluded.recording_url, call_records.recording_url),
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
                     disconnection_reason = COALESCE(excluded.disconnection_reason,
                         call_records.disconnection_reason),
                     transcript = CASE WHEN excluded.transcript_items >= call_records.transcript_items
                         THEN COALESCE(excluded.transcript, call_records.transcript)
                         ELSE call_records.transcript END,
                     transcript_object = CASE
                         WHEN excluded.transcript_items >= call_records.transcript_items
                         THEN COALESCE(excluded.transcript_object, call_records.transcript_object)
                         ELSE call_records.transcript_object END,
                     transcript_with_tool_calls = CASE
                         WHEN excluded.transcript_items >= call_records.transcript_items
                         THEN COALESCE(excluded.transcript_with_tool_calls,
                             call_records.transcript_with_tool_calls)
                         ELSE call_records.transcript_with_tool_calls END,
                     transcript_items = CASE
                         WHEN excluded.transcript_items > call_records.transcript_items
                         THEN excluded.transcript_items ELSE call_records.transcript_items END,
                     call_analysis = COALESCE(excluded.call_analysis, call_records.call_analysis),
                     latency = COALESCE(excluded.latency, call_records.latency),
                     transfer = COALESCE(excluded.transfer, call_records.transfer),
                     events = CASE
                         WHEN length(replace(',' || call_records.events || ',',
                                             ',' || excluded.events || ',', ''))
                              < length(',' || call_records.events || ',')
                         THEN call_records.events
                         WHEN call_records.events = '' THEN excluded.events
                         ELSE call_records.events || ',' || excluded.events END,
                     updated_at = excluded.updated_at
                 WHERE call_records.org_id = excluded.org_id")
            .bind(&e.call_id)
            .bind(org)
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
            .bind(e.event.as_str())
            .bind(now)
            .bind(&e.recording_url),
        )
        .await
        .map_err(|err| another_clinics_call(err, &e.call_id))?;
        if filed == 0 {
            return Err(StoreError::CallOfAnotherClinic(e.call_id.clone()));
        }
        Ok(())
    }

    /// Moves `owner`'s record of a call that no WebSocket of `owner` served out of its history
    /// (kept for the operator as an unattributed event) and routes the call id to `to`.
    /// False when `owner`'s WebSocket did serve it: then the call is `owner`'s.
    async fn take_unserved_call(
        &self,
        owner: OrgId,
        call_id: &str,
        to: OrgId,
    ) -> Result<bool, StoreError> {
        let record = self.call_detail(owner, call_id).await?;
        let mut tx = self.pool.begin(Some(owner), TxMode::Write).await?;
        let served: Option<(String,)> = tx
            .fetch_optional(
                sql("SELECT call_id FROM calls WHERE org_id = $1 AND call_id = $2")
                    .bind(owner)
                    .bind(call_id),
            )
            .await?;
        if served.is_some() {
            return Ok(false);
        }
        if let Some(record) = record {
            let payload = serde_json::json!({ "moved_from_org": owner, "record": record });
            tx.execute(
                sql("INSERT INTO unattributed_events (received_at, event, call_id, agent_id, payload)
                     VALUES ($1, 'record_moved_apart', $2, $3, $4)")
                .bind(Utc::now())
                .bind(call_id)
                .bind(&record.summary.agent_id)
                .bind(payload.to_string()),
            )
            .await?;
        }
        for statement in [
            "DELETE FROM call_records WHERE org_id = $1 AND call_id = $2",
            "DELETE FROM call_tool_calls WHERE org_id = $1 AND call_id = $2",
        ] {
            tx.execute(sql(statement).bind(owner).bind(call_id)).await?;
        }
        tx.execute(
            sql("UPDATE org_routes SET org_id = $1 WHERE kind = 'call' AND key = $2 AND org_id = $3")
                .bind(to)
                .bind(call_id)
                .bind(owner),
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(%call_id, from_org = %owner, to_org = %to, "a call another clinic had only from webhook events signed with its own key connected on this clinic's WebSocket: the call is this clinic's, the earlier record was moved apart for the operator");
        Ok(true)
    }

    /// Keeps an event no clinic could be found for, for the operator; never under a clinic.
    pub async fn store_unattributed(&self, e: &CallEvent, payload: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(None, TxMode::Append).await?;
        tx.execute(
            sql(
                "INSERT INTO unattributed_events (received_at, event, call_id, agent_id, payload)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Utc::now())
            .bind(e.event.as_str())
            .bind(e.call_id.as_str())
            .bind(&e.agent_id)
            .bind(payload),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One row per call started in `[from_ms, to_ms)`, with what the statistics count.
    pub async fn call_facts(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<CallFacts>, StoreError> {
        record! {
            struct FactsRow {
                call_id: String,
                start_ms: Option<i64>,
                duration_ms: Option<i64>,
                events: String,
                latency: Option<String>,
                booked: bool,
                message: bool,
                moved: bool,
                cancelled: bool,
                transfer_asked: bool,
                test: bool,
            }
        }
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<FactsRow> = tx
            .fetch_all(
                sql("SELECT c.call_id, c.start_ms,
                        COALESCE(c.duration_ms, c.socket_ended_ms - c.start_ms) AS duration_ms,
                        c.events, c.latency,
                        EXISTS (SELECT 1 FROM appointments a
                                WHERE a.org_id = c.org_id AND a.call_id = c.call_id) AS booked,
                        EXISTS (SELECT 1 FROM caller_messages m
                                WHERE m.org_id = c.org_id AND m.call_id = c.call_id) AS message,
                        EXISTS (SELECT 1 FROM call_tool_calls t
                                WHERE t.org_id = c.org_id AND t.call_id = c.call_id AND t.successful
                                  AND t.result LIKE '%\"rescheduled\":true%') AS moved,
                        EXISTS (SELECT 1 FROM call_tool_calls t
                                WHERE t.org_id = c.org_id AND t.call_id = c.call_id AND t.successful
                                  AND t.result LIKE '%\"cancelled\":true%') AS cancelled,
                        EXISTS (SELECT 1 FROM call_tool_calls t
                                WHERE t.org_id = c.org_id AND t.call_id = c.call_id AND t.successful
                                  AND t.name = 'transfer_to_front_desk') AS transfer_asked,
                        EXISTS (SELECT 1 FROM lab_calls l
                                WHERE l.org_id = c.org_id AND l.call_id = c.call_id) AS test
                     FROM call_records c
                     WHERE c.org_id = $1 AND c.start_ms >= $2 AND c.start_ms < $3")
                .bind(org)
                .bind(from_ms)
                .bind(to_ms),
            )
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(CallFacts {
                    start_ms: row.start_ms?,
                    duration_ms: row.duration_ms,
                    transferred: row.transfer_asked
                        || row.events.split(',').any(|e| e.starts_with("transfer")),
                    moved: row.moved,
                    cancelled: row.cancelled,
                    call_id: row.call_id,
                    latency: row.latency.and_then(|l| serde_json::from_str(&l).ok()),
                    booked: row.booked,
                    message: row.message,
                    test: row.test,
                })
            })
            .collect())
    }

    pub async fn list_call_records(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CallSummary>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let rows: Vec<RecordRow> = tx
            .fetch_all(
                sql(select_record!(
                    "AND COALESCE(start_ms, 0) >= $2 AND COALESCE(start_ms, 0) < $3
                     ORDER BY start_ms DESC, call_id LIMIT $4 OFFSET $5"
                ))
                .bind(org)
                .bind(from_ms)
                .bind(to_ms)
                .bind(limit)
                .bind(offset),
            )
            .await?;
        tx.commit().await?;
        Ok(rows.iter().map(RecordRow::summary).collect())
    }

    pub async fn call_detail(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallDetail>, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Read).await?;
        let Some(row): Option<RecordRow> = tx
            .fetch_optional(
                sql(select_record!("AND call_id = $2"))
                    .bind(org)
                    .bind(call_id),
            )
            .await?
        else {
            return Ok(None);
        };
        let tool_calls: Vec<ToolCallRow> = tx
            .fetch_all(
                sql(
                    "SELECT at, name, arguments, result, successful FROM call_tool_calls
                     WHERE org_id = $1 AND call_id = $2 ORDER BY at",
                )
                .bind(org)
                .bind(call_id),
            )
            .await?;
        let appointments: Vec<(DbId,)> = tx
            .fetch_all(
                sql(
                    "SELECT id FROM appointments WHERE org_id = $1 AND call_id = $2
                     ORDER BY created_at",
                )
                .bind(org)
                .bind(call_id),
            )
            .await?;
        tx.commit().await?;
        Ok(Some(CallDetail {
            summary: row.summary(),
            transcript: row.transcript,
            transcript_object: json_column(row.transcript_object),
            transcript_with_tool_calls: json_column(row.transcript_with_tool_calls),
            call_analysis: json_column(row.call_analysis),
            latency: json_column(row.latency),
            transfer: json_column(row.transfer),
            recording_url: row.recording_url,
            tool_calls: tool_calls
                .into_iter()
                .map(|r| ToolCallRecord {
                    at: r.at,
                    name: r.name,
                    arguments: r.arguments,
                    result: r.result,
                    successful: r.successful,
                })
                .collect(),
            appointments: appointments.iter().map(|(id,)| id.0.to_string()).collect(),
        }))
    }

    pub async fn record_tool_call(
        &self,
        org: OrgId,
        call_id: &str,
        call: &ToolCallRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        tx.execute(
            sql(
                "INSERT INTO call_tool_calls (org_id, call_id, at, name, arguments, result,
                     successful)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org)
            .bind(call_id)
            // Kept to the microsecond, as both databases keep it.
            .bind(super::stamp(call.at))
            .bind(&call.name)
            .bind(&call.arguments)
            .bind(&call.result)
            .bind(call.successful),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes transcripts of calls that started before `before_ms`; returns how many.
    pub async fn purge_transcripts(&self, org: OrgId, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin(Some(org), TxMode::Append).await?;
        let purged = tx
            .execute(
                sql(
                    "UPDATE call_records SET transcript = NULL, transcript_object = NULL,
                         transcript_with_tool_calls = NULL
                     WHERE org_id = $1 AND start_ms < $2
                       AND (transcript IS NOT NULL OR transcript_object IS NOT NULL
                            OR transcript_with_tool_calls IS NOT NULL)",
                )
                .bind(org)
                .bind(before_ms),
            )
            .await?;
        tx.commit().await?;
        Ok(purged)
    }
}

/// JSON stored as text; unreadable text reads as absent rather than failing the record.
fn json_column(raw: Option<String>) -> Option<serde_json::Value> {
    raw.and_then(|text| serde_json::from_str(&text).ok())
}

fn events_column(raw: String) -> Vec<String> {
    raw.split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A record of another clinic's, as PostgreSQL's row level security reports it when two
/// clinics file one new call id at the same instant (SQLite's guard changes no row instead).
fn another_clinics_call(err: sqlx::Error, call_id: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42501") => {
            StoreError::CallOfAnotherClinic(call_id.to_owned())
        }
        _ => StoreError::Database(err),
    }
}
