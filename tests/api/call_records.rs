//! Call records from the WebSocket side: what `call_details` said and how the socket ended,
//! for calls no webhook describes; Retell's events enriching them; reconnects reopening them;
//! load-test calls kept out of a real clinic's history.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::{Agent, AgentError, Ending, Receptionist, Reply, Turn};
use ascendia::client::loadtest::{self, LoadOptions};
use ascendia::client::{CallClient, CallOptions};
use ascendia::retell::signature;
use chrono::Utc;
use common::{Api, TIMEOUT, TestApp};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sqlx::Connection;

const KEY: &str = "key_server_records_0001";

async fn app() -> TestApp {
    app_with(Arc::new(Receptionist)).await
}

async fn app_with(agent: Arc<dyn Agent>) -> TestApp {
    TestApp::spawn_with(
        |s| s.retell_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret")),
        agent,
    )
    .await
}

fn options() -> CallOptions {
    let mut options = CallOptions::default();
    options.call.from_number = Some("+15552010777".into());
    options.call.to_number = Some("+15552010100".into());
    options.call.agent_id = Some("agent_records_1".into());
    options.call.direction = Some("inbound".into());
    options
}

async fn connect(app: &TestApp, call_id: &str) -> CallClient {
    let url = app.ws(&format!("/llm-websocket/demo/{call_id}"));
    CallClient::connect(&url, options()).await.expect("connect")
}

async fn get(api: &Api, path: &str) -> (u16, Value) {
    let auth = format!("Bearer {}", api.key);
    common::http_request(api.addr, "GET", path, &[("Authorization", &auth)], None).await
}

/// The call's record once `check` holds for it (the writes run off the voice path).
async fn record_when(api: &Api, call_id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/api/calls/{call_id}");
    let mut last = Value::Null;
    for _ in 0..100 {
        let (status, record) = get(api, &path).await;
        if status == 200 && check(&record) {
            return record;
        }
        last = record;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the record of {call_id} never matched: {last}");
}

/// The record's row as stored: (status, from, to, agent, direction, start, socket end, ended by).
type Row = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

async fn stored_row(app: &TestApp, call_id: &str) -> Row {
    const QUERY: &str = "SELECT call_status, from_number, to_number, agent_id, direction,
                                start_ms, socket_ended_ms, ended_by
                         FROM call_records WHERE call_id = $1";
    if common::pg::selected() {
        // As the owning role, inside the clinic (row level security binds the owner too).
        let owner = app.settings.admin_database_url.as_deref().expect("owner");
        let mut conn = sqlx::PgConnection::connect(owner).await.expect("owner");
        let demo = app.org("demo").await;
        sqlx::query("SELECT set_config('app.current_org', $1, false)")
            .bind(demo.id.to_string())
            .execute(&mut conn)
            .await
            .expect("clinic set");
        sqlx::query_as(QUERY)
            .bind(call_id)
            .fetch_one(&mut conn)
            .await
            .expect("row")
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&app.settings.database_url)
            .await
            .expect("sqlite");
        sqlx::query_as(QUERY)
            .bind(call_id)
            .fetch_one(&mut conn)
            .await
            .expect("row")
    }
}

