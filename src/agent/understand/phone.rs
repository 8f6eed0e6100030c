//! A phone number said digit by digit ("five five five, two oh one, oh one two three",
//! "double five"), or written ("555-201-0123", "(555) 201-0123").

use super::numbers::{spoken_digits, word_value};
use crate::booking::PhoneNumber;

fn digit_word(w: &str) -> bool {
    matches!(w, "double" | "triple")
        || (!w.is_empty() && w.len() <= 4 && w.chars().all(|c| c.is_ascii_digit()))
        || word_value(w).is_some_and(|v| v < 10)
}

/// The first unbroken run of 10 or 11 digits, and the words it used.
pub fn phone_number(words: &[&str]) -> Option<(PhoneNumber, std::ops::Range<usize>)> {
    let mut start = 0;
    while start < words.len() {
        if !digit_word(words[start]) {
            start += 1;
            continue;
        }
        let end = words[start..]
            .iter()
            .position(|w| !digit_word(w))
            .map_or(words.len(), |p| start + p);
        let digits = spoken_digits(&words[start..end]);
        if (10..=11).contains(&digits.len())
            && let Ok(phone) = PhoneNumber::parse(&digits)
        {
            return Some((phone, start..end));
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(said: &str) -> Option<String> {
        let w = crate::agent::understand::text::words(said);
        phone_number(&w.views()).map(|(p, _)| p.as_str().to_owned())
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(
            p("five five five, two oh one, oh one two three").as_deref(),
            Some("+15552010123")
        );
        assert_eq!(p("It's 555-201-0123").as_deref(), Some("+15552010123"));
        assert_eq!(p("(555) 201-0123").as_deref(), Some("+15552010123"));
        assert_eq!(
            p("double five five 201 0123").as_deref(),
            Some("+15552010123")
        );
        assert_eq!(p("at nine thirty"), None);
    }
}
