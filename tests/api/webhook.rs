//! Retell's webhook: signed events filed under the right clinic, repeats and late events
//! changing nothing, and the clinic's call history read back through its API key.

use crate::common;

use std::sync::Arc;

use ascendia::agent::Receptionist;
use ascendia::booking::{NewPatient, PhoneNumber};
use ascendia::retell::signature;
use chrono::{NaiveDate, Utc};
use common::{Api, TIMEOUT, TestApp};
use serde_json::{Value, json};

const KEY: &str = "key_server_webhook_0001";
const TWIN_KEY: &str = "key_twin_own_account_0002";

async fn app() -> TestApp {
    TestApp::spawn_with(
        |s| {
            s.retell_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret"));
            s.retell_org_keys.insert(
                "twin".into(),
                serde_json::from_value(json!(TWIN_KEY)).expect("secret"),
            );
        },
        Arc::new(Receptionist),
    )
    .await
}

/// Posts an event as Retell would: compact JSON, signed with `key` at `at_ms`.
async fn post(app: &TestApp, body: &Value, key: &str, at_ms: i64) -> u16 {
    let raw = body.to_string();
    let header = signature::sign(raw.as_bytes(), key, at_ms);
    post_raw(app, &raw, Some(&header)).await
}

async fn post_raw(app: &TestApp, raw: &str, header: Option<&str>) -> u16 {
    let mut headers = vec![];
    if let Some(h) = header {
        headers.push(("x-retell-signature", h));
    }
    common::http_request(app.addr, "POST", "/api/retell/webhook", &headers, Some(raw))
        .await
        .0
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn call_object(call_id: &str, extra: Value) -> Value {
    let mut call = json!({
        "call_id": call_id, "agent_id": "agent_demo_1", "call_type": "phone_call",
        "direction": "inbound", "from_number": "+15552010888", "to_number": "+15552010100",
    });
    if let (Some(call), Some(extra)) = (call.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            call.insert(k.clone(), v.clone());
        }
    }
    call
}

fn transcript(turns: usize) -> Value {
    Value::Array(
        (0..turns)
            .map(|i| json!({"role": if i % 2 == 0 { "agent" } else { "user" }, "content": format!("line {i}")}))
            .collect(),
    )
}

