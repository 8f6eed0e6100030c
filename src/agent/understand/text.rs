//! A transcript as words: lowercase, punctuation gone but sentence ends remembered, the
//! caller's own casing kept for names, fillers and transcription markers dropped.

/// Words too empty to mean anything; dropped so "nine um thirty" reads as "nine thirty".
const FILLERS: &[&str] = &[
    "um", "umm", "ummm", "uh", "uhh", "uhm", "erm", "er", "ah", "ahh", "eh",
];

/// Characters that end a sentence (a name never runs across one).
const SENTENCE_ENDS: &[char] = &['.', '?', '!', ';', '¿', '¡', '…'];
/// Words written with a period that does not end the sentence.
const ABBREVIATIONS: &[&str] = &["dr", "mr", "mrs", "ms", "st", "jr", "sr", "mt"];
/// Characters that only separate words.
const SEPARATORS: &[char] = &[
    ',', '"', '(', ')', '[', ']', '{', '}', '*', '+', '—', '–', '“', '”', '=', '|', '#', '$', '%',
    '&', '_', '~', '`', '^', '\\', '@',
];

#[derive(Debug, Default)]
pub struct Words {
    /// Lowercase words, single spaces, a space at each end.
    pub text: String,
    /// The same words.
    pub lower: Vec<String>,
    /// Each word as the transcript cased it.
    pub raw: Vec<String>,
    /// A sentence ends after this word.
    pub sentence_end: Vec<bool>,
    /// The transcript held a marker such as "(unintelligible audio)".
    pub marker: bool,
    /// The transcript held a question mark.
    pub question_mark: bool,
    /// The last word was a dropped "uh" (kept if "huh" follows: "uh huh" is a yes).
    dropped_uh: bool,
}

impl Words {
    pub fn views(&self) -> Vec<&str> {
        self.lower.iter().map(String::as_str).collect()
    }
}

