//! Calendar words and the dates said with a month: "December 3rd", "the 15th of March
//! nineteen eighty-two", "3/15/82". Whether a date is a birth date or an appointment day is
//! decided by `birth` and `days`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::numbers::{cardinal_value, ordinal_value, word_value, year_value};

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("mondays", Weekday::Mon),
    ("tuesdays", Weekday::Tue),
    ("wednesdays", Weekday::Wed),
    ("thursdays", Weekday::Thu),
    ("fridays", Weekday::Fri),
    ("saturdays", Weekday::Sat),
    ("sundays", Weekday::Sun),
    ("tues", Weekday::Tue),
    ("thurs", Weekday::Thu),
];

pub fn month_of(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(m, _)| *m == word).map(|(_, n)| *n)
}

/// A month said in full ("March"), not abbreviated ("Jan" is also a name).
pub fn full_month(word: &str) -> bool {
    month_of(word).is_some() && word.len() > 3 || word == "may"
}

/// "tuesday", "tuesdays", "tuesday's" ("Tuesday's better").
pub fn weekday_of(word: &str) -> Option<Weekday> {
    let word = word.strip_suffix("'s").unwrap_or(word);
    WEEKDAYS.iter().find(|(d, _)| *d == word).map(|(_, d)| *d)
}

/// Fixed-date holidays callers name instead of a date ("born on Christmas day 1980").
const HOLIDAYS: &[(&str, u32, u32)] = &[
    ("christmas eve", 12, 24),
    ("christmas day", 12, 25),
    ("christmas", 12, 25),
    ("new year's eve", 12, 31),
    ("new year's day", 1, 1),
    ("new years day", 1, 1),
    ("valentine's day", 2, 14),
    ("valentines day", 2, 14),
    ("st patrick's day", 3, 17),
    ("independence day", 7, 4),
    ("fourth of july", 7, 4),
    ("4th of july", 7, 4),
    ("halloween", 10, 31),
    ("veterans day", 11, 11),
];

/// A holiday at `at`, with an optional year after it.
fn holiday(words: &[&str], at: usize, birth_context: bool) -> Option<Mention> {
    let (phrase, month, day) = HOLIDAYS
        .iter()
        .find(|(phrase, ..)| super::text::phrase_at(words, at, phrase))?;
    let mut used = super::text::phrase_len(phrase);
    let year = year_after(words.get(at + used..).unwrap_or_default(), birth_context);
    if let Some((_, n)) = year {
        used += n;
    }
    Some(Mention {
        at,
        used,
        month: *month,
        day: *day,
        year: year.map(|(y, _)| y),
    })
}

/// The next `weekday` strictly after `today`.
pub fn next_weekday(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - today.weekday().num_days_from_monday() as i64)
        % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

/// The Monday of the week `day` is in.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// The date a month and day mean from `today`: this year's, or next year's if past.
pub fn upcoming(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    match NaiveDate::from_ymd_opt(today.year(), month, day) {
        Some(date) if date >= today => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day),
    }
}

/// A year as said: in full ("1982", "nineteen eighty-two") or by its last two digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Year {
    Full(i32),
    Short(u32),
}

impl Year {
    /// The year for a birth date: a short year is the most recent past year ending so.
    pub fn in_past(self, today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
        let year = match self {
            Year::Full(y) => y,
            Year::Short(s) => {
                let y = today.year() - today.year().rem_euclid(100) + s as i32;
                if y > today.year() { y - 100 } else { y }
            }
        };
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        match self {
            Year::Short(_) if date > today => NaiveDate::from_ymd_opt(year - 100, month, day),
            _ => Some(date),
        }
    }

    /// The year for an appointment: a short year is this century's.
    pub fn as_said(self, today: NaiveDate) -> i32 {
        match self {
            Year::Full(y) => y,
            Year::Short(s) => today.year() - today.year().rem_euclid(100) + s as i32,
        }
    }
}

/// A date said with its month, starting at word `at` and `used` words long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub at: usize,
    pub used: usize,
    pub month: u32,
    pub day: u32,
    pub year: Option<Year>,
}

