//! Taking, listing and handling a message logs ids, never what the caller said. A test binary
//! of its own: tracing caches process-wide whether a call site is enabled, and another test
//! hitting the same call sites on another thread at the same moment can cache "disabled" past
//! this test's subscriber.

// The shared helpers of the `api` suites.
#[path = "api/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ascendia::booking::{NewMessage, PhoneNumber};
use chrono::Utc;
use common::TestApp;

/// Log lines, captured in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut lines) = self.0.lock() {
            lines.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the server's tasks run here too, under this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn taking_listing_and_handling_messages_logs_ids_but_nothing_the_caller_said() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = TestApp::spawn().await;
    let org = app.org("demo").await;
    let new = NewMessage::new(
        Some("privacy-call"),
        "Zebediah Quux",
        Some(PhoneNumber::parse("+1 415 555 0123").expect("phone")),
        "Toothache since Tuesday, asks for Dr. Chen",
        Some("es"),
        true,
    )
    .expect("valid");
    let message = app
        .state
        .scheduler
        .take_message(&org, new, Utc::now())
        .await
        .expect("taken");
    let api = app.api("demo").await;
    let auth = format!("Bearer {}", api.key);
    let headers = [("Authorization", auth.as_str())];
    let (status, page) =
        common::http_request(app.addr, "GET", "/api/messages", &headers, None).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["caller_name"], "Zebediah Quux");
    let handled = format!("/api/messages/{}/handled", message.id);
    let (status, _) = common::http_request(app.addr, "POST", &handled, &headers, None).await;
    assert_eq!(status, 200);

    let logs = captured
        .0
        .lock()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    assert!(
        logs.contains("took a message") && logs.contains(&message.id.to_string()),
        "{logs}"
    );
    assert!(logs.contains("message handled"), "{logs}");
    for secret in ["Zebediah", "Quux", "4155550123", "Toothache", "Dr. Chen"] {
        assert!(!logs.contains(secret), "{secret} leaked into logs:\n{logs}");
    }
}

// Item 9 of issue 15: the LLM agent's failures say why in the log, never the key or the
// caller's words.
#[tokio::test(flavor = "current_thread")]
async fn an_unreachable_model_server_is_logged_with_its_cause_and_without_the_key() {
    const KEY: &str = "sk-log-test-secret-91c2";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let configure = |s: &mut ascendia::config::Settings| {
        s.agent = ascendia::booking::AgentKind::Llm;
        // Nothing listens on the discard port: the connection is refused at once.
        s.llm_base_url = "http://127.0.0.1:9/v1".into();
        s.llm_api_key = Some(serde_json::from_value(serde_json::json!(KEY)).expect("secret"));
        s.llm_first_token_ms = 500;
    };
    let mut settings = ascendia::config::Settings::default();
    configure(&mut settings);
    let router = ascendia::agent::AgentRouter::from_settings(&settings, None);
    let app = TestApp::spawn_with(configure, router).await;
    let mut call = app.call("/llm-websocket/demo/llm-log-call").await;
    call.greeting(common::TIMEOUT).await.expect("greeting");
    let answer = call
        .say(
            "Hi, this is Zebediah Quux, I need a cleaning",
            common::TIMEOUT,
        )
        .await
        .expect("an answer");
    assert!(answer.text.contains("having trouble"), "{}", answer.text);
    call.hang_up().await;

    let logs = captured
        .0
        .lock()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let failure = logs
        .lines()
        .find(|l| l.contains("[LLM] no answer from the model"))
        .unwrap_or_else(|| panic!("the failure is logged:\n{logs}"));
    assert!(failure.contains("reason="), "{failure}");
    assert!(
        failure.contains("llm-log-call"),
        "names the call: {failure}"
    );
    for secret in [KEY, "Zebediah", "Quux", "cleaning"] {
        assert!(!logs.contains(secret), "{secret} leaked into logs:\n{logs}");
    }
}
