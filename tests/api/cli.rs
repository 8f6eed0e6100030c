//! The `ascendia` binary as operators use it, against a running server.

use crate::common;

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
    // Columns line up whatever the names' lengths: every URL starts under the header's URL.
    let stdout = String::from_utf8_lossy(&list.stdout).into_owned();
    let mut lines = stdout.lines();
    let column = lines
        .next()
        .and_then(|h| h.find("URL"))
        .expect("URL column");
    for line in lines {
        assert_eq!(line.find("ws://"), Some(column), "{listing}");
    }
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

#[tokio::test]
async fn a_clinic_is_set_up_from_a_file_exported_and_re_imported_without_losing_ids() {
    let app = TestApp::spawn().await;
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lakeside.toml");

    let checked = ascendia(&app, &["org", "import", "lakeside", fixture, "--check"]).await;
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        app.store
            .list_orgs()
            .await
            .expect("orgs")
            .iter()
            .all(|o| o.slug.as_str() != "lakeside"),
        "--check changes nothing"
    );

    let imported = ascendia(&app, &["org", "import", "lakeside", fixture]).await;
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("added clinic 'lakeside'"),
        "{}",
        text(&imported)
    );
    assert!(text(&imported).contains("2 provider(s), 2 operatories, 2 appointment type(s)"));
    let org = app.org("lakeside").await;
    assert_eq!(org.time_zone.name(), "America/Denver");
    assert_eq!(
        org.instructions.as_deref(),
        Some("Mention free parking behind the building.")
    );
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    assert_eq!(catalogue.settings.rules.slot_step_minutes, 30);
    assert_eq!(
        catalogue
            .settings
            .transfer_number
            .as_ref()
            .map(|p| p.as_str()),
        Some("+15553030100")
    );
    let cleaning = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == "Cleaning")
        .expect("cleaning");
    assert_eq!(cleaning.duration.get(), 50, "the pattern gives the length");

    // Export, re-import into another slug, export again: the same file.
    let exported = ascendia(&app, &["org", "export", "lakeside"]).await;
    assert!(exported.status.success(), "{}", text(&exported));
    let first = String::from_utf8_lossy(&exported.stdout).to_string();
    let copy = app.dir.path().join("copy.toml");
    std::fs::write(&copy, &first).expect("write copy");
    let copy = copy.to_string_lossy().to_string();
    assert!(
        ascendia(&app, &["org", "import", "lakeside-2", &copy])
            .await
            .status
            .success()
    );
    let second = ascendia(&app, &["org", "export", "lakeside-2"]).await;
    assert_eq!(String::from_utf8_lossy(&second.stdout), first);
    assert!(
        first.contains("monday = \"08:00-12:00, 13:00-17:00\""),
        "{first}"
    );

    // Re-import without Kim Park: her id is kept, she is deactivated; Dr. Ortiz keeps his id.
    let mut file =
        ascendia::booking::setup::ClinicFile::parse(&first).expect("exported file parses");
    file.providers.retain(|p| p.name != "Kim Park");
    let without_kim = file.to_toml().expect("toml");
    let path = app.dir.path().join("without-kim.toml");
    std::fs::write(&path, without_kim).expect("write");
    let path = path.to_string_lossy().to_string();
    let reimported = ascendia(&app, &["org", "import", "lakeside", &path]).await;
    assert!(reimported.status.success(), "{}", text(&reimported));
    assert!(
        text(&reimported).contains("1 no longer in the file deactivated"),
        "{}",
        text(&reimported)
    );
    let after = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    for before in &catalogue.providers {
        let now = after
            .providers
            .iter()
            .find(|p| p.name == before.name)
            .expect("kept");
        assert_eq!(now.id, before.id);
        assert_eq!(now.active, before.name != "Kim Park");
    }
}

