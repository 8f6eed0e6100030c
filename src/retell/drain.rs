//! Graceful shutdown for calls. On SIGTERM the listener stops taking new calls; calls in
//! progress go on until they end or the drain time is over. Then their connections are
//! dropped without a close frame: Retell sees an abnormal closure and reconnects (to another
//! instance), where a close with 1000 would have hung up on the caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

pub struct Drain {
    active: AtomicUsize,
    /// Set at shutdown: `/readyz` then answers 503, so load balancers stop sending calls.
    draining: AtomicBool,
    idle: Notify,
    cut: watch::Sender<bool>,
}

/// Held by a live call; dropping it counts the call out.
pub struct CallGuard {
    drain: Arc<Drain>,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if self.drain.active.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.drain.idle.notify_waiters();
        }
    }
}

impl Drain {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            active: AtomicUsize::new(0),
            draining: AtomicBool::new(false),
            idle: Notify::new(),
            cut: watch::channel(false).0,
        })
    }

    /// Counts a call in; the receiver turns true when its connection must be dropped.
    pub fn enter(self: &Arc<Self>) -> (CallGuard, watch::Receiver<bool>) {
        self.active.fetch_add(1, Ordering::AcqRel);
        (
            CallGuard {
                drain: Arc::clone(self),
            },
            self.cut.subscribe(),
        )
    }

    /// The server is shutting down: no new calls.
    pub fn begin(&self) {
        self.draining.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    pub fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// Waits until no call is live, at most `limit`; true if they all ended.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if self.active() == 0 {
                    return;
                }
                idle.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    /// Tells every live call to drop its connection.
    pub fn cut(&self) {
        let _ = self.cut.send(true);
    }
}
