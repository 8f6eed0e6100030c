//! Calls for the front desk to follow up (see `booking::follow_up`), and marking them done.

use chrono::{DateTime, Utc};

use super::{Scheduler, ServiceError};
use crate::booking::CallFollowUp;
use crate::store::{TxMode, stamp};
use crate::tenancy::Organization;

impl Scheduler {
    /// Calls started since `since` that want a person and are not marked done, newest first.
    pub async fn calls_to_follow_up(
        &self,
        org: &Organization,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CallFollowUp>, ServiceError> {
        let mut tx = self.read(org).await?;
        Ok(tx
            .calls_to_follow_up(since.timestamp_millis(), limit)
            .await?)
    }

    /// Marks one of the clinic's calls followed up (`by`: the staff member's id); again
    /// changes nothing. Another clinic's call, or none, is not found.
    pub async fn mark_call_followed_up(
        &self,
        org: &Organization,
        call_id: &str,
        by: Option<uuid::Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let mut tx = self.store.clinic(org.id, TxMode::Write).await?;
        if !tx.has_call(call_id).await? {
            return Err(ServiceError::NotFound("call"));
        }
        tx.mark_call_followed_up(call_id, by, stamp(now)).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org.id, %call_id, "call followed up");
        Ok(())
    }
}