/// Removes bracketed transcription markers ("(inaudible)", "[noise]") but keeps bracketed
/// digits, which are phone area codes: "(555) 201-0123".
fn strip_markers(raw: &str) -> (String, bool) {
    let mut out = String::with_capacity(raw.len());
    let mut marker = false;
    let mut rest = raw;
    while let Some(open) = rest.find(['(', '[', '<', '{']) {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find([')', ']', '>', '}']) {
            Some(close) => {
                let inside = &after[..close];
                if inside.chars().any(char::is_alphabetic) {
                    marker = true;
                    out.push(' ');
                } else {
                    out.push(' ');
                    out.push_str(inside);
                    out.push(' ');
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push(' ');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, marker)
}

/// "a.m." → "am" and "p.m." → "pm", so the periods do not end a sentence.
fn meridiems(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_word = i == 0 || !chars[i - 1].is_alphabetic();
        if starts_word
            && matches!(c, 'a' | 'A' | 'p' | 'P')
            && chars.get(i + 1) == Some(&'.')
            && matches!(chars.get(i + 2), Some('m' | 'M'))
            && chars.get(i + 3).is_none_or(|n| !n.is_alphanumeric())
        {
            out.push(c.to_ascii_lowercase());
            out.push('m');
            i += if chars.get(i + 3) == Some(&'.') { 4 } else { 3 };
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Splits "10am" into "10" and "am", "555-201-0123" into its digit groups.
fn push_token(words: &mut Words, raw: &str) {
    let raw = raw.trim_matches(|c: char| matches!(c, '-' | ':' | '/' | '\'' | '.'));
    if raw.is_empty() {
        return;
    }
    let lower = raw.to_lowercase();
    if FILLERS.contains(&lower.as_str()) {
        words.dropped_uh = lower == "uh";
        return;
    }
    // "The first one's fine": "one is".
    if lower == "one's" {
        push_word(words, "one".to_owned(), "one".to_owned());
        push_word(words, "is".to_owned(), "is".to_owned());
        return;
    }
    if std::mem::take(&mut words.dropped_uh) && lower == "huh" {
        push_word(words, "uh-huh".to_owned(), "uh-huh".to_owned());
        return;
    }
    if lower.contains('-') && lower.chars().all(|c| c.is_ascii_digit() || c == '-') {
        for part in raw.split('-').filter(|p| !p.is_empty()) {
            push_word(words, part.to_owned(), part.to_owned());
        }
        return;
    }
    // "10am", "10:30pm": digits then a meridiem.
    let digits_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(lower.len());
    if digits_end > 0
        && lower.starts_with(|c: char| c.is_ascii_digit())
        && matches!(&lower[digits_end..], "am" | "pm")
    {
        let meridiem = lower[digits_end..].to_owned();
        push_word(
            words,
            lower[..digits_end].to_owned(),
            lower[..digits_end].to_owned(),
        );
        push_word(words, meridiem.clone(), meridiem);
        return;
    }
    push_word(words, lower, raw.to_owned());
}

fn push_word(words: &mut Words, lower: String, raw: String) {
    // "the fourteenth fourteenth of February", "make make an appointment": a word said twice
    // in a row is said once. Numbers and letters stay ("five five five", "L L"), and so do
    // words a sentence end separates.
    let repeated = words.lower.last() == Some(&lower)
        && words.sentence_end.last() == Some(&false)
        // Spelled letters repeat ("M I L L E R").
        && lower.chars().count() > 1
        && lower.chars().all(char::is_alphabetic)
        && super::numbers::word_value(&lower).is_none()
        // A negation said twice may belong to two phrases ("why not, not yet").
        && !matches!(lower.as_str(), "bye" | "no" | "not" | "nope" | "never" | "don't");
    if repeated {
        return;
    }
    words.lower.push(lower);
    words.raw.push(raw);
    words.sentence_end.push(false);
}

/// The words of a transcript.
pub fn words(raw: &str) -> Words {
    let (cleaned, marker) = strip_markers(raw);
    let cleaned = meridiems(&cleaned);
    let mut words = Words {
        marker,
        question_mark: raw.contains(['?', '¿']),
        ..Words::default()
    };
    let mut token = String::new();
    for c in cleaned.chars() {
        let c = match c {
            '’' | '‘' | '`' | 'ʼ' => '\'',
            other => other,
        };
        if c.is_whitespace() || SEPARATORS.contains(&c) || SENTENCE_ENDS.contains(&c) {
            // "Dr. Chen" is one sentence.
            let title = c == '.' && ABBREVIATIONS.contains(&token.to_lowercase().as_str());
            if !token.is_empty() {
                push_token(&mut words, &token);
                token.clear();
            }
            if SENTENCE_ENDS.contains(&c)
                && !title
                && let Some(last) = words.sentence_end.last_mut()
            {
                *last = true;
            }
            continue;
        }
        token.push(c);
    }
    if !token.is_empty() {
        push_token(&mut words, &token);
    }
    let mut text = String::with_capacity(cleaned.len() + 2);
    text.push(' ');
    for word in &words.lower {
        text.push_str(word);
        text.push(' ');
    }
    words.text = text;
    words
}

/// `text` (spaces at both ends) contains `phrase` as whole words. A byte scan: texts are
/// short and phrases many, so a substring searcher's setup would cost more than the search.
pub fn has(text: &str, phrase: &str) -> bool {
    let (t, p) = (text.as_bytes(), phrase.as_bytes());
    let Some(&first) = p.first() else {
        return false;
    };
    if p.len() + 2 > t.len() {
        return false;
    }
    (1..t.len() - p.len()).any(|i| {
        t[i] == first && t[i - 1] == b' ' && t[i + p.len()] == b' ' && &t[i..i + p.len()] == p
    })
}

pub fn has_any(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| has(text, p))
}

/// `text` starts with one of `phrases` as whole words.
pub fn starts_with_any(text: &str, phrases: &[&str]) -> bool {
    let text = text.strip_prefix(' ').unwrap_or(text);
    phrases
        .iter()
        .any(|p| text.starts_with(p) && text[p.len()..].starts_with(' '))
}

/// The phrase's words match `words` at `at`.
pub fn phrase_at(words: &[&str], at: usize, phrase: &str) -> bool {
    let mut n = 0;
    for part in phrase.split(' ') {
        if words.get(at + n) != Some(&part) {
            return false;
        }
        n += 1;
    }
    n > 0
}

/// Every position where `phrase` starts in `words`.
pub fn find_phrase<'a>(words: &'a [&str], phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
    let first = phrase.split(' ').next().unwrap_or("");
    (0..words.len()).filter(move |&i| words[i] == first && phrase_at(words, i, phrase))
}

pub fn phrase_len(phrase: &str) -> usize {
    phrase.split(' ').count()
}

/// "o'brien" → "O'Brien", "garcía-lópez" → "García-López", "mcdonald" → "McDonald".
pub fn capitalized(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    let mut seen = String::new();
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        seen.push(c);
        // A new part starts after a hyphen, after "o'"/"d'", and after "mc".
        start = c == '-'
            || (c == '\'' && seen.chars().count() <= 2)
            || seen.eq_ignore_ascii_case("mc") && word.chars().count() > 4;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_transcripts() {
        let w = words("Um, 10am works. My number's (555) 201-0123!");
        assert_eq!(w.text, " 10 am works my number's 555 201 0123 ");
        assert!(w.sentence_end[2]);
        let w = words("Is 2:30 p.m. OK? Sure A.M.");
        assert_eq!(w.text, " is 2:30 pm ok sure am ");
        let w = words("(unintelligible audio)");
        assert!(w.marker && w.lower.is_empty());
        let w = words("It’s O’Brien, ¿habla español?");
        assert_eq!(w.text, " it's o'brien habla español ");
        assert_eq!(w.raw[1], "O'Brien");
        assert!(w.question_mark);
        assert_eq!(words("'82").text, " 82 ");
        assert_eq!(words("Uh huh.").text, " uh-huh ");
        assert_eq!(words("uh, yes").text, " yes ");
        assert_eq!(
            words("the fourteenth fourteenth of May, five five").text,
            " the fourteenth of may five five "
        );
    }

    #[test]
    fn finds_whole_words() {
        assert!(has(" next week please ", "next week"));
        assert!(!has(" reschedule ", "schedule"));
        assert!(starts_with_any(" yes please ", &["yes"]));
        assert!(!starts_with_any(" yesterday ", &["yes"]));
        let w = ["no", "thanks", "no"];
        assert_eq!(find_phrase(&w, "no").collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn capitalizes_names() {
        assert_eq!(capitalized("o'brien"), "O'Brien");
        assert_eq!(capitalized("garcía-lópez"), "García-López");
        assert_eq!(capitalized("mcdonald"), "McDonald");
        assert_eq!(capitalized("siobhan"), "Siobhan");
        assert_eq!(capitalized("al-rashid"), "Al-Rashid");
    }
}
