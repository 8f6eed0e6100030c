//! The web console over real HTTP: signing in and out, CSRF, throttling, what each page shows,
//! and every refusal (not signed in, another clinic, a role too low).

use crate::common;

use ascendia::booking::AppointmentStatus;
use ascendia::staff::Role;
use common::TestApp;
use common::console::{Browser, PASSWORD, appointment_now, hidden, user};
use common::demo::patient;
use reqwest::StatusCode;

async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    user(&app, "owner@demo.example", Some(("demo", Role::Owner))).await;
    user(&app, "ops@ascendia.example", None).await;
    app
}

#[tokio::test]
async fn signing_in_shows_the_clinics_day_and_signing_out_ends_the_session() {
    let app = setup().await;
    // Today's appointment, placed directly: the clinic's day may already be over.
    let ann = patient(&app, "Annabel", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    appointment_now(&app, "demo", ann, Some("call-today")).await;

    let mut browser = Browser::new(&app);
    let page = browser.get("/admin/demo/today").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/admin/login"));

    let signed_in = browser.sign_in("Desk@Demo.example", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert!(browser.cookies.contains_key("ascendia_session"));
    // One clinic: straight to its day.
    let home = browser.get("/admin").await;
    assert_eq!(home.location.as_deref(), Some("/admin/demo/today"));
    let today = browser.get("/admin/demo/today").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(
        today.body.contains("<title>Today · Demo Dental</title>"),
        "{}",
        today.body
    );
    assert!(today.body.contains("Annabel Quist"), "{}", today.body);
    assert!(today.body.contains("Booked by the receptionist"));
    assert!(
        !today.body.contains("Staff activity"),
        "staff do not see the owners' page"
    );
    let board = browser.get("/admin/demo/today/board").await;
    assert!(board.body.contains("Annabel Quist"));

    // Signing out needs the session's CSRF token.
    let refused = browser.post("/admin/logout", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = hidden(&today.body, "csrf");
    let out = browser.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/admin/login"));
    let after = browser.get("/admin/demo/today").await;
    assert_eq!(after.location.as_deref(), Some("/admin/login"));
}

#[tokio::test]
async fn another_clinic_a_wrong_role_or_a_stolen_form_gets_nothing() {
    let app = setup().await;
    let mut desk = Browser::new(&app);
    desk.sign_in("desk@demo.example", PASSWORD).await;
    for path in [
        "/admin/twin/today",
        "/admin/twin/calls",
        "/admin/twin/today/board",
        "/admin/nowhere/today",
        "/admin/demo/activity",
        "/admin/demo/calls/call-of-nobody",
    ] {
        let page = desk.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !page.body.contains("Twin"),
            "{path}: nothing of the other clinic"
        );
    }
    // The owner sees the record of staff actions; an operator sees every clinic.
    let mut owner = Browser::new(&app);
    owner.sign_in("owner@demo.example", PASSWORD).await;
    assert_eq!(
        owner.get("/admin/demo/activity").await.status,
        StatusCode::OK
    );
    let mut ops = Browser::new(&app);
    ops.sign_in("ops@ascendia.example", PASSWORD).await;
    let picker = ops.get("/admin").await;
    assert!(picker.body.contains("/admin/demo/today") && picker.body.contains("/admin/twin/today"));
    assert_eq!(ops.get("/admin/twin/today").await.status, StatusCode::OK);

    // A sign-in form posted without its own CSRF cookie is refused.
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post(
            "/admin/login",
            &[
                ("email", "desk@demo.example"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!stranger.cookies.contains_key("ascendia_session"));
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account() {
    let app = setup().await;
    let mut browser = Browser::new(&app);
    for _ in 0..5 {
        let page = browser
            .sign_in("desk@demo.example", "wrong password!")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body.contains("the email or the password is wrong"),
            "{}",
            page.body
        );
    }
    let page = browser.sign_in("desk@demo.example", PASSWORD).await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(!browser.cookies.contains_key("ascendia_session"));
    // Another account from elsewhere is not held up by it.
    let mut other = Browser::new(&app);
    assert_eq!(
        other.sign_in("owner@demo.example", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_calls_page_lists_the_days_calls_and_a_call_shows_its_transcript_and_tools() {
    let app = setup().await;
    let mut call = app.call("/llm-websocket/demo/console-call").await;
    call.greeting(common::TIMEOUT).await.expect("greeting");
    call.say("do you take Delta Dental insurance?", common::TIMEOUT)
        .await
        .expect("answer");
    call.hang_up().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("desk@demo.example", PASSWORD).await;
    let listed = common::eventually(std::time::Duration::from_secs(3), || {
        let client = reqwest::Client::new();
        let url = app.http("/admin/demo/calls");
        let cookie = browser.cookie_header();
        async move {
            client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .ok()
                .map(|r| r.status() == StatusCode::OK)
                .unwrap_or(false)
        }
    })
    .await;
    assert!(listed);
    let calls = browser.get("/admin/demo/calls").await;
    assert!(
        calls.body.contains("/admin/demo/calls/console-call"),
        "{}",
        calls.body
    );
    let page = browser.get("/admin/demo/calls/console-call").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Call console-call · Demo Dental"));
    assert!(!page.body.contains("Listen to the recording"));
    // Retell's end-of-call event brings the recording; only a web link is kept.
    let org = app.org("demo").await;
    for (url, shown) in [
        ("javascript:alert(1)", false),
        ("https://recordings.retell.example/console-call.wav", true),
    ] {
        let event = ascendia::calls::CallEvent::parse(&serde_json::json!({"event": "call_ended",
            "call": {"call_id": "console-call", "recording_url": url}}))
        .expect("event");
        app.store
            .apply_call_event(org.id, &event)
            .await
            .expect("filed");
        let page = browser.get("/admin/demo/calls/console-call").await;
        assert_eq!(
            page.body.contains(&format!("href=\"{url}\"")),
            shown,
            "{url}"
        );
    }
    let bad_day = browser.get("/admin/demo/calls?date=%2B262142-01-01").await;
    assert_eq!(bad_day.status, StatusCode::BAD_REQUEST);
}

/// `ascendia ARGS` on the app's database, with `stdin` as its standard input.
async fn cli(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ascendia"))
        .args(args)
        .current_dir(app.dir.path())
        .env("ASCENDIA_DATABASE_URL", &app.settings.database_url)
        .env_remove("ASCENDIA_ADMIN_DATABASE_URL")
        .env_remove("ASCENDIA_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await.expect("stdin");
    }
    let output = child.wait_with_output().await.expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn operators_manage_staff_accounts_from_the_command_line() {
    let app = setup().await;
    let new_password = "a brand new passphrase";
    let (ok, out) = cli(
        &app,
        &[
            "user",
            "add",
            "Lee@Demo.example",
            "--clinic",
            "demo",
            "--role",
            "manager",
        ],
        "too short\n",
    )
    .await;
    assert!(!ok && out.contains("10 to 200 characters"), "{out}");
    let (ok, out) = cli(
        &app,
        &["user", "add", "lee@demo.example", "--clinic", "nowhere"],
        &format!("{new_password}\n"),
    )
    .await;
    assert!(!ok && out.contains("nowhere"), "{out}");
    let (ok, out) = cli(
        &app,
        &[
            "user",
            "add",
            "lee@demo.example",
            "--clinic",
            "demo",
            "--role",
            "chief",
        ],
        &format!("{new_password}\n"),
    )
    .await;
    assert!(!ok && out.contains("owner, manager or staff"), "{out}");
    let (ok, out) = cli(&app, &["user", "list"], "").await;
    assert!(ok && !out.contains("lee@"), "nothing half-made: {out}");

    let (ok, out) = cli(
        &app,
        &[
            "user",
            "add",
            "Lee@Demo.example",
            "--clinic",
            "demo",
            "--role",
            "manager",
        ],
        &format!("{new_password}\n"),
    )
    .await;
    assert!(ok, "{out}");
    let (ok, out) = cli(
        &app,
        &["user", "add", "lee@demo.example", "--clinic", "twin"],
        "",
    )
    .await;
    assert!(
        ok,
        "a second clinic for an existing account asks no password: {out}"
    );
    let (_, out) = cli(&app, &["user", "list"], "").await;
    assert!(
        out.contains("lee@demo.example\t")
            && out.contains("demo (manager)")
            && out.contains("twin (staff)"),
        "{out}"
    );
    assert!(!out.contains(new_password));

    let mut browser = Browser::new(&app);
    assert_eq!(
        browser
            .sign_in("lee@demo.example", new_password)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.get("/admin/demo/today").await.status,
        StatusCode::OK
    );
    // A new password ends the account's sessions.
    let (ok, out) = cli(
        &app,
        &["user", "set-password", "lee@demo.example"],
        "another long passphrase\n",
    )
    .await;
    assert!(ok, "{out}");
    assert_eq!(
        browser.get("/admin/demo/today").await.location.as_deref(),
        Some("/admin/login")
    );
    let (ok, _) = cli(&app, &["user", "remove", "lee@demo.example"], "").await;
    assert!(ok);
    let (ok, out) = cli(&app, &["user", "remove", "lee@demo.example"], "").await;
    assert!(!ok && out.contains("no account"), "{out}");
    assert_eq!(
        browser
            .sign_in("lee@demo.example", "another long passphrase")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_calendar_books_moves_and_cancels_by_the_scheduler_rules() {
    use chrono::Weekday;
    let app = setup().await;
    let zone = "America/New_York";
    let tuesday = common::next_weekday(zone, Weekday::Tue, 3);
    let ann = patient(&app, "Annika", "Berg", (1985, 3, 4), "+1 555 201 7100").await;
    let bo = patient(&app, "Bo", "Lind", (1986, 4, 5), "+1 555 201 7101").await;
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
        .id
        .to_string();
    let maria = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Maria Lopez")
        .expect("maria")
        .id
        .to_string();

    let mut desk = Browser::new(&app);
    desk.sign_in("desk@demo.example", PASSWORD).await;
    let patient_page = desk.get(&format!("/admin/demo/patients/{ann}")).await;
    assert!(
        patient_page
            .body
            .contains(&format!("/admin/demo/calendar?patient={ann}")),
        "the patient's page leads to booking"
    );
    let page = desk
        .get(&format!(
            "/admin/demo/calendar?date={tuesday}&patient={ann}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Book for Annika Berg"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let book = |patient: String, time: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("patient", patient),
            ("appointment_type", cleaning.clone()),
            ("provider", maria.clone()),
            ("date", tuesday.clone()),
            ("time", time.to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| form;
    let form = post(book(ann.to_string(), "09:00"));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Without the CSRF token: refused, nothing booked.
    let no_csrf: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| *k != "csrf")
        .copied()
        .collect();
    assert_eq!(
        desk.post("/admin/demo/calendar/book", &no_csrf)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(common::demo::appointments(&app, ann).await.is_empty());
    let booked = desk.post("/admin/demo/calendar/book", &pairs).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    let day = desk
        .get(booked.location.as_deref().unwrap_or_default())
        .await;
    assert!(
        day.body.contains("Booked.") && day.body.contains("Annika Berg"),
        "{}",
        day.body
    );

    // Bo at the same time with the same provider: the reason and the nearest free times.
    let clash = post(book(bo.to_string(), "09:00"));
    let pairs: Vec<(&str, &str)> = clash.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = desk.post("/admin/demo/calendar/book", &pairs).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("the provider already has an appointment then"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Nearest free times"),
        "{}",
        refused.body
    );
    assert!(common::demo::appointments(&app, bo).await.is_empty());

    // Move Annika to 10:00, then cancel.
    let id = common::demo::appointments(&app, ann).await[0]
        .id
        .to_string();
    let moved = desk
        .post(
            &format!("/admin/demo/appointments/{id}/move"),
            &[("csrf", &csrf), ("date", &tuesday), ("time", "10:00")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let after = &common::demo::appointments(&app, ann).await[0];
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    assert_eq!(
        after.start.with_timezone(&tz).format("%H:%M").to_string(),
        "10:00"
    );
    let off_grid = desk
        .post(
            &format!("/admin/demo/appointments/{id}/move"),
            &[("csrf", &csrf), ("date", &tuesday), ("time", "10:07")],
        )
        .await;
    assert_eq!(
        off_grid.status,
        StatusCode::BAD_REQUEST,
        "{}",
        off_grid.body
    );
    let cancelled = desk
        .post(
            &format!("/admin/demo/appointments/{id}/cancel"),
            &[("csrf", &csrf), ("reason", "patient called")],
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        common::demo::appointments(&app, ann).await[0].status,
        AppointmentStatus::Cancelled
    );

    // Another clinic's member cannot touch it; the owner reads who did what.
    user(&app, "twin-desk@twin.example", Some(("twin", Role::Staff))).await;
    let mut other = Browser::new(&app);
    other.sign_in("twin-desk@twin.example", PASSWORD).await;
    let page = other.get("/admin/twin/calendar").await;
    let other_csrf = hidden(&page.body, "csrf");
    let stolen = other
        .post(
            &format!("/admin/twin/appointments/{id}/cancel"),
            &[("csrf", &other_csrf)],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    let mut owner = Browser::new(&app);
    owner.sign_in("owner@demo.example", PASSWORD).await;
    let activity = owner.get("/admin/demo/activity").await;
    for action in ["booked", "moved", "cancelled"] {
        assert!(
            activity.body.contains(&format!("<td>{action}</td>")),
            "{action}: {}",
            activity.body
        );
    }
    assert!(activity.body.contains("desk@demo.example"));
    let week = desk
        .get(&format!("/admin/demo/calendar?date={tuesday}&view=week"))
        .await;
    assert_eq!(week.status, StatusCode::OK);
}

#[tokio::test]
async fn statistics_are_for_managers_and_owners_and_count_the_clinics_calls() {
    let app = setup().await;
    patient(&app, "Uma", "Ode", (1981, 1, 1), "+1 555 201 1900").await;
    let mut options = ascendia::client::CallOptions::default();
    options.call.from_number = Some("+15552011900".into());
    ascendia::client::script::run_with(
        &app.ws("/llm-websocket/demo/stats-call"),
        options,
        &[
            (
                1,
                ascendia::client::script::Step::Say("cleaning Tuesday at 8 am".into()),
            ),
            (2, ascendia::client::script::Step::Say("yes".into())),
        ],
        common::TIMEOUT,
        |_| {},
    )
    .await
    .expect("a booking call");
    let mut desk = Browser::new(&app);
    desk.sign_in("desk@demo.example", PASSWORD).await;
    assert_eq!(
        desk.get("/admin/demo/statistics").await.status,
        StatusCode::NOT_FOUND
    );
    let mut owner = Browser::new(&app);
    owner.sign_in("owner@demo.example", PASSWORD).await;
    let recorded = common::eventually(std::time::Duration::from_secs(3), || async {
        matches!(
            app.store
                .call_record(app.org("demo").await.id, "stats-call")
                .await,
            Ok(Some(_))
        )
    })
    .await;
    assert!(recorded);
    let page = owner.get("/admin/demo/statistics?days=7").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<svg") && page.body.contains("Calls per day"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<dt>Calls</dt><dd>1</dd>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<dt>Booked an appointment</dt><dd>1 (100%)</dd>"),
        "{}",
        page.body
    );
    let calls = owner.get("/admin/demo/calls").await;
    assert!(calls.body.contains("<td>booked</td>"), "{}", calls.body);
    let silly = owner.get("/admin/demo/statistics?days=-5").await;
    assert_eq!(silly.status, StatusCode::OK, "a range is clamped");
}
