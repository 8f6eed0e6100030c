//! Times of day and parts of the day: "at 10", "10am", "ten thirty", "2:30 pm", "noon",
//! "three o'clock", "half past two", "quarter to ten", "three-thirty"; a bare hour ("nine",
//! "let's do nine") when the caller is choosing among offered times. Without am or pm,
//! clinic hours decide: 1 to 6 are afternoon, 7 to 11 morning.

use chrono::NaiveTime;

use super::heard::DayPart;
use super::numbers::{cardinal_value, word_value};
use super::text::has_any;

/// Parts of the day, most specific first.
const PARTS: &[(&str, DayPart)] = &[
    ("late afternoon", DayPart::Afternoon),
    ("early afternoon", DayPart::Afternoon),
    ("late morning", DayPart::Morning),
    ("early morning", DayPart::Morning),
    ("first thing", DayPart::Morning),
    ("before noon", DayPart::Morning),
    ("before lunch", DayPart::Morning),
    ("in the am", DayPart::Morning),
    ("mornings", DayPart::Morning),
    ("morning", DayPart::Morning),
    ("after lunch", DayPart::Afternoon),
    ("lunchtime", DayPart::Afternoon),
    ("lunch time", DayPart::Afternoon),
    ("over lunch", DayPart::Afternoon),
    ("around lunch", DayPart::Afternoon),
    ("midday", DayPart::Afternoon),
    ("after school", DayPart::Afternoon),
    ("in the pm", DayPart::Afternoon),
    ("afternoons", DayPart::Afternoon),
    ("afternoon", DayPart::Afternoon),
    ("after work", DayPart::Evening),
    // The clinic's latest times (the dialogue reads "end of the day" as the latest).
    ("end of the day", DayPart::Afternoon),
    ("late in the day", DayPart::Afternoon),
    ("evenings", DayPart::Evening),
    ("evening", DayPart::Evening),
    ("tonight", DayPart::Evening),
    ("at night", DayPart::Evening),
];

/// Words before a bare hour that make it a time: "at nine", "how about nine".
const CUES_BEFORE: &[&str] = &[
    "at", "around", "about", "by", "after", "before", "til", "till", "until", "say", "do", "for",
    "maybe", "prefer", "like", "take", "want", "the", "it",
];
/// Words after a bare hour that make it a time: "nine works", "nine is good".
const CUES_AFTER: &[&str] = &[
    "works",
    "work",
    "would",
    "is",
    "sounds",
    "please",
    "then",
    "should",
    "will",
    "that",
    "fine",
    "good",
    "great",
    "perfect",
    "okay",
    "ok",
    "slot",
    "appointment",
];
/// A bare hour never follows these: "option two", "number three", "in two weeks".
const NOT_A_TIME_BEFORE: &[&str] = &[
    "option", "number", "choice", "in", "those", "of", "first", "last", "next", "every", "than",
    "plus", "only", "just", "with",
];
/// "One" after these is a pronoun ("that one works"), not 1 o'clock.
const ONE_AS_PRONOUN_AFTER: &[&str] = &[
    "the",
    "that",
    "this",
    "which",
    "any",
    "either",
    "other",
    "second",
    "third",
    "earlier",
    "later",
    "early",
    "late",
    "morning",
    "afternoon",
    "middle",
    "final",
    "a",
    "no",
];
/// A bare hour never precedes these: "two weeks", "three kids".
const NOT_A_TIME_AFTER: &[&str] = &[
    "weeks",
    "week",
    "days",
    "day",
    "months",
    "month",
    "years",
    "year",
    "of",
    "people",
    "kids",
    "children",
    "teeth",
    "tooth",
    "times",
    "minutes",
    "hours",
    "appointments",
    "patients",
    "more",
    "or",
    "and",
    "to",
    // "I'd like two book": "to", as speech recognition sometimes writes it.
    "book",
    "schedule",
    "reschedule",
    "cancel",
    "make",
    "get",
    "see",
    "come",
    "move",
    "change",
    "talk",
    "speak",
    "set",
];

