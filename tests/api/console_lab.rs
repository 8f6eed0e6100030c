//! The console's test lab over real HTTP and the real WebSocket: starting a lab call (sign-in,
//! CSRF, another clinic), a lab call marked as a test in the call records, the calls list and
//! the statistics (and kept so by Retell's webhook), its end filed by the page, and undoing what
//! it booked (only that, only in this clinic).

use crate::common;

use std::sync::Arc;

use ascendia::agent::Receptionist;
use ascendia::booking::{AppointmentFilter, AppointmentStatus, PatientId};
use ascendia::client::{CallClient, CallOptions};
use ascendia::retell::signature;
use ascendia::staff::Role;
use chrono::Utc;
use common::console::{Browser, PASSWORD, appointment_now, hidden, user};
use common::demo::patient;
use common::{TIMEOUT, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "key_server_webhook_lab_01";

async fn setup() -> TestApp {
    let app = TestApp::spawn_with(
        |s| s.retell_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret")),
        Arc::new(Receptionist),
    )
    .await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    user(&app, "owner@demo.example", Some(("demo", Role::Owner))).await;
    user(&app, "desk@twin.example", Some(("twin", Role::Staff))).await;
    app
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let page = browser.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

/// Starts a lab call from the lab page as its script does; the server's answer.
async fn start(browser: &mut Browser, slug: &str) -> Value {
    let page = browser.get(&format!("/admin/{slug}/lab")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let started = browser
        .post(&format!("/admin/{slug}/lab/calls"), &[("csrf", &csrf)])
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    serde_json::from_str(&started.body).expect("json")
}

async fn lab_actions(app: &TestApp, slug: &str, action: &str) -> usize {
    let org = app.org(slug).await;
    app.state
        .staff
        .actions(org.id, 500)
        .await
        .expect("actions")
        .iter()
        .filter(|a| a.action == action)
        .count()
}

/// A call as Retell places it, from `from`: greeting, one question, hang up.
async fn place_call(app: &TestApp, path: &str, from: &str) {
    ask(app, path, from, "hi, do you take Delta Dental insurance?").await;
}

async fn ask(app: &TestApp, path: &str, from: &str, words: &str) {
    let mut options = CallOptions::default();
    options.call.from_number = Some(from.into());
    let mut call = CallClient::connect(&app.ws(path), options)
        .await
        .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    call.say(words, TIMEOUT).await.expect("answer");
    call.hang_up().await;
}

#[tokio::test]
async fn starting_a_lab_call_needs_a_signed_in_member_and_the_forms_token() {
    let app = setup().await;

    // Not signed in: to the sign-in page, nothing registered.
    let mut anonymous = Browser::new(&app);
    let page = anonymous.get("/admin/demo/lab").await;
    assert_eq!(page.location.as_deref(), Some("/admin/login"));
    let refused = anonymous.post("/admin/demo/lab/calls", &[]).await;
    assert_eq!(refused.location.as_deref(), Some("/admin/login"));

    // Signed in, without the token or with another: 403.
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let page = desk.get("/admin/demo/lab").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<title>Test lab · Demo Dental</title>"));
    assert!(page.body.contains("/admin/assets/lab.js"));
    assert!(page.body.contains("+15550100000"), "the test number");
    assert!(
        page.body
            .contains(r#"href="/admin/demo/lab" aria-current="page""#)
    );
    let missing = desk.post("/admin/demo/lab/calls", &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = desk
        .post("/admin/demo/lab/calls", &[("csrf", "not-the-token")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(lab_actions(&app, "demo", "started a lab call").await, 0);

    // With it: an unguessable id, the WebSocket path on this host, recorded.
    let started = start(&mut desk, "demo").await;
    let call_id = started["call_id"].as_str().expect("call id").to_owned();
    assert!(
        call_id.starts_with("lab_") && call_id.len() == 68,
        "{call_id}"
    );
    assert_eq!(
        started["websocket"],
        json!(format!("/llm-websocket/demo/{call_id}"))
    );
    assert_eq!(
        started["activity"],
        json!(format!("/admin/demo/lab/calls/{call_id}"))
    );
    let again = start(&mut desk, "demo").await;
    assert_ne!(again["call_id"], started["call_id"]);
    let org = app.org("demo").await;
    let lab = app
        .store
        .lab_call(org.id, &call_id)
        .await
        .expect("read")
        .expect("registered");
    assert!(lab.started_by.is_some());
    assert_eq!(lab_actions(&app, "demo", "started a lab call").await, 2);

    // Before it connects, its activity waits for it.
    let activity = desk.get(&format!("/admin/demo/lab/calls/{call_id}")).await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(activity.body.contains("waiting to connect"));
    assert!(
        activity.body.contains("every 1s"),
        "polls: {}",
        activity.body
    );

    // Another clinic's staff: the lab, its calls and its call's activity are not there.
    let mut twin = signed_in(&app, "desk@twin.example").await;
    for path in [
        "/admin/demo/lab".to_owned(),
        format!("/admin/demo/lab/calls/{call_id}"),
        "/admin/demo/lab/bookings".to_owned(),
    ] {
        let page = twin.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Demo Dental"), "{path}");
    }
    let twin_page = twin.get("/admin/twin/lab").await;
    let twin_csrf = hidden(&twin_page.body, "csrf");
    let refused = twin
        .post("/admin/demo/lab/calls", &[("csrf", &twin_csrf)])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    // Its own lab does not know demo's call either.
    let other = twin.get(&format!("/admin/twin/lab/calls/{call_id}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(lab_actions(&app, "demo", "started a lab call").await, 2);

    // The script is served, cached like htmx.
    let script = reqwest::get(app.http("/admin/assets/lab.js"))
        .await
        .expect("script");
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/javascript")
    );
    assert!(
        script
            .text()
            .await
            .unwrap_or_default()
            .contains("response_required")
    );
}

#[tokio::test]
async fn a_lab_call_is_a_test_in_the_records_and_left_out_of_the_statistics() {
    let app = setup().await;
    let mut owner = signed_in(&app, "owner@demo.example").await;
    let started = start(&mut owner, "demo").await;
    let lab_id = started["call_id"].as_str().expect("id").to_owned();

    // Both ask for a person: only the real call waits in the inbox.
    let person = "Can I speak to a real person please?";
    let lab_path = started["websocket"].as_str().expect("path");
    ask(&app, lab_path, "+15550100000", person).await;
    ask(
        &app,
        "/llm-websocket/demo/real-call-0001",
        "+15552017000",
        person,
    )
    .await;

    let org = app.org("demo").await;
    let from = Utc::now().timestamp_millis() - 3_600_000;
    let to = Utc::now().timestamp_millis() + 60_000;
    assert!(
        common::eventually(TIMEOUT, || async {
            app.state
                .call_log
                .list(org.id, from, to, 10, 0)
                .await
                .is_ok_and(|calls| calls.len() == 2)
        })
        .await
    );
    let calls = app
        .state
        .call_log
        .list(org.id, from, to, 10, 0)
        .await
        .expect("calls");
    let test_of = |id: &str| calls.iter().find(|c| c.call_id == id).map(|c| c.test);
    assert_eq!(test_of(&lab_id), Some(true));
    assert_eq!(test_of("real-call-0001"), Some(false));

    // The calls list marks it; its page says so.
    let list = owner.get("/admin/demo/calls").await;
    let rows: Vec<&str> = list.body.split("<tr>").collect();
    let row = |id: &str| rows.iter().find(|r| r.contains(id)).copied().unwrap_or("");
    assert!(row(&lab_id).contains("badge test"), "{}", list.body);
    assert!(!row("real-call-0001").contains("badge test"));
    let page = owner.get(&format!("/admin/demo/calls/{lab_id}")).await;
    assert!(page.body.contains("badge test"), "{}", page.body);
    let real = owner.get("/admin/demo/calls/real-call-0001").await;
    assert!(!real.body.contains("badge test"));

    // Listed once it has ended (the server sees the hang-up a moment later).
    let mut inbox = owner.get("/admin/demo/inbox").await;
    for _ in 0..50 {
        if inbox.body.contains("real-call-0001") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        inbox = owner.get("/admin/demo/inbox").await;
    }
    assert!(
        inbox
            .body
            .contains("/admin/demo/inbox/calls/real-call-0001/done"),
        "{}",
        inbox.body
    );
    assert!(!inbox.body.contains(&lab_id), "{}", inbox.body);

    // The statistics count the real call only, and say what they left out.
    let stats = owner.get("/admin/demo/statistics?days=7").await;
    assert!(
        stats.body.contains("<dt>Calls</dt><dd>1</dd>"),
        "{}",
        stats.body
    );
    assert!(
        stats
            .body
            .contains("Not counted: 1 test call from the test lab")
    );

    // Retell's webhook about that id (it sends none for a lab call, but if one came) files
    // what it says and leaves the call a test.
    let body = json!({"event": "call_ended", "call": {
        "call_id": lab_id, "call_status": "ended", "from_number": "+15550100000",
        "disconnection_reason": "user_hangup", "end_timestamp": to,
    }});
    let raw = body.to_string();
    let header = signature::sign(raw.as_bytes(), KEY, Utc::now().timestamp_millis());
    let (status, _) = common::http_request(
        app.addr,
        "POST",
        "/api/retell/webhook",
        &[("x-retell-signature", &header)],
        Some(&raw),
    )
    .await;
    assert!(status < 300, "webhook {status}");
    let detail = app
        .state
        .call_log
        .detail(org.id, &lab_id)
        .await
        .expect("read")
        .expect("record");
    assert!(detail.summary.test);
    assert_eq!(
        detail.summary.disconnection_reason.as_deref(),
        Some("user_hangup")
    );

    // A call id no console registered is never a test, whatever its name.
    place_call(
        &app,
        "/llm-websocket/demo/lab_made_up_by_a_caller",
        "+15552017001",
    )
    .await;
    assert!(
        common::eventually(TIMEOUT, || async {
            app.state
                .call_log
                .detail(org.id, "lab_made_up_by_a_caller")
                .await
                .is_ok_and(|d| d.is_some_and(|d| !d.summary.test))
        })
        .await
    );
}

#[tokio::test]
async fn the_page_files_the_end_of_a_lab_call_with_its_transcript() {
    let app = setup().await;
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let started = start(&mut desk, "demo").await;
    let lab_id = started["call_id"].as_str().expect("id").to_owned();
    let end = started["end"].as_str().expect("end").to_owned();
    place_call(
        &app,
        started["websocket"].as_str().expect("path"),
        "+15550100000",
    )
    .await;
    let page = desk.get("/admin/demo/lab").await;
    let csrf = hidden(&page.body, "csrf");
    let transcript = json!([
        {"role": "agent", "content": "Thank you for calling Demo Dental."},
        {"role": "user", "content": "do you take Delta Dental insurance?"},
    ])
    .to_string();

    let refused = desk
        .post(
            &end,
            &[("reason", "user_hangup"), ("transcript", &transcript)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = desk
        .post(&end, &[("csrf", &csrf), ("transcript", "not json")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let org = app.org("demo").await;
    let open = app
        .state
        .call_log
        .detail(org.id, &lab_id)
        .await
        .expect("read");
    // Refused requests filed nothing (the socket's own close may have been recorded).
    assert!(open.is_some_and(|d| d.summary.disconnection_reason.is_none()));

    let ended = desk
        .post(
            &end,
            &[
                ("csrf", &csrf),
                ("reason", "user_hangup"),
                ("transcript", &transcript),
            ],
        )
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.body);
    let detail = app
        .state
        .call_log
        .detail(org.id, &lab_id)
        .await
        .expect("read")
        .expect("record");
    assert_eq!(detail.summary.call_status.as_deref(), Some("ended"));
    assert!(detail.summary.duration_ms.is_some());
    assert_eq!(detail.summary.from_number.as_deref(), Some("+15550100000"));
    let call_page = desk.get(&format!("/admin/demo/calls/{lab_id}")).await;
    assert!(
        call_page
            .body
            .contains("do you take Delta Dental insurance?"),
        "{}",
        call_page.body
    );
    let activity = desk.get(&format!("/admin/demo/lab/calls/{lab_id}")).await;
    assert!(activity.body.contains("ended"));
    assert!(!activity.body.contains("every 1s"), "stops polling");

    // Only lab calls: a real call's end is Retell's to file.
    let real = desk
        .post(
            "/admin/demo/lab/calls/real-call-0002/end",
            &[("csrf", &csrf), ("transcript", "[]")],
        )
        .await;
    assert_eq!(real.status, StatusCode::NOT_FOUND);
}

async fn only_appointment(
    app: &TestApp,
    slug: &str,
    patient: PatientId,
) -> ascendia::booking::Appointment {
    let org = app.org(slug).await;
    let mut found = app
        .state
        .scheduler
        .appointments(&org, AppointmentFilter::Patient(patient))
        .await
        .expect("appointments");
    assert_eq!(found.len(), 1);
    found.remove(0)
}

#[tokio::test]
async fn undo_cancels_that_lab_calls_booking_and_nothing_else() {
    let app = setup().await;
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let started = start(&mut desk, "demo").await;
    let lab_id = started["call_id"].as_str().expect("id").to_owned();
    // What the lab call booked, a real call's booking, and another clinic's lab booking.
    let ann = patient(&app, "Annabel", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    let ben = patient(&app, "Benedict", "Roe", (1981, 2, 3), "+1 555 201 7001").await;
    appointment_now(&app, "demo", ann, Some(&lab_id)).await;
    // An hour on: one provider has one appointment at a time (PostgreSQL enforces it).
    common::console::appointment_later(&app, "demo", ben, Some("real-call-0003"), 60).await;
    let lab_booking = only_appointment(&app, "demo", ann).await;
    let real_booking = only_appointment(&app, "demo", ben).await;

    let mut twin_desk = signed_in(&app, "desk@twin.example").await;
    let twin_lab = start(&mut twin_desk, "twin").await;
    let twin_org = app.org("twin").await;
    let cleo = {
        let new = ascendia::booking::NewPatient::new(
            "Cleo",
            "Stone",
            chrono::NaiveDate::from_ymd_opt(1982, 4, 5).expect("date"),
            None,
            None,
            Utc::now().date_naive(),
        )
        .expect("patient");
        app.state
            .scheduler
            .create_patient(&twin_org, new, Utc::now())
            .await
            .expect("patient")
            .id
    };
    appointment_now(&app, "twin", cleo, twin_lab["call_id"].as_str()).await;
    let twin_booking = only_appointment(&app, "twin", cleo).await;

    // The lab page and the call's activity list the lab booking with Undo, not the others.
    let page = desk.get("/admin/demo/lab").await;
    assert!(page.body.contains("Annabel Quist"), "{}", page.body);
    assert!(!page.body.contains("Benedict Roe"));
    assert!(!page.body.contains("Cleo Stone"));
    let undo = format!("/admin/demo/lab/appointments/{}/undo", lab_booking.id);
    assert!(page.body.contains(&undo));
    let activity = desk.get(&format!("/admin/demo/lab/calls/{lab_id}")).await;
    assert!(activity.body.contains("Annabel Quist") && activity.body.contains(&undo));
    let csrf = hidden(&page.body, "csrf");

    // Without the token: refused, nothing changed.
    let refused = desk.post(&undo, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let status_of = |slug: &'static str, patient| {
        let app = &app;
        async move { only_appointment(app, slug, patient).await.status }
    };
    assert_eq!(status_of("demo", ann).await, AppointmentStatus::Scheduled);

    // A real call's appointment, another clinic's, or nonsense: not there.
    for path in [
        format!("/admin/demo/lab/appointments/{}/undo", real_booking.id),
        format!("/admin/demo/lab/appointments/{}/undo", twin_booking.id),
        "/admin/demo/lab/appointments/not-an-id/undo".to_owned(),
        format!("/admin/twin/lab/appointments/{}/undo", lab_booking.id),
    ] {
        let page = desk.post(&path, &[("csrf", &csrf)]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Twin's staff cannot undo demo's lab booking through either clinic's URL.
    let twin_page = twin_desk.get("/admin/twin/lab").await;
    let twin_csrf = hidden(&twin_page.body, "csrf");
    for path in [
        undo.clone(),
        format!("/admin/twin/lab/appointments/{}/undo", lab_booking.id),
    ] {
        let page = twin_desk.post(&path, &[("csrf", &twin_csrf)]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(status_of("demo", ann).await, AppointmentStatus::Scheduled);
    assert_eq!(status_of("demo", ben).await, AppointmentStatus::Scheduled);
    assert_eq!(status_of("twin", cleo).await, AppointmentStatus::Scheduled);
    assert_eq!(lab_actions(&app, "demo", "undid a lab booking").await, 0);

    // The lab booking: cancelled through the booking service, recorded, back to the lab.
    let done = desk.post(&undo, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/admin/demo/lab"));
    let undone = only_appointment(&app, "demo", ann).await;
    assert_eq!(undone.status, AppointmentStatus::Cancelled);
    assert!(undone.note.unwrap_or_default().contains("test lab"));
    assert_eq!(status_of("demo", ben).await, AppointmentStatus::Scheduled);
    assert_eq!(status_of("twin", cleo).await, AppointmentStatus::Scheduled);
    assert_eq!(lab_actions(&app, "demo", "undid a lab booking").await, 1);
    let page = desk.get("/admin/demo/lab").await;
    assert!(page.body.contains("Annabel Quist"));
    assert!(!page.body.contains(&undo), "no Undo once undone");
    assert!(page.body.contains("status-cancelled"));

    // Undoing again (as from a page left open) changes nothing; htmx hears the lists' event.
    let response = reqwest::Client::new()
        .post(app.http(&undo))
        .header("cookie", desk.cookie_header())
        .header("hx-request", "true")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["hx-trigger"], "lab-changed");
    assert_eq!(lab_actions(&app, "demo", "undid a lab booking").await, 1);
}
