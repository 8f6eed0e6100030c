//! `ascendia serve` as deployed: defaults, config file and environment, JSON logs, privacy.

use crate::common;

use std::process::Stdio;
use std::time::Duration;

use ascendia::client::{CallClient, CallOptions};
use common::TIMEOUT;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

fn command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ascendia"));
    command
        .current_dir(dir)
        .env_remove("ASCENDIA_DATABASE_URL")
        .env_remove("ASCENDIA_LISTEN")
        .env_remove("ASCENDIA_CONFIG")
        .env_remove("ASCENDIA_LOG")
        .env_remove("RUST_LOG")
        .env_remove("ORG_SLUG_MAP")
        .kill_on_drop(true);
    command
}

/// Starts `serve` and returns it with its bound address, read from the JSON startup log.
async fn serve_json(
    dir: &std::path::Path,
) -> (
    Child,
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    serve_json_with(dir, &[]).await
}

async fn serve_json_with(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (
    Child,
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let mut child = command(dir)
        .arg("serve")
        .envs(env.iter().copied())
        .env("ASCENDIA_LISTEN", "127.0.0.1:0")
        .env("ASCENDIA_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let line = tokio::time::timeout(TIMEOUT, rx.recv())
            .await
            .ok()
            .flatten()
            .expect("startup log");
        let json: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("JSON log line: {line}"));
        if json["message"] == "ascendia listening" {
            break json["addr"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .expect("addr field");
        }
    };
    (child, addr, rx)
}

#[tokio::test]
async fn serve_creates_the_database_seeds_demo_and_logs_json_without_caller_data() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, addr, mut logs) = serve_json(dir.path()).await;
    assert!(
        dir.path().join("ascendia.db").exists(),
        "default sqlite://ascendia.db in the working directory"
    );

    let mut options = CallOptions::default();
    options.call.from_number = Some("+14155550123".into());
    let mut call = CallClient::connect(
        &format!("ws://{addr}/llm-websocket/demo/privacy-call"),
        options,
    )
    .await
    .expect("connect");
    let greeting = call.greeting(TIMEOUT).await.expect("greeting");
    assert!(greeting.text.contains("Demo Dental"));
    call.say(
        "My name is Zebediah Quux, born 1984-02-29, what time is it?",
        TIMEOUT,
    )
    .await
    .expect("answer");
    call.send_text("{\"interaction_type\":\"update_only\",\"transcript\":\"Zebediah secret\"}");
    call.say("bye", TIMEOUT).await.expect("goodbye");
    call.hang_up().await;
    let mut unknown = CallClient::connect(
        &format!("ws://{addr}/llm-websocket/not-a-clinic/x1"),
        CallOptions::default(),
    )
    .await
    .expect("connect");
    assert!(unknown.greeting(TIMEOUT).await.expect("refusal").end_call);
    unknown.hang_up().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.start_kill();
    let _ = child.wait().await;

    let mut all = Vec::new();
    while let Ok(line) = logs.try_recv() {
        all.push(line);
    }
    let joined = all.join("\n");
    for line in &all {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
    assert!(
        joined.contains("[Retell WS] Connected for call: privacy-call (org slug: demo)"),
        "{joined}"
    );
    assert!(
        joined.contains("[Retell WS] Using org ") && joined.contains("from slug 'demo'"),
        "{joined}"
    );
    assert!(joined.contains("ignored a malformed frame"), "{joined}");
    assert!(
        joined.contains("Unknown org slug 'not-a-clinic'"),
        "{joined}"
    );
    for secret in ["Zebediah", "Quux", "1984", "4155550123", "what time"] {
        assert!(
            !joined.contains(secret),
            "{secret} leaked into logs:\n{joined}"
        );
    }
}

#[tokio::test]
async fn the_config_file_is_read_and_the_environment_wins() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("ascendia.toml"),
        "database_url = \"sqlite://from-file.db\"\npublic_url = \"https://voice.example.com\"\n",
    )
    .expect("config");
    let list = command(dir.path())
        .args(["org", "list"])
        .output()
        .await
        .expect("runs");
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{out}");
    assert!(
        out.contains("wss://voice.example.com/llm-websocket/demo"),
        "{out}"
    );
    assert!(dir.path().join("from-file.db").exists());

    let list = command(dir.path())
        .args(["org", "list"])
        .env("ASCENDIA_PUBLIC_URL", "https://env.example.com")
        .output()
        .await
        .expect("runs");
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(
        out.contains("wss://env.example.com/llm-websocket/demo"),
        "{out}"
    );

    let bad = command(dir.path())
        .args(["org", "list"])
        .env("ORG_SLUG_MAP", "{not json")
        .output()
        .await
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ORG_SLUG_MAP"));

    std::fs::write(dir.path().join("typo.toml"), "listn = \"127.0.0.1:1\"\n").expect("config");
    let typo = command(dir.path())
        .args(["--config", "typo.toml", "org", "list"])
        .output()
        .await
        .expect("runs");
    assert!(
        !typo.status.success(),
        "unknown keys are errors, not silently ignored"
    );
    assert!(String::from_utf8_lossy(&typo.stderr).contains("listn"));
}

