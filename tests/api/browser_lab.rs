//! The test lab in a real browser: a cleaning booked by typing the caller's turns (the page
//! speaks Retell's side of the protocol over the real WebSocket), seen on Today, undone from
//! the lab and seen cancelled on Today; and no script errors on the way. Screenshots of each
//! step go to `target/console-screenshots/lab_books_and_undoes/`.

use crate::browser::clinic_open_now;
use crate::common;

use std::time::Duration;

use ascendia::booking::{AppointmentFilter, AppointmentStatus, NewPatient, PhoneNumber};
use ascendia::staff::Role;
use chrono::{NaiveDate, Utc};
use common::TestApp;
use common::browser::{Browser, WAIT};
use common::console::PASSWORD;

const DESK: &str = "desk@early.example";

#[tokio::test]
async fn a_cleaning_booked_by_typing_in_the_lab_shows_on_today_and_is_undone() {
    let app = TestApp::spawn().await;
    app.import_clinic("early", &clinic_open_now()).await;
    common::console::user(&app, DESK, Some(("early", Role::Staff))).await;
    let org = app.org("early").await;
    let new = NewPatient::new(
        "Ines",
        "Varga",
        NaiveDate::from_ymd_opt(1984, 3, 9).expect("date"),
        Some(PhoneNumber::parse("+1 555 201 7444").expect("phone")),
        None,
        Utc::now().date_naive(),
    )
    .expect("patient");
    let ines = app
        .state
        .scheduler
        .create_patient(&org, new, Utc::now())
        .await
        .expect("patient")
        .id;
    let Some(mut browser) = Browser::open(&app, "lab_books_and_undoes").await else {
        return;
    };
    browser.visit("/admin/login", "sign-in-form").await;
    browser.type_into("input[name=email]", DESK).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/early/today", WAIT).await;

    // The lab, reached from the header's link.
    browser.click("header nav a[href='/admin/early/lab']").await;
    browser.wait_for_path("/admin/early/lab", WAIT).await;
    browser.shot("lab").await;
    assert_eq!(browser.title().await, "Test lab · Early Bird Dental");
    assert!(browser.text("#lab-bookings").await.contains("No lab call"));

    // Ines's own number, so the receptionist knows her; the call is placed.
    browser.type_into("#lab-from", "+15552017444").await;
    browser.click("#lab-call").await;
    browser
        .wait_for_text("#lab-status", "On the line", WAIT)
        .await;
    browser
        .wait_for_text("#lab-transcript", "Receptionist", WAIT)
        .await;
    browser.shot("greeted").await;

    // She asks for a cleaning this afternoon, typed as the caller's turn; the offer streams in.
    let within = Duration::from_secs(15);
    browser
        .type_into("#lab-text", "I'd like a cleaning today at 2 pm")
        .await;
    browser.click("#lab-send").await;
    browser
        .wait_for_text("#lab-transcript", "Shall I book it", within)
        .await;
    browser.shot("offered").await;
    browser.type_into("#lab-text", "yes please").await;
    browser.click("#lab-send").await;
    browser
        .wait_for_text("#lab-transcript", "all set", within)
        .await;
    // The tool calls and the booking, from the server as it stored them.
    browser
        .wait_for_text("#lab-activity", "Ines Varga", within)
        .await;
    browser
        .wait_for_text("#lab-activity", "book_appointment", within)
        .await;
    browser
        .wait_for_text("#lab-bookings", "Ines Varga", within)
        .await;
    browser.shot("booked").await;
    let transcript = browser.texts("#lab-transcript .said").await;
    assert!(
        transcript
            .iter()
            .any(|l| l.starts_with("Caller") && l.contains("cleaning")),
        "{transcript:?}"
    );
    assert!(!browser.exists("#lab-transcript .said.streaming").await);

    // Hanging up ends the call and files it; the activity stops polling.
    browser.click("#lab-hangup").await;
    browser
        .wait_for_text("#lab-status", "The call has ended", WAIT)
        .await;
    browser
        .wait_for_text("#lab-activity", "ended", within)
        .await;
    browser.shot("hung-up").await;

    // Today shows it, booked by the receptionist at 2 PM.
    browser
        .click("header nav a[href='/admin/early/today']")
        .await;
    browser.wait_for_path("/admin/early/today", WAIT).await;
    browser.wait_for_text("#board", "Ines Varga", WAIT).await;
    browser.shot("on-today").await;
    let board = browser.text("#board").await;
    assert!(
        board.contains("2:00 PM") && board.contains("scheduled"),
        "{board}"
    );

    // Back in the lab (a fresh page), its bookings list offers Undo.
    browser.click("header nav a[href='/admin/early/lab']").await;
    browser.wait_for_path("/admin/early/lab", WAIT).await;
    browser
        .wait_for_text("#lab-bookings", "Ines Varga", WAIT)
        .await;
    browser.shot("lab-again").await;
    browser.click("#lab-bookings button.undo").await;
    browser
        .wait_for_text("#lab-bookings", "cancelled", WAIT)
        .await;
    browser.shot("undone").await;
    assert!(!browser.exists("#lab-bookings button.undo").await);

    // Today shows it cancelled.
    browser
        .click("header nav a[href='/admin/early/today']")
        .await;
    browser.wait_for_path("/admin/early/today", WAIT).await;
    browser.wait_for_text("#board", "cancelled", WAIT).await;
    browser.shot("cancelled-on-today").await;
    assert!(
        browser
            .text("#board tr.status-cancelled")
            .await
            .contains("Ines Varga")
    );

    // The browser's own favicon request is not the page's doing.
    let mut errors = browser.console_errors().await;
    errors.retain(|e| !e.contains("/favicon.ico"));
    assert!(errors.is_empty(), "script errors: {errors:?}");
    browser.close().await;

    // What is stored: the booking (from the lab call, cancelled), the call (a test, ended).
    let appointments = app
        .state
        .scheduler
        .appointments(&org, AppointmentFilter::Patient(ines))
        .await
        .expect("appointments");
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].status, AppointmentStatus::Cancelled);
    let call_id = appointments[0].call_id.clone().expect("booked by a call");
    assert!(call_id.starts_with("lab_"), "{call_id}");
    let call = app
        .state
        .call_log
        .detail(org.id, &call_id)
        .await
        .expect("read")
        .expect("record");
    assert!(call.summary.test);
    assert_eq!(call.summary.call_status.as_deref(), Some("ended"));
    assert_eq!(call.summary.from_number.as_deref(), Some("+15552017444"));
    assert!(call.tool_calls.iter().any(|t| t.name == "book_appointment"));
}
