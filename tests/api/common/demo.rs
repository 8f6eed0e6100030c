//! Calls to the demo clinic (examples/clinics/demo.toml) and what they leave in its records:
//! Maria Lopez (hygienist) Mon-Fri 8-14; Dr. Sarah Chen Mon-Thu 8-12 and 13-17, Fri 8-14;
//! Dr. James Patel Mon, Wed, Fri 9-14; cleaning and filling 60 minutes, emergency visit 30.

use ascendia::booking::AppointmentFilter;
use ascendia::booking::{
    Appointment, BookRequest, NewPatient, Patient, PatientId, PatientLookup, PhoneNumber,
};
use ascendia::client::{CallOptions, script};
use chrono::{NaiveDate, Utc, Weekday};

use super::{TIMEOUT, TestApp};

pub const ZONE: &str = "America/New_York";
/// The number a test caller dials from unless a conversation says otherwise.
pub const UNKNOWN_CALLER: &str = "+15555550100";

/// The next `weekday` after the clinic's today.
pub fn next(weekday: Weekday) -> NaiveDate {
    super::next_weekday(ZONE, weekday, 1).parse().expect("date")
}

/// "Tuesday, December 8", as the receptionist says dates.
pub fn spoken(date: NaiveDate) -> String {
    date.format("%A, %B %-d").to_string()
}

/// Plays a scripted caller from `caller` over the real WebSocket; on a failed expectation,
/// panics with the whole conversation.
pub async fn talk(app: &TestApp, caller: &str, script_text: &str) -> script::Transcript {
    let steps = script::parse(script_text).expect("script parses");
    let mut options = CallOptions::default();
    options.call.from_number = Some(caller.to_owned());
    let url = app.ws(&format!(
        "/llm-websocket/demo/call-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mut log = Vec::new();
    let result = script::run_with(&url, options, &steps, TIMEOUT, |line| {
        log.push(line.to_owned())
    })
    .await;
    match result {
        Ok(transcript) => transcript,
        Err(err) => panic!("{err}\n--- conversation ---\n{}", log.join("\n")),
    }
}

/// A patient on file with this phone number.
pub async fn patient(
    app: &TestApp,
    first: &str,
    last: &str,
    birth: (i32, u32, u32),
    phone: &str,
) -> PatientId {
    let org = app.org("demo").await;
    let birth = NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("birth date");
    let new = NewPatient::new(
        first,
        last,
        birth,
        Some(PhoneNumber::parse(phone).expect("phone")),
        None,
        Utc::now().date_naive(),
    )
    .expect("valid patient");
    app.state
        .scheduler
        .create_patient(&org, new, Utc::now())
        .await
        .expect("patient")
        .id
}

pub async fn find(
    app: &TestApp,
    first: &str,
    last: &str,
    birth: (i32, u32, u32),
) -> Option<Patient> {
    let org = app.org("demo").await;
    let birth = NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("birth date");
    let lookup = PatientLookup::Name {
        last_name: last,
        first_name: Some(first),
        birth_date: birth,
    };
    app.state
        .scheduler
        .find_patients(&org, lookup)
        .await
        .expect("lookup")
        .into_iter()
        .next()
}

/// Every appointment of the patient, whatever its status.
pub async fn appointments(app: &TestApp, patient: PatientId) -> Vec<Appointment> {
    let org = app.org("demo").await;
    app.state
        .scheduler
        .appointments(&org, AppointmentFilter::Patient(patient))
        .await
        .expect("appointments")
}

/// Books directly through the engine, at the clinic's wall-clock time.
pub async fn book(
    app: &TestApp,
    patient: PatientId,
    kind: &str,
    provider: &str,
    date: NaiveDate,
    hour: u32,
) -> Appointment {
    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let kind = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == kind)
        .expect("type")
        .id;
    let provider = catalogue
        .providers
        .iter()
        .find(|p| p.name == provider)
        .expect("provider")
        .id;
    let start = ascendia::booking::parse_start(&format!("{date}T{hour:02}:00"), org.time_zone.tz())
        .expect("start");
    app.state
        .scheduler
        .book(
            &org,
            BookRequest {
                patient,
                appointment_type: kind,
                provider,
                start,
                operatory: None,
                note: None,
                source: "test".into(),
                idempotency_key: None,
                call_id: None,
            },
            Utc::now(),
        )
        .await
        .expect("booked")
        .appointment
}