#[tokio::test]
async fn booking_logs_the_org_and_the_auto_filled_operatory_but_no_patient_data_or_key() {
    let dir = tempfile::tempdir().expect("dir");
    let retell_key = "key_retell_serve_test_9c1";
    let (mut child, addr, mut logs) =
        serve_json_with(dir.path(), &[("ASCENDIA_RETELL_API_KEY", retell_key)]).await;
    let key = command(dir.path())
        .args(["org", "api-key", "create", "demo"])
        .output()
        .await
        .expect("api-key create");
    assert!(key.status.success());
    let key = String::from_utf8_lossy(&key.stdout).trim().to_owned();
    let api = common::Api {
        addr,
        key: key.clone(),
    };
    let (status, patient) = api
        .post(
            "/patients",
            serde_json::json!({"first_name": "Zebediah", "last_name": "Quux",
                               "birth_date": "1984-02-29", "phone": "+1 415 555 0123"}),
        )
        .await;
    assert_eq!(status, 201, "{patient}");
    let chen = api.id_of("/providers", "Dr. Sarah Chen").await;
    let filling = api.id_of("/appointment-types", "Filling").await;
    let tuesday = common::next_weekday("America/New_York", chrono::Weekday::Tue, 3);
    let (status, booked) = api
        .post(
            "/appointments",
            serde_json::json!({"patient_id": patient["id"], "appointment_type_id": filling,
                               "provider_id": chen, "start": format!("{tuesday}T09:00")}),
        )
        .await;
    assert_eq!(status, 201, "{booked}");
    let operatory = booked["operatory_id"]
        .as_str()
        .expect("operatory")
        .to_owned();
    let op1 = api.id_of("/operatories", "Op 1").await;
    let demo_id = api.get("/clinic").await.1["id"]
        .as_str()
        .expect("org id")
        .to_owned();
    assert_eq!(
        operatory, op1,
        "Dr. Chen has no fixed chair: the first active one"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.start_kill();
    let _ = child.wait().await;

    let mut all = Vec::new();
    while let Ok(line) = logs.try_recv() {
        all.push(line);
    }
    let joined = all.join("\n");
    assert!(
        joined.contains(&format!("[Booking API] Request from org: {demo_id}")),
        "{joined}"
    );
    assert!(
        joined.contains(&format!(
            "Auto-filled Op={operatory} (first active operatory)"
        )),
        "{joined}"
    );
    for secret in [
        "Zebediah",
        "Quux",
        "1984-02-29",
        "4155550123",
        key.as_str(),
        &key[4..20],
    ] {
        assert!(
            !joined.contains(secret),
            "{secret} leaked into logs:\n{joined}"
        );
    }
}

#[tokio::test]
async fn sigterm_stops_new_calls_lets_live_ones_finish_and_never_hangs_up_with_1000() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut child, addr, mut logs) =
        serve_json_with(dir.path(), &[("ASCENDIA_DRAIN_SECS", "3")]).await;
    let url = |id: &str| format!("ws://{addr}/llm-websocket/demo/{id}");
    let mut live = CallClient::connect(&url("live"), CallOptions::default())
        .await
        .expect("connect");
    live.greeting(TIMEOUT).await.expect("greeting");
    let mut short = CallClient::connect(&url("short"), CallOptions::default())
        .await
        .expect("connect");
    short.greeting(TIMEOUT).await.expect("greeting");

    let pid = child.id().expect("pid").to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(killed.success());
    let draining = async {
        while let Some(line) = logs.recv().await {
            if line.contains("no longer taking calls") {
                return true;
            }
        }
        false
    };
    assert!(
        tokio::time::timeout(TIMEOUT, draining)
            .await
            .unwrap_or(false),
        "drain logged"
    );

    // New calls are refused; calls in progress carry on.
    assert!(
        CallClient::connect(&url("new"), CallOptions::default())
            .await
            .is_err()
    );
    let answer = live
        .say("what time is it?", TIMEOUT)
        .await
        .expect("still answered");
    assert!(!answer.text.is_empty());
    short.hang_up().await;
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), child.wait())
            .await
            .is_err(),
        "the server waits for the live call"
    );

    // At the end of the drain time the connection is dropped without a close frame.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
    let code = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match live.recv(left).await.expect("the end of the call") {
            ascendia::client::ServerFrame::Closed(code) => break code,
            _ping_echo => continue,
        }
    };
    assert_ne!(code, Some(1000), "never a hang-up");
    assert_eq!(code, None, "no close frame: Retell reconnects");
    let status = tokio::time::timeout(TIMEOUT, child.wait())
        .await
        .expect("the server exits after the drain")
        .expect("status");
    assert!(status.success(), "{status}");
}