/// A year after a month and day: in full, or two digits ("eighty-two", "oh five") when it
/// cannot be a time ("December 3rd at 10") and either reads as a year or a birth date is
/// expected.
fn year_after(words: &[&str], birth_context: bool) -> Option<(Year, usize)> {
    let (words, skipped) = match words.first() {
        Some(&"of") | Some(&"in") => (&words[1..], 1),
        _ => (words, 0),
    };
    if let Some((year, used)) = year_value(words)
        && (1900..=2100).contains(&year)
    {
        return Some((Year::Full(year), used + skipped));
    }
    let (value, used) = match words {
        ["oh" | "zero", unit, ..] => (word_value(unit).filter(|u| *u < 10)?, 2),
        _ => cardinal_value(words)?,
    };
    let first = words.first()?;
    let next = words.get(used).copied();
    let time_follows = matches!(
        next,
        Some("am" | "pm" | "o'clock" | "oclock" | "thirty" | "fifteen" | "forty-five")
    );
    let two_digits = first.len() == 2 || !first.chars().all(|c| c.is_ascii_digit());
    (value < 100 && two_digits && !time_follows && (value >= 32 || birth_context))
        .then_some((Year::Short(value), used + skipped))
}

/// "december 14", "december the 14th", "december fourteenth 1980".
fn month_first(words: &[&str], at: usize, birth_context: bool) -> Option<Mention> {
    let month = month_of(words[at])?;
    let mut i = at + 1;
    if words.get(i) == Some(&"the") {
        i += 1;
    }
    let rest = words.get(i..)?;
    let (day, used) = ordinal_value(rest).or_else(|| cardinal_value(rest))?;
    if !(1..=31).contains(&day) {
        return None;
    }
    // "May 5th", but not "may I" or "march in".
    i += used;
    let year = year_after(words.get(i..).unwrap_or_default(), birth_context);
    if let Some((_, used)) = year {
        i += used;
    }
    Some(Mention {
        at,
        used: i - at,
        month,
        day,
        year: year.map(|(y, _)| y),
    })
}

/// The year first: "nineteen eighty-five, April the twelfth", and, when a birth date is
/// expected, "eighty-seven, June the fourth".
fn year_first(words: &[&str], at: usize, birth_context: bool) -> Option<Mention> {
    let rest = &words[at..];
    let (year, used) = match year_value(rest) {
        Some((year, used)) if (1900..=2100).contains(&year) => (Year::Full(year), used),
        _ if birth_context => {
            let (value, used) = cardinal_value(rest)?;
            let spoken = !rest[0].chars().all(|c| c.is_ascii_digit()) || rest[0].len() == 2;
            ((32..100).contains(&value) && spoken).then_some((Year::Short(value), used))?
        }
        _ => return None,
    };
    let after = at + used;
    words.get(after)?;
    let date = month_first(words, after, false).filter(|m| m.year.is_none())?;
    Some(Mention {
        at,
        used: used + date.used,
        month: date.month,
        day: date.day,
        year: Some(year),
    })
}

/// "the 14th of december (1980)", "14 december".
fn day_first(words: &[&str], at: usize, birth_context: bool) -> Option<Mention> {
    let rest = &words[at..];
    // "ten thirty April thirteenth": "thirty" is the time's minutes, not April 30.
    let after_hour =
        at > 0 && super::numbers::word_value(words[at - 1]).is_some_and(|h| (1..=12).contains(&h));
    let (day, used) = ordinal_value(rest).or_else(|| {
        cardinal_value(rest)
            .filter(|_| !after_hour)
            .filter(|(_, u)| rest.get(*u).and_then(|w| month_of(w)).is_some())
    })?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let mut i = at + used;
    if words.get(i) == Some(&"of") {
        i += 1;
    }
    let month = month_of(words.get(i)?)?;
    i += 1;
    let year = year_after(words.get(i..).unwrap_or_default(), birth_context);
    if let Some((_, used)) = year {
        i += used;
    }
    Some(Mention {
        at,
        used: i - at,
        month,
        day,
        year: year.map(|(y, _)| y),
    })
}