pub fn day_part(text: &str) -> Option<DayPart> {
    // "Good morning" greets; it asks for no time of day.
    let mut text = text.to_owned();
    for greeting in [" good morning ", " good afternoon ", " good evening "] {
        while let Some(at) = text.find(greeting) {
            text.replace_range(at..at + greeting.len(), " ");
        }
    }
    // "Afternoon, not morning": a part ruled out is not the one wanted.
    let ruled_out = |phrase: &str| {
        ["not ", "not in the ", "no "]
            .iter()
            .any(|neg| text.contains(&format!(" {neg}{phrase} ")))
    };
    PARTS
        .iter()
        .find(|(phrase, _)| has_any(&text, &[phrase]) && !ruled_out(phrase))
        .map(|(_, part)| *part)
}

fn word<'a>(words: &[&'a str], i: usize) -> &'a str {
    words.get(i).copied().unwrap_or("")
}

/// An hour said alone: "9", "nine", "twelve".
fn hour_value(w: &str) -> Option<u32> {
    if w.len() <= 2 && w.chars().all(|c| c.is_ascii_digit()) {
        return w.parse().ok().filter(|h| (1..=12).contains(h));
    }
    word_value(w).filter(|h| (1..=12).contains(h))
}

/// Minutes said after an hour: "thirty", "15", "oh five", "forty five".
fn minutes_value(words: &[&str]) -> Option<(u32, usize)> {
    match words {
        ["oh" | "o", unit, ..] => word_value(unit)
            .filter(|u| (1..10).contains(u))
            .map(|u| (u, 2)),
        [first, ..] if first.len() == 2 && first.chars().all(|c| c.is_ascii_digit()) => first
            .parse()
            .ok()
            .filter(|m| (10..60).contains(m))
            .map(|m| (m, 1)),
        _ => cardinal_value(words).filter(|(m, _)| {
            (10..60).contains(m) && !words[0].starts_with(|c: char| c.is_ascii_digit())
        }),
    }
}

/// am/pm as said after a time: "am", "pm", "in the morning", "at night".
fn meridiem(words: &[&str], i: usize) -> (Option<bool>, usize) {
    match (word(words, i), word(words, i + 1), word(words, i + 2)) {
        ("am", ..) => (Some(false), 1),
        ("pm", ..) => (Some(true), 1),
        ("a", "m", _) => (Some(false), 2),
        ("p", "m", _) => (Some(true), 2),
        ("in", "the", "morning") => (Some(false), 3),
        ("in", "the", "afternoon" | "evening") => (Some(true), 3),
        ("at", "night", _) | ("tonight", ..) => {
            (Some(true), 1 + usize::from(word(words, i) == "at"))
        }
        _ => (None, 0),
    }
}

