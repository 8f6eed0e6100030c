//! `GET /llm-websocket[/{slug_or_call_id}[/{call_id}]]`: the voice application resolves the
//! clinic and opens the call, then the socket is upgraded and the protocol session runs it.
//! Resolution reads only memory: nothing slow on the connect path.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, State};
use axum::response::Response;

use super::{ApiError, AppState};
use crate::retell::unserved;
use crate::voice::{Connect, ConnectError};

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
    let upgrade = upgrade
        .map_err(|rejection| ApiError::WebSocketRequired(rejection.body_text()))?
        .read_buffer_size(state.ws.buffer_bytes)
        .write_buffer_size(state.ws.buffer_bytes)
        .max_write_buffer_size(state.ws.max_message_bytes)
        .max_message_size(state.ws.max_message_bytes)
        .max_frame_size(state.ws.max_message_bytes);
    let connect = state.voice.connect(path).map_err(|err| match err {
        ConnectError::BadPath => ApiError::NotFound(err.to_string()),
        ConnectError::BadCallId => ApiError::Validation(err.to_string()),
    })?;
    match connect {
        Connect::Serve(session) => {
            let (guard, cut) = state.drain.enter();
            Ok(upgrade.on_upgrade(move |socket| async move {
                session.run(socket, cut).await;
                drop(guard);
            }))
        }
        Connect::Refuse { call_id } => Ok(upgrade
            .on_upgrade(move |socket| async move { unserved::refuse(socket, &call_id).await })),
    }
}
