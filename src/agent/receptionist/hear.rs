//! What a caller said, as the receptionist understands it: intents and the values in one
//! utterance, read from speech as Retell transcribes it ("next Tuesday afternoon", "the
//! second one", "five five five, oh one two three", "R I V E R A", "January 5th, 1980").

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::numbers::{cardinal_value, ordinal_value, spoken_digits, year_value};
use crate::booking::PhoneNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub fn as_str(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::Evening => "evening",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Book,
    Reschedule,
    Cancel,
    Check,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heard {
    /// Lowercase words separated by single spaces, with a space at each end.
    pub text: String,
    pub unintelligible: bool,
    pub intent: Option<Intent>,
    pub yes: bool,
    pub no: bool,
    pub goodbye: bool,
    pub thanks: bool,
    pub greeting: bool,
    pub wants_person: bool,
    pub asks_hours: bool,
    pub asks_address: bool,
    pub asks_phone: bool,
    pub asks_providers: bool,
    pub asks_services: bool,
    pub asks_time: bool,
    pub asks_date: bool,
    pub asks_who: bool,
    pub earlier: bool,
    pub later: bool,
    pub soonest: bool,
    /// "the second one" (1-based), "the last one" (usize::MAX).
    pub choice: Option<usize>,
    pub date: Option<NaiveDate>,
    /// A day of the month without a month ("on the 14th").
    pub part: Option<DayPart>,
    pub time: Option<NaiveTime>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<PhoneNumber>,
    /// Words that may name a service ("cleaning", "crown").
    pub service_words: Vec<String>,
}

impl Heard {
    pub fn has(&self, phrase: &str) -> bool {
        self.text.contains(&format!(" {phrase} "))
    }

    pub fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    fn starts_with_any(&self, phrases: &[&str]) -> bool {
        phrases
            .iter()
            .any(|p| self.text.starts_with(&format!(" {p} ")))
    }

    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// Lowercase words; keeps `:` and `/` inside numbers and `-` inside words, splits "10am".
fn normalize(raw: &str) -> String {
    let lowered = raw
        .to_lowercase()
        .replace("a.m.", "am")
        .replace("p.m.", "pm")
        .replace('’', "'");
    let mut out = String::from(" ");
    for token in lowered.split(|c: char| c.is_whitespace() || ",.?!;\"()".contains(c)) {
        let token = token.trim_matches(|c: char| c == '-' || c == ':' || c == '/' || c == '\'');
        if token.is_empty() {
            continue;
        }
        // "555-201-0123" → "555 201 0123"
        if token.contains('-') && token.chars().all(|c| c.is_ascii_digit() || c == '-') {
            out.push_str(&token.replace('-', " "));
            out.push(' ');
            continue;
        }
        // "10am" → "10 am"
        let split_at = token
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .filter(|&i| {
                i > 0
                    && token[..i]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit())
            });
        match split_at {
            Some(i) if ["am", "pm"].contains(&&token[i..]) => {
                out.push_str(&token[..i]);
                out.push(' ');
                out.push_str(&token[i..]);
            }
            _ => out.push_str(token),
        }
        out.push(' ');
    }
    out
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_of(word: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| {
            *m == word
                || (word.len() >= 3 && m.starts_with(word) && word != "mar" && word != "may")
                || (word == "sept")
        })
        .map(|i| i as u32 + 1)
        .or_else(|| (word == "mar").then_some(3))
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let days = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    days.iter().find(|(name, _)| *name == word).map(|(_, d)| *d)
}

/// The next `weekday` after `today` (today itself is "today").
fn next_weekday(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let mut date = today + Duration::days(1);
    while date.weekday() != weekday {
        date += Duration::days(1);
    }
    date
}

/// A date with a month: "december 14", "14th of december", "december fourteenth 1980".
/// Returns (month, day, year?) and how many words it used, starting at `i`.
fn month_date(words: &[&str], i: usize) -> Option<(u32, u32, Option<i32>, usize)> {
    let month = month_of(words[i])?;
    let rest = &words[i + 1..];
    let rest = if rest.first() == Some(&"the") {
        &rest[1..]
    } else {
        rest
    };
    let skipped = words.len() - i - 1 - rest.len();
    let (day, used) = ordinal_value(rest).or_else(|| cardinal_value(rest))?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let after = &rest[used..];
    let after = if after.first() == Some(&"of") {
        &after[1..]
    } else {
        after
    };
    let year = year_value(after);
    let total = 1 + skipped + used + year.map_or(0, |(_, u)| u + (rest.len() - used - after.len()));
    Some((month, day, year.map(|(y, _)| y), total))
}

/// "14th of december (1980)"
fn day_of_month_date(words: &[&str], i: usize) -> Option<(u32, u32, Option<i32>, usize)> {
    let (day, used) = ordinal_value(&words[i..])?;
    let rest = &words[i + used..];
    let (rest, of) = if rest.first() == Some(&"of") {
        (&rest[1..], 1)
    } else {
        (rest, 0)
    };
    let month = month_of(rest.first()?)?;
    let year = year_value(&rest[1..]);
    Some((
        month,
        day,
        year.map(|(y, _)| y),
        used + of + 1 + year.map_or(0, |(_, u)| u),
    ))
}

/// "12/14", "12/14/1980", "1980-12-14"
fn numeric_date(word: &str) -> Option<(u32, u32, Option<i32>)> {
    if let Ok(date) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
        return Some((date.month(), date.day(), Some(date.year())));
    }
    let parts: Vec<&str> = word.split('/').collect();
    let number = |s: &str| s.parse::<u32>().ok();
    match parts.as_slice() {
        [m, d] => Some((number(m)?, number(d)?, None)),
        [m, d, y] => {
            let y: i32 = y.parse().ok()?;
            let y = if y < 100 {
                if y > 30 { 1900 + y } else { 2000 + y }
            } else {
                y
            };
            Some((number(m)?, number(d)?, Some(y)))
        }
        _ => None,
    }
}

