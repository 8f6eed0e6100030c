//! The test lab: staff talk to their clinic's receptionist from the browser. The page's script
//! (assets/lab.js) speaks Retell's side of the custom-LLM protocol over the real WebSocket; this
//! file registers each lab call (so it is a test: marked in the call records, left out of the
//! statistics and the inbox) and, when the page hangs up, files the end of the call as Retell's
//! `call_ended` webhook would, with the transcript the page kept.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::{ClinicStaff, check_csrf};
use super::lab_bookings::{Bookings, bookings_since};
use super::view::Frame;
use super::{AdminError, render};
use crate::calls::CallEvent;
use crate::http::AppState;

/// The caller's number the lab offers: a fictional one (555-01xx), so the receptionist meets
/// a new caller unless the user types a patient's number.
pub const TEST_NUMBER: &str = "+15550100000";
/// How far back the page lists lab bookings to undo.
pub const RECENT_DAYS: i64 = 7;
/// The most utterances (and characters of one) a hung-up lab call files.
const MOST_UTTERANCES: usize = 400;
const MOST_CHARS: usize = 2_000;

#[derive(Template)]
#[template(path = "admin/lab.html")]
struct LabPage {
    frame: Frame,
    from_number: &'static str,
    bookings: Bookings,
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    let since = Utc::now() - Duration::days(RECENT_DAYS);
    let bookings = bookings_since(&state, &staff, since).await?;
    Ok(render(&LabPage {
        frame: Frame::new(&staff, "lab"),
        from_number: TEST_NUMBER,
        bookings,
    }))
}

#[derive(Deserialize)]
pub struct StartForm {
    csrf: Option<String>,
}

/// What the page needs to place the call.
#[derive(Serialize)]
struct Started {
    call_id: String,
    /// Same host; the page picks ws: or wss: after its own scheme.
    websocket: String,
    activity: String,
    end: String,
}

/// `POST /admin/{slug}/lab/calls`: a new lab call id, registered as a test of this clinic.
pub async fn start(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(form): Form<StartForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let token = crate::staff::random_token();
    if token.len() < 32 {
        return Err(AdminError::Internal("no randomness for a call id".into()));
    }
    let call_id = format!("lab_{token}");
    let org = &staff.org;
    let user = &staff.staff.session.user;
    state
        .call_log
        .register_lab_call(org.id, &call_id, user.id.0)
        .await?;
    state
        .staff
        .record(org.id, user, "started a lab call", &call_id)
        .await?;
    let slug = &org.slug;
    let body = Started {
        websocket: format!("/llm-websocket/{slug}/{call_id}"),
        activity: format!("/admin/{slug}/lab/calls/{call_id}"),
        end: format!("/admin/{slug}/lab/calls/{call_id}/end"),
        call_id,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct EndForm {
    csrf: Option<String>,
    /// `user_hangup`, `agent_hangup` or `call_transfer`.
    reason: Option<String>,
    /// The transcript as the page kept it: a JSON array of `{role, content}`.
    transcript: Option<String>,
}

/// `POST /admin/{slug}/lab/calls/{call_id}/end`: the page hung up, or the receptionist ended
/// or transferred the call. No webhook comes for a lab call: this files what `call_ended`
/// would, so the call is not left "in progress" and its page shows the transcript.
pub async fn end(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, call_id)): Path<(String, String)>,
    Form(form): Form<EndForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    state
        .call_log
        .lab_call(org.id, &call_id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let Some(call) = state.call_log.detail(org.id, &call_id).await? else {
        // Never connected: nothing to end.
        return Ok(axum::http::StatusCode::NO_CONTENT.into_response());
    };
    let reason = form
        .reason
        .as_deref()
        .filter(|r| ["user_hangup", "agent_hangup", "call_transfer"].contains(r))
        .unwrap_or("user_hangup");
    let utterances = utterances(form.transcript.as_deref().unwrap_or("[]"))?;
    let text: String = utterances
        .iter()
        .map(|(role, content)| {
            let who = if role == "agent" { "Agent" } else { "User" };
            format!("{who}: {content}\n")
        })
        .collect();
    // What the page's call_details said, as Retell's webhook would repeat it.
    let said = state
        .call_log
        .connection(org.id, &call_id)
        .await?
        .map(|c| c.metadata)
        .unwrap_or_default();
    let end_ms = Utc::now().timestamp_millis();
    let start_ms = call.summary.start_ms;
    let event = CallEvent {
        event: "call_ended".into(),
        call_id: call_id.clone(),
        call_status: Some("ended".into()),
        direction: said.direction,
        from_number: said.from_number,
        start_ms,
        end_ms: Some(end_ms),
        duration_ms: start_ms.map(|s| (end_ms - s).max(0)),
        disconnection_reason: Some(reason.into()),
        transcript: Some(text),
        transcript_object: Some(Value::Array(
            utterances
                .into_iter()
                .map(|(role, content)| json!({"role": role, "content": content}))
                .collect(),
        )),
        ..CallEvent::default()
    };
    state.call_log.file_lab_end(org.id, &event).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The page's transcript, bounded; roles other than agent and user are left out.
fn utterances(raw: &str) -> Result<Vec<(String, String)>, AdminError> {
    #[derive(Deserialize)]
    struct Item {
        role: String,
        #[serde(default)]
        content: String,
    }
    let items: Vec<Item> = serde_json::from_str(raw)
        .map_err(|_| AdminError::BadRequest("the transcript is not a list of utterances".into()))?;
    Ok(items
        .into_iter()
        .filter(|i| i.role == "agent" || i.role == "user")
        .take(MOST_UTTERANCES)
        .map(|i| (i.role, i.content.chars().take(MOST_CHARS).collect()))
        .collect())
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../assets/lab.js"),
    )
}
