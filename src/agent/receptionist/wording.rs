//! How the receptionist says things: lists, offers, and answers about the office from the
//! clinic's own data.

use crate::agent::tools::contract::SlotInfo;
use crate::agent::tools::{spoken_date, spoken_time};
use crate::agent::understand::{Heard, Question, Topic};

use super::state::{Dialogue, Facts, Phase};
use super::step::Out;

pub const ANYTHING_ELSE: &str = "Is there anything else I can help you with?";

pub fn anything_else(facts: &Facts, out: &mut Out) {
    out.say(facts.phrases.or("anything_else", ANYTHING_ELSE));
}

pub fn no_problem_anything_else(d: &mut Dialogue, facts: &Facts, out: &mut Out) {
    out.say("No problem.");
    anything_else(facts, out);
    d.phase = Phase::AnythingElse;
}

/// "a, b and c"
pub fn list(items: &[String], last_joiner: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {last_joiner} {last}", init.join(", ")),
    }
}

pub fn service_names(facts: &Facts) -> Vec<String> {
    facts
        .office
        .services
        .iter()
        .map(|s| s.name.to_lowercase())
        .collect()
}

/// "Tuesday, December 8 at 9 AM or 11 AM with Maria Lopez"
pub fn offer_list(offers: &[SlotInfo]) -> String {
    let same_day = offers.windows(2).all(|w| w[0].date == w[1].date);
    let same_provider = offers.windows(2).all(|w| w[0].provider == w[1].provider);
    let items: Vec<String> = match offers.first() {
        Some(first) if same_day => {
            let times: Vec<String> = offers.iter().map(|o| spoken_time(o.time)).collect();
            vec![format!(
                "{} at {}",
                spoken_date(first.date),
                list(&times, "or")
            )]
        }
        _ => offers.iter().map(|o| o.spoken.clone()).collect(),
    };
    let mut text = list(&items, "or");
    if same_provider && let Some(first) = offers.first() {
        text.push_str(&format!(" with {}", first.provider));
    }
    text
}

/// "+15552010100" → "555-201-0100", for speech.
fn spoken_phone(e164: &str) -> String {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        11 if digits.starts_with('1') => {
            format!("{}-{}-{}", &digits[1..4], &digits[4..7], &digits[7..])
        }
        _ => e164.to_owned(),
    }
}

/// Answers the caller's questions about the office. True when something was answered.
pub fn answer_questions(heard: &Heard, facts: &Facts, out: &mut Out) -> bool {
    let office = &facts.office;
    let mut answered = false;
    for question in &heard.questions {
        // "What's the earliest you have?" asks for a time, not for information.
        if *question == Question::Unanswerable(Topic::Other)
            && (heard.soonest || !heard.days.is_empty())
        {
            continue;
        }
        answered = true;
        match question {
            Question::Hours => {
                if office.hours.is_empty() {
                    out.say("I don't have our hours on file, I'm sorry.");
                    continue;
                }
                // "What time do you close on Friday?": that day only.
                let asked: Vec<String> = heard
                    .days
                    .iter()
                    .map(|d| d.format("%A").to_string())
                    .collect();
                let hours: Vec<String> = office
                    .hours
                    .iter()
                    .filter(|h| asked.is_empty() || asked.contains(&full_day(&h.day)))
                    .map(|h| format!("{} {} to {}", full_day(&h.day), h.open, h.close))
                    .collect();
                if hours.is_empty() {
                    out.say(format!("We're closed on {}.", list(&asked, "and")));
                } else {
                    out.say(format!("We're open {}.", list(&hours, "and")));
                }
            }
            Question::Address => match &office.address {
                Some(address) => out.say(format!("We're at {address}.")),
                None => out.say("I don't have our address on file, I'm sorry."),
            },
            Question::Phone => match &office.phone {
                Some(phone) => out.say(format!("Our number is {}.", spoken_phone(phone))),
                None => out.say("I don't have the office number on file, I'm sorry."),
            },
            Question::Providers => {
                let names: Vec<String> = office.providers.iter().map(|p| p.name.clone()).collect();
                out.say(format!("Our providers are {}.", list(&names, "and")));
            }
            Question::Services => {
                out.say(format!("We offer {}.", list(&service_names(facts), "and")));
            }
            Question::Time => out.say(format!(
                "It's {} here at {}.",
                facts.now.format("%-I:%M %p"),
                facts.clinic
            )),
            Question::Date => out.say(format!("Today is {}.", facts.now.format("%A, %B %-d, %Y"))),
            Question::Who => out.say(format!("You've reached {}.", facts.clinic)),
            Question::Unanswerable(topic) => {
                let about = match topic {
                    Topic::Insurance => "which insurance plans we accept",
                    Topic::Price => "prices",
                    Topic::Parking => "parking",
                    Topic::Payment => "payment options",
                    _ => "that",
                };
                out.say(format!(
                    "I'm sorry, I don't have information about {about}."
                ));
            }
        }
    }
    answered
}

fn full_day(short: &str) -> String {
    match short {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        "Sun" => "Sunday",
        other => other,
    }
    .to_owned()
}

/// Signs of a spreading infection or an airway problem: more than a dental visit can wait for.
pub fn warn_if_dangerous(heard: &Heard, out: &mut Out) -> bool {
    let swelling = heard.has_any(&["swollen", "swelling", "puffy"]);
    let danger = heard.has_any(&[
        "fever",
        "trouble breathing",
        "hard to breathe",
        "can't breathe",
        "cannot breathe",
        "trouble swallowing",
        "can't swallow",
        "hard to swallow",
        "barely open my mouth",
        "can't open my mouth",
        "eye is swollen",
        "my face",
        "my neck",
    ]);
    if !(danger && (swelling || heard.has_any(&["fever", "breath", "breathe", "swallow"]))) {
        return false;
    }
    out.say("I'm sorry you're going through that.");
    out.say(
        "If you have any trouble breathing or swallowing, or the swelling is spreading, please call 911 or go to the nearest emergency room right away.",
    );
    true
}

/// Greetings, thanks and what the receptionist cannot do, when no task is in hand.
pub fn small_talk(heard: &Heard, facts: &Facts, out: &mut Out) {
    if heard.thanks {
        out.say("You're welcome.");
        anything_else(facts, out);
    } else if heard.greeting {
        out.say("Hello!");
        out.say("How can I help you today?");
    } else {
        out.say("I'm sorry, I can't help with that.");
        out.say(format!(
            "I can book, move or cancel an appointment, take a message, or answer questions about {}.",
            facts.clinic
        ));
        out.say("What can I do for you?");
    }
}
