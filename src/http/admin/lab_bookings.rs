//! What lab calls did: a call's tool calls and results as they are stored (polled by the lab
//! page while the call is on), the appointments lab calls booked, and undoing one. Undo cancels
//! the appointment through the booking service, as the calendar's Cancel does, rather than
//! deleting it: the same rules and the same record (staff activity, the patient's history, the
//! call's page still naming what it made), and the slot is free again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::auth::{ClinicStaff, check_csrf};
use super::lab::RECENT_DAYS;
use super::view::day_and_clock;
use super::{AdminError, render};
use crate::booking::{AppointmentId, AppointmentStatus};
use crate::calls::LabBooking;
use crate::http::AppState;

/// How many recent lab bookings the page lists.
const MOST: i64 = 50;
/// A lab call that has not connected yet is waited for this long.
const CONNECT_WAIT_SECS: i64 = 60;

pub struct BookingRow {
    pub id: String,
    pub when: String,
    pub patient: String,
    pub kind: String,
    pub status: &'static str,
    pub undoable: bool,
}

fn rows(bookings: Vec<LabBooking>, staff: &ClinicStaff) -> Vec<BookingRow> {
    let zone = staff.org.time_zone.tz();
    bookings
        .into_iter()
        .map(|b| BookingRow {
            id: b.appointment_id.to_string(),
            when: day_and_clock(b.start, zone),
            patient: b.patient,
            kind: b.appointment_type,
            status: match b.status {
                AppointmentStatus::Cancelled => "cancelled",
                other => other.as_str(),
            },
            undoable: b.status == AppointmentStatus::Scheduled,
        })
        .collect()
}

/// The appointments recent lab calls booked, each with Undo while it stands.
#[derive(Template)]
#[template(path = "admin/lab_bookings.html")]
pub struct Bookings {
    slug: String,
    csrf: String,
    rows: Vec<BookingRow>,
}

pub async fn bookings_since(
    state: &AppState,
    staff: &ClinicStaff,
    since: DateTime<Utc>,
) -> Result<Bookings, AdminError> {
    let found = state
        .call_log
        .recent_lab_bookings(staff.org.id, since, MOST)
        .await?;
    Ok(Bookings {
        slug: staff.org.slug.to_string(),
        csrf: staff.staff.session.csrf_token.clone(),
        rows: rows(found, staff),
    })
}

/// `GET /admin/{slug}/lab/bookings`: the list again, after an undo or a new booking.
pub async fn recent(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    let since = Utc::now() - Duration::days(RECENT_DAYS);
    Ok(render(&bookings_since(&state, &staff, since).await?))
}

pub struct ToolLine {
    pub name: String,
    pub arguments: String,
    pub result: String,
    pub ok: bool,
}

#[derive(Template)]
#[template(path = "admin/lab_activity.html")]
struct Activity {
    slug: String,
    csrf: String,
    call_id: String,
    /// Where the call is: waiting to connect, on the line, ended.
    status: &'static str,
    /// Refresh every second while the call may still do something.
    polling: bool,
    tools: Vec<ToolLine>,
    bookings: Vec<BookingRow>,
    /// Moves and cancellations of existing appointments, as the tools reported them.
    changes: Vec<String>,
}

/// `GET /admin/{slug}/lab/calls/{call_id}`: one lab call's tool calls and appointments.
pub async fn activity(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, call_id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let org = &staff.org;
    let lab = state
        .call_log
        .lab_call(org.id, &call_id)
        .await?
        .ok_or(AdminError::NotFound)?;
    let detail = state.call_log.detail(org.id, &call_id).await?;
    let live = state
        .calls
        .live(org.id.as_uuid())
        .iter()
        .any(|(id, _)| *id == call_id);
    let (status, polling) = match &detail {
        _ if live => ("on the line", true),
        None if Utc::now() - lab.created_at < Duration::seconds(CONNECT_WAIT_SECS) => {
            ("waiting to connect", true)
        }
        None => ("never connected", false),
        Some(_) => ("ended", false),
    };
    let tool_calls = detail.map(|d| d.tool_calls).unwrap_or_default();
    let changes = tool_calls
        .iter()
        .filter(|t| t.successful)
        .filter_map(|t| change(&t.result))
        .collect();
    let tools = tool_calls
        .into_iter()
        .map(|t| ToolLine {
            name: t.name,
            arguments: t.arguments,
            result: shortened(&t.result),
            ok: t.successful,
        })
        .collect();
    let bookings = state.call_log.lab_call_bookings(org.id, &call_id).await?;
    Ok(render(&Activity {
        slug: org.slug.to_string(),
        csrf: staff.staff.session.csrf_token.clone(),
        call_id,
        status,
        polling,
        tools,
        bookings: rows(bookings, &staff),
        changes,
    }))
}

/// A tool's result as the side panel shows it; the call's page has it whole.
fn shortened(result: &str) -> String {
    const MOST: usize = 240;
    if result.chars().count() <= MOST {
        return result.to_owned();
    }
    let mut short: String = result.chars().take(MOST).collect();
    short.push('…');
    short
}

/// A move or cancellation a tool reported done, in words; bookings are listed apart.
fn change(result: &str) -> Option<String> {
    let done: Value = serde_json::from_str(result).ok()?;
    let what = match done.get("action")?.as_str()? {
        "reschedule" => "Moved",
        "cancel" => "Cancelled",
        _ => return None,
    };
    let field = |key: &str| done.get(key).and_then(Value::as_str).unwrap_or_default();
    Some(format!(
        "{what}: {} with {}, {} (appointment {})",
        field("appointment_type"),
        field("provider"),
        field("start"),
        field("appointment_id")
    ))
}

#[derive(Deserialize)]
pub struct UndoForm {
    csrf: Option<String>,
}

/// `POST /admin/{slug}/lab/appointments/{id}/undo`: cancels an appointment a lab call of this
/// clinic booked. Any other appointment (a real call's, staff's, another clinic's) is a 404.
pub async fn undo(
    State(state): State<AppState>,
    staff: ClinicStaff,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<UndoForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let id: AppointmentId = id.parse().map_err(|_| AdminError::NotFound)?;
    let appointment = state.scheduler.appointment(org, id).await?;
    let call_id = appointment.call_id.ok_or(AdminError::NotFound)?;
    state
        .call_log
        .lab_call(org.id, &call_id)
        .await?
        .ok_or(AdminError::NotFound)?;
    // Undone already (a page left open, a double click): nothing more to do or record.
    if appointment.status != AppointmentStatus::Cancelled {
        state
            .scheduler
            .cancel(org, id, Some("Undone in the test lab".into()), Utc::now())
            .await?;
        state
            .staff
            .record(
                org.id,
                &staff.staff.session.user,
                "undid a lab booking",
                &format!("appointment {id} (lab call {call_id})"),
            )
            .await?;
    }
    if headers.contains_key("hx-request") {
        // The lab's lists refresh themselves on this event.
        return Ok(([("hx-trigger", "lab-changed")], "").into_response());
    }
    Ok(Redirect::to(&format!("/admin/{}/lab", org.slug)).into_response())
}
