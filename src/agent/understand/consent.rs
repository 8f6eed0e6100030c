//! Yes, no or "hold on". Safety rules depend on `Yes`, so it is the hardest to reach: any
//! negation anywhere is `No`, any hesitation or change request is `Hold`, and only an
//! unambiguous affirmation is `Yes`.

use super::heard::Consent;
use super::lexicon::{
    HOLD_IDIOMS, HOLDS, NEGATIONS, NOT_CONSENT, YES_ANYWHERE, YES_IDIOMS, YES_OPENERS,
};
use super::text::{find_phrase, phrase_at, phrase_len};

/// Soft words before an answer: "oh yes", "well, sure", "and yeah".
const LEAD_INS: &[&str] = &[
    "oh", "well", "so", "and", "ah", "hey", "alright", "okay", "ok", "yes", "yeah",
];

/// Marks every occurrence of the phrases among unmarked words; true if any was found.
fn claim(words: &[&str], claimed: &mut [bool], phrases: &[&str]) -> bool {
    let mut found = false;
    for phrase in phrases {
        let len = phrase_len(phrase);
        for at in find_phrase(words, phrase) {
            if claimed[at..at + len].iter().all(|c| !c) {
                claimed[at..at + len].iter_mut().for_each(|c| *c = true);
                found = true;
            }
        }
    }
    found
}

/// Any of the phrases among unclaimed words.
fn any_free(words: &[&str], claimed: &[bool], phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| {
        let len = phrase_len(phrase);
        find_phrase(words, phrase).any(|at| claimed[at..at + len].iter().all(|c| !c))
    })
}

/// The answer to a yes/no question, if the utterance is one. `question` when the caller
/// asked something back ("yes, is that with Dr. Chen?"), which holds a yes.
pub fn consent(words: &[&str], question: bool) -> Option<Consent> {
    let mut claimed = vec![false; words.len()];
    claim(words, &mut claimed, NOT_CONSENT);
    // Hesitations are claimed before agreements: where they share a word ("why not not yet",
    // its repeated word collapsed to "why not yet"), the hold wins.
    let hedged = claim(words, &mut claimed, HOLD_IDIOMS);
    let idiom_yes = claim(words, &mut claimed, YES_IDIOMS);
    if any_free(words, &claimed, NEGATIONS) {
        return Some(Consent::No);
    }
    if hedged || any_free(words, &claimed, HOLDS) {
        return Some(Consent::Hold);
    }
    // An opener counts among the lead-ins or as the first real word.
    let start = words
        .iter()
        .position(|w| !LEAD_INS.contains(w))
        .unwrap_or(words.len().saturating_sub(1));
    let opens_yes = (0..=start.min(words.len().saturating_sub(1))).any(|at| {
        !words.is_empty() && !claimed[at] && YES_OPENERS.iter().any(|p| phrase_at(words, at, p))
    });
    let yes = opens_yes || idiom_yes || any_free(words, &claimed, YES_ANYWHERE);
    match yes {
        true if question => Some(Consent::Hold),
        true => Some(Consent::Yes),
        false => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::understand::text;

    fn c(s: &str) -> Option<Consent> {
        let w = text::words(s);
        consent(&w.views(), w.question_mark)
    }

    #[test]
    fn plain_affirmations_are_yes() {
        for said in [
            "yes",
            "Yeah that's right",
            "sure, go ahead",
            "sounds good",
            "Perfect, book it.",
            "yes please",
            "that works",
            "mm-hmm",
            "Correct.",
            "sure, why not",
            "no problem, go ahead",
            "that's fine",
            "Okay.",
            "oh yeah",
            "Um, yes.",
            "uh huh",
            "Sí.",
            "Yep, that's correct.",
        ] {
            assert_eq!(c(said), Some(Consent::Yes), "{said}");
        }
    }

    #[test]
    fn negations_are_no() {
        for said in [
            "no",
            "nope",
            "No, don't book it yet.",
            "that's not right",
            "not that one",
            "don't",
            "I'd rather not",
            "no thanks",
            "Yes. No, wait.",
            "yeah no",
            "Never mind.",
        ] {
            assert_eq!(c(said), Some(Consent::No), "{said}");
        }
    }

    #[test]
    fn hesitations_hold() {
        for said in [
            "wait",
            "hold on",
            "not yet",
            "actually",
            "let me think",
            "hmm I'm not sure",
            "maybe",
            "I guess",
            "yes but can it be later",
            "one sec",
            "let me check my calendar",
            "Yes, is that with Dr. Chen?",
            "I don't know",
            "I think so",
            // Found by the proptest: the repeated "not" collapses into "why not yet".
            "sure, why not, not yet",
            "no problem, not sure",
        ] {
            assert_eq!(c(said), Some(Consent::Hold), "{said}");
        }
    }

    #[test]
    fn other_talk_is_no_answer() {
        for said in [
            "Good morning",
            "I'd like to book a cleaning",
            "Ann Rivera",
            "Tuesday",
        ] {
            assert_eq!(c(said), None, "{said}");
        }
    }
}
