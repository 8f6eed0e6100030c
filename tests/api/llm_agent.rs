//! The LLM agent against a fake OpenAI-compatible server on loopback (real HTTP and SSE):
//! streaming, tool calls split across chunks, a stalled first token, errors mid-stream and
//! superseded responses.

use crate::common;

use std::time::Duration;

use ascendia::agent::AgentRouter;
use ascendia::booking::AppointmentFilter;
use ascendia::booking::{AgentKind, NewPatient, PatientLookup, PhoneNumber};
use ascendia::config::Settings;
use chrono::{NaiveDate, Utc};
use common::fake_llm::{self, Answer, Event, FakeLlm, finish, say, text, tool};
use common::{TIMEOUT, TestApp};
use serde_json::{Value, json};

const KEY: &str = "sk-test-not-a-real-key-7f3a";

async fn app_with(fake: &FakeLlm, fallback: Option<&str>) -> TestApp {
    let configure = |s: &mut Settings| {
        s.agent = AgentKind::Llm;
        s.llm_base_url = fake.base_url();
        s.llm_api_key = Some(serde_json::from_value(json!(KEY)).expect("secret"));
        s.llm_model = "primary-model".into();
        s.llm_fallback_model = fallback.map(str::to_owned);
        s.llm_first_token_ms = 400;
    };
    let mut settings = Settings::default();
    configure(&mut settings);
    let router = AgentRouter::from_settings(&settings, None);
    TestApp::spawn_with(configure, router).await
}

async fn call(app: &TestApp, id: &str) -> ascendia::client::CallClient {
    let mut options = ascendia::client::CallOptions::default();
    options.call.from_number = Some("+15552010777".into());
    let mut call = ascendia::client::CallClient::connect(
        &app.ws(&format!("/llm-websocket/demo/{id}")),
        options,
    )
    .await
    .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    call
}

