//! The Booking API over real HTTP against the real server: what clinics' systems do, and what
//! is in the database afterwards.

use crate::common;

use ascendia::booking::AppointmentFilter;
use ascendia::booking::AppointmentStatus;
use ascendia::store::TxMode;
use chrono::Weekday;
use common::{Api, TestApp};
use serde_json::{Value, json};

const ZONE: &str = "America/New_York";

struct Demo {
    app: TestApp,
    api: Api,
    cleaning: String,
    filling: String,
    maria: String,
    chen: String,
}

async fn demo() -> Demo {
    let app = TestApp::spawn().await;
    let api = app.api("demo").await;
    Demo {
        cleaning: api.id_of("/appointment-types", "Cleaning").await,
        filling: api.id_of("/appointment-types", "Filling").await,
        maria: api.id_of("/providers", "Maria Lopez").await,
        chen: api.id_of("/providers", "Dr. Sarah Chen").await,
        app,
        api,
    }
}

async fn new_patient(api: &Api, first: &str, phone: &str) -> String {
    let (status, body) = api
        .post(
            "/patients",
            json!({"first_name": first, "last_name": "Rivera", "birth_date": "1980-05-17", "phone": phone}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("patient id").to_owned()
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

async fn count_appointments(app: &TestApp, slug: &str, patient: &str) -> usize {
    let org = app.org(slug).await;
    let mut tx = app.store.clinic(org.id, TxMode::Read).await.expect("tx");
    let patient = patient.parse().expect("patient id");
    tx.appointments(AppointmentFilter::Patient(patient))
        .await
        .expect("appointments")
        .len()
}

#[tokio::test]
async fn a_patient_books_reschedules_and_cancels() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "(555) 201-0123").await;

    // Found by phone in any format, and by name and birth date.
    let (status, found) = d.api.get("/patients?phone=%2B1%20555%20201%200123").await;
    assert_eq!(status, 200);
    assert_eq!(found["items"][0]["id"], ann.as_str());
    assert_eq!(found["items"][0]["phone"], "+15552010123");
    let (_, found) = d
        .api
        .get("/patients?last_name=rivera&birth_date=1980-05-17&first_name=ANN")
        .await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));

    // Slots: Maria works 08:00-14:00 in Hygiene 1; the cleaning is 60 minutes.
    let (status, slots) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}&limit=3",
            d.cleaning
        ))
        .await;
    assert_eq!(status, 200, "{slots}");
    let first = &slots["items"][0];
    assert_eq!(first["local_start"], format!("{tuesday}T08:00:00"));
    assert_eq!(first["provider_id"], d.maria.as_str());

    // Book in the clinic's wall-clock time.
    let booking = json!({
        "patient_id": ann, "appointment_type_id": d.cleaning, "provider_id": d.maria,
        "start": format!("{tuesday}T08:00"), "note": "first visit", "idempotency_key": "call-1-book"
    });
    let (status, booked) = d.api.post("/appointments", booking.clone()).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(booked["status"], "scheduled");
    assert_eq!(booked["start"], first["start"]);
    assert_eq!(booked["operatory_id"], first["operatory_id"]);
    let id = booked["id"].as_str().expect("id").to_owned();

    // The same request again books nothing new.
    let (status, again) = d.api.post("/appointments", booking).await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(count_appointments(&d.app, "demo", &ann).await, 1);

    // 08:00 is gone from the slots; 09:00 is there.
    let (_, slots) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}",
            d.cleaning
        ))
        .await;
    let starts: Vec<&str> = slots["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["local_start"].as_str())
        .collect();
    assert!(!starts.contains(&format!("{tuesday}T08:00:00").as_str()));
    assert!(!starts.contains(&format!("{tuesday}T08:45:00").as_str()));
    assert!(starts.contains(&format!("{tuesday}T09:00:00").as_str()));

    // Listed by patient and by date.
    let (_, by_patient) = d.api.get(&format!("/appointments?patient_id={ann}")).await;
    assert_eq!(by_patient["items"][0]["id"], id.as_str());
    let (_, by_date) = d
        .api
        .get(&format!("/appointments?from={tuesday}&to={tuesday}"))
        .await;
    assert_eq!(by_date["items"].as_array().map(Vec::len), Some(1));

    // Reschedule to 10:00; 08:00 is free again.
    let (status, moved) = d
        .api
        .post(
            &format!("/appointments/{id}/reschedule"),
            json!({"start": format!("{tuesday}T10:00")}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["local_start"], format!("{tuesday}T10:00:00"));
    let (_, slots) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}&limit=1",
            d.cleaning
        ))
        .await;
    assert_eq!(
        slots["items"][0]["local_start"],
        format!("{tuesday}T08:00:00")
    );

    // Cancel; cancelling again changes nothing; the slot is free.
    let (status, cancelled) = d
        .api
        .post(
            &format!("/appointments/{id}/cancel"),
            json!({"reason": "feeling better"}),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    let (status, again) = d
        .api
        .post_raw(&format!("/appointments/{id}/cancel"), "")
        .await;
    assert_eq!((status, &again["status"]), (200, &json!("cancelled")));
    let (status, body) = d
        .api
        .post(
            &format!("/appointments/{id}/reschedule"),
            json!({"start": format!("{tuesday}T11:00")}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "conflict"));

    let org = d.app.org("demo").await;
    let stored = d
        .app
        .state
        .scheduler
        .appointment(&org, id.parse().expect("id"))
        .await
        .expect("stored");
    assert_eq!(stored.status, AppointmentStatus::Cancelled);
    assert_eq!(
        stored.note.as_deref(),
        Some("first visit\nCancelled: feeling better")
    );
    let (_, slots) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}&to={tuesday}",
            d.cleaning
        ))
        .await;
    assert_eq!(
        slots["items"].as_array().map(Vec::len),
        Some(21),
        "08:00 to 13:00, all free"
    );
}

