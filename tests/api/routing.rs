//! Which clinic answers, for every URL form Retell and operators use.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::Receptionist;
use ascendia::client::ServerFrame;
use ascendia::retell::session::NOT_SET_UP;
use ascendia::tenancy::UnknownSlugPolicy;
use common::{TIMEOUT, TestApp, eventually, http_get};

async fn greeting_at(app: &TestApp, path: &str) -> String {
    let mut call = app.call(path).await;
    let greeting = call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    greeting.text
}

async fn recorded_call_org(app: &TestApp, call_id: &str, slugs: &[&str]) -> Option<String> {
    for slug in slugs {
        let org = app.org(slug).await;
        let found = eventually(Duration::from_secs(2), || async {
            matches!(app.store.call_record(org.id, call_id).await, Ok(Some(_)))
        })
        .await;
        if found {
            return Some((*slug).to_owned());
        }
    }
    None
}

#[tokio::test]
async fn every_url_form_reaches_the_right_clinic() {
    let app = TestApp::spawn().await;
    app.add_org("Smile Co", "smile", "America/Chicago").await;

    assert!(
        greeting_at(&app, "/llm-websocket/smile/call-a")
            .await
            .contains("Smile Co")
    );
    assert!(
        greeting_at(&app, "/llm-websocket/call-b")
            .await
            .contains("Demo Dental")
    );
    assert!(
        greeting_at(&app, "/llm-websocket/smile")
            .await
            .contains("Smile Co")
    );
    assert!(
        greeting_at(&app, "/llm-websocket")
            .await
            .contains("Demo Dental")
    );
    assert!(
        greeting_at(&app, "/llm-websocket/")
            .await
            .contains("Demo Dental")
    );
    // Trailing slash and a query string Retell may add are tolerated.
    assert!(
        greeting_at(&app, "/llm-websocket/smile/call-c/?tenant=x&v=2")
            .await
            .contains("Smile Co")
    );

    let both = ["smile", "demo"];
    assert_eq!(
        recorded_call_org(&app, "call-a", &both).await.as_deref(),
        Some("smile")
    );
    assert_eq!(
        recorded_call_org(&app, "call-b", &both).await.as_deref(),
        Some("demo")
    );
    assert_eq!(
        recorded_call_org(&app, "call-c", &both).await.as_deref(),
        Some("smile")
    );
}

#[tokio::test]
async fn unknown_slug_fails_closed_and_touches_no_clinic() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/no-such-clinic/call-x").await;
    let turn = call.greeting(TIMEOUT).await.expect("one sentence");
    assert_eq!(turn.text, NOT_SET_UP);
    assert!(turn.end_call, "the call must end");
    // Any further request gets the same answer, never a clinic's agent.
    let again = call.say("hello?", TIMEOUT).await.expect("answer");
    assert!(again.end_call && again.text == NOT_SET_UP);
    call.hang_up().await;

    let demo = app.org("demo").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.store.count_calls(demo.id).await.ok(), Some(0));
    assert!(
        app.state.calls.is_empty(),
        "no call state for an unknown clinic"
    );
}

#[tokio::test]
async fn unknown_slug_policy_default_serves_the_default_clinic() {
    let app = TestApp::spawn_with(
        |s| s.unknown_slug = UnknownSlugPolicy::Default,
        Arc::new(Receptionist),
    )
    .await;
    assert!(
        greeting_at(&app, "/llm-websocket/old-slug/call-1")
            .await
            .contains("Demo Dental")
    );
}

#[tokio::test]
async fn explicit_default_wins_and_the_oldest_clinic_is_the_fallback() {
    let app = TestApp::spawn().await;
    let alpha = app.add_org("Alpha Dental", "alpha", "UTC").await;
    app.add_org("Beta Dental", "beta", "UTC").await;

    app.store
        .set_default_org(alpha.id)
        .await
        .expect("set default");
    app.state.registry.refresh().await.expect("refresh");
    assert!(
        greeting_at(&app, "/llm-websocket/some-call")
            .await
            .contains("Alpha Dental")
    );

    // Removing the explicit default falls back to the oldest clinic (demo).
    let beta = app.org("beta").await;
    app.store
        .set_default_org(beta.id)
        .await
        .expect("set default");
    app.store.remove_org(&beta, false).await.expect("remove");
    app.state.registry.refresh().await.expect("refresh");
    assert!(
        greeting_at(&app, "/llm-websocket/other-call")
            .await
            .contains("Demo Dental")
    );

    let demo = app.org("demo").await;
    app.store.remove_org(&demo, true).await.expect("remove");
    app.state.registry.refresh().await.expect("refresh");
    assert!(
        greeting_at(&app, "/llm-websocket/third-call")
            .await
            .contains("Alpha Dental")
    );
}

