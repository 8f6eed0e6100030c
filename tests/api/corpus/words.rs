//! Numbers, dates and phone numbers the way callers say them.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const ORDINALS: [&str; 20] = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];

/// 0..=99 in words, "eighty-two".
pub fn cardinal(n: u32) -> String {
    match n {
        0..=19 => ONES[n as usize].to_owned(),
        _ if n.is_multiple_of(10) => TENS[(n / 10) as usize].to_owned(),
        _ => format!("{}-{}", TENS[(n / 10) as usize], ONES[(n % 10) as usize]),
    }
}

/// 1..=31 as a spoken ordinal, "twenty-third".
pub fn ordinal(n: u32) -> String {
    match n {
        0..=19 => ORDINALS[n as usize].to_owned(),
        20 => "twentieth".into(),
        30 => "thirtieth".into(),
        _ => format!(
            "{}-{}",
            TENS[(n / 10) as usize],
            ORDINALS[(n % 10) as usize]
        ),
    }
}

/// "15th", "3rd", "22nd".
pub fn ordinal_digits(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "nineteen eighty-two", "two thousand fifteen", "two thousand and nine".
pub fn year(y: i32, and: bool) -> String {
    let y = y as u32;
    if (2000..2010).contains(&y) {
        let rest = y - 2000;
        if rest == 0 {
            return "two thousand".into();
        }
        return format!(
            "two thousand {}{}",
            if and { "and " } else { "" },
            cardinal(rest)
        );
    }
    if (2010..2100).contains(&y) && and {
        return format!("two thousand and {}", cardinal(y - 2000));
    }
    let (hi, lo) = (y / 100, y % 100);
    if lo == 0 {
        return format!("{} hundred", cardinal(hi));
    }
    if lo < 10 {
        return format!("{} oh {}", cardinal(hi), cardinal(lo));
    }
    format!("{} {}", cardinal(hi), cardinal(lo))
}

pub fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][(m - 1) as usize]
}

pub fn weekday_name(d: NaiveDate) -> String {
    d.format("%A").to_string()
}

/// A birth date in one of many spoken forms. Returns the phrase and a label of its form.
pub fn birth_date(d: NaiveDate, form: usize) -> (String, &'static str) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let month = month_name(m);
    match form % 9 {
        0 => (
            format!("{month} {}, {}", ordinal(day), year(y, false)),
            "words",
        ),
        1 => (
            format!("{month} {}, {}", ordinal(day), cardinal((y % 100) as u32)),
            "two-digit year in words",
        ),
        2 => (format!("{m}/{day}/{:02}", y % 100), "m/d/yy"),
        3 => (format!("{m:02}/{day:02}/{y}"), "mm/dd/yyyy"),
        4 => (
            format!("the {} of {month}, {y}", ordinal(day)),
            "the nth of month",
        ),
        5 => (
            format!("{month} {}, {y}", ordinal_digits(day)),
            "month 15th, yyyy",
        ),
        6 => (format!("{month} {day} {y}"), "month d yyyy"),
        7 => (
            format!("{} {month} {}", day, year(y, true)),
            "d month year in words",
        ),
        _ => (
            format!("{month} {}, {}", ordinal(day), year(y, false)),
            "words",
        ),
    }
}

/// "+15553010123" as "five five five, three oh one, oh one two three".
pub fn phone_words(e164: &str, oh: bool) -> String {
    let digits: Vec<u32> = e164
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect::<Vec<_>>();
    let digits = if digits.len() == 11 {
        &digits[1..]
    } else {
        &digits[..]
    };
    let word = |d: &u32| {
        if *d == 0 && oh {
            "oh".to_owned()
        } else {
            ONES[*d as usize].to_owned()
        }
    };
    let group = |g: &[u32]| g.iter().map(word).collect::<Vec<_>>().join(" ");
    format!(
        "{}, {}, {}",
        group(&digits[0..3]),
        group(&digits[3..6]),
        group(&digits[6..])
    )
}

/// "9 AM" or "nine" or "9:30" or "one thirty".
pub fn time_words(t: NaiveTime, style: usize) -> String {
    let h12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    let m = t.minute();
    match style % 3 {
        0 => {
            if m == 0 {
                cardinal(h12)
            } else {
                format!("{} {}", cardinal(h12), cardinal(m))
            }
        }
        1 => {
            if m == 0 {
                format!("{h12}")
            } else {
                format!("{h12}:{m:02}")
            }
        }
        _ => {
            let ampm = if t.hour() < 12 { "a.m." } else { "p.m." };
            if m == 0 {
                format!("{h12} {ampm}")
            } else {
                format!("{h12}:{m:02} {ampm}")
            }
        }
    }
}

/// Letters with spaces: "S I O B H A N"; apostrophes and hyphens said as words.
pub fn spelled(name: &str) -> String {
    let mut out = Vec::new();
    for c in name.chars() {
        match c {
            '\'' | '’' => out.push("apostrophe".to_owned()),
            '-' => out.push("hyphen".to_owned()),
            ' ' => out.push("space".to_owned()),
            c => out.push(c.to_uppercase().collect()),
        }
    }
    out.join(" ")
}

/// Offers as the receptionist says them: every "Weekday, Month D" sets the day for the times
/// that follow it ("9 AM", "1:30 PM").
pub fn parse_offers(text: &str, today: NaiveDate) -> Vec<(NaiveDate, NaiveTime)> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '?')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut day: Option<NaiveDate> = None;
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if let Some(m) = (1..=12).find(|m| month_name(*m) == w)
            && let Some(d) = words.get(i + 1).and_then(|d| d.parse::<u32>().ok())
        {
            // The next such date on or after today.
            for y in [today.year(), today.year() + 1] {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
                    && date >= today
                {
                    day = Some(date);
                    break;
                }
            }
            i += 2;
            continue;
        }
        if let Some(next) = words.get(i + 1)
            && (next == "AM" || next == "PM")
        {
            let (h, m) = match w.split_once(':') {
                Some((h, m)) => (h.parse::<u32>().ok(), m.parse::<u32>().ok()),
                None => (w.parse::<u32>().ok(), Some(0)),
            };
            if let (Some(h), Some(m), Some(day)) = (h, m, day) {
                let h24 = match (h % 12, next.as_str()) {
                    (h, "PM") => h + 12,
                    (h, _) => h,
                };
                if let Some(t) = NaiveTime::from_hms_opt(h24, m, 0) {
                    out.push((day, t));
                }
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_right() {
        assert_eq!(year(1982, false), "nineteen eighty-two");
        assert_eq!(year(2015, true), "two thousand and fifteen");
        assert_eq!(year(2005, false), "two thousand five");
        assert_eq!(ordinal(23), "twenty-third");
        assert_eq!(ordinal_digits(12), "12th");
        assert_eq!(
            phone_words("+15553010120", true),
            "five five five, three oh one, oh one two oh"
        );
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let offers = parse_offers(
            "I have Tuesday, March 3 at 9 AM, 10 AM or 1:30 PM with Maria Lopez. Which works best?",
            today,
        );
        assert_eq!(offers.len(), 3);
        assert_eq!(offers[2].1, NaiveTime::from_hms_opt(13, 30, 0).expect("t"));
    }
}
