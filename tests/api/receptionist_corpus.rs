//! The generated conversation corpus (tests/corpus) against the built-in receptionist with a
//! fake clinic in memory: several hundred seeded calls on every `cargo test`, checked for their
//! outcome in the clinic's records and for the safety properties.
//!
//! `CORPUS_SHOW=all` prints every failing conversation in full (by default: the first few per
//! category); `CORPUS_ONLY=17` runs one conversation and prints it.

use crate::corpus;

use std::sync::Arc;

use ascendia::agent::Ending;
use ascendia::agent::receptionist::{Dialogue, Event, Facts, executor};
use ascendia::agent::understand::{self, Context};
use ascendia::booking::{PhoneNumber, Phrases};
use ascendia::retell::frames::{Role, Utterance};
use chrono::{NaiveDate, NaiveTime};

use corpus::fake::FakeClinic;
use corpus::{Caller, End, Recorder, Scenario, Tally, Turn};

const SEED: u64 = 0x00A5_CE4D_1A20_2026;
/// Conversations per run.
const COUNT: usize = 360;
/// More tool calls than this in one turn is a loop (a normal turn needs at most four).
const MAX_TOOLS_PER_TURN: usize = 6;
/// Caller turns before a call counts as going in circles.
const MAX_TURNS: usize = 24;
/// The outcome pass rate this corpus must keep: measured 360 of 360 (deterministic); a few
/// calls of slack for parser changes, no more.
const MIN_PASS_RATE: f64 = 0.97;

const GREETING: &str = "Thank you for calling Demo Dental. How can I help you today?";

struct Played {
    turns: Vec<Turn>,
    fake: FakeClinic,
    picked: Option<(NaiveDate, NaiveTime)>,
    stuck: Option<String>,
}

async fn play(sc: &Scenario) -> Played {
    let mut fake = FakeClinic::new(sc);
    let office = Arc::new(fake.office());
    let facts = Facts {
        clinic: "Demo Dental".into(),
        today: sc.today,
        now: fake.now,
        caller: Some(PhoneNumber::parse(&sc.caller_phone).expect("caller number")),
        phrases: Phrases::default(),
        office: Arc::clone(&office),
        languages: Vec::new(),
    };
    let providers: Vec<String> = office.providers.iter().map(|p| p.name.clone()).collect();
    let mut dialogue = Dialogue::default();
    let mut caller = Caller::new(sc.script.clone(), sc.today);
    let mut transcript = vec![Utterance::agent(GREETING)];
    let mut turns = vec![Turn {
        sentences: vec![GREETING.into()],
        ..Turn::default()
    }];
    let mut verified = false;
    let mut stuck = None;
    for n in 0.. {
        let last = turns.last().map(Turn::agent).unwrap_or_default();
        if turns.last().is_some_and(|t| t.ended.is_some()) {
            break;
        }
        if n == MAX_TURNS {
            stuck = Some(format!("no end after {MAX_TURNS} caller turns"));
            break;
        }
        let Some(line) = caller.respond(&last) else {
            stuck = caller.gave_up.clone();
            break;
        };
        transcript.push(Utterance::user(line.text.clone()));
        fake.transcript = transcript.clone();
        let ctx = Context {
            today: sc.today,
            expecting: dialogue.phase.expecting(&dialogue.identity),
            providers: &providers,
        };
        let heard = understand::hear(&line.text, &ctx);
        let mut voice = Recorder::default();
        let ending = executor::run(
            &mut dialogue,
            Event::Heard(Box::new(heard)),
            &facts,
            &mut fake,
            &mut voice,
        )
        .await
        .expect("the receptionist answers");
        let before_verified = if verified {
            0
        } else {
            voice.verified_at.unwrap_or(voice.sentences.len())
        };
        verified |= voice.verified_at.is_some();
        let spoken = voice.sentences.join(" ");
        if !spoken.trim().is_empty() {
            transcript.push(Utterance::agent(spoken));
        }
        turns.push(Turn {
            user: Some(line.text),
            user_yes: line.yes,
            sentences: voice.sentences,
            before_verified,
            tools: voice.tools,
            ended: match ending {
                Ending::Continue => None,
                Ending::EndCall => Some(End::Call),
                Ending::Transfer(_) => Some(End::Transfer),
            },
        });
    }
    Played {
        turns,
        fake,
        picked: caller.picked,
        stuck,
    }
}

