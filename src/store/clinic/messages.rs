//! Messages the receptionist took for the front desk.

use chrono::{DateTime, Utc};

use super::ClinicTx;
use crate::booking::MessageFilter;
use crate::booking::{Message, MessageId, MessageStatus, PhoneNumber};
use crate::store::StoreError;
use crate::store::columns::{corrupt, phone};
use crate::store::db::types::{DbId, EpochMicros};
use crate::store::db::{record, sql};

macro_rules! select_message {
    ($tail:literal) => {
        concat!(
            "SELECT id, call_id, caller_name, callback, reason, language, urgent, status,
                    created_at, handled_at
             FROM caller_messages WHERE org_id = $1 ",
            $tail
        )
    };
}

record! {
    struct MessageRow {
        id: DbId,
        call_id: Option<String>,
        caller_name: String,
        callback: Option<String>,
        reason: String,
        language: Option<String>,
        urgent: bool,
        status: String,
        created_at: EpochMicros,
        handled_at: Option<DateTime<Utc>>,
    }
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        Ok(Message {
            id: row.id.of(),
            call_id: row.call_id,
            caller_name: row.caller_name,
            callback: phone(row.callback)?,
            reason: row.reason,
            language: row.language,
            urgent: row.urgent,
            status: MessageStatus::parse(&row.status).map_err(corrupt)?,
            created_at: row.created_at.0,
            handled_at: row.handled_at,
        })
    }
}

impl ClinicTx {
    pub async fn message(&mut self, id: MessageId) -> Result<Option<Message>, StoreError> {
        let row: Option<MessageRow> = self
            .tx
            .fetch_optional(
                sql(select_message!("AND id = $2"))
                    .bind(self.org)
                    .bind(id.as_uuid()),
            )
            .await?;
        row.map(Message::try_from).transpose()
    }

    pub async fn messages(
        &mut self,
        filter: MessageFilter<'_>,
    ) -> Result<Vec<Message>, StoreError> {
        let query = match filter {
            MessageFilter::Between {
                from,
                to,
                status,
                limit,
                offset,
            } => sql(select_message!(
                "AND created_at >= $2 AND created_at < $3 AND ($4 IS NULL OR status = $4)
                 ORDER BY created_at DESC, id LIMIT $5 OFFSET $6"
            ))
            .bind(self.org)
            .bind(EpochMicros(from))
            .bind(EpochMicros(to))
            .bind(status.map(MessageStatus::as_str))
            .bind(limit)
            .bind(offset),
            MessageFilter::Call(call_id) => {
                sql(select_message!("AND call_id = $2 ORDER BY created_at, id"))
                    .bind(self.org)
                    .bind(call_id)
            }
        };
        let rows: Vec<MessageRow> = self.tx.fetch_all(query).await?;
        rows.into_iter().map(Message::try_from).collect()
    }

    pub async fn insert_message(&mut self, m: &Message) -> Result<(), StoreError> {
        self.tx
            .execute(
                sql(
                    "INSERT INTO caller_messages (id, org_id, call_id, caller_name, callback,
                         reason, language, urgent, status, created_at, handled_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(m.id.as_uuid())
                .bind(self.org)
                .bind(&m.call_id)
                .bind(m.caller_name.as_str())
                .bind(m.callback.as_ref().map(PhoneNumber::as_str))
                .bind(m.reason.as_str())
                .bind(&m.language)
                .bind(m.urgent)
                .bind(m.status.as_str())
                .bind(EpochMicros(m.created_at))
                .bind(m.handled_at),
            )
            .await?;
        Ok(())
    }

    /// Saves status and handled time of an existing message.
    pub async fn update_message(&mut self, m: &Message) -> Result<(), StoreError> {
        let updated = self
            .tx
            .execute(
                sql("UPDATE caller_messages SET status = $1, handled_at = $2
                     WHERE org_id = $3 AND id = $4")
                .bind(m.status.as_str())
                .bind(m.handled_at)
                .bind(self.org)
                .bind(m.id.as_uuid()),
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Corrupt(format!("message {} vanished", m.id)));
        }
        Ok(())
    }
}
