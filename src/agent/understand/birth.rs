//! Birth dates: a date with a year in the past ("January 5th, 1980", "3/15/82"), a date said
//! as numbers when one is expected ("oh three fifteen eighty two"), or a year said apart
//! ("born in '82 on March 15"). A birth date is never in the future.

use chrono::NaiveDate;

use super::calendar::{Mention, Year};
use super::numbers::{cardinal_value, word_value, year_value};

/// Words that say a date is a birth date.
pub const BIRTH_CUES: &[&str] = &[
    "born",
    "birthday",
    "birth",
    "birthdate",
    "dob",
    "d o b",
    "b-day",
];

/// What the dated mentions are: the birth date, and the appointment days (word index, day).
pub struct Sorted {
    pub birth: Option<NaiveDate>,
    pub days: Vec<(usize, NaiveDate)>,
}

/// Sorts the dates said with a month into a birth date and appointment days.
pub fn sort(mentions: &[Mention], today: NaiveDate, birth_context: bool, expected: bool) -> Sorted {
    let mut sorted = Sorted {
        birth: None,
        days: Vec::new(),
    };
    for m in mentions {
        match m.year {
            Some(year) if birth_context => {
                if let Some(date) = year.in_past(today, m.month, m.day).filter(|d| *d <= today) {
                    sorted.birth = Some(date);
                }
            }
            Some(year) => {
                let said = NaiveDate::from_ymd_opt(year.as_said(today), m.month, m.day);
                match said {
                    Some(date)
                        if date >= today && date.signed_duration_since(today).num_days() < 800 =>
                    {
                        sorted.days.push((m.at, date));
                    }
                    // A year in the past: a birth date, never an appointment day.
                    _ => {
                        if let Some(date) =
                            year.in_past(today, m.month, m.day).filter(|d| *d < today)
                        {
                            sorted.birth = Some(date);
                        }
                    }
                }
            }
            // A month and day alone, when a birth date was asked for, is half an answer.
            None if expected => {}
            None => {
                if let Some(date) = super::calendar::upcoming(today, m.month, m.day) {
                    sorted.days.push((m.at, date));
                }
            }
        }
    }
    sorted
}

/// A year said apart from the month and day, in a birth context: "born in '82 on March 15".
pub fn lone_year(words: &[&str], taken: &[bool]) -> Option<(Year, usize, usize)> {
    for at in 0..words.len() {
        if taken.get(at).copied().unwrap_or(false) {
            continue;
        }
        let rest = &words[at..];
        if let Some((year, used)) = year_value(rest)
            && (1900..=2100).contains(&year)
        {
            return Some((Year::Full(year), at, used));
        }
        // "in 1982", "in 82", "in eighty-two"
        if words[at] == "in" {
            if let Some((year, used)) = year_value(&rest[1..])
                && (1900..=2100).contains(&year)
            {
                return Some((Year::Full(year), at, used + 1));
            }
            if let Some((value, used)) = cardinal_value(&rest[1..])
                && (10..100).contains(&value)
            {
                return Some((Year::Short(value), at, used + 1));
            }
        }
    }
    None
}

/// One part of a date said as numbers: "oh three", "03", "fifteen", "twenty one".
fn number(words: &[&str]) -> Option<(u32, usize)> {
    match words {
        ["oh" | "zero", unit, ..] => word_value(unit).filter(|u| *u < 10).map(|u| (u, 2)),
        _ => cardinal_value(words).filter(|(_, used)| {
            // "1982" is a year, not a month.
            words[0].len() <= 2 || !words[0].chars().all(|c| c.is_ascii_digit()) || *used > 1
        }),
    }
}

/// "zero three one five one nine eight two": MMDDYYYY or MMDDYY, one digit a word.
fn digit_by_digit(
    words: &[&str],
    taken: &[bool],
    at: usize,
    today: NaiveDate,
) -> Option<(NaiveDate, usize, usize)> {
    let single = |w: &&str| {
        word_value(w).is_some_and(|v| v < 10)
            || (w.len() == 1 && w.chars().all(|c| c.is_ascii_digit()))
    };
    let len = words[at..]
        .iter()
        .enumerate()
        .take_while(|(i, w)| single(w) && !taken.get(at + i).copied().unwrap_or(false))
        .count();
    if len != 6 && len != 8 {
        return None;
    }
    let digits = super::numbers::spoken_digits(&words[at..at + len]);
    let number = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u32>().ok());
    let (month, day) = (number(0..2)?, number(2..4)?);
    let year = if len == 8 {
        Year::Full(number(4..8)? as i32)
    } else {
        Year::Short(number(4..6)?)
    };
    let date = year.in_past(today, month, day).filter(|d| *d <= today)?;
    Some((date, at, len))
}

