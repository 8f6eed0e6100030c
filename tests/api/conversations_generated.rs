//! A fixed sample of the generated corpus (tests/corpus), every category, over the real
//! WebSocket against the real server and the demo clinic: the records afterwards (through
//! `app.state.scheduler`) and the same safety properties as the in-memory run.
//!
//! Each call gets its own server (no call sees another's bookings); calls run a few at a time.

use crate::common;
use crate::corpus;

use ascendia::booking::AppointmentFilter;
use ascendia::booking::{
    AppointmentStatus, BookRequest, MessageQuery, NewPatient, PatientLookup, PhoneNumber,
    parse_start,
};
use ascendia::client::{CallClient, CallOptions};
use chrono::{NaiveDate, NaiveTime, Utc};
use common::{TIMEOUT, TestApp};
use corpus::{Appt, Caller, End, Msg, Scenario, Tally, ToolSeen, Turn, World};

const SEED: u64 = 0x0057_EB50_C4E7_2026;
/// Conversations from each category.
const PER_CATEGORY: usize = 3;
const AT_ONCE: usize = 6;
const MAX_TOOLS_PER_TURN: usize = 6;
const MAX_TURNS: usize = 24;
/// The outcome pass rate this sample must keep: measured 54 of 54; the sample uses the real
/// date, so its days vary from run to run.
const MIN_PASS_RATE: f64 = 0.9;

struct Played {
    turns: Vec<Turn>,
    world: World,
    picked: Option<(NaiveDate, NaiveTime)>,
    stuck: Option<String>,
}

fn clinic_today() -> NaiveDate {
    let zone: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    Utc::now().with_timezone(&zone).date_naive()
}

async fn seed(app: &TestApp, sc: &Scenario) {
    let org = app.org("demo").await;
    let scheduler = &app.state.scheduler;
    let mut ids = Vec::new();
    for p in &sc.patients {
        let new = NewPatient::new(
            &p.first,
            &p.last,
            p.birth,
            Some(PhoneNumber::parse(&p.phone).expect("phone")),
            None,
            sc.today,
        )
        .expect("valid patient");
        ids.push(
            scheduler
                .create_patient(&org, new, Utc::now())
                .await
                .expect("patient")
                .id,
        );
    }
    let catalogue = scheduler.catalogue(&org).await.expect("catalogue");
    for a in &sc.appointments {
        let kind = catalogue
            .appointment_types
            .iter()
            .find(|t| t.name == a.service)
            .expect("type")
            .id;
        let provider = catalogue
            .providers
            .iter()
            .find(|p| p.name == a.provider)
            .expect("provider")
            .id;
        let start = parse_start(&format!("{}T{:02}:00", a.date, a.hour), org.time_zone.tz())
            .expect("start");
        scheduler
            .book(
                &org,
                BookRequest {
                    patient: ids[a.patient],
                    appointment_type: kind,
                    provider,
                    start,
                    operatory: None,
                    note: None,
                    source: "test".into(),
                    idempotency_key: None,
                    call_id: None,
                },
                Utc::now(),
            )
            .await
            .expect("seed appointment");
    }
}

async fn world(app: &TestApp, sc: &Scenario) -> World {
    let org = app.org("demo").await;
    let scheduler = &app.state.scheduler;
    let catalogue = scheduler.catalogue(&org).await.expect("catalogue");
    let zone = org.time_zone.tz();
    let mut out = World::default();
    for person in corpus::people(sc) {
        let found = scheduler
            .find_patients(
                &org,
                PatientLookup::Name {
                    last_name: &person.last,
                    first_name: Some(&person.first),
                    birth_date: person.birth,
                },
            )
            .await
            .expect("lookup");
        for patient in found {
            let appointments = scheduler
                .appointments(&org, AppointmentFilter::Patient(patient.id))
                .await
                .expect("appointments");
            let appts = appointments
                .iter()
                .map(|a| {
                    let local = a.start.with_timezone(&zone);
                    Appt {
                        id: a.id.to_string(),
                        service: catalogue
                            .appointment_types
                            .iter()
                            .find(|t| t.id == a.appointment_type)
                            .map_or_else(String::new, |t| t.name.clone()),
                        provider: catalogue
                            .providers
                            .iter()
                            .find(|p| p.id == a.provider)
                            .map_or_else(String::new, |p| p.name.clone()),
                        date: local.date_naive(),
                        time: local.time(),
                        scheduled: a.status == AppointmentStatus::Scheduled,
                    }
                })
                .collect();
            out.patients.push((
                corpus::Person {
                    first: patient.first_name.clone(),
                    last: patient.last_name.clone(),
                    birth: patient.birth_date,
                    phone: String::new(),
                },
                appts,
            ));
        }
    }
    let query = MessageQuery {
        from: None,
        to: None,
        status: None,
        limit: Some(200),
        offset: None,
    };
    out.messages = scheduler
        .messages(&org, &query)
        .await
        .expect("messages")
        .items
        .into_iter()
        .map(|m| Msg {
            name: m.caller_name,
            reason: m.reason,
            language: m.language,
        })
        .collect();
    out
}

