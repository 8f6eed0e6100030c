//! Appointment days said relative to today: "today", "the day after tomorrow", "Tuesday",
//! "this Friday", "next Tuesday", "Wednesday next week", "next week, Thursday or Friday",
//! "a week from Tuesday", "in two weeks", "the 15th"; and "next week" alone as a week.

use chrono::{Datelike, Duration, NaiveDate};

use super::calendar::{monday_of, month_of, next_weekday, weekday_of};
use super::numbers::{cardinal_value, ordinal_value};

/// Words after "the 2nd" that make it an option, not a day of the month.
const NOT_A_DAY_AFTER: &[&str] = &[
    "one",
    "ones",
    "option",
    "options",
    "time",
    "times",
    "slot",
    "slots",
    "thing",
    "visit",
    "available",
    "opening",
    "appointment",
    "choice",
    "name",
    "of",
];

#[derive(Debug, Default, PartialEq)]
pub struct Relative {
    /// (word index, day)
    pub days: Vec<(usize, NaiveDate)>,
    pub week_of: Option<NaiveDate>,
}

fn at<'a>(words: &[&'a str], i: usize) -> &'a str {
    words.get(i).copied().unwrap_or("")
}

/// "two" in "in two weeks"; "a" and "a couple of" too.
fn count_before(words: &[&str], unit_at: usize) -> Option<(i64, usize)> {
    let before = unit_at.checked_sub(1)?;
    match at(words, before) {
        "a" | "one" | "1" => Some((1, 1)),
        "couple" if at(words, before.wrapping_sub(1)) == "a" => Some((2, 2)),
        "of" if at(words, before.wrapping_sub(1)) == "couple" => Some((2, 3)),
        _ => {
            // "in two weeks", "in 3 weeks", "in twenty one days"
            let start = (before.saturating_sub(1)..=before).find(|&s| {
                cardinal_value(&words[s..unit_at]).is_some_and(|(_, u)| s + u == unit_at)
            })?;
            let (n, used) = cardinal_value(&words[start..unit_at])?;
            Some((n as i64, used))
        }
    }
}

