//! Calls to follow up: what each recent call left (tool calls, bookings, messages), and the
//! calls staff marked done.

use chrono::{DateTime, Utc};

use super::ClinicTx;
use crate::booking::{CallFollowUp, CallTrail};
use crate::store::StoreError;
use crate::store::db::types::EpochSeconds;
use crate::store::db::{record, sql};

record! {
    struct TrailRow {
        call_id: String,
        caller: Option<String>,
        start_ms: Option<i64>,
        transferred: bool,
        asked_transfer: bool,
        wanted_booking: bool,
        confirmed: bool,
        booked: bool,
        message: bool,
    }
}

impl ClinicTx {
    /// Calls started since `since_ms` that asked for a transfer or looked for slots and that
    /// staff have not marked done, newest first, with why each wants a person (calls that
    /// turn out not to are left out, so fewer than `limit` may come back). Test lab calls
    /// ask nobody to call back.
    pub async fn calls_to_follow_up(
        &mut self,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<CallFollowUp>, StoreError> {
        let rows: Vec<TrailRow> = self
            .tx
            .fetch_all(
                sql("SELECT r.call_id, COALESCE(r.from_number, c.from_number) AS caller, r.start_ms,
                        (r.transfer IS NOT NULL OR (',' || r.events) LIKE '%,transfer%'
                         OR EXISTS (SELECT 1 FROM call_tool_calls t WHERE t.org_id = r.org_id
                             AND t.call_id = r.call_id AND t.name = 'transfer_to_front_desk'
                             AND t.successful)) AS transferred,
                        EXISTS (SELECT 1 FROM call_tool_calls t WHERE t.org_id = r.org_id
                             AND t.call_id = r.call_id AND t.name = 'transfer_to_front_desk')
                             AS asked_transfer,
                        EXISTS (SELECT 1 FROM call_tool_calls t WHERE t.org_id = r.org_id
                             AND t.call_id = r.call_id
                             AND t.name IN ('find_slots', 'book_appointment')) AS wanted_booking,
                        EXISTS (SELECT 1 FROM call_tool_calls t WHERE t.org_id = r.org_id
                             AND t.call_id = r.call_id AND t.name = 'confirm_action'
                             AND t.successful) AS confirmed,
                        EXISTS (SELECT 1 FROM appointments a WHERE a.org_id = r.org_id
                             AND a.call_id = r.call_id) AS booked,
                        EXISTS (SELECT 1 FROM caller_messages m WHERE m.org_id = r.org_id
                             AND m.call_id = r.call_id) AS message
                     FROM call_records r
                     LEFT JOIN calls c ON c.org_id = r.org_id AND c.call_id = r.call_id
                     WHERE r.org_id = $1 AND COALESCE(r.start_ms, 0) >= $2
                       AND NOT EXISTS (SELECT 1 FROM call_follow_ups f WHERE f.org_id = r.org_id
                           AND f.call_id = r.call_id)
                       AND NOT EXISTS (SELECT 1 FROM lab_calls l WHERE l.org_id = r.org_id
                           AND l.call_id = r.call_id)
                       AND (r.transfer IS NOT NULL OR (',' || r.events) LIKE '%,transfer%'
                            OR EXISTS (SELECT 1 FROM call_tool_calls t WHERE t.org_id = r.org_id
                                AND t.call_id = r.call_id AND t.name IN
                                    ('transfer_to_front_desk', 'find_slots', 'book_appointment')))
                     ORDER BY r.start_ms DESC, r.call_id LIMIT $3")
                .bind(self.org)
                .bind(since_ms)
                .bind(limit),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let trail = CallTrail {
                    transferred: row.transferred,
                    asked_transfer: row.asked_transfer,
                    wanted_booking: row.wanted_booking,
                    confirmed: row.confirmed,
                    booked: row.booked,
                    message: row.message,
                };
                Some(CallFollowUp {
                    reason: trail.reason()?,
                    call_id: row.call_id,
                    caller: row.caller,
                    started: row.start_ms.and_then(DateTime::from_timestamp_millis),
                })
            })
            .collect())
    }

    /// Whether the clinic has a record of this call.
    pub async fn has_call(&mut self, call_id: &str) -> Result<bool, StoreError> {
        let found: Option<(String,)> = self
            .tx
            .fetch_optional(
                sql("SELECT call_id FROM call_records WHERE org_id = $1 AND call_id = $2")
                    .bind(self.org)
                    .bind(call_id),
            )
            .await?;
        Ok(found.is_some())
    }

    /// Marks a call followed up; marking it again keeps the first mark.
    pub async fn mark_call_followed_up(
        &mut self,
        call_id: &str,
        by: Option<uuid::Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO call_follow_ups (org_id, call_id, done_at, user_id)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, call_id) DO NOTHING",
                )
                .bind(self.org)
                .bind(call_id)
                .bind(EpochSeconds(at))
                .bind(by),
            )
            .await?;
        Ok(())
    }
}
