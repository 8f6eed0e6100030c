//! Per-turn latency of the built-in receptionist, database work included: from sending
//! `response_required` to the first response chunk, over a real WebSocket on loopback, through
//! whole booking and cancelling conversations. Run: `cargo bench --bench turns`.
//! With ASCENDIA_BENCH_DATABASE_URL (a runtime role on a migrated PostgreSQL) it uses that.

use std::sync::Arc;
use std::time::Duration;

use ascendia::Server;
use ascendia::agent::Receptionist;
use ascendia::booking::{NewPatient, PhoneNumber};
use ascendia::client::{CallClient, CallOptions};
use ascendia::config::Settings;
use chrono::{NaiveDate, Utc};

const CONVERSATIONS: usize = 150;
const TIMEOUT: Duration = Duration::from_secs(10);

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at =
        |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{name:<28} n={:<5} p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
        samples.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

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
    let state = server.state().clone();
    let store = server.store().clone();
    tokio::spawn(server.run_until(std::future::pending()));
    let org = store.require_org("demo").await.expect("demo clinic");
    // Callers known by their number, as most are.
    for i in 0..CONVERSATIONS {
        let new = NewPatient::new(
            &format!("Caller{i}"),
            "Bench",
            NaiveDate::from_ymd_opt(1980, 1, 1).expect("date"),
            Some(PhoneNumber::parse(&format!("+1555300{i:04}")).expect("phone")),
            None,
            Utc::now().date_naive(),
        )
        .expect("patient");
        state
            .scheduler
            .create_patient(&org, new, Utc::now())
            .await
            .expect("created");
    }

    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    let mut complete = Vec::new();
    for i in 0..CONVERSATIONS {
        let mut options = CallOptions::default();
        options.call.from_number = Some(format!("+1555300{i:04}"));
        let url = format!("ws://{addr}/llm-websocket/demo/bench-{i}");
        for (kind, lines) in [
            (
                "book",
                &[
                    "I'd like a cleaning next week please",
                    "the first one",
                    "yes",
                    "that's all, bye",
                ][..],
            ),
            (
                "cancel",
                &["I need to cancel my appointment", "yes", "no thanks, bye"][..],
            ),
        ] {
            let mut call = CallClient::connect(&url, options.clone())
                .await
                .expect("connect");
            call.greeting(TIMEOUT).await.expect("greeting");
            for (turn, line) in lines.iter().enumerate() {
                let answer = call.say(line, TIMEOUT).await.expect("answer");
                let first = answer.first_chunk.expect("spoke");
                by_kind
                    .entry(match (kind, turn) {
                        ("book", 0) => "book: find slots",
                        ("book", 2) => "book: book it",
                        ("cancel", 0) => "cancel: find appointment",
                        ("cancel", 1) => "cancel: cancel it",
                        _ => "other turns",
                    })
                    .or_default()
                    .push(first);
                all.push(first);
                complete.push(answer.complete);
            }
            call.hang_up().await;
        }
    }
    println!(
        "built-in receptionist, {} conversations on {}",
        CONVERSATIONS * 2,
        store.backend()
    );
    for (kind, samples) in by_kind {
        report(kind, samples);
    }
    report("all turns: first chunk", all);
    report("all turns: whole answer", complete);
}