async fn post_event(app: &TestApp, body: &Value) {
    let raw = body.to_string();
    let header = signature::sign(raw.as_bytes(), KEY, Utc::now().timestamp_millis());
    let (status, _) = common::http_request(
        app.addr,
        "POST",
        "/api/retell/webhook",
        &[("x-retell-signature", &header)],
        Some(&raw),
    )
    .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn a_call_without_webhooks_keeps_what_the_websocket_saw_then_retell_enriches_it() {
    let app = app().await;
    let api = app.api("demo").await;
    let before = Utc::now().timestamp_millis();
    let mut call = connect(&app, "socket-only-1").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.say("hello", TIMEOUT).await.expect("answer");
    let live = record_when(&api, "socket-only-1", |r| r["from_number"].is_string()).await;
    assert_eq!(live["call_status"], "ongoing", "{live}");
    assert!(live["end_ms"].is_null() && live["ended_by"].is_null());
    call.hang_up().await;

    let record = record_when(&api, "socket-only-1", |r| r["call_status"] == "ended").await;
    assert_eq!(record["from_number"], "+15552010777", "{record}");
    assert_eq!(record["to_number"], "+15552010100");
    assert_eq!(record["agent_id"], "agent_records_1");
    assert_eq!(record["direction"], "inbound");
    assert_eq!(record["ended_by"], "peer", "Retell closed the socket");
    let start = record["start_ms"].as_i64().expect("start");
    let end = record["end_ms"].as_i64().expect("end from the socket");
    assert!(before <= start && start <= end, "{record}");
    assert_eq!(record["socket_ended_ms"], end);
    assert_eq!(record["duration_ms"], end - start);
    let listed = get(&api, "/api/calls").await.1;
    let listed = listed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|c| c["call_id"] == "socket-only-1"))
        .cloned()
        .expect("listed");
    assert_eq!(listed["call_status"], "ended");
    assert_eq!(listed["ended_by"], "peer");
    let row = stored_row(&app, "socket-only-1").await;
    assert_eq!(
        row,
        (
            Some("ended".into()),
            Some("+15552010777".into()),
            Some("+15552010100".into()),
            Some("agent_records_1".into()),
            Some("inbound".into()),
            Some(start),
            Some(end),
            Some("peer".into()),
        )
    );

    // Retell's call_ended comes later: its numbers, times and reason win; ours stay beside.
    let (r_start, r_end) = (start - 2_000, start + 30_000);
    let call = json!({"call_id": "socket-only-1", "agent_id": "agent_records_1",
        "call_type": "phone_call", "direction": "inbound", "from_number": "+15552010999",
        "to_number": "+15552010100", "call_status": "ended", "start_timestamp": r_start,
        "end_timestamp": r_end, "disconnection_reason": "user_hangup"});
    post_event(&app, &json!({"event": "call_ended", "call": call})).await;
    // A late call_started changes nothing of that.
    let started = json!({"event": "call_started", "call": {"call_id": "socket-only-1",
        "call_status": "ongoing", "start_timestamp": r_start}});
    post_event(&app, &started).await;
    let (_, enriched) = get(&api, "/api/calls/socket-only-1").await;
    assert_eq!(enriched["call_status"], "ended", "{enriched}");
    assert_eq!(
        enriched["from_number"], "+15552010999",
        "Retell's number wins"
    );
    assert_eq!(enriched["start_ms"], r_start);
    assert_eq!(enriched["end_ms"], r_end);
    assert_eq!(enriched["duration_ms"], 32_000);
    assert_eq!(enriched["disconnection_reason"], "user_hangup");
    assert_eq!(enriched["agent_id"], "agent_records_1");
    assert_eq!(enriched["direction"], "inbound");
    assert_eq!(enriched["ended_by"], "peer", "the socket's facts stay");
    assert_eq!(enriched["socket_ended_ms"], end);

    // Retell said it ended: a connection with its id later does not reopen it.
    let mut late = connect(&app, "socket-only-1").await;
    late.greeting(TIMEOUT).await.expect("greeting");
    let connected = common::eventually(Duration::from_secs(5), || async {
        let demo = app.org("demo").await;
        matches!(app.store.call_record(demo.id, "socket-only-1").await,
            Ok(Some(r)) if r.connections == 2)
    })
    .await;
    assert!(connected);
    assert_eq!(
        get(&api, "/api/calls/socket-only-1").await.1["call_status"],
        "ended"
    );
    late.hang_up().await;
}

