//! Today: the clinic's appointments per provider, with names, and the calls in progress. The
//! board refreshes itself every few seconds (htmx polling), so a booking made by a call shows
//! up without a reload.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};

use super::auth::ClinicStaff;
use super::schedule::{Column, columns};
use super::view::{Frame, clock};
use super::{AdminError, render};
use crate::booking::day_start;
use crate::http::AppState;
use crate::staff::Role;

pub struct LiveCall {
    pub call_id: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "admin/today.html")]
struct TodayPage {
    frame: Frame,
    board: Board,
    /// Setup items not yet done, shown to managers and owners.
    setup_unmet: usize,
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
    let setup_unmet = if staff.role >= Role::Manager {
        super::readiness::checklist(&state, &staff.org)
            .await?
            .unmet()
            .count()
    } else {
        0
    };
    Ok(render(&TodayPage {
        frame: Frame::new(&staff, "today"),
        board,
        setup_unmet,
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
    let columns = columns(state, org, &catalogue, from, to).await?;
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