#[tokio::test]
async fn a_booked_call_gets_its_full_record_from_duplicated_and_late_events() {
    let app = app().await;
    let org = app.org("demo").await;
    let new = NewPatient::new(
        "Gil",
        "Ames",
        NaiveDate::from_ymd_opt(1980, 1, 1).expect("date"),
        Some(PhoneNumber::parse("+15552010888").expect("phone")),
        None,
        Utc::now().date_naive(),
    )
    .expect("patient");
    app.state
        .scheduler
        .create_patient(&org, new, Utc::now())
        .await
        .expect("patient");

    // The call, over the WebSocket: a booking.
    let mut options = ascendia::client::CallOptions::default();
    options.call.from_number = Some("+15552010888".into());
    let mut call =
        ascendia::client::CallClient::connect(&app.ws("/llm-websocket/demo/e2e-call-1"), options)
            .await
            .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    call.say("I'd like a cleaning next Tuesday", TIMEOUT)
        .await
        .expect("offer");
    call.say("the first one", TIMEOUT).await.expect("read back");
    let booked = call.say("yes", TIMEOUT).await.expect("booked");
    assert!(booked.text.contains("all set"), "{}", booked.text);
    call.hang_up().await;
    // The call's tool calls are written off the voice path: wait for them, not for a guess.
    let api = app.api("demo").await;
    let tools_recorded = common::eventually(std::time::Duration::from_secs(5), || async {
        let (_, record) = api_get(&api, "/api/calls/e2e-call-1").await;
        record["tool_calls"]
            .as_array()
            .is_some_and(|t| t.iter().any(|c| c["name"] == "book_appointment"))
    })
    .await;
    assert!(tools_recorded, "the booking's tool calls are recorded");

    // Then Retell's events: started (twice), ended, a late started, a stale transcript, analyzed.
    let start = now_ms() - 60_000;
    let started = json!({"event": "call_started", "call": call_object("e2e-call-1", json!({"call_status": "ongoing", "start_timestamp": start}))});
    let ended = json!({"event": "call_ended", "call": call_object("e2e-call-1", json!({
        "call_status": "ended", "start_timestamp": start, "end_timestamp": start + 42_000,
        "disconnection_reason": "user_hangup", "transcript": "Agent: line 0\nUser: line 1 ...",
        "transcript_object": transcript(8), "latency": {"e2e": {"p50": 800.0}}}))});
    let stale = json!({"event": "transcript_updated", "call": call_object("e2e-call-1", json!({"transcript_object": transcript(3), "transcript": "short"}))});
    let analyzed = json!({"event": "call_analyzed", "call": call_object("e2e-call-1", json!({
        "call_status": "ended", "call_analysis": {"call_summary": "Booked a cleaning.", "user_sentiment": "Positive", "call_successful": true}}))});
    for event in [
        &started, &started, &ended, &started, &stale, &analyzed, &ended,
    ] {
        assert_eq!(post(&app, event, KEY, now_ms()).await, 204);
    }

    let (status, record) = api_get(&api, "/api/calls/e2e-call-1").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(
        record["call_status"], "ended",
        "a late call_started does not reopen it"
    );
    assert_eq!(record["agent_id"], "agent_demo_1");
    assert_eq!(record["from_number"], "+15552010888");
    assert_eq!(record["start_ms"], start);
    assert_eq!(record["duration_ms"], 42_000);
    assert_eq!(record["disconnection_reason"], "user_hangup");
    assert_eq!(
        record["transcript_object"].as_array().map(Vec::len),
        Some(8),
        "the stale shorter transcript did not win"
    );
    assert_eq!(
        record["call_analysis"]["call_summary"],
        "Booked a cleaning."
    );
    assert_eq!(record["latency"]["e2e"]["p50"], 800.0);
    assert_eq!(
        record["events"],
        json!([
            "call_started",
            "call_ended",
            "transcript_updated",
            "call_analyzed"
        ])
    );
    let tools: Vec<&str> = record["tool_calls"]
        .as_array()
        .map(|t| t.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        tools.contains(&"find_slots") && tools.contains(&"book_appointment"),
        "{tools:?}"
    );
    assert_eq!(record["appointments"].as_array().map(Vec::len), Some(1));

    // Listed for demo only; another clinic's key sees nothing of it.
    let (_, page) = api_get(&api, "/api/calls").await;
    assert!(
        page["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|c| c["call_id"] == "e2e-call-1"))
    );
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let other = app.api("twin").await;
    assert_eq!(api_get(&other, "/api/calls/e2e-call-1").await.0, 404);
    let (_, other_page) = api_get(&other, "/api/calls").await;
    assert_eq!(other_page["items"].as_array().map(Vec::len), Some(0));
}

async fn api_get(api: &Api, path: &str) -> (u16, Value) {
    let auth = format!("Bearer {}", api.key);
    common::http_request(api.addr, "GET", path, &[("Authorization", &auth)], None).await
}

#[tokio::test]
async fn a_webhook_before_the_websocket_finds_the_clinic_by_agent_and_unknown_calls_go_nowhere() {
    let app = app().await;
    let twin = app.import_clinic("twin", common::DEMO_CLINIC).await;
    app.store
        .set_agent(twin.id, "agent_twin_7")
        .await
        .expect("mapped");
    // Before the WebSocket: filed under twin by its agent id.
    let early = json!({"event": "call_started", "call": {"call_id": "early-call", "agent_id": "agent_twin_7", "start_timestamp": now_ms(), "call_status": "ongoing"}});
    assert_eq!(post(&app, &early, KEY, now_ms()).await, 204);
    // Then the call connects to twin's URL: one record, twin's.
    let mut call = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/twin/early-call"),
        Default::default(),
    )
    .await
    .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    let twin_api = app.api("twin").await;
    let demo_api = app.api("demo").await;
    assert_eq!(api_get(&twin_api, "/api/calls/early-call").await.0, 200);
    assert_eq!(api_get(&demo_api, "/api/calls/early-call").await.0, 404);

    // Unknown call, unknown agent: acknowledged, filed under no clinic.
    let stray = json!({"event": "call_ended", "call": {"call_id": "stray-call", "agent_id": "agent_nobody", "transcript": "secret words"}});
    assert_eq!(post(&app, &stray, KEY, now_ms()).await, 204);
    for api in [&twin_api, &demo_api] {
        assert_eq!(api_get(api, "/api/calls/stray-call").await.0, 404);
    }
    // The legacy `data` key is read too.
    let legacy = json!({"event": "call_ended", "data": {"call_id": "early-call", "disconnection_reason": "agent_hangup"}});
    assert_eq!(post(&app, &legacy, KEY, now_ms()).await, 204);
    assert_eq!(
        api_get(&twin_api, "/api/calls/early-call").await.1["disconnection_reason"],
        "agent_hangup"
    );
    // Unknown event types are acknowledged and ignored.
    assert_eq!(
        post(
            &app,
            &json!({"event": "chat_started", "chat": {"chat_id": "c1"}}),
            KEY,
            now_ms()
        )
        .await,
        204
    );
}

