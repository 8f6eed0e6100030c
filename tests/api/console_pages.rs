//! The console's Patients and Inbox pages over real HTTP: searching patients by name, phone
//! and birth date, a patient's page and their contact details (checked, recorded, guarded by
//! the form's token), and the inbox of messages, transfers and calls that booked nothing, each
//! marked done by staff. Another clinic's records are a 404; without a session, the sign-in.

use crate::common;

use ascendia::booking::{
    Appointment, AppointmentId, AppointmentStatus, MessageQuery, MessageStatus, NewPatient,
    PatientId, PhoneNumber,
};
use ascendia::staff::Role;
use ascendia::store::TxMode;
use chrono::{Duration, Timelike, Utc, Weekday};
use common::TestApp;
use common::console::{Browser, PASSWORD, hidden, user};
use common::demo::{UNKNOWN_CALLER, book, next, patient, talk};
use reqwest::StatusCode;

async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    user(&app, "owner@demo.example", Some(("demo", Role::Owner))).await;
    app
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let page = browser.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

/// A patient of the twin clinic, with a phone number a demo patient also has.
async fn twin_patient(app: &TestApp) -> PatientId {
    let twin = app.org("twin").await;
    let new = NewPatient::new(
        "Tess",
        "Quist",
        chrono::NaiveDate::from_ymd_opt(1980, 1, 2).expect("date"),
        Some(PhoneNumber::parse("+1 555 201 7000").expect("phone")),
        None,
        Utc::now().date_naive(),
    )
    .expect("valid");
    app.state
        .scheduler
        .create_patient(&twin, new, Utc::now())
        .await
        .expect("twin patient")
        .id
}

/// A completed appointment a month ago, placed directly (booking refuses the past).
async fn past_visit(app: &TestApp, patient: PatientId) {
    let org = app.org("demo").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let start = (Utc::now() - Duration::days(30))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("minute");
    let kind = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == "Filling")
        .expect("filling");
    let provider = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Dr. Sarah Chen")
        .expect("provider");
    let appointment = Appointment {
        id: AppointmentId::new_random(),
        patient,
        provider: provider.id,
        operatory: catalogue.operatories[0].id,
        appointment_type: kind.id,
        start,
        end: start + Duration::minutes(60),
        status: AppointmentStatus::Completed,
        note: None,
        source: "test".into(),
        idempotency_key: None,
        call_id: None,
        created_at: start,
        updated_at: start,
    };
    let mut tx = app.store.clinic(org.id, TxMode::Write).await.expect("tx");
    tx.insert_appointment(&appointment).await.expect("insert");
    tx.commit().await.expect("commit");
}

fn names_in(body: &str) -> Vec<&'static str> {
    ["Annabel Quist", "Arthur Quist", "Bea Quinn", "Tess Quist"]
        .into_iter()
        .filter(|name| body.contains(name))
        .collect()
}

