//! Per-call state, keyed by (org, call id) so a reconnect of the same call finds its history,
//! and evicted a while after the last connection closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::frames::{CallDetails, Utterance};
use crate::tenancy::OrgId;

#[derive(Debug, Default)]
pub struct CallData {
    pub details: Option<Arc<CallDetails>>,
    pub transcript: Arc<Vec<Utterance>>,
    pub reminders_in_a_row: u32,
    pub connections: u32,
    live: u32,
    last_disconnect: Option<Instant>,
}

pub struct CallState {
    pub org_id: OrgId,
    pub call_id: Arc<str>,
    /// The agent's own memory of the call (its dialogue state).
    pub memory: crate::agent::AgentMemory,
    pub clinic: crate::agent::ClinicCache,
    data: Mutex<CallData>,
}

impl std::fmt::Debug for CallState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallState")
            .field("org_id", &self.org_id)
            .field("call_id", &self.call_id)
            .finish_non_exhaustive()
    }
}

impl CallState {
    pub fn lock(&self) -> MutexGuard<'_, CallData> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A call id is only unique within its clinic as far as this server trusts it.
type CallKey = (OrgId, Arc<str>);

#[derive(Debug, Default)]
pub struct CallRegistry {
    calls: Mutex<HashMap<CallKey, Arc<CallState>>>,
}

impl CallRegistry {
    /// Finds or creates the call's state and counts the new connection.
    /// Returns the state and whether this call had connected before (a reconnect).
    pub fn attach(&self, org_id: OrgId, call_id: &str) -> (Arc<CallState>, bool) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let key = (org_id, Arc::<str>::from(call_id));
        let state = calls
            .entry(key.clone())
            .or_insert_with(|| {
                Arc::new(CallState {
                    org_id,
                    call_id: key.1,
                    memory: Default::default(),
                    clinic: Default::default(),
                    data: Mutex::new(CallData::default()),
                })
            })
            .clone();
        let reconnect = {
            let mut data = state.lock();
            data.connections += 1;
            data.live += 1;
            data.connections > 1
        };
        (state, reconnect)
    }

    pub fn detach(&self, state: &CallState) {
        let mut data = state.lock();
        data.live = data.live.saturating_sub(1);
        data.last_disconnect = Some(Instant::now());
    }

    pub fn get(&self, org_id: OrgId, call_id: &str) -> Option<Arc<CallState>> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.get(&(org_id, Arc::<str>::from(call_id))).cloned()
    }

    pub fn len(&self) -> usize {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops calls with no live connection whose last one closed more than `idle` ago.
    pub fn evict_idle(&self, idle: Duration) -> usize {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let before = calls.len();
        calls.retain(|_, state| {
            let data = state.lock();
            data.live > 0 || data.last_disconnect.is_none_or(|at| at.elapsed() < idle)
        });
        before - calls.len()
    }

    pub fn spawn_evictor(self: &Arc<Self>, idle: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(
                idle.min(Duration::from_secs(60))
                    .max(Duration::from_secs(1)),
            );
            loop {
                ticker.tick().await;
                let Some(registry) = weak.upgrade() else {
                    return;
                };
                let evicted = registry.evict_idle(idle);
                if evicted > 0 {
                    tracing::debug!(evicted, "evicted idle call state");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_finds_the_same_state_and_other_orgs_do_not() {
        let registry = CallRegistry::default();
        let org = OrgId::new_random();
        let (first, reconnect) = registry.attach(org, "abc");
        assert!(!reconnect);
        first.lock().reminders_in_a_row = 2;
        registry.detach(&first);
        let (second, reconnect) = registry.attach(org, "abc");
        assert!(reconnect);
        assert_eq!(second.lock().reminders_in_a_row, 2);
        let (other, reconnect) = registry.attach(OrgId::new_random(), "abc");
        assert!(!reconnect);
        assert_eq!(other.lock().reminders_in_a_row, 0);
    }

    #[test]
    fn evicts_only_idle_disconnected_calls() {
        let registry = CallRegistry::default();
        let org = OrgId::new_random();
        let (gone, _) = registry.attach(org, "gone");
        let (_live, _) = registry.attach(org, "live");
        registry.detach(&gone);
        assert_eq!(registry.evict_idle(Duration::from_secs(60)), 0);
        assert_eq!(registry.evict_idle(Duration::ZERO), 1);
        assert!(registry.get(org, "live").is_some());
        assert!(registry.get(org, "gone").is_none());
    }
}
