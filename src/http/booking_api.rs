//! The Booking API under `/api/booking`: what a clinic's own systems call. The clinic is always
//! the API key's; ids in paths and bodies are looked up inside it, so another clinic's ids are
//! simply not found.

use crate::telemetry::metrics;
use std::str::FromStr;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::api_auth::ApiOrg;
use super::extract::{ApiJson, ApiPath, ApiQuery, json_body};
use super::{ApiError, AppState};
use crate::booking::AppointmentFilter;
use crate::booking::day_start;
use crate::booking::{
    Appointment, AppointmentId, AppointmentTypeId, BookRequest, Catalogue, NamedAppointment,
    NamedSlot, NewPatient, OperatoryId, Patient, PatientId, PatientLookup, PhoneNumber, ProviderId,
    RescheduleRequest, SlotSearch, parse_date, parse_start,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clinic", get(clinic))
        .route("/providers", get(providers))
        .route("/operatories", get(operatories))
        .route("/appointment-types", get(appointment_types))
        .route("/patients", get(find_patients).post(create_patient))
        .route("/patients/{id}", get(patient))
        .route("/slots", get(slots))
        .route("/appointments", get(list_appointments).post(book))
        .route("/appointments/{id}", get(appointment))
        .route("/appointments/{id}/reschedule", post(reschedule))
        .route("/appointments/{id}/cancel", post(cancel))
}

fn id<T: FromStr<Err = crate::booking::BookingError>>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(ApiError::from)
}

fn optional_id<T: FromStr<Err = crate::booking::BookingError>>(
    raw: &Option<String>,
) -> Result<Option<T>, ApiError> {
    raw.as_deref().map(id).transpose()
}

#[derive(Serialize)]
struct List<T> {
    items: Vec<T>,
}

async fn catalogue(state: &AppState, org: &ApiOrg) -> Result<Catalogue, ApiError> {
    Ok(state.scheduler.catalogue(&org.0).await?)
}

async fn clinic(
    State(state): State<AppState>,
    org: ApiOrg,
) -> Result<Json<serde_json::Value>, ApiError> {
    let settings = catalogue(&state, &org).await?.settings;
    let now = Utc::now();
    Ok(Json(serde_json::json!({
        "id": org.0.id,
        "name": org.0.name,
        "slug": org.0.slug,
        "time_zone": org.0.time_zone,
        "today": org.0.time_zone.local(now).date_naive(),
        "settings": settings,
    })))
}

async fn providers(
    State(state): State<AppState>,
    org: ApiOrg,
) -> Result<Json<List<crate::booking::Provider>>, ApiError> {
    Ok(Json(List {
        items: catalogue(&state, &org).await?.providers,
    }))
}

async fn operatories(
    State(state): State<AppState>,
    org: ApiOrg,
) -> Result<Json<List<crate::booking::Operatory>>, ApiError> {
    Ok(Json(List {
        items: catalogue(&state, &org).await?.operatories,
    }))
}

