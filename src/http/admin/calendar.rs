//! The calendar: a day per provider, or a week, with booking, moving and cancelling through
//! the same scheduler rules as the Booking API. A refusal says why and offers the nearest
//! free times.

use crate::telemetry::metrics;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::auth::{ClinicStaff, check_csrf};
use super::schedule::{self, Column};
use super::view::{Frame, day_and_clock};
use super::{AdminError, render};
use crate::booking::{
    AppointmentId, AppointmentTypeId, BookRequest, Catalogue, PatientId, ProviderId,
    RescheduleRequest, ServiceError, SlotProblem, SlotSearch, day_start, parse_date, parse_start,
};
use crate::http::AppState;
use crate::tenancy::Organization;

pub struct Day {
    pub date: String,
    pub label: String,
    pub columns: Vec<Column>,
}

pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    frame: Frame,
    view: &'static str,
    date: String,
    title: String,
    previous: String,
    next: String,
    days: Vec<Day>,
    patient: Option<(String, String)>,
    types: Vec<Choice>,
    providers: Vec<Choice>,
    notice: Option<String>,
    problem: Option<String>,
    nearest: Vec<String>,
    /// The free-times finder: what was asked, and the answer (None: not asked).
    free_type: String,
    free_provider: String,
    free: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    date: Option<String>,
    view: Option<String>,
    patient: Option<String>,
    done: Option<String>,
    /// Find the day's free times for this appointment type (and provider, if given).
    free_type: Option<String>,
    free_provider: Option<String>,
}

/// The day's free start times for a type, as the receptionist and the Booking API would
/// offer them, each with the provider.
async fn free_times(
    state: &AppState,
    org: &Organization,
    catalogue: &Catalogue,
    day: NaiveDate,
    kind: &str,
    provider: &str,
) -> Result<Vec<String>, AdminError> {
    let bad = |e: &dyn std::fmt::Display| AdminError::BadRequest(e.to_string());
    let kind: AppointmentTypeId = kind.parse().map_err(|e| bad(&e))?;
    let provider: Option<ProviderId> = Some(provider)
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .transpose()
        .map_err(|e| bad(&e))?;
    let search = SlotSearch {
        appointment_type: kind,
        from: day,
        to: day,
        provider,
        patient: None,
        limit: Some(200),
    };
    let slots = state.scheduler.open_slots(org, &search, Utc::now()).await?;
    let zone = org.time_zone.tz();
    Ok(slots
        .iter()
        .map(|slot| {
            let name = catalogue
                .providers
                .iter()
                .find(|p| p.id == slot.provider)
                .map_or("", |p| p.name.as_str());
            format!("{} · {name}", super::view::clock(slot.start, zone))
        })
        .collect())
}

pub async fn page(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(query): Query<CalendarQuery>,
) -> Result<Response, AdminError> {
    Ok(render(&calendar(&state, &staff, &query, None).await?))
}

/// A refusal to show on the calendar: why, and the nearest free times.
struct Refusal {
    problem: String,
    nearest: Vec<String>,
}

