//! Console page latency: a clinic with 5,000 appointments over 90 days, 1,000 patients and
//! 2,000 calls, a signed-in owner, and each page fetched 100 times over real HTTP against the
//! real server (SQLite, or PostgreSQL with ASCENDIA_BENCH_DATABASE_URL as the runtime role of a
//! migrated database). Reports p50 and p95 per page. Run: `cargo bench --bench console_pages`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ascendia::Server;
use ascendia::agent::Receptionist;
use ascendia::booking::{Appointment, AppointmentId, AppointmentStatus, NewPatient, PhoneNumber};
use ascendia::calls::CallEvent;
use ascendia::config::Settings;
use ascendia::staff::{Email, Role, StaffAccounts};
use ascendia::store::TxMode;
use chrono::{Duration as Days, NaiveDate, Timelike, Utc};
use serde_json::json;

const PATIENTS: usize = 1_000;
const APPOINTMENTS: usize = 5_000;
const CALLS: usize = 2_000;
const ROUNDS: usize = 100;
const PASSWORD: &str = "bench passphrase 1";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let settings = Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: std::env::var("ASCENDIA_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display())),
        ..Settings::default()
    };
    let server = Server::build(&settings, Arc::new(Receptionist))
        .await
        .expect("server");
    let addr = server.local_addr().expect("addr");
    let store = server.store().clone();
    let scheduler = server.state().scheduler.clone();
    tokio::spawn(server.run_until(std::future::pending()));
    let org = store.require_org("demo").await.expect("demo");
    let catalogue = scheduler.catalogue(&org).await.expect("catalogue");
    let today = org.time_zone.local(Utc::now()).date_naive();

    let seeding = Instant::now();
    let mut patients = Vec::with_capacity(PATIENTS);
    for i in 0..PATIENTS {
        let new = NewPatient::new(
            &format!("First{i}"),
            &format!("Last{}", i % 97),
            NaiveDate::from_ymd_opt(
                1950 + (i % 60) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            )
            .expect("birth date"),
            PhoneNumber::parse(&format!("+1555{:07}", 2_000_000 + i)).ok(),
            None,
            today,
        )
        .expect("patient");
        patients.push(
            scheduler
                .create_patient(&org, new, Utc::now())
                .await
                .expect("created")
                .id,
        );
    }
    let midnight = Utc::now()
        .with_hour(0)
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .expect("midnight");
    let mut tx = store.clinic(org.id, TxMode::Write).await.expect("tx");
    for i in 0..APPOINTMENTS {
        let day = (i % 90) as i64 - 45;
        let slot = (i / 90) as i64;
        let start = midnight + Days::days(day) + Days::minutes(13 * 60 + slot * 10);
        let provider = &catalogue.providers[i % catalogue.providers.len()];
        let appointment = Appointment {
            id: AppointmentId::new_random(),
            patient: patients[i % PATIENTS],
            provider: provider.id,
            operatory: catalogue.operatories[i % catalogue.operatories.len()].id,
            appointment_type: catalogue.appointment_types[i % catalogue.appointment_types.len()].id,
            start,
            end: start + Days::minutes(10),
            status: AppointmentStatus::Scheduled,
            note: None,
            source: "bench".into(),
            idempotency_key: None,
            call_id: (i % 3 == 0).then(|| format!("bench-call-{}", i % CALLS)),
            created_at: start,
            updated_at: start,
        };
        tx.insert_appointment(&appointment)
            .await
            .expect("appointment");
    }
    tx.commit().await.expect("commit");
    for i in 0..CALLS {
        let start = Utc::now() - Days::minutes((i as i64) * 43);
        let transcript: Vec<_> = (0..20)
            .map(|t| json!({"role": if t % 2 == 0 { "agent" } else { "user" }, "content": format!("turn {t} of call {i}")}))
            .collect();
        let event = CallEvent::parse(&json!({"event": "call_ended", "call": {
            "call_id": format!("bench-call-{i}"), "from_number": "+15550000000",
            "start_timestamp": start.timestamp_millis(), "end_timestamp": start.timestamp_millis() + 120_000,
            "duration_ms": 120_000, "call_status": "ended", "disconnection_reason": "user_hangup",
            "transcript_object": transcript, "latency": {"e2e": {"p50": 900 + i % 300}},
        }}))
        .expect("event");
        store.apply_call_event(org.id, &event).await.expect("call");
    }
    let hash = StaffAccounts::hash_password(PASSWORD).await.expect("hash");
    let email = Email::parse("owner@bench.example").expect("email");
    let user = store
        .create_user(&email, &hash, false)
        .await
        .expect("user")
        .expect("new");
    store
        .set_membership(user, org.id, Role::Owner)
        .await
        .expect("member");
    println!(
        "seeded {PATIENTS} patients, {APPOINTMENTS} appointments, {CALLS} calls in {:?}",
        seeding.elapsed()
    );

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let base = format!("http://{addr}/admin");
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page");
    let csrf_cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("ascendia_login_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("csrf cookie")
        .to_owned();
    let signed_in = client
        .post(format!("{base}/login"))
        .header("cookie", format!("ascendia_login_csrf={csrf_cookie}"))
        .form(&[
            ("email", "owner@bench.example"),
            ("password", PASSWORD),
            ("csrf", &csrf_cookie),
        ])
        .send()
        .await
        .expect("sign in");
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("ascendia_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let cookie = format!("ascendia_session={session}");
    let pages = [
        ("today", "/demo/today".to_owned()),
        ("today board", "/demo/today/board".to_owned()),
        ("calendar day", format!("/demo/calendar?date={today}")),
        (
            "calendar week",
            format!("/demo/calendar?date={today}&view=week"),
        ),
        ("calls", "/demo/calls".to_owned()),
        ("call", "/demo/calls/bench-call-1".to_owned()),
        ("statistics 30 days", "/demo/statistics?days=30".to_owned()),
        ("activity", "/demo/activity".to_owned()),
    ];
    println!(
        "{:<20} {:>9} {:>9} {:>9}",
        "page", "p50 ms", "p95 ms", "bytes"
    );
    for (name, path) in pages {
        let mut times: Vec<Duration> = Vec::with_capacity(ROUNDS);
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let response = client
                .get(format!("{base}{path}"))
                .header("cookie", &cookie)
                .send()
                .await
                .expect("page");
            assert_eq!(response.status().as_u16(), 200, "{path}");
            bytes = response.bytes().await.expect("body").len();
            times.push(started.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<20} {:>9.1} {:>9.1} {bytes:>9}",
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS * 95 / 100])
        );
    }
}