/// The date a month and day mean from `today`: this year's, or next year's if past.
fn upcoming(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this_year >= today {
        Some(this_year)
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    }
}

/// Dates in the utterance: appointment dates (no year, or this year on) and birth dates.
fn dates(words: &[&str], today: NaiveDate, heard: &mut Heard) {
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let found = month_date(words, i)
            .or_else(|| day_of_month_date(words, i))
            .or_else(|| numeric_date(word).map(|(m, d, y)| (m, d, y, 1)));
        if let Some((month, day, year, used)) = found {
            match year {
                Some(year) if year < today.year() => {
                    heard.birth_date =
                        NaiveDate::from_ymd_opt(year, month, day).or(heard.birth_date);
                }
                Some(year) => {
                    heard.date = NaiveDate::from_ymd_opt(year, month, day).or(heard.date);
                }
                None => heard.date = upcoming(today, month, day).or(heard.date),
            }
            i += used.max(1);
            continue;
        }
        match word {
            "today" => heard.date = Some(today),
            "tomorrow" => heard.date = Some(today + Duration::days(1)),
            _ => {}
        }
        if let Some(weekday) = weekday_of(word) {
            let mut date = next_weekday(today, weekday);
            // "a week from Tuesday", "Tuesday after next"
            if words.get(i + 1) == Some(&"after") && words.get(i + 2) == Some(&"next") {
                date += Duration::days(7);
            }
            heard.date = Some(date);
        }
        if word == "week" && i > 0 && words[i - 1] == "next" && heard.date.is_none() {
            heard.date = Some(next_weekday(today, Weekday::Mon));
        }
        // "on the 14th" (no month): the next 14th.
        if (word == "the" || word == "on")
            && let Some((day, used)) = ordinal_value(&words[i + 1..])
            && (1..=31).contains(&day)
            && !matches!(
                words.get(i + 1 + used),
                Some(&"one") | Some(&"option") | Some(&"time") | Some(&"slot")
            )
            && words.get(i + 1 + used).and_then(|w| month_of(w)).is_none()
        {
            let mut date = NaiveDate::from_ymd_opt(today.year(), today.month(), day);
            if date.is_none_or(|d| d < today) {
                let next_month = today.with_day(1).map(|d| d + Duration::days(32));
                date = next_month.and_then(|m| NaiveDate::from_ymd_opt(m.year(), m.month(), day));
            }
            heard.date = date.or(heard.date);
        }
        i += 1;
    }
}