async fn calendar(
    state: &AppState,
    staff: &ClinicStaff,
    query: &CalendarQuery,
    refusal: Option<Refusal>,
) -> Result<CalendarPage, AdminError> {
    let org = &staff.org;
    let date = match query.date.as_deref() {
        Some(raw) => parse_date(raw, "date").map_err(|e| AdminError::BadRequest(e.to_string()))?,
        None => org.time_zone.local(Utc::now()).date_naive(),
    };
    let week = query.view.as_deref() == Some("week");
    let catalogue = state.scheduler.catalogue(org).await?;
    let first = if week {
        date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
    } else {
        date
    };
    let count = if week { 7 } else { 1 };
    let mut ranges = Vec::with_capacity(count);
    for offset in 0..count {
        let day = first + Duration::days(offset as i64);
        let (from, to) = bounds(day, org)?;
        ranges.push((day, from, to));
    }
    let days = schedule::days(state, org, &catalogue, &ranges)
        .await?
        .into_iter()
        .zip(&ranges)
        .map(|(columns, (day, _, _))| Day {
            date: day.to_string(),
            label: day.format("%A, %B %-d").to_string(),
            columns,
        })
        .collect();
    let step = if week { 7 } else { 1 };
    let patient = match query.patient.as_deref() {
        Some(raw) => {
            let id: PatientId = raw.parse().map_err(|_| AdminError::NotFound)?;
            let patient = state.scheduler.patient(org, id).await?;
            Some((
                id.to_string(),
                format!("{} {}", patient.first_name, patient.last_name),
            ))
        }
        None => None,
    };
    let notice = query.done.as_deref().and_then(|done| match done {
        "booked" => Some("Booked.".to_owned()),
        "moved" => Some("Moved.".to_owned()),
        "cancelled" => Some("Cancelled.".to_owned()),
        _ => None,
    });
    let (problem, nearest) = match refusal {
        Some(r) => (Some(r.problem), r.nearest),
        None => (None, Vec::new()),
    };
    let free_type = query.free_type.clone().unwrap_or_default();
    let free_provider = query.free_provider.clone().unwrap_or_default();
    let free = if free_type.is_empty() || week {
        None
    } else {
        Some(free_times(state, org, &catalogue, date, &free_type, &free_provider).await?)
    };
    Ok(CalendarPage {
        frame: Frame::new(staff, "calendar"),
        view: if week { "week" } else { "day" },
        date: date.to_string(),
        title: if week {
            format!("Week of {}", first.format("%B %-d, %Y"))
        } else {
            date.format("%A, %B %-d, %Y").to_string()
        },
        previous: (date - Duration::days(step)).to_string(),
        next: (date + Duration::days(step)).to_string(),
        days,
        patient,
        types: choices(&catalogue, true),
        providers: choices(&catalogue, false),
        notice,
        problem,
        nearest,
        free_type,
        free_provider,
        free,
    })
}

