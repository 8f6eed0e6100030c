//! The web console over real HTTP: signing in and out, CSRF, throttling, what each page shows,
//! and every refusal (not signed in, another clinic, a role too low).

use crate::common;

use ascendia::booking::{Appointment, AppointmentId, AppointmentStatus};
use ascendia::staff::Role;
use ascendia::store::TxMode;
use chrono::{Duration, Timelike, Utc};
use common::TestApp;
use common::console::{Browser, PASSWORD, hidden, user};
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
    let org = app.org("demo").await;
    let ann = patient(&app, "Annabel", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let start = Utc::now()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("minute");
    let appointment = Appointment {
        id: AppointmentId::new_random(),
        patient: ann,
        provider: catalogue.providers[0].id,
        operatory: catalogue.operatories[0].id,
        appointment_type: catalogue.appointment_types[0].id,
        start,
        end: start + Duration::minutes(30),
        status: AppointmentStatus::Scheduled,
        note: None,
        source: "voice".into(),
        idempotency_key: None,
        call_id: Some("call-today".into()),
        created_at: start,
        updated_at: start,
    };
    let mut tx = app.store.clinic(org.id, TxMode::Write).await.expect("tx");
    tx.insert_appointment(&appointment).await.expect("insert");
    tx.commit().await.expect("commit");

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
