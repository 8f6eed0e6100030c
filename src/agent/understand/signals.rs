//! Small signals in an utterance: goodbye, thanks, a greeting, asking for a person or to
//! leave a message, asking to repeat, earlier/later/soonest, and corrections.

use super::lexicon::{
    CORRECTIONS, EARLIER, GOODBYES, GREETINGS, LATER, NOT_LATER, NOT_SOONEST, REPEATS, SOONEST,
    THANKS, WANTS_MESSAGE, WANTS_PERSON,
};
use super::text::{has_any, starts_with_any};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Signals {
    pub goodbye: bool,
    pub thanks: bool,
    pub greeting: bool,
    pub wants_person: bool,
    pub wants_message: bool,
    pub repeat: bool,
    pub earlier: bool,
    pub later: bool,
    pub soonest: bool,
    pub correction: bool,
}

pub fn signals(text: &str, words: usize, question_mark: bool) -> Signals {
    let thanks = has_any(text, THANKS);
    let refuses = starts_with_any(text, &["no", "nope", "nah"]);
    Signals {
        // "No thanks" alone closes the call as surely as "bye".
        goodbye: has_any(text, GOODBYES) || (refuses && thanks && words <= 5),
        thanks,
        greeting: starts_with_any(text, GREETINGS),
        wants_person: has_any(text, WANTS_PERSON),
        wants_message: has_any(text, WANTS_MESSAGE),
        repeat: has_any(text, REPEATS)
            || (question_mark && words <= 2 && has_any(text, &["sorry", "what", "huh", "pardon"])),
        earlier: has_any(text, EARLIER),
        later: has_any(text, LATER) && !has_any(text, NOT_LATER),
        soonest: has_any(text, SOONEST) && !has_any(text, NOT_SOONEST),
        correction: has_any(text, CORRECTIONS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(said: &str) -> Signals {
        let w = crate::agent::understand::text::words(said);
        signals(&w.text, w.lower.len(), w.question_mark)
    }

    #[test]
    fn reads_signals() {
        assert!(s("No, that's all, thanks. Bye!").goodbye);
        assert!(s("no thank you").goodbye);
        assert!(s("Thanks so much").thanks);
        assert!(s("Hi, I'd like to book a cleaning").greeting);
        assert!(s("Can I talk to a real person?").wants_person);
        assert!(s("Can I leave a message for Dr. Chen?").wants_message);
        assert!(s("Could you have someone call me back?").wants_message);
        assert!(s("Sorry?").repeat);
        assert!(s("Can you repeat that?").repeat);
        assert!(s("Anything earlier?").earlier);
        assert!(s("Something a little later").later);
        assert!(!s("I'll call back later").later);
        assert!(s("As soon as possible please").soonest);
        assert!(s("Actually, make it Thursday").correction);
        assert!(s("No wait, I meant Friday").correction);
        assert!(s("Sorry, I said Rivera").correction);
    }
}