fn bounds(
    day: NaiveDate,
    org: &Organization,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AdminError> {
    let zone = org.time_zone.tz();
    day_start(day, zone)
        .zip(day_start(day + Duration::days(1), zone))
        .ok_or_else(|| {
            AdminError::BadRequest(format!("{day} has no midnight in the clinic's zone"))
        })
}

fn choices(catalogue: &Catalogue, types: bool) -> Vec<Choice> {
    if types {
        catalogue
            .appointment_types
            .iter()
            .map(|t| Choice {
                id: t.id.to_string(),
                name: t.name.clone(),
            })
            .collect()
    } else {
        catalogue
            .providers
            .iter()
            .filter(|p| p.active)
            .map(|p| Choice {
                id: p.id.to_string(),
                name: p.name.clone(),
            })
            .collect()
    }
}

#[derive(Deserialize)]
pub struct BookForm {
    csrf: Option<String>,
    patient: String,
    appointment_type: String,
    provider: String,
    date: String,
    time: String,
}

pub async fn book(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Form(form): Form<BookForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let bad = |e: &dyn std::fmt::Display| AdminError::BadRequest(e.to_string());
    let patient: PatientId = form.patient.parse().map_err(|_| AdminError::NotFound)?;
    let kind: AppointmentTypeId = form.appointment_type.parse().map_err(|e| bad(&e))?;
    let provider: ProviderId = form.provider.parse().map_err(|e| bad(&e))?;
    let start = parse_start(&format!("{}T{}", form.date, form.time), org.time_zone.tz())
        .map_err(|e| bad(&e))?;
    let request = BookRequest {
        patient,
        appointment_type: kind,
        provider,
        start,
        operatory: None,
        note: None,
        source: "console".into(),
        idempotency_key: None,
        call_id: None,
    };
    let query = CalendarQuery {
        date: Some(form.date.clone()),
        view: None,
        patient: Some(form.patient.clone()),
        ..CalendarQuery::default()
    };
    match state.scheduler.book(org, request, Utc::now()).await {
        Ok(booked) => {
            if booked.created {
                metrics::booked(org.slug.as_str(), metrics::Source::Console);
            }
            let detail = format!(
                "appointment {} at {}",
                booked.appointment.id,
                day_and_clock(booked.appointment.start, org.time_zone.tz())
            );
            state
                .staff
                .record(org.id, &staff.staff.session.user, "booked", &detail)
                .await?;
            Ok(Redirect::to(&format!(
                "/admin/{}/calendar?date={}&done=booked",
                org.slug, form.date
            ))
            .into_response())
        }
        Err(err) => refused(&state, &staff, &query, err, kind, Some(provider), start).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    csrf: Option<String>,
    date: String,
    time: String,
}

pub async fn move_appointment(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let id: AppointmentId = id.parse().map_err(|_| AdminError::NotFound)?;
    let current = state.scheduler.appointment(org, id).await?;
    let start = parse_start(&format!("{}T{}", form.date, form.time), org.time_zone.tz())
        .map_err(|e| AdminError::BadRequest(e.to_string()))?;
    let request = RescheduleRequest {
        start,
        provider: None,
        operatory: None,
    };
    let query = CalendarQuery {
        date: Some(form.date.clone()),
        ..CalendarQuery::default()
    };
    match state
        .scheduler
        .reschedule(org, id, request, Utc::now())
        .await
    {
        Ok(moved) => {
            metrics::rescheduled(org.slug.as_str(), metrics::Source::Console);
            let zone = org.time_zone.tz();
            let detail = format!(
                "appointment {id} from {} to {}",
                day_and_clock(current.start, zone),
                day_and_clock(moved.start, zone)
            );
            state
                .staff
                .record(org.id, &staff.staff.session.user, "moved", &detail)
                .await?;
            Ok(Redirect::to(&format!(
                "/admin/{}/calendar?date={}&done=moved",
                org.slug, form.date
            ))
            .into_response())
        }
        Err(err) => {
            refused(
                &state,
                &staff,
                &query,
                err,
                current.appointment_type,
                Some(current.provider),
                start,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    csrf: Option<String>,
    reason: Option<String>,
}

pub async fn cancel(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<CancelForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let id: AppointmentId = id.parse().map_err(|_| AdminError::NotFound)?;
    let reason = form.reason.filter(|r| !r.trim().is_empty());
    let cancelled = state.scheduler.cancel(org, id, reason, Utc::now()).await?;
    metrics::cancelled(org.slug.as_str(), metrics::Source::Console);
    let date = cancelled
        .start
        .with_timezone(&org.time_zone.tz())
        .date_naive();
    state
        .staff
        .record(
            org.id,
            &staff.staff.session.user,
            "cancelled",
            &format!("appointment {id}"),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/admin/{}/calendar?date={date}&done=cancelled",
        org.slug
    ))
    .into_response())
}

/// The calendar again, with the reason and the free times nearest to what was asked.
async fn refused(
    state: &AppState,
    staff: &ClinicStaff,
    query: &CalendarQuery,
    err: ServiceError,
    kind: AppointmentTypeId,
    provider: Option<ProviderId>,
    wanted: DateTime<Utc>,
) -> Result<Response, AdminError> {
    let status = match &err {
        ServiceError::NotFound(_) => return Err(AdminError::NotFound),
        ServiceError::Store(e) => return Err(AdminError::Internal(e.to_string())),
        // As the Booking API answers: taken is a conflict, anything else a bad request.
        ServiceError::Conflict(_)
        | ServiceError::Unavailable(
            SlotProblem::ProviderBusy
            | SlotProblem::PatientBusy
            | SlotProblem::OperatoryBusy
            | SlotProblem::NoFreeOperatory,
        ) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let day = wanted.with_timezone(&zone).date_naive();
    let search = SlotSearch {
        appointment_type: kind,
        from: day,
        to: day + Duration::days(6),
        provider,
        patient: None,
        limit: Some(200),
    };
    let mut slots = state
        .scheduler
        .open_slots(org, &search, Utc::now())
        .await
        .unwrap_or_default();
    slots.sort_by_key(|s| (s.start - wanted).num_seconds().abs());
    let nearest = slots
        .iter()
        .take(3)
        .map(|s| day_and_clock(s.start, zone))
        .collect();
    let page = calendar(
        state,
        staff,
        query,
        Some(Refusal {
            problem: err.to_string(),
            nearest,
        }),
    )
    .await?;
    Ok((status, render(&page)).into_response())
}
