//! kill -9 in the middle of a burst of bookings: the real `ascendia serve` binary on a fresh
//! database (SQLite, or PostgreSQL with `ASCENDIA_TEST_DATABASE=postgres`), many concurrent
//! Booking API requests with distinct idempotency keys and slots, SIGKILL once a third of them
//! have answered, a restart on the same database, and every request sent again with its key.
//! Every booking answered 201 before the kill is there, each retry returns the one booking of
//! its key, the clinic holds exactly one appointment per key, and SQLite's
//! `PRAGMA integrity_check` says ok.

use crate::adversarial::{Wire, send};
use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, Weekday};
use common::TIMEOUT;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const ZONE: &str = "America/New_York";
const BOOKINGS: usize = 96;
const IN_FLIGHT: usize = 16;

fn command(dir: &Path, env: &[(String, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ascendia"));
    command
        .current_dir(dir)
        .env_remove("ASCENDIA_DATABASE_URL")
        .env_remove("ASCENDIA_ADMIN_DATABASE_URL")
        .env_remove("ASCENDIA_LISTEN")
        .env_remove("ASCENDIA_CONFIG")
        .env_remove("ASCENDIA_LOG")
        .env_remove("RUST_LOG")
        .env_remove("ORG_SLUG_MAP")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .kill_on_drop(true);
    command
}

/// `ascendia serve` on port 0; its address from the JSON startup log. The log keeps being
/// read so the server never blocks on a full pipe.
async fn serve(dir: &Path, env: &[(String, String)]) -> (Child, SocketAddr) {
    let mut child = command(dir, env)
        .arg("serve")
        .env("ASCENDIA_LISTEN", "127.0.0.1:0")
        .env("ASCENDIA_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut tx = Some(tx);
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let Ok(json) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if json["message"] == "ascendia listening"
                && let Some(addr) = json["addr"].as_str().and_then(|a| a.parse().ok())
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(addr);
            }
        }
    });
    let addr = tokio::time::timeout(TIMEOUT, rx)
        .await
        .expect("the server starts within 10 s")
        .expect("the startup log names the address");
    (child, addr)
}

async fn request(
    addr: SocketAddr,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Result<(u16, Value), String> {
    let mut headers = vec![(
        "Authorization".to_owned(),
        format!("Bearer {key}").into_bytes(),
    )];
    if let Some(k) = idempotency_key {
        headers.push(("Idempotency-Key".to_owned(), k.as_bytes().to_vec()));
    }
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), b"application/json".to_vec()));
    }
    let reply = send(
        addr,
        &Wire {
            method: method.to_owned(),
            target: format!("/api/booking{path}"),
            headers,
            body: body.map(|b| b.to_string().into_bytes()),
        },
    )
    .await?;
    let json = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    Ok((reply.status, json))
}

async fn id_of(addr: SocketAddr, key: &str, listing: &str, name: &str) -> String {
    let (status, body) = request(addr, key, "GET", listing, None, None)
        .await
        .expect("listing");
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == name))
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("{name} in {listing}: {body}"))
        .to_owned()
}

/// Monday to Thursday dates from three days ahead: Dr. Chen's 08:00-12:00 and 13:00-17:00.
fn chen_slots(count: usize) -> Vec<String> {
    let tz: chrono_tz::Tz = ZONE.parse().expect("zone");
    let mut date = chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(3);
    let mut starts = Vec::new();
    while starts.len() < count {
        if matches!(
            date.weekday(),
            Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu
        ) {
            for hour in [8, 9, 10, 11, 13, 14, 15, 16] {
                for minute in [0, 30] {
                    starts.push(format!("{date}T{hour:02}:{minute:02}"));
                }
            }
        }
        date += chrono::Duration::days(1);
    }
    starts.truncate(count);
    starts
}