#[tokio::test]
async fn a_clinics_own_retell_key_only_files_under_that_clinic() {
    let app = app().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    // A demo call (seen on demo's WebSocket)...
    let mut call = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/demo/demo-owned"),
        Default::default(),
    )
    .await
    .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    let demo_api = app.api("demo").await;
    let twin_api = app.api("twin").await;
    assert!(
        common::eventually(std::time::Duration::from_secs(2), || async {
            api_get(&demo_api, "/api/calls/demo-owned").await.0 == 200
        })
        .await
    );
    // ...cannot be written with twin's key.
    let forged = json!({"event": "call_ended", "call": {"call_id": "demo-owned", "disconnection_reason": "forged"}});
    assert_eq!(post(&app, &forged, TWIN_KEY, now_ms()).await, 204);
    assert_ne!(
        api_get(&demo_api, "/api/calls/demo-owned").await.1["disconnection_reason"],
        "forged"
    );
    assert_eq!(api_get(&twin_api, "/api/calls/demo-owned").await.0, 404);
    // A call only twin's account knows: filed under twin.
    let own = json!({"event": "call_started", "call": {"call_id": "twin-own", "start_timestamp": now_ms()}});
    assert_eq!(post(&app, &own, TWIN_KEY, now_ms()).await, 204);
    assert_eq!(api_get(&twin_api, "/api/calls/twin-own").await.0, 200);
}

#[tokio::test]
async fn bad_signatures_are_refused_and_store_nothing() {
    let app = app().await;
    let body = json!({"event": "call_started", "call": {"call_id": "forged-call", "agent_id": "agent_demo_1"}});
    let org = app.org("demo").await;
    app.store
        .set_agent(org.id, "agent_demo_1")
        .await
        .expect("mapped");
    let raw = body.to_string();
    let now = now_ms();
    let good = signature::sign(raw.as_bytes(), KEY, now);
    let cases: Vec<(String, Option<String>)> = vec![
        (raw.clone(), None),
        (raw.clone(), Some(String::new())),
        (
            raw.clone(),
            Some(signature::sign(raw.as_bytes(), "wrong-key", now)),
        ),
        (
            raw.replace("forged-call", "forged-calm"),
            Some(good.clone()),
        ),
        (
            raw.clone(),
            Some(signature::sign(raw.as_bytes(), KEY, now - 300_001)),
        ),
        (
            raw.clone(),
            Some(signature::sign(raw.as_bytes(), KEY, now + 300_500)),
        ),
        (raw.clone(), Some(good.replace("v=", "V="))),
        (raw.clone(), Some(format!("{good},extra=1"))),
    ];
    for (body, header) in &cases {
        assert_eq!(
            post_raw(&app, body, header.as_deref()).await,
            401,
            "{header:?}"
        );
    }
    let api = app.api("demo").await;
    assert_eq!(
        api_get(&api, "/api/calls/forged-call").await.0,
        404,
        "nothing stored"
    );
    // Just inside the window passes.
    let inside = signature::sign(raw.as_bytes(), KEY, now - 299_000);
    assert_eq!(post_raw(&app, &raw, Some(&inside)).await, 204);
    assert_eq!(api_get(&api, "/api/calls/forged-call").await.0, 200);
    // Not JSON, though signed: refused clearly.
    let junk = "not json";
    assert_eq!(
        post_raw(
            &app,
            junk,
            Some(&signature::sign(junk.as_bytes(), KEY, now))
        )
        .await,
        400
    );
}

