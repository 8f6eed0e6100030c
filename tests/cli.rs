//! The `ascendia` binary as operators use it, against a running server.

mod common;

use std::process::Output;

use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;

use common::{FailingAgent, Failure, TIMEOUT, TestApp, eventually};

async fn ascendia(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ascendia"))
        .args(args)
        .current_dir(app.dir.path())
        .env("ASCENDIA_DATABASE_URL", &app.settings.database_url)
        .env("ASCENDIA_LISTEN", app.addr.to_string())
        .env_remove("ORG_SLUG_MAP")
        .env_remove("ASCENDIA_CONFIG")
        .kill_on_drop(true)
        .output()
        .await
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn greets(app: &TestApp, path: &str, expected: &str) -> bool {
    let Ok(mut call) =
        ascendia::client::CallClient::connect(&app.ws(path), Default::default()).await
    else {
        return false;
    };
    let greeted = call
        .greeting(TIMEOUT)
        .await
        .is_ok_and(|g| g.text.contains(expected));
    call.hang_up().await;
    greeted
}

#[tokio::test]
async fn a_clinic_added_or_renamed_by_the_cli_is_served_within_five_seconds() {
    let app = TestApp::spawn().await;
    let added = ascendia(
        &app,
        &[
            "org",
            "add",
            "--name",
            "Lakeside Dental",
            "--slug",
            "lakeside",
            "--timezone",
            "America/Denver",
        ],
    )
    .await;
    assert!(added.status.success(), "{}", text(&added));
    assert!(
        text(&added).contains("/llm-websocket/lakeside"),
        "prints the URL for Retell"
    );
    let served = eventually(Duration::from_secs(5), || {
        greets(&app, "/llm-websocket/lakeside/c1", "Lakeside Dental")
    })
    .await;
    assert!(served, "new slug served without a restart");

    let renamed = ascendia(
        &app,
        &[
            "org",
            "update",
            "lakeside",
            "--new-slug",
            "lakeside-west",
            "--greeting",
            "Lakeside West, this is Ava.",
        ],
    )
    .await;
    assert!(renamed.status.success(), "{}", text(&renamed));
    let served = eventually(Duration::from_secs(5), || {
        greets(
            &app,
            "/llm-websocket/lakeside-west/c2",
            "Lakeside West, this is Ava.",
        )
    })
    .await;
    assert!(served, "changed slug and greeting served without a restart");
    assert!(
        greets(&app, "/llm-websocket/lakeside/c3", "not set up").await,
        "the old slug fails closed"
    );

    let list = ascendia(&app, &["org", "list"]).await;
    let listing = text(&list);
    assert!(
        listing.contains("lakeside-west")
            && listing.contains(&format!("ws://{}/llm-websocket/lakeside-west", app.addr)),
        "{listing}"
    );
}

#[tokio::test]
async fn bad_org_commands_fail_clearly_and_change_nothing() {
    let app = TestApp::spawn().await;
    let cases: [(&[&str], &str); 6] = [
        (
            &["org", "add", "--name", "X", "--slug", "Bad Slug"],
            "invalid slug",
        ),
        (
            &["org", "add", "--name", "X", "--slug", "demo"],
            "already exists",
        ),
        (
            &[
                "org",
                "add",
                "--name",
                "X",
                "--slug",
                "x",
                "--timezone",
                "Mars/Base",
            ],
            "unknown time zone",
        ),
        (&["org", "add", "--name", "  ", "--slug", "x"], "name"),
        (&["org", "set-default", "nobody"], "no clinic with slug"),
        (
            &["org", "update", "demo", "--new-slug", "under_score"],
            "invalid slug",
        ),
    ];
    for (args, message) in cases {
        let output = ascendia(&app, args).await;
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(
            text(&output).contains(message),
            "{args:?}: {}",
            text(&output)
        );
    }
    let orgs = app.store.list_orgs().await.expect("orgs");
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].slug.as_str(), "demo");
    assert_eq!(orgs[0].name, "Demo Dental");
}

#[tokio::test]
async fn set_default_and_remove_through_the_cli() {
    let app = TestApp::spawn().await;
    assert!(
        ascendia(
            &app,
            &["org", "add", "--name", "Harbor Dental", "--slug", "harbor"]
        )
        .await
        .status
        .success()
    );
    let set = ascendia(&app, &["org", "set-default", "harbor"]).await;
    assert!(set.status.success(), "{}", text(&set));
    assert!(
        eventually(Duration::from_secs(5), || greets(
            &app,
            "/llm-websocket/any-call",
            "Harbor Dental"
        ))
        .await
    );

    // A clinic with call records is only removed with --force.
    assert!(greets(&app, "/llm-websocket/harbor/recorded-call", "Harbor Dental").await);
    let harbor = app.org("harbor").await;
    assert!(
        eventually(Duration::from_secs(2), || async {
            app.store.count_calls(harbor.id).await.ok() == Some(1)
        })
        .await
    );
    let refused = ascendia(&app, &["org", "remove", "harbor"]).await;
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force"), "{}", text(&refused));
    assert!(
        app.store.require_org("harbor").await.is_ok(),
        "nothing removed"
    );
    let removed = ascendia(&app, &["org", "remove", "harbor", "--force"]).await;
    assert!(removed.status.success(), "{}", text(&removed));
    assert!(
        eventually(Duration::from_secs(5), || greets(
            &app,
            "/llm-websocket/another-call",
            "Demo Dental"
        ))
        .await
    );
}

#[tokio::test]
async fn scripted_calls_pass_and_fail_with_the_exit_code() {
    let app = TestApp::spawn().await;
    let script = app.dir.path().join("ok.script");
    std::fs::write(
        &script,
        "expect Thank you for calling Demo Dental\nsay Who am I speaking with?\nexpect You've reached Demo Dental\nsilence\nexpect still there\nsay Great, thanks. Bye!\nexpect Goodbye\nexpect-end-call\n",
    )
    .expect("write script");
    let url = app.ws("/llm-websocket/demo");
    let script_path = script.display().to_string();
    let passed = ascendia(&app, &["call", &url, "--script", &script_path]).await;
    assert!(passed.status.success(), "{}", text(&passed));
    assert!(text(&passed).contains("agent: You've reached Demo Dental"));

    let wrong = app.dir.path().join("wrong.script");
    std::fs::write(&wrong, "say what time is it\nexpect We are closed\n").expect("write script");
    let failed = ascendia(
        &app,
        &["call", &url, "--script", &wrong.display().to_string()],
    )
    .await;
    assert!(!failed.status.success());
    assert!(text(&failed).contains("script line 2"), "{}", text(&failed));
}

#[tokio::test]
async fn a_scripted_call_fails_when_the_agent_goes_silent() {
    let app = TestApp::spawn_with(
        |s| s.response_timeout_ms = 60_000,
        Arc::new(FailingAgent(Failure::Hang)),
    )
    .await;
    let script = app.dir.path().join("silent.script");
    std::fs::write(&script, "say hello?\n").expect("write script");
    let url = app.ws("/llm-websocket/demo");
    let output = ascendia(
        &app,
        &[
            "call",
            &url,
            "--script",
            &script.display().to_string(),
            "--timeout-ms",
            "500",
        ],
    )
    .await;
    assert!(!output.status.success());
    assert!(text(&output).contains("went silent"), "{}", text(&output));
}
