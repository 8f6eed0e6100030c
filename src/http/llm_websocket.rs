//! `GET /llm-websocket[/{slug_or_call_id}[/{call_id}]]`: resolve the clinic from the path, then
//! upgrade. Resolution reads only the in-memory registry: nothing slow on the connect path.

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, State};
use axum::response::Response;

use super::{ApiError, AppState};
use crate::retell::session::{self, Session};
use crate::tenancy::Resolution;

pub async fn root(
    State(state): State<AppState>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    connect(state, "", upgrade)
}

pub async fn with_path(
    State(state): State<AppState>,
    Path(path): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    connect(state, &path, upgrade)
}

fn connect(
    state: AppState,
    path: &str,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let resolution = state.registry.resolve(&segments);
    let upgrade = upgrade
        .map_err(|rejection| ApiError::WebSocketRequired(rejection.body_text()))?
        .read_buffer_size(state.ws.buffer_bytes)
        .write_buffer_size(state.ws.buffer_bytes)
        .max_write_buffer_size(state.ws.max_message_bytes)
        .max_message_size(state.ws.max_message_bytes)
        .max_frame_size(state.ws.max_message_bytes);

    let (org, call_id, slug) = match resolution {
        Resolution::Org { org, call_id, slug } => (org, call_id, slug),
        Resolution::UnknownSlug { slug, call_id } => {
            let call_id = checked_call_id(call_id)?;
            tracing::warn!("Unknown org slug '{}'", printable(&slug));
            return Ok(upgrade
                .on_upgrade(move |socket| async move { session::refuse(socket, &call_id).await }));
        }
        Resolution::NoDefault { call_id } => {
            let call_id = checked_call_id(call_id)?;
            tracing::warn!(%call_id, "[Retell WS] no clinic is configured to serve this line");
            return Ok(upgrade
                .on_upgrade(move |socket| async move { session::refuse(socket, &call_id).await }));
        }
        Resolution::BadPath => {
            return Err(ApiError::NotFound(
                "use /llm-websocket/{org_slug}/{call_id} or /llm-websocket/{call_id}".into(),
            ));
        }
    };
    let call_id = checked_call_id(call_id)?;
    let slug_label = slug.as_deref().unwrap_or(org.slug.as_str());
    tracing::info!("[Retell WS] Connected for call: {call_id} (org slug: {slug_label})");
    match &slug {
        Some(slug) => tracing::info!("[Retell WS] Using org {} from slug '{slug}'", org.id),
        None => tracing::info!("[Retell WS] Using default org {} ('{}')", org.id, org.slug),
    }

    let (call, reconnect) = state.calls.attach(org.id, &call_id);
    if reconnect {
        tracing::info!(%call_id, "[Retell WS] Reconnected: resuming the call");
    }
    let session = Session {
        org,
        call,
        reconnect,
        agent: Arc::clone(&state.agent),
        scheduler: state.scheduler.clone(),
        calls: Arc::clone(&state.calls),
        settings: state.session,
    };
    let (guard, cut) = state.drain.enter();
    Ok(upgrade.on_upgrade(move |socket| async move {
        session.run(socket, cut).await;
        drop(guard);
    }))
}

/// Retell's call ids are short alphanumeric strings; anything else is refused before upgrading.
fn checked_call_id(call_id: Option<String>) -> Result<String, ApiError> {
    let Some(call_id) = call_id else {
        return Ok(uuid::Uuid::new_v4().simple().to_string());
    };
    let valid = !call_id.is_empty()
        && call_id.len() <= 128
        && call_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(call_id)
    } else {
        Err(ApiError::Validation(
            "the call id must be 1 to 128 letters, digits, dashes or underscores".into(),
        ))
    }
}

fn printable(raw: &str) -> String {
    raw.chars().take(64).flat_map(char::escape_debug).collect()
}