/// Appointment days said relative to today, skipping words in `taken`. `choosing` when
/// the receptionist just listed options, so "the second" is not a day of the month.
pub fn relative(words: &[&str], taken: &[bool], today: NaiveDate, choosing: bool) -> Relative {
    let mut found = Relative::default();
    let is_taken = |i: usize| taken.get(i).copied().unwrap_or(false);
    let next_monday = monday_of(today) + Duration::days(7);
    let text_has = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    let week_after_next = words.windows(3).any(|w| w == ["week", "after", "next"]);
    // "next week, Thursday or Friday": bare weekdays fall in next week.
    let next_week = text_has("next", "week") && !week_after_next;
    let scope = if week_after_next {
        Some(next_monday + Duration::days(7))
    } else if next_week {
        Some(next_monday)
    } else {
        None
    };
    for (i, word) in words.iter().enumerate() {
        if is_taken(i) {
            continue;
        }
        let prev = at(words, i.wrapping_sub(1));
        let a_week_from = i >= 3 && words[i - 3..i] == ["a", "week", "from"];
        let plus_week = if a_week_from { 7 } else { 0 };
        match *word {
            "today" | "tonight" => found.days.push((i, today + Duration::days(plus_week))),
            "tomorrow" => {
                let after = i >= 2 && words[i - 2..i] == ["day", "after"];
                let days = if after { 2 } else { 1 };
                found
                    .days
                    .push((i, today + Duration::days(days + plus_week)));
            }
            "day" | "days" | "week" | "weeks" if prev_is_in(words, i) => {
                if let Some((n, _)) = count_before(words, i).filter(|(n, _)| (1..=52).contains(n)) {
                    let per = if word.starts_with("week") { 7 } else { 1 };
                    found.days.push((i, today + Duration::days(n * per)));
                }
            }
            _ => {}
        }
        if let Some(weekday) = weekday_of(word) {
            // "Tuesday the 15th", "Tuesday, December 1st": the date says it better.
            let next = at(words, i + 1);
            let date_follows = month_of(next).is_some()
                || (next.starts_with(|c: char| c.is_ascii_digit())
                    && ordinal_value(&[next]).is_some())
                || (next == "the" && ordinal_value(&words[(i + 2).min(words.len())..]).is_some());
            if date_follows || prev == "last" {
                continue;
            }
            let mut day = match (prev, scope) {
                ("this", _) if today.weekday() == weekday => today,
                ("this" | "next", _) => next_weekday(today, weekday),
                (_, Some(monday)) => monday + Duration::days(weekday.num_days_from_monday() as i64),
                _ => next_weekday(today, weekday),
            };
            let after_next = at(words, i + 1) == "after" && at(words, i + 2) == "next";
            if a_week_from || after_next {
                day += Duration::days(7);
            }
            found.days.push((i, day));
        }
        // "on the 14th" without a month: the next 14th.
        if (*word == "the" || *word == "on")
            && !choosing
            && let Some((day, used)) = ordinal_value(&words[i + 1..])
            && (1..=31).contains(&day)
            && !NOT_A_DAY_AFTER.contains(&at(words, i + 1 + used))
            && month_of(at(words, i + 1 + used)).is_none()
            && !(i + 1..i + 1 + used).any(is_taken)
            && let Some(date) = next_day_of_month(today, day)
        {
            found.days.push((i + 1, date));
        }
    }
    // "Early next week", "later this week": part of a week, as the days it spans.
    if found.days.is_empty()
        && let Some((at, days)) = part_of_week(words, today, next_monday)
    {
        found.days = days.into_iter().map(|d| (at, d)).collect();
    }
    if found.days.is_empty() {
        found.week_of = if week_after_next {
            Some(next_monday + Duration::days(7))
        } else if next_week {
            Some(next_monday)
        } else if text_has("this", "week") {
            Some(monday_of(today))
        } else {
            None
        };
    }
    found
}

/// Parts of a week: (phrase, first and last weekday, 0 for Monday).
const WEEK_PARTS: &[(&str, u32, u32)] = &[
    ("early", 0, 1),
    ("beginning of", 0, 1),
    ("start of", 0, 1),
    ("first part of", 0, 1),
    ("later", 3, 4),
    ("late", 3, 4),
    ("end of", 3, 4),
    ("latter part of", 3, 4),
    ("back half of", 3, 4),
    ("middle of", 1, 3),
    ("mid", 1, 3),
];

/// "Early next week", "the end of this week": the word index and the days meant (weekdays,
/// after today).
fn part_of_week(
    words: &[&str],
    today: NaiveDate,
    next_monday: NaiveDate,
) -> Option<(usize, Vec<NaiveDate>)> {
    let week_at = (1..words.len()).find(|&i| words[i] == "week")?;
    let (monday, before) = match words[week_at - 1] {
        "next" => (next_monday, week_at - 1),
        "this" | "the" => (monday_of(today), week_at - 1),
        _ => return None,
    };
    let before = if before > 0 && words[before - 1] == "the" {
        before - 1
    } else {
        before
    };
    let (_, first, last) = WEEK_PARTS.iter().find(|(phrase, ..)| {
        let n = super::text::phrase_len(phrase);
        before >= n && super::text::phrase_at(&words[before - n..before], 0, phrase)
    })?;
    let days: Vec<NaiveDate> = (*first..=*last)
        .map(|d| monday + Duration::days(d as i64))
        .filter(|d| *d > today)
        .collect();
    (!days.is_empty()).then_some((week_at, days))
}

/// Words before a day that rule it out: "not Monday", "anything but Friday", "I can't do
/// Tuesday".
const RULED_OUT_BY: &[&str] = &[
    "not",
    "except",
    "besides",
    "anything but",
    "any day but",
    "anytime but",
    "any time but",
    "not on",
    "except on",
    "can't do",
    "cannot do",
    "can't do on",
    "can't make",
    "can't make it",
    "can't make it on",
    "can't come",
    "can't come on",
    "can't come in",
    "can't come in on",
    "won't work on",
];

