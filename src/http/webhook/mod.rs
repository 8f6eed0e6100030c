//! `POST /api/retell/webhook`: Retell's call events, verified on the raw body, filed under the
//! clinic the call belongs to, and acknowledged at once. Repeats and retries change nothing.

mod body;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

pub use body::UnverifiedBudget;

use super::{ApiError, AppState, WEBHOOK_MAX_BYTES};
use crate::calls::{CallEvent, Filed, Signer};
use crate::config::UnattributedPolicy;
use crate::retell::signature;
use axum::http::header::CONTENT_LENGTH;

const CALL_EVENTS: &[&str] = &[
    "call_started",
    "call_ended",
    "call_analyzed",
    "transcript_updated",
    "transfer_started",
    "transfer_bridged",
    "transfer_cancelled",
    "transfer_ended",
];

pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let started = std::time::Instant::now();
    let mut seen = Seen {
        event: "unknown",
        result: "ignored",
    };
    let answer = handle(state, headers, body, &mut seen).await;
    let result = match &answer {
        Ok(_) => seen.result,
        Err(ApiError::Unauthorized(_)) => "unauthorized",
        Err(ApiError::Validation(_)) => "invalid",
        Err(_) => "error",
    };
    crate::telemetry::metrics::webhook(seen.event, result, started.elapsed());
    answer
}

/// What the metrics say of a webhook: its event (one of ours, `other`, or `unknown` before
/// the body was verified) and, when it was answered 2xx, how it was filed.
struct Seen {
    event: &'static str,
    result: &'static str,
}

async fn handle(
    state: AppState,
    headers: HeaderMap,
    body: Body,
    seen: &mut Seen,
) -> Result<StatusCode, ApiError> {
    // The server's key first, then clinics' own Retell accounts.
    let mut keys: Vec<(Option<&str>, &str)> = Vec::new();
    if let Some(key) = &state.webhooks.server_key {
        keys.push((None, key.expose()));
    }
    for (slug, key) in &state.webhooks.org_keys {
        keys.push((Some(slug.as_str()), key.expose()));
    }
    if keys.is_empty() {
        // Said plainly: "does not match" would send the operator looking at Retell's side.
        tracing::warn!(
            "[Retell webhook] rejected: no webhook key is configured (set ASCENDIA_RETELL_API_KEY)"
        );
        return Err(ApiError::Unauthorized(
            "no webhook key is configured on this server".into(),
        ));
    }
    let key_values: Vec<&str> = keys.iter().map(|(_, k)| *k).collect();
    let header = headers
        .get("x-retell-signature")
        .and_then(|v| v.to_str().ok());
    let now_ms = chrono::Utc::now().timestamp_millis();
    let refuse = |err: signature::SignatureError, bytes: usize| {
        tracing::warn!(reason = %err, bytes, "[Retell webhook] rejected");
        ApiError::Unauthorized(err.to_string())
    };
    signature::check_header(header, now_ms).map_err(|err| refuse(err, 0))?;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (body, unverified) = state
        .webhooks
        .unverified
        .read(body, declared, WEBHOOK_MAX_BYTES)
        .await?;
    let signer = match signature::verify(header, &body, &key_values, now_ms) {
        Ok(index) => keys[index].0,
        Err(err) => return Err(refuse(err, body.len())),
    };
    drop(unverified);
    let mut payload: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::Validation("the body is not JSON".into()))?;
    // Retell's event is kept even when a transcript holds a NUL, which PostgreSQL cannot store.
    strip_nul(&mut payload);
    let name = payload.get("event").and_then(Value::as_str).unwrap_or("");
    seen.event = CALL_EVENTS
        .iter()
        .find(|known| **known == name)
        .copied()
        .unwrap_or("other");
    if !CALL_EVENTS.contains(&name) {
        tracing::info!(event = %name.chars().take(40).collect::<String>().escape_debug(), "[Retell webhook] ignored an event type we do not file");
        return Ok(StatusCode::NO_CONTENT);
    }
    let event = CallEvent::parse(&payload).map_err(|why| ApiError::Validation(why.into()))?;

    let signer = match signer {
        None => Signer::Server,
        Some(slug) => Signer::Clinic(state.registry.by_slug(slug).map(|o| o.id)),
    };
    let keep = (state.webhooks.unattributed == UnattributedPolicy::Store)
        .then(|| String::from_utf8_lossy(&body));
    let filed = state
        .call_log
        .file(&event, signer, keep.as_deref())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match filed {
        Filed::Under(org_id) => {
            seen.result = "filed";
            tracing::info!(event = %event.event, call_id = %event.call_id, %org_id, "[Retell webhook] filed");
            if event.event == "call_ended" {
                let key = crate::retell::handler::CallKey::new(org_id.as_uuid(), &event.call_id);
                state.calls.end(&key);
            }
        }
        Filed::Unattributed { .. } => {
            seen.result = "unattributed";
            tracing::warn!(event = %event.event, call_id = %event.call_id, "[Retell webhook] no clinic for this call");
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

fn strip_nul(value: &mut Value) {
    match value {
        Value::String(text) if text.contains('\0') => text.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(fields) => {
            if fields.keys().any(|key| key.contains('\0')) {
                *fields = std::mem::take(fields)
                    .into_iter()
                    .map(|(key, value)| (key.replace('\0', ""), value))
                    .collect();
            }
            fields.values_mut().for_each(strip_nul);
        }
        _ => {}
    }
}
