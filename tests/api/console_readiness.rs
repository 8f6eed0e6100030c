//! Readiness, the Retell connection page and the operators' page, over real HTTP: each
//! checklist item turning met from what really happens (a setup import, a call over the
//! WebSocket, a signed webhook, an API key), the URLs to paste into Retell, agent ids, and an
//! operator adding, defaulting and removing clinics, with every refusal.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::Receptionist;
use ascendia::clinics::readiness;
use ascendia::retell::signature;
use ascendia::staff::Role;
use ascendia::tenancy::Slug;
use common::console::{Browser, PASSWORD, hidden, user};
use common::{TIMEOUT, TestApp};
use reqwest::StatusCode;
use serde_json::json;

const KEY: &str = "key_server_webhook_readiness";
const TWIN_KEY: &str = "key_twin_own_account_readiness";

/// A server with the server's webhook key, `twin` with its own, and `public_url` as given.
async fn app_with(public_url: Option<&str>) -> TestApp {
    let public_url = public_url.map(str::to_owned);
    TestApp::spawn_with(
        move |s| {
            s.retell_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret"));
            s.retell_org_keys.insert(
                "twin".into(),
                serde_json::from_value(json!(TWIN_KEY)).expect("secret"),
            );
            s.public_url = public_url;
        },
        Arc::new(Receptionist),
    )
    .await
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let page = browser.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

async fn checklist(app: &TestApp, slug: &str) -> readiness::Checklist {
    let org = app.org(slug).await;
    let key = app.state.webhooks.has_key_for(slug);
    readiness::for_clinic(&app.store, &org, key)
        .await
        .expect("checklist")
}

fn unmet(list: &readiness::Checklist) -> Vec<&'static str> {
    list.unmet().map(|i| i.key).collect()
}

async fn post_webhook(app: &TestApp, call_id: &str) -> u16 {
    let body = json!({"event": "call_started", "call": {
        "call_id": call_id, "agent_id": "agent_fresh_1", "call_type": "phone_call",
        "call_status": "ongoing", "start_timestamp": chrono::Utc::now().timestamp_millis()}});
    let raw = body.to_string();
    let header = signature::sign(raw.as_bytes(), KEY, chrono::Utc::now().timestamp_millis());
    common::http_request(
        app.addr,
        "POST",
        "/api/retell/webhook",
        &[("x-retell-signature", header.as_str())],
        Some(&raw),
    )
    .await
    .0
}

#[tokio::test]
async fn an_empty_clinic_has_everything_to_do_and_the_demo_clinic_only_its_connection() {
    let app = TestApp::spawn().await;
    app.add_org("Fresh Dental", "fresh", "America/Chicago")
        .await;
    user(&app, "manager@demo.example", Some(("demo", Role::Manager))).await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    user(
        &app,
        "manager@fresh.example",
        Some(("fresh", Role::Manager)),
    )
    .await;

    // No webhook key on this server, nothing in the empty clinic.
    let empty = checklist(&app, "fresh").await;
    assert_eq!((empty.met(), empty.total()), (0, 7));
    let demo = checklist(&app, "demo").await;
    assert_eq!(
        unmet(&demo),
        [
            "agent_connected",
            "webhook_key",
            "webhook_events",
            "api_key"
        ]
    );

    let mut fresh = signed_in(&app, "manager@fresh.example").await;
    let page = fresh.get("/admin/fresh/setup").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("0 of 7 done"), "{}", page.body);
    for link in ["hours", "providers", "types", "retell", "keys"] {
        assert!(
            page.body.contains(&format!(
                "href=\"/admin/fresh/setup/{link}\">Go to the page"
            )),
            "a next step links to {link}"
        );
    }
    assert!(
        page.body
            .contains("Set the days and hours the office is open.")
    );
    let today = fresh.get("/admin/fresh/today").await;
    assert!(
        today.body.contains(
            "Setup is not complete: 7 items — <a href=\"/admin/fresh/setup\">see the checklist</a>"
        ),
        "{}",
        today.body
    );

    let mut manager = signed_in(&app, "manager@demo.example").await;
    let page = manager.get("/admin/demo/setup").await;
    assert!(page.body.contains("3 of 7 done"), "{}", page.body);
    assert!(
        !page
            .body
            .contains("href=\"/admin/demo/setup/hours\">Go to the page")
    );
    assert!(
        page.body
            .contains("href=\"/admin/demo/setup/retell\">Go to the page")
    );
    let today = manager.get("/admin/demo/today").await;
    assert!(today.body.contains("Setup is not complete: 4 items"));

    // Staff: no checklist, no banner.
    let mut desk = signed_in(&app, "desk@demo.example").await;
    assert_eq!(
        desk.get("/admin/demo/setup").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        desk.get("/admin/demo/setup/retell").await.status,
        StatusCode::NOT_FOUND
    );
    let today = desk.get("/admin/demo/today").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(!today.body.contains("Setup is not complete"));
}

