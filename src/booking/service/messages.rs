//! Messages the receptionist took for the front desk.

use chrono::{DateTime, Utc};

use super::{MessagePage, MessageQuery, Scheduler, ServiceError};
use crate::booking::MessageFilter;
use crate::booking::{Message, MessageId, MessageStatus, NewMessage};
use crate::store::{TxMode, stamp};
use crate::tenancy::Organization;

impl Scheduler {
    /// Files a message for the front desk. Only ids reach the log: never the caller's words.
    pub async fn take_message(
        &self,
        org: &Organization,
        new: NewMessage,
        now: DateTime<Utc>,
    ) -> Result<Message, ServiceError> {
        let message = new.into_message(stamp(now));
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        tx.insert_message(&message).await?;
        tx.commit().await?;
        tracing::info!(
            org_id = %org.id,
            message_id = %message.id,
            call_id = message.call_id.as_deref().unwrap_or(""),
            urgent = message.urgent,
            "took a message for the front desk"
        );
        Ok(message)
    }

    /// A page of the clinic's messages, newest first.
    pub async fn messages(
        &self,
        org: &Organization,
        query: &MessageQuery,
    ) -> Result<MessagePage, ServiceError> {
        let (from, to) = crate::booking::days_in_ms(query.from, query.to, org.time_zone.tz())
            .map_err(|date| ServiceError::Invalid(format!("date {date} is out of range")))?;
        if to <= from {
            return Err(ServiceError::Invalid(
                "'to' must be on or after 'from'".into(),
            ));
        }
        let limit = query.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ServiceError::Invalid("limit is 1 to 200".into()));
        }
        let offset = query.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ServiceError::Invalid("offset cannot be negative".into()));
        }
        // An open end is as late as an instant goes.
        let instant = |ms| DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut tx = self.read(org).await?;
        // One more than the page: whether there is a next one.
        let mut items = tx
            .messages(MessageFilter::Between {
                from: instant(from),
                to: instant(to),
                status: query.status,
                limit: limit + 1,
                offset,
            })
            .await?;
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        Ok(MessagePage {
            items,
            next_offset: more.then(|| offset.saturating_add(limit)),
        })
    }

    /// The messages taken during one call, oldest first.
    pub async fn call_messages(
        &self,
        org: &Organization,
        call_id: &str,
    ) -> Result<Vec<Message>, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(tx.messages(MessageFilter::Call(call_id)).await?)
    }

    /// Marks a message handled; marking it again changes nothing.
    pub async fn mark_message_handled(
        &self,
        org: &Organization,
        id: MessageId,
        now: DateTime<Utc>,
    ) -> Result<Message, ServiceError> {
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        let mut message = tx
            .message(id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        if message.status == MessageStatus::Handled {
            return Ok(message);
        }
        message.status = MessageStatus::Handled;
        message.handled_at = Some(stamp(now));
        tx.update_message(&message).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org.id, message_id = %message.id, "message handled");
        Ok(message)
    }
}
