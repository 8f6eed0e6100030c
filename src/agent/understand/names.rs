//! People's names: after a cue ("my name is", "this is", "last name Rivera", "my daughter
//! Emma", "his name is Liam Walsh"), or as the whole answer when a name was asked for.
//! Names of any origin: hyphens and apostrophes kept, particles joined ("van der Berg"),
//! spelled letters joined and preferred over the word they spell.
//!
//! One file, longer than most: one parser, whose rules read best side by side.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::calendar::{full_month, weekday_of};
use super::heard::{PersonName, Relation};
use super::lexicon::{
    NAME_AFTER_CUES, NAME_CUES, NAME_PARTICLES, NOT_NAMES, NameCue, RELATIONS, SERVICES,
};
use super::numbers::{cardinal_value, ordinal_value, word_value};
use super::phonetic::sounds_alike;
use super::spelled::{Piece, join};
use super::text::capitalized;

/// Verbs after "my wife", "my friend" that tell who recommended the clinic, not the patient.
const MENTIONED_BY: &[&str] = &[
    "goes",
    "go",
    "went",
    "said",
    "says",
    "told",
    "tells",
    "recommended",
    "recommends",
    "referred",
    "refers",
    "works",
    "mentioned",
    "suggested",
    "loves",
    "likes",
    "uses",
    "sees",
    "saw",
    "used",
    "comes",
    "came",
    "gave",
    "found",
];

/// Words an answer may open with before the name: "yeah, it's...", "sure, Ann Rivera".
const LEAD_INS: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "sure",
    "okay",
    "ok",
    "so",
    "well",
    "oh",
    "hi",
    "hello",
    "hey",
    "right",
    "sorry",
    "it's",
    "its",
    "it",
    "is",
    "that's",
    "um",
    "uh",
    "absolutely",
    "of",
    "course",
    "name",
    "my",
    "the",
];
/// Words between a name and its spelling: "Rivera, that's R I V E R A".
const SPELL_LEAD_INS: &[&str] = &[
    "that's", "spelled", "spelt", "it's", "spelling", "that", "is", "as",
];

#[derive(Debug, Default, PartialEq)]
pub struct Names {
    pub name: Option<PersonName>,
    pub caller: Option<PersonName>,
    pub relation: Option<Relation>,
    /// Word indices the names came from (so a provider is not read from a caller's name).
    pub words: Vec<usize>,
}

/// A word that may be part of a name.
fn name_like(piece: &Piece) -> bool {
    let w = piece.lower.as_str();
    if piece.taken || w.chars().count() < 2 && !piece.spelled {
        return false;
    }
    let shape = w.chars().next().is_some_and(char::is_alphabetic)
        && w.chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        && !w.ends_with(['\'', '-']);
    shape
        && (piece.spelled
            || !never_a_name(w)
                && !full_month(w)
                && weekday_of(w).is_none()
                && word_value(w).is_none()
                && cardinal_value(&[w]).is_none()
                && ordinal_value(&[w]).is_none()
                && !RELATIONS.iter().any(|(r, _)| *r == w))
}

/// Common words and the words of service phrases, as a set: checked for every word heard.
static NEVER_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let services = SERVICES
        .iter()
        .flat_map(|(_, phrases)| phrases.iter())
        .flat_map(|p| p.split(' '))
        .filter(|w| !matches!(*w, "new" | "my" | "a"));
    NOT_NAMES.iter().copied().chain(services).collect()
});

/// A common word or a service word: never a name.
pub fn never_a_name(w: &str) -> bool {
    NEVER_NAMES.contains(w)
}

fn particle(piece: &Piece) -> bool {
    !piece.spelled && NAME_PARTICLES.contains(&piece.lower.as_str())
}

/// How a word is written in a name: the caller's casing when the transcript cased it,
/// otherwise capitalized.
fn written(piece: &Piece) -> String {
    let has_upper = piece.raw.chars().any(char::is_uppercase);
    let all_upper = !piece.raw.chars().any(char::is_lowercase);
    if particle(piece) && !has_upper {
        piece.lower.clone()
    } else if has_upper && !all_upper {
        piece.raw.clone()
    } else {
        capitalized(&piece.lower)
    }
}

