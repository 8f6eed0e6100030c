//! Prometheus metrics: every name and label the server exports is defined here, each behind a
//! small typed function, so a call site is one line and no label can carry patient data.
//! Clinic labels are slugs; tool results are `ok`, `refused` or `error`; webhook event types
//! are Retell's known names or `other`. Recording is an atomic update on a registered handle
//! (a no-op until [`install`] has run), so nothing here slows the read path.
//!
//! The recorder is process-wide and installed once; every server in the process (the
//! integration tests start many) renders the same [`PrometheusHandle`].

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const CALLS_ACTIVE: &str = "ascendia_calls_active";
pub const CALLS_STARTED: &str = "ascendia_calls_started_total";
pub const CALLS_RECONNECTED: &str = "ascendia_calls_reconnected_total";
pub const CALLS_ENDED: &str = "ascendia_calls_ended_total";
pub const RESPONSE_FIRST_CHUNK: &str = "ascendia_response_first_chunk_seconds";
pub const RESPONSE_COMPLETE: &str = "ascendia_response_complete_seconds";
pub const LLM_FIRST_TOKEN: &str = "ascendia_llm_first_token_seconds";
pub const LLM_FALLBACKS: &str = "ascendia_llm_fallbacks_total";
pub const TOOL_CALLS: &str = "ascendia_tool_calls_total";
pub const BOOKINGS: &str = "ascendia_bookings_total";
pub const RESCHEDULES: &str = "ascendia_reschedules_total";
pub const CANCELLATIONS: &str = "ascendia_cancellations_total";
pub const WEBHOOK_EVENTS: &str = "ascendia_webhook_events_total";
pub const WEBHOOK_ACK: &str = "ascendia_webhook_ack_seconds";
pub const UNKNOWN_SLUG_CONNECTS: &str = "ascendia_unknown_slug_connects_total";
pub const DB_POOL_CONNECTIONS: &str = "ascendia_db_pool_connections";
pub const DB_POOL_MAX: &str = "ascendia_db_pool_max_connections";
pub const DB_ACQUIRE: &str = "ascendia_db_acquire_seconds";
pub const REGISTRY_RELOADS: &str = "ascendia_registry_reloads_total";
pub const DRAINING: &str = "ascendia_draining";
pub const DRAIN_ACTIVE_CALLS: &str = "ascendia_drain_active_calls";

/// Every metric name above, for the README and the dashboard's check.
pub const NAMES: &[&str] = &[
    CALLS_ACTIVE,
    CALLS_STARTED,
    CALLS_RECONNECTED,
    CALLS_ENDED,
    RESPONSE_FIRST_CHUNK,
    RESPONSE_COMPLETE,
    LLM_FIRST_TOKEN,
    LLM_FALLBACKS,
    TOOL_CALLS,
    BOOKINGS,
    RESCHEDULES,
    CANCELLATIONS,
    WEBHOOK_EVENTS,
    WEBHOOK_ACK,
    UNKNOWN_SLUG_CONNECTS,
    DB_POOL_CONNECTIONS,
    DB_POOL_MAX,
    DB_ACQUIRE,
    REGISTRY_RELOADS,
    DRAINING,
    DRAIN_ACTIVE_CALLS,
];

/// Histogram buckets for voice latency, 5 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once) and returns the handle that renders it.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .expect("the latency buckets are not empty")
                .install_recorder()
                .expect("the metrics recorder is installed only here");
            describe();
            handle
        })
        .clone()
}

fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(CALLS_ACTIVE, "Calls connected now, by clinic slug");
    describe_counter!(CALLS_STARTED, "Calls started (not reconnects), by clinic");
    describe_counter!(
        CALLS_RECONNECTED,
        "Connections that resumed a call, by clinic"
    );
    describe_counter!(
        CALLS_ENDED,
        "Call connections closed, by clinic and outcome (agent_ended, transferred, disconnected)"
    );
    describe_histogram!(
        RESPONSE_FIRST_CHUNK,
        "From a response request to its first spoken chunk, by agent"
    );
    describe_histogram!(
        RESPONSE_COMPLETE,
        "From a response request to content_complete, by agent"
    );
    describe_histogram!(LLM_FIRST_TOKEN, "LLM first-token latency, by model");
    describe_counter!(
        LLM_FALLBACKS,
        "Turns that fell back from a model, by that model"
    );
    describe_counter!(
        TOOL_CALLS,
        "Tool calls, by tool and result (ok, refused, error)"
    );
    describe_counter!(BOOKINGS, "Appointments booked, by clinic and source");
    describe_counter!(RESCHEDULES, "Appointments moved, by clinic and source");
    describe_counter!(
        CANCELLATIONS,
        "Appointments cancelled, by clinic and source"
    );
    describe_counter!(WEBHOOK_EVENTS, "Retell webhook events, by event and result");
    describe_histogram!(
        WEBHOOK_ACK,
        "Time to acknowledge a Retell webhook, by event"
    );
    describe_counter!(
        UNKNOWN_SLUG_CONNECTS,
        "Connections for a clinic slug no clinic has"
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections, by state (in_use, idle)"
    );
    describe_gauge!(DB_POOL_MAX, "Database pool size limit");
    describe_histogram!(
        DB_ACQUIRE,
        "Time to open a clinic transaction (pool wait included)"
    );
    describe_counter!(
        REGISTRY_RELOADS,
        "Clinic registry reloads, by result (ok, error)"
    );
    describe_gauge!(
        DRAINING,
        "1 while the server is shutting down and takes no new calls"
    );
    describe_gauge!(
        DRAIN_ACTIVE_CALLS,
        "Live call connections the drain waits for"
    );
}

fn clinic(slug: &str) -> (&'static str, String) {
    ("clinic", slug.to_owned())
}

/// A call's connection is live for as long as this is held; dropping it counts the call out
/// of [`CALLS_ACTIVE`] and into [`CALLS_ENDED`] with its outcome, on every path.
#[derive(Debug)]
pub struct ActiveCall {
    slug: String,
    outcome: std::sync::atomic::AtomicU8,
}

const DISCONNECTED: u8 = 0;
const AGENT_ENDED: u8 = 1;
const TRANSFERRED: u8 = 2;

impl ActiveCall {
    /// A connection opened for `slug`; `reconnect` if it resumed a call.
    pub fn open(slug: &str, reconnect: bool) -> Self {
        let label = [clinic(slug)];
        if reconnect {
            ::metrics::counter!(CALLS_RECONNECTED, &label).increment(1);
        } else {
            ::metrics::counter!(CALLS_STARTED, &label).increment(1);
        }
        ::metrics::gauge!(CALLS_ACTIVE, &label).increment(1.0);
        Self {
            slug: slug.to_owned(),
            outcome: std::sync::atomic::AtomicU8::new(DISCONNECTED),
        }
    }