#[tokio::test]
async fn call_history_pages_filters_by_date_and_old_transcripts_expire() {
    let app = app().await;
    let day = 86_400_000;
    let now = now_ms();
    for (i, age_days) in [0, 1, 2, 40].iter().enumerate() {
        let event = json!({"event": "call_ended", "call": call_object(&format!("hist-{i}"), json!({
            "start_timestamp": now - age_days * day, "end_timestamp": now - age_days * day + 1000,
            "transcript": "hello", "call_status": "ended"}))});
        let org = app.org("demo").await;
        app.store
            .set_agent(org.id, "agent_demo_1")
            .await
            .expect("mapped");
        assert_eq!(post(&app, &event, KEY, now_ms()).await, 204);
    }
    let api = app.api("demo").await;
    let (_, first) = api_get(&api, "/api/calls?limit=2").await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["items"][0]["call_id"], "hist-0", "newest first");
    assert_eq!(first["next_offset"], 2);
    let (_, second) = api_get(&api, "/api/calls?limit=2&offset=2").await;
    assert_eq!(second["items"].as_array().map(Vec::len), Some(2));
    assert!(second["next_offset"].is_null());
    let zone: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let ten_days_ago = (Utc::now() - chrono::Duration::days(10))
        .with_timezone(&zone)
        .date_naive();
    let (_, recent) = api_get(&api, &format!("/api/calls?from={ten_days_ago}")).await;
    assert_eq!(recent["items"].as_array().map(Vec::len), Some(3));
    for bad in [
        "/api/calls?from=yesterday",
        "/api/calls?limit=0",
        "/api/calls?offset=-1",
        "/api/calls?from=2026-12-10&to=2026-12-01",
        "/api/calls?colour=red",
    ] {
        assert_eq!(api_get(&api, bad).await.0, 400, "{bad}");
    }
    assert_eq!(
        common::http_request(app.addr, "GET", "/api/calls", &[], None)
            .await
            .0,
        401
    );

    // Retention: 30 days deletes the 40-day-old transcript, keeps the record and the rest.
    let file = common::DEMO_CLINIC.replace(
        "slot_step_minutes = 15",
        "slot_step_minutes = 15\ntranscript_retention_days = 30",
    );
    app.import_clinic("demo", &file).await;
    let purged = ascendia::retention::purge_once(
        &app.state.scheduler,
        &app.state.call_log,
        &app.state.registry,
    )
    .await;
    assert_eq!(purged, 1);
    let (_, old) = api_get(&api, "/api/calls/hist-3").await;
    assert!(old["transcript"].is_null());
    assert_eq!(old["call_status"], "ended");
    assert_eq!(
        api_get(&api, "/api/calls/hist-0").await.1["transcript"],
        "hello"
    );
}

#[tokio::test]
async fn a_long_calls_large_transcript_is_accepted() {
    let app = app().await;
    let org = app.org("demo").await;
    app.store
        .set_agent(org.id, "agent_demo_1")
        .await
        .expect("mapped");
    // About 5 MB of transcript with word timings, as an hour-long call sends.
    let words: Vec<Value> = (0..80_000).map(|i| json!({"word": format!("word{i}"), "start": i as f64 * 0.3, "end": i as f64 * 0.3 + 0.2})).collect();
    let utterances: Vec<Value> = words
        .chunks(20)
        .map(|w| json!({"role": "user", "content": "…", "words": w}))
        .collect();
    let event = json!({"event": "call_ended", "call": call_object("long-call", json!({"transcript_object": utterances}))});
    assert!(
        event.to_string().len() > 3_000_000,
        "{} bytes",
        event.to_string().len()
    );
    assert_eq!(post(&app, &event, KEY, now_ms()).await, 204);
    let api = app.api("demo").await;
    let (status, record) = api_get(&api, "/api/calls/long-call").await;
    assert_eq!(status, 200);
    assert_eq!(
        record["transcript_object"].as_array().map(Vec::len),
        Some(4_000)
    );
}