#[tokio::test]
async fn patients_are_found_by_name_phone_and_birth_date_and_another_clinics_are_not() {
    let app = setup().await;
    let ann = patient(&app, "Annabel", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    patient(&app, "Arthur", "Quist", (1975, 6, 7), "+1 555 201 7001").await;
    patient(&app, "Bea", "Quinn", (1980, 1, 2), "+1 555 201 7002").await;
    let tess = twin_patient(&app).await;
    let tuesday = next(Weekday::Tue);
    book(&app, ann, "Cleaning", "Maria Lopez", tuesday, 9).await;
    past_visit(&app, ann).await;

    // Not signed in: every page and form leads to the sign-in.
    let mut stranger = Browser::new(&app);
    for path in [
        "/admin/demo/patients".to_owned(),
        "/admin/demo/patients?q=Quist".to_owned(),
        format!("/admin/demo/patients/{ann}"),
        "/admin/demo/inbox".to_owned(),
    ] {
        let page = stranger.get(&path).await;
        assert_eq!(page.location.as_deref(), Some("/admin/login"), "{path}");
    }
    let page = stranger
        .post(
            &format!("/admin/demo/patients/{ann}/contact"),
            &[("phone", "+1 555 201 7099"), ("csrf", "x")],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/admin/login"));

    let mut desk = signed_in(&app, "desk@demo.example").await;
    let empty = desk.get("/admin/demo/patients").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("<title>Patients · Demo Dental</title>"),
        "{}",
        empty.body
    );
    for link in ["today", "patients", "calls", "inbox"] {
        assert!(
            empty.body.contains(&format!("href=\"/admin/demo/{link}\"")),
            "the nav links {link}"
        );
    }
    assert!(names_in(&empty.body).is_empty());

    for (query, expected) in [
        ("Quist", vec!["Annabel Quist", "Arthur Quist"]),
        ("quist", vec!["Annabel Quist", "Arthur Quist"]),
        ("Qui", vec!["Annabel Quist", "Arthur Quist", "Bea Quinn"]),
        ("Quist%2C+ann", vec!["Annabel Quist"]),
        ("Annabel+Quist", vec!["Annabel Quist"]),
        ("%28555%29+201-7000", vec!["Annabel Quist"]),
        ("%2B15552017001", vec!["Arthur Quist"]),
        ("1980-01-02", vec!["Annabel Quist", "Bea Quinn"]),
        ("Nobody", vec![]),
        ("%25", vec![]),
    ] {
        let page = desk.get(&format!("/admin/demo/patients?q={query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
        assert_eq!(names_in(&page.body), expected, "{query}");
    }
    for (query, error) in [
        ("1980-02-30", "invalid birth date"),
        ("12345", "invalid phone number"),
    ] {
        let page = desk.get(&format!("/admin/demo/patients?q={query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(error), "{query}: {}", page.body);
    }
    let found = desk.get("/admin/demo/patients?q=Quist").await;
    assert!(found.body.contains(&format!("/admin/demo/patients/{ann}")));

    // The patient's page: details, the appointment to come and the one past, in clinic time.
    let page = desk.get(&format!("/admin/demo/patients/{ann}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<title>Annabel Quist · Demo Dental</title>")
    );
    for text in [
        "1980-01-02",
        "+15552017000",
        "Cleaning",
        "Maria Lopez",
        "scheduled",
        "Filling",
        "Dr. Sarah Chen",
        "completed",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let upcoming = format!("{}, 9:00 AM", tuesday.format("%a %b %-d, %Y"));
    let (before_past, after_past) = page
        .body
        .split_once("Past appointments")
        .expect("two lists");
    assert!(before_past.contains(&upcoming), "{upcoming}: {before_past}");
    assert!(after_past.contains("Filling") && !after_past.contains("Cleaning"));

    // Another clinic's patient, a made-up id, another clinic's pages: nothing.
    for path in [
        format!("/admin/demo/patients/{tess}"),
        format!("/admin/demo/patients/{}", uuid::Uuid::new_v4()),
        "/admin/demo/patients/not-an-id".to_owned(),
        "/admin/twin/patients".to_owned(),
        format!("/admin/twin/patients/{tess}"),
        "/admin/twin/inbox".to_owned(),
    ] {
        let page = desk.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Tess"), "{path}");
    }
}

#[tokio::test]
async fn contact_details_are_checked_recorded_and_need_the_forms_token() {
    let app = setup().await;
    let ann = patient(&app, "Annabel", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    let tess = twin_patient(&app).await;
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let page = desk.get(&format!("/admin/demo/patients/{ann}")).await;
    let csrf = hidden(&page.body, "csrf");
    assert!(!csrf.is_empty());
    let action = format!("/admin/demo/patients/{ann}/contact");
    assert!(page.body.contains(&format!("action=\"{action}\"")));
    let org = app.org("demo").await;
    let stored = || async {
        let p = app
            .state
            .scheduler
            .patient(&org, ann)
            .await
            .expect("patient");
        (p.phone.map(String::from), p.email)
    };
    let before = stored().await;
    assert_eq!(before, (Some("+15552017000".to_owned()), None));

    // Without the token, or with another: refused, nothing changed.
    for form in [
        vec![("phone", "+1 555 201 7099")],
        vec![("phone", "+1 555 201 7099"), ("csrf", "not-the-token")],
    ] {
        let refused = desk.post(&action, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(stored().await, before);

    // Invalid: the page again, with the errors and what was typed; nothing changed.
    let invalid = desk
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("phone", "12"),
                ("email", "ann-at-example"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(
        invalid.body.contains("invalid phone number")
            && invalid.body.contains("invalid email address"),
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains("value=\"12\"") && invalid.body.contains("ann-at-example"));
    assert!(invalid.body.contains("Annabel Quist"));
    let half = desk
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("phone", "12"),
                ("email", "ann@example.com"),
            ],
        )
        .await;
    assert_eq!(
        half.status,
        StatusCode::BAD_REQUEST,
        "one bad detail saves neither"
    );
    assert_eq!(stored().await, before);

    // Another clinic's patient: not found, not changed.
    let other = desk
        .post(
            &format!("/admin/demo/patients/{tess}/contact"),
            &[("csrf", &csrf), ("phone", "+1 555 201 7099")],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let twin = app.org("twin").await;
    let tess_now = app
        .state
        .scheduler
        .patient(&twin, tess)
        .await
        .expect("tess");
    assert_eq!(
        tess_now.phone.map(String::from).as_deref(),
        Some("+15552017000")
    );

    // Valid: saved, shown, recorded.
    let saved = desk
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("phone", "(555) 201-7099"),
                ("email", " ann@example.com "),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.location.expect("redirect");
    assert_eq!(location, format!("/admin/demo/patients/{ann}?saved=1"));
    assert_eq!(
        stored().await,
        (
            Some("+15552017099".to_owned()),
            Some("ann@example.com".to_owned())
        )
    );
    let shown = desk.get(&location).await;
    assert!(shown.body.contains("Saved."));
    assert!(shown.body.contains("+15552017099") && shown.body.contains("ann@example.com"));
    // Clearing the email only.
    let cleared = desk
        .post(
            &action,
            &[("csrf", &csrf), ("phone", "+15552017099"), ("email", "")],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    assert_eq!(stored().await, (Some("+15552017099".to_owned()), None));

    let mut owner = signed_in(&app, "owner@demo.example").await;
    let activity = owner.get("/admin/demo/activity").await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(
        activity.body.contains("edited contact details"),
        "{}",
        activity.body
    );
    assert!(
        activity
            .body
            .contains(&format!("patient {ann}: phone, email"))
    );
    assert!(activity.body.contains(&format!("patient {ann}: email")));
    assert!(activity.body.contains("desk@demo.example"));
    assert!(
        !activity.body.contains("ann@example.com") && !activity.body.contains("2017099"),
        "the record names what changed, not the patient's details"
    );
}

/// The inbox page, once `check` holds for it (tool calls are filed off the call's path).
async fn inbox_when(browser: &mut Browser, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..50 {
        let page = browser.get("/admin/demo/inbox").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if check(&page.body) {
            return page.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the inbox never showed what was expected");
}

#[tokio::test]
async fn a_message_taken_in_a_call_waits_in_the_inbox_until_marked_done() {
    let app = setup().await;
    let call = talk(
        &app,
        UNKNOWN_CALLER,
        "
        say can I leave a message? this is Grace Connor and my number is five five five two three four nine eight seven six
        expect pass on
        say please call me back about my bill from last month
        expect passed your message
    ",
    )
    .await;
    let org = app.org("demo").await;
    let open = MessageQuery {
        status: Some(MessageStatus::New),
        ..MessageQuery::default()
    };
    let messages = app
        .state
        .scheduler
        .messages(&org, &open)
        .await
        .expect("messages");
    assert_eq!(messages.items.len(), 1);
    let message = &messages.items[0];
    assert_eq!(message.call_id.as_deref(), Some(call.call_id.as_str()));

    let mut desk = signed_in(&app, "desk@demo.example").await;
    let inbox = inbox_when(&mut desk, |body| body.contains("Grace Connor")).await;
    assert!(inbox.contains("<title>Inbox · Demo Dental</title>"));
    assert!(
        inbox.contains("+15552349876") && inbox.contains("bill"),
        "{inbox}"
    );
    assert!(inbox.contains(&format!("/admin/demo/calls/{}", call.call_id)));
    let action = format!("/admin/demo/inbox/messages/{}/done", message.id);
    assert!(inbox.contains(&action));
    assert!(
        !inbox.contains(&format!("/admin/demo/inbox/calls/{}/done", call.call_id)),
        "the message stands for its call"
    );

    // Without the token: refused, still waiting.
    let refused = desk.post(&action, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        desk.get("/admin/demo/inbox")
            .await
            .body
            .contains("Grace Connor")
    );

    let csrf = hidden(&inbox, "csrf");
    let done = desk.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/admin/demo/inbox"));
    let after = desk.get("/admin/demo/inbox").await;
    assert!(!after.body.contains("Grace Connor"), "{}", after.body);
    assert!(after.body.contains("No messages waiting."));
    let handled = app
        .state
        .scheduler
        .messages(&org, &MessageQuery::default())
        .await
        .expect("messages");
    assert_eq!(handled.items[0].status, MessageStatus::Handled);

    // Another clinic's message, or none: not found.
    let unknown = format!("/admin/demo/inbox/messages/{}/done", uuid::Uuid::new_v4());
    assert_eq!(
        desk.post(&unknown, &[("csrf", &csrf)]).await.status,
        StatusCode::NOT_FOUND
    );
    let mut owner = signed_in(&app, "owner@demo.example").await;
    let activity = owner.get("/admin/demo/activity").await;
    assert!(activity.body.contains("marked a message handled"));
    assert!(activity.body.contains(&format!("message {}", message.id)));
}

#[tokio::test]
async fn transfers_and_calls_that_booked_nothing_wait_in_the_inbox_until_marked_done() {
    let app = setup().await;
    let transfer = talk(
        &app,
        UNKNOWN_CALLER,
        "
        say Can I speak to a real person please?
        expect transfer you to the front desk
        expect-transfer +15552010199
    ",
    )
    .await;
    let jo = patient(&app, "Jo", "Park", (1985, 5, 5), "+1 555 201 0900").await;
    let looked = talk(
        &app,
        "+15552010900",
        "
        say Can I get a cleaning on Saturday?
        expect The next openings are
        expect Which works best
    ",
    )
    .await;
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let transfer_done = format!("/admin/demo/inbox/calls/{}/done", transfer.call_id);
    let looked_done = format!("/admin/demo/inbox/calls/{}/done", looked.call_id);
    let inbox = inbox_when(&mut desk, |body| {
        body.contains(&transfer_done) && body.contains(&looked_done)
    })
    .await;
    assert!(
        inbox.contains("Asked for the front desk and was transferred"),
        "{inbox}"
    );
    assert!(inbox.contains("Looked for an appointment and booked none"));
    assert!(
        inbox.contains("+15552010900"),
        "the caller's number: {inbox}"
    );

    // A booking filed under the call (as the receptionist files it): nothing left to do.
    let org = app.org("demo").await;
    let mut booked = book(&app, jo, "Cleaning", "Maria Lopez", next(Weekday::Tue), 10).await;
    booked.id = AppointmentId::new_random();
    booked.start += Duration::days(7);
    booked.end += Duration::days(7);
    booked.call_id = Some(looked.call_id.clone());
    booked.idempotency_key = None;
    let mut tx = app.store.clinic(org.id, TxMode::Write).await.expect("tx");
    tx.insert_appointment(&booked).await.expect("insert");
    tx.commit().await.expect("commit");
    let after_booking = desk.get("/admin/demo/inbox").await;
    assert!(!after_booking.body.contains(&looked_done));
    assert!(after_booking.body.contains(&transfer_done));

    // Marking done needs the token, and takes the call off.
    let refused = desk.post(&transfer_done, &[("csrf", "stolen")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        desk.get("/admin/demo/inbox")
            .await
            .body
            .contains(&transfer_done)
    );
    let csrf = hidden(&inbox, "csrf");
    let done = desk.post(&transfer_done, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = desk.get("/admin/demo/inbox").await;
    assert!(!after.body.contains(&transfer_done), "{}", after.body);
    assert!(after.body.contains("No calls waiting."));
    // Again: nothing more to do, still fine.
    assert_eq!(
        desk.post(&transfer_done, &[("csrf", &csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    // A call the clinic never had: not found.
    assert_eq!(
        desk.post(
            "/admin/demo/inbox/calls/call-of-nobody/done",
            &[("csrf", &csrf)]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let mut owner = signed_in(&app, "owner@demo.example").await;
    let activity = owner.get("/admin/demo/activity").await;
    assert!(activity.body.contains("marked a call followed up"));
    assert!(
        activity
            .body
            .contains(&format!("call {}", transfer.call_id))
    );
}

/// PostgreSQL only (skipped otherwise): the calls marked done are clinic data like any other,
/// under row level security, with the runtime role's usual grants.
#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn calls_marked_done_are_row_level_secured_on_postgres() {
    use sqlx::{Connection, PgConnection};
    if common::pg::url("calls_marked_done_are_row_level_secured_on_postgres").is_none() {
        return;
    }
    let database = common::pg::TestDatabase::create().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(&dir);
    settings.database_url = database.runtime_url.clone();
    settings.admin_database_url = Some(database.owner_url.clone());
    let app = TestApp::start(
        settings,
        std::sync::Arc::new(ascendia::agent::Receptionist),
        dir,
    )
    .await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    for (slug, call_id) in [("demo", "demo-call"), ("twin", "twin-call")] {
        let org = app.org(slug).await;
        let event = ascendia::calls::CallEvent {
            event: "call_ended".into(),
            call_id: call_id.into(),
            start_ms: Some(Utc::now().timestamp_millis()),
            ..Default::default()
        };
        app.store
            .apply_call_event(org.id, &event)
            .await
            .expect("filed");
        app.state
            .scheduler
            .mark_call_followed_up(&org, call_id, None, Utc::now())
            .await
            .expect("marked as the runtime role");
    }
    let demo = app.org("demo").await;
    let err = app
        .state
        .scheduler
        .mark_call_followed_up(&demo, "twin-call", None, Utc::now())
        .await
        .expect_err("not demo's call");
    assert!(matches!(
        err,
        ascendia::booking::ServiceError::NotFound("call")
    ));

    let mut su = PgConnection::connect(&database.superuser_url)
        .await
        .expect("superuser");
    let (enabled, forced): (bool, bool) = sqlx::query_as(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'call_follow_ups'",
    )
    .fetch_one(&mut su)
    .await
    .expect("table");
    assert!(enabled && forced);
    let grants = |table: &'static str| {
        sqlx::query_scalar::<_, String>(
            "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type)
             FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name = $2",
        )
        .bind(common::pg::RUNTIME)
        .bind(table)
    };
    let on_patients = grants("patients").fetch_one(&mut su).await.expect("grants");
    let on_done = grants("call_follow_ups")
        .fetch_one(&mut su)
        .await
        .expect("grants");
    assert_eq!(on_done, on_patients);

    let mut conn = PgConnection::connect(&database.runtime_url)
        .await
        .expect("runtime role");
    let visible = "SELECT call_id FROM call_follow_ups ORDER BY call_id";
    let none: Vec<String> = sqlx::query_scalar(visible)
        .fetch_all(&mut conn)
        .await
        .expect("select");
    assert!(none.is_empty(), "no clinic set: nothing visible");
    let mut tx = conn.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.current_org', $1, true)")
        .bind(demo.id.to_string())
        .execute(&mut *tx)
        .await
        .expect("set org");
    let mine: Vec<String> = sqlx::query_scalar(visible)
        .fetch_all(&mut *tx)
        .await
        .expect("select");
    assert_eq!(mine, ["demo-call"]);
    let twin = app.org("twin").await;
    let foreign = sqlx::query(
        "INSERT INTO call_follow_ups (org_id, call_id, done_at) VALUES ($1::uuid, 'x', now())",
    )
    .bind(twin.id.to_string())
    .execute(&mut *tx)
    .await;
    assert!(foreign.is_err(), "a mark for another clinic is refused");
    tx.rollback().await.expect("rollback");
    let all: Vec<String> = sqlx::query_scalar(visible)
        .fetch_all(&mut su)
        .await
        .expect("select");
    assert_eq!(all, ["demo-call", "twin-call"]);
}