    /// The agent ended the call (`transfer` false) or transferred it.
    pub fn ended_by_agent(&self, transfer: bool) {
        let outcome = if transfer { TRANSFERRED } else { AGENT_ENDED };
        self.outcome
            .store(outcome, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for ActiveCall {
    fn drop(&mut self) {
        let outcome = match self.outcome.load(std::sync::atomic::Ordering::Relaxed) {
            AGENT_ENDED => "agent_ended",
            TRANSFERRED => "transferred",
            _ => "disconnected",
        };
        let slug = std::mem::take(&mut self.slug);
        ::metrics::gauge!(CALLS_ACTIVE, "clinic" => slug.clone()).decrement(1.0);
        ::metrics::counter!(CALLS_ENDED, "clinic" => slug, "outcome" => outcome).increment(1);
    }
}

/// One response's latency: to its first chunk (if it spoke) and to `content_complete`.
pub fn response_first_chunk(agent: &'static str, elapsed: Duration) {
    ::metrics::histogram!(RESPONSE_FIRST_CHUNK, "agent" => agent).record(elapsed.as_secs_f64());
}

pub fn response_complete(agent: &'static str, elapsed: Duration) {
    ::metrics::histogram!(RESPONSE_COMPLETE, "agent" => agent).record(elapsed.as_secs_f64());
}

pub fn llm_first_token(model: &str, elapsed: Duration) {
    ::metrics::histogram!(LLM_FIRST_TOKEN, "model" => model.to_owned())
        .record(elapsed.as_secs_f64());
}

/// A turn gave up on `model` (no first token in time, or it failed) for the fallback.
pub fn llm_fallback(model: &str) {
    ::metrics::counter!(LLM_FALLBACKS, "model" => model.to_owned()).increment(1);
}

/// How a tool call came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolOutcome {
    Ok,
    /// Said to the caller as the answer (not available, not confirmed, ...), not a failure.
    Refused,
    Error,
}

impl ToolOutcome {
    fn label(self) -> &'static str {
        match self {
            ToolOutcome::Ok => "ok",
            ToolOutcome::Refused => "refused",
            ToolOutcome::Error => "error",
        }
    }
}

pub fn tool_call(tool: &'static str, outcome: ToolOutcome) {
    ::metrics::counter!(TOOL_CALLS, "tool" => tool, "result" => outcome.label()).increment(1);
}

/// Where a change to the schedule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Voice,
    Api,
    Console,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Voice => "voice",
            Source::Api => "api",
            Source::Console => "console",
        }
    }
}

pub fn booked(slug: &str, source: Source) {
    ::metrics::counter!(BOOKINGS, "clinic" => slug.to_owned(), "source" => source.label())
        .increment(1);
}

pub fn rescheduled(slug: &str, source: Source) {
    ::metrics::counter!(RESCHEDULES, "clinic" => slug.to_owned(), "source" => source.label())
        .increment(1);
}

pub fn cancelled(slug: &str, source: Source) {
    ::metrics::counter!(CANCELLATIONS, "clinic" => slug.to_owned(), "source" => source.label())
        .increment(1);
}

/// A webhook request answered: its event (Retell's names we file, `other` or `unknown`: never
/// the sender's text), how it came out (`filed`, `ignored`, `unattributed`, `unauthorized`,
/// `invalid`, `error`) and how long the acknowledgement took.
pub fn webhook(event: &'static str, result: &'static str, elapsed: Duration) {
    ::metrics::counter!(WEBHOOK_EVENTS, "event" => event, "result" => result).increment(1);
    ::metrics::histogram!(WEBHOOK_ACK, "event" => event).record(elapsed.as_secs_f64());
}

/// A connection named a slug no clinic has (the slug itself is not a label: anyone may send one).
pub fn unknown_slug_connect() {
    ::metrics::counter!(UNKNOWN_SLUG_CONNECTS).increment(1);
}

pub fn registry_reload(ok: bool) {
    let result = if ok { "ok" } else { "error" };
    ::metrics::counter!(REGISTRY_RELOADS, "result" => result).increment(1);
}

pub fn db_acquire(elapsed: Duration) {
    ::metrics::histogram!(DB_ACQUIRE).record(elapsed.as_secs_f64());
}

/// Sampled at scrape time: the pool's connections and the drain's state.
pub fn sample(pool_in_use: usize, pool_idle: usize, pool_max: u32, draining: bool, live: usize) {
    ::metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(pool_in_use as f64);
    ::metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(pool_idle as f64);
    ::metrics::gauge!(DB_POOL_MAX).set(f64::from(pool_max));
    ::metrics::gauge!(DRAINING).set(if draining { 1.0 } else { 0.0 });
    ::metrics::gauge!(DRAIN_ACTIVE_CALLS).set(live as f64);
}