/// A 24-hour time from an hour said on a 12-hour clock.
fn clock(hour: u32, minute: u32, pm: Option<bool>, part: Option<DayPart>) -> Option<NaiveTime> {
    if minute >= 60 {
        return None;
    }
    let hour = match (pm, hour) {
        (_, h) if h > 12 => h,
        (Some(true), h) if h < 12 => h + 12,
        (Some(false), 12) => 0,
        (Some(_), h) => h,
        (None, 12) => 12,
        (None, h) if matches!(part, Some(DayPart::Afternoon | DayPart::Evening)) => h + 12,
        (None, h) if part == Some(DayPart::Morning) => h,
        // Clinic hours: 1 to 6 are afternoon, 7 to 11 morning.
        (None, h) if (1..=6).contains(&h) => h + 12,
        (None, h) => h,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// "half past two", "quarter to ten", "ten after three", "twenty to four".
fn past_or_to(words: &[&str], i: usize) -> Option<(u32, i64, usize)> {
    let (offset, used) = match (word(words, i), word(words, i + 1)) {
        ("half", _) => (30, 1),
        ("quarter", _) => (15, 1),
        ("a", "quarter") => (15, 2),
        _ => {
            let (m, used) = cardinal_value(&words[i..])?;
            if ![5, 10, 20, 25].contains(&m) {
                return None;
            }
            (m as i64, used)
        }
    };
    let sign = match word(words, i + used) {
        "past" | "after" => 1,
        "to" | "till" | "til" | "of" | "before" => -1,
        _ => return None,
    };
    let hour = hour_value(word(words, i + used + 1))?;
    // "two to three days" is a count.
    if NOT_A_TIME_AFTER.contains(&word(words, i + used + 2)) {
        return None;
    }
    Some((hour, sign * offset, used + 2))
}

/// The time said in `words` (skipping words in `taken`); `choosing` when the receptionist
/// just offered times, so a bare hour is one of them.
pub fn time_of_day(
    words: &[&str],
    taken: &[bool],
    choosing: bool,
    part: Option<DayPart>,
) -> Option<NaiveTime> {
    let is_taken = |i: usize| taken.get(i).copied().unwrap_or(false);
    let mut found = None;
    let mut i = 0;
    while i < words.len() {
        if is_taken(i) {
            i += 1;
            continue;
        }
        let w = words[i];
        let prev = word(words, i.wrapping_sub(1));
        if matches!(w, "noon" | "midday") && prev != "before" && prev != "after" || w == "12noon" {
            found = NaiveTime::from_hms_opt(12, 0, 0);
            i += 1;
            continue;
        }
        if let Some((hour, offset, used)) = past_or_to(words, i) {
            let (pm, _) = meridiem(words, i + used);
            if let Some(base) = clock(hour, 0, pm, part) {
                let time = base
                    .overflowing_add_signed(chrono::Duration::minutes(offset))
                    .0;
                found = Some(time);
            }
            i += used;
            continue;
        }
        // "9:30", "14:00"
        if let Some((h, m)) = w.split_once(':') {
            if let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>())
                && h < 24
            {
                let (pm, used) = meridiem(words, i + 1);
                found = clock(h, m, pm, part).or(found);
                i += 1 + used;
                continue;
            }
            i += 1;
            continue;
        }
        // "three-thirty", "ten-fifteen"
        if let Some((h, m)) = w.split_once('-')
            && let Some(hour) = hour_value(h)
            && let Some((minute, _)) = minutes_value(&[m])
                .or_else(|| m.split_once('-').and_then(|(a, b)| minutes_value(&[a, b])))
            && word_value(h).is_some_and(|v| v < 20)
        {
            let (pm, used) = meridiem(words, i + 1);
            found = clock(hour, minute, pm, part).or(found);
            i += 1 + used;
            continue;
        }
        // "930", "1030" with a cue: "at 930", "1030 am".
        if (3..=4).contains(&w.len()) && w.chars().all(|c| c.is_ascii_digit()) {
            let (pm, used) = meridiem(words, i + 1);
            let (h, m) = w.split_at(w.len() - 2);
            if (pm.is_some() || matches!(prev, "at" | "around" | "by"))
                && let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>())
                && (1..=12).contains(&h)
            {
                found = clock(h, m, pm, part).or(found);
                i += 1 + used;
                continue;
            }
        }
        let Some(hour) = hour_value(w) else {
            i += 1;
            continue;
        };
        // Part of a longer number ("twenty two") or a run of digits: not a time.
        if word_value(prev).is_some_and(|v| v >= 20) || is_taken(i.wrapping_sub(1)) && i > 0 {
            i += 1;
            continue;
        }
        let minutes =
            minutes_value(&words[i + 1..]).filter(|(_, u)| !(i + 1..=i + u).any(is_taken));
        let after_minutes = i + 1 + minutes.map_or(0, |(_, u)| u);
        let (pm, m_used) = meridiem(words, after_minutes);
        let oclock = matches!(word(words, after_minutes), "o'clock" | "oclock");
        let next = word(words, after_minutes);
        let bare_ok = !NOT_A_TIME_BEFORE.contains(&prev) && !NOT_A_TIME_AFTER.contains(&next);
        let cued = pm.is_some()
            || oclock
            || minutes.is_some() && !NOT_A_TIME_AFTER.contains(&next)
            || (bare_ok
                && w != "one"
                && (CUES_BEFORE.contains(&prev) || CUES_AFTER.contains(&next)))
            || (bare_ok && w == "one" && matches!(prev, "at" | "around" | "by"))
            // "One works" while choosing is 1 o'clock; "that one works" is a pick.
            || (choosing
                && bare_ok
                && w == "one"
                && (matches!(next, "please" | "")
                    && matches!(prev, "do" | "take" | "say" | "it")
                    || matches!(next, "works" | "work" | "sounds" | "is" | "o'clock"))
                && !ONE_AS_PRONOUN_AFTER.contains(&prev))
            || (choosing && bare_ok && w != "one");
        if cued {
            let minute = minutes.map_or(0, |(m, _)| m);
            found = clock(hour, minute, pm, part).or(found);
            i = after_minutes + m_used + usize::from(oclock);
            continue;
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, choosing: bool) -> Option<NaiveTime> {
        let words: Vec<&str> = s.split_whitespace().collect();
        let part = day_part(&format!(" {s} "));
        time_of_day(&words, &[], choosing, part)
    }

    fn hm(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn times_said_many_ways() {
        assert_eq!(t("at 10", false), hm(10, 0));
        assert_eq!(t("10 am", false), hm(10, 0));
        assert_eq!(t("ten thirty", false), hm(10, 30));
        assert_eq!(t("2:30 pm", false), hm(14, 30));
        assert_eq!(t("noon", false), hm(12, 0));
        assert_eq!(t("three o'clock", false), hm(15, 0));
        assert_eq!(t("half past two", false), hm(14, 30));
        assert_eq!(t("quarter to ten", false), hm(9, 45));
        assert_eq!(t("a quarter after three", false), hm(15, 15));
        assert_eq!(t("three-thirty", false), hm(15, 30));
        assert_eq!(t("nine forty five", false), hm(9, 45));
        assert_eq!(t("ten oh five", false), hm(10, 5));
        assert_eq!(t("at 7 in the evening", false), hm(19, 0));
        assert_eq!(t("14:00", false), hm(14, 0));
        assert_eq!(t("at 930", false), hm(9, 30));
        assert_eq!(t("1030 am", false), hm(10, 30));
        assert_eq!(t("in 2026", false), None);
        assert_eq!(t("two thirty pm works", false), hm(14, 30));
    }

    #[test]
    fn bare_hours_when_choosing() {
        assert_eq!(t("nine", true), hm(9, 0));
        assert_eq!(t("nine works", false), hm(9, 0));
        assert_eq!(t("let's do nine", false), hm(9, 0));
        assert_eq!(t("the 9 o'clock", false), hm(9, 0));
        assert_eq!(t("nine", false), None);
        assert_eq!(t("the second one", true), None);
        assert_eq!(t("option two", true), None);
        assert_eq!(t("in two weeks", true), None);
        assert_eq!(t("i have two kids", false), None);
        assert_eq!(t("twenty two", true), None);
        assert_eq!(t("my son is two", false), None);
        assert_eq!(t("ten to three days", false), None);
        assert_eq!(t("ten to three", false), hm(14, 50));
        assert_eq!(t("one works", true), hm(13, 0));
        assert_eq!(t("let's do one", true), hm(13, 0));
        assert_eq!(t("make it one", true), hm(13, 0));
        assert_eq!(t("the first one", true), None);
        assert_eq!(t("one", true), None, "option one, or one o'clock: unclear");
        assert_eq!(t("that one works", true), None);
        assert_eq!(t("the first one works", true), None);
        assert_eq!(t("one works", false), None);
        assert_eq!(t("i'd like two book a filling", false), None);
    }

    #[test]
    fn parts_of_the_day() {
        assert_eq!(
            day_part(" first thing in the morning "),
            Some(DayPart::Morning)
        );
        assert_eq!(day_part(" late afternoon "), Some(DayPart::Afternoon));
        assert_eq!(day_part(" after work "), Some(DayPart::Evening));
        assert_eq!(day_part(" lunchtime "), Some(DayPart::Afternoon));
        assert_eq!(day_part(" anytime "), None);
        assert_eq!(day_part(" good morning i'd like a crown "), None);
        assert_eq!(
            day_part(" no i said thursday afternoon not morning "),
            Some(DayPart::Afternoon)
        );
        assert_eq!(
            day_part(" good morning a crown wednesday afternoon "),
            Some(DayPart::Afternoon)
        );
    }
}