#[tokio::test]
async fn each_item_turns_met_from_what_really_happens() {
    let app = app_with(None).await;
    app.add_org("Fresh Dental", "fresh", "America/Chicago")
        .await;
    user(
        &app,
        "manager@fresh.example",
        Some(("fresh", Role::Manager)),
    )
    .await;
    // The server's key verifies every clinic's webhooks.
    assert_eq!(
        unmet(&checklist(&app, "fresh").await),
        [
            "office_hours",
            "providers",
            "appointment_types",
            "agent_connected",
            "webhook_events",
            "api_key"
        ]
    );

    app.import_clinic("fresh", common::DEMO_CLINIC).await;
    assert_eq!(
        unmet(&checklist(&app, "fresh").await),
        ["agent_connected", "webhook_events", "api_key"]
    );

    let mut call = app.call("/llm-websocket/fresh/ready-call-1").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    // The connection is recorded off the voice path.
    let connected = common::eventually(Duration::from_secs(5), || async {
        unmet(&checklist(&app, "fresh").await) == ["webhook_events", "api_key"]
    })
    .await;
    assert!(connected, "{:?}", unmet(&checklist(&app, "fresh").await));

    assert_eq!(post_webhook(&app, "ready-call-1").await, 204);
    assert_eq!(unmet(&checklist(&app, "fresh").await), ["api_key"]);

    let mut browser = signed_in(&app, "manager@fresh.example").await;
    assert!(
        browser
            .get("/admin/fresh/today")
            .await
            .body
            .contains("Setup is not complete: 1 item — ")
    );

    app.api("fresh").await;
    let list = checklist(&app, "fresh").await;
    assert!(list.ready(), "{:?}", unmet(&list));
    let page = browser.get("/admin/fresh/setup").await;
    assert!(
        page.body.contains("Ready: all 7 items are done."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Go to the page"));
    let today = browser.get("/admin/fresh/today").await;
    assert!(
        !today.body.contains("Setup is not complete"),
        "{}",
        today.body
    );
}

#[tokio::test]
async fn a_revoked_key_or_a_provider_without_hours_does_not_count() {
    let app = TestApp::spawn().await;
    app.import_clinic(
        "bare",
        "name = \"Bare\"\ntime_zone = \"America/Chicago\"\n[office_hours]\nmonday = \"08:00-12:00\"\n\
         [[operatories]]\nname = \"Op 1\"\n[[providers]]\nname = \"Dr. Idle\"\nkind = \"dentist\"\n\
         [[appointment_types]]\nname = \"Exam\"\nminutes = 30\nactive = false\n",
    )
    .await;
    let org = app.org("bare").await;
    let key = ascendia::tenancy::NewApiKey::generate(None);
    app.store.insert_api_key(org.id, &key).await.expect("key");
    app.store
        .revoke_api_key(org.id, &key.prefix)
        .await
        .expect("revoke");
    let facts = app.store.readiness_facts(org.id).await.expect("facts");
    assert!(facts.office_hours);
    assert!(!facts.scheduled_provider, "a provider with no weekly hours");
    assert!(!facts.active_appointment_type, "an inactive type");
    assert!(!facts.active_api_key, "a revoked key");
}

#[tokio::test]
async fn the_retell_page_gives_the_urls_from_public_url_or_from_the_request() {
    let app = app_with(Some("https://voice.example.com/")).await;
    user(&app, "owner@demo.example", Some(("demo", Role::Owner))).await;
    let mut owner = signed_in(&app, "owner@demo.example").await;
    let page = owner.get("/admin/demo/setup/retell").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(
            "<code id=\"websocket-url\">wss://voice.example.com/llm-websocket/demo</code>"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "<code id=\"webhook-url\">https://voice.example.com/api/retell/webhook</code>"
        )
    );
    assert!(!page.body.contains("is not configured"));
    assert!(page.body.contains("This clinic's own Retell key: not set"));
    assert!(page.body.contains("The server's Retell key: set"));
    assert!(!page.body.contains(KEY) && !page.body.contains(TWIN_KEY));

    let app = TestApp::spawn_with(
        |s| {
            s.retell_org_keys.insert(
                "twin".into(),
                serde_json::from_value(json!(TWIN_KEY)).expect("secret"),
            );
        },
        Arc::new(Receptionist),
    )
    .await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "manager@twin.example", Some(("twin", Role::Manager))).await;
    let mut manager = signed_in(&app, "manager@twin.example").await;
    let page = manager.get("/admin/twin/setup/retell").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let port = app.addr.port();
    assert!(
        page.body.contains(&format!(
            "<code id=\"websocket-url\">ws://127.0.0.1:{port}/llm-websocket/twin</code>"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(
        "<code id=\"webhook-url\">http://127.0.0.1:{port}/api/retell/webhook</code>"
    )));
    assert!(
        page.body
            .contains("<code>public_url</code> is not configured")
    );
    assert!(page.body.contains("This clinic's own Retell key: set"));
    assert!(page.body.contains("The server's Retell key: not set"));
    assert!(!page.body.contains(TWIN_KEY));
    // The clinic's own key counts for its checklist; demo has none.
    assert!(!unmet(&checklist(&app, "twin").await).contains(&"webhook_key"));
    assert!(unmet(&checklist(&app, "demo").await).contains(&"webhook_key"));
}

#[tokio::test]
async fn agent_ids_are_added_and_removed_and_another_clinics_stays_theirs() {
    let app = app_with(None).await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "manager@demo.example", Some(("demo", Role::Manager))).await;
    user(&app, "desk@demo.example", Some(("demo", Role::Staff))).await;
    let (demo, twin) = (app.org("demo").await, app.org("twin").await);
    app.store
        .set_agent(twin.id, "agent_twin_1")
        .await
        .expect("twin's agent");

    let mut manager = signed_in(&app, "manager@demo.example").await;
    let page = manager.get("/admin/demo/setup/retell").await;
    assert!(page.body.contains("None mapped."));
    let csrf = hidden(&page.body, "csrf");
    let path = "/admin/demo/setup/retell/agents";

    // Without the form's token: refused, nothing written.
    let refused = manager.post(path, &[("agent_id", "agent_demo_1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.store.agent_ids(demo.id).await.expect("ids").is_empty());

    let added = manager
        .post(path, &[("csrf", &csrf), ("agent_id", "  agent_demo_1 ")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(
        added.location.as_deref(),
        Some("/admin/demo/setup/retell?done=added")
    );
    assert_eq!(
        app.store.agent_ids(demo.id).await.expect("ids"),
        ["agent_demo_1"]
    );
    assert_eq!(
        app.store
            .org_for_agent("agent_demo_1")
            .await
            .expect("route"),
        Some(demo.id)
    );
    let page = manager.get("/admin/demo/setup/retell?done=added").await;
    assert!(page.body.contains("<code>agent_demo_1</code>"));
    assert!(page.body.contains("Agent id added."));

    for bad in ["agent 1", "", "agent/../x"] {
        let page = manager
            .post(path, &[("csrf", &csrf), ("agent_id", bad)])
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(
            page.body
                .contains("<p class=\"field-error\" id=\"agent-error\">")
                && page.body.contains("is not a Retell agent id"),
            "{}",
            page.body
        );
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    let conflict = manager
        .post(path, &[("csrf", &csrf), ("agent_id", "agent_twin_1")])
        .await;
    assert_eq!(conflict.status, StatusCode::BAD_REQUEST);
    assert!(
        conflict
            .body
            .contains("Agent agent_twin_1 already belongs to another clinic"),
        "{}",
        conflict.body
    );
    assert!(
        conflict.body.contains("value=\"agent_twin_1\""),
        "kept as typed"
    );
    assert_eq!(
        app.store.agent_ids(demo.id).await.expect("ids"),
        ["agent_demo_1"]
    );
    assert_eq!(
        app.store
            .org_for_agent("agent_twin_1")
            .await
            .expect("route"),
        Some(twin.id)
    );

    // Removing: another clinic's id is not this clinic's to remove; a missing token removes
    // nothing; staff may not.
    let remove = "/admin/demo/setup/retell/agents/remove";
    let theirs = manager
        .post(remove, &[("csrf", &csrf), ("agent_id", "agent_twin_1")])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store
            .org_for_agent("agent_twin_1")
            .await
            .expect("route"),
        Some(twin.id)
    );
    let refused = manager.post(remove, &[("agent_id", "agent_demo_1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut desk = signed_in(&app, "desk@demo.example").await;
    let desk_csrf = hidden(&desk.get("/admin/demo/today").await.body, "csrf");
    let page = desk
        .post(
            remove,
            &[("csrf", &desk_csrf), ("agent_id", "agent_demo_1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = desk
        .post(path, &[("csrf", &desk_csrf), ("agent_id", "agent_desk")])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.agent_ids(demo.id).await.expect("ids"),
        ["agent_demo_1"]
    );

    let removed = manager
        .post(remove, &[("csrf", &csrf), ("agent_id", "agent_demo_1")])
        .await;
    assert_eq!(
        removed.location.as_deref(),
        Some("/admin/demo/setup/retell?done=removed")
    );
    assert!(app.store.agent_ids(demo.id).await.expect("ids").is_empty());
    assert_eq!(
        app.store
            .org_for_agent("agent_demo_1")
            .await
            .expect("route"),
        None
    );

    let actions: Vec<(String, String)> = app
        .store
        .staff_actions(demo.id, 10)
        .await
        .expect("actions")
        .into_iter()
        .map(|a| (a.action, a.detail))
        .collect();
    assert!(actions.contains(&("mapped a Retell agent".into(), "agent_demo_1".into())));
    assert!(actions.contains(&("unmapped a Retell agent".into(), "agent_demo_1".into())));
}

/// The operators' page's clinics with their counts, as (slug, count) pairs.
async fn org_slugs(app: &TestApp) -> Vec<String> {
    let mut slugs: Vec<String> = app
        .store
        .list_orgs()
        .await
        .expect("orgs")
        .into_iter()
        .map(|o| o.slug.to_string())
        .collect();
    slugs.sort();
    slugs
}

#[tokio::test]
async fn only_operators_see_the_operators_page_and_it_lists_every_clinic() {
    let app = app_with(None).await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, "owner@demo.example", Some(("demo", Role::Owner))).await;
    user(&app, "ops@ascendia.example", None).await;
    // A call in demo, over the WebSocket.
    let mut call = app.call("/llm-websocket/demo/ops-call-1").await;
    call.greeting(TIMEOUT).await.expect("greeting");
    call.hang_up().await;
    let demo = app.org("demo").await;
    let recorded = common::eventually(Duration::from_secs(5), || async {
        app.store
            .readiness_facts(demo.id)
            .await
            .is_ok_and(|f| f.websocket_call)
    })
    .await;
    assert!(recorded, "the call is recorded");

    let mut owner = signed_in(&app, "owner@demo.example").await;
    assert_eq!(
        owner.get("/admin/operator").await.status,
        StatusCode::NOT_FOUND
    );
    let csrf = hidden(&owner.get("/admin/demo/today").await.body, "csrf");
    let today = owner.get("/admin/demo/today").await;
    assert!(!today.body.contains("href=\"/admin/operator\""));
    for (path, form) in [
        (
            "/admin/operator/clinics",
            vec![
                ("csrf", csrf.as_str()),
                ("name", "X"),
                ("slug", "x"),
                ("time_zone", "UTC"),
            ],
        ),
        (
            "/admin/operator/default",
            vec![("csrf", csrf.as_str()), ("slug", "twin")],
        ),
        (
            "/admin/operator/remove",
            vec![
                ("csrf", csrf.as_str()),
                ("slug", "twin"),
                ("confirm", "twin"),
            ],
        ),
    ] {
        assert_eq!(
            owner.post(path, &form).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(org_slugs(&app).await, ["demo", "twin"]);
    assert_eq!(
        app.store.default_org_id().await.expect("default"),
        Some(app.org("demo").await.id)
    );
    // Signed out: to the sign-in page.
    let mut stranger = Browser::new(&app);
    assert_eq!(
        stranger.get("/admin/operator").await.location.as_deref(),
        Some("/admin/login")
    );

    let mut ops = signed_in(&app, "ops@ascendia.example").await;
    let chooser = ops.get("/admin").await;
    assert!(
        chooser.body.contains("href=\"/admin/operator\""),
        "{}",
        chooser.body
    );
    let header = ops.get("/admin/demo/today").await;
    assert!(
        header
            .body
            .contains("<a href=\"/admin/operator\" class=\"operator\">")
    );
    let page = ops.get("/admin/operator").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let demo_row = row(&page.body, "demo");
    assert!(demo_row.contains("Demo Dental"), "{demo_row}");
    assert!(
        demo_row.contains("<span class=\"readiness\">5/7</span>"),
        "{demo_row}"
    );
    assert!(demo_row.contains("<li>Webhook events arriving</li>"));
    assert!(demo_row.contains("<li>Booking API key</li>"));
    assert!(
        demo_row.contains("<td class=\"calls-7\">1</td>"),
        "{demo_row}"
    );
    assert!(demo_row.contains("<td class=\"calls-30\">1</td>"));
    assert!(demo_row.contains("<strong>default</strong>"));
    let twin_row = row(&page.body, "twin");
    assert!(
        twin_row.contains("<span class=\"readiness\">4/7</span>"),
        "{twin_row}"
    );
    assert!(twin_row.contains("<td class=\"calls-7\">0</td>"));
    assert!(twin_row.contains("Make default"));
}

/// Whether a call to the clinic's URL is greeted in its name.
async fn greets(app: &TestApp, slug: &str, name: &str) -> bool {
    let url = app.ws(&format!(
        "/llm-websocket/{slug}/greeting-{}",
        uuid::Uuid::new_v4()
    ));
    match ascendia::client::CallClient::connect(&url, Default::default()).await {
        Ok(mut call) => {
            let greeting = call.greeting(TIMEOUT).await;
            call.hang_up().await;
            greeting.is_ok_and(|g| g.text.contains(name))
        }
        Err(_) => false,
    }
}

/// One clinic's row of the operators' table.
fn row<'a>(body: &'a str, slug: &str) -> &'a str {
    let start = body
        .find(&format!("<tr id=\"clinic-{slug}\">"))
        .unwrap_or_else(|| panic!("no row for {slug}: {body}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn an_operator_adds_a_clinic_from_the_demo_template_and_it_takes_calls_at_once() {
    let app = app_with(None).await;
    // Another instance on the same database, which learns of the clinic from the generation.
    let other = TestApp::start(
        app.settings.clone(),
        Arc::new(Receptionist),
        tempfile::tempdir().expect("dir"),
    )
    .await;
    user(&app, "ops@ascendia.example", None).await;
    let mut ops = signed_in(&app, "ops@ascendia.example").await;
    let page = ops.get("/admin/operator").await;
    let csrf = hidden(&page.body, "csrf");
    let add = "/admin/operator/clinics";

    // Without the token: refused, nothing written.
    let refused = ops
        .post(
            add,
            &[
                ("name", "Lakeside Dental"),
                ("slug", "lakeside"),
                ("time_zone", "America/Chicago"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(org_slugs(&app).await, ["demo"]);

    let added = ops
        .post(
            add,
            &[
                ("csrf", &csrf),
                ("name", " Lakeside Dental "),
                ("slug", "lakeside"),
                ("time_zone", "America/Chicago"),
                ("template", "demo"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(
        added.location.as_deref(),
        Some("/admin/operator?added=lakeside")
    );
    let org = app.org("lakeside").await;
    assert_eq!(org.name, "Lakeside Dental");
    assert_eq!(org.time_zone.name(), "America/Chicago");
    assert_eq!(org.instructions, None, "not the demo clinic's note");
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    assert!(!catalogue.providers.is_empty() && !catalogue.appointment_types.is_empty());
    let list = checklist(&app, "lakeside").await;
    assert_eq!(
        unmet(&list),
        ["agent_connected", "webhook_events", "api_key"]
    );
    let page = ops.get("/admin/operator?added=lakeside").await;
    assert!(page.body.contains("Added clinic lakeside."));
    assert!(row(&page.body, "lakeside").contains("4/7"));
    let actions = app.store.staff_actions(org.id, 5).await.expect("actions");
    assert!(
        actions
            .iter()
            .any(|a| a.action == "added the clinic" && a.detail.contains("demo template")),
        "{actions:?}"
    );

    // The server that added it answers the new clinic's calls at once, another instance on
    // the same database within its refresh (a second).
    for (server, within) in [(&app, 1), (&other, 2)] {
        let served = common::eventually(Duration::from_secs(within), || async {
            greets(server, "lakeside", "Lakeside Dental").await
        })
        .await;
        assert!(served, "the new clinic answers its calls");
    }

    // An empty clinic has nothing set up.
    let empty = ops
        .post(
            add,
            &[
                ("csrf", &csrf),
                ("name", "Blank Dental"),
                ("slug", "blank"),
                ("time_zone", "Europe/Berlin"),
                ("template", "empty"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::SEE_OTHER, "{}", empty.body);
    let blank = app.org("blank").await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&blank)
        .await
        .expect("catalogue");
    assert!(catalogue.providers.is_empty() && catalogue.office_hours.is_empty());
    assert_eq!(
        checklist(&app, "blank").await.met(),
        1,
        "only the server's key"
    );
}

#[tokio::test]
async fn a_clinic_with_a_bad_name_slug_or_time_zone_is_refused_next_to_the_field() {
    let app = TestApp::spawn().await;
    user(&app, "ops@ascendia.example", None).await;
    let mut ops = signed_in(&app, "ops@ascendia.example").await;
    let csrf = hidden(&ops.get("/admin/operator").await.body, "csrf");
    let cases: [(&str, &str, &str, &str, &str); 6] = [
        (
            "",
            "new",
            "UTC",
            "name-error",
            "a clinic name must be 1 to 200 characters",
        ),
        ("New", "Bad Slug", "UTC", "slug-error", "invalid slug"),
        (
            "New",
            "demo",
            "UTC",
            "slug-error",
            "a clinic with slug &#39;demo&#39; already exists",
        ),
        (
            "New",
            "operator",
            "UTC",
            "slug-error",
            "taken by the console",
        ),
        ("New", "new", "Mars/Base", "zone-error", "unknown time zone"),
        ("New", "new", "", "zone-error", "unknown time zone"),
    ];
    for (name, slug, zone, field, message) in cases {
        let page = ops
            .post(
                "/admin/operator/clinics",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("slug", slug),
                    ("time_zone", zone),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{slug} {zone}");
        let error = format!("<p class=\"field-error\" id=\"{field}\">");
        let shown = page
            .body
            .split_once(&error)
            .map(|(_, rest)| rest.split_once("</p>").map_or(rest, |(e, _)| e))
            .unwrap_or_else(|| panic!("no {field}: {}", page.body));
        let shown = shown.replace("&#x27;", "&#39;");
        assert!(shown.contains(message), "{field}: {shown}");
        assert!(
            page.body.contains(&format!("value=\"{slug}\"")),
            "kept as typed"
        );
        assert_eq!(org_slugs(&app).await, ["demo"], "nothing written");
    }
}

#[tokio::test]
async fn an_operator_sets_the_default_and_removes_clinics_with_the_clis_safeguards() {
    let app = TestApp::spawn().await;
    app.add_org("Twin Dental", "twin", "America/Chicago").await;
    app.add_org("Spare Dental", "spare", "America/Chicago")
        .await;
    user(&app, "ops@ascendia.example", None).await;
    let mut ops = signed_in(&app, "ops@ascendia.example").await;
    let csrf = hidden(&ops.get("/admin/operator").await.body, "csrf");
    let twin = app.org("twin").await;

    let refused = ops
        .post("/admin/operator/default", &[("slug", "twin")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_ne!(
        app.store.default_org_id().await.expect("default"),
        Some(twin.id)
    );
    let unknown = ops
        .post(
            "/admin/operator/default",
            &[("csrf", &csrf), ("slug", "nowhere")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let set = ops
        .post(
            "/admin/operator/default",
            &[("csrf", &csrf), ("slug", "twin")],
        )
        .await;
    assert_eq!(
        set.location.as_deref(),
        Some("/admin/operator?default=twin")
    );
    assert_eq!(
        app.store.default_org_id().await.expect("default"),
        Some(twin.id)
    );
    assert_eq!(
        app.state
            .registry
            .default_org()
            .map(|(o, explicit)| (o.id, explicit)),
        Some((twin.id, true))
    );
    let page = ops.get("/admin/operator?default=twin").await;
    assert!(row(&page.body, "twin").contains("<strong>default</strong>"));
    assert!(row(&page.body, "demo").contains("Make default"));

    // A clinic without records goes; the token is needed.
    let remove = "/admin/operator/remove";
    let refused = ops.post(remove, &[("slug", "spare")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(org_slugs(&app).await.contains(&"spare".to_owned()));
    let gone = ops
        .post(remove, &[("csrf", &csrf), ("slug", "spare")])
        .await;
    assert_eq!(
        gone.location.as_deref(),
        Some("/admin/operator?removed=spare")
    );
    assert!(!org_slugs(&app).await.contains(&"spare".to_owned()));
    assert!(
        app.state.registry.by_slug("spare").is_none(),
        "no longer served"
    );

    // A clinic with records stays unless its slug is typed.
    common::demo::patient(&app, "Ann", "Quist", (1980, 1, 2), "+1 555 201 7000").await;
    let kept = ops.post(remove, &[("csrf", &csrf), ("slug", "demo")]).await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    let error = row(&kept.body, "demo");
    assert!(
        error.contains("<p class=\"field-error\" id=\"remove-error-demo\">Demo Dental has 0 call record(s) and 1 patient(s)."),
        "{error}"
    );
    let wrong = ops
        .post(
            remove,
            &[("csrf", &csrf), ("slug", "demo"), ("confirm", "Demo")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert!(row(&wrong.body, "demo").contains("Type the slug exactly (demo)"));
    assert!(org_slugs(&app).await.contains(&"demo".to_owned()));
    let refused = ops
        .post(remove, &[("slug", "demo"), ("confirm", "demo")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(org_slugs(&app).await.contains(&"demo".to_owned()));
    let forced = ops
        .post(
            remove,
            &[("csrf", &csrf), ("slug", "demo"), ("confirm", "demo")],
        )
        .await;
    assert_eq!(
        forced.location.as_deref(),
        Some("/admin/operator?removed=demo")
    );
    assert_eq!(org_slugs(&app).await, ["twin"]);
    assert!(
        app.store
            .org_by_slug(&Slug::parse("demo").expect("slug"))
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(app.state.registry.by_slug("demo").is_none());
}