#[tokio::test]
async fn a_bad_clinic_file_is_refused_with_the_reason_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = ascendia(&app, &["org", "export", "demo"]).await;
    let good = common::DEMO_CLINIC;
    let cases = [
        (
            good.replace("America/New_York", "Mars/Olympus"),
            "unknown time zone",
        ),
        (
            good.replace("hours = \"09:00-14:00\"", "hours = \"14:00-09:00\""),
            "start before it ends",
        ),
        (
            good.replace("operatory = \"Op 2\"", "operatory = \"Op 9\""),
            "Op 9",
        ),
        (good.replace("minutes = 90", "minutes = 7"), "Crown"),
        (
            good.replace(
                "pattern = \"/XXXXXXXXXX/\"",
                "pattern = \"/XX/\"\nminutes = 60",
            ),
            "pattern",
        ),
        (
            good.replace("friday = \"08:00-14:00\"", "funday = \"08:00-14:00\""),
            "funday",
        ),
        (
            good.replace("slot_step_minutes = 15", "slot_step_minutes = 7"),
            "slot step",
        ),
        (
            good.replace(
                "transfer_number = \"+1 555 201 0199\"",
                "transfer_number = \"front desk\"",
            ),
            "transfer_number",
        ),
        (format!("{good}\ncolour = \"blue\"\n"), "colour"),
        (good.replace("name = \"Op 2\"", "name = \"Op 1\""), "twice"),
        (
            good.replace("[phrases]\n", "[phrases]\nhello = \"Hi!\"\n"),
            "is not a phrase",
        ),
        (
            good.replace(
                "slot_step_minutes = 15",
                "slot_step_minutes = 15\nllm_api_key_env = \"sk-live-123\"",
            ),
            "llm_api_key_env",
        ),
    ];
    for (i, (file, reason)) in cases.iter().enumerate() {
        let path = app.dir.path().join(format!("bad-{i}.toml"));
        std::fs::write(&path, file).expect("write");
        let path = path.to_string_lossy().to_string();
        let out = ascendia(&app, &["org", "import", "demo", &path]).await;
        assert!(!out.status.success(), "case {i} accepted");
        assert!(
            text(&out).contains(reason),
            "case {i}: wanted '{reason}' in: {}",
            text(&out)
        );
    }
    let after = ascendia(&app, &["org", "export", "demo"]).await;
    assert_eq!(after.stdout, before.stdout, "nothing half-written");
}

#[tokio::test]
async fn api_keys_are_created_listed_and_revoked_from_the_cli() {
    let app = TestApp::spawn().await;
    let created = ascendia(
        &app,
        &["org", "api-key", "create", "demo", "--label", "front desk"],
    )
    .await;
    assert!(created.status.success(), "{}", text(&created));
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(ascendia::tenancy::looks_like_api_key(&key), "{key}");
    let api = common::Api {
        addr: app.addr,
        key: key.clone(),
    };
    assert_eq!(api.get("/providers").await.0, 200);

    let listed = ascendia(&app, &["org", "api-key", "list", "demo"]).await;
    let listing = text(&listed);
    assert!(
        listing.contains(&key[..12])
            && listing.contains("front desk")
            && listing.contains("active")
    );
    assert!(
        !listing.contains(&key),
        "the key itself is never shown again"
    );

    let revoked = ascendia(&app, &["org", "api-key", "revoke", "demo", &key[..12]]).await;
    assert!(revoked.status.success(), "{}", text(&revoked));
    assert_eq!(api.get("/providers").await.0, 401);
    let again = ascendia(&app, &["org", "api-key", "revoke", "demo", &key[..12]]).await;
    assert!(!again.status.success());
    let unknown = ascendia(&app, &["org", "api-key", "create", "nowhere"]).await;
    assert!(!unknown.status.success() && text(&unknown).contains("no clinic with slug 'nowhere'"));
}

