//! Prometheus metrics on `metrics_listen`: a real call and a Booking API booking move the
//! counters, the scrape carries no caller data, and the main port never serves them.
//!
//! The recorder is one per process and every test server shares it, so each test uses a
//! clinic slug of its own and asserts on deltas.

use std::sync::Arc;

use ascendia::agent::Receptionist;
use ascendia::client::{CallOptions, script};
use ascendia::telemetry::metrics as names;
use chrono::Weekday;
use serde_json::json;

use crate::common::demo::{next, spoken};
use crate::common::{self, DEMO_CLINIC, TIMEOUT, TestApp};

async fn with_metrics() -> TestApp {
    TestApp::spawn_with(
        |s| s.metrics_listen = Some("127.0.0.1:0".parse().expect("addr")),
        Arc::new(Receptionist),
    )
    .await
}

/// A clinic set up like the demo one, under a slug no other test uses.
async fn own_clinic(app: &TestApp) -> String {
    let slug = format!("m{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    app.import_clinic(&slug, DEMO_CLINIC).await;
    slug
}

async fn scrape(app: &TestApp) -> String {
    let addr = app.metrics_addr.expect("metrics are on");
    let (status, body) = common::http_get(addr, "/metrics").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Scrapes until `done` holds of the text (or panics with the last one).
async fn scrape_until(app: &TestApp, done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let text = scrape(app).await;
        if done(&text) {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never came:\n{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The sum of the samples of `name` whose labels include all of `labels`.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, sample) = line.rsplit_once(' ')?;
            let (metric, rest) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest),
                None => (series, ""),
            };
            (metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| sample.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

const CALLER: &str = "+15555550177";

async fn book_by_voice(app: &TestApp, slug: &str) -> script::Transcript {
    let tuesday = next(Weekday::Tue);
    let text = format!(
        "
        say Hi, I'd like to book a cleaning next Tuesday afternoon.
        expect first and last name
        say My name is Quintessa Marlowe, born January 5th, 1980.
        expect Are you a new patient
        say Yes, I'm new.
        expect Welcome, Quintessa
        expect {} at 12 PM or 1 PM with Maria Lopez
        say The second one please.
        expect with Maria Lopez on {} at 1 PM
        say Yes.
        expect You're all set
        say No, that's all, thanks. Bye!
        expect Goodbye
        expect-end-call
    ",
        spoken(tuesday),
        spoken(tuesday)
    );
    let steps = script::parse(&text).expect("script parses");
    let mut options = CallOptions::default();
    options.call.from_number = Some(CALLER.to_owned());
    let url = app.ws(&format!(
        "/llm-websocket/{slug}/call-{}",
        uuid::Uuid::new_v4().simple()
    ));
    script::run_with(&url, options, &steps, TIMEOUT, |_| {})
        .await
        .expect("the call goes as scripted")
}

#[tokio::test]
async fn a_voice_booking_moves_the_call_response_tool_and_booking_metrics() {
    let app = with_metrics().await;
    let slug = own_clinic(&app).await;
    let clinic = [("clinic", slug.as_str())];
    let before = scrape(&app).await;
    let transcript = book_by_voice(&app, &slug).await;
    assert!(transcript.turns.len() >= 6);

    // The call's connection closes after the script; its guard counts it out.
    let after = scrape_until(&app, |text| value(text, names::CALLS_ENDED, &clinic) >= 1.0).await;
    let delta = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert_eq!(delta(names::CALLS_STARTED, &clinic), 1.0);
    assert_eq!(
        delta(
            names::CALLS_ENDED,
            &[("clinic", slug.as_str()), ("outcome", "agent_ended")]
        ),
        1.0,
        "{after}"
    );
    assert_eq!(value(&after, names::CALLS_ACTIVE, &clinic), 0.0);
    let agent = [("agent", "receptionist")];
    let first_chunks = format!("{}_count", names::RESPONSE_FIRST_CHUNK);
    let completes = format!("{}_count", names::RESPONSE_COMPLETE);
    assert!(delta(&first_chunks, &agent) >= 6.0, "{after}");
    assert!(delta(&completes, &agent) >= 6.0, "{after}");
    assert!(
        after.contains(&format!(
            "{}_bucket{{agent=\"receptionist\",le=\"0.005\"}}",
            names::RESPONSE_FIRST_CHUNK
        )),
        "a real histogram with voice buckets:\n{after}"
    );
    for tool in ["find_slots", "book_appointment", "confirm_action"] {
        let labels = [("tool", tool), ("result", "ok")];
        assert!(delta(names::TOOL_CALLS, &labels) >= 1.0, "{tool}:\n{after}");
    }
    assert_eq!(
        delta(
            names::BOOKINGS,
            &[("clinic", slug.as_str()), ("source", "voice")]
        ),
        1.0
    );
    assert_eq!(
        delta(
            names::BOOKINGS,
            &[("clinic", slug.as_str()), ("source", "api")]
        ),
        0.0
    );
    // Sampled at scrape time.
    assert!(after.contains(names::DB_POOL_CONNECTIONS), "{after}");
    assert!(after.contains(&format!("{} 0", names::DRAINING)), "{after}");

    // Nothing the caller said or is appears, only the clinic's slug.
    for private in [
        "Quintessa",
        "Marlowe",
        "5555550177",
        "555 555 0177",
        "1980",
        "cleaning",
        "Tuesday",
        "Goodbye",
    ] {
        assert!(
            !after.to_lowercase().contains(&private.to_lowercase()),
            "{private} in the metrics:\n{after}"
        );
    }
}

#[tokio::test]
async fn a_booking_api_booking_counts_under_source_api() {
    let app = with_metrics().await;
    let slug = own_clinic(&app).await;
    let api = app.api(&slug).await;
    let cleaning = api.id_of("/appointment-types", "Cleaning").await;
    let maria = api.id_of("/providers", "Maria Lopez").await;
    let (status, patient) = api
        .post(
            "/patients",
            json!({"first_name": "Ann", "last_name": "Rivera", "birth_date": "1980-05-17", "phone": "(555) 201-0123"}),
        )
        .await;
    assert_eq!(status, 201, "{patient}");
    let tuesday = common::next_weekday(common::demo::ZONE, Weekday::Tue, 3);
    let booking = json!({
        "patient_id": patient["id"], "appointment_type_id": cleaning, "provider_id": maria,
        "start": format!("{tuesday}T08:00"), "idempotency_key": "metrics-api-1"
    });
    let labels = [("clinic", slug.as_str()), ("source", "api")];
    let before = value(&scrape(&app).await, names::BOOKINGS, &labels);
    let (status, booked) = api.post("/appointments", booking.clone()).await;
    assert_eq!(status, 201, "{booked}");
    // The same request again is a replay, not a second booking.
    let (status, _) = api.post("/appointments", booking).await;
    assert_eq!(status, 200);
    let after = scrape(&app).await;
    assert_eq!(value(&after, names::BOOKINGS, &labels) - before, 1.0);
    assert_eq!(
        value(
            &after,
            names::BOOKINGS,
            &[("clinic", slug.as_str()), ("source", "voice")]
        ),
        0.0
    );
}

#[tokio::test]
async fn an_unknown_slug_is_counted_without_its_text() {
    let app = with_metrics().await;
    let before = value(&scrape(&app).await, names::UNKNOWN_SLUG_CONNECTS, &[]);
    let url = app.ws("/llm-websocket/no-such-clinic-zq/call-1");
    let _ = ascendia::client::CallClient::connect(&url, CallOptions::default()).await;
    let after = scrape_until(&app, |text| {
        value(text, names::UNKNOWN_SLUG_CONNECTS, &[]) > before
    })
    .await;
    assert!(!after.contains("no-such-clinic-zq"));
}

#[tokio::test]
async fn the_main_port_never_serves_metrics_and_they_are_off_by_default() {
    let on = with_metrics().await;
    let (status, _) = common::http_get(on.addr, "/metrics").await;
    assert_eq!(status, 404, "not on the internet-facing port");
    assert_ne!(on.metrics_addr, Some(on.addr));

    let off = TestApp::spawn().await;
    assert_eq!(off.settings.metrics_listen, None);
    assert_eq!(off.metrics_addr, None);
    let (status, _) = common::http_get(off.addr, "/metrics").await;
    assert_eq!(status, 404);
}

#[test]
fn the_grafana_dashboard_parses_and_uses_only_exported_metrics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana-dashboard.json");
    let text = std::fs::read_to_string(path).expect("deploy/grafana-dashboard.json");
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    assert!(panels.len() >= 7, "{} panels", panels.len());
    let mut used = std::collections::BTreeSet::new();
    for panel in panels {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("a PromQL expression");
            let mut rest = expr;
            while let Some(at) = rest.find("ascendia_") {
                let name: String = rest[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[at + name.len()..];
                let base = ["_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .filter(|base| names::NAMES.contains(base))
                    .unwrap_or(&name)
                    .to_owned();
                assert!(
                    names::NAMES.contains(&base.as_str()),
                    "{base} (in {expr}) is not a metric the server exports"
                );
                used.insert(base);
            }
        }
    }
    for needed in [
        names::CALLS_ACTIVE,
        names::CALLS_ENDED,
        names::RESPONSE_FIRST_CHUNK,
        names::TOOL_CALLS,
        names::BOOKINGS,
        names::WEBHOOK_EVENTS,
        names::WEBHOOK_ACK,
        names::DB_POOL_CONNECTIONS,
    ] {
        assert!(used.contains(needed), "the dashboard shows {needed}");
    }
}

#[tokio::test]
async fn webhooks_are_counted_by_event_and_result_with_their_ack_latency() {
    const KEY: &str = "key_metrics_webhook_0001";
    let app = TestApp::spawn_with(
        |s| {
            s.metrics_listen = Some("127.0.0.1:0".parse().expect("addr"));
            s.retell_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret"));
        },
        Arc::new(Receptionist),
    )
    .await;
    let before = scrape(&app).await;
    let body = json!({"event": "call_started", "call": {
        "call_id": format!("nobody-{}", uuid::Uuid::new_v4().simple()), "agent_id": "agent_none",
        "call_type": "phone_call", "direction": "inbound",
        "from_number": "+15552010888", "to_number": "+15552010100",
    }})
    .to_string();
    let header = ascendia::retell::signature::sign(
        body.as_bytes(),
        KEY,
        chrono::Utc::now().timestamp_millis(),
    );
    let path = "/api/retell/webhook";
    let signed = [("x-retell-signature", header.as_str())];
    let (status, _) = common::http_request(app.addr, "POST", path, &signed, Some(&body)).await;
    assert_eq!(status, 204);
    let (status, _) = common::http_request(app.addr, "POST", path, &[], Some(&body)).await;
    assert_eq!(status, 401);
    let after = scrape(&app).await;
    let delta = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    let unattributed = [("event", "call_started"), ("result", "unattributed")];
    assert!(
        delta(names::WEBHOOK_EVENTS, &unattributed) >= 1.0,
        "{after}"
    );
    let refused = [("event", "unknown"), ("result", "unauthorized")];
    assert!(delta(names::WEBHOOK_EVENTS, &refused) >= 1.0, "{after}");
    let acks = format!("{}_count", names::WEBHOOK_ACK);
    assert!(delta(&acks, &[]) >= 2.0, "{after}");
    assert!(!after.contains("5552010888"), "no caller number:\n{after}");
}
