//! The call log as the voice application writes it: each connection and Retell's call details.
//! Writes run in short background tasks, never on the socket's read path, and not one task
//! per call for its whole life: an idle call should cost little.

use std::sync::Arc;

use tokio::sync::watch;

use crate::calls::{CallLog, CallMetadata};
use crate::retell::frames::CallDetails;
use crate::tenancy::OrgId;

#[derive(Clone)]
pub struct CallRecorder {
    log: CallLog,
}

impl CallRecorder {
    pub fn new(log: CallLog) -> Self {
        Self { log }
    }

    /// Records a connection of the call; the receiver turns true once it is stored.
    pub fn connected(&self, org_id: OrgId, call_id: &Arc<str>) -> watch::Receiver<bool> {
        let log = self.log.clone();
        let call_id = Arc::clone(call_id);
        let (done, recorded) = watch::channel(false);
        tokio::spawn(async move {
            if let Err(err) = log.connected(org_id, &call_id).await {
                tracing::warn!(%call_id, error = %err, "could not record the call");
            }
            let _ = done.send(true);
        });
        recorded
    }

    /// Records the call's details once `after` (the connection's record) is stored.
    pub fn details(
        &self,
        org_id: OrgId,
        call_id: &Arc<str>,
        details: &CallDetails,
        after: Option<watch::Receiver<bool>>,
    ) {
        let log = self.log.clone();
        let call_id = Arc::clone(call_id);
        let meta = CallMetadata {
            agent_id: details.agent_id.clone(),
            call_type: details.call_type.clone(),
            direction: details.direction.clone(),
            from_number: details.from_number.clone(),
            to_number: details.to_number.clone(),
        };
        tokio::spawn(async move {
            // A closed channel means the connect task ended: go ahead either way.
            if let Some(mut recorded) = after {
                let _ = recorded.wait_for(|done| *done).await;
            }
            if let Err(err) = log.details(org_id, &call_id, &meta).await {
                tracing::warn!(%call_id, error = %err, "could not record call details");
            }
        });
    }
}
