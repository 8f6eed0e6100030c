//! The call-log service: who a call belongs to, and what is kept about it.

use chrono::{DateTime, Utc};

use super::model::{
    CallDetail, CallEvent, CallMetadata, CallRecord, CallSummary, LabBooking, LabCall,
    ToolCallRecord,
};
use crate::store::{Store, StoreError};
use crate::tenancy::OrgId;

#[derive(Clone)]
pub struct CallLog {
    store: Store,
}

/// Whose key signed a webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The server's own Retell key: the event may be about any clinic's call.
    Server,
    /// A clinic's own Retell key (`None`: a clinic the server does not know): the event is
    /// only ever filed under that clinic.
    Clinic(Option<OrgId>),
}

/// Where a webhook event went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    Under(OrgId),
    /// No clinic could be found; `kept` says whether it was stored for the operator.
    Unattributed {
        kept: bool,
    },
}

impl CallLog {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// A connection of the call to the clinic's WebSocket. A call id belongs to the clinic
    /// that first served it: another clinic's connection with it is refused.
    /// Returns the connection's number among the call's connections.
    pub async fn connected(&self, org: OrgId, call_id: &str) -> Result<i64, StoreError> {
        self.store.record_call_connected(org, call_id).await
    }

    /// Connection number `connection` of the call closed at `at`; `ended_by` says who ended
    /// it (see `CallSummary::ended_by`). The call reads `ended` until Retell reconnects it.
    pub async fn socket_closed(
        &self,
        org: OrgId,
        call_id: &str,
        connection: i64,
        ended_by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store
            .record_socket_closed(org, call_id, connection, ended_by, at.timestamp_millis())
            .await
    }

    pub async fn details(
        &self,
        org: OrgId,
        call_id: &str,
        details: &CallMetadata,
    ) -> Result<(), StoreError> {
        self.store.record_call_details(org, call_id, details).await
    }

    pub async fn tool_call(
        &self,
        org: OrgId,
        call_id: &str,
        call: &ToolCallRecord,
    ) -> Result<(), StoreError> {
        self.store.record_tool_call(org, call_id, call).await
    }

    /// Files a webhook event under the clinic that served the call's WebSocket, else the one
    /// its agent id maps to; an event signed with a clinic's own key only ever under that
    /// clinic. What no clinic claims is kept for the operator when `keep` holds the payload.
    pub async fn file(
        &self,
        event: &CallEvent,
        signer: Signer,
        keep: Option<&str>,
    ) -> Result<Filed, StoreError> {
        let mut org = self.store.org_for_call(&event.call_id).await?;
        if org.is_none()
            && let Some(agent) = &event.agent_id
        {
            org = self.store.org_for_agent(agent).await?;
        }
        let org = match signer {
            Signer::Server => org,
            Signer::Clinic(signer) => match (org, signer) {
                (Some(found), Some(signer)) if found == signer => Some(found),
                (None, Some(signer)) => Some(signer),
                (Some(found), Some(signer)) => {
                    tracing::warn!(call_id = %event.call_id, signer_org = %signer, call_org = %found, "[Retell webhook] an event signed with one clinic's own key for another clinic's call: kept apart");
                    None
                }
                _ => None,
            },
        };
        if let Some(id) = org {
            match self.store.apply_call_event(id, event).await {
                Ok(()) => return Ok(Filed::Under(id)),
                // Filed meanwhile by another clinic (its WebSocket won the race): not this one's.
                Err(StoreError::CallOfAnotherClinic(_)) => {}
                Err(err) => return Err(err),
            }
        }
        if let Some(payload) = keep {
            self.store.store_unattributed(event, payload).await?;
        }
        Ok(Filed::Unattributed {
            kept: keep.is_some(),
        })
    }

    pub async fn list(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CallSummary>, StoreError> {
        self.store
            .list_call_records(org, from_ms, to_ms, limit, offset)
            .await
    }

    pub async fn facts(
        &self,
        org: OrgId,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<super::CallFacts>, StoreError> {
        self.store.call_facts(org, from_ms, to_ms).await
    }

    pub async fn detail(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallDetail>, StoreError> {
        self.store.call_detail(org, call_id).await
    }

    /// Deletes the transcripts of the clinic's calls that started before `before`; returns
    /// how many.
    pub async fn purge_transcripts(
        &self,
        org: OrgId,
        before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.store
            .purge_transcripts(org, before.timestamp_millis())
            .await
    }

    /// Registers `call_id` (made by the console, unguessable) as a test lab call of the
    /// clinic, started by `user`: only this marks a call as a test, so no caller can.
    pub async fn register_lab_call(
        &self,
        org: OrgId,
        call_id: &str,
        user: uuid::Uuid,
    ) -> Result<(), StoreError> {
        self.store
            .record_lab_call(org, call_id, user, Utc::now())
            .await
    }

    pub async fn lab_call(&self, org: OrgId, call_id: &str) -> Result<Option<LabCall>, StoreError> {
        self.store.lab_call(org, call_id).await
    }

    pub async fn lab_call_bookings(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Vec<LabBooking>, StoreError> {
        self.store.lab_call_bookings(org, call_id).await
    }

    pub async fn recent_lab_bookings(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LabBooking>, StoreError> {
        self.store.recent_lab_bookings(org, since, limit).await
    }

    /// Files the end of a lab call (no webhook comes for one) under the clinic.
    pub async fn file_lab_end(&self, org: OrgId, event: &CallEvent) -> Result<(), StoreError> {
        self.store.apply_call_event(org, event).await
    }

    /// The call's connections to our WebSocket, with what its call details said.
    pub async fn connection(
        &self,
        org: OrgId,
        call_id: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        self.store.call_record(org, call_id).await
    }
}
