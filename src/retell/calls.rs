//! Per-call state, keyed by line and call id so a reconnect of the same call finds its
//! history, and evicted a while after the last connection closed. The protocol's own part
//! (details, transcript, silence count, connections) sits next to the handler's typed part.
//!
//! Knowing a call id must not be enough to take a call over: a connection resumes a call only
//! while it has not ended and is live or dropped within the reconnect window; otherwise it
//! starts afresh, with nothing of the earlier connection's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::frames::{CallDetails, Utterance};
use super::handler::{CallKey, SocketEnd};

#[derive(Debug, Default)]
pub struct CallData {
    pub details: Option<Arc<CallDetails>>,
    pub transcript: Arc<Vec<Utterance>>,
    pub reminders_in_a_row: u32,
    pub connections: u32,
    live: u32,
    last_disconnect: Option<Instant>,
    /// The call ended (hung up, ended or transferred by us): it is never resumed.
    ended: bool,
    /// Our agent ended or transferred the call: how its connection's end is recorded.
    ended_by_us: Option<SocketEnd>,
    /// When the call first connected (for the console's calls in progress).
    started: Option<chrono::DateTime<chrono::Utc>>,
}

impl CallData {
    /// Marks the call over: a later connection with its id starts a new call.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Our agent ended (`transfer`: transferred) the call; it is never resumed.
    pub fn end_by_us(&mut self, transfer: bool) {
        self.ended = true;
        self.ended_by_us = Some(if transfer {
            SocketEnd::Transfer
        } else {
            SocketEnd::Agent
        });
    }

    /// Whether our agent ended the call, and how.
    pub fn ended_by_us(&self) -> Option<SocketEnd> {
        self.ended_by_us
    }

    fn resumable(&self, window: Duration) -> bool {
        !self.ended
            && (self.live > 0 || self.last_disconnect.is_none_or(|at| at.elapsed() <= window))
    }
}

pub struct CallState<C> {
    pub key: CallKey,
    /// What the handler keeps for this call.
    pub app: C,
    data: Mutex<CallData>,
}

