//! The call log as the voice application writes it: each connection, Retell's call details,
//! and how the connection ended. Writes run in short background tasks, never on the socket's
//! read path, and not one task per call for its whole life: an idle call should cost little.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::watch;

use crate::calls::{CallLog, CallMetadata};
use crate::retell::frames::CallDetails;
use crate::retell::handler::SocketEnd;
use crate::tenancy::OrgId;

/// Where a connection's record stands; details and the close wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Pending,
    /// Stored: its number among the call's connections.
    Stored(i64),
    /// Not stored (another clinic's call id, a database error): nothing to add to.
    Failed,
}

/// A connection's record, as it is being written.
pub type Recorded = watch::Receiver<Connection>;

#[derive(Clone)]
pub struct CallRecorder {
    log: CallLog,
}

impl CallRecorder {
    pub fn new(log: CallLog) -> Self {
        Self { log }
    }

    /// Records a connection of the call; the receiver says once it is stored.
    pub fn connected(&self, org_id: OrgId, call_id: &Arc<str>) -> Recorded {
        let log = self.log.clone();
        let call_id = Arc::clone(call_id);
        let (done, recorded) = watch::channel(Connection::Pending);
        tokio::spawn(async move {
            let stored = match log.connected(org_id, &call_id).await {
                Ok(number) => Connection::Stored(number),
                Err(err) => {
                    tracing::warn!(%call_id, error = %err, "could not record the call");
                    Connection::Failed
                }
            };
            let _ = done.send(stored);
        });
        recorded
    }

    /// Records the call's details once `after` (the connection's record) is stored.
    pub fn details(
        &self,
        org_id: OrgId,
        call_id: &Arc<str>,
        details: &CallDetails,
        after: Option<Recorded>,
    ) {
        let log = self.log.clone();
        let call_id = Arc::clone(call_id);
        let meta = CallMetadata {
            agent_id: details.agent_id.clone(),
            call_type: details.call_type.clone(),
            direction: details.direction.clone(),
            from_number: details.from_number.clone(),
            to_number: details.to_number.clone(),
            start_ms: details.start_timestamp,
        };
        tokio::spawn(async move {
            // A closed channel means the connect task ended: go ahead either way.
            if let Some(mut recorded) = after {
                let _ = recorded.wait_for(|c| *c != Connection::Pending).await;
            }
            if let Err(err) = log.details(org_id, &call_id, &meta).await {
                tracing::warn!(%call_id, error = %err, "could not record call details");
            }
        });
    }

    /// Records that this connection closed, and how, once its record is stored.
    pub fn closed(&self, org_id: OrgId, call_id: &Arc<str>, how: SocketEnd, recorded: Recorded) {
        let log = self.log.clone();
        let call_id = Arc::clone(call_id);
        let at = Utc::now();
        let mut recorded = recorded;
        tokio::spawn(async move {
            let stored = recorded
                .wait_for(|c| *c != Connection::Pending)
                .await
                .map(|c| *c);
            let Ok(Connection::Stored(number)) = stored else {
                return;
            };
            if let Err(err) = log
                .socket_closed(org_id, &call_id, number, how.as_str(), at)
                .await
            {
                tracing::warn!(%call_id, error = %err, "could not record the end of the connection");
            }
        });
    }
}