/// "12/3", "1/5/1980", "3/15/82" (month first, as in the US).
fn numeric(words: &[&str], at: usize) -> Option<Mention> {
    let mut parts = words[at].split('/');
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let year = match parts.next() {
        None => None,
        Some(y) if y.len() == 4 => Some(Year::Full(y.parse().ok()?)),
        Some(y) if y.len() == 2 => Some(Year::Short(y.parse().ok()?)),
        Some(_) => return None,
    };
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(Mention {
        at,
        used: 1,
        month,
        day,
        year,
    })
}

/// Every date said with a month, in order; words in `taken` are skipped.
pub fn mentions(words: &[&str], taken: &[bool], birth_context: bool) -> Vec<Mention> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < words.len() {
        if taken.get(at).copied().unwrap_or(false) {
            at += 1;
            continue;
        }
        let mention = holiday(words, at, birth_context)
            .or_else(|| year_first(words, at, birth_context))
            .or_else(|| month_first(words, at, birth_context))
            .or_else(|| day_first(words, at, birth_context))
            .or_else(|| numeric(words, at))
            .filter(|m| (m.at..m.at + m.used).all(|i| !taken.get(i).copied().unwrap_or(false)));
        match mention {
            Some(m) => {
                at += m.used.max(1);
                found.push(m);
            }
            None => at += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(s: &str, birth: bool) -> Vec<(u32, u32, Option<Year>)> {
        let words: Vec<&str> = s.split_whitespace().collect();
        mentions(&words, &[], birth)
            .into_iter()
            .map(|m| (m.month, m.day, m.year))
            .collect()
    }

    #[test]
    fn reads_dates_with_months() {
        assert_eq!(said("december 3rd at 2", false), [(12, 3, None)]);
        assert_eq!(
            said("march fifteenth eighty-two", false),
            [(3, 15, Some(Year::Short(82)))]
        );
        assert_eq!(
            said("the fifteenth of march nineteen eighty two", false),
            [(3, 15, Some(Year::Full(1982)))]
        );
        assert_eq!(said("3/15/82", false), [(3, 15, Some(Year::Short(82)))]);
        assert_eq!(
            said("nineteen eighty five april the twelfth", false),
            [(4, 12, Some(Year::Full(1985)))]
        );
        assert_eq!(
            said("eighty-seven june the fourth", true),
            [(6, 4, Some(Year::Short(87)))]
        );
        assert_eq!(said("12/3", false), [(12, 3, None)]);
        assert_eq!(said("may i come in", false), []);
        assert_eq!(
            said("christmas day 1980", false),
            [(12, 25, Some(Year::Full(1980)))]
        );
        assert_eq!(said("the 4th of july", false), [(7, 4, None)]);
        assert_eq!(said("june 5 oh five", true), [(6, 5, Some(Year::Short(5)))]);
        assert_eq!(said("june 5 10 am", true), [(6, 5, None)]);
        assert_eq!(
            said("15 march 1982", false),
            [(3, 15, Some(Year::Full(1982)))]
        );
    }

    #[test]
    fn short_years_are_the_latest_past() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let born = |s| Year::Short(s).in_past(today, 3, 15);
        assert_eq!(born(82), NaiveDate::from_ymd_opt(1982, 3, 15));
        assert_eq!(born(5), NaiveDate::from_ymd_opt(2005, 3, 15));
        assert_eq!(born(26), NaiveDate::from_ymd_opt(2026, 3, 15));
        assert_eq!(
            Year::Short(26).in_past(today, 12, 1),
            NaiveDate::from_ymd_opt(1926, 12, 1)
        );
        assert_eq!(born(30), NaiveDate::from_ymd_opt(1930, 3, 15));
    }

    #[test]
    fn weekdays_ahead() {
        let wed = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(next_weekday(wed, Weekday::Wed), wed + Duration::days(7));
        assert_eq!(next_weekday(wed, Weekday::Thu), wed + Duration::days(1));
        assert_eq!(monday_of(wed), wed - Duration::days(2));
    }
}