#[tokio::test]
async fn conflicts_are_clear_and_the_patient_cannot_be_in_two_places() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "5552010123").await;
    let bob = new_patient(&d.api, "Bob", "5552010124").await;
    let book = |patient: &str, provider: &str, kind: &str, at: &str| {
        json!({"patient_id": patient, "appointment_type_id": kind, "provider_id": provider,
               "start": format!("{tuesday}T{at}")})
    };
    let (status, _) = d
        .api
        .post("/appointments", book(&ann, &d.maria, &d.cleaning, "09:00"))
        .await;
    assert_eq!(status, 201);
    // The same provider at an overlapping time.
    let (status, body) = d
        .api
        .post("/appointments", book(&bob, &d.maria, &d.cleaning, "09:30"))
        .await;
    assert_eq!((status, error_code(&body)), (409, "conflict"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("provider")
    );
    // The same patient with another provider at the same time.
    let (status, body) = d
        .api
        .post("/appointments", book(&ann, &d.chen, &d.filling, "09:00"))
        .await;
    assert_eq!((status, error_code(&body)), (409, "conflict"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("patient")
    );
    // Outside the provider's hours, and a hygienist's appointment with a dentist.
    let (status, body) = d
        .api
        .post("/appointments", book(&bob, &d.maria, &d.cleaning, "15:00"))
        .await;
    assert_eq!((status, error_code(&body)), (400, "validation"), "{body}");
    let (status, body) = d
        .api
        .post("/appointments", book(&bob, &d.chen, &d.cleaning, "09:00"))
        .await;
    assert_eq!((status, error_code(&body)), (400, "validation"), "{body}");
    // The same idempotency key for a different booking.
    let mut first = book(&bob, &d.chen, &d.filling, "13:00");
    first["idempotency_key"] = json!("k-42");
    assert_eq!(d.api.post("/appointments", first).await.0, 201);
    let mut second = book(&bob, &d.chen, &d.filling, "14:00");
    second["idempotency_key"] = json!("k-42");
    let (status, body) = d.api.post("/appointments", second).await;
    assert_eq!((status, error_code(&body)), (409, "conflict"), "{body}");
    assert_eq!(count_appointments(&d.app, "demo", &bob).await, 1);
    // A patient with the same name and birth date twice.
    let (status, body) = d
        .api
        .post(
            "/patients",
            json!({"first_name": "ann", "last_name": "RIVERA", "birth_date": "1980-05-17"}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "conflict"), "{body}");
}

#[tokio::test]
async fn concurrent_requests_for_one_slot_give_one_booking() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let mut patients = Vec::new();
    for i in 0..8 {
        patients.push(new_patient(&d.api, &format!("Caller{i}"), &format!("55520101{i:02}")).await);
    }
    let mut tasks = Vec::new();
    for patient in &patients {
        let api = d.api.clone();
        let body = json!({"patient_id": patient, "appointment_type_id": d.cleaning,
                          "provider_id": d.maria, "start": format!("{tuesday}T11:00")});
        tasks.push(tokio::spawn(async move {
            api.post("/appointments", body).await
        }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            201 => created += 1,
            409 => {
                assert_eq!(error_code(&body), "conflict");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, conflicts), (1, 7));
    let (_, listed) = d
        .api
        .get(&format!("/appointments?from={tuesday}&to={tuesday}"))
        .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "5552010123").await;
    let valid = json!({"patient_id": ann, "appointment_type_id": d.cleaning,
                       "provider_id": d.maria, "start": format!("{tuesday}T09:00")});
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        body[field] = value;
        body
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (with("surprise", json!(1)), 400, "validation"),
        (with("start", json!("next tuesday")), 400, "validation"),
        (with("start", json!("2027-02-30T09:00")), 400, "validation"),
        (with("start", json!("2027-03-14T02:30")), 400, "validation"),
        (with("start", json!("2020-01-07T09:00")), 400, "validation"),
        (with("patient_id", json!("12")), 400, "validation"),
        (
            with("patient_id", json!(uuid::Uuid::new_v4().to_string())),
            404,
            "not_found",
        ),
        (
            with("provider_id", json!(uuid::Uuid::new_v4().to_string())),
            404,
            "not_found",
        ),
        (
            with(
                "appointment_type_id",
                json!(uuid::Uuid::new_v4().to_string()),
            ),
            404,
            "not_found",
        ),
        (
            with("operatory_id", json!(uuid::Uuid::new_v4().to_string())),
            404,
            "not_found",
        ),
        (with("note", json!("x".repeat(2001))), 400, "validation"),
        (with("start", json!(5)), 400, "validation"),
        // Any 5-minute mark of the clinic's clock, not only the offered slot grid.
        (
            with("start", json!(format!("{tuesday}T09:07"))),
            400,
            "validation",
        ),
        (
            with("start", json!(format!("{tuesday}T09:07:00.000"))),
            400,
            "validation",
        ),
        (with("note", json!("a\u{0}b")), 400, "validation"),
    ];
    for (body, status, code) in cases {
        let (got, response) = d.api.post("/appointments", body.clone()).await;
        assert_eq!(
            (got, error_code(&response)),
            (status, code),
            "{body} -> {response}"
        );
        assert!(
            response["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (status, body) = d.api.post_raw("/appointments", "{not json").await;
    assert_eq!((status, error_code(&body)), (400, "validation"));
    assert_eq!(count_appointments(&d.app, "demo", &ann).await, 0);

    let patient_cases = [
        json!({"first_name": "A", "last_name": "B", "birth_date": "1990-13-01"}),
        json!({"first_name": "A", "last_name": "B", "birth_date": "2999-01-01"}),
        json!({"first_name": "A", "last_name": "B", "birth_date": "1990-01-01", "phone": "call me"}),
        json!({"first_name": "A", "last_name": "B", "birth_date": "1990-01-01", "phone": "12345"}),
        json!({"first_name": "", "last_name": "B", "birth_date": "1990-01-01"}),
        json!({"first_name": "A", "last_name": "B", "birth_date": "1990-01-01", "email": "nope"}),
        json!({"first_name": "A", "last_name": "B", "birth_date": "1990-01-01", "org_id": "x"}),
        json!({"first_name": "A", "birth_date": "1990-01-01"}),
    ];
    for body in patient_cases {
        let (status, response) = d.api.post("/patients", body.clone()).await;
        assert_eq!(
            (status, error_code(&response)),
            (400, "validation"),
            "{body} -> {response}"
        );
    }
    let (_, found) = d
        .api
        .get("/patients?last_name=B&birth_date=1990-01-01")
        .await;
    assert_eq!(
        found["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-written"
    );

    for path in [
        "/slots?appointment_type_id=x&from=2027-01-01".to_owned(),
        format!("/slots?appointment_type_id={}&from=2027-01-32", d.cleaning),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-10&to=2027-01-01",
            d.cleaning
        ),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-01&to=2027-12-01",
            d.cleaning
        ),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-01&bogus=1",
            d.cleaning
        ),
        "/patients?phone=abc".to_owned(),
        "/patients?first_name=Ann".to_owned(),
        "/appointments".to_owned(),
        "/appointments/not-a-uuid".to_owned(),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-01&limit=0",
            d.cleaning
        ),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-01&limit=501",
            d.cleaning
        ),
        format!(
            "/slots?appointment_type_id={}&from=2027-01-01&limit=x",
            d.cleaning
        ),
        "/patients?last_name=B%00&birth_date=1990-01-01".to_owned(),
        "/patients?phone=%zz".to_owned(),
    ] {
        let (status, body) = d.api.get(&path).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "validation"),
            "{path} -> {body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("Failed to deserialize"), "{message}");
    }
    let (status, body) = d
        .api
        .get(&format!("/appointments/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
}

#[tokio::test]
async fn the_api_needs_a_valid_key() {
    let d = demo().await;
    let addr = d.app.addr;
    let org = d.app.org("demo").await;
    let cases: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![("Authorization", "Basic dXNlcjpwYXNz".to_owned())],
        vec![("Authorization", "Bearer nope".to_owned())],
        vec![("Authorization", format!("Bearer asc_{}", "0".repeat(64)))],
        // An org id in a header names nothing.
        vec![("X-Org-Id", org.id.to_string())],
    ];
    for headers in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) =
            common::http_request(addr, "GET", "/api/booking/providers", &headers, None).await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "unauthorized"),
            "{headers:?}"
        );
    }
    // A revoked key stops working at once.
    let prefix = &d.api.key[..12];
    assert!(
        d.app
            .store
            .revoke_api_key(org.id, prefix)
            .await
            .expect("revoke")
    );
    let (status, _) = d.api.get("/providers").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn rescheduling_checks_the_new_time_and_a_failed_move_changes_nothing() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "5552010123").await;
    let bob = new_patient(&d.api, "Bob", "5552010124").await;
    let book = |patient: &str, at: &str| {
        json!({"patient_id": patient, "appointment_type_id": d.filling, "provider_id": d.chen,
               "start": format!("{tuesday}T{at}")})
    };
    let (_, mine) = d.api.post("/appointments", book(&ann, "09:00")).await;
    let (_, theirs) = d.api.post("/appointments", book(&bob, "10:00")).await;
    let mine_id = mine["id"].as_str().expect("id");
    assert!(theirs["id"].is_string(), "{theirs}");

    // Moving a little later overlaps only itself: allowed.
    let (status, moved) = d
        .api
        .post(
            &format!("/appointments/{mine_id}/reschedule"),
            json!({"start": format!("{tuesday}T08:30")}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    // Onto Bob's time: refused, and the appointment stays where it was.
    let (status, body) = d
        .api
        .post(
            &format!("/appointments/{mine_id}/reschedule"),
            json!({"start": format!("{tuesday}T09:45")}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "conflict"), "{body}");
    let (_, still) = d.api.get(&format!("/appointments/{mine_id}")).await;
    assert_eq!(still["local_start"], format!("{tuesday}T08:30:00"));
    // To another dentist at Bob's time: allowed (Dr. Patel works Mon, Wed, Fri only).
    let wednesday = common::next_weekday(ZONE, Weekday::Wed, 3);
    let patel = d.api.id_of("/providers", "Dr. James Patel").await;
    let (status, body) = d
        .api
        .post(
            &format!("/appointments/{mine_id}/reschedule"),
            json!({"start": format!("{tuesday}T10:00"), "provider_id": patel}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "validation"),
        "Patel is off on Tuesdays: {body}"
    );
    let (status, moved) = d
        .api
        .post(
            &format!("/appointments/{mine_id}/reschedule"),
            json!({"start": format!("{wednesday}T10:00"), "provider_id": patel}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["provider_id"], patel.as_str());
    let op2 = d.api.id_of("/operatories", "Op 2").await;
    assert_eq!(
        moved["operatory_id"],
        op2.as_str(),
        "Patel's schedule names Op 2"
    );
    // The same move again is a no-op.
    let (status, again) = d
        .api
        .post(
            &format!("/appointments/{mine_id}/reschedule"),
            json!({"start": format!("{wednesday}T10:00"), "provider_id": patel}),
        )
        .await;
    assert_eq!((status, &again["updated_at"]), (200, &moved["updated_at"]));
}

/// Issue 12, finding 1: dates at chrono's limits used to panic the request task (an empty
/// reply). Any date outside the years 1900 to 2200 is a validation error, and nothing is
/// written.
#[tokio::test]
async fn dates_outside_the_years_served_are_refused_and_change_nothing() {
    let d = demo().await;
    let patient = new_patient(&d.api, "Ilse", "+15552017001").await;
    for path in [
        "/appointments?from=%2B262142-12-31".to_owned(),
        "/appointments?from=2026-12-01&to=%2B262142-12-31".to_owned(),
        format!(
            "/slots?appointment_type_id={}&from=%2B262142-12-30",
            d.cleaning
        ),
        format!("/slots?appointment_type_id={}&from=1899-12-31", d.cleaning),
    ] {
        let (status, body) = d.api.get(&path).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "validation"),
            "{path}: {body}"
        );
    }
    for start in [
        "-262143-01-01T10:00",
        "+262142-12-31T10:00",
        "+262142-12-31T10:00:00Z",
    ] {
        let (status, body) = d
            .api
            .post(
                "/appointments",
                json!({"patient_id": patient, "appointment_type_id": d.cleaning,
                       "provider_id": d.maria, "start": start}),
            )
            .await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "validation"),
            "{start}: {body}"
        );
    }
    assert_eq!(count_appointments(&d.app, "demo", &patient).await, 0);
    let auth = format!("Bearer {}", d.api.key);
    for path in [
        "/api/calls?to=%2B262142-12-31",
        "/api/messages?from=-262143-01-01",
    ] {
        let (status, body) =
            common::http_request(d.app.addr, "GET", path, &[("Authorization", &auth)], None).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "validation"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn a_start_with_seconds_or_fractions_is_read_to_the_minute_and_replays_the_same_booking() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "5552010123").await;
    let zone: chrono_tz::Tz = ZONE.parse().expect("zone");
    let utc_at = |hour: u32| {
        chrono::NaiveDate::parse_from_str(&tuesday, "%Y-%m-%d")
            .expect("date")
            .and_hms_opt(hour, 0, 0)
            .expect("time")
            .and_local_timezone(zone)
            .single()
            .expect("one instant")
            .with_timezone(&chrono::Utc)
    };
    let starts = [
        (9, format!("{tuesday}T09:00:00.123"), "a local fraction"),
        (10, format!("{tuesday}T10:00:59"), "local seconds"),
        (
            11,
            utc_at(11)
                .format("%Y-%m-%dT%H:%M:00.123456789Z")
                .to_string(),
            "nanoseconds",
        ),
        (
            13,
            utc_at(13).format("%Y-%m-%dT%H:%M:00.999+00:00").to_string(),
            "an offset and a fraction",
        ),
    ];
    for (hour, start, what) in starts {
        let body = json!({"patient_id": ann, "appointment_type_id": d.cleaning,
                          "provider_id": d.maria, "start": start,
                          "idempotency_key": format!("minute-{hour}")});
        let (status, first) = d.api.post("/appointments", body.clone()).await;
        assert_eq!(status, 201, "{what}: {first}");
        assert_eq!(
            first["local_start"],
            format!("{tuesday}T{hour:02}:00:00"),
            "{what}"
        );
        let (status, again) = d.api.post("/appointments", body).await;
        assert_eq!(status, 200, "{what}: a replay, not a conflict: {again}");
        assert_eq!(again["id"], first["id"]);
        let id = first["id"].as_str().expect("id");
        let (_, stored) = d.api.get(&format!("/appointments/{id}")).await;
        assert_eq!(
            stored["start"], first["start"],
            "{what}: the answer is what was stored"
        );
    }
    assert_eq!(count_appointments(&d.app, "demo", &ann).await, 4);
}