/// All bookings at once, `IN_FLIGHT` at a time; SIGKILL once `kill_after` have answered.
async fn burst_then_kill(
    server: &mut Child,
    addr: SocketAddr,
    key: &str,
    bookings: &Arc<Vec<(String, Value)>>,
    kill_after: usize,
) -> (Vec<Result<(u16, Value), String>>, usize) {
    let answered = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::new();
    for i in 0..bookings.len() {
        let (bookings, answered, gate, key) = (
            bookings.clone(),
            answered.clone(),
            gate.clone(),
            key.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let (idempotency_key, body) = &bookings[i];
            let outcome = request(
                addr,
                &key,
                "POST",
                "/appointments",
                Some(body),
                Some(idempotency_key),
            )
            .await;
            if outcome.is_ok() {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            outcome
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while answered.load(Ordering::SeqCst) < kill_after && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.start_kill().expect("SIGKILL");
    let _ = server.wait().await;
    let answered_at_kill = answered.load(Ordering::SeqCst);
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("request task"));
    }
    (outcomes, answered_at_kill)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_survive_kill_9_mid_flight_without_duplicates() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("dir");
    let database = if common::pg::selected() {
        Some(common::pg::TestDatabase::create().await)
    } else {
        None
    };
    let sqlite_url = format!("sqlite://{}", dir.path().join("ascendia.db").display());
    let mut env = vec![(
        "ASCENDIA_DATABASE_URL".to_owned(),
        database
            .as_ref()
            .map_or(sqlite_url.clone(), |d| d.runtime_url.clone()),
    )];
    if let Some(d) = &database {
        env.push((
            "ASCENDIA_ADMIN_DATABASE_URL".to_owned(),
            d.owner_url.clone(),
        ));
    }

    let (mut server, mut addr) = serve(dir.path(), &env).await;
    let created = command(dir.path(), &env)
        .args(["org", "api-key", "create", "demo"])
        .output()
        .await
        .expect("api-key create");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    let chen = id_of(addr, &key, "/providers", "Dr. Sarah Chen").await;
    let visit = id_of(addr, &key, "/appointment-types", "Emergency visit").await;
    let mut patients = Vec::new();
    for i in 0..8 {
        let (status, body) = request(
            addr,
            &key,
            "POST",
            "/patients",
            Some(
                &json!({"first_name": format!("Fault{i}"), "last_name": "Tolerance",
                         "birth_date": "1985-03-04"}),
            ),
            None,
        )
        .await
        .expect("patient");
        assert_eq!(status, 201, "{body}");
        patients.push(body["id"].as_str().expect("id").to_owned());
    }
    let starts = chen_slots(BOOKINGS);
    let bookings: Arc<Vec<(String, Value)>> = Arc::new(
        starts
            .iter()
            .enumerate()
            .map(|(i, start)| {
                (
                    format!("fault-{i}"),
                    json!({"patient_id": patients[i % patients.len()], "appointment_type_id": visit,
                           "provider_id": chen, "start": start}),
                )
            })
            .collect(),
    );

    // Round 1: the burst, SIGKILL once a third has answered. Round 2: a restart and the same
    // burst again (retries, same keys, concurrent), SIGKILL at half. Then a last restart.
    let mut seen: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut confirmed: BTreeMap<usize, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for (round, kill_after) in [(1, BOOKINGS / 3), (2, BOOKINGS / 2)] {
        let (outcomes, answered_at_kill) =
            burst_then_kill(&mut server, addr, &key, &bookings, kill_after).await;
        let earlier = confirmed.clone();
        let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
        for (i, outcome) in outcomes.iter().enumerate() {
            // A booking confirmed in an earlier round is only ever replayed.
            if let (Some(first), Ok((status, body))) = (earlier.get(&i), outcome)
                && (*status, body["id"].as_str()) != (200, Some(first.as_str()))
            {
                problems.push(format!(
                    "round {round}: booking {i}, confirmed as {first} before, answered {status} {body}"
                ));
            }
            let label = match outcome {
                Ok((status, _)) => status.to_string(),
                Err(_) => "no answer".to_owned(),
            };
            *histogram.entry(label).or_default() += 1;
            match outcome {
                Ok((201 | 200, body)) if body["id"].is_string() => {
                    let id = body["id"].as_str().unwrap_or_default().to_owned();
                    confirmed.entry(i).or_insert_with(|| id.clone());
                    seen.entry(i).or_default().insert(id);
                }
                Ok((status, body)) => problems.push(format!(
                    "round {round}: booking {i} answered {status} {body}"
                )),
                Err(_) => {}
            }
        }
        eprintln!(
            "fault ({}), round {round}: {BOOKINGS} bookings, {IN_FLIGHT} in flight, SIGKILL after {answered_at_kill} answers: {histogram:?}",
            if database.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        );
        if round == 1 {
            assert!(
                !confirmed.is_empty(),
                "nothing was booked before the kill: {histogram:?}"
            );
        }
        let (restarted, restarted_addr) = serve(dir.path(), &env).await;
        server = restarted;
        addr = restarted_addr;
    }

    // Every request once more, one at a time, twice.
    let mut by_key: BTreeMap<String, String> = BTreeMap::new();
    let mut replayed = 0;
    for (i, (idempotency_key, body)) in bookings.iter().enumerate() {
        let (status, answer) = request(
            addr,
            &key,
            "POST",
            "/appointments",
            Some(body),
            Some(idempotency_key),
        )
        .await
        .unwrap_or_else(|why| panic!("retry {i}: {why}"));
        let id = answer["id"].as_str().unwrap_or_default().to_owned();
        match confirmed.get(&i) {
            Some(first) if (status, &id) != (200, first) => problems.push(format!(
                "booking {i} was confirmed as {first} before a kill; the retry answered {status} {answer}"
            )),
            None if status != 200 && status != 201 => problems.push(format!(
                "booking {i} (never answered before) retried: {status} {answer}"
            )),
            _ => {}
        }
        if status == 200 {
            replayed += 1;
        }
        seen.entry(i).or_default().insert(id.clone());
        by_key.insert(idempotency_key.clone(), id.clone());
        let (again, same) = request(
            addr,
            &key,
            "POST",
            "/appointments",
            Some(body),
            Some(idempotency_key),
        )
        .await
        .unwrap_or_else(|why| panic!("second retry {i}: {why}"));
        if (again, same["id"].as_str()) != (200, Some(id.as_str())) {
            problems.push(format!(
                "booking {i}: second retry {again} {same}, first retry {id}"
            ));
        }
    }
    for (i, ids) in &seen {
        if ids.len() != 1 {
            problems.push(format!(
                "booking {i} was answered with several ids: {ids:?}"
            ));
        }
    }

    // The clinic holds exactly one appointment per key, each one readable.
    let first_day = &bookings[0].1["start"].as_str().expect("start")[..10];
    let last_day = &bookings[BOOKINGS - 1].1["start"].as_str().expect("start")[..10];
    let (status, listed) = request(
        addr,
        &key,
        "GET",
        &format!("/appointments?from={first_day}&to={last_day}"),
        None,
        None,
    )
    .await
    .expect("listing");
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    let ids: BTreeSet<&str> = items.iter().filter_map(|a| a["id"].as_str()).collect();
    let keys: BTreeSet<&str> = items
        .iter()
        .filter_map(|a| a["idempotency_key"].as_str())
        .collect();
    let distinct: BTreeSet<&String> = by_key.values().collect();
    if items.len() != distinct.len() || ids.len() != items.len() || keys.len() != items.len() {
        problems.push(format!(
            "{} appointments listed ({} ids, {} keys) for {} distinct bookings",
            items.len(),
            ids.len(),
            keys.len(),
            distinct.len()
        ));
    }
    for (i, id) in &confirmed {
        if !ids.contains(id.as_str()) {
            problems.push(format!(
                "booking {i} ({id}) confirmed before the kill is gone"
            ));
        }
    }
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default();
        let (status, one) = request(
            addr,
            &key,
            "GET",
            &format!("/appointments/{id}"),
            None,
            None,
        )
        .await
        .expect("read back");
        if status != 200 || &one != item {
            problems.push(format!("{id} reads back {status} {one}"));
        }
    }
    server.start_kill().expect("stop");
    let _ = server.wait().await;

    if database.is_none() {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&sqlite_url)
            .await
            .expect("sqlite");
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .expect("integrity_check");
        if integrity != ["ok"] {
            problems.push(format!("PRAGMA integrity_check: {integrity:?}"));
        }
        let foreign: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut conn)
                .await
                .expect("foreign_key_check");
        if !foreign.is_empty() {
            problems.push(format!("PRAGMA foreign_key_check: {foreign:?}"));
        }
        let _ = conn.close().await;
    } else if let Some(d) = &database {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&d.superuser_url)
            .await
            .expect("superuser");
        let (rows, keys): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM appointments
              WHERE idempotency_key LIKE 'fault-%'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count");
        if rows != keys || rows != distinct.len() as i64 {
            problems.push(format!(
                "PostgreSQL holds {rows} rows for {keys} keys, {} distinct bookings",
                distinct.len()
            ));
        }
        let _ = conn.close().await;
    }
    eprintln!(
        "fault: {} confirmed across two kills, {replayed} of {BOOKINGS} final retries were replays, {} appointments after, {:.1?}",
        confirmed.len(),
        items.len(),
        started.elapsed()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
