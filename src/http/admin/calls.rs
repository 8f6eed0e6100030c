//! Calls by day, and one call's page: the transcript with the tool calls and their results in
//! order, Retell's analysis and latency figures, the appointments it made, the recording.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::auth::ClinicStaff;
use super::transcript::{self, Line, compact};
use super::view::{Frame, clock, day_and_clock, duration};
use super::{AdminError, render};
use crate::booking::days_in_ms;
use crate::http::AppState;

pub struct CallRow {
    pub call_id: String,
    pub caller: String,
    pub time: String,
    pub duration: String,
    pub outcome: String,
    /// A test lab call.
    pub test: bool,
}

#[derive(Template)]
#[template(path = "admin/calls.html")]
struct CallsPage {
    frame: Frame,
    date: String,
    previous: String,
    next: String,
    calls: Vec<CallRow>,
}

#[derive(Deserialize)]
pub struct DayQuery {
    date: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(query): Query<DayQuery>,
) -> Result<Response, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let date = match query.date.as_deref() {
        Some(raw) => crate::booking::parse_date(raw, "date")
            .map_err(|e| AdminError::BadRequest(e.to_string()))?,
        None => org.time_zone.local(Utc::now()).date_naive(),
    };
    let (from, to) = days_in_ms(Some(date), Some(date), zone)
        .map_err(|d| AdminError::BadRequest(format!("{d} has no midnight here")))?;
    let summaries = state.call_log.list(org.id, from, to, 500, 0).await?;
    let facts = state.call_log.facts(org.id, from, to).await?;
    let outcome_of = |call: &crate::calls::CallSummary| {
        let ongoing = call.end_ms.is_none() && call.call_status.as_deref() != Some("ended");
        match facts.iter().find(|f| f.call_id == call.call_id) {
            Some(f) if f.outcome() != "nothing" || !ongoing => f.outcome().to_owned(),
            _ => "in progress".to_owned(),
        }
    };
    let calls = summaries
        .into_iter()
        .map(|call| CallRow {
            outcome: outcome_of(&call),
            caller: call.from_number.clone().unwrap_or_else(|| "unknown".into()),
            time: call
                .start_ms
                .and_then(DateTime::from_timestamp_millis)
                .map(|t| clock(t, zone))
                .unwrap_or_default(),
            duration: duration(call.duration_ms),
            test: call.test,
            call_id: call.call_id,
        })
        .collect();
    Ok(render(&CallsPage {
        frame: Frame::new(&staff, "calls"),
        date: date.format("%A, %B %-d, %Y").to_string(),
        previous: (date - Duration::days(1)).to_string(),
        next: (date + Duration::days(1)).to_string(),
        calls,
    }))
}

/// The events Retell sent say little of what the call achieved; the tool calls say more
/// (see the call page). Here: whether it was transferred, else how it ended.
fn outcome(events: &[String], disconnection: Option<&str>) -> String {
    if events.iter().any(|e| e.starts_with("transfer")) {
        return "transferred".into();
    }
    disconnection.unwrap_or("in progress").replace('_', " ")
}

#[derive(Template)]
#[template(path = "admin/call.html")]
struct CallPage {
    frame: Frame,
    call_id: String,
    caller: String,
    started: String,
    duration: String,
    outcome: String,
    lines: Vec<Line>,
    analysis: Vec<(String, String)>,
    latency: Vec<(String, String)>,
    appointments: Vec<String>,
    recording: Option<String>,
    test: bool,
}

pub async fn detail(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, call_id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let call = state
        .call_log
        .detail(org.id, &call_id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let lines = transcript::lines(
        call.transcript_with_tool_calls.as_ref(),
        call.transcript_object.as_ref(),
        call.transcript.as_deref(),
        call.summary.start_ms,
        &call.tool_calls,
    );
    let started = call
        .summary
        .start_ms
        .and_then(DateTime::from_timestamp_millis)
        .map(|t| day_and_clock(t, zone))
        .unwrap_or_default();
    let analysis = flatten(call.call_analysis.as_ref());
    let latency = flatten(call.latency.as_ref());
    Ok(render(&CallPage {
        frame: Frame::new(&staff, "calls"),
        caller: call
            .summary
            .from_number
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        duration: duration(call.summary.duration_ms),
        outcome: outcome(
            &call.summary.events,
            call.summary.disconnection_reason.as_deref(),
        ),
        call_id: call.summary.call_id.clone(),
        started,
        lines,
        analysis,
        latency,
        appointments: call.appointments.clone(),
        recording: call.recording_url.clone(),
        test: call.summary.test,
    }))
}

/// A JSON object's fields as (name, value) lines, one level deep.
fn flatten(value: Option<&Value>) -> Vec<(String, String)> {
    match value {
        Some(Value::Object(fields)) => fields
            .iter()
            .map(|(k, v)| (k.replace('_', " "), compact(v)))
            .collect(),
        _ => Vec::new(),
    }
}