#[tokio::test]
async fn appointment_and_slot_answers_name_what_their_ids_refer_to() {
    let d = demo().await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let ann = new_patient(&d.api, "Ann", "(555) 201-0124").await;
    let names = |body: &Value| {
        (
            body["patient_name"].as_str().unwrap_or("-").to_owned(),
            body["provider_name"].as_str().unwrap_or("-").to_owned(),
            body["operatory_name"].as_str().unwrap_or("-").to_owned(),
            body["appointment_type_name"]
                .as_str()
                .unwrap_or("-")
                .to_owned(),
        )
    };
    let expected = |chair: &str| {
        (
            "Ann Rivera".to_owned(),
            "Maria Lopez".to_owned(),
            chair.to_owned(),
            "Cleaning".to_owned(),
        )
    };

    let (status, slots) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={tuesday}&limit=2",
            d.cleaning
        ))
        .await;
    assert_eq!(status, 200, "{slots}");
    let slot = &slots["items"][0];
    assert_eq!(slot["provider_id"], d.maria.as_str(), "ids stay");
    assert_eq!(slot["provider_name"], "Maria Lopez", "{slot}");
    assert_eq!(slot["operatory_name"], "Hygiene 1");

    let (status, booked) = d
        .api
        .post(
            "/appointments",
            json!({"patient_id": ann, "appointment_type_id": d.cleaning,
                   "provider_id": d.maria, "start": format!("{tuesday}T08:00")}),
        )
        .await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(names(&booked), expected("Hygiene 1"), "{booked}");
    assert_eq!(booked["patient_id"], ann.as_str(), "ids stay");
    assert_eq!(booked["provider_id"], d.maria.as_str());
    assert!(booked["operatory_id"].is_string() && booked["appointment_type_id"].is_string());
    let id = booked["id"].as_str().expect("id").to_owned();

    let (_, one) = d.api.get(&format!("/appointments/{id}")).await;
    assert_eq!(names(&one), expected("Hygiene 1"), "{one}");
    for listing in [
        format!("/appointments?patient_id={ann}"),
        format!("/appointments?from={tuesday}"),
    ] {
        let (status, page) = d.api.get(&listing).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(names(&page["items"][0]), expected("Hygiene 1"), "{listing}");
    }

    let (status, moved) = d
        .api
        .post(
            &format!("/appointments/{id}/reschedule"),
            json!({"start": format!("{tuesday}T10:00")}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["local_start"], format!("{tuesday}T10:00:00"));
    assert_eq!(names(&moved), expected("Hygiene 1"), "{moved}");
    let (status, cancelled) = d
        .api
        .post(&format!("/appointments/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(names(&cancelled), expected("Hygiene 1"));
}