/// "oh three fifteen eighty two", "3 15 1982": month, day and year as numbers. Only read
/// when a birth date is expected, since such runs are otherwise times or phone digits.
pub fn spoken_numbers(
    words: &[&str],
    taken: &[bool],
    today: NaiveDate,
) -> Option<(NaiveDate, usize, usize)> {
    for at in 0..words.len() {
        if taken.get(at).copied().unwrap_or(false) {
            continue;
        }
        if let Some(found) = digit_by_digit(words, taken, at, today) {
            return Some(found);
        }
        let Some((month, m_used)) = number(&words[at..]).filter(|(m, _)| (1..=12).contains(m))
        else {
            continue;
        };
        let Some((day, d_used)) =
            number(&words[at + m_used..]).filter(|(d, _)| (1..=31).contains(d))
        else {
            continue;
        };
        let rest = &words[at + m_used + d_used..];
        let year = year_value(rest)
            .filter(|(y, _)| (1900..=2100).contains(y))
            .map(|(y, used)| (Year::Full(y), used))
            .or_else(|| {
                number(rest)
                    .filter(|(y, _)| *y < 100)
                    .map(|(y, used)| (Year::Short(y), used))
            });
        let Some((year, y_used)) = year else {
            continue;
        };
        let used = m_used + d_used + y_used;
        if (at..at + used).any(|i| taken.get(i).copied().unwrap_or(false)) {
            continue;
        }
        if let Some(date) = year.in_past(today, month, day).filter(|d| *d <= today) {
            return Some((date, at, used));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn numbers_said_for_a_birth_date() {
        let w = words("oh three fifteen eighty two");
        assert_eq!(
            spoken_numbers(&w, &[], today()).map(|(d, ..)| d),
            NaiveDate::from_ymd_opt(1982, 3, 15)
        );
        let w = words("it's 3 15 1982");
        assert_eq!(
            spoken_numbers(&w, &[], today()).map(|(d, ..)| d),
            NaiveDate::from_ymd_opt(1982, 3, 15)
        );
        let w = words("zero three one five one nine eight two");
        assert_eq!(
            spoken_numbers(&w, &[], today()).map(|(d, ..)| d),
            NaiveDate::from_ymd_opt(1982, 3, 15)
        );
        let w = words("twelve twenty five oh five");
        assert_eq!(
            spoken_numbers(&w, &[], today()).map(|(d, ..)| d),
            NaiveDate::from_ymd_opt(2005, 12, 25)
        );
    }

    #[test]
    fn past_years_are_births_and_future_years_days() {
        let m = |year| Mention {
            at: 0,
            used: 3,
            month: 3,
            day: 15,
            year,
        };
        let s = sort(&[m(Some(Year::Full(1982)))], today(), false, false);
        assert_eq!(s.birth, NaiveDate::from_ymd_opt(1982, 3, 15));
        assert!(s.days.is_empty());
        let s = sort(&[m(Some(Year::Full(2027)))], today(), false, false);
        assert_eq!(s.days, [(0, NaiveDate::from_ymd_opt(2027, 3, 15).unwrap())]);
        let s = sort(&[m(None)], today(), true, true);
        assert!(s.birth.is_none() && s.days.is_empty());
        let s = sort(&[m(Some(Year::Short(82)))], today(), false, false);
        assert_eq!(s.birth, NaiveDate::from_ymd_opt(1982, 3, 15));
    }

    #[test]
    fn a_year_said_apart() {
        let w = words("born in 82 on march 15");
        assert_eq!(lone_year(&w, &[]), Some((Year::Short(82), 1, 2)));
        let w = words("born in nineteen eighty two");
        assert_eq!(lone_year(&w, &[]), Some((Year::Full(1982), 1, 4)));
    }
}
