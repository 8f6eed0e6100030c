//! Two clinics with look-alike data: everything done as clinic A, through every Booking API
//! route and every engine function, neither reads nor changes clinic B's rows.

use crate::common;

use ascendia::booking::AppointmentFilter;
use ascendia::booking::{BookRequest, RescheduleRequest, ServiceError, SlotSearch};
use ascendia::store::TxMode;
use chrono::{Duration, Utc, Weekday};
use common::{Api, TestApp};
use serde_json::{Value, json};

struct Clinic {
    api: Api,
    patient: String,
    appointment: String,
    maria: String,
    cleaning: String,
    op: String,
}

async fn setup(app: &TestApp, slug: &str, tuesday: &str) -> Clinic {
    let api = app.api(slug).await;
    let (status, patient) = api
        .post(
            "/patients",
            json!({"first_name": "Ann", "last_name": "Rivera", "birth_date": "1980-05-17",
                   "phone": "+1 555 201 0123"}),
        )
        .await;
    assert_eq!(status, 201, "{patient}");
    let patient = patient["id"].as_str().expect("id").to_owned();
    let maria = api.id_of("/providers", "Maria Lopez").await;
    let cleaning = api.id_of("/appointment-types", "Cleaning").await;
    let op = api.id_of("/operatories", "Hygiene 1").await;
    let (status, booked) = api
        .post(
            "/appointments",
            json!({"patient_id": patient, "appointment_type_id": cleaning, "provider_id": maria,
                   "start": format!("{tuesday}T09:00"), "idempotency_key": "same-key"}),
        )
        .await;
    assert_eq!(status, 201, "{booked}");
    Clinic {
        appointment: booked["id"].as_str().expect("id").to_owned(),
        api,
        patient,
        maria,
        cleaning,
        op,
    }
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Everything clinic B has, as clinic B's own key sees it.
async fn snapshot(b: &Clinic, tuesday: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/providers".to_owned(),
        "/operatories".to_owned(),
        "/appointment-types".to_owned(),
        "/clinic".to_owned(),
        format!("/patients/{}", b.patient),
        format!("/appointments/{}", b.appointment),
        format!("/appointments?from={tuesday}&to={tuesday}"),
    ] {
        let (status, body) = b.api.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        all.push(body);
    }
    all
}

#[tokio::test]
async fn clinic_a_never_reads_or_changes_clinic_b() {
    let app = TestApp::spawn().await;
    let tuesday = common::next_weekday("America/New_York", Weekday::Tue, 3);
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let a = setup(&app, "demo", &tuesday).await;
    let b = setup(&app, "twin", &tuesday).await;
    let before = snapshot(&b, &tuesday).await;

    // Listings: only A's rows, none of B's ids.
    for listing in ["/providers", "/operatories", "/appointment-types"] {
        let (_, mine) = a.api.get(listing).await;
        let (_, theirs) = b.api.get(listing).await;
        let (mine, theirs) = (ids(&mine), ids(&theirs));
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|id| !theirs.contains(id)), "{listing}");
    }
    let (_, found) = a.api.get("/patients?phone=%2B15552010123").await;
    assert_eq!(ids(&found), vec![a.patient.as_str()]);
    let (_, found) = a
        .api
        .get("/patients?last_name=Rivera&birth_date=1980-05-17")
        .await;
    assert_eq!(ids(&found), vec![a.patient.as_str()]);
    let (_, listed) = a
        .api
        .get(&format!("/appointments?from={tuesday}&to={tuesday}"))
        .await;
    assert_eq!(ids(&listed), vec![a.appointment.as_str()]);

    // B's ids, guessed: not found, on every route.
    let not_found_gets = [
        format!("/patients/{}", b.patient),
        format!("/appointments/{}", b.appointment),
        format!("/appointments?patient_id={}", b.patient),
        format!("/slots?appointment_type_id={}&from={tuesday}", b.cleaning),
        format!(
            "/slots?appointment_type_id={}&from={tuesday}&provider_id={}",
            a.cleaning, b.maria
        ),
        format!(
            "/slots?appointment_type_id={}&from={tuesday}&patient_id={}",
            a.cleaning, b.patient
        ),
    ];
    for path in not_found_gets {
        let (status, body) = a.api.get(&path).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
    let book = |patient: &str, kind: &str, provider: &str, op: Option<&str>| {
        let mut body = json!({"patient_id": patient, "appointment_type_id": kind,
                              "provider_id": provider, "start": format!("{tuesday}T11:00")});
        if let Some(op) = op {
            body["operatory_id"] = json!(op);
        }
        body
    };
    let not_found_posts = [
        (
            "/appointments".to_owned(),
            book(&b.patient, &a.cleaning, &a.maria, None),
        ),
        (
            "/appointments".to_owned(),
            book(&a.patient, &b.cleaning, &a.maria, None),
        ),
        (
            "/appointments".to_owned(),
            book(&a.patient, &a.cleaning, &b.maria, None),
        ),
        (
            "/appointments".to_owned(),
            book(&a.patient, &a.cleaning, &a.maria, Some(&b.op)),
        ),
        (format!("/appointments/{}/cancel", b.appointment), json!({})),
        (
            format!("/appointments/{}/reschedule", b.appointment),
            json!({"start": format!("{tuesday}T12:00")}),
        ),
        (
            format!("/appointments/{}/reschedule", a.appointment),
            json!({"start": format!("{tuesday}T12:00"), "provider_id": b.maria}),
        ),
    ];
    for (path, body) in not_found_posts {
        let (status, response) = a.api.post(&path, body.clone()).await;
        assert_eq!(
            (status, response["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path} {body}"
        );
    }

    // B's 09:00 booking does not take A's Maria at 09:00 (A's own booking does).
    let (_, slots) = a
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}&limit=2",
            a.cleaning
        ))
        .await;
    let starts: Vec<&str> = slots["items"]
        .as_array()
        .map(|s| s.iter().filter_map(|x| x["local_start"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        starts,
        [format!("{tuesday}T08:00:00"), format!("{tuesday}T10:00:00")]
    );

    // The same idempotency key in A books in A only, and does not return B's booking.
    let (status, replay) = a
        .api
        .post(
            "/appointments",
            json!({"patient_id": a.patient, "appointment_type_id": a.cleaning, "provider_id": a.maria,
                   "start": format!("{tuesday}T09:00"), "idempotency_key": "same-key"}),
        )
        .await;
    assert_eq!(
        (status, replay["id"].as_str()),
        (200, Some(a.appointment.as_str()))
    );

    assert_eq!(snapshot(&b, &tuesday).await, before, "clinic B unchanged");
}

fn not_found<T>(result: Result<T, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::NotFound(_)))
}

