//! The inbox: what needs a person. Messages the receptionist took that nobody has handled, and
//! recent calls that asked for the front desk or looked for a time and booked none. Marking an
//! item done takes it off (recorded as a staff action).

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::auth::{ClinicStaff, check_csrf};
use super::view::{Frame, day_and_clock};
use super::{AdminError, render};
use crate::booking::{FollowUpReason, MessageId, MessageQuery, MessageStatus};
use crate::http::AppState;

/// How far back calls are looked at; messages stay until handled, however old.
const CALL_DAYS: i64 = 30;
const MOST: i64 = 200;

pub struct MessageItem {
    pub id: String,
    pub when: String,
    pub caller: String,
    pub callback: String,
    pub reason: String,
    pub urgent: bool,
    pub language: String,
    pub call_id: Option<String>,
}

pub struct CallItem {
    pub call_id: String,
    pub when: String,
    pub caller: String,
    pub why: &'static str,
}

#[derive(Template)]
#[template(path = "admin/inbox.html")]
struct InboxPage {
    frame: Frame,
    messages: Vec<MessageItem>,
    calls: Vec<CallItem>,
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let now = Utc::now();
    let query = MessageQuery {
        status: Some(MessageStatus::New),
        limit: Some(MOST),
        ..MessageQuery::default()
    };
    let messages = state
        .scheduler
        .messages(org, &query)
        .await?
        .items
        .into_iter()
        .map(|m| MessageItem {
            id: m.id.to_string(),
            when: day_and_clock(m.created_at, zone),
            caller: m.caller_name,
            callback: m.callback.map(String::from).unwrap_or_default(),
            reason: m.reason,
            urgent: m.urgent,
            language: m.language.unwrap_or_default(),
            call_id: m.call_id,
        })
        .collect();
    // A call still in progress may yet book: it is listed once it ends.
    let live: HashSet<String> = state
        .calls
        .live(org.id.as_uuid())
        .into_iter()
        .map(|(call_id, _)| call_id)
        .collect();
    let calls = state
        .scheduler
        .calls_to_follow_up(org, now - Duration::days(CALL_DAYS), MOST)
        .await?
        .into_iter()
        .filter(|c| !live.contains(&c.call_id))
        .map(|c| CallItem {
            when: c
                .started
                .map(|t| day_and_clock(t, zone))
                .unwrap_or_default(),
            caller: c.caller.unwrap_or_else(|| "unknown".into()),
            why: match c.reason {
                FollowUpReason::Transfer { put_through: true } => {
                    "Asked for the front desk and was transferred"
                }
                FollowUpReason::Transfer { put_through: false } => {
                    "Asked for the front desk; the transfer was not made"
                }
                FollowUpReason::Unbooked => "Looked for an appointment and booked none",
            },
            call_id: c.call_id,
        })
        .collect();
    Ok(render(&InboxPage {
        frame: Frame::new(&staff, "inbox"),
        messages,
        calls,
    }))
}

#[derive(Deserialize)]
pub struct DoneForm {
    csrf: Option<String>,
}

fn back(staff: &ClinicStaff) -> Response {
    Redirect::to(&format!("/admin/{}/inbox", staff.org.slug)).into_response()
}

pub async fn message_done(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<DoneForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let id: MessageId = id.parse().map_err(|_| AdminError::NotFound)?;
    let message = state
        .scheduler
        .mark_message_handled(&staff.org, id, Utc::now())
        .await?;
    staff
        .record(
            &state,
            "marked a message handled",
            &format!("message {}", message.id),
        )
        .await;
    Ok(back(&staff))
}

pub async fn call_done(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, call_id)): Path<(String, String)>,
    Form(form): Form<DoneForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    state
        .scheduler
        .mark_call_followed_up(
            &staff.org,
            &call_id,
            Some(staff.staff.session.user.id.0),
            Utc::now(),
        )
        .await?;
    staff
        .record(
            &state,
            "marked a call followed up",
            &format!("call {call_id}"),
        )
        .await;
    Ok(back(&staff))
}
