//! Today: the clinic's appointments per provider, with names, and the calls in progress. The
//! board refreshes itself every few seconds (htmx polling), so a booking made by a call shows
//! up without a reload.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};

use super::auth::ClinicStaff;
use super::view::{Frame, clock};
use super::{AdminError, render};
use crate::booking::{AppointmentFilter, day_start};
use crate::http::AppState;

pub struct Row {
    pub time: String,
    pub patient: String,
    pub kind: String,
    pub chair: String,
    pub status: String,
    pub by_receptionist: bool,
}

pub struct Column {
    pub provider: String,
    pub rows: Vec<Row>,
}

pub struct LiveCall {
    pub call_id: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "admin/today.html")]
struct TodayPage {
    frame: Frame,
    board: Board,
}

#[derive(Template)]
#[template(path = "admin/today_board.html")]
struct Board {
    slug: String,
    date: String,
    columns: Vec<Column>,
    live: Vec<LiveCall>,
}

pub async fn redirect(staff: ClinicStaff) -> Response {
    Redirect::to(&format!("/admin/{}/today", staff.org.slug)).into_response()
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    let board = board_for(&state, &staff).await?;
    Ok(render(&TodayPage {
        frame: Frame::new(&staff, "today"),
        board,
    }))
}

pub async fn board(
    State(state): State<AppState>,
    staff: ClinicStaff,
) -> Result<Response, AdminError> {
    Ok(render(&board_for(&state, &staff).await?))
}

async fn board_for(state: &AppState, staff: &ClinicStaff) -> Result<Board, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let now = Utc::now();
    let today = org.time_zone.local(now).date_naive();
    let (from, to) = day_start(today, zone)
        .zip(day_start(today + Duration::days(1), zone))
        .ok_or_else(|| AdminError::Internal("the clinic's day has no midnight".into()))?;
    let catalogue = state.scheduler.catalogue(org).await?;
    let appointments = state
        .scheduler
        .appointments(org, AppointmentFilter::Between(from, to))
        .await?;
    let mut names = HashMap::new();
    for appointment in &appointments {
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(appointment.patient) {
            let patient = state.scheduler.patient(org, appointment.patient).await?;
            slot.insert(format!("{} {}", patient.first_name, patient.last_name));
        }
    }
    let mut columns: Vec<Column> = catalogue
        .providers
        .iter()
        .map(|p| Column {
            provider: p.name.clone(),
            rows: Vec::new(),
        })
        .collect();
    for appointment in &appointments {
        let Some(index) = catalogue
            .providers
            .iter()
            .position(|p| p.id == appointment.provider)
        else {
            continue;
        };
        columns[index].rows.push(Row {
            time: clock(appointment.start, zone),
            patient: names.get(&appointment.patient).cloned().unwrap_or_default(),
            kind: catalogue
                .appointment_types
                .iter()
                .find(|t| t.id == appointment.appointment_type)
                .map_or_else(String::new, |t| t.name.clone()),
            chair: catalogue
                .operatories
                .iter()
                .find(|o| o.id == appointment.operatory)
                .map_or_else(String::new, |o| o.name.clone()),
            status: appointment.status.as_str().replace('_', " "),
            by_receptionist: appointment.call_id.is_some(),
        });
    }
    let live = state
        .calls
        .live(org.id.as_uuid())
        .into_iter()
        .map(|(call_id, since)| LiveCall {
            call_id,
            since: clock(since, zone),
        })
        .collect();
    Ok(Board {
        slug: org.slug.to_string(),
        date: org.time_zone.local(now).format("%A, %B %-d").to_string(),
        columns,
        live,
    })
}
