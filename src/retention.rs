//! Deletes call transcripts older than each clinic's retention setting, periodically.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::booking::Scheduler;
use crate::calls::CallLog;
use crate::clinics::OrgRegistry;

/// One pass over every clinic; returns how many transcripts were deleted.
pub async fn purge_once(scheduler: &Scheduler, call_log: &CallLog, registry: &OrgRegistry) -> u64 {
    let mut purged = 0;
    for org in registry.snapshot().orgs() {
        let Ok(settings) = scheduler.settings(org).await else {
            continue;
        };
        let Some(days) = settings.transcript_retention_days else {
            continue;
        };
        let before = Utc::now() - chrono::Duration::days(i64::from(days));
        match call_log.purge_transcripts(org.id, before).await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(org_id = %org.id, transcripts = n, days, "deleted transcripts past retention");
                }
                purged += n;
            }
            Err(err) => {
                tracing::warn!(org_id = %org.id, error = %err, "could not apply transcript retention")
            }
        }
    }
    purged
}

pub fn spawn(
    scheduler: Scheduler,
    call_log: CallLog,
    registry: Arc<OrgRegistry>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            purge_once(&scheduler, &call_log, &registry).await;
        }
    })
}