#[tokio::test]
async fn engine_functions_called_as_clinic_a_do_not_see_clinic_b() {
    let app = TestApp::spawn().await;
    let tuesday = common::next_weekday("America/New_York", Weekday::Tue, 3);
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let a = setup(&app, "demo", &tuesday).await;
    let b = setup(&app, "twin", &tuesday).await;
    let org_a = app.org("demo").await;
    let scheduler = &app.state.scheduler;
    let now = Utc::now();

    assert!(not_found(
        scheduler
            .patient(&org_a, b.patient.parse().expect("id"))
            .await
    ));
    assert!(not_found(
        scheduler
            .appointment(&org_a, b.appointment.parse().expect("id"))
            .await
    ));
    assert!(not_found(
        scheduler
            .appointments(
                &org_a,
                AppointmentFilter::Patient(b.patient.parse().expect("id"))
            )
            .await
    ));
    assert!(not_found(
        scheduler
            .cancel(&org_a, b.appointment.parse().expect("id"), None, now)
            .await
    ));
    let start = chrono::DateTime::parse_from_rfc3339(&format!("{tuesday}T17:00:00Z"))
        .expect("start")
        .with_timezone(&Utc);
    assert!(not_found(
        scheduler
            .reschedule(
                &org_a,
                b.appointment.parse().expect("id"),
                RescheduleRequest {
                    start,
                    provider: None,
                    operatory: None
                },
                now,
            )
            .await
    ));
    assert!(not_found(
        scheduler
            .book(
                &org_a,
                BookRequest {
                    patient: b.patient.parse().expect("id"),
                    appointment_type: a.cleaning.parse().expect("id"),
                    provider: a.maria.parse().expect("id"),
                    start,
                    operatory: None,
                    note: None,
                    source: "test".into(),
                    idempotency_key: None,
                    call_id: None,
                },
                now,
            )
            .await
    ));
    let date = chrono::NaiveDate::parse_from_str(&tuesday, "%Y-%m-%d").expect("date");
    assert!(not_found(
        scheduler
            .open_slots(
                &org_a,
                &SlotSearch {
                    appointment_type: b.cleaning.parse().expect("id"),
                    from: date,
                    to: date,
                    provider: None,
                    patient: None,
                    limit: None,
                },
                now,
            )
            .await
    ));

    // The store itself: a transaction opened for A does not return B's rows.
    let mut tx = app.store.clinic(org_a.id, TxMode::Read).await.expect("tx");
    assert!(
        tx.appointment(b.appointment.parse().expect("id"))
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        tx.patient(b.patient.parse().expect("id"))
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        tx.appointment_by_key("same-key")
            .await
            .expect("query")
            .is_some_and(|x| x.id.to_string() == a.appointment)
    );
    let busy = tx
        .busy(start - Duration::days(2), start + Duration::days(2))
        .await
        .expect("busy");
    assert_eq!(busy.len(), 1, "only A's appointment holds time");
    assert!(
        tx.providers()
            .await
            .expect("providers")
            .iter()
            .all(|p| p.id.to_string() != b.maria)
    );

    // And B's appointment is still scheduled.
    let org_b = app.org("twin").await;
    let theirs = scheduler
        .appointment(&org_b, b.appointment.parse().expect("id"))
        .await
        .expect("B's appointment");
    assert_eq!(
        theirs.status,
        ascendia::booking::AppointmentStatus::Scheduled
    );
}