async fn play(sc: Scenario) -> (Scenario, Played) {
    let app = TestApp::spawn().await;
    seed(&app, &sc).await;
    let mut options = CallOptions::default();
    options.call.from_number = Some(sc.caller_phone.clone());
    let url = app.ws(&format!(
        "/llm-websocket/demo/gen-{}-{}",
        sc.id,
        uuid::Uuid::new_v4().simple()
    ));
    let mut client = CallClient::connect(&url, options).await.expect("connects");
    let greeting = client.greeting(TIMEOUT).await.expect("greeting");
    let mut turns = vec![Turn {
        sentences: vec![greeting.text.clone()],
        ..Turn::default()
    }];
    let mut caller = Caller::new(sc.script.clone(), sc.today);
    let mut verified = false;
    let mut stuck = None;
    for n in 0.. {
        if turns.last().is_some_and(|t| t.ended.is_some()) {
            break;
        }
        if n == MAX_TURNS {
            stuck = Some(format!("no end after {MAX_TURNS} caller turns"));
            break;
        }
        let last = turns.last().map(Turn::agent).unwrap_or_default();
        let Some(line) = caller.respond(&last) else {
            stuck = caller.gave_up.clone();
            break;
        };
        let turn = match client.say(&line.text, TIMEOUT).await {
            Ok(turn) => turn,
            Err(err) => {
                stuck = Some(format!("the call failed: {err}"));
                break;
            }
        };
        let tools: Vec<ToolSeen> = turn
            .tool_calls
            .iter()
            .map(|t| {
                let result = t.result.clone().unwrap_or_default();
                ToolSeen {
                    name: t.name.clone(),
                    ok: t.result.is_some() && !result.contains("\"error\""),
                    result,
                }
            })
            .collect();
        let verifies = tools.iter().any(|t| {
            (t.name == "find_patient" || t.name == "create_patient")
                && t.ok
                && t.result.contains("\"verified\":true")
        });
        // Over the wire a turn is one text: a turn that verifies is not checked for leaks.
        let before_verified = usize::from(!verified && !verifies);
        verified |= verifies;
        turns.push(Turn {
            user: Some(line.text),
            user_yes: line.yes,
            sentences: vec![turn.text.trim().to_owned()],
            before_verified,
            tools,
            ended: if turn.transfer_number.is_some() {
                Some(End::Transfer)
            } else if turn.end_call {
                Some(End::Call)
            } else {
                None
            },
        });
    }
    client.hang_up().await;
    // The agent's words in the client's transcript are what Retell would hold.
    let agent_words = client
        .transcript
        .iter()
        .filter(|u| u.role == ascendia::retell::frames::Role::Agent)
        .count();
    assert!(
        agent_words >= turns.len().min(2),
        "the transcript holds the agent's words"
    );
    let world = world(&app, &sc).await;
    (
        sc,
        Played {
            turns,
            world,
            picked: caller.picked,
            stuck,
        },
    )
}

fn sample() -> Vec<Scenario> {
    let all = corpus::generate(SEED, 18 * 12, &[clinic_today()], true);
    let mut picked = Vec::new();
    for category in corpus::CATEGORIES {
        picked.extend(
            all.iter()
                .filter(|s| s.category == *category)
                .take(PER_CATEGORY)
                .cloned(),
        );
    }
    picked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_sample_over_the_real_websocket() {
    let started = std::time::Instant::now();
    let scenarios = sample();
    assert!(scenarios.len() >= 40);
    let mut tally = Tally::default();
    let mut safety = Vec::new();
    let mut failures = Vec::new();
    for batch in scenarios.chunks(AT_ONCE) {
        let handles: Vec<_> = batch
            .iter()
            .cloned()
            .map(|sc| tokio::spawn(play(sc)))
            .collect();
        for handle in handles {
            let (sc, played) = handle.await.expect("call task");
            let violations = corpus::check_safety(&sc, &played.turns, MAX_TOOLS_PER_TURN);
            let outcome = match &played.stuck {
                Some(stuck) => Err(stuck.clone()),
                None => corpus::check_outcome(&sc, &played.turns, &played.world, played.picked),
            };
            tally.add(sc.category, outcome.is_ok());
            let conversation = corpus::render(&sc, &played.turns);
            if !violations.is_empty() {
                safety.push(format!(
                    "SAFETY {}: {}\n{conversation}",
                    sc.label(),
                    violations.join("; ")
                ));
            }
            if let Err(why) = outcome {
                eprintln!("OUTCOME {}: {why}\n{conversation}", sc.label());
                failures.push(format!("{}: {why}", sc.label()));
            }
        }
    }
    eprintln!(
        "{}",
        tally.report(&format!(
            "generated sample over the WebSocket ({} calls, {:.1}s): outcome pass rate by category",
            scenarios.len(),
            started.elapsed().as_secs_f64()
        ))
    );
    for f in &failures {
        eprintln!("  failed {f}");
    }
    for s in &safety {
        eprintln!("{s}");
    }
    assert!(
        safety.is_empty(),
        "{} calls broke a safety property",
        safety.len()
    );
    let (passed, total) = tally.total();
    let rate = passed as f64 / total.max(1) as f64;
    assert!(
        rate >= MIN_PASS_RATE,
        "outcome pass rate {:.1}% is below {:.1}%",
        rate * 100.0,
        MIN_PASS_RATE * 100.0
    );
}
