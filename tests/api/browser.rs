//! The web console in a real browser: headless Chromium driven over WebDriver (fantoccini)
//! against a real server, signing in through the form, the Today board updating itself while
//! a call is on the line, another clinic's URL typed in, a call's page reached by clicking.
//!
//! The harness is `common::browser`: without Chromium and chromedriver these tests print
//! `skipped: ...` and pass, except in CI where they must run. Screenshots of every page
//! visited go to `target/console-screenshots/<test>/`.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::Receptionist;
use ascendia::booking::{NewPatient, PatientId, PhoneNumber};
use ascendia::staff::Role;
use chrono::{NaiveDate, Utc};
use common::browser::{Browser, WAIT};
use common::{TIMEOUT, TestApp};
use serde_json::json;

use common::console::{PASSWORD, appointment_now};
const DESK: &str = "desk@demo.example";

/// A staff account of one clinic.
async fn staff(app: &TestApp, email: &str, slug: &str, role: Role) {
    common::console::user(app, email, Some((slug, role))).await;
}

/// A patient on file at the clinic.
async fn patient(app: &TestApp, slug: &str, first: &str, last: &str, phone: &str) -> PatientId {
    let org = app.org(slug).await;
    let new = NewPatient::new(
        first,
        last,
        NaiveDate::from_ymd_opt(1984, 3, 9).expect("date"),
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

/// Signs in through the form as a person would; ends on the clinic's Today.
async fn sign_in(browser: &mut Browser, email: &str) {
    browser.visit("/admin/login", "sign-in-form").await;
    browser.type_into("input[name=email]", email).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/demo/today", WAIT).await;
    browser.shot("today").await;
}

#[tokio::test]
async fn signing_in_through_the_form_and_out_with_the_headers_button() {
    let app = TestApp::spawn().await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let Some(mut browser) = Browser::open(&app, "sign_in_and_out").await else {
        return;
    };

    // Not signed in: the console sends the browser to the sign-in page.
    browser.visit("/admin/demo/today", "not-signed-in").await;
    browser.wait_for_path("/admin/login", WAIT).await;
    assert_eq!(browser.title().await, "Sign in · Ascendia");

    // A wrong password: the form again, saying so.
    browser.type_into("input[name=email]", DESK).await;
    browser
        .type_into("input[name=password]", "not the password")
        .await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_for_text("main", "the email or the password is wrong", WAIT)
        .await;
    browser.shot("wrong-password").await;

    // The right one, typed into the fields and sent with the button.
    browser.type_into("input[name=email]", DESK).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.shot("form-filled").await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/demo/today", WAIT).await;
    browser.shot("today").await;
    assert_eq!(browser.title().await, "Today · Demo Dental");
    assert_eq!(browser.text("header .clinic").await, "Demo Dental");
    assert!(browser.text("header").await.contains(DESK));
    assert!(
        browser
            .text("header nav a[aria-current=page]")
            .await
            .contains("Today")
    );

    // The header's button signs out: back at the sign-in page.
    browser.click("header form.signout button").await;
    browser.wait_for_path("/admin/login", WAIT).await;
    browser.shot("signed-out").await;
    assert_eq!(browser.title().await, "Sign in · Ascendia");

    // The session is over: a page opened afterwards asks to sign in again.
    browser.visit("/admin/demo/calls", "after-sign-out").await;
    browser.wait_for_path("/admin/login", WAIT).await;
    assert!(browser.exists("input[name=password]").await);
    assert!(!browser.source().await.contains("Demo Dental"));
    browser.close().await;
}

#[tokio::test]
async fn today_shows_a_booking_and_a_live_call_without_a_reload() {
    let app = TestApp::spawn().await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let Some(mut browser) = Browser::open(&app, "today_updates_itself").await else {
        return;
    };
    sign_in(&mut browser, DESK).await;
    assert!(browser.text("#board").await.contains("No calls right now"));
    assert!(!browser.text("#board").await.contains("Beatrix Lindqvist"));
    // Marks this page: a reload or a navigation would lose it.
    browser
        .run("window.ascendiaSamePage = 'still here'; return true;")
        .await;
    assert_eq!(browser.run("return typeof htmx").await, "object");

    // A call comes in and stays on the line; its booking lands on today's book.
    let call_id = "browser-live-call";
    let mut call = app.call(&format!("/llm-websocket/demo/{call_id}")).await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.say("hi, do you take Delta Dental insurance?", TIMEOUT)
        .await
        .expect("answer");
    let beatrix = patient(&app, "demo", "Beatrix", "Lindqvist", "+1 555 201 7111").await;
    appointment_now(&app, "demo", beatrix, Some(call_id)).await;

    let within = Duration::from_secs(12);
    browser
        .wait_for_text("#board", "Beatrix Lindqvist", within)
        .await;
    browser.wait_for_text("#board .live", call_id, within).await;
    browser.shot("booking-and-live-call").await;
    let board = browser.text("#board").await;
    assert!(
        board.contains("phone"),
        "booked by the receptionist: {board}"
    );
    assert_eq!(
        browser.run("return window.ascendiaSamePage || null").await,
        "still here",
        "the page was not reloaded"
    );
    assert_eq!(browser.path().await, "/admin/demo/today");

    // The caller hangs up: the call leaves the board, the booking stays.
    call.hang_up().await;
    browser
        .wait_for_text("#board .live", "No calls right now", within)
        .await;
    browser.shot("call-ended").await;
    assert!(browser.text("#board").await.contains("Beatrix Lindqvist"));
    assert_eq!(
        browser.run("return window.ascendiaSamePage || null").await,
        "still here"
    );
    browser.close().await;
}

#[tokio::test]
async fn another_clinics_urls_typed_in_show_not_found_and_nothing_of_it() {
    let app = TestApp::spawn().await;
    // A clinic of its own name and patients: anything of it on the page would be recognisable.
    app.add_org("Twin Smiles Dental", "twin", common::demo::ZONE)
        .await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let zebedee = patient(&app, "twin", "Zebedee", "Twinning", "+1 555 201 7222").await;
    appointment_now(&app, "twin", zebedee, None).await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let Some(mut browser) = Browser::open(&app, "other_clinic_not_found").await else {
        return;
    };
    sign_in(&mut browser, DESK).await;

    // What a clinic that does not exist shows, to compare with.
    browser
        .visit("/admin/nowhere/today", "no-such-clinic")
        .await;
    let nowhere = browser.text("body").await;
    assert!(nowhere.contains("Not found"), "{nowhere}");

    for (path, shot) in [
        ("/admin/twin/today", "twin-today"),
        ("/admin/twin/calls", "twin-calls"),
        ("/admin/twin/today/board", "twin-board"),
    ] {
        browser.visit(path, shot).await;
        assert_eq!(browser.path().await, path, "no redirect elsewhere");
        assert_eq!(browser.title().await, "Not found · Ascendia", "{path}");
        assert_eq!(browser.text("h1").await, "Not found", "{path}");
        let text = browser.text("body").await;
        assert_eq!(
            text, nowhere,
            "{path}: the same page as for no clinic at all"
        );
        let html = browser.source().await.to_lowercase();
        for secret in ["twin smiles", "zebedee", "twinning", "/admin/twin"] {
            assert!(!html.contains(secret), "{path} shows {secret:?}:\n{html}");
        }
    }

    // Its way back leads to the user's own clinic.
    browser.click("main a[href='/admin']").await;
    browser.wait_for_path("/admin/demo/today", WAIT).await;
    browser.shot("back-to-own-clinic").await;
    assert_eq!(browser.title().await, "Today · Demo Dental");
    browser.close().await;
}

#[tokio::test]
async fn a_finished_call_is_found_on_calls_and_its_page_shows_the_transcript() {
    const RETELL_KEY: &str = "key_browser_webhook_0001";
    let app = TestApp::spawn_with(
        |s| s.retell_api_key = Some(serde_json::from_value(json!(RETELL_KEY)).expect("secret")),
        Arc::new(Receptionist),
    )
    .await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let Some(mut browser) = Browser::open(&app, "call_transcript").await else {
        return;
    };

    // A caller asks about insurance and the address, then hangs up.
    let call_id = "browser-insurance-call";
    let began = Utc::now().timestamp_millis();
    let mut call = app.call(&format!("/llm-websocket/demo/{call_id}")).await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let question = "hi, do you take Delta Dental insurance?";
    let insurance = call.say(question, TIMEOUT).await.expect("answer");
    let address = call
        .say("and where are you located?", TIMEOUT)
        .await
        .expect("answer");
    assert!(address.text.contains("100 Main Street"), "{}", address.text);
    call.hang_up().await;
    let ended = Utc::now().timestamp_millis();

    sign_in(&mut browser, DESK).await;
    browser
        .click("header nav a[href='/admin/demo/calls']")
        .await;
    browser.wait_for_path("/admin/demo/calls", WAIT).await;
    browser.shot("calls").await;
    let link = format!("main table a[href='/admin/demo/calls/{call_id}']");
    browser.click(&link).await;
    let page = format!("/admin/demo/calls/{call_id}");
    browser.wait_for_path(&page, WAIT).await;
    browser.shot("call-before-retells-record").await;
    assert_eq!(
        browser.title().await,
        format!("Call {call_id} · Demo Dental")
    );
    // What the server recorded itself: the tool the receptionist used.
    browser
        .wait_for_text(".transcript", "office_info", WAIT)
        .await;

    // Retell's record of the call arrives (its webhook, signed), with what was said.
    let spoken: Vec<String> = call
        .transcript
        .iter()
        .map(|u| {
            let who = match u.role {
                ascendia::retell::frames::Role::Agent => "Agent",
                _ => "User",
            };
            format!("{who}: {}", u.content.trim())
        })
        .collect();
    let event = json!({"event": "call_ended", "call": {
        "call_id": call_id, "agent_id": "agent_demo_1", "call_type": "phone_call",
        "direction": "inbound", "from_number": "+15552017333", "to_number": "+15552010100",
        "call_status": "ended", "start_timestamp": began, "end_timestamp": ended.max(began + 1_000),
        "disconnection_reason": "user_hangup", "transcript": spoken.join("\n"),
        "transcript_object": serde_json::to_value(&call.transcript).expect("transcript"),
    }});
    let raw = event.to_string();
    let signed = ascendia::retell::signature::sign(
        raw.as_bytes(),
        RETELL_KEY,
        Utc::now().timestamp_millis(),
    );
    let (status, body) = common::http_request(
        app.addr,
        "POST",
        "/api/retell/webhook",
        &[("x-retell-signature", &signed)],
        Some(&raw),
    )
    .await;
    assert_eq!(status, 204, "{body}");

    // Back to Calls, and the call again, by clicking.
    browser
        .click("header nav a[href='/admin/demo/calls']")
        .await;
    browser.wait_for_path("/admin/demo/calls", WAIT).await;
    browser.wait_for_text("main table", "nothing", WAIT).await;
    browser.shot("calls-after-retells-record").await;
    browser.click(&link).await;
    browser.wait_for_path(&page, WAIT).await;
    browser.wait_for_text(".transcript", question, WAIT).await;
    browser.shot("call-with-transcript").await;

    let transcript = browser.text(".transcript").await;
    let said = browser.texts(".transcript p.said").await;
    assert_eq!(said.len(), call.transcript.len(), "{transcript}");
    assert_eq!(said[1], format!("Caller {question}"), "{transcript}");
    assert_eq!(
        said[2],
        format!("Agent {}", insurance.text.trim()),
        "{transcript}"
    );
    assert!(
        said[3].starts_with("Caller and where are you located?"),
        "{transcript}"
    );
    assert!(
        said[4].contains("100 Main Street, Springfield"),
        "{transcript}"
    );
    assert!(
        browser.texts(".transcript .tool").await[0].starts_with("office_info"),
        "{transcript}"
    );
    let heading = browser.text("main").await;
    assert!(heading.contains("Call from +15552017333"), "{heading}");
    assert!(heading.contains("user hangup"), "{heading}");
    browser.close().await;
}

// Found in the browser and fixed: kept so they stay fixed.

#[tokio::test]
async fn after_signing_out_the_back_button_shows_no_patient_names() {
    let app = TestApp::spawn().await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let beatrix = patient(&app, "demo", "Beatrix", "Lindqvist", "+1 555 201 7111").await;
    appointment_now(&app, "demo", beatrix, None).await;
    let Some(mut browser) = Browser::open(&app, "back_after_sign_out").await else {
        return;
    };
    sign_in(&mut browser, DESK).await;
    assert!(browser.text("#board").await.contains("Beatrix Lindqvist"));
    browser.click("header form.signout button").await;
    browser.wait_for_path("/admin/login", WAIT).await;
    browser.shot("signed-out").await;

    // Someone else at the front desk presses Back.
    browser.run("history.back(); return true;").await;
    // Not kept by the browser, the page is asked for again and the server sends the sign-in
    // page: there is no new path to wait for, only a moment for Back to finish.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    browser.shot("back").await;
    let shown = browser.text("body").await;
    assert!(
        !shown.contains("Beatrix Lindqvist"),
        "Back after signing out shows {} with a patient's name:\n{shown}",
        browser.path().await
    );
    browser.close().await;
}

#[tokio::test]
async fn a_session_ending_under_an_open_today_page_takes_the_whole_page_to_sign_in() {
    let app = TestApp::spawn().await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let Some(mut browser) = Browser::open(&app, "session_ends_under_today").await else {
        return;
    };
    sign_in(&mut browser, DESK).await;
    // Signed out elsewhere (another tab), with this page's own form token; this page stays.
    browser
        .run(
            "const form = new URLSearchParams(new FormData(document.querySelector('form.signout')));
             fetch('/admin/logout', {method: 'POST', body: form}); return true;",
        )
        .await;
    // The next poll (every 3 s) finds the session gone.
    browser
        .wait_for_text("body", "Sign in", Duration::from_secs(12))
        .await;
    browser.shot("after-the-poll").await;
    assert_eq!(
        (browser.path().await, browser.title().await),
        ("/admin/login".to_owned(), "Sign in · Ascendia".to_owned()),
        "the whole page should go to the sign-in page"
    );
    assert!(
        !browser.exists("header.top").await,
        "the signed-out page still shows the clinic's header and the sign-in form inside it"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_appointment_is_moved_in_the_calendar_and_a_clash_shows_the_nearest_free_times() {
    use ascendia::booking::BookRequest;
    let app = TestApp::spawn().await;
    staff(&app, DESK, "demo", Role::Staff).await;
    let greta = patient(&app, "demo", "Greta", "Holm", "+1 555 201 7222").await;
    let hans = patient(&app, "demo", "Hans", "Berg", "+1 555 201 7223").await;
    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let cleaning = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == "Cleaning")
        .expect("cleaning")
        .id;
    let maria = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Maria Lopez")
        .expect("maria")
        .id;
    let tuesday = common::next_weekday("America/New_York", chrono::Weekday::Tue, 3);
    let book = |patient, hour: u32| BookRequest {
        patient,
        appointment_type: cleaning,
        provider: maria,
        start: ascendia::booking::parse_start(
            &format!("{tuesday}T{hour:02}:00"),
            org.time_zone.tz(),
        )
        .expect("start"),
        operatory: None,
        note: None,
        source: "api".into(),
        idempotency_key: None,
        call_id: None,
    };
    let moving = app
        .state
        .scheduler
        .book(&org, book(greta, 9), Utc::now())
        .await
        .expect("booked")
        .appointment;
    app.state
        .scheduler
        .book(&org, book(hans, 11), Utc::now())
        .await
        .expect("booked");
    let Some(mut browser) = Browser::open(&app, "calendar_move").await else {
        return;
    };
    sign_in(&mut browser, DESK).await;
    let row = format!("#appointment-{}", moving.id);
    browser
        .visit(
            &format!("/admin/demo/calendar?date={tuesday}"),
            "calendar-day",
        )
        .await;
    assert!(browser.text(&row).await.contains("Greta Holm"));
    // Onto Hans's time first: refused with the reason and other times.
    browser.click(&format!("{row} summary")).await;
    browser
        .run(&format!(
            "document.querySelector('{row} form input[name=time]').value = '11:00'; return true;"
        ))
        .await;
    browser.click(&format!("{row} form button")).await;
    browser
        .wait_for_text("main", "Nearest free times", WAIT)
        .await;
    browser.shot("clash").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("the provider already has an appointment then")
    );
    // Then to 10:00, which is free.
    browser.click(&format!("{row} summary")).await;
    browser
        .run(&format!(
            "document.querySelector('{row} form input[name=time]').value = '10:00'; return true;"
        ))
        .await;
    browser.click(&format!("{row} form button")).await;
    browser.wait_for_text("main", "Moved.", WAIT).await;
    browser.shot("moved").await;
    assert!(
        browser.text(&row).await.contains("10:00 AM"),
        "{}",
        browser.text(&row).await
    );
    let stored = app
        .state
        .scheduler
        .appointment(&org, moving.id)
        .await
        .expect("appointment");
    let tz = org.time_zone.tz();
    assert_eq!(
        stored.start.with_timezone(&tz).format("%H:%M").to_string(),
        "10:00"
    );
    browser.close().await;
}

/// A clinic whose clock reads about 9 AM now, open every day from 6 AM to 10 PM with no lead
/// time: whenever the test runs, the receptionist can book later today.
pub fn clinic_open_now() -> String {
    use chrono::Timelike;
    let hour = Utc::now().hour() as i32;
    let offset = (9 - hour + 12).rem_euclid(24) - 12;
    // The Etc zones count the other way: UTC+3 is Etc/GMT-3.
    let zone = match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let days = r#"["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]"#;
    format!(
        r#"name = "Early Bird Dental"
time_zone = "{zone}"

[settings]
lead_minutes = 0
horizon_days = 30
slot_step_minutes = 15

[office_hours]
monday = "06:00-22:00"
tuesday = "06:00-22:00"
wednesday = "06:00-22:00"
thursday = "06:00-22:00"
friday = "06:00-22:00"
saturday = "06:00-22:00"
sunday = "06:00-22:00"

[[operatories]]
name = "Hygiene 1"
hygiene = true

[[providers]]
name = "Maria Lopez"
kind = "hygienist"

[[providers.schedule]]
days = {days}
hours = "06:00-22:00"
operatory = "Hygiene 1"

[[appointment_types]]
name = "Cleaning"
provider_kind = "hygienist"
minutes = 60
"#
    )
}

#[tokio::test]
async fn a_booking_made_by_a_call_appears_on_an_open_today_page() {
    let app = TestApp::spawn().await;
    app.import_clinic("early", &clinic_open_now()).await;
    staff(&app, DESK, "early", Role::Staff).await;
    let ines = patient(&app, "early", "Ines", "Varga", "+1 555 201 7444").await;
    let Some(mut browser) = Browser::open(&app, "voice_booking_on_today").await else {
        return;
    };
    browser.visit("/admin/login", "sign-in-form").await;
    browser.type_into("input[name=email]", DESK).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/early/today", WAIT).await;
    assert!(!browser.text("#board").await.contains("Ines Varga"));
    browser
        .run("window.ascendiaSamePage = 'still here'; return true;")
        .await;

    // Ines calls from her own number and books a cleaning this afternoon.
    let mut options = ascendia::client::CallOptions::default();
    options.call.from_number = Some("+15552017444".into());
    let mut call = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/early/browser-voice-booking"),
        options,
    )
    .await
    .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    let offer = call
        .say("I'd like a cleaning today at 2 pm", TIMEOUT)
        .await
        .expect("offer");
    assert!(offer.text.contains("Shall I book it"), "{}", offer.text);
    let booked = call.say("yes please", TIMEOUT).await.expect("booked");
    assert!(booked.text.contains("all set"), "{}", booked.text);

    browser
        .wait_for_text("#board", "Ines Varga", Duration::from_secs(12))
        .await;
    browser.shot("booked-by-voice").await;
    let board = browser.text("#board").await;
    assert!(
        board.contains("2:00 PM") && board.contains("phone"),
        "{board}"
    );
    assert_eq!(
        browser.run("return window.ascendiaSamePage || null").await,
        "still here",
        "the page was not reloaded"
    );
    call.hang_up().await;
    let org = app.org("early").await;
    let appointments = app
        .state
        .scheduler
        .appointments(&org, ascendia::booking::AppointmentFilter::Patient(ines))
        .await
        .expect("appointments");
    assert_eq!(appointments.len(), 1);
    assert_eq!(
        appointments[0].call_id.as_deref(),
        Some("browser-voice-booking")
    );
    browser.close().await;
}
