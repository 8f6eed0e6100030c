//! Messages for the front desk: taken through the scheduler (as the agent's tool will), read and
//! marked handled through the clinic's API key only, and shown on the call they were taken in.
//! That they are never logged is `message_logs.rs`.

use crate::common;

use ascendia::booking::{Message, NewMessage, PhoneNumber};
use ascendia::calls::CallEvent;
use ascendia::tenancy::Organization;
use chrono::{DateTime, Duration, Utc};
use common::{Api, TestApp};
use serde_json::Value;

async fn take(
    app: &TestApp,
    org: &Organization,
    name: &str,
    call_id: Option<&str>,
    at: DateTime<Utc>,
) -> Message {
    let new = NewMessage::new(
        call_id,
        name,
        Some(PhoneNumber::parse("+1 555 201 0199").expect("phone")),
        &format!("{name} asks whether the clinic takes Delta Dental"),
        Some("es"),
        false,
    )
    .expect("valid message");
    app.state
        .scheduler
        .take_message(org, new, at)
        .await
        .expect("message taken")
}

async fn get(api: &Api, path: &str) -> (u16, Value) {
    let auth = format!("Bearer {}", api.key);
    common::http_request(api.addr, "GET", path, &[("Authorization", &auth)], None).await
}

async fn post(api: &Api, path: &str) -> (u16, Value) {
    let auth = format!("Bearer {}", api.key);
    common::http_request(api.addr, "POST", path, &[("Authorization", &auth)], None).await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|m| m["caller_name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A clinic-local date `days` ago, as the API takes it.
fn days_ago(days: i64) -> String {
    let zone: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    (Utc::now() - Duration::days(days))
        .with_timezone(&zone)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn messages_page_newest_first_filter_by_date_and_are_marked_handled_once() {
    let app = TestApp::spawn().await;
    let org = app.org("demo").await;
    let now = Utc::now();
    for (name, age_days) in [("Ana", 0), ("Ben", 1), ("Cleo", 2), ("Dov", 40)] {
        take(&app, &org, name, None, now - Duration::days(age_days)).await;
    }
    let api = app.api("demo").await;

    let (status, first) = get(&api, "/api/messages?limit=2").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(names(&first), ["Ana", "Ben"], "newest first");
    assert_eq!(first["next_offset"], 2);
    let message = &first["items"][0];
    assert_eq!(message["callback"], "+15552010199");
    assert_eq!(
        message["reason"],
        "Ana asks whether the clinic takes Delta Dental"
    );
    assert_eq!(
        (&message["language"], &message["urgent"]),
        (&Value::from("es"), &Value::from(false))
    );
    assert_eq!(message["status"], "new");
    assert!(message["handled_at"].is_null() && message["call_id"].is_null());
    let (_, second) = get(&api, "/api/messages?limit=2&offset=2").await;
    assert_eq!(names(&second), ["Cleo", "Dov"]);
    assert!(second["next_offset"].is_null());

    let recent = get(&api, &format!("/api/messages?from={}", days_ago(10))).await;
    assert_eq!(names(&recent.1), ["Ana", "Ben", "Cleo"]);
    let old = get(&api, &format!("/api/messages?to={}", days_ago(20))).await;
    assert_eq!(names(&old.1), ["Dov"]);
    let window = format!("/api/messages?from={}&to={}", days_ago(50), days_ago(30));
    assert_eq!(names(&get(&api, &window).await.1), ["Dov"]);

    // Handled: once, with its time; again changes nothing.
    let ben = first["items"][1]["id"].as_str().expect("id").to_owned();
    let (status, handled) = post(&api, &format!("/api/messages/{ben}/handled")).await;
    assert_eq!(status, 200, "{handled}");
    assert_eq!(handled["status"], "handled");
    assert!(handled["handled_at"].is_string());
    let (status, again) = post(&api, &format!("/api/messages/{ben}/handled")).await;
    assert_eq!(status, 200);
    assert_eq!(again["handled_at"], handled["handled_at"]);
    let (_, open) = get(&api, "/api/messages?status=new").await;
    assert_eq!(names(&open), ["Ana", "Cleo", "Dov"]);
    let (_, done) = get(&api, "/api/messages?status=handled").await;
    assert_eq!(names(&done), ["Ben"]);

    // Bad requests: validation errors, and nothing changed.
    let (_, before) = get(&api, "/api/messages").await;
    for bad in [
        "/api/messages?from=yesterday",
        "/api/messages?to=2026-02-30",
        "/api/messages?limit=0",
        "/api/messages?limit=201",
        "/api/messages?offset=-1",
        "/api/messages?from=2026-12-10&to=2026-12-01",
        "/api/messages?status=done",
        "/api/messages?colour=red",
    ] {
        let (status, body) = get(&api, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "validation", "{bad}");
    }
    let (status, body) = post(&api, "/api/messages/not-a-uuid/handled").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &Value::from("validation"))
    );
    let unknown = uuid::Uuid::new_v4();
    let (status, body) = post(&api, &format!("/api/messages/{unknown}/handled")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &Value::from("not_found"))
    );
    assert_eq!(get(&api, "/api/messages").await.1, before);

    // Without a key, or with a wrong one: 401.
    for headers in [vec![], vec![("Authorization", "Bearer asc_not_a_real_key")]] {
        for (method, path) in [
            ("GET", "/api/messages".to_owned()),
            ("POST", format!("/api/messages/{ben}/handled")),
        ] {
            let (status, body) =
                common::http_request(app.addr, method, &path, &headers, None).await;
            assert_eq!(status, 401, "{method} {path}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
    }
}

#[tokio::test]
async fn another_clinics_key_sees_none_of_the_messages_and_cannot_mark_them() {
    let app = TestApp::spawn().await;
    let demo = app.org("demo").await;
    let twin = app.import_clinic("twin", common::DEMO_CLINIC).await;
    let mine = take(&app, &demo, "Ana", None, Utc::now()).await;
    take(&app, &twin, "Tess", None, Utc::now()).await;
    let demo_api = app.api("demo").await;
    let twin_api = app.api("twin").await;

    assert_eq!(names(&get(&twin_api, "/api/messages").await.1), ["Tess"]);
    assert_eq!(names(&get(&demo_api, "/api/messages").await.1), ["Ana"]);
    let (status, body) = post(&twin_api, &format!("/api/messages/{}/handled", mine.id)).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (_, page) = get(&demo_api, "/api/messages").await;
    assert_eq!(page["items"][0]["status"], "new", "untouched");
    let err = app
        .state
        .scheduler
        .mark_message_handled(&twin, mine.id, Utc::now())
        .await
        .expect_err("not twin's");
    assert!(matches!(
        err,
        ascendia::booking::ServiceError::NotFound("message")
    ));
}

#[tokio::test]
async fn a_calls_record_lists_the_messages_taken_in_it() {
    let app = TestApp::spawn().await;
    let demo = app.org("demo").await;
    let twin = app.import_clinic("twin", common::DEMO_CLINIC).await;
    let event = CallEvent {
        event: "call_ended".into(),
        call_id: "msg-call-1".into(),
        start_ms: Some(Utc::now().timestamp_millis()),
        call_status: Some("ended".into()),
        ..CallEvent::default()
    };
    app.store
        .apply_call_event(demo.id, &event)
        .await
        .expect("call filed");
    let now = Utc::now();
    let first = take(&app, &demo, "Ana", Some("msg-call-1"), now).await;
    take(
        &app,
        &demo,
        "Ana",
        Some("msg-call-1"),
        now + Duration::seconds(5),
    )
    .await;
    take(&app, &demo, "Other", Some("msg-call-2"), now).await;
    // The same call id in another clinic's message does not show on demo's call.
    take(&app, &twin, "Tess", Some("msg-call-1"), now).await;

    let api = app.api("demo").await;
    let (status, record) = get(&api, "/api/calls/msg-call-1").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["call_status"], "ended");
    let messages = record["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{record}");
    assert_eq!(messages[0]["id"], first.id.to_string(), "oldest first");
    assert!(messages.iter().all(|m| m["call_id"] == "msg-call-1"));
    assert!(messages.iter().all(|m| m["caller_name"] == "Ana"));

    // A call without messages shows an empty list; another clinic's call is not found.
    let quiet = CallEvent {
        call_id: "quiet-call".into(),
        ..event.clone()
    };
    app.store
        .apply_call_event(demo.id, &quiet)
        .await
        .expect("call filed");
    assert_eq!(
        get(&api, "/api/calls/quiet-call").await.1["messages"],
        serde_json::json!([])
    );
    let twin_api = app.api("twin").await;
    assert_eq!(get(&twin_api, "/api/calls/msg-call-1").await.0, 404);
}
