//! The clinic's setup pages over real HTTP: each form's valid change (in the database and
//! served at once), each kind of invalid input (the error under its field, nothing written),
//! role limits and CSRF, and the clinic file's download, checked upload and apply.

use crate::common;

use ascendia::booking::setup::{self, ClinicFile};
use ascendia::staff::Role;
use common::console::{Browser, PASSWORD, user};
use common::forms::{field_error, form_values, pairs, set, untick};
use common::{TIMEOUT, TestApp};
use reqwest::StatusCode;

async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    user(&app, "manager@demo.example", Some(("demo", Role::Manager))).await;
    app
}

async fn manager(app: &TestApp) -> Browser {
    let mut browser = Browser::new(app);
    browser.sign_in("manager@demo.example", PASSWORD).await;
    browser
}

async fn file(app: &TestApp) -> ClinicFile {
    let org = app.org("demo").await;
    setup::export(&app.store, &org).await.expect("export")
}

/// Opens a setup page, changes its form and posts it back.
async fn submit(
    browser: &mut Browser,
    tab: &str,
    change: impl FnOnce(&mut Vec<(String, String)>),
) -> common::console::Page {
    let path = format!("/admin/demo/setup/{tab}");
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{tab}: {}", page.body);
    let mut values = form_values(&page.body, &path);
    change(&mut values);
    browser.post(&path, &pairs(&values)).await
}

/// The form row holding the named item (rows are in the clinic's order, not the file's).
fn row(values: &[(String, String)], section: &str, name: &str) -> String {
    values
        .iter()
        .find(|(n, v)| n.starts_with(&format!("{section}[")) && n.ends_with("].name") && v == name)
        .and_then(|(n, _)| n.strip_suffix(".name"))
        .unwrap_or_else(|| panic!("no {name} in {section}"))
        .to_owned()
}

fn saved(page: &common::console::Page, tab: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{tab}: {}", page.body);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/admin/demo/setup/{tab}?saved=1").as_str())
    );
}

/// A refused form: 422, the message under the field, and the clinic as it was.
async fn refused(
    app: &TestApp,
    browser: &mut Browser,
    tab: &str,
    field: &str,
    wanted: &str,
    change: impl FnOnce(&mut Vec<(String, String)>),
) {
    let before = file(app).await;
    let page = submit(browser, tab, change).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{tab} {field}: {}",
        page.body
    );
    let error = field_error(&page.body, field)
        .unwrap_or_else(|| panic!("no error under {field}: {}", page.body));
    assert!(
        error.contains(wanted),
        "{field}: '{error}' lacks '{wanted}'"
    );
    assert_eq!(file(app).await, before, "{tab}: nothing written");
}

#[tokio::test]
async fn the_profile_changes_and_the_next_call_hears_the_new_greeting() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "profile", |v| {
        set(v, "name", "Lakeside Dental");
        set(v, "greeting", "Lakeside Dental, this is Robin speaking.");
        set(v, "settings.lead_minutes", "30");
        set(v, "settings.phone", "+1 555 201 0111");
        set(v, "settings.languages", "es, ZH");
        set(v, "settings.transcript_retention_days", "90");
    })
    .await;
    saved(&page, "profile");
    let after = file(&app).await;
    assert_eq!(after.name, "Lakeside Dental");
    assert_eq!(after.settings.lead_minutes, 30);
    assert_eq!(after.settings.phone.as_deref(), Some("+15552010111"));
    assert_eq!(after.settings.languages, ["es", "zh"]);
    assert_eq!(after.settings.transcript_retention_days, Some(90));
    assert_eq!(after.providers.len(), 3, "other parts untouched");
    // Served at once: the next call greets with the new words.
    let mut call = app.call("/llm-websocket/demo/after-profile").await;
    let greeting = call.greeting(TIMEOUT).await.expect("greeting");
    assert!(greeting.text.contains("this is Robin"), "{}", greeting.text);
    call.hang_up().await;
    let shown = browser.get("/admin/demo/setup/profile?saved=1").await;
    assert!(shown.body.contains("Saved."));
    assert!(shown.body.contains("Lakeside Dental"));
}

