//! Questions about the office: hours, address, phone, providers, services, the time or date,
//! who this is; and topics the clinic's data cannot answer (insurance, prices, parking,
//! payment, other).

use super::heard::{Question, Topic};
use super::lexicon::{QUESTIONS, UNANSWERABLE};
use super::text::{has_any, starts_with_any};

/// How questions open, for a question the tables do not know.
const QUESTION_OPENERS: &[&str] = &[
    "what",
    "what's",
    "when",
    "where",
    "why",
    "how",
    "who",
    "which",
    "do you",
    "does",
    "is there",
    "are there",
    "are you",
    "can i",
    "can you",
    "could you",
    "will",
    "would you",
];

/// The utterance opens like a question ("what...", "sorry, how much...", "oh before I forget,
/// what time..."): a question word among its first few words.
pub fn opens_question(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().take(6).collect();
    (0..words.len()).any(|i| {
        QUESTION_OPENERS
            .iter()
            .any(|q| super::text::phrase_at(&words, i, q))
    })
}

/// The questions asked. `understood` when the utterance carried anything else the
/// receptionist can act on; otherwise a question the tables do not know is `Other`.
pub fn questions(text: &str, question_mark: bool, understood: bool) -> Vec<Question> {
    let mut asked: Vec<Question> = Vec::new();
    for (topic, phrases) in UNANSWERABLE {
        if has_any(text, phrases) {
            asked.push(Question::Unanswerable(*topic));
        }
    }
    let unanswerable = !asked.is_empty();
    for (question, phrases) in QUESTIONS {
        // "do you do payment plans" asks about payment, not the services.
        if *question == Question::Services && unanswerable {
            continue;
        }
        if has_any(text, phrases) {
            asked.push(*question);
        }
    }
    // Insurance words in a statement ("my insurance changed") still need an answer we lack.
    let asks = question_mark || starts_with_any(text, QUESTION_OPENERS);
    if asked.is_empty() && asks && !understood {
        asked.push(Question::Unanswerable(Topic::Other));
    }
    asked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(said: &str) -> Vec<Question> {
        let w = crate::agent::understand::text::words(said);
        questions(&w.text, w.question_mark, false)
    }

    #[test]
    fn office_questions() {
        assert_eq!(q("What are your hours on Friday?"), [Question::Hours]);
        assert_eq!(q("Where are you located?"), [Question::Address]);
        assert_eq!(q("What's your phone number?"), [Question::Phone]);
        assert_eq!(q("Which dentists work there?"), [Question::Providers]);
        assert_eq!(q("What services do you offer?"), [Question::Services]);
        assert_eq!(q("What time is it?"), [Question::Time]);
        assert_eq!(q("What's the date today?"), [Question::Date]);
        assert_eq!(q("Who am I speaking with?"), [Question::Who]);
        assert_eq!(q("Are you open on Saturday?"), [Question::Hours]);
    }

    #[test]
    fn questions_we_cannot_answer() {
        let u = Question::Unanswerable;
        assert_eq!(q("Do you take Delta Dental?"), [u(Topic::Insurance)]);
        assert_eq!(q("How much is a cleaning?"), [u(Topic::Price)]);
        assert_eq!(q("Is there parking?"), [u(Topic::Parking)]);
        assert_eq!(q("Do you do payment plans?"), [u(Topic::Payment)]);
        assert_eq!(q("Do you accept walk-ins?"), [u(Topic::Other)]);
        assert_eq!(q("Is the building haunted?"), [u(Topic::Other)]);
        assert!(q("I'd like to book a cleaning").is_empty());
    }
}
