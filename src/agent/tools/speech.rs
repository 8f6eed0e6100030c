//! Dates and times as a receptionist says them.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// "Tuesday, December 8"
pub fn spoken_date(date: NaiveDate) -> String {
    date.format("%A, %B %-d").to_string()
}

/// "9 AM", "1:30 PM"
pub fn spoken_time(time: NaiveTime) -> String {
    if time.minute() == 0 {
        time.format("%-I %p").to_string()
    } else {
        time.format("%-I:%M %p").to_string()
    }
}

/// "Tuesday, December 8 at 1:30 PM", in the clinic's zone.
pub fn spoken_slot(start: DateTime<Utc>, zone: Tz) -> String {
    let local = start.with_timezone(&zone);
    format!(
        "{} at {}",
        spoken_date(local.date_naive()),
        spoken_time(local.time())
    )
}

/// "a cleaning", "an emergency visit".
pub fn with_article(noun: &str) -> String {
    let noun = noun.to_lowercase();
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_times_plainly() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        assert_eq!(spoken_time(t(9, 0)), "9 AM");
        assert_eq!(spoken_time(t(13, 30)), "1:30 PM");
        assert_eq!(spoken_time(t(0, 5)), "12:05 AM");
        let date = NaiveDate::from_ymd_opt(2026, 12, 8).expect("date");
        assert_eq!(spoken_date(date), "Tuesday, December 8");
    }
}
