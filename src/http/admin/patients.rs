//! Patients: search by name, phone or birth date; a patient's page with their details and
//! appointments; changing their phone and email (recorded as a staff action).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::auth::{ClinicStaff, check_csrf};
use super::view::{Frame, dated_clock};
use super::{AdminError, render};
use crate::booking::{
    AppointmentFilter, Patient, PatientContact, PatientId, PatientSearch, PhoneNumber, parse_date,
};
use crate::http::AppState;

/// The most patients one search lists.
const RESULTS: i64 = 50;

pub struct Found {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub phone: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "admin/patients.html")]
struct PatientsPage {
    frame: Frame,
    query: String,
    searched: bool,
    error: Option<String>,
    patients: Vec<Found>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// What the search box holds: a phone number, a birth date, or a name ("Last", "Last, First"
/// or "First Last").
#[derive(Debug, PartialEq)]
enum Wanted<'a> {
    Phone(PhoneNumber),
    BirthDate(NaiveDate),
    /// (last name, first name) readings of the text, tried in turn.
    Name(Vec<(&'a str, Option<&'a str>)>),
}

fn wanted(text: &str) -> Result<Wanted<'_>, String> {
    let text = text.trim();
    // YYYY-MM-DD, and what staff type for it (1980-1-2): digits in three parts, year first.
    let parts: Vec<&str> = text.split('-').collect();
    let is_date = parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if is_date {
        return parse_date(text, "birth date")
            .map(Wanted::BirthDate)
            .map_err(|e| e.to_string());
    }
    let phone_like = text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        return PhoneNumber::parse(text)
            .map(Wanted::Phone)
            .map_err(|e| e.to_string());
    }
    if let Some((last, first)) = text.split_once(',') {
        let first = Some(first.trim()).filter(|f| !f.is_empty());
        return Ok(Wanted::Name(vec![(last.trim(), first)]));
    }
    let mut readings = vec![(text, None)];
    if let Some((first, last)) = text.split_once(char::is_whitespace) {
        readings.push((last.trim(), Some(first)));
    }
    Ok(Wanted::Name(readings))
}

