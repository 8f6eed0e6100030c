//! Which offered option the caller picks: "the second one", "the last one", "the earlier
//! one", "option two", "either is fine".

use super::heard::Choice;
use super::lexicon::{CHOICE_ANY, CHOICE_LAST, CHOICE_ORDINALS};
use super::numbers::word_value;
use super::text::has_any;

/// "the last" that is not a pick.
const NOT_LAST: &[&str] = &[
    "the last time",
    "the last visit",
    "the last appointment",
    "the last cleaning",
    "the last week",
];

/// Words after an ordinal that make it an option.
const OPTION_WORDS: &[&str] = &[
    "one",
    "option",
    "slot",
    "time",
    "choice",
    "appointment",
    "opening",
];

pub fn choice(words: &[&str], text: &str, choosing: bool) -> Option<Choice> {
    if has_any(text, CHOICE_ANY) {
        return Some(Choice::Any);
    }
    if has_any(text, CHOICE_LAST) && !has_any(text, NOT_LAST) {
        return Some(Choice::Last);
    }
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let prev = if i > 0 { words[i - 1] } else { "" };
        // "option two", "number three"
        if matches!(*w, "option" | "number" | "choice")
            && let Some(n) = word_value(next)
                .or_else(|| next.parse().ok())
                .filter(|n| (1..=9).contains(n))
        {
            return Some(Choice::Nth(n as usize));
        }
        let Some((_, n)) = CHOICE_ORDINALS.iter().find(|(o, _)| o == w) else {
            continue;
        };
        // "the second one"; "the second" alone only while choosing ("the second of March" is
        // a date, "first thing" a part of the day, "first time" a new patient).
        let option = OPTION_WORDS.contains(&next) && !(next == "time" && *w == "first");
        let bare = choosing
            && (prev == "the" || i == 0)
            && matches!(
                next,
                "" | "please" | "works" | "is" | "sounds" | "would" | "then"
            );
        if option || bare {
            return Some(Choice::Nth(*n));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(said: &str, choosing: bool) -> Option<Choice> {
        let w = crate::agent::understand::text::words(said);
        choice(&w.views(), &w.text, choosing)
    }

    #[test]
    fn picks() {
        assert_eq!(c("The second one, please.", false), Some(Choice::Nth(2)));
        assert_eq!(c("the last one", false), Some(Choice::Last));
        assert_eq!(c("the earlier one", false), Some(Choice::Nth(1)));
        assert_eq!(c("the later one", false), Some(Choice::Last));
        assert_eq!(c("option two", false), Some(Choice::Nth(2)));
        assert_eq!(c("the first", true), Some(Choice::Nth(1)));
        assert_eq!(c("Second.", true), Some(Choice::Nth(2)));
        assert_eq!(c("either one is fine", false), Some(Choice::Any));
        assert_eq!(c("the middle one", false), Some(Choice::Nth(2)));
        assert_eq!(c("first thing in the morning", true), None);
        assert_eq!(c("it's my first time", true), None);
        assert_eq!(c("the second of march", true), None);
        assert_eq!(c("the first available", false), None);
    }
}