async fn appointment_types(
    State(state): State<AppState>,
    org: ApiOrg,
) -> Result<Json<List<crate::booking::AppointmentType>>, ApiError> {
    Ok(Json(List {
        items: catalogue(&state, &org).await?.appointment_types,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatientQuery {
    phone: Option<String>,
    last_name: Option<String>,
    first_name: Option<String>,
    birth_date: Option<String>,
}

async fn find_patients(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(query): ApiQuery<PatientQuery>,
) -> Result<Json<List<Patient>>, ApiError> {
    let found = match (&query.phone, &query.last_name, &query.birth_date) {
        (Some(phone), None, None) if query.first_name.is_none() => {
            let phone = PhoneNumber::parse(phone)?;
            state
                .scheduler
                .find_patients(&org.0, PatientLookup::Phone(&phone))
                .await?
        }
        (None, Some(last_name), Some(birth_date)) => {
            let birth_date = parse_date(birth_date, "birth_date")?;
            let lookup = PatientLookup::Name {
                last_name,
                first_name: query.first_name.as_deref(),
                birth_date,
            };
            state.scheduler.find_patients(&org.0, lookup).await?
        }
        _ => {
            return Err(ApiError::Validation(
                "search by phone, or by last_name and birth_date (first_name optional)".into(),
            ));
        }
    };
    Ok(Json(List { items: found }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatePatient {
    first_name: String,
    last_name: String,
    birth_date: String,
    phone: Option<String>,
    email: Option<String>,
}

async fn create_patient(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiJson(body): ApiJson<CreatePatient>,
) -> Result<(StatusCode, Json<Patient>), ApiError> {
    let now = Utc::now();
    let phone = body
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(PhoneNumber::parse)
        .transpose()?;
    let new = NewPatient::new(
        &body.first_name,
        &body.last_name,
        parse_date(&body.birth_date, "birth_date")?,
        phone,
        body.email.as_deref(),
        org.0.time_zone.local(now).date_naive(),
    )?;
    let patient = state.scheduler.create_patient(&org.0, new, now).await?;
    Ok((StatusCode::CREATED, Json(patient)))
}

async fn patient(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(raw): ApiPath,
) -> Result<Json<Patient>, ApiError> {
    Ok(Json(state.scheduler.patient(&org.0, id(&raw)?).await?))
}

/// An appointment with the names beside its ids, and its start also on the clinic's clock.
#[derive(Serialize)]
struct AppointmentView {
    #[serde(flatten)]
    appointment: NamedAppointment,
    local_start: NaiveDateTime,
}

fn view(zone: Tz, appointment: NamedAppointment) -> AppointmentView {
    AppointmentView {
        local_start: appointment
            .appointment
            .start
            .with_timezone(&zone)
            .naive_local(),
        appointment,
    }
}

/// A write's appointment, answered with its names.
async fn named_view(
    state: &AppState,
    org: &ApiOrg,
    appointment: Appointment,
) -> Result<AppointmentView, ApiError> {
    let named = state.scheduler.with_names(&org.0, appointment).await?;
    Ok(view(org.0.time_zone.tz(), named))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotParams {
    appointment_type_id: String,
    from: String,
    to: Option<String>,
    provider_id: Option<String>,
    patient_id: Option<String>,
    limit: Option<usize>,
}

async fn slots(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> Result<Json<List<NamedSlot>>, ApiError> {
    let from = parse_date(&params.from, "from")?;
    let to = params
        .to
        .as_deref()
        .map(|t| parse_date(t, "to"))
        .transpose()?
        .unwrap_or(from);
    let search = SlotSearch {
        appointment_type: id::<AppointmentTypeId>(&params.appointment_type_id)?,
        from,
        to,
        provider: optional_id::<ProviderId>(&params.provider_id)?,
        patient: optional_id::<PatientId>(&params.patient_id)?,
        limit: Some(match params.limit.unwrap_or(50) {
            limit @ 1..=500 => limit,
            _ => return Err(ApiError::Validation("limit is 1 to 500".into())),
        }),
    };
    let slots = state
        .scheduler
        .open_slots(&org.0, &search, Utc::now())
        .await?;
    Ok(Json(List {
        items: state.scheduler.name_slots(&org.0, slots).await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppointmentParams {
    patient_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn list_appointments(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiQuery(params): ApiQuery<AppointmentParams>,
) -> Result<Json<List<AppointmentView>>, ApiError> {
    let zone = org.0.time_zone.tz();
    let filter = match (&params.patient_id, &params.from) {
        (Some(patient), None) if params.to.is_none() => AppointmentFilter::Patient(id(patient)?),
        (None, Some(from)) => {
            let from = parse_date(from, "from")?;
            let to = params
                .to
                .as_deref()
                .map(|t| parse_date(t, "to"))
                .transpose()?
                .unwrap_or(from);
            if to < from || (to - from).num_days() > 366 {
                return Err(ApiError::Validation(
                    "'to' must be on or after 'from', at most a year later".into(),
                ));
            }
            let midnight = |date: chrono::NaiveDate| {
                day_start(date, zone)
                    .ok_or_else(|| ApiError::Validation(format!("date {date} is out of range")))
            };
            AppointmentFilter::Between(midnight(from)?, midnight(to + Duration::days(1))?)
        }
        _ => {
            return Err(ApiError::Validation(
                "list by patient_id, or by from (and to) dates in the clinic's zone".into(),
            ));
        }
    };
    let items = state.scheduler.named_appointments(&org.0, filter).await?;
    Ok(Json(List {
        items: items.into_iter().map(|a| view(zone, a)).collect(),
    }))
}

async fn appointment(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(raw): ApiPath,
) -> Result<Json<AppointmentView>, ApiError> {
    let appointment = state.scheduler.named_appointment(&org.0, id(&raw)?).await?;
    Ok(Json(view(org.0.time_zone.tz(), appointment)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateAppointment {
    patient_id: String,
    appointment_type_id: String,
    provider_id: String,
    start: String,
    operatory_id: Option<String>,
    note: Option<String>,
    idempotency_key: Option<String>,
}

fn idempotency_key(headers: &HeaderMap, body: Option<String>) -> Result<Option<String>, ApiError> {
    let header = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::Validation("Idempotency-Key must be text".into()))
        })
        .transpose()?;
    let key = match (header, body) {
        (Some(h), Some(b)) if h != b => {
            return Err(ApiError::Validation(
                "Idempotency-Key header and idempotency_key differ".into(),
            ));
        }
        (h, b) => h.or(b),
    };
    match key.map(|k| k.trim().to_owned()) {
        Some(k) if k.is_empty() || k.len() > 200 => Err(ApiError::Validation(
            "an idempotency key is 1 to 200 characters".into(),
        )),
        key => Ok(key),
    }
}

async fn book(
    State(state): State<AppState>,
    org: ApiOrg,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateAppointment>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    let zone = org.0.time_zone.tz();
    let request = BookRequest {
        patient: id(&body.patient_id)?,
        appointment_type: id(&body.appointment_type_id)?,
        provider: id(&body.provider_id)?,
        start: parse_start(&body.start, zone)?,
        operatory: optional_id::<OperatoryId>(&body.operatory_id)?,
        note: body.note,
        source: "api".into(),
        idempotency_key: idempotency_key(&headers, body.idempotency_key)?,
        call_id: None,
    };
    let booked = state.scheduler.book(&org.0, request, Utc::now()).await?;
    if booked.created {
        metrics::booked(org.0.slug.as_str(), metrics::Source::Api);
    }
    let status = if booked.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(named_view(&state, &org, booked.appointment).await?),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reschedule {
    start: String,
    provider_id: Option<String>,
    operatory_id: Option<String>,
}

async fn reschedule(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(raw): ApiPath,
    ApiJson(body): ApiJson<Reschedule>,
) -> Result<Json<AppointmentView>, ApiError> {
    let zone = org.0.time_zone.tz();
    let appointment_id: AppointmentId = id(&raw)?;
    let request = RescheduleRequest {
        start: parse_start(&body.start, zone)?,
        provider: optional_id(&body.provider_id)?,
        operatory: optional_id(&body.operatory_id)?,
    };
    let moved = state
        .scheduler
        .reschedule(&org.0, appointment_id, request, Utc::now())
        .await?;
    metrics::rescheduled(org.0.slug.as_str(), metrics::Source::Api);
    Ok(Json(named_view(&state, &org, moved).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Cancel {
    reason: Option<String>,
}

/// The body is optional: an empty one cancels without a reason.
async fn cancel(
    State(state): State<AppState>,
    org: ApiOrg,
    ApiPath(raw): ApiPath,
    body: axum::body::Bytes,
) -> Result<Json<AppointmentView>, ApiError> {
    let appointment_id: AppointmentId = id(&raw)?;
    let body: Cancel = if body.iter().all(u8::is_ascii_whitespace) {
        Cancel::default()
    } else {
        json_body(&body)?
    };
    let reason = body.reason;
    let cancelled = state
        .scheduler
        .cancel(&org.0, appointment_id, reason, Utc::now())
        .await?;
    metrics::cancelled(org.0.slug.as_str(), metrics::Source::Api);
    Ok(Json(named_view(&state, &org, cancelled).await?))
}