#[tokio::test]
async fn removing_a_clinic_with_patients_needs_force_and_takes_all_its_rows() {
    let app = TestApp::spawn().await;
    app.import_clinic("gone", common::DEMO_CLINIC).await;
    let api = app.api("gone").await;
    let (status, patient) = api
        .post(
            "/patients",
            serde_json::json!({"first_name": "Ann", "last_name": "Lee", "birth_date": "1990-01-01"}),
        )
        .await;
    assert_eq!(status, 201);
    let tuesday = common::next_weekday("America/New_York", chrono::Weekday::Tue, 3);
    let (status, _) = api
        .post(
            "/appointments",
            serde_json::json!({"patient_id": patient["id"],
                "appointment_type_id": api.id_of("/appointment-types", "Filling").await,
                "provider_id": api.id_of("/providers", "Dr. Sarah Chen").await,
                "start": format!("{tuesday}T09:00")}),
        )
        .await;
    assert_eq!(status, 201);
    let refused = ascendia(&app, &["org", "remove", "gone"]).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("1 patient(s)"),
        "{}",
        text(&refused)
    );
    let removed = ascendia(&app, &["org", "remove", "gone", "--force"]).await;
    assert!(removed.status.success(), "{}", text(&removed));
    assert_eq!(api.get("/providers").await.0, 401, "its keys went with it");
    // The demo clinic is untouched.
    let demo = app.api("demo").await;
    let (_, providers) = demo.get("/providers").await;
    assert_eq!(providers["items"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn messages_are_listed_in_the_clinics_time_and_marked_handled_from_the_cli() {
    use ascendia::booking::{NewMessage, PhoneNumber};
    let app = TestApp::spawn().await;
    let org = app.org("demo").await;
    // 14:05 UTC is 09:05 or 10:05 in New York, depending on the season.
    let at = chrono::Utc::now() - chrono::Duration::days(3);
    let at = at
        .date_naive()
        .and_hms_opt(14, 5, 0)
        .expect("time")
        .and_utc();
    let local = at
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let mut ids = Vec::new();
    for (name, reason, urgent) in [
        ("Ana López", "Asks if they take Delta Dental", false),
        ("Ben Ode", "Crown came off,\nneeds a call today", true),
    ] {
        let new = NewMessage::new(
            None,
            name,
            Some(PhoneNumber::parse("(555) 201-0177").expect("phone")),
            reason,
            None,
            urgent,
        )
        .expect("valid");
        let message = app
            .state
            .scheduler
            .take_message(&org, new, at)
            .await
            .expect("taken");
        ids.push(message.id.to_string());
    }

    let listed = ascendia(&app, &["messages", "list", "demo"]).await;
    assert!(listed.status.success(), "{}", text(&listed));
    let table = text(&listed);
    for expected in [
        "ID",
        "TIME",
        "NAME",
        "CALLBACK",
        "STATUS",
        "REASON",
        ids[0].as_str(),
        &local,
        "Ana López",
        "+15552010177",
        "Asks if they take Delta Dental",
        "new, urgent",
        "Crown came off, needs a call today",
    ] {
        assert!(table.contains(expected), "{expected} missing:\n{table}");
    }

    let handled = ascendia(&app, &["messages", "handled", "demo", &ids[0]]).await;
    assert!(handled.status.success(), "{}", text(&handled));
    let open = text(&ascendia(&app, &["messages", "list", "demo"]).await);
    assert!(
        !open.contains("Ana López") && open.contains("Ben Ode"),
        "{open}"
    );
    let all = text(&ascendia(&app, &["messages", "list", "demo", "--all"]).await);
    assert!(
        all.contains("Ana López") && all.contains("handled"),
        "{all}"
    );
    let dated = ascendia(
        &app,
        &[
            "messages",
            "list",
            "demo",
            "--all",
            "--to",
            &(at.date_naive() - chrono::Duration::days(1)).to_string(),
        ],
    )
    .await;
    assert!(text(&dated).contains("(no messages)"), "{}", text(&dated));

    for (args, error) in [
        (
            vec!["messages", "handled", "demo", "nope"],
            "invalid message id",
        ),
        (
            vec![
                "messages",
                "handled",
                "demo",
                "7b0c8c9e-0d5f-4a53-9a43-3c1c1f0e0a01",
            ],
            "no such message",
        ),
        (
            vec!["messages", "list", "demo", "--from", "soon"],
            "invalid date",
        ),
        (
            vec!["messages", "list", "nowhere"],
            "no clinic with slug 'nowhere'",
        ),
    ] {
        let failed = ascendia(&app, &args).await;
        assert!(
            !failed.status.success() && text(&failed).contains(error),
            "{args:?}: {}",
            text(&failed)
        );
    }
}

#[tokio::test]
async fn an_import_changes_only_what_its_file_says_and_an_export_takes_appended_tables() {
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
            "--greeting",
            "Lakeside Dental, this is Ava.",
            "--instructions",
            "Parking is behind the building.",
        ],
    )
    .await;
    assert!(added.status.success(), "{}", text(&added));
    assert!(
        text(&added).contains("cannot book by phone yet")
            && text(&added).contains("Office hours set")
            && text(&added).contains("An appointment type"),
        "org add says what is missing: {}",
        text(&added)
    );
    let status = ascendia(&app, &["org", "status", "lakeside"]).await;
    assert!(!status.status.success(), "not ready: {}", text(&status));
    assert!(
        text(&status).contains("[ ] Office hours set"),
        "{}",
        text(&status)
    );
    assert!(
        text(&status).contains("last call: never"),
        "{}",
        text(&status)
    );

    // Only hours, a chair, a provider and a type: the greeting, instructions, name and
    // settings stay as they are.
    let part = app.dir.path().join("part.toml");
    std::fs::write(
        &part,
        "[office_hours]\nmonday = \"08:00-12:00\"\n\n[[operatories]]\nname = \"Op 1\"\n\n\
         [[providers]]\nname = \"Dr. Lee\"\nkind = \"dentist\"\n\n[[providers.schedule]]\n\
         days = [\"monday\"]\nhours = \"08:00-12:00\"\n\n[[appointment_types]]\n\
         name = \"Checkup\"\nminutes = 30\n",
    )
    .expect("write");
    let part = part.to_string_lossy().to_string();
    let imported = ascendia(&app, &["org", "import", "lakeside", &part]).await;
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("adds provider 'Dr. Lee'"),
        "{}",
        text(&imported)
    );
    assert!(
        !text(&imported).contains("greeting changes"),
        "{}",
        text(&imported)
    );
    let org = app.org("lakeside").await;
    assert_eq!(org.name, "Lakeside Dental");
    assert_eq!(
        org.greeting.as_deref(),
        Some("Lakeside Dental, this is Ava.")
    );
    assert_eq!(
        org.instructions.as_deref(),
        Some("Parking is behind the building.")
    );
    let status = ascendia(&app, &["org", "status", "lakeside"]).await;
    assert!(status.status.success(), "{}", text(&status));
    assert!(
        text(&status).contains("books by phone: yes"),
        "{}",
        text(&status)
    );

    // The export holds the greeting and every setting, and no empty list blocks an appended
    // table.
    let exported = ascendia(&app, &["org", "export", "lakeside"]).await;
    let file = String::from_utf8_lossy(&exported.stdout).to_string();
    for expected in [
        "greeting = \"Lakeside Dental, this is Ava.\"",
        "instructions = \"Parking is behind the building.\"",
        "address = \"\"",
        "llm_model = \"\"",
        "transcript_retention_days = 0",
    ] {
        assert!(file.contains(expected), "{expected} in\n{file}");
    }
    assert!(!file.contains("exceptions = []"), "{file}");
    let extended = app.dir.path().join("extended.toml");
    std::fs::write(
        &extended,
        format!(
            "{file}\n[[exceptions]]\ndate = \"2030-12-24\"\nkind = \"closed\"\nnote = \"Holiday\"\n"
        ),
    )
    .expect("write");
    let extended = extended.to_string_lossy().to_string();
    let checked = ascendia(&app, &["org", "import", "lakeside", &extended, "--check"]).await;
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        text(&checked).contains("exceptions: 0 now, 1 after"),
        "{}",
        text(&checked)
    );
    let again = ascendia(&app, &["org", "import", "lakeside", &extended]).await;
    assert!(again.status.success(), "{}", text(&again));
    let exported = ascendia(&app, &["org", "export", "lakeside"]).await;
    assert!(
        String::from_utf8_lossy(&exported.stdout).contains("[[exceptions]]"),
        "{}",
        text(&exported)
    );

    // A new clinic's file must name it; nothing is created otherwise.
    let refused = ascendia(&app, &["org", "import", "nameless", &part]).await;
    assert!(!refused.status.success());
    assert!(text(&refused).contains("name"), "{}", text(&refused));
    assert!(
        app.store
            .org_by_slug(&ascendia::tenancy::Slug::parse("nameless").expect("slug"))
            .await
            .expect("lookup")
            .is_none()
    );
}