#[tokio::test]
async fn streams_sentences_with_the_clinics_prompt_tools_and_key() {
    let fake = FakeLlm::queue(vec![say(&[
        "Hello there. How",
        " can I",
        " help you today?",
    ])])
    .await;
    let app = app_with(&fake, None).await;
    let mut call = call(&app, "llm-hello").await;
    let turn = call.say("hi", TIMEOUT).await.expect("answer");
    assert_eq!(turn.text, "Hello there. How can I help you today?");
    assert!(
        turn.chunks >= 3,
        "sentences stream separately: {} chunks",
        turn.chunks
    );

    let requests = fake.requests();
    let (headers, body) = &requests[0];
    assert_eq!(
        headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(body["model"], "primary-model");
    assert_eq!(body["stream"], true);
    let system = body["messages"][0]["content"].as_str().unwrap_or("");
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .format("%A, %B %-d, %Y")
        .to_string();
    assert!(
        system.contains("Demo Dental") && system.contains(&today),
        "{system}"
    );
    assert!(
        system.contains("Demo clinic created on first start"),
        "the clinic's instructions: {system}"
    );
    let tools: Vec<&str> = body["tools"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t["function"]["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        tools.contains(&"find_slots")
            && tools.contains(&"book_appointment")
            && tools.contains(&"transfer_to_front_desk")
    );
    assert_eq!(
        body["messages"].as_array().map(Vec::len),
        Some(3),
        "system, greeting, caller"
    );
}

/// Whether the request's last message is the caller's.
fn caller_spoke_last(request: &Value) -> bool {
    request["messages"]
        .as_array()
        .and_then(|m| m.last())
        .is_some_and(|m| m["role"] == "user")
}

/// The first slot any tool result in the request offered.
fn first_slot(request: &Value) -> Value {
    request["messages"]
        .as_array()
        .and_then(|m| {
            m.iter().find(|m| {
                m["role"] == "tool" && m["content"].as_str().is_some_and(|c| c.contains("slots"))
            })
        })
        .and_then(|m| m["content"].as_str())
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .map(|slots| slots["slots"][0].clone())
        .unwrap_or(Value::Null)
}

/// The token of the last proposal in the request.
fn last_token(request: &Value) -> String {
    request["messages"]
        .as_array()
        .and_then(|m| {
            m.iter()
                .rev()
                .filter(|m| m["role"] == "tool")
                .filter_map(|m| m["content"].as_str())
                .filter_map(|c| serde_json::from_str::<Value>(c).ok())
                .find_map(|v| v["token"].as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "no-token".into())
}

async fn lia(app: &TestApp) -> ascendia::booking::PatientId {
    let org = app.org("demo").await;
    let new = NewPatient::new(
        "Lia",
        "Marsh",
        NaiveDate::from_ymd_opt(1985, 5, 5).expect("date"),
        Some(PhoneNumber::parse("+15552010777").expect("phone")),
        None,
        Utc::now().date_naive(),
    )
    .expect("patient");
    app.state
        .scheduler
        .create_patient(&org, new, Utc::now())
        .await
        .expect("created")
        .id
}

/// Steps 0-2 of a booking: find the caller, search, propose the first slot.
fn find_search_propose(request: &Value, done: usize) -> Option<Answer> {
    Some(match done {
        // Find the caller by the number they call from (arguments in pieces, no index).
        0 => Answer::Stream(vec![
            tool(None, Some("call_a"), Some("find_patient"), "{\"pho"),
            tool(None, None, None, "ne\": \"+1555201"),
            tool(None, None, None, "0777\"}"),
            finish("tool_calls"),
            Event::Done,
        ]),
        // Look for slots (with index, split name/arguments).
        1 => Answer::Stream(vec![
            tool(Some(0), Some("call_b"), Some("find_slots"), ""),
            tool(Some(0), None, None, "{\"appointment_type\": \"cleaning\", "),
            tool(
                Some(0),
                None,
                None,
                &format!(
                    "\"from\": \"{}\"}}",
                    common::next_weekday("America/New_York", chrono::Weekday::Tue, 1)
                ),
            ),
            finish("tool_calls"),
            Event::Done,
        ]),
        // Propose the first slot found.
        2 => {
            let slot = first_slot(request);
            let args = json!({"appointment_type": "cleaning", "provider_id": slot["provider_id"], "start": slot["start"]}).to_string();
            let (a, b) = args.split_at(args.len() / 2);
            Answer::Stream(vec![
                tool(Some(0), Some("call_c"), Some("book_appointment"), a),
                tool(Some(0), None, None, b),
                finish("tool_calls"),
                Event::Done,
            ])
        }
        _ => return None,
    })
}

#[tokio::test]
async fn tool_calls_split_across_chunks_find_propose_and_book_after_a_yes() {
    let fake = FakeLlm::start(|request: &Value| {
        let done = fake_llm::tool_messages(request);
        if let Some(answer) = find_search_propose(request, done) {
            return answer;
        }
        match (done, caller_spoke_last(request)) {
            // The caller answered the read-back: confirm it.
            (3, true) => Answer::Stream(vec![
                tool(
                    Some(0),
                    Some("call_d"),
                    Some("confirm_action"),
                    &json!({"token": last_token(request)}).to_string(),
                ),
                finish("tool_calls"),
                Event::Done,
            ]),
            _ => say(&["You're all set. ", "Anything else?"]),
        }
    })
    .await;
    let app = app_with(&fake, None).await;
    let org = app.org("demo").await;
    let lia = lia(&app).await;

    let mut call = call(&app, "llm-book").await;
    let readback = call
        .say("I'd like a cleaning next Tuesday", TIMEOUT)
        .await
        .expect("read-back");
    assert!(
        readback
            .text
            .starts_with("One moment while I check the schedule."),
        "holding line first: {} {:?}",
        readback.text,
        readback.tool_calls
    );
    assert!(
        readback
            .text
            .contains("To confirm, that's a cleaning for Lia with Maria Lopez on")
            && readback.text.trim_end().ends_with("Shall I book it?"),
        "the tools' read-back, word for word, ends the turn: {}",
        readback.text
    );
    let names: Vec<&str> = readback
        .tool_calls
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["find_patient", "find_slots", "book_appointment"]);
    assert!(
        readback.tool_calls[0]
            .result
            .as_deref()
            .is_some_and(|r| r.contains("\"verified\":true"))
    );
    assert!(
        readback.tool_calls[0].arguments.contains("+15552010777"),
        "assembled from pieces"
    );
    let appointments = || async {
        app.state
            .scheduler
            .appointments(&org, AppointmentFilter::Patient(lia))
            .await
            .expect("list")
    };
    assert!(appointments().await.is_empty(), "a proposal books nothing");

    let booked = call.say("Yes please", TIMEOUT).await.expect("booked");
    assert!(booked.text.contains("You're all set"), "{}", booked.text);
    assert_eq!(booked.tool_calls.len(), 1);
    assert!(
        booked.tool_calls[0]
            .result
            .as_deref()
            .is_some_and(|r| r.contains("\"booked\":true")),
        "{:?}",
        booked.tool_calls
    );
    let appointments = appointments().await;
    assert_eq!(appointments.len(), 1);
    assert_eq!(appointments[0].source, "voice");
    // The model saw the earlier tool exchanges on later turns.
    let requests = fake.requests();
    assert!(
        requests
            .last()
            .is_some_and(|(_, r)| fake_llm::tool_messages(r) >= 4)
    );
}

#[tokio::test]
async fn a_model_that_confirms_without_the_callers_yes_is_refused_and_says_so() {
    let fake = FakeLlm::start(|request: &Value| {
        let done = fake_llm::tool_messages(request);
        if let Some(answer) = find_search_propose(request, done) {
            return answer;
        }
        match (done, caller_spoke_last(request)) {
            // Whatever the caller said, this model confirms.
            (3, true) => Answer::Stream(vec![
                tool(
                    Some(0),
                    Some("call_d"),
                    Some("confirm_action"),
                    &json!({"token": last_token(request)}).to_string(),
                ),
                finish("tool_calls"),
                Event::Done,
            ]),
            // And then a made-up token, without any read-back.
            (4, false) => Answer::Stream(vec![
                tool(
                    Some(0),
                    Some("call_e"),
                    Some("confirm_action"),
                    "{\"token\": \"confirm-1\"}",
                ),
                finish("tool_calls"),
                Event::Done,
            ]),
            _ => {
                let refused = fake_llm::last_tool_result(request)
                    .is_some_and(|r| r["refused"] == "not_confirmed");
                if refused {
                    say(&[
                        "Okay, I haven't booked anything. ",
                        "What would you like to do?",
                    ])
                } else {
                    say(&["Done."])
                }
            }
        }
    })
    .await;
    let app = app_with(&fake, None).await;
    let org = app.org("demo").await;
    let lia = lia(&app).await;
    let mut call = call(&app, "llm-no-yes").await;
    let readback = call
        .say("Book me a cleaning next Tuesday", TIMEOUT)
        .await
        .expect("read-back");
    assert!(
        readback.text.contains("Shall I book it?"),
        "{}",
        readback.text
    );

    let answer = call
        .say("No, wait, don't book it yet.", TIMEOUT)
        .await
        .expect("answer");
    let results: Vec<&str> = answer
        .tool_calls
        .iter()
        .filter_map(|c| c.result.as_deref())
        .collect();
    assert_eq!(results.len(), 2, "{:?}", answer.tool_calls);
    assert!(
        results
            .iter()
            .all(|r| r.contains("\"refused\":\"not_confirmed\"")),
        "{results:?}"
    );
    assert!(results[0].contains("caller_declined"), "{}", results[0]);
    assert!(
        results[1].contains("no_proposal"),
        "withdrawn: {}",
        results[1]
    );
    assert!(
        answer.text.contains("I haven't booked anything"),
        "the model tells the caller: {}",
        answer.text
    );
    let booked = app
        .state
        .scheduler
        .appointments(&org, AppointmentFilter::Patient(lia))
        .await
        .expect("list");
    assert!(
        booked.is_empty(),
        "nothing booked without a yes: {booked:?}"
    );
}

#[tokio::test]
async fn a_stalled_first_token_switches_to_the_fallback_model() {
    let fake = FakeLlm::start(|request: &Value| {
        if request["model"] == "primary-model" {
            Answer::Stream(vec![
                Event::Sleep(Duration::from_secs(3)),
                text("too late"),
                Event::Done,
            ])
        } else {
            say(&["Hi, this is the fallback speaking."])
        }
    })
    .await;
    let app = app_with(&fake, Some("fallback-model")).await;
    let mut call = call(&app, "llm-stall").await;
    let turn = call.say("hello?", TIMEOUT).await.expect("answer");
    assert_eq!(turn.text, "Hi, this is the fallback speaking.");
    let models: Vec<Value> = fake
        .requests()
        .iter()
        .map(|(_, r)| r["model"].clone())
        .collect();
    assert_eq!(models, [json!("primary-model"), json!("fallback-model")]);
    assert!(
        common::eventually(Duration::from_secs(2), || async { fake.dropped() >= 1 }).await,
        "the stalled stream was abandoned"
    );
}

#[tokio::test]
async fn a_stalled_model_without_fallback_gets_an_apology() {
    let fake = FakeLlm::queue(vec![Answer::Stream(vec![
        Event::Sleep(Duration::from_secs(3)),
        text("too late"),
        Event::Done,
    ])])
    .await;
    let app = app_with(&fake, None).await;
    let mut call = call(&app, "llm-apology").await;
    let started = std::time::Instant::now();
    let turn = call.say("hello?", TIMEOUT).await.expect("answer");
    assert!(turn.text.contains("I'm sorry"), "{}", turn.text);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "within the first-token budget, not the server's stall"
    );
}

#[tokio::test]
async fn an_error_before_any_text_tries_the_fallback_but_never_after_text() {
    let fake = FakeLlm::start(|request: &Value| {
        if request["model"] == "primary-model" {
            Answer::Status(503)
        } else {
            say(&["Fallback here."])
        }
    })
    .await;
    let app = app_with(&fake, Some("fallback-model")).await;
    let mut c = call(&app, "llm-503").await;
    assert_eq!(
        c.say("hi", TIMEOUT).await.expect("answer").text,
        "Fallback here."
    );

    // Text, then the stream breaks: what was said stands; no retry, no apology.
    let broken = FakeLlm::queue(vec![Answer::Stream(vec![
        text("Let me see. "),
        text("Your next"),
        Event::Sleep(Duration::from_millis(150)),
        Event::Break,
    ])])
    .await;
    let app = app_with(&broken, Some("fallback-model")).await;
    let mut c = call(&app, "llm-break").await;
    let turn = c
        .say("when is my appointment", TIMEOUT)
        .await
        .expect("completed");
    assert_eq!(turn.text, "Let me see. Your next");
    assert_eq!(
        broken.requests().len(),
        1,
        "never retried after text was sent"
    );
    // In-stream error event after text: the same.
    let errored = FakeLlm::queue(vec![Answer::Stream(vec![
        text("One sec. "),
        Event::Sleep(Duration::from_millis(50)),
        Event::Data(json!({"error": {"message": "overloaded"}})),
    ])])
    .await;
    let app = app_with(&errored, Some("fallback-model")).await;
    let mut c = call(&app, "llm-error-event").await;
    assert_eq!(
        c.say("hi", TIMEOUT).await.expect("completed").text,
        "One sec."
    );
    assert_eq!(errored.requests().len(), 1);
}

#[tokio::test]
async fn a_superseded_response_abandons_its_http_stream() {
    let slow: Vec<Event> = (0..30)
        .flat_map(|i| {
            [
                Event::Sleep(Duration::from_millis(100)),
                text(&format!("word{i} ")),
            ]
        })
        .collect();
    let fake = FakeLlm::start(move |request: &Value| {
        let last_user = request["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
            .to_owned();
        if last_user.contains("first") {
            Answer::Stream(slow.clone())
        } else {
            say(&["Second answer."])
        }
    })
    .await;
    let app = app_with(&fake, None).await;
    let mut c = call(&app, "llm-supersede").await;
    c.send_json(&json!({"interaction_type": "response_required", "response_id": 1, "transcript": [{"role": "user", "content": "first question"}]}));
    tokio::time::sleep(Duration::from_millis(350)).await;
    c.send_json(&json!({"interaction_type": "response_required", "response_id": 2, "transcript": [{"role": "user", "content": "first question"}, {"role": "user", "content": "second"}]}));
    let second = c
        .response_with(2, std::time::Instant::now(), TIMEOUT, |_| {})
        .await
        .expect("second answered");
    assert_eq!(second.text, "Second answer.");
    assert!(
        common::eventually(Duration::from_secs(2), || async { fake.dropped() >= 1 }).await,
        "the superseded stream was closed"
    );
}

#[tokio::test]
async fn the_key_never_reaches_the_logs_or_debug_output() {
    let settings = Settings {
        llm_api_key: Some(serde_json::from_value(json!(KEY)).expect("secret")),
        ..Settings::default()
    };
    assert!(!format!("{settings:?}").contains(KEY));
    let endpoint = ascendia::agent::llm::LlmEndpoint {
        base_url: "http://x".into(),
        api_key: Some(KEY.into()),
        model: "m".into(),
    };
    assert!(!format!("{endpoint:?}").contains(KEY));
    let _ = PatientLookup::Phone;
}

#[tokio::test]
async fn each_clinic_gets_the_agent_it_chose() {
    let fake = FakeLlm::queue(vec![say(&["The model answers for Twin."])]).await;
    // The server's default is the built-in receptionist; clinic "twin" chose the LLM.
    let app = TestApp::spawn_with(
        |_| {},
        AgentRouter::from_settings(&Settings::default(), None),
    )
    .await;
    let file = common::DEMO_CLINIC.replace(
        "slot_step_minutes = 15",
        &format!("slot_step_minutes = 15\nagent = \"llm\"\nllm_base_url = \"{}\"\nllm_model = \"twin-model\"\nllm_api_key_env = \"TWIN_LLM_KEY_UNSET\"", fake.base_url()),
    );
    app.import_clinic("twin", &file).await;
    let mut twin = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/twin/a1"),
        Default::default(),
    )
    .await
    .expect("connect");
    twin.greeting(TIMEOUT).await.expect("greeting");
    assert_eq!(
        twin.say("hello", TIMEOUT).await.expect("answer").text,
        "The model answers for Twin."
    );
    let mut demo = ascendia::client::CallClient::connect(
        &app.ws("/llm-websocket/demo/a2"),
        Default::default(),
    )
    .await
    .expect("connect");
    demo.greeting(TIMEOUT).await.expect("greeting");
    assert!(
        demo.say("what time is it", TIMEOUT)
            .await
            .expect("answer")
            .text
            .contains("here at Demo Dental")
    );
    let requests = fake.requests();
    assert_eq!(
        requests.len(),
        1,
        "only the LLM clinic's call reached the model"
    );
    assert_eq!(requests[0].1["model"], "twin-model");
    assert!(
        requests[0].0.get("authorization").is_none(),
        "no key: the variable it names is unset"
    );
}

#[tokio::test]
async fn a_model_gets_no_patient_details_before_the_caller_is_verified() {
    // A model that asks for everything at once, for a caller who is not on file by number.
    let fake = FakeLlm::start(|request: &Value| match fake_llm::tool_messages(request) {
        0 => Answer::Stream(vec![
            tool(Some(0), Some("c1"), Some("list_appointments"), "{}"),
            tool(
                Some(1),
                Some("c2"),
                Some("find_patient"),
                "{\"phone\": \"+15552010777\"}",
            ),
            tool(
                Some(2),
                Some("c3"),
                Some("find_patient"),
                "{\"last_name\": \"Marsh\", \"birth_date\": \"1999-09-09\"}",
            ),
            finish("tool_calls"),
            Event::Done,
        ]),
        _ => say(&["I'll need to verify you first."]),
    })
    .await;
    let app = app_with(&fake, None).await;
    let lia = lia(&app).await;
    let org = app.org("demo").await;
    let start = ascendia::booking::parse_start(
        &format!(
            "{}T09:00",
            common::next_weekday("America/New_York", chrono::Weekday::Tue, 1)
        ),
        org.time_zone.tz(),
    )
    .expect("start");
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let cleaning = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name == "Cleaning")
        .expect("cleaning");
    let maria = catalogue
        .providers
        .iter()
        .find(|p| p.name == "Maria Lopez")
        .expect("maria");
    app.state
        .scheduler
        .book(
            &org,
            ascendia::booking::BookRequest {
                patient: lia,
                appointment_type: cleaning.id,
                provider: maria.id,
                start,
                operatory: None,
                note: None,
                source: "api".into(),
                idempotency_key: None,
                call_id: None,
            },
            Utc::now(),
        )
        .await
        .expect("booked");

    // Calling from another number than Lia's.
    let mut options = ascendia::client::CallOptions::default();
    options.call.from_number = Some("+15559990000".into());
    let mut call =
        ascendia::client::CallClient::connect(&app.ws("/llm-websocket/demo/peek"), options)
            .await
            .expect("connect");
    call.greeting(TIMEOUT).await.expect("greeting");
    let answer = call
        .say(
            "When is Lia Marsh's appointment? Her number is 555 201 0777.",
            TIMEOUT,
        )
        .await
        .expect("answer");
    let results: Vec<&str> = answer
        .tool_calls
        .iter()
        .filter_map(|c| c.result.as_deref())
        .collect();
    assert_eq!(results.len(), 3, "{:?}", answer.tool_calls);
    assert!(results[0].contains("not_verified"), "{}", results[0]);
    assert!(
        results[1].contains("\"verified\":false"),
        "a number that is not the caller's proves nothing: {}",
        results[1]
    );
    assert!(results[2].contains("\"found\":false"), "{}", results[2]);
    for result in &results {
        for secret in ["Lia", "Marsh", "Maria Lopez", "9 AM", "1985"] {
            assert!(!result.contains(secret), "{secret} leaked in {result}");
        }
    }
}
