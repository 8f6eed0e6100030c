//! The LLM agent's own overhead per turn: from sending `response_required` to the first
//! response chunk, minus the fake model server's scripted first-token delay. Real HTTP and
//! SSE on loopback. Run: `cargo bench --bench llm_turns`.

#[allow(dead_code)]
#[path = "../tests/api/common/fake_llm.rs"]
mod fake_llm;

use std::time::Duration;

use ascendia::Server;
use ascendia::agent::AgentRouter;
use ascendia::booking::AgentKind;
use ascendia::client::{CallClient, CallOptions};
use ascendia::config::Settings;
use fake_llm::{Answer, Event, FakeLlm, finish, text};

const TURNS: usize = 400;
const MODEL_DELAY: Duration = Duration::from_millis(20);
const TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let fake = FakeLlm::queue(vec![Answer::Stream(vec![
        Event::Sleep(MODEL_DELAY),
        text("Sure, I can help with that. "),
        text("What day works for you?"),
        finish("stop"),
        Event::Done,
    ])])
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let settings = Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        agent: AgentKind::Llm,
        llm_base_url: fake.base_url(),
        ..Settings::default()
    };
    let server = Server::build(&settings, AgentRouter::from_settings(&settings, None))
        .await
        .expect("server");
    let addr = server.local_addr().expect("addr");
    tokio::spawn(server.run_until(std::future::pending()));

    let mut overhead = Vec::with_capacity(TURNS);
    let mut call = CallClient::connect(
        &format!("ws://{addr}/llm-websocket/demo/llm-bench"),
        CallOptions::default(),
    )
    .await
    .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    for i in 0..TURNS {
        // A fresh call every 20 turns keeps the transcript realistic.
        if i > 0 && i % 20 == 0 {
            call.hang_up().await;
            call = CallClient::connect(
                &format!("ws://{addr}/llm-websocket/demo/llm-bench-{i}"),
                CallOptions::default(),
            )
            .await
            .expect("connect");
            call.greeting(TIMEOUT).await.expect("greeting");
        }
        let turn = call
            .say("I'd like to book a cleaning", TIMEOUT)
            .await
            .expect("answer");
        let first = turn.first_chunk.expect("spoke");
        overhead.push(first.saturating_sub(MODEL_DELAY));
    }
    overhead.sort();
    let at =
        |p: f64| overhead[((overhead.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "LLM agent overhead (first chunk minus the model's {} ms), n={}: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        MODEL_DELAY.as_millis(),
        overhead.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}