#[tokio::test]
async fn each_invalid_profile_field_is_named_and_nothing_is_written() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let cases: [(&str, &str, &str); 8] = [
        ("time_zone", "Mars/Olympus", "time zone"),
        ("name", "", "name"),
        ("settings.phone", "call us", "phone"),
        ("settings.transfer_number", "12", "phone"),
        ("settings.lead_minutes", "soon", "not a whole number"),
        ("settings.slot_step_minutes", "7", "slot step"),
        ("settings.horizon_days", "0", "horizon"),
        ("settings.transcript_retention_days", "5000", "3650"),
    ];
    for (field, value, wanted) in cases {
        refused(&app, &mut browser, "profile", field, wanted, |v| {
            set(v, field, value)
        })
        .await;
    }
    refused(
        &app,
        &mut browser,
        "profile",
        "settings.languages",
        "language code",
        |v| set(v, "settings.languages", "spanish"),
    )
    .await;
}

#[tokio::test]
async fn office_hours_change_and_bad_ranges_are_refused() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "hours", |v| {
        set(v, "office_hours.saturday", "09:00-12:00");
        set(v, "office_hours.friday", "");
    })
    .await;
    saved(&page, "hours");
    let after = file(&app).await;
    assert_eq!(
        after.office_hours.get("saturday").map(String::as_str),
        Some("09:00-12:00")
    );
    assert!(
        !after.office_hours.contains_key("friday"),
        "an empty day is closed"
    );
    for (value, wanted) in [
        ("08:00-25:00", "not a time range"),
        ("17:00-08:00", "start before it ends"),
        ("nine to five", "not a time range"),
    ] {
        refused(
            &app,
            &mut browser,
            "hours",
            "office_hours.monday",
            wanted,
            |v| set(v, "office_hours.monday", value),
        )
        .await;
    }
}

