//! Small talk: the clinic's name, the time and date in the clinic's zone, check-ins on
//! silence, thanks and goodbyes, and a polite answer to what the receptionist cannot do.

use chrono::{DateTime, Utc};

use crate::agent::{Ending, TurnKind};
use crate::tenancy::Organization;

/// One turn, as small talk needs it.
pub struct SmallTalk<'a> {
    pub org: &'a Organization,
    pub kind: TurnKind,
    pub reminders_in_a_row: u32,
    pub said: &'a str,
    pub now: DateTime<Utc>,
}

/// What to say, sentence by sentence, and how the turn ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub sentences: Vec<String>,
    pub ending: Ending,
}

impl Plan {
    fn say(sentences: &[&str]) -> Self {
        Self {
            sentences: sentences.iter().map(|s| (*s).to_owned()).collect(),
            ending: Ending::Continue,
        }
    }
}

pub fn plan(turn: &SmallTalk<'_>) -> Plan {
    let clinic = turn.org.name.as_str();
    if turn.kind == TurnKind::Reminder {
        return match turn.reminders_in_a_row {
            0 | 1 => Plan::say(&["Are you still there? Take your time."]),
            2 => Plan::say(&["I'm still here whenever you're ready."]),
            _ => Plan {
                sentences: vec![format!(
                    "It seems we've lost the connection. Please call {clinic} back any time. Goodbye."
                )],
                ending: Ending::EndCall,
            },
        };
    }
    let heard = Words::of(turn.said);
    if heard.is_empty() || heard.has("unintelligible audio") {
        return Plan::say(&[
            "Sorry, I didn't quite catch that.",
            "Could you say it again?",
        ]);
    }
    if heard.has_any(&[
        "bye",
        "goodbye",
        "that's all",
        "that is all",
        "nothing else",
        "hang up",
    ]) {
        return Plan {
            sentences: vec![
                format!("Thank you for calling {clinic}."),
                "Goodbye!".to_owned(),
            ],
            ending: Ending::EndCall,
        };
    }

    let mut sentences = Vec::new();
    let local = turn.org.time_zone.local(turn.now);
    let asks_time = heard.has_any(&["what time", "time is it", "the time", "current time"]);
    let asks_date = heard.has_any(&[
        "what day",
        "the date",
        "today's date",
        "what's the date",
        "which day",
    ]);
    if asks_time {
        sentences.push(format!(
            "It's {} here at {clinic}.",
            local.format("%-I:%M %p")
        ));
    }
    if asks_date {
        sentences.push(format!("Today is {}.", local.format("%A, %B %-d, %Y")));
    }
    if heard.has_any(&[
        "who is this",
        "who am i speaking",
        "who am i talking",
        "what office",
        "which office",
        "what clinic",
        "which clinic",
        "what practice",
        "which practice",
        "name of",
        "did i call",
        "have i reached",
        "where am i calling",
    ]) {
        sentences.push(format!("You've reached {clinic}."));
    }
    if !sentences.is_empty() {
        sentences.push("Is there anything else I can help you with?".to_owned());
        return Plan {
            sentences,
            ending: Ending::Continue,
        };
    }
    if heard.has_any(&["thank you", "thanks"]) {
        return Plan::say(&[
            "You're welcome.",
            "Is there anything else I can help you with?",
        ]);
    }
    if heard.starts_with_any(&[
        "hello",
        "hi",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
    ]) && heard.len() <= 4
    {
        return Plan::say(&["Hello!", "How can I help you today?"]);
    }
    Plan {
        sentences: vec![
            "I'm sorry, I can't help with that.".to_owned(),
            format!(
                "I can book, move or cancel an appointment, or answer questions about {clinic}."
            ),
            "What can I do for you?".to_owned(),
        ],
        ending: Ending::Continue,
    }
}

/// An utterance reduced to lowercase words, so phrases match on word boundaries.
struct Words(String);