impl<C> std::fmt::Debug for CallState<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallState")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<C> CallState<C> {
    pub fn call_id(&self) -> &Arc<str> {
        &self.key.call_id
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, CallData> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How long after its connection drops a call may be resumed, unless configured.
pub const RECONNECT_WINDOW: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct CallRegistry<C> {
    calls: Mutex<HashMap<CallKey, Arc<CallState<C>>>>,
    reconnect_window: Duration,
}

impl<C> Default for CallRegistry<C> {
    fn default() -> Self {
        Self::new(RECONNECT_WINDOW)
    }
}

impl<C> CallRegistry<C> {
    pub fn new(reconnect_window: Duration) -> Self {
        Self {
            calls: Mutex::default(),
            reconnect_window,
        }
    }
}

impl<C: Send + Sync + 'static> CallRegistry<C> {
    /// Finds the call's state if it may be resumed, else creates it afresh (with `open`), and
    /// counts the new connection. Returns the state and whether this connection resumes it.
    pub fn attach(&self, key: CallKey, open: impl FnOnce() -> C) -> (Arc<CallState<C>>, bool) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.reconnect_window;
        let state = match calls.get(&key) {
            Some(state) if state.lock().resumable(window) => Arc::clone(state),
            stale => {
                if stale.is_some() {
                    tracing::warn!(call_id = %key.call_id, "[Retell WS] a connection for a call that ended or dropped too long ago: starting afresh, nothing resumed");
                }
                let fresh = Arc::new(CallState {
                    key: key.clone(),
                    app: open(),
                    data: Mutex::new(CallData {
                        started: Some(chrono::Utc::now()),
                        ..CallData::default()
                    }),
                });
                calls.insert(key, Arc::clone(&fresh));
                fresh
            }
        };
        let reconnect = {
            let mut data = state.lock();
            data.connections += 1;
            data.live += 1;
            data.connections > 1
        };
        (state, reconnect)
    }

    pub fn detach(&self, state: &CallState<C>) {
        let mut data = state.lock();
        data.live = data.live.saturating_sub(1);
        data.last_disconnect = Some(Instant::now());
    }

    /// The call ended (Retell said so): a later connection with its id is not a reconnect.
    pub fn end(&self, key: &CallKey) {
        if let Some(state) = self.get(key) {
            state.lock().end();
        }
    }

    pub fn get(&self, key: &CallKey) -> Option<Arc<CallState<C>>> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.get(key).cloned()
    }

    /// The line's calls with a connection up now, oldest first: (call id, first connected).
    pub fn live(&self, line: uuid::Uuid) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let mut live: Vec<_> = calls
            .values()
            .filter(|state| state.key.line == line)
            .filter_map(|state| {
                let data = state.lock();
                (data.live > 0 && !data.ended).then(|| {
                    (
                        state.key.call_id.to_string(),
                        data.started.unwrap_or_default(),
                    )
                })
            })
            .collect();
        live.sort_by_key(|(_, started)| *started);
        live
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

    /// Evicts calls once their reconnect window has passed.
    pub fn spawn_evictor(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let idle = self.reconnect_window;
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
    use uuid::Uuid;

    use super::*;

    #[test]
    fn reconnect_finds_the_same_state_and_other_lines_do_not() {
        let registry = CallRegistry::<u32>::default();
        let line = Uuid::new_v4();
        let (first, reconnect) = registry.attach(CallKey::new(line, "abc"), || 7);
        assert!(!reconnect);
        first.lock().reminders_in_a_row = 2;
        registry.detach(&first);
        let (second, reconnect) = registry.attach(CallKey::new(line, "abc"), || 8);
        assert!(reconnect);
        assert_eq!(second.lock().reminders_in_a_row, 2);
        assert_eq!(
            second.app, 7,
            "the handler's state is kept, not opened again"
        );
        let (other, reconnect) = registry.attach(CallKey::new(Uuid::new_v4(), "abc"), || 9);
        assert!(!reconnect);
        assert_eq!(other.lock().reminders_in_a_row, 0);
        assert_eq!(other.app, 9);
    }

    #[test]
    fn an_ended_call_or_one_dropped_past_the_window_is_not_resumed() {
        let registry = CallRegistry::<u32>::new(Duration::from_millis(50));
        let line = Uuid::new_v4();
        let (ended, _) = registry.attach(CallKey::new(line, "ended"), || 1);
        ended.lock().reminders_in_a_row = 3;
        ended.lock().end();
        // Even while its connection is still up.
        let (again, reconnect) = registry.attach(CallKey::new(line, "ended"), || 2);
        assert!(!reconnect);
        assert_eq!((again.app, again.lock().reminders_in_a_row), (2, 0));

        let (dropped, _) = registry.attach(CallKey::new(line, "dropped"), || 1);
        registry.detach(&dropped);
        let (quick, reconnect) = registry.attach(CallKey::new(line, "dropped"), || 2);
        assert!(reconnect, "within the window");
        assert_eq!(quick.app, 1);
        registry.detach(&quick);
        std::thread::sleep(Duration::from_millis(80));
        let (late, reconnect) = registry.attach(CallKey::new(line, "dropped"), || 3);
        assert!(!reconnect, "past the window");
        assert_eq!(late.app, 3);
    }

    #[test]
    fn evicts_only_idle_disconnected_calls() {
        let registry = CallRegistry::<()>::default();
        let line = Uuid::new_v4();
        let (gone, _) = registry.attach(CallKey::new(line, "gone"), || ());
        let (_live, _) = registry.attach(CallKey::new(line, "live"), || ());
        registry.detach(&gone);
        assert_eq!(registry.evict_idle(Duration::from_secs(60)), 0);
        assert_eq!(registry.evict_idle(Duration::ZERO), 1);
        assert!(registry.get(&CallKey::new(line, "live")).is_some());
        assert!(registry.get(&CallKey::new(line, "gone")).is_none());
    }
}