#[tokio::test]
async fn with_no_clinic_at_all_calls_hear_the_line_is_not_set_up() {
    let app = TestApp::spawn().await;
    let demo = app.org("demo").await;
    app.store.remove_org(&demo, true).await.expect("remove");
    app.state.registry.refresh().await.expect("refresh");
    let mut call = app.call("/llm-websocket/call-1").await;
    let turn = call.greeting(TIMEOUT).await.expect("greeting");
    assert!(turn.end_call);
    assert_eq!(turn.text, NOT_SET_UP);
}

#[tokio::test]
async fn compatibility_slug_map_resolves_to_the_mapped_clinic() {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(&dir);
    let store = ascendia::booking::open_store(&settings.database_url, None)
        .await
        .expect("store");
    let demo = store.require_org("demo").await.expect("seeded demo");
    settings
        .orgs
        .insert("legacy-name".into(), demo.id.to_string());
    let app = TestApp::start(settings, Arc::new(Receptionist), dir).await;
    assert!(
        greeting_at(&app, "/llm-websocket/legacy-name/call-9")
            .await
            .contains("Demo Dental")
    );
    // The database slug still works too.
    assert!(
        greeting_at(&app, "/llm-websocket/demo/call-10")
            .await
            .contains("Demo Dental")
    );
}

#[tokio::test]
async fn bad_requests_get_clear_json_errors() {
    let app = TestApp::spawn().await;
    let (status, body) = http_get(app.addr, "/health").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""status":"ok""#));

    let (status, body) = http_get(app.addr, "/llm-websocket/demo/call-1").await;
    assert_eq!(status, 426, "{body}");
    assert!(body.contains(r#""code":"websocket_required""#), "{body}");

    let (status, body) = http_get(app.addr, "/nope").await;
    assert_eq!(status, 404);
    assert!(body.contains(r#""code":"not_found""#));

    // Too many segments and malformed call ids are refused before upgrading.
    let refused =
        ascendia::client::CallClient::connect(&app.ws("/llm-websocket/a/b/c"), Default::default())
            .await;
    assert!(refused.is_err());
    let refused = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/demo/bad%20id"),
        Default::default(),
    )
    .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn config_comes_first_then_the_greeting() {
    let app = TestApp::spawn().await;
    let mut call = app.call("/llm-websocket/demo/order-1").await;
    let first = call.recv(TIMEOUT).await.expect("frame");
    assert!(
        matches!(first, ServerFrame::Config(c) if c.auto_reconnect && c.call_details && c.transcript_with_tool_calls),
        "{first:?}"
    );
    let second = call.recv(TIMEOUT).await.expect("frame");
    assert!(
        matches!(&second, ServerFrame::Response(r) if r.response_id == 0 && r.content_complete && r.content.contains("Demo Dental")),
        "{second:?}"
    );
}

#[tokio::test]
async fn healthz_says_the_process_is_up_and_readyz_that_it_takes_calls() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/health"] {
        let (status, body) = http_get(app.addr, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.contains(r#""status":"ok""#), "{body}");
    }
    let (status, body) = http_get(app.addr, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""status":"ready""#), "{body}");

    // A schema newer than this build (another instance upgraded first): not ready.
    if !common::pg::selected() {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(&app.settings.database_url)
            .await
            .expect("the test database");
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01T00:00:00Z')")
            .execute(&mut db)
            .await
            .expect("a future migration");
        let (status, body) = http_get(app.addr, "/readyz").await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("version 9999"), "{body}");
        sqlx::query("DELETE FROM schema_migrations WHERE version = 9999")
            .execute(&mut db)
            .await
            .expect("removed");
    }

    app.state.drain.begin();
    let (status, body) = http_get(app.addr, "/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("draining"), "{body}");
    let (status, _) = http_get(app.addr, "/healthz").await;
    assert_eq!(status, 200, "up while draining");
}