/// The day said at `at` is one the caller cannot do.
pub fn ruled_out(words: &[&str], at: usize) -> bool {
    // "not this Friday", "can't do next Tuesday": look past this/next.
    let at = if at > 0 && matches!(words[at - 1], "this" | "next" | "the") {
        at - 1
    } else {
        at
    };
    (1..=4).any(|n| {
        at >= n && {
            let before = &words[at - n..at];
            RULED_OUT_BY
                .iter()
                .any(|p| super::text::phrase_len(p) == n && super::text::phrase_at(before, 0, p))
        }
    })
}

/// "in two weeks", "in a couple of days", but not "two weeks ago".
fn prev_is_in(words: &[&str], unit_at: usize) -> bool {
    (unit_at.saturating_sub(4)..unit_at).any(|i| words[i] == "in")
        || (at(words, unit_at + 1) == "from" && at(words, unit_at + 2) == "now")
}

/// The next date (today or after) with this day of the month.
fn next_day_of_month(today: NaiveDate, day: u32) -> Option<NaiveDate> {
    let mut first = today.with_day(1)?;
    for _ in 0..3 {
        if let Some(date) = first.with_day(day).filter(|d| *d >= today) {
            return Some(date);
        }
        first = (first + Duration::days(32)).with_day(1)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap() // a Wednesday
    }

    fn days(s: &str) -> Vec<NaiveDate> {
        let words: Vec<&str> = s.split_whitespace().collect();
        relative(&words, &[], today(), false)
            .days
            .into_iter()
            .map(|(_, d)| d)
            .collect()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn relative_days() {
        assert_eq!(days("today"), [today()]);
        assert_eq!(days("tomorrow"), [d(11, 26)]);
        assert_eq!(days("the day after tomorrow"), [d(11, 27)]);
        assert_eq!(days("tuesday"), [d(12, 1)]);
        assert_eq!(days("this friday"), [d(11, 27)]);
        assert_eq!(days("this wednesday"), [today()]);
        assert_eq!(days("next wednesday"), [d(12, 2)]);
        assert_eq!(days("next thursday"), [d(11, 26)]);
        assert_eq!(days("wednesday next week"), [d(12, 2)]);
        assert_eq!(days("friday of next week"), [d(12, 4)]);
        assert_eq!(days("next week thursday or friday"), [d(12, 3), d(12, 4)]);
        assert_eq!(days("a week from tuesday"), [d(12, 8)]);
        assert_eq!(days("tuesday after next"), [d(12, 8)]);
        assert_eq!(days("in two weeks"), [d(12, 9)]);
        assert_eq!(days("in a couple of days"), [d(11, 27)]);
        assert_eq!(days("on the 15th"), [d(12, 15)]);
        assert_eq!(days("the 30th"), [d(11, 30)]);
        assert_eq!(days("the second one"), []);
        assert_eq!(days("tuesday the 1st"), [d(12, 1)]);
        assert_eq!(days("last tuesday"), []);
        assert_eq!(days("early next week"), [d(11, 30), d(12, 1)]);
        assert_eq!(days("later next week"), [d(12, 3), d(12, 4)]);
        assert_eq!(
            days("sometime in the middle of next week"),
            [d(12, 1), d(12, 2), d(12, 3)]
        );
        assert_eq!(days("at the end of this week"), [d(11, 26), d(11, 27)]);
    }

    #[test]
    fn weeks_without_a_day() {
        let words = ["next", "week"];
        assert_eq!(
            relative(&words, &[], today(), false).week_of,
            Some(d(11, 30))
        );
        let words = ["this", "week"];
        assert_eq!(
            relative(&words, &[], today(), false).week_of,
            Some(d(11, 23))
        );
        let words = ["the", "week", "after", "next"];
        assert_eq!(
            relative(&words, &[], today(), false).week_of,
            Some(d(12, 7))
        );
    }
}