#[tokio::test]
async fn a_dropped_call_is_ended_until_retell_reconnects_it() {
    let app = app().await;
    let api = app.api("demo").await;
    let mut first = connect(&app, "reconnected-1").await;
    first.greeting(TIMEOUT).await.expect("greeting");
    record_when(&api, "reconnected-1", |r| r["from_number"].is_string()).await;
    // Gone without a close frame, as when Retell's keepalive gives up.
    first.drop_connection();
    let dropped = record_when(&api, "reconnected-1", |r| r["call_status"] == "ended").await;
    assert_eq!(dropped["ended_by"], "dropped", "{dropped}");

    // Retell reconnects within the window: the same call, in progress again.
    let mut again = connect(&app, "reconnected-1").await;
    let greeting = again.greeting(TIMEOUT).await.expect("begin message");
    assert_eq!(greeting.text, "", "resumed, not greeted anew");
    let reopened = record_when(&api, "reconnected-1", |r| r["call_status"] == "ongoing").await;
    assert!(reopened["end_ms"].is_null(), "{reopened}");
    assert!(reopened["ended_by"].is_null() && reopened["socket_ended_ms"].is_null());
    assert_eq!(reopened["from_number"], "+15552010777");
    again.say("hello", TIMEOUT).await.expect("answer");
    assert_eq!(
        get(&api, "/api/calls/reconnected-1").await.1["call_status"],
        "ongoing",
        "still in progress while its second connection is up"
    );
    again.hang_up().await;
    let ended = record_when(&api, "reconnected-1", |r| r["call_status"] == "ended").await;
    assert_eq!(ended["ended_by"], "peer", "{ended}");
    let (_, page) = get(&api, "/api/calls").await;
    let copies = page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|c| c["call_id"] == "reconnected-1")
                .count()
        })
        .unwrap_or_default();
    assert_eq!(copies, 1, "one record for the call");
}

/// Says goodbye and ends the call on the first turn.
struct Goodbye;

impl Agent for Goodbye {
    fn name(&self) -> &'static str {
        "goodbye"
    }

    fn respond<'a>(
        &'a self,
        _turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            reply.say("Goodbye.")?;
            Ok(Ending::EndCall)
        })
    }
}

#[tokio::test]
async fn a_call_our_agent_ended_says_so_and_is_not_reopened() {
    let app = app_with(Arc::new(Goodbye)).await;
    let api = app.api("demo").await;
    let mut call = connect(&app, "agent-ended-1").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    let turn = call.say("that's all", TIMEOUT).await.expect("goodbye");
    assert!(turn.end_call);
    call.hang_up().await;
    let record = record_when(&api, "agent-ended-1", |r| r["call_status"] == "ended").await;
    assert_eq!(record["ended_by"], "agent", "{record}");

    // Its id again is a new connection of an ended call: the record stays ended.
    let mut again = connect(&app, "agent-ended-1").await;
    again.greeting(TIMEOUT).await.expect("greeting");
    let demo = app.org("demo").await;
    let connected = common::eventually(Duration::from_secs(5), || async {
        matches!(app.store.call_record(demo.id, "agent-ended-1").await,
            Ok(Some(r)) if r.connections == 2)
    })
    .await;
    assert!(connected);
    assert_eq!(
        get(&api, "/api/calls/agent-ended-1").await.1["call_status"],
        "ended"
    );
    again.hang_up().await;
}

#[tokio::test]
async fn load_test_calls_stay_in_the_clinic_made_for_them() {
    let app = app().await;
    app.import_clinic("loadtest", common::DEMO_CLINIC).await;
    let mut options = LoadOptions::new(
        &app.ws("/llm-websocket/loadtest"),
        3,
        Duration::from_millis(500),
    );
    options.ramp = Duration::from_millis(100);
    let report = loadtest::run(options).await;
    assert_eq!(report.connected, 3, "{}", report.render());

    let load = app.api("loadtest").await;
    let demo = app.api("demo").await;
    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| c["call_id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let filed = common::eventually(Duration::from_secs(5), || async {
        let page = get(&load, "/api/calls").await.1;
        page["items"].as_array().is_some_and(|items| {
            items.len() == 3 && items.iter().all(|c| c["call_status"] == "ended")
        })
    })
    .await;
    assert!(filed, "{}", get(&load, "/api/calls").await.1);
    assert!(
        ids(get(&load, "/api/calls").await.1)
            .iter()
            .all(|id| id.starts_with("load-"))
    );
    assert_eq!(
        ids(get(&demo, "/api/calls").await.1),
        Vec::<String>::new(),
        "nothing in the demo clinic's history"
    );
}
