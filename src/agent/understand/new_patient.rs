//! Whether the caller says they are new to the clinic or have been before.

use super::lexicon::NEW_PATIENT;
use super::text::has_any;

pub fn new_patient(text: &str) -> Option<bool> {
    // "I've never, hmm, been there": a hesitation inside the phrase.
    let text = if text.contains(" hmm ") || text.contains(" hm ") {
        std::borrow::Cow::Owned(text.replace(" hmm ", " ").replace(" hm ", " "))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    NEW_PATIENT
        .iter()
        .find(|(_, phrases)| has_any(&text, phrases))
        .map(|(new, _)| *new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(said: &str) -> Option<bool> {
        new_patient(&crate::agent::understand::text::words(said).text)
    }

    #[test]
    fn new_or_existing() {
        for said in [
            "I'm new",
            "It's my first time",
            "I've never been there",
            "No, I'm a new patient.",
            "It's her first visit",
            "I haven't been there before",
        ] {
            assert_eq!(n(said), Some(true), "{said}");
        }
        for said in [
            "I've been there before",
            "I'm an existing patient",
            "I'm a patient there",
            "I'm not a new patient",
            "I'm a patient of Dr. Chen",
        ] {
            assert_eq!(n(said), Some(false), "{said}");
        }
        assert_eq!(n("I'd like a cleaning"), None);
    }
}