#[tokio::test]
async fn a_provider_is_added_with_a_schedule_renamed_and_kept() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let org = app.org("demo").await;
    let before = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let chen = before
        .providers
        .iter()
        .find(|p| p.name == "Dr. Sarah Chen")
        .map(|p| p.id)
        .expect("Chen");
    let page = submit(&mut browser, "providers", |v| {
        let chen = row(v, "providers", "Dr. Sarah Chen");
        set(v, &format!("{chen}.name"), "Dr. Sarah Chen-Ito");
        set(v, "providers[3].name", "Dr. Amara Okafor");
        set(v, "providers[3].kind", "dentist");
        set(v, "providers[3].operatory", "Op 1");
        set(v, "providers[3].tuesday", "08:00-12:00, 13:00-16:00");
        set(v, "providers[3].thursday", "10:00-15:00 @ Op 2");
    })
    .await;
    saved(&page, "providers");
    let after = file(&app).await;
    let okafor = after
        .providers
        .iter()
        .find(|p| p.name == "Dr. Amara Okafor")
        .expect("added");
    let blocks: Vec<(Vec<String>, String, Option<String>)> = okafor
        .schedule
        .iter()
        .map(|s| (s.days.clone(), s.hours.clone(), s.operatory.clone()))
        .collect();
    assert_eq!(
        blocks,
        [
            (
                vec!["tuesday".into()],
                "08:00-12:00".into(),
                Some("Op 1".into())
            ),
            (
                vec!["tuesday".into()],
                "13:00-16:00".into(),
                Some("Op 1".into())
            ),
            (
                vec!["thursday".into()],
                "10:00-15:00".into(),
                Some("Op 2".into())
            ),
        ]
    );
    // The renamed provider is the same provider: her appointments stay hers.
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let renamed = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Dr. Sarah Chen-Ito")
        .expect("renamed");
    assert_eq!(renamed.id, chen);
    assert_eq!(after.providers.iter().filter(|p| p.active).count(), 4);

    refused(
        &app,
        &mut browser,
        "providers",
        "providers[1].wednesday",
        "not a time range",
        |v| set(v, "providers[1].wednesday", "9-5"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "providers",
        "providers[1].operatory",
        "Op 9",
        |v| set(v, "providers[1].monday", "09:00-14:00 @ Op 9"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "providers",
        "providers[2].name",
        "twice",
        |v| set(v, "providers[2].name", "Dr. James Patel"),
    )
    .await;
}

#[tokio::test]
async fn chairs_are_added_renamed_with_their_schedules_and_retired() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "operatories", |v| {
        set(v, "operatories[1].name", "Chair 2");
        untick(v, "operatories[3].active");
        set(v, "operatories[4].name", "Chair 5");
        set(v, "operatories[4].hygiene", "yes");
    })
    .await;
    saved(&page, "operatories");
    let after = file(&app).await;
    let names: Vec<(&str, bool, bool)> = after
        .operatories
        .iter()
        .map(|o| (o.name.as_str(), o.hygiene, o.active))
        .collect();
    assert_eq!(
        names,
        [
            ("Op 1", false, true),
            ("Chair 2", false, true),
            ("Hygiene 1", true, true),
            ("Hygiene 2", true, false),
            ("Chair 5", true, true),
        ]
    );
    let patel = after
        .providers
        .iter()
        .find(|p| p.name == "Dr. James Patel")
        .expect("Patel");
    assert_eq!(
        patel.schedule[0].operatory.as_deref(),
        Some("Chair 2"),
        "the schedule follows the rename"
    );

    refused(
        &app,
        &mut browser,
        "operatories",
        "operatories[1].name",
        "twice",
        |v| set(v, "operatories[1].name", "Op 1"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "operatories",
        "operatories[0].name",
        "a name is needed",
        |v| set(v, "operatories[0].name", ""),
    )
    .await;
}

#[tokio::test]
async fn appointment_types_take_minutes_or_a_pattern() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "types", |v| {
        set(v, "appointment_types[5].name", "Whitening");
        set(v, "appointment_types[5].pattern", "/XXXX/");
        set(v, "appointment_types[5].provider_kind", "");
        let emergency = row(v, "appointment_types", "Emergency visit");
        untick(v, &format!("{emergency}.active"));
    })
    .await;
    saved(&page, "types");
    let after = file(&app).await;
    let whitening = after
        .appointment_types
        .iter()
        .find(|t| t.name == "Whitening")
        .expect("added");
    assert_eq!(whitening.minutes, Some(30));
    assert_eq!(whitening.provider_kind, None);
    assert!(
        after
            .appointment_types
            .iter()
            .any(|t| t.name == "Emergency visit" && !t.active),
        "Emergency visit no longer offered"
    );

    refused(
        &app,
        &mut browser,
        "types",
        "appointment_types[1].minutes",
        "pattern is",
        |v| set(v, "appointment_types[1].pattern", "/XX/"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "types",
        "appointment_types[2].pattern",
        "Emergency visit",
        |v| set(v, "appointment_types[2].pattern", "abc"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "types",
        "appointment_types[3].minutes",
        "minutes",
        |v| set(v, "appointment_types[3].minutes", ""),
    )
    .await;
}

#[tokio::test]
async fn exceptions_are_added_and_removed() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "exceptions", |v| {
        set(v, "exception.date", "2027-12-24");
        set(v, "exception.kind", "closed");
        set(v, "exception.note", "Christmas Eve");
    })
    .await;
    saved(&page, "exceptions");
    let page = submit(&mut browser, "exceptions", |v| {
        set(v, "exception.date", "2027-12-27");
        set(v, "exception.kind", "extra_hours");
        set(v, "exception.provider", "Maria Lopez");
        set(v, "exception.hours", "14:00-18:00");
    })
    .await;
    saved(&page, "exceptions");
    let after = file(&app).await;
    assert_eq!(after.exceptions.len(), 2);
    assert_eq!(after.exceptions[0].note.as_deref(), Some("Christmas Eve"));

    refused(
        &app,
        &mut browser,
        "exceptions",
        "exception.date",
        "not a date",
        |v| set(v, "exception.date", "next friday"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "exceptions",
        "exception.provider",
        "provider",
        |v| {
            set(v, "exception.date", "2027-12-28");
            set(v, "exception.kind", "extra_hours");
            set(v, "exception.hours", "09:00-10:00");
        },
    )
    .await;
    refused(
        &app,
        &mut browser,
        "exceptions",
        "exception.hours",
        "hours",
        |v| {
            set(v, "exception.date", "2027-12-28");
            set(v, "exception.kind", "blockout");
        },
    )
    .await;

    let page = browser.get("/admin/demo/setup/exceptions").await;
    assert!(page.body.contains("Christmas Eve"), "{}", page.body);
    let mut values = form_values(&page.body, "/admin/demo/setup/exceptions/remove");
    assert!(
        values
            .iter()
            .any(|(n, v)| n == "key" && v.contains("Christmas Eve"))
    );
    values.retain(|(n, _)| n == "csrf" || n == "key");
    let removed = browser
        .post("/admin/demo/setup/exceptions/remove", &pairs(&values))
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let after = file(&app).await;
    assert_eq!(after.exceptions.len(), 1);
    assert_eq!(after.exceptions[0].hours.as_deref(), Some("14:00-18:00"));
}

