//! The Retell protocol engine over a real WebSocket: supersede, keep-alive, tolerance of bad
//! frames, reconnects, and the guarantee that every requested response is completed.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::client::ServerFrame;
use ascendia::retell::frames::ResponseFrame;
use ascendia::retell::session::APOLOGY;
use common::{FailingAgent, Failure, SlowAgent, SlowStreamingAgent, TIMEOUT, TestApp, eventually};
use serde_json::json;

/// Collects response frames until `id` completes; returns (frames for other ids, frames for id).
async fn until_complete(
    call: &mut ascendia::client::CallClient,
    id: i64,
) -> (Vec<ResponseFrame>, Vec<ResponseFrame>) {
    let (mut others, mut mine) = (Vec::new(), Vec::new());
    loop {
        match call.recv(TIMEOUT).await.expect("frame before timeout") {
            ServerFrame::Response(r) if r.response_id == id => {
                let done = r.content_complete;
                mine.push(r);
                if done {
                    return (others, mine);
                }
            }
            ServerFrame::Response(r) => others.push(r),
            ServerFrame::Closed(code) => panic!("closed: {code:?}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_newer_response_id_stops_the_older_stream_and_completes() {
    let agent = SlowStreamingAgent {
        chunks: 40,
        every: Duration::from_millis(25),
    };
    let app = TestApp::spawn_with(|_| {}, Arc::new(agent)).await;
    let mut call = app.call("/llm-websocket/demo/supersede").await;
    call.greeting(TIMEOUT).await.expect("greeting");

    call.transcript
        .push(ascendia::retell::frames::Utterance::user("first question"));
    let first = call.request(false);
    // Wait until the first answer is streaming.
    let mut first_chunks = 0;
    while first_chunks < 3 {
        if let ServerFrame::Response(r) = call.recv(TIMEOUT).await.expect("frame") {
            assert_eq!(r.response_id, first);
            first_chunks += 1;
        }
    }
    call.transcript
        .push(ascendia::retell::frames::Utterance::user(
            "actually, another question",
        ));
    let second = call.request(false);
    let (older, newer) = until_complete(&mut call, second).await;

    let newer_text: String = newer.iter().map(|r| r.content.as_str()).collect();
    assert!(newer_text.starts_with("w0 w1 "), "{newer_text}");
    assert!(
        newer_text.contains("w39"),
        "the newer response streams in full"
    );
    assert!(
        older.iter().filter(|r| !r.content.is_empty()).count() <= 2,
        "the older stream stops: {older:?}"
    );
    assert!(
        older
            .iter()
            .any(|r| r.response_id == first && r.content_complete),
        "the superseded id is still closed"
    );
    // Nothing for the older id after the newer one completed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while let Ok(frame) = call.recv(Duration::from_millis(50)).await {
        if let ServerFrame::Response(r) = frame {
            assert_ne!(r.response_id, first, "late frame {r:?}");
        }
    }
}

#[tokio::test]
async fn pings_are_echoed_while_the_agent_is_still_thinking() {
    let app = TestApp::spawn_with(
        |_| {},
        Arc::new(SlowAgent {
            delay: Duration::from_secs(2),
        }),
    )
    .await;
    let mut call = app.call("/llm-websocket/demo/pings").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.transcript
        .push(ascendia::retell::frames::Utterance::user("hello"));
    let id = call.request(false);
    for timestamp in [11_i64, 12, 13] {
        call.send_json(&json!({"interaction_type": "ping_pong", "timestamp": timestamp}));
    }
    let mut echoed = Vec::new();
    loop {
        match call.recv(TIMEOUT).await.expect("frame") {
            ServerFrame::PingPong { timestamp } if timestamp < 100 => echoed.push(timestamp),
            ServerFrame::Response(r) if r.response_id == id => {
                assert_eq!(
                    echoed,
                    vec![11, 12, 13],
                    "every echo arrives before the slow answer"
                );
                assert_eq!(r.content, "done");
                break;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn malformed_and_unknown_frames_are_ignored_and_the_call_goes_on() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/demo/garbage").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.send_text("this is not json");
    call.send_text("{\"interaction_type\":");
    call.send_binary(vec![0, 1, 2, 3]);
    call.send_json(&json!({"interaction_type": "something_new", "payload": [1, 2]}));
    call.send_json(
        &json!({"interaction_type": "response_required", "response_id": "seven", "transcript": []}),
    );
    call.send_json(&json!({"interaction_type": "response_required", "transcript": []}));
    call.send_json(&json!({"no_type": true}));
    // Unknown fields on a valid frame are fine.
    call.send_json(&json!({"interaction_type": "update_only", "transcript": [], "future_field": {"x": 1}, "turntaking": "user_turn"}));

    let turn = call
        .say("Which clinic is this?", TIMEOUT)
        .await
        .expect("still answering");
    assert!(turn.text.contains("Demo Dental"), "{}", turn.text);
    assert_eq!(
        turn.response_id, 1,
        "the broken requests did not consume response ids"
    );
}

#[tokio::test]
async fn a_reconnect_with_the_same_call_id_resumes_the_call() {
    let app = TestApp::spawn().await;
    let path = "/llm-websocket/demo/reconnecting-call";
    let mut call = app.call(path).await;
    let greeting = call.greeting(TIMEOUT).await.expect("greeting");
    assert!(!greeting.text.is_empty());
    let first_reminder = call.silence(TIMEOUT).await.expect("reminder");
    assert!(first_reminder.text.contains("still there"));
    call.hang_up().await;

    let mut again = app.call(path).await;
    let greeting = again.greeting(TIMEOUT).await.expect("begin message");
    assert_eq!(greeting.text, "", "no second greeting on reconnect");
    // Retell may number anew on the new connection; the call's silence count carried over.
    let second_reminder = again.silence(TIMEOUT).await.expect("reminder");
    assert!(
        second_reminder.text.contains("still here"),
        "{}",
        second_reminder.text
    );

    let demo = app.org("demo").await;
    let reconnected = eventually(Duration::from_secs(2), || async {
        matches!(app.store.call_record(demo.id, "reconnecting-call").await, Ok(Some(r)) if r.connections == 2)
    })
    .await;
    assert!(reconnected, "one call record with two connections");
}

#[tokio::test]
async fn call_details_are_recorded_for_the_clinic() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/demo/details-call").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.say("hello", TIMEOUT).await.expect("answer");
    let demo = app.org("demo").await;
    let recorded = eventually(Duration::from_secs(2), || async {
        matches!(
            app.store.call_record(demo.id, "details-call").await,
            Ok(Some(r)) if r.metadata.from_number.as_deref() == Some("+15555550100")
                && r.metadata.direction.as_deref() == Some("inbound")
                && r.metadata.agent_id.as_deref() == Some("ascendia-call-client")
        )
    })
    .await;
    assert!(recorded);
}

async fn answer_with(failure: Failure, timeout_ms: u64) -> ascendia::client::AgentTurn {
    let app = TestApp::spawn_with(
        |s| s.response_timeout_ms = timeout_ms,
        Arc::new(FailingAgent(failure)),
    )
    .await;
    let mut call = app.call("/llm-websocket/demo/failing").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let turn = call
        .say("hello", TIMEOUT)
        .await
        .expect("the response is completed");
    // The call is still usable afterwards.
    call.say("hello again", TIMEOUT)
        .await
        .expect("second response completed");
    turn
}

#[tokio::test]
async fn an_agent_error_is_answered_with_an_apology() {
    let turn = answer_with(Failure::Error, 5_000).await;
    assert_eq!(turn.text, APOLOGY);
}

#[tokio::test]
async fn an_agent_error_after_speaking_just_completes() {
    let turn = answer_with(Failure::ErrorAfterSpeaking, 5_000).await;
    assert_eq!(turn.text, "Let me check. ");
}

#[tokio::test]
async fn an_agent_panic_still_completes_the_response() {
    let turn = answer_with(Failure::Panic, 5_000).await;
    assert_eq!(turn.text, "", "completed empty, without hanging the turn");
}

#[tokio::test]
async fn an_agent_that_never_answers_times_out_with_an_apology() {
    let turn = answer_with(Failure::Hang, 300).await;
    assert_eq!(turn.text, APOLOGY);
}

#[tokio::test]
async fn stale_and_duplicate_response_ids_are_not_answered_twice() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/demo/stale").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let frame = |id: i64| json!({"interaction_type": "response_required", "response_id": id, "transcript": [{"role": "user", "content": "which office is this"}]});
    call.send_json(&frame(5));
    let (_, five) = until_complete(&mut call, 5).await;
    assert!(five.iter().any(|r| r.content.contains("Demo Dental")));
    call.send_json(&frame(5));
    call.send_json(&frame(3));
    call.send_json(&frame(6));
    let (others, _) = until_complete(&mut call, 6).await;
    assert!(
        others.is_empty(),
        "no second answer to 5 or any to 3: {others:?}"
    );
}

#[tokio::test]
async fn a_long_call_with_a_multi_megabyte_transcript_is_still_answered() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/demo/long-call").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let words: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"word": format!("word{i}"), "start": i as f64 * 0.2, "end": i as f64 * 0.2 + 0.2}))
        .collect();
    for i in 0..1500 {
        let role = if i % 2 == 0 { "user" } else { "agent" };
        call.transcript.push(ascendia::retell::frames::Utterance {
            role: if i % 2 == 0 {
                ascendia::retell::frames::Role::User
            } else {
                ascendia::retell::frames::Role::Agent
            },
            content: format!("{role} utterance number {i} with some padding text to make it long"),
        });
    }
    // Retell sends word timings with every utterance; build the frame as it would.
    let transcript: Vec<serde_json::Value> = call
        .transcript
        .iter()
        .map(|u| json!({"role": u.role, "content": u.content, "words": words}))
        .chain(std::iter::once(
            json!({"role": "user", "content": "which clinic is this?", "words": words}),
        ))
        .collect();
    let frame = json!({"interaction_type": "response_required", "response_id": 1, "transcript": transcript}).to_string();
    assert!(
        frame.len() > 3 * 1024 * 1024,
        "frame is {} bytes",
        frame.len()
    );
    call.send_text(&frame);
    let turn = call
        .response_with(1, std::time::Instant::now(), TIMEOUT, |_| {})
        .await
        .expect("answered");
    assert!(turn.text.contains("Demo Dental"));
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_closed_with_1009() {
    let app = TestApp::spawn_with(
        |s| s.max_message_bytes = 64 * 1024,
        Arc::new(ascendia::agent::Receptionist),
    )
    .await;
    let mut call = app.call("/llm-websocket/demo/too-big").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let said = call.say(&"word ".repeat(30_000), TIMEOUT).await;
    assert!(
        matches!(said, Err(ascendia::client::ClientError::Closed(Some(1009)))),
        "{said:?}"
    );
}

#[tokio::test]
async fn a_connection_that_never_sends_its_headers_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(
        |s| s.header_read_timeout_secs = 1,
        Arc::new(ascendia::agent::Receptionist),
    )
    .await;
    for opening in [&b""[..], b"GET /health HTTP/1.1\r\nHost: x\r\n"] {
        let mut tcp = tokio::net::TcpStream::connect(app.addr)
            .await
            .expect("connect");
        tcp.write_all(opening).await.expect("write");
        let mut buffer = Vec::new();
        let read = tokio::time::timeout(TIMEOUT, tcp.read_to_end(&mut buffer)).await;
        assert!(read.is_ok(), "closed by the server, not left open");
    }
    // A complete request on a fresh connection is served as usual.
    let (status, _) = common::http_get(app.addr, "/health").await;
    assert_eq!(status, 200);
}