/// "10 am", "10:30", "ten thirty", "2 pm", "noon", "three o'clock".
fn time_of_day(words: &[&str], heard: &mut Heard) {
    for (i, word) in words.iter().enumerate() {
        if *word == "noon" || *word == "midday" {
            heard.time = NaiveTime::from_hms_opt(12, 0, 0);
            continue;
        }
        let (hour, minute, used) = if let Some((h, m)) = word.split_once(':') {
            match (h.parse::<u32>(), m.parse::<u32>()) {
                (Ok(h), Ok(m)) => (h, m, 1),
                _ => continue,
            }
        } else {
            let Some((h, used)) = cardinal_value(&words[i..]) else {
                continue;
            };
            // "ten thirty", "two fifteen"
            match cardinal_value(&words[i + used..]) {
                Some((m, more))
                    if (10..60).contains(&m) && words[i + used].parse::<u32>().is_err() =>
                {
                    (h, m, used + more)
                }
                _ => (h, 0, used),
            }
        };
        let next = words.get(i + used).copied();
        let meridiem = match next {
            Some("am") => Some(false),
            Some("pm") => Some(true),
            Some("o'clock") | Some("oclock") => None,
            _ if word.contains(':') => None,
            _ if i > 0 && ["at", "around", "after", "before", "by"].contains(&words[i - 1]) => None,
            _ => continue,
        };
        if !((1..=12).contains(&hour) || meridiem.is_none() && hour < 24) || minute >= 60 {
            continue;
        }
        let hour = match meridiem {
            Some(true) if hour < 12 => hour + 12,
            Some(false) if hour == 12 => 0,
            Some(_) => hour,
            // Without am/pm, clinic hours: 1 to 6 are afternoon.
            None if (1..=6).contains(&hour) => hour + 12,
            None => hour,
        };
        heard.time = NaiveTime::from_hms_opt(hour, minute, 0).or(heard.time);
    }
}

const FILLERS: &[&str] = &[
    "my", "name", "name's", "is", "it's", "its", "this", "i'm", "im", "i", "am", "yes", "yeah",
    "sure", "it", "um", "uh", "hi", "hello", "the", "and", "last", "first", "spelled", "spell",
    "that's", "thats", "okay", "ok", "so", "well", "oh", "sorry", "actually", "no", "said", "born",
    "on", "of", "date", "birth", "birthday", "patient", "new", "here", "speaking",
];