pub async fn search(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AdminError> {
    let org = &staff.org;
    let text = query.q.unwrap_or_default();
    let mut page = PatientsPage {
        frame: Frame::new(&staff, "patients"),
        query: text.trim().to_owned(),
        searched: !text.trim().is_empty(),
        error: None,
        patients: Vec::new(),
    };
    if !page.searched {
        return Ok(render(&page));
    }
    let found: Vec<Patient> = match wanted(&text) {
        Err(message) => {
            page.error = Some(message);
            let mut response = render(&page);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
        Ok(Wanted::Phone(phone)) => {
            let search = PatientSearch::Phone(&phone);
            state
                .scheduler
                .search_patients(org, search, RESULTS)
                .await?
        }
        Ok(Wanted::BirthDate(date)) => {
            let search = PatientSearch::BirthDate(date);
            state
                .scheduler
                .search_patients(org, search, RESULTS)
                .await?
        }
        Ok(Wanted::Name(readings)) => {
            let mut all: Vec<Patient> = Vec::new();
            for (last_name, first_name) in readings {
                let search = PatientSearch::Name {
                    last_name,
                    first_name,
                };
                match state.scheduler.search_patients(org, search, RESULTS).await {
                    Ok(found) => all.extend(found),
                    Err(crate::booking::ServiceError::Invalid(message)) => {
                        page.error = Some(message);
                        let mut response = render(&page);
                        *response.status_mut() = StatusCode::BAD_REQUEST;
                        return Ok(response);
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            // A patient two readings both find is listed once, where the first put them.
            let mut seen = std::collections::HashSet::new();
            all.retain(|p| seen.insert(p.id));
            all.truncate(RESULTS as usize);
            all
        }
    };
    page.patients = found
        .into_iter()
        .map(|p| Found {
            id: p.id.to_string(),
            name: format!("{} {}", p.first_name, p.last_name),
            birth_date: p.birth_date.to_string(),
            phone: p.phone.map(String::from).unwrap_or_default(),
            email: p.email.unwrap_or_default(),
        })
        .collect();
    Ok(render(&page))
}

pub struct Visit {
    pub when: String,
    pub kind: String,
    pub provider: String,
    pub status: String,
    pub call_id: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/patient.html")]
struct PatientPage {
    frame: Frame,
    id: String,
    name: String,
    birth_date: String,
    phone: String,
    email: String,
    upcoming: Vec<Visit>,
    past: Vec<Visit>,
    /// What the contact form shows: the saved details, or what was sent when it was refused.
    form_phone: String,
    form_email: String,
    errors: Vec<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

fn patient_id(raw: &str) -> Result<PatientId, AdminError> {
    raw.parse().map_err(|_| AdminError::NotFound)
}

pub async fn detail(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Query(saved): Query<Saved>,
) -> Result<Response, AdminError> {
    let patient = state
        .scheduler
        .patient(&staff.org, patient_id(&id)?)
        .await?;
    let mut page = patient_page(&state, &staff, &patient).await?;
    page.saved = saved.saved.is_some();
    Ok(render(&page))
}

async fn patient_page(
    state: &AppState,
    staff: &ClinicStaff,
    patient: &Patient,
) -> Result<PatientPage, AdminError> {
    let org = &staff.org;
    let zone = org.time_zone.tz();
    let catalogue = state.scheduler.catalogue(org).await?;
    let appointments = state
        .scheduler
        .appointments(org, AppointmentFilter::Patient(patient.id))
        .await?;
    let now = Utc::now();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for a in appointments {
        let visit = Visit {
            when: dated_clock(a.start, zone),
            kind: catalogue
                .appointment_types
                .iter()
                .find(|t| t.id == a.appointment_type)
                .map_or_else(String::new, |t| t.name.clone()),
            provider: catalogue
                .providers
                .iter()
                .find(|p| p.id == a.provider)
                .map_or_else(String::new, |p| p.name.clone()),
            status: a.status.as_str().replace('_', " "),
            call_id: a.call_id.clone(),
        };
        if a.start >= now {
            upcoming.push(visit);
        } else {
            past.push(visit);
        }
    }
    // Appointments come oldest first: the past reads newest first.
    past.reverse();
    let phone = patient
        .phone
        .as_ref()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let email = patient.email.clone().unwrap_or_default();
    Ok(PatientPage {
        frame: Frame::new(staff, "patients"),
        id: patient.id.to_string(),
        name: format!("{} {}", patient.first_name, patient.last_name),
        birth_date: patient.birth_date.to_string(),
        form_phone: phone.clone(),
        form_email: email.clone(),
        phone,
        email,
        upcoming,
        past,
        errors: Vec::new(),
        saved: false,
    })
}

#[derive(Deserialize)]
pub struct ContactForm {
    csrf: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

pub async fn update_contact(
    State(state): State<AppState>,
    staff: ClinicStaff,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<ContactForm>,
) -> Result<Response, AdminError> {
    check_csrf(&staff.staff.session.csrf_token, form.csrf.as_deref())?;
    let org = &staff.org;
    let patient = state.scheduler.patient(org, patient_id(&id)?).await?;
    let (phone, email) = (
        form.phone.unwrap_or_default(),
        form.email.unwrap_or_default(),
    );
    let contact = match PatientContact::parse(&phone, &email) {
        Ok(contact) => contact,
        Err(problems) => {
            let mut page = patient_page(&state, &staff, &patient).await?;
            page.errors = problems.iter().map(ToString::to_string).collect();
            page.form_phone = phone;
            page.form_email = email;
            let mut response = render(&page);
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let result = state
        .scheduler
        .update_patient_contact(org, patient.id, contact, Utc::now())
        .await?;
    if !result.changed.is_empty() {
        let detail = format!("patient {}: {}", patient.id, result.changed.join(", "));
        if let Err(err) = state
            .staff
            .record(
                org.id,
                &staff.staff.session.user,
                "edited contact details",
                &detail,
            )
            .await
        {
            tracing::error!(error = %err, "[console] a staff action was not recorded");
        }
    }
    Ok(Redirect::to(&format!(
        "/admin/{}/patients/{}?saved=1",
        org.slug, patient.id
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_reads_phones_dates_and_names() {
        assert_eq!(
            wanted(" (555) 201-7000 "),
            Ok(Wanted::Phone(PhoneNumber::parse("+15552017000").unwrap()))
        );
        assert_eq!(
            wanted("1980-01-02"),
            Ok(Wanted::BirthDate(
                NaiveDate::from_ymd_opt(1980, 1, 2).unwrap()
            ))
        );
        assert_eq!(
            wanted("1980-1-2"),
            Ok(Wanted::BirthDate(
                NaiveDate::from_ymd_opt(1980, 1, 2).unwrap()
            ))
        );
        assert!(wanted("1980-02-30").is_err_and(|e| e.contains("birth date")));
        assert!(wanted("555-201-7000").is_ok_and(|w| matches!(w, Wanted::Phone(_))));
        assert!(wanted("12345").is_err(), "too short for a phone number");
        assert_eq!(wanted("Quist"), Ok(Wanted::Name(vec![("Quist", None)])));
        assert_eq!(
            wanted("Quist, Ann"),
            Ok(Wanted::Name(vec![("Quist", Some("Ann"))]))
        );
        assert_eq!(
            wanted("Ann Quist"),
            Ok(Wanted::Name(vec![
                ("Ann Quist", None),
                ("Quist", Some("Ann"))
            ]))
        );
        assert_eq!(
            wanted("van der Berg"),
            Ok(Wanted::Name(vec![
                ("van der Berg", None),
                ("der Berg", Some("van"))
            ]))
        );
    }
}
