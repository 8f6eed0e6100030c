//! Setting up a clinic in a real browser (headless Chromium over WebDriver): office hours
//! changed on the setup page change the free times the calendar finds; a provider added with
//! a weekly schedule is booked from the calendar. Screenshots in
//! `target/console-screenshots/<test>/`.

use crate::common;

use std::time::Duration;

use ascendia::booking::AppointmentFilter;
use ascendia::staff::Role;
use common::TestApp;
use common::browser::{Browser, WAIT};
use common::console::PASSWORD;

const MANAGER: &str = "manager@demo.example";

async fn sign_in(browser: &mut Browser) {
    browser.visit("/admin/login", "sign-in-form").await;
    browser.type_into("input[name=email]", MANAGER).await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/demo/today", WAIT).await;
}

async fn choose(browser: &mut Browser, css: &str, label: &str) {
    let select = browser.find(css).await;
    if let Err(err) = select.select_by_label(label).await {
        panic!(
            "{}",
            browser
                .report(&format!("choosing {label} in {css}: {err}"))
                .await
        );
    }
}

/// Saves the setup form on the page and waits for the page to say so.
async fn save(browser: &mut Browser, shot: &str) {
    browser.click("form.setup button[type=submit]").await;
    browser.wait_for_text("p.notice", "Saved.", WAIT).await;
    browser.shot(shot).await;
}

async fn find_free_times(browser: &mut Browser, date: &str, kind: &str, shot: &str) -> Vec<String> {
    browser
        .visit(&format!("/admin/demo/calendar?date={date}"), shot)
        .await;
    browser.click("details.free summary").await;
    choose(browser, "select[name=free_type]", kind).await;
    browser.click("details.free form button[type=submit]").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !browser.exists(".free-times").await {
        if tokio::time::Instant::now() > deadline {
            panic!("{}", browser.report("no free times were shown").await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.shot(&format!("{shot}-found")).await;
    browser.texts("ul.free-times li").await
}

#[tokio::test]
async fn shorter_office_hours_take_the_afternoon_out_of_the_free_times() {
    let app = TestApp::spawn().await;
    common::console::user(&app, MANAGER, Some(("demo", Role::Manager))).await;
    let Some(mut browser) = Browser::open(&app, "office_hours_and_free_times").await else {
        return;
    };
    sign_in(&mut browser).await;
    let monday = common::next_weekday("America/New_York", chrono::Weekday::Mon, 2);

    let before = find_free_times(&mut browser, &monday, "Filling", "calendar-before").await;
    assert!(
        before.iter().any(|t| t.starts_with("4:00 PM")),
        "Monday afternoon is open before: {before:?}"
    );

    browser.visit("/admin/demo/setup/hours", "hours").await;
    browser
        .type_into("input[name=\"office_hours.monday\"]", "08:00-12:00")
        .await;
    save(&mut browser, "hours-saved").await;

    let after = find_free_times(&mut browser, &monday, "Filling", "calendar-after").await;
    assert!(!after.is_empty(), "the morning stays open");
    assert!(
        after.iter().all(|t| t.contains("AM")),
        "nothing after noon once the clinic closes at noon: {after:?}"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_provider_added_with_a_schedule_is_booked_from_the_calendar() {
    let app = TestApp::spawn().await;
    common::console::user(&app, MANAGER, Some(("demo", Role::Manager))).await;
    let ines = common::demo::patient(
        &app,
        "Inès",
        "Okonkwo-Díaz",
        (1979, 6, 14),
        "+1 555 201 7400",
    )
    .await;
    let Some(mut browser) = Browser::open(&app, "provider_added_and_booked").await else {
        return;
    };
    sign_in(&mut browser).await;

    browser
        .visit("/admin/demo/setup/providers", "providers")
        .await;
    browser
        .type_into("input[name=\"providers[3].name\"]", "Dr. Amara Okafor")
        .await;
    choose(
        &mut browser,
        "select[name=\"providers[3].kind\"]",
        "Dentist",
    )
    .await;
    browser
        .type_into("input[name=\"providers[3].tuesday\"]", "08:00-17:00")
        .await;
    save(&mut browser, "providers-saved").await;

    let tuesday = common::next_weekday("America/New_York", chrono::Weekday::Tue, 2);
    browser
        .visit(&format!("/admin/demo/patients/{ines}"), "patient")
        .await;
    browser.click("a.button").await;
    browser
        .wait_for_text("form.book strong", "Book for", WAIT)
        .await;
    choose(
        &mut browser,
        "form.book select[name=appointment_type]",
        "Filling",
    )
    .await;
    choose(
        &mut browser,
        "form.book select[name=provider]",
        "Dr. Amara Okafor",
    )
    .await;
    browser
        .run(&format!(
            "const f = document.querySelector('form[action$=\"/calendar/book\"]');
             f.querySelector('input[name=date]').value = '{tuesday}';
             f.querySelector('input[name=time]').value = '10:00'; return true;"
        ))
        .await;
    browser.shot("booking").await;
    browser
        .click("form[action$=\"/calendar/book\"] button[type=submit]")
        .await;
    browser.wait_for_text("p.notice", "Booked.", WAIT).await;
    browser.shot("booked").await;
    assert!(
        browser.text("main").await.contains("Dr. Amara Okafor"),
        "the new provider's column shows"
    );

    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let okafor = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Dr. Amara Okafor")
        .expect("added")
        .id;
    let booked = app
        .state
        .scheduler
        .appointments(&org, AppointmentFilter::Patient(ines))
        .await
        .expect("appointments");
    assert_eq!(booked.len(), 1, "{booked:?}");
    assert_eq!(booked[0].provider, okafor);
    let local = booked[0].start.with_timezone(&chrono_tz::America::New_York);
    assert_eq!(
        local.format("%Y-%m-%d %H:%M").to_string(),
        format!("{tuesday} 10:00")
    );
    browser.close().await;
}