/// Letters said one by one ("r i v e r a" or "r-i-v-e-r-a") joined into a word.
fn join_spelled(words: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut letters = String::new();
    let flush = |letters: &mut String, out: &mut Vec<String>| {
        if !letters.is_empty() {
            out.push(std::mem::take(letters));
        }
    };
    for word in words {
        let spelled_inline = word.contains('-')
            && word
                .split('-')
                .all(|p| p.len() == 1 && p.chars().all(char::is_alphabetic));
        if spelled_inline {
            flush(&mut letters, &mut out);
            out.push(word.replace('-', ""));
        } else if word.len() == 1
            && word.chars().all(char::is_alphabetic)
            && *word != "a"
            && *word != "i"
        {
            letters.push_str(word);
        } else {
            flush(&mut letters, &mut out);
            out.push((*word).to_owned());
        }
    }
    flush(&mut letters, &mut out);
    out
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Names: "my name is Ann Rivera", "this is Ann", "last name Rivera, R I V E R A"; when
/// `expect_name`, the whole answer is taken as the name.
fn names(raw_words: &[&str], expect_name: bool, heard: &mut Heard) {
    let words = join_spelled(raw_words);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let cue = ["name is", "this is", "i'm", "i am", "it's", "name's"]
        .iter()
        .filter_map(|cue| {
            let cue_words: Vec<&str> = cue.split(' ').collect();
            words
                .windows(cue_words.len())
                .position(|w| w == cue_words.as_slice())
                .map(|p| p + cue_words.len())
        })
        .min();
    let start = match cue {
        Some(start) => start,
        None if expect_name => 0,
        None => return,
    };
    let is_name_word = |w: &&str| {
        !FILLERS.contains(w)
            && w.chars()
                .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
            && month_of(w).is_none()
            && super::numbers::word_value(w).is_none()
            && ordinal_value(&[w]).is_none()
    };
    let candidates: Vec<&str> = words[start..]
        .iter()
        .take_while(|w| {
            ![
                "and", "born", "my", "date", "calling", "i", "phone", "number",
            ]
            .contains(*w)
                || start == 0
        })
        .copied()
        .filter(is_name_word)
        .collect();
    // A word spelled out after the name replaces the word it spells.
    let mut names: Vec<String> = Vec::new();
    for word in candidates {
        if let Some(last) = names.last()
            && last.eq_ignore_ascii_case(word)
        {
            continue;
        }
        names.push(capitalized(word));
    }
    let said_last = raw_words.windows(2).any(|w| w == ["last", "name"])
        && !raw_words.windows(2).any(|w| w == ["first", "name"]);
    match names.as_slice() {
        [] => {}
        [only] if said_last => heard.last_name = Some(only.clone()),
        [only] => heard.first_name = Some(only.clone()),
        [first, .., last] => {
            heard.first_name = Some(first.clone());
            heard.last_name = Some(last.clone());
        }
    }
}

/// A phone number said digit by digit: the first unbroken run of 10 or 11 digits.
fn phone_number(words: &[&str]) -> Option<PhoneNumber> {
    let is_digit_word = |w: &str| {
        ["double", "triple"].contains(&w)
            || (w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty() && w.len() <= 4)
            || super::numbers::word_value(w).is_some_and(|v| v < 10)
    };
    let mut start = 0;
    while start < words.len() {
        if !is_digit_word(words[start]) {
            start += 1;
            continue;
        }
        let end = words[start..]
            .iter()
            .position(|w| !is_digit_word(w))
            .map_or(words.len(), |p| start + p);
        let digits = spoken_digits(&words[start..end]);
        if (10..=11).contains(&digits.len())
            && let Ok(phone) = PhoneNumber::parse(&digits)
        {
            return Some(phone);
        }
        start = end;
    }
    None
}

/// Understands one utterance. `today` is the clinic's; `expect_name` when the receptionist
/// has just asked for a name.
pub fn hear(raw: &str, today: NaiveDate, expect_name: bool) -> Heard {
    let text = normalize(raw);
    let mut heard = Heard {
        text,
        ..Heard::default()
    };
    let unintelligible = heard.has("unintelligible") || heard.has("inaudible");
    let owned = heard.text.clone();
    let words: Vec<&str> = owned.split_whitespace().collect();
    if words.is_empty() || (unintelligible && words.len() <= 3) {
        heard.unintelligible = true;
        return heard;
    }

    heard.intent = if heard.has_any(&[
        "reschedule",
        "move my",
        "change my appointment",
        "change the appointment",
        "push back",
        "different time for my",
    ]) {
        Some(Intent::Reschedule)
    } else if heard.has_any(&["cancel"]) {
        Some(Intent::Cancel)
    } else if heard.has_any(&[
        "when is my",
        "do i have an appointment",
        "check my appointment",
        "my next appointment",
        "confirm my appointment",
        "what time is my",
    ]) {
        Some(Intent::Check)
    } else if heard.has_any(&[
        "book",
        "schedule",
        "appointment",
        "make an",
        "come in",
        "set up a",
        "get a",
        "need a",
        "like a",
        "want a",
        "see the dentist",
        "see a dentist",
        "see the hygienist",
        "see someone",
        "cleaning",
        "checkup",
        "check-up",
        "check up",
        "toothache",
        "filling",
        "crown",
        "openings",
        "opening",
        "availability",
        "available",
        "any time on",
        "anything on",
        "get in",
        "fit me in",
    ]) {
        Some(Intent::Book)
    } else {
        None
    };
    heard.yes = heard.starts_with_any(&[
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "correct",
        "right",
        "that's right",
        "that is right",
        "absolutely",
        "please do",
        "go ahead",
        "sounds good",
        "perfect",
        "ok",
        "okay",
        "book it",
        "that works",
        "that one works",
        "uh huh",
        "definitely",
        "of course",
    ]) || heard.has_any(&[
        "that works",
        "sounds good",
        "please book",
        "book it",
        "that's correct",
        "that is correct",
    ]);
    heard.no = heard.starts_with_any(&[
        "no",
        "nope",
        "nah",
        "not really",
        "negative",
        "wrong",
        "that's wrong",
        "that's not",
    ]) || heard.has_any(&["doesn't work", "does not work", "don't book", "not right"]);
    heard.goodbye = heard.has_any(&[
        "bye",
        "goodbye",
        "good bye",
        "that's all",
        "that is all",
        "nothing else",
        "that's it",
        "that'll be all",
        "hang up",
        "have a good day",
        "have a nice day",
    ]) || (heard.no && heard.has_any(&["thank you", "thanks"]) && words.len() <= 5);
    heard.thanks = heard.has_any(&["thank you", "thanks"]);
    heard.greeting = heard.starts_with_any(&[
        "hello",
        "hi",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
    ]) && words.len() <= 4;
    heard.wants_person = heard.has_any(&[
        "speak to a person",
        "speak to someone",
        "talk to someone",
        "talk to a person",
        "real person",
        "human",
        "front desk",
        "receptionist",
        "operator",
        "representative",
        "speak with someone",
        "speak to somebody",
        "a staff member",
        "transfer me",
    ]);
    heard.asks_hours = heard.has_any(&[
        "hours",
        "what time do you open",
        "when do you open",
        "when are you open",
        "are you open",
        "what time do you close",
        "when do you close",
        "open on",
    ]);
    heard.asks_address = heard.has_any(&[
        "address",
        "where are you",
        "where is the office",
        "located",
        "location",
        "directions",
    ]);
    heard.asks_phone = heard.has_any(&[
        "phone number for the office",
        "your phone number",
        "office number",
        "number for the office",
        "call you back at",
    ]);
    heard.asks_providers = heard.has_any(&[
        "which dentists",
        "what dentists",
        "who are the dentists",
        "which doctors",
        "who works there",
        "your dentists",
        "your doctors",
        "providers",
    ]);
    heard.asks_services = heard.has_any(&[
        "what services",
        "which services",
        "services do you",
        "what do you offer",
        "do you do",
        "do you offer",
    ]);
    heard.asks_time = heard.has_any(&[
        "what time is it",
        "time is it",
        "the time now",
        "current time",
    ]);
    heard.asks_date = heard.has_any(&[
        "what day is it",
        "the date today",
        "today's date",
        "what's the date",
        "what is the date",
    ]);
    heard.asks_who = heard.has_any(&[
        "who is this",
        "who am i speaking",
        "who am i talking",
        "what office",
        "which office",
        "what clinic",
        "which clinic",
        "what practice",
        "which practice",
        "did i call",
        "have i reached",
        "where am i calling",
    ]);
    heard.earlier = heard.has_any(&["earlier", "sooner", "anything before"]);
    heard.later = heard.has_any(&["later", "anything after"]) && !heard.has("talk later");
    heard.soonest = heard.has_any(&[
        "as soon as possible",
        "soonest",
        "earliest",
        "first available",
        "next available",
        "asap",
        "whenever",
        "any day",
        "anytime",
        "any time",
    ]);
    heard.part = if heard.has("morning") || heard.has_any(&["before noon", "before lunch"]) {
        Some(DayPart::Morning)
    } else if heard.has("afternoon") || heard.has("after lunch") {
        Some(DayPart::Afternoon)
    } else if heard.has("evening") || heard.has("after work") {
        Some(DayPart::Evening)
    } else {
        None
    };
    heard.choice = [
        (
            &[
                "first one",
                "first option",
                "the first",
                "1st one",
                "option one",
                "number one",
            ][..],
            1,
        ),
        (
            &[
                "second one",
                "second option",
                "the second",
                "2nd one",
                "option two",
                "number two",
                "middle one",
            ][..],
            2,
        ),
        (
            &[
                "third one",
                "third option",
                "the third",
                "3rd one",
                "option three",
                "number three",
            ][..],
            3,
        ),
        (
            &["last one", "the last", "final one", "later one"][..],
            usize::MAX,
        ),
        (&["earlier one", "early one"][..], 1),
    ]
    .iter()
    .find(|(phrases, _)| heard.has_any(phrases))
    .map(|(_, n)| *n);

    dates(&words, today, &mut heard);
    time_of_day(&words, &mut heard);
    // "the second" is a choice, not the 2nd of the month, when no month was said.
    if heard.choice.is_some()
        && heard.date.is_some()
        && !words
            .iter()
            .any(|w| month_of(w).is_some() || weekday_of(w).is_some())
    {
        heard.date = None;
    }

    heard.phone = phone_number(&words);
    let asks_something = heard.asks_hours
        || heard.asks_address
        || heard.asks_phone
        || heard.asks_providers
        || heard.asks_services
        || heard.asks_time
        || heard.asks_date
        || heard.asks_who
        || heard.wants_person;
    // A question is not a name.
    if asks_something {
    } else if heard.phone.is_none() && heard.birth_date.is_none() && heard.date.is_none() {
        names(&words, expect_name, &mut heard);
    } else if expect_name || heard.has_any(&["name is", "this is"]) {
        // Strip the date and phone words before looking for a name.
        let name_words: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| {
                month_of(w).is_none()
                    && !w.chars().any(|c| c.is_ascii_digit())
                    && super::numbers::word_value(w).is_none()
                    && ordinal_value(&[w]).is_none()
            })
            .collect();
        names(&name_words, expect_name, &mut heard);
    }

    // Services in the words the catalogue uses: "checkup" is an exam, a toothache an emergency.
    let services: &[(&[&str], &str)] = &[
        (&["cleaning", "clean", "hygiene"], "cleaning"),
        (
            &["checkup", "check-up", "check up", "exam", "examination"],
            "exam",
        ),
        (&["filling", "cavity"], "filling"),
        (&["crown"], "crown"),
        (
            &["emergency", "toothache", "pain", "broken tooth", "chipped"],
            "emergency",
        ),
        (&["new patient"], "new patient"),
        (&["whitening"], "whitening"),
        (&["extraction", "pulled"], "extraction"),
        (&["root canal"], "root canal"),
        (&["consultation", "consult"], "consultation"),
    ];
    for (phrases, service) in services {
        if heard.has_any(phrases) && !heard.service_words.iter().any(|s| s == service) {
            heard.service_words.push((*service).to_owned());
        }
    }
    // "I chipped a tooth": a need for care is a request to come in, unless it was a question
    // about what the clinic offers.
    if heard.intent.is_none() && !heard.service_words.is_empty() && !heard.asks_services {
        heard.intent = Some(Intent::Book);
    }
    heard
}

#[cfg(test)]
#[path = "hear_tests.rs"]
mod tests;