/// Every write the guard let through was checked against a transcript that ends with the
/// caller's yes right after the agent's read-back.
fn writes_safe(played: &Played) -> Vec<String> {
    let yeses: Vec<&str> = played
        .turns
        .iter()
        .filter(|t| t.user_yes)
        .filter_map(|t| t.user.as_deref())
        .collect();
    let mut violations = Vec::new();
    for write in &played.fake.writes {
        let t = &write.transcript;
        let ok = matches!(t.as_slice(), [.., agent, user]
            if agent.role == Role::Agent
                && user.role == Role::User
                && yeses.contains(&user.content.as_str())
                && (agent.content.contains("To confirm") || agent.content.contains("Just to confirm")));
        if !ok {
            violations.push(format!(
                "{} written after {:?}",
                write.action,
                t.iter().rev().take(2).collect::<Vec<_>>()
            ));
        }
    }
    violations
}

fn todays() -> Vec<NaiveDate> {
    // A week of clinic days, weekends included, across a month's end.
    (0..9)
        .map(|i| NaiveDate::from_ymd_opt(2026, 3, 26).expect("date") + chrono::Duration::days(i))
        .collect()
}

#[tokio::test]
async fn the_generated_corpus_holds() {
    let scenarios = corpus::generate(SEED, COUNT, &todays(), false);
    let only: Option<usize> = std::env::var("CORPUS_ONLY")
        .ok()
        .and_then(|v| v.parse().ok());
    let show_all = std::env::var("CORPUS_SHOW").is_ok_and(|v| v == "all");
    let mut tally = Tally::default();
    let mut safety = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut shown: std::collections::BTreeMap<corpus::Category, usize> = Default::default();
    for sc in &scenarios {
        if only.is_some_and(|o| o != sc.id) {
            continue;
        }
        let played = play(sc).await;
        let mut violations = corpus::check_safety(sc, &played.turns, MAX_TOOLS_PER_TURN);
        violations.extend(writes_safe(&played));
        let outcome = match &played.stuck {
            Some(stuck) => Err(stuck.clone()),
            None => corpus::check_outcome(sc, &played.turns, &played.fake.world(), played.picked),
        };
        tally.add(sc.category, outcome.is_ok());
        let conversation = corpus::render(sc, &played.turns);
        if only.is_some() {
            eprintln!("{conversation}\noutcome: {outcome:?}\nsafety: {violations:?}");
        }
        if !violations.is_empty() {
            safety.push(format!(
                "SAFETY {}: {}\n{conversation}",
                sc.label(),
                violations.join("; ")
            ));
        }
        if let Err(why) = outcome {
            failures.push(format!("{}: {why}", sc.label()));
            let n = shown.entry(sc.category).or_default();
            *n += 1;
            if show_all || *n <= 2 {
                eprintln!("OUTCOME {}: {why}\n{conversation}", sc.label());
            }
        }
    }
    eprintln!(
        "{}",
        tally.report("receptionist corpus (in memory): outcome pass rate by category")
    );
    for f in &failures {
        eprintln!("  failed {f}");
    }
    for s in &safety {
        eprintln!("{s}");
    }
    assert!(
        safety.is_empty(),
        "{} conversations broke a safety property",
        safety.len()
    );
    let (passed, total) = tally.total();
    let rate = passed as f64 / total.max(1) as f64;
    assert!(
        only.is_some() || rate >= MIN_PASS_RATE,
        "outcome pass rate {:.1}% is below {:.1}%",
        rate * 100.0,
        MIN_PASS_RATE * 100.0
    );
}

#[test]
fn the_corpus_is_deterministic_and_covers_every_category() {
    let a = corpus::generate(SEED, COUNT, &todays(), false);
    let b = corpus::generate(SEED, COUNT, &todays(), false);
    assert_eq!(a.len(), COUNT);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.script, y.script);
        assert_eq!(x.expect, y.expect);
    }
    for category in corpus::CATEGORIES {
        assert!(
            a.iter().filter(|s| s.category == *category).count() >= 15,
            "{category:?}"
        );
    }
}