/// Sends only a request's head, declaring a body of `length` bytes, and reads the answer.
async fn head_only(app: &TestApp, header: Option<&str>, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let mut head = format!(
        "POST /api/retell/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
    );
    if let Some(header) = header {
        head.push_str(&format!("x-retell-signature: {header}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(TIMEOUT, stream.read(&mut answer))
        .await
        .expect("answered without the body being sent")
        .expect("read");
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn an_unsigned_stale_or_oversized_body_is_refused_before_it_is_read() {
    let app = app().await;
    let stale = signature::sign(b"{}", KEY, now_ms() - 600_000);
    for header in [None, Some("v=1,d=zz"), Some(stale.as_str())] {
        let answer = head_only(&app, header, 31 * 1024 * 1024).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{header:?}: {answer}");
        assert!(answer.contains("\"code\":\"unauthorized\""), "{answer}");
    }
    let fresh = signature::sign(b"{}", KEY, now_ms());
    let answer = head_only(&app, Some(&fresh), 33 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"payload_too_large\""),
        "{answer}"
    );
}

#[tokio::test]
async fn an_event_holding_nul_characters_is_stored_without_them() {
    let app = app().await;
    let org = app.org("demo").await;
    app.store
        .set_agent(org.id, "agent_demo_1")
        .await
        .expect("mapped");
    let event = json!({"event": "call_ended", "call": call_object("nul-call", json!({
        "transcript": "Agent: Hello\u{0}\nUser: hi\u{0} there",
        "disconnection_reason": "user_hangup\u{0}",
    }))});
    assert!(event.to_string().contains("\\u0000"));
    assert_eq!(post(&app, &event, KEY, now_ms()).await, 204);
    let api = app.api("demo").await;
    let (status, record) = api_get(&api, "/api/calls/nul-call").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["transcript"], "Agent: Hello\nUser: hi there");
    assert_eq!(record["disconnection_reason"], "user_hangup");
}

#[tokio::test]
async fn a_call_retell_says_ended_is_not_resumed_by_a_later_connection() {
    let app = app().await;
    let path = "/llm-websocket/demo/ended-then-reused";
    let mut call = app.call(path).await;
    assert!(
        !call
            .greeting(TIMEOUT)
            .await
            .expect("greeting")
            .text
            .is_empty()
    );
    // Retell drops the connection (no close frame) and would reconnect: that resumes.
    drop(call);
    let mut again = app.call(path).await;
    assert_eq!(again.greeting(TIMEOUT).await.expect("greeting").text, "");
    again.hang_up().await;
    let api = app.api("demo").await;
    let recorded = common::eventually(std::time::Duration::from_secs(2), || async {
        api_get(&api, "/api/calls/ended-then-reused").await.0 == 200
    });
    assert!(
        recorded.await,
        "the call is on record before Retell's event"
    );
    let ended = json!({"event": "call_ended", "call": call_object("ended-then-reused", json!({}))});
    assert_eq!(post(&app, &ended, KEY, now_ms()).await, 204);
    // Knowing the id is not enough to pick up where the ended call left off.
    let mut reused = app.call(path).await;
    let greeting = reused.greeting(TIMEOUT).await.expect("greeting");
    assert!(
        !greeting.text.is_empty(),
        "a new call, greeted anew: {greeting:?}"
    );
    reused.hang_up().await;
}

#[tokio::test]
async fn the_clinic_whose_websocket_served_a_call_owns_it_not_the_clinic_that_signed_first() {
    let app = app().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let (demo_api, twin_api) = (app.api("demo").await, app.api("twin").await);
    // Twin's own Retell account says first that it knows the call...
    let early = json!({"event": "call_started", "call": {"call_id": "crossed", "start_timestamp": now_ms(), "from_number": "+15550000001"}});
    assert_eq!(post(&app, &early, TWIN_KEY, now_ms()).await, 204);
    assert_eq!(api_get(&twin_api, "/api/calls/crossed").await.0, 200);
    // ...but the call is served on demo's WebSocket: demo's, from then on.
    let mut call = app.call("/llm-websocket/demo/crossed").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    assert!(
        common::eventually(std::time::Duration::from_secs(2), || async {
            api_get(&demo_api, "/api/calls/crossed").await.0 == 200
        })
        .await
    );
    assert_eq!(api_get(&twin_api, "/api/calls/crossed").await.0, 404);
    let ended = json!({"event": "call_ended", "call": call_object("crossed", json!({
        "transcript": "User: my date of birth is the fourth of July", "disconnection_reason": "user_hangup"}))});
    assert_eq!(post(&app, &ended, KEY, now_ms()).await, 204);
    let (_, record) = api_get(&demo_api, "/api/calls/crossed").await;
    assert_eq!(
        record["transcript"],
        "User: my date of birth is the fourth of July"
    );
    // Twin's key can neither read nor write it now.
    let forged = json!({"event": "call_ended", "call": {"call_id": "crossed", "disconnection_reason": "forged", "transcript": "forged"}});
    assert_eq!(post(&app, &forged, TWIN_KEY, now_ms()).await, 204);
    assert_eq!(api_get(&twin_api, "/api/calls/crossed").await.0, 404);
    let (_, record) = api_get(&demo_api, "/api/calls/crossed").await;
    assert_eq!(record["disconnection_reason"], "user_hangup");
    assert_eq!(
        record["transcript"],
        "User: my date of birth is the fourth of July"
    );
}

#[tokio::test]
async fn without_a_webhook_key_a_signed_event_is_refused_saying_so() {
    let app = TestApp::spawn().await;
    let body = json!({"event": "call_started", "call": call_object("call_no_key", json!({}))});
    let raw = body.to_string();
    let header = signature::sign(raw.as_bytes(), KEY, now_ms());
    let (status, answer) = common::http_request(
        app.addr,
        "POST",
        "/api/retell/webhook",
        &[("x-retell-signature", &header)],
        Some(&raw),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["code"], "unauthorized", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no webhook key is configured")),
        "{answer}"
    );
    let org = app.org("demo").await;
    assert!(
        app.store
            .call_record(org.id, "call_no_key")
            .await
            .expect("read")
            .is_none(),
        "nothing filed"
    );
}