#[tokio::test]
async fn wording_and_agent_are_saved_and_a_key_is_never_taken() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "phrases", |v| {
        set(v, "phrases.goodbye", "Bye now, and keep smiling!");
    })
    .await;
    saved(&page, "phrases");
    assert_eq!(
        file(&app).await.phrases.get("goodbye").map(String::as_str),
        Some("Bye now, and keep smiling!")
    );
    let long = "a".repeat(301);
    refused(
        &app,
        &mut browser,
        "phrases",
        "phrases.transfer",
        "1 to 300",
        |v| set(v, "phrases.transfer", &long),
    )
    .await;

    let page = submit(&mut browser, "agent", |v| {
        set(v, "settings.agent", "llm");
        set(v, "settings.llm_model", "gpt-4o");
        set(v, "settings.llm_fallback_model", "gpt-4o-mini");
        set(v, "settings.llm_api_key_env", "LAKESIDE_OPENAI_KEY");
    })
    .await;
    saved(&page, "agent");
    let settings = file(&app).await.settings;
    assert_eq!(settings.llm_fallback_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(
        settings.llm_api_key_env.as_deref(),
        Some("LAKESIDE_OPENAI_KEY")
    );
    refused(
        &app,
        &mut browser,
        "agent",
        "settings.llm_api_key_env",
        "environment variable",
        |v| set(v, "settings.llm_api_key_env", "sk-live-abc123"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "agent",
        "settings.llm_base_url",
        "http",
        |v| set(v, "settings.llm_base_url", "api.openai.com"),
    )
    .await;
    refused(
        &app,
        &mut browser,
        "agent",
        "settings.agent",
        "not an agent",
        |v| set(v, "settings.agent", "robot"),
    )
    .await;
}

#[tokio::test]
async fn staff_cannot_reach_setup_and_a_missing_csrf_changes_nothing() {
    let app = setup().await;
    let mut desk = Browser::new(&app);
    desk.sign_in("desk@demo.example", PASSWORD).await;
    let today = desk.get("/admin/demo/today").await;
    assert!(!today.body.contains("/setup\""), "staff see no Setup link");
    let csrf = common::console::hidden(&today.body, "csrf");
    for tab in [
        "profile",
        "hours",
        "providers",
        "operatories",
        "types",
        "exceptions",
        "phrases",
        "agent",
        "file",
    ] {
        let page = desk.get(&format!("/admin/demo/setup/{tab}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{tab}");
    }
    let before = file(&app).await;
    let posted = desk
        .post(
            "/admin/demo/setup/hours",
            &[("csrf", &csrf), ("office_hours.monday", "10:00-11:00")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    let download = desk.get("/admin/demo/setup/clinic.toml").await;
    assert_eq!(download.status, StatusCode::NOT_FOUND);

    let mut browser = manager(&app).await;
    let page = submit(&mut browser, "hours", |v| {
        v.retain(|(n, _)| n != "csrf");
        set(v, "office_hours.monday", "10:00-11:00");
    })
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = submit(&mut browser, "hours", |v| {
        set(v, "csrf", "forged");
        set(v, "office_hours.monday", "10:00-11:00");
    })
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(file(&app).await, before);
    // A manager of one clinic cannot set up another.
    app.import_clinic("other", common::DEMO_CLINIC).await;
    let other = browser.get("/admin/other/setup/profile").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

async fn upload(browser: &Browser, app: &TestApp, csrf: &str, text: &str) -> (StatusCode, String) {
    let boundary = "ascendia-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clinic.toml\"\r\n\
         Content-Type: application/toml\r\n\r\n{text}\r\n--{boundary}--\r\n"
    );
    let response = reqwest::Client::new()
        .post(app.http("/admin/demo/setup/file"))
        .header("cookie", browser.cookie_header())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn the_clinic_file_downloads_and_an_upload_is_checked_before_it_applies() {
    let app = setup().await;
    let mut browser = manager(&app).await;
    let download = reqwest::Client::new()
        .get(app.http("/admin/demo/setup/clinic.toml"))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), StatusCode::OK);
    assert!(
        download
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("demo.toml"))
    );
    let text = download.text().await.expect("body");
    let parsed = ClinicFile::parse(&text).expect("the download is a clinic file");
    assert_eq!(parsed, file(&app).await);

    let page = browser.get("/admin/demo/setup/file").await;
    let csrf = common::console::hidden(&page.body, "csrf");
    let before = file(&app).await;
    // Invalid: the place is named, nothing changes.
    let bad = text.replace("friday = \"08:00-14:00\"", "friday = \"08:00-25:00\"");
    let (status, body) = upload(&browser, &app, &csrf, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("office_hours.friday"), "{body}");
    let (status, body) = upload(&browser, &app, &csrf, "name = [").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = upload(&browser, &app, "forged", &text).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(file(&app).await, before);

    // Valid: a preview of the changes, still nothing written; then applied.
    let changed = text
        .replace("lead_minutes = 120", "lead_minutes = 45")
        .replace("name = \"Hygiene 2\"", "name = \"Hygiene 3\"");
    let (status, body) = upload(&browser, &app, &csrf, &changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("settings.lead_minutes changes"), "{body}");
    assert!(
        body.contains("adds chair &#39;Hygiene 3&#39;") || body.contains("adds chair 'Hygiene 3'"),
        "{body}"
    );
    assert_eq!(file(&app).await, before, "a preview writes nothing");
    let values = form_values(&body, "/admin/demo/setup/file/apply");
    let applied = browser
        .post("/admin/demo/setup/file/apply", &pairs(&values))
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let after = file(&app).await;
    assert_eq!(after.settings.lead_minutes, 45);
    assert!(
        after
            .operatories
            .iter()
            .any(|o| o.name == "Hygiene 3" && o.active)
    );
    assert!(
        after
            .operatories
            .iter()
            .any(|o| o.name == "Hygiene 2" && !o.active)
    );
    let activity = app
        .state
        .staff
        .actions(app.org("demo").await.id, 20)
        .await
        .expect("actions");
    assert!(
        activity
            .iter()
            .any(|a| a.detail.contains("uploaded a clinic file"))
    );
}
