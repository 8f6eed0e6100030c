//! Webhook load: 2,000 signed events from 50 concurrent senders against the real server
//! (SQLite, or PostgreSQL with ASCENDIA_BENCH_DATABASE_URL as the runtime role of a migrated
//! database). Reports acknowledgment latency and checks that no event was lost.
//! Run: `cargo bench --bench webhook_load`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ascendia::Server;
use ascendia::agent::Receptionist;
use ascendia::config::Settings;
use ascendia::retell::signature;
use serde_json::json;

const SENDERS: usize = 50;
const EVENTS_PER_SENDER: usize = 40;
const KEY: &str = "key_bench_webhook";

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let settings = Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: std::env::var("ASCENDIA_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display())),
        retell_api_key: Some(serde_json::from_value(json!(KEY)).expect("secret")),
        ..Settings::default()
    };
    let server = Server::build(&settings, Arc::new(Receptionist))
        .await
        .expect("server");
    let addr = server.local_addr().expect("addr");
    let store = server.store().clone();
    tokio::spawn(server.run_until(std::future::pending()));
    let org = store.require_org("demo").await.expect("demo");
    store.set_agent(org.id, "agent_bench").await.expect("agent");

    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/retell/webhook");
    let started = Instant::now();
    let mut senders = Vec::new();
    for sender in 0..SENDERS {
        let (client, url) = (client.clone(), url.clone());
        senders.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(EVENTS_PER_SENDER);
            // Each sender: 10 calls, each started, updated, ended, analyzed.
            for i in 0..EVENTS_PER_SENDER {
                let call_id = format!("load-{sender}-{}", i / 4);
                let event = [
                    "call_started",
                    "transcript_updated",
                    "call_ended",
                    "call_analyzed",
                ][i % 4];
                let body = json!({"event": event, "call": {
                    "call_id": call_id, "agent_id": "agent_bench",
                    "start_timestamp": 1_764_000_000_000i64 + i as i64,
                    "transcript_object": [{"role": "user", "content": format!("turn {i}")}],
                    "call_status": if i % 4 >= 2 { "ended" } else { "ongoing" },
                }})
                .to_string();
                let header =
                    signature::sign(body.as_bytes(), KEY, chrono::Utc::now().timestamp_millis());
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("x-retell-signature", header)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(response.status().as_u16(), 204);
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for sender in senders {
        all.extend(sender.await.expect("sender"));
    }
    let elapsed = started.elapsed();
    all.sort();
    let at = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{} events from {SENDERS} senders on {} in {:.2} s ({:.0}/s): ack p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        all.len(),
        store.backend(),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    // None lost: every call has its four events, under the clinic.
    let mut complete = 0;
    for sender in 0..SENDERS {
        for call in 0..EVENTS_PER_SENDER / 4 {
            let record = store
                .call_detail(org.id, &format!("load-{sender}-{call}"))
                .await
                .expect("read")
                .expect("the call has a record");
            if record.summary.events.len() == 4 {
                complete += 1;
            }
        }
    }
    println!(
        "calls with all four events recorded: {complete} of {}",
        SENDERS * EVENTS_PER_SENDER / 4
    );
    assert_eq!(complete, SENDERS * EVENTS_PER_SENDER / 4, "no event lost");
}