#[tokio::test]
async fn the_booking_example_script_passes_every_time_it_is_played_against_one_database() {
    let app = TestApp::spawn().await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scripts/book-a-cleaning.script"
    );
    for run in 1..=2 {
        let played = ascendia(&app, &["call", "--agent", "builtin", "--script", script]).await;
        assert!(played.status.success(), "run {run}: {}", text(&played));
        assert!(text(&played).contains("script passed"), "run {run}");
    }
    let org = app.org("demo").await;
    let now = chrono::Utc::now();
    let booked = app
        .state
        .scheduler
        .appointments(
            &org,
            ascendia::booking::AppointmentFilter::Between(now, now + chrono::Duration::days(60)),
        )
        .await
        .expect("appointments");
    assert_eq!(booked.len(), 2, "two callers, two cleanings");
}

#[tokio::test]
async fn appointments_list_shows_a_clinic_day_with_names_in_aligned_columns() {
    let app = TestApp::spawn().await;
    let api = app.api("demo").await;
    let zone = "America/New_York";
    let tuesday = common::next_weekday(zone, chrono::Weekday::Tue, 3);
    let cleaning = api.id_of("/appointment-types", "Cleaning").await;
    let filling = api.id_of("/appointment-types", "Filling").await;
    let maria = api.id_of("/providers", "Maria Lopez").await;
    let chen = api.id_of("/providers", "Dr. Sarah Chen").await;
    let mut patients = Vec::new();
    for (first, last) in [("Ann", "Rivera"), ("Bartholomew", "Okonkwo-Smith")] {
        let (status, body) = api
            .post(
                "/patients",
                serde_json::json!({"first_name": first, "last_name": last,
                                   "birth_date": "1980-05-17"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        patients.push(body["id"].as_str().expect("id").to_owned());
    }
    for (patient, kind, provider, at) in [
        (&patients[1], &filling, &chen, "10:00"),
        (&patients[0], &cleaning, &maria, "08:00"),
    ] {
        let (status, body) = api
            .post(
                "/appointments",
                serde_json::json!({"patient_id": patient, "appointment_type_id": kind,
                                   "provider_id": provider, "start": format!("{tuesday}T{at}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    let listed = ascendia(&app, &["appointments", "list", "demo", "--date", &tuesday]).await;
    assert!(listed.status.success(), "{}", text(&listed));
    let out = String::from_utf8_lossy(&listed.stdout).into_owned();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("Demo Dental") && lines[0].contains(&tuesday),
        "{out}"
    );
    assert!(lines[1].starts_with("TIME"), "{out}");
    assert!(
        lines[2].starts_with("08:00-09:00")
            && lines[2].contains("Ann Rivera")
            && lines[2].contains("Maria Lopez")
            && lines[2].contains("Hygiene 1")
            && lines[2].contains("Cleaning")
            && lines[2].ends_with("scheduled"),
        "in time order, in the clinic's zone:\n{out}"
    );
    assert!(
        lines[3].starts_with("10:00")
            && lines[3].contains("Bartholomew Okonkwo-Smith")
            && lines[3].contains("Dr. Sarah Chen")
            && lines[3].contains("Filling"),
        "{out}"
    );
    // Aligned: every column starts at the same place on each line.
    for header in ["PATIENT", "PROVIDER", "CHAIR", "TYPE", "STATUS"] {
        let at = lines[1].find(header).expect("header");
        for line in &lines[2..4] {
            let before = &line[..at];
            assert!(
                before.ends_with("  ") && !line[at..].starts_with(' '),
                "{header} misaligned:\n{out}"
            );
        }
    }

    // Without --date: the clinic's today, in its zone.
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    let today = chrono::Utc::now()
        .with_timezone(&tz)
        .date_naive()
        .to_string();
    let default = ascendia(&app, &["appointments", "list", "demo"]).await;
    assert!(default.status.success(), "{}", text(&default));
    assert!(
        text(&default)
            .lines()
            .next()
            .is_some_and(|l| l.contains(&today)),
        "{}",
        text(&default)
    );

    for (args, error) in [
        (
            vec!["appointments", "list", "demo", "--date", "soon"],
            "invalid date",
        ),
        (
            vec!["appointments", "list", "nowhere"],
            "no clinic with slug 'nowhere'",
        ),
    ] {
        let failed = ascendia(&app, &args).await;
        assert!(
            !failed.status.success() && text(&failed).contains(error),
            "{args:?}: {}",
            text(&failed)
        );
    }
}