/// Applies a spelled word to the name words before it: it confirms them ("van der Berg,
/// V A N D E R B E R G"), corrects the last one ("Newyen, N G U Y E N"), or adds a part
/// ("Ann, R I V E R A").
fn apply_spelling(parts: &mut Vec<String>, spelled: &str) {
    let joined = |from: usize| -> String {
        parts[from..]
            .iter()
            .flat_map(|p| p.chars())
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let letters: String = spelled.chars().filter(|c| c.is_alphabetic()).collect();
    // It spells the words it follows ("van der Berg"), or any one of them ("Siobhan
    // O'Brien, S I O B H A N").
    let spells = |part: &String| {
        part.chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .eq(letters.chars().flat_map(char::to_lowercase))
    };
    if (0..parts.len()).any(|from| joined(from) == letters) || parts.iter().any(spells) {
        return;
    }
    match parts.last_mut() {
        Some(last) if sounds_alike(&last.to_lowercase(), spelled) => *last = capitalized(spelled),
        _ => parts.push(capitalized(spelled)),
    }
}

/// The name words starting at piece `at`: (words, spelled, pieces used).
fn run(pieces: &[Piece], at: usize) -> (Vec<String>, bool, usize) {
    let mut parts: Vec<String> = Vec::new();
    let mut spelled = false;
    let mut i = at;
    while i < pieces.len() && parts.len() < 5 {
        let piece = &pieces[i];
        // "van der Berg", "Ó Súilleabháin": particles join the name words after them.
        let joins = particle(piece)
            && pieces[i..]
                .iter()
                .take(3)
                .skip(1)
                .any(|p| name_like(p) && !particle(p));
        if !(name_like(piece) || joins) {
            break;
        }
        if piece.spelled {
            if spelled_last(pieces, i) {
                parts.push(capitalized(&piece.lower));
            } else {
                apply_spelling(&mut parts, &piece.lower);
            }
            spelled = true;
        } else {
            parts.push(written(piece));
        }
        i += 1;
        if piece.sentence_end {
            break;
        }
    }
    // "Rivera, that's R I V E R A", "Nguyen. N, G, U, Y, E, N.": a spelling after a lead-in
    // or in a sentence of its own.
    if !parts.is_empty() {
        let mut j = i;
        while pieces
            .get(j)
            .is_some_and(|p| SPELL_LEAD_INS.contains(&p.lower.as_str()))
        {
            j += 1;
        }
        if let Some(piece) = pieces.get(j).filter(|p| p.spelled) {
            apply_spelling(&mut parts, &piece.lower);
            spelled = true;
            i = j + 1;
        }
    }
    (parts, spelled, i - at)
}

/// The longest run of capitalized name words (the last of equals): a name said somewhere in
/// an answer to "what's your name?" ("I told you already, Ann Rivera").
fn capitalized_run(pieces: &[Piece]) -> Option<(Vec<String>, bool, usize, usize)> {
    let mut best: Option<(Vec<String>, bool, usize, usize)> = None;
    let mut i = 0;
    while i < pieces.len() {
        let capital = pieces[i].raw.chars().next().is_some_and(char::is_uppercase)
            && pieces[i].raw != "I"
            && name_like(&pieces[i]);
        if !capital {
            i += 1;
            continue;
        }
        let (parts, spelled, used) = run(pieces, i);
        let used = used.max(1);
        if !parts.is_empty() && best.as_ref().is_none_or(|b| parts.len() >= b.0.len()) {
            best = Some((parts, spelled, i, used));
        }
        i += used;
    }
    best
}

/// The piece before `i` was itself spelled (two spelled words are two names).
fn spelled_last(pieces: &[Piece], i: usize) -> bool {
    i > 0 && pieces[i - 1].spelled
}

/// Splits name words into first and last: particles start the last name.
fn person(parts: &[String], cue: NameCue, spelled: bool) -> PersonName {
    // "Ekaterina, Ekaterina Ivanova", "Miller, M-I-L-L-E-R": a word said again is one word.
    let key = |p: &String| -> String {
        p.chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut unique: Vec<String> = Vec::with_capacity(parts.len());
    for p in parts {
        if !unique.iter().any(|u| key(u) == key(p)) {
            unique.push(p.clone());
        }
    }
    let parts = unique.as_slice();
    let mut name = PersonName {
        spelled,
        ..PersonName::default()
    };
    let particle_at = parts
        .iter()
        .skip(1)
        .position(|p| NAME_PARTICLES.contains(&p.to_lowercase().as_str()))
        .map(|p| p + 1);
    match (cue, parts) {
        (_, []) => {}
        (NameCue::Last, _) => name.last = Some(parts.join(" ")),
        (NameCue::First, [first, ..]) => name.first = Some(first.clone()),
        (_, [only]) => name.first = Some(only.clone()),
        (_, [first, rest @ ..]) if NAME_PARTICLES.contains(&first.to_lowercase().as_str()) => {
            name.last = Some(format!("{first} {}", rest.join(" ")));
        }
        (_, [_, ..]) => {
            // "Mary Beth Thompson": every word before the last name is the first name.
            let last_at = particle_at.unwrap_or(parts.len() - 1);
            name.first = Some(parts[..last_at].join(" "));
            name.last = Some(parts[last_at..].join(" "));
        }
    }
    name
}

/// Fills `into`'s missing parts from `from`.
fn merge(into: &mut Option<PersonName>, from: PersonName) {
    match into {
        None => *into = Some(from),
        Some(name) => {
            if name.first.is_none() {
                name.first = from.first;
            }
            if name.last.is_none() {
                name.last = from.last;
            }
            name.spelled |= from.spelled;
        }
    }
}

struct Found {
    cue: NameCue,
    name: PersonName,
    words: std::ops::Range<usize>,
}

/// Names in the utterance. `expecting` when the receptionist asked for a name, so a bare
/// answer ("Rivera", "Ann Rivera") is one; `cased` when the transcript capitalizes names,
/// so after a weak cue ("I'm calling") a lowercase word is not one.
pub fn names(
    words: &[&str],
    raw: &[&str],
    sentence_end: &[bool],
    taken: &[bool],
    expecting: bool,
) -> Names {
    let pieces = join(words, raw, sentence_end, taken);
    let lower: Vec<&str> = pieces.iter().map(|p| p.lower.as_str()).collect();
    let cased = raw.iter().enumerate().any(|(i, w)| {
        i > 0
            && !sentence_end[i - 1]
            && w.chars().next().is_some_and(char::is_uppercase)
            && *w != "I"
            && !w.starts_with("I'")
    });
    let mut found: Vec<Found> = Vec::new();
    let mut relation: Option<(Relation, usize)> = None;
    let mut i = 0;
    while i < pieces.len() {
        // "my daughter Emma", "for my son's cleaning"
        if lower[i] == "my" || lower[i] == "our" {
            let next = lower.get(i + 1).map(|w| w.trim_end_matches("'s"));
            // "My wife goes to you guys", "my friend told me about you": who sent the
            // caller, not who the visit is for.
            let mentions_only = lower.get(i + 2).is_some_and(|w| MENTIONED_BY.contains(w));
            if let Some((_, r)) = RELATIONS
                .iter()
                .find(|(w, _)| Some(*w) == next)
                .filter(|_| !mentions_only)
            {
                if relation.is_none() {
                    relation = Some((*r, i));
                }
                let (parts, spelled, used) = run(&pieces, i + 2);
                if !parts.is_empty() && !lower[i + 1].ends_with("'s") {
                    found.push(Found {
                        cue: NameCue::Patient,
                        name: person(&parts, NameCue::Full, spelled),
                        words: pieces[i + 2].from..pieces[i + 1 + used].to,
                    });
                    i += 2 + used;
                    continue;
                }
            }
        }
        let cue = NAME_CUES
            .iter()
            .find(|(phrase, _)| super::text::phrase_at(&lower, i, phrase));
        if let Some((phrase, cue)) = cue {
            let start = i + super::text::phrase_len(phrase);
            let weak_lowercase = *cue == NameCue::Weak
                && cased
                && pieces
                    .get(start)
                    .is_some_and(|p| !p.spelled && !p.raw.chars().any(char::is_uppercase));
            let (parts, spelled, used) = run(&pieces, start);
            if !parts.is_empty() && !weak_lowercase {
                found.push(Found {
                    cue: *cue,
                    name: person(&parts, *cue, spelled),
                    words: pieces[start].from..pieces[start + used - 1].to,
                });
                i = start + used;
                continue;
            }
            i = start.max(i + 1);
            continue;
        }
        // "Ann Rivera calling", "Ann here"
        if i > 0
            && NAME_AFTER_CUES.contains(&lower[i])
            && (i < 3 || pieces[i - 1].raw.chars().any(char::is_uppercase))
            && !found.iter().any(|f| f.words.contains(&pieces[i - 1].from))
        {
            let begin = (0..i)
                .rev()
                .take_while(|&j| name_like(&pieces[j]) && !pieces[j].sentence_end)
                .last();
            if let Some(begin) = begin {
                let (parts, spelled, used) = run(&pieces, begin);
                if !parts.is_empty() && begin + used <= i {
                    found.push(Found {
                        cue: NameCue::Full,
                        name: person(&parts, NameCue::Full, spelled),
                        words: pieces[begin].from..pieces[i - 1].to,
                    });
                }
            }
        }
        i += 1;
    }
    // A bare answer to "what's your name?".
    if expecting {
        let start = lower
            .iter()
            .position(|w| !LEAD_INS.contains(w))
            .unwrap_or(lower.len());
        let covered = found
            .iter()
            .any(|f| pieces.get(start).is_some_and(|p| f.words.contains(&p.from)));
        let mut answer = (!covered && start < pieces.len())
            .then(|| run(&pieces, start))
            .filter(|(parts, ..)| !parts.is_empty())
            .map(|(parts, spelled, used)| (parts, spelled, start, used));
        if answer.is_none() && found.is_empty() {
            answer = capitalized_run(&pieces);
        }
        if let Some((parts, spelled, start, used)) = answer {
            found.push(Found {
                cue: NameCue::Answer,
                name: person(&parts, NameCue::Full, spelled),
                words: pieces[start].from..pieces[start + used - 1].to,
            });
        }
    }
    let mut out = Names {
        relation: relation.map(|(r, _)| r),
        ..Names::default()
    };
    for f in &found {
        out.words.extend(f.words.clone());
    }
    // Strong cues fill first: "first name"/"last name" over "my name is" over "I'm".
    let rank = |cue: NameCue| match cue {
        NameCue::First | NameCue::Last => 0,
        NameCue::Patient | NameCue::Answer => 1,
        NameCue::Full => 2,
        NameCue::Weak => 3,
    };
    found.sort_by_key(|f| rank(f.cue));
    let someone_else = out.relation.is_some() || found.iter().any(|f| f.cue == NameCue::Patient);
    for f in found {
        match f.cue {
            // Asked for a name, the answer is the patient's, whoever the patient is.
            NameCue::Patient | NameCue::Answer => merge(&mut out.name, f.name),
            _ if someone_else => merge(&mut out.caller, f.name),
            _ => merge(&mut out.name, f.name),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::understand::text;

    fn n(said: &str, expecting: bool) -> Names {
        let w = text::words(said);
        let raw: Vec<&str> = w.raw.iter().map(String::as_str).collect();
        names(&w.views(), &raw, &w.sentence_end, &[], expecting)
    }

    fn full(said: &str, expecting: bool) -> (Option<String>, Option<String>) {
        let name = n(said, expecting).name.unwrap_or_default();
        (name.first, name.last)
    }

    fn p(first: &str, last: &str) -> (Option<String>, Option<String>) {
        let s = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        (s(first), s(last))
    }

    #[test]
    fn names_after_cues() {
        assert_eq!(full("My name is Ann Rivera", false), p("Ann", "Rivera"));
        assert_eq!(
            full("Hi, this is Oluwaseun Adeyemi", false),
            p("Oluwaseun", "Adeyemi")
        );
        assert_eq!(
            full("my name is mohammed al-rashid", false),
            p("Mohammed", "Al-Rashid")
        );
        assert_eq!(full("I'm Xiaoming Li.", false), p("Xiaoming", "Li"));
        assert_eq!(
            full("My name is Jan van der Berg", false),
            p("Jan", "van der Berg")
        );
        assert_eq!(
            full("My name is Carlos De la Cruz", false),
            p("Carlos", "De la Cruz")
        );
        assert_eq!(
            full("It's Sean O'Brien calling", false),
            p("Sean", "O'Brien")
        );
        assert_eq!(
            full("my name is maría garcía-lópez", false),
            p("María", "García-López")
        );
        assert_eq!(
            full("Siobhan Nguyen calling about an appointment", false),
            p("Siobhan", "Nguyen")
        );
        assert_eq!(
            full("first name Ann, last name Rivera", false),
            p("Ann", "Rivera")
        );
        assert_eq!(full("my last name is Chen", false), p("", "Chen"));
    }

    #[test]
    fn not_names() {
        for said in [
            "Yes, I'm a new patient.",
            "it's her first visit",
            "it's for a cleaning",
            "I'm calling to book",
            "I'm not sure",
            "this is urgent",
            "I'm in pain",
            "I'd like to book",
        ] {
            assert_eq!(n(said, false).name, None, "{said}");
        }
        for said in [
            "nineteen seventy-nine",
            "march",
            "tuesday",
            "the cleaning",
            "um yes",
        ] {
            assert_eq!(n(said, true).name, None, "{said}");
        }
    }

    #[test]
    fn bare_answers_when_asked() {
        assert_eq!(full("Rivera", true), p("Rivera", ""));
        assert_eq!(full("Ann Rivera", true), p("Ann", "Rivera"));
        assert_eq!(full("Rivera", false), p("", ""));
        assert_eq!(full("Sure, it's Kowalski", true), p("Kowalski", ""));
        assert_eq!(
            full("I told you already, Ann Rivera", true),
            p("Ann", "Rivera")
        );
        assert_eq!(full("Ann, R I V E R A", true), p("Ann", "Rivera"));
        assert_eq!(
            full("Ann, last name Rivera, R-I-V-E-R-A", true),
            p("Ann", "Rivera")
        );
    }

    #[test]
    fn spelled_names() {
        assert_eq!(full("S I O B H A N", true), p("Siobhan", ""));
        assert_eq!(full("s-i-o-b-h-a-n", true), p("Siobhan", ""));
        assert_eq!(full("that's Rivera, R I V E R A", true), p("Rivera", ""));
        assert_eq!(full("Nguyen, N G U Y E N", true), p("Nguyen", ""));
        assert_eq!(full("Newyen, N G U Y E N", true), p("Nguyen", ""));
        assert_eq!(full("Ann R I V E R A", true), p("Ann", "Rivera"));
        assert!(n("Nguyen, N G U Y E N", true).name.unwrap().spelled);
        assert_eq!(
            full("My name is Ann Rivera, R I V E R A", false),
            p("Ann", "Rivera")
        );
    }

    #[test]
    fn spellings_confirm_or_correct() {
        let h = n("Last name's Nguyen. N, G, U, Y, E, N.", true);
        let name = h.name.unwrap();
        assert_eq!(name.last.as_deref(), Some("Nguyen"));
        assert!(name.spelled);
        assert_eq!(
            full("van der Berg, V A N D E R B E R G", true),
            p("", "van der Berg")
        );
        assert_eq!(
            full("Oluwaseun, O L U W A S E U N, Adeyemi.", true),
            p("Oluwaseun", "Adeyemi")
        );
        // A spelling of the first name after the full name confirms it.
        assert_eq!(
            full("It's Siobhan O'Brien, that's S I O B H A N", true),
            p("Siobhan", "O'Brien")
        );
        // Asked for a name, the answer is the patient's even with a relation said after.
        let h = n("Liam Walsh, he's my son.", true);
        assert_eq!(h.relation, Some(Relation::Son));
        assert_eq!(h.name.and_then(|n| n.last).as_deref(), Some("Walsh"));
    }

    #[test]
    fn someone_else_is_the_patient() {
        let h = n("It's for my daughter Emma", false);
        assert_eq!(h.relation, Some(Relation::Daughter));
        assert_eq!(h.name.and_then(|n| n.first).as_deref(), Some("Emma"));
        let h = n("it's for my son, his name is Liam Walsh", false);
        assert_eq!(h.relation, Some(Relation::Son));
        let name = h.name.unwrap();
        assert_eq!(
            (name.first.as_deref(), name.last.as_deref()),
            (Some("Liam"), Some("Walsh"))
        );
        let h = n("This is Ann Rivera, I'm calling for my husband", false);
        assert_eq!(h.relation, Some(Relation::Husband));
        assert_eq!(h.name, None);
        assert_eq!(h.caller.and_then(|n| n.first).as_deref(), Some("Ann"));
    }
}
