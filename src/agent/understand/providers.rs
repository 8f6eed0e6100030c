//! The provider the caller names ("with Dr. Chen", "Doctor Patel", "the hygienist Maria",
//! "Dr. Chan" for Chen), as an index into the clinic's providers. Sound-alike matches need
//! a word of four letters or more that is not a common word, or a title before it.

use super::names::never_a_name;
use super::phonetic::{distance, soundex};

/// Words in provider names that are titles, not names.
const TITLES: &[&str] = &[
    "dr",
    "doctor",
    "dds",
    "dmd",
    "md",
    "rdh",
    "phd",
    "hygienist",
    "mr",
    "mrs",
    "ms",
    "miss",
    "prof",
    "jr",
    "sr",
];
/// Words before a name that point to a provider.
const PROVIDER_CUES: &[&str] = &[
    "dr",
    "doctor",
    "doc",
    "hygienist",
    "with",
    "see",
    "prefer",
    "dentist",
];
/// Common words that sound like names ("then" is one letter from "chen").
const COMMON: &[&str] = &[
    "then", "when", "than", "can", "man", "pan", "van", "day", "way", "may", "morning", "time",
    "next", "week", "work", "works", "good", "sure", "well", "will", "mark", "bill", "rose",
    "grace", "hope", "park", "lane", "best", "soon", "sooner", "later", "early", "after", "before",
    "friday", "monday", "sunday", "more", "lie", "young", "white", "brown", "green", "black",
    "gray", "grey", "king", "long", "short", "little", "small", "hall", "wood", "rich", "price",
    "cross", "love", "hart", "heart", "fox", "bush", "stone", "hill", "field", "bell", "ball",
    "page", "hunt", "hunter", "carter", "baker", "cook", "miller", "walker", "turner", "mason",
    "smith", "wise", "sharp", "swift", "strong", "golden",
];

/// Each provider's name words, lowercase, without titles.
fn name_words(provider: &str) -> Vec<String> {
    super::text::words(provider)
        .lower
        .into_iter()
        .filter(|w| {
            !TITLES.contains(&w.as_str())
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        })
        .collect()
}

fn common(w: &str) -> bool {
    never_a_name(w) || COMMON.contains(&w) || super::calendar::weekday_of(w).is_some()
}

/// How well `word` names `part`: 3 exact, 2 one letter off, 1 sounds alike; 0 not at all.
fn score(word: &str, part: &str, cued: bool) -> u32 {
    if word == part {
        return if common(word) && !cued { 0 } else { 3 };
    }
    let long = word.chars().count() >= 4 && part.chars().count() >= 4;
    if common(word) || !(long || cued && word.chars().count() >= 3) {
        return 0;
    }
    if distance(word, part) <= 1 {
        return 2;
    }
    let same_start = word.chars().next() == part.chars().next();
    if cued && same_start && soundex(word).is_some() && soundex(word) == soundex(part) {
        return 1;
    }
    0
}

/// The provider named; `skip` holds word indices that are the caller's own name.
pub fn provider(words: &[&str], providers: &[String], skip: &[usize]) -> Option<usize> {
    if providers.is_empty() {
        return None;
    }
    let parts: Vec<Vec<String>> = providers.iter().map(|p| name_words(p)).collect();
    let mut best: Option<(u32, usize)> = None;
    let mut tied = false;
    for (i, word) in words.iter().enumerate() {
        let cued = i > 0 && PROVIDER_CUES.contains(&words[i - 1])
            || i > 1 && PROVIDER_CUES.contains(&words[i - 2]) && words[i - 1] == "the";
        let title = i > 0 && matches!(words[i - 1], "dr" | "doctor" | "doc");
        if skip.contains(&i) && !title {
            continue;
        }
        for (p, names) in parts.iter().enumerate() {
            let s = names
                .iter()
                .map(|n| score(word, n, cued))
                .max()
                .unwrap_or(0);
            if s == 0 {
                continue;
            }
            let s = s * 2 + u32::from(cued);
            match best {
                Some((b, bp)) if s == b && bp != p => tied = true,
                Some((b, _)) if s <= b => {}
                _ => {
                    best = Some((s, p));
                    tied = false;
                }
            }
        }
    }
    if tied { None } else { best.map(|(_, p)| p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn providers() -> Vec<String> {
        [
            "Dr. Sarah Chen",
            "Maria Lopez, RDH",
            "Dr. Raj Patel",
            "Dr. James Young",
        ]
        .map(String::from)
        .to_vec()
    }

    fn who(said: &str) -> Option<usize> {
        let w = crate::agent::understand::text::words(said);
        provider(&w.views(), &providers(), &[])
    }

    #[test]
    fn providers_by_name_or_sound() {
        assert_eq!(who("Can I see Dr. Chen?"), Some(0));
        assert_eq!(who("with doctor chan please"), Some(0));
        assert_eq!(who("Doctor Patel"), Some(2));
        assert_eq!(who("Maria"), Some(1));
        assert_eq!(who("the hygienist Maria"), Some(1));
        assert_eq!(who("Sarah"), Some(0));
        assert_eq!(who("Dr. Young"), Some(3));
        assert_eq!(who("I'm young at heart"), None);
        assert_eq!(who("then next week"), None);
        assert_eq!(who("when can I come"), None);
        assert_eq!(who("I'd like a cleaning"), None);
    }
}