impl Words {
    fn of(text: &str) -> Self {
        let mut normalized = String::with_capacity(text.len() + 2);
        normalized.push(' ');
        for word in text
            .split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty())
        {
            normalized.push_str(&word.to_lowercase());
            normalized.push(' ');
        }
        Self(normalized)
    }

    fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    fn len(&self) -> usize {
        self.0.split_whitespace().count()
    }

    fn has(&self, phrase: &str) -> bool {
        self.0.contains(&format!(" {phrase} "))
    }

    fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    fn starts_with_any(&self, phrases: &[&str]) -> bool {
        phrases
            .iter()
            .any(|p| self.0.starts_with(&format!(" {p} ")))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::tenancy::{NewOrganization, OrgId, Organization, Slug, TimeZone};

    struct Turn {
        org: Organization,
        kind: TurnKind,
        said: String,
        reminders_in_a_row: u32,
        now: DateTime<Utc>,
    }

    fn plan(turn: &Turn) -> Plan {
        super::plan(&SmallTalk {
            org: &turn.org,
            kind: turn.kind,
            reminders_in_a_row: turn.reminders_in_a_row,
            said: &turn.said,
            now: turn.now,
        })
    }

    fn turn(kind: TurnKind, said: &str, zone: &str) -> Turn {
        let new = NewOrganization::new(
            "Bright Smiles",
            Slug::parse("bright").expect("slug"),
            TimeZone::parse(zone).expect("zone"),
        )
        .expect("org");
        let org = Organization {
            id: OrgId::new_random(),
            name: new.name,
            slug: new.slug,
            time_zone: new.time_zone,
            greeting: None,
            instructions: None,
            created_at: Utc::now(),
        };
        Turn {
            org,
            kind,
            said: said.to_owned(),
            reminders_in_a_row: u32::from(kind == TurnKind::Reminder),
            // 2026-03-03 03:30 UTC: still March 2 in Chicago, already March 3 in Tokyo.
            now: Utc
                .with_ymd_and_hms(2026, 3, 3, 3, 30, 0)
                .single()
                .expect("time"),
        }
    }

    fn spoken(plan: &Plan) -> String {
        plan.sentences.join(" ")
    }

    #[test]
    fn tells_the_time_and_date_in_the_clinics_zone() {
        let chicago = plan(&turn(
            TurnKind::Response,
            "What time is it? And what's the date?",
            "America/Chicago",
        ));
        assert!(
            spoken(&chicago).contains("It's 9:30 PM"),
            "{}",
            spoken(&chicago)
        );
        assert!(
            spoken(&chicago).contains("Monday, March 2, 2026"),
            "{}",
            spoken(&chicago)
        );
        let tokyo = plan(&turn(
            TurnKind::Response,
            "what day is it today",
            "Asia/Tokyo",
        ));
        assert!(
            spoken(&tokyo).contains("Tuesday, March 3, 2026"),
            "{}",
            spoken(&tokyo)
        );
    }

    #[test]
    fn names_the_office_and_says_goodbye() {
        let name = plan(&turn(
            TurnKind::Response,
            "Sorry, which office have I reached?",
            "UTC",
        ));
        assert!(spoken(&name).contains("You've reached Bright Smiles."));
        let bye = plan(&turn(TurnKind::Response, "No that's all, bye.", "UTC"));
        assert_eq!(bye.ending, Ending::EndCall);
    }

    #[test]
    fn checks_in_on_silence_without_repeating_itself() {
        let mut silent = turn(TurnKind::Reminder, "", "UTC");
        let first = plan(&silent);
        silent.reminders_in_a_row = 2;
        let second = plan(&silent);
        silent.reminders_in_a_row = 3;
        let third = plan(&silent);
        assert_ne!(first, second);
        assert!(spoken(&first).contains("still there"));
        assert_eq!(third.ending, Ending::EndCall);
    }

    #[test]
    fn asks_again_on_unintelligible_audio_and_falls_back_politely() {
        let unclear = plan(&turn(TurnKind::Response, "(unintelligible audio)", "UTC"));
        assert!(spoken(&unclear).contains("didn't quite catch"));
        let other = plan(&turn(TurnKind::Response, "Can you fix my car?", "UTC"));
        assert!(spoken(&other).contains("can't help with that"));
        assert_eq!(other.ending, Ending::Continue);
        // "this" must not read as "hi"
        let hi = plan(&turn(TurnKind::Response, "this thing", "UTC"));
        assert!(!spoken(&hi).starts_with("Hello"));
    }
}
