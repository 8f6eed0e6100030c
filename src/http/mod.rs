//! HTTP routes: the Retell WebSocket endpoint, the Booking API and health.

mod admin;
mod api_auth;
mod booking_api;
mod calls_api;
mod error;
mod extract;
mod llm_websocket;
mod messages_api;
mod webhook;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub use error::ApiError;

use crate::booking::Scheduler;
use crate::calls::CallLog;
use crate::clinics::OrgRegistry;
use crate::retell::drain::Drain;
use crate::voice::{VoiceApp, VoiceCalls};

#[derive(Debug, Clone, Copy)]
pub struct WsLimits {
    /// Read and write buffer size: a few KiB keeps idle calls small.
    pub buffer_bytes: usize,
    pub max_message_bytes: usize,
}

#[derive(Clone)]
pub struct AppState {
    pub call_log: CallLog,
    pub scheduler: Scheduler,
    pub registry: Arc<OrgRegistry>,
    /// Every call's state (also held by `voice`), for inspection.
    pub calls: Arc<VoiceCalls>,
    /// The voice application behind the Retell WebSocket.
    pub voice: Arc<VoiceApp>,
    pub ws: WsLimits,
    /// Live calls, for a graceful shutdown.
    pub drain: Arc<Drain>,
    pub webhooks: Arc<WebhookKeys>,
    /// Staff accounts and sessions, for the web console.
    pub staff: crate::staff::StaffAccounts,
    pub console: ConsoleSettings,
    /// The database, for the console's setup and operators' pages.
    pub store: crate::store::Store,
}

#[derive(Debug, Clone, Default)]
pub struct ConsoleSettings {
    /// Mark cookies Secure: the server is reached over https (`public_url`).
    pub secure_cookies: bool,
    /// The server's public base URL, for the URLs a clinic pastes into Retell.
    pub public_url: Option<String>,
}

/// How webhooks are verified and what happens to those no clinic claims.
#[derive(Debug)]
pub struct WebhookKeys {
    pub server_key: Option<crate::config::Secret>,
    /// Clinic slug -> its own Retell account's key.
    pub org_keys: Vec<(String, crate::config::Secret)>,
    pub unattributed: crate::config::UnattributedPolicy,
    /// Memory that bodies not yet verified may hold at once.
    pub unverified: webhook::UnverifiedBudget,
}

impl WebhookKeys {
    /// Whether a webhook for this clinic can be verified: the server's key, or its own.
    pub fn has_key_for(&self, slug: &str) -> bool {
        self.server_key.is_some() || self.has_own_key(slug)
    }

    /// Whether the clinic has its own Retell account's key.
    pub fn has_own_key(&self, slug: &str) -> bool {
        self.org_keys.iter().any(|(s, _)| s == slug)
    }
}

impl Default for WebhookKeys {
    fn default() -> Self {
        Self {
            server_key: None,
            org_keys: Vec::new(),
            unattributed: Default::default(),
            unverified: webhook::UnverifiedBudget::new(UNVERIFIED_WEBHOOK_BYTES),
        }
    }
}

/// What unverified webhook bodies may hold at once: a few of the largest, many ordinary ones.
pub const UNVERIFIED_WEBHOOK_BYTES: usize = 64 * 1024 * 1024;

/// The largest webhook body accepted.
pub const WEBHOOK_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The whole router; tests build exactly this.
pub fn app(state: AppState) -> Router {
    Router::new()
        // `/health` is the older name of `/healthz`.
        .route("/health", get(health))
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .nest("/admin", admin::routes())
        .route("/llm-websocket", get(llm_websocket::root))
        .route("/llm-websocket/", get(llm_websocket::root))
        .route("/llm-websocket/{*path}", get(llm_websocket::with_path))
        .nest("/api/booking", booking_api::routes())
        .route(
            "/api/retell/webhook",
            // Whole transcripts with word timings: long calls exceed axum's 2 MB default.
            // The handler reads the body itself, within the limit and the unverified budget.
            axum::routing::post(webhook::receive),
        )
        .route("/api/calls", get(calls_api::list))
        .route("/api/calls/{call_id}", get(calls_api::detail))
        .route("/api/messages", get(messages_api::list))
        .route(
            "/api/messages/{id}/handled",
            axum::routing::post(messages_api::handled),
        )
        .fallback(not_found)
        .layer(axum::middleware::map_response(error::json_errors))
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// How long `/readyz` waits for the database before it says it is not ready.
const READY_DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Ready to take calls: the database answers, its schema is this build's, and the server is
/// not shutting down. 503 otherwise, with the reasons.
async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut problems: Vec<String> = Vec::new();
    if state.drain.is_draining() {
        problems.push("draining: no new calls".into());
    }
    match tokio::time::timeout(READY_DB_TIMEOUT, state.store.schema_version()).await {
        Ok(Ok(version)) if version.current() => {}
        Ok(Ok(version)) => problems.push(format!(
            "database schema is at version {}, this server needs {}",
            version.applied, version.expected
        )),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database did not answer");
            problems.push("database unavailable".into());
        }
        Err(_) => problems.push("database did not answer in time".into()),
    }
    if problems.is_empty() {
        Json(json!({ "status": "ready", "version": env!("CARGO_PKG_VERSION") })).into_response()
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "problems": problems })),
        )
            .into_response()
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}
