//! Dates and times as clients write them, read in the clinic's zone.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use super::BookingError;
use super::availability::resolve;

/// The years a date from outside may name. Anything else is a slip of the keyboard or the
/// ear, and date arithmetic near chrono's own limits would overflow.
pub const YEARS: RangeInclusive<i32> = 1900..=2200;

/// A date from outside, refused when its year is not in [`YEARS`].
pub fn bounded_date(date: NaiveDate, what: &'static str) -> Result<NaiveDate, BookingError> {
    if YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(BookingError::DateOutOfRange(what, date.to_string()))
    }
}

pub fn parse_date(raw: &str, what: &'static str) -> Result<NaiveDate, BookingError> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| BookingError::InvalidDate(what, raw.chars().take(40).collect()))?;
    bounded_date(date, what)
}

/// An instant: RFC 3339 with an offset (`2026-12-07T14:00:00Z`), or the clinic's wall-clock
/// time (`2026-12-07T09:00`). A wall-clock time that a DST change skips is refused.
///
/// Booking times are whole minutes: seconds, fractions and leap seconds are dropped here, once,
/// so the instant stored, compared for idempotency and answered is the same one.
pub fn parse_start(raw: &str, zone: Tz) -> Result<DateTime<Utc>, BookingError> {
    let raw = raw.trim();
    let bad = || BookingError::InvalidDate("start", raw.chars().take(40).collect());
    let instant = if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        bounded_date(instant.naive_utc().date(), "start")?;
        instant.with_timezone(&Utc)
    } else {
        let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
            .ok_or_else(bad)?;
        bounded_date(local.date(), "start")?;
        let minute = local.with_second(0).and_then(|t| t.with_nanosecond(0));
        let minute = minute.ok_or_else(bad)?;
        resolve(zone, minute).ok_or(BookingError::SkippedLocalTime(minute))?
    };
    // RFC 3339 offsets are whole minutes, so truncating in UTC truncates the local time too.
    instant
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .ok_or_else(bad)
}

/// When the clinic's `date` begins, as an instant; `None` if its midnight does not exist.
pub fn day_start(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    date.and_hms_opt(0, 0, 0).and_then(|t| resolve(zone, t))
}

/// Clinic-local days `from..=to` as Unix milliseconds `[start, end)`, each side open when
/// absent. The error is the date whose midnight does not exist.
pub fn days_in_ms(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    zone: Tz,
) -> Result<(i64, i64), NaiveDate> {
    let ms = |date: NaiveDate| {
        day_start(date, zone)
            .map(|t| t.timestamp_millis())
            .ok_or(date)
    };
    let start = from.map(ms).transpose()?.unwrap_or(0);
    let end = to
        .map(|d| ms(d + chrono::Duration::days(1)))
        .transpose()?
        .unwrap_or(i64::MAX);
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_instants_and_clinic_wall_clock_times() {
        let ny = chrono_tz::America::New_York;
        let utc = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
        };
        assert_eq!(
            parse_start("2026-12-07T14:00:00Z", ny).ok(),
            utc("2026-12-07T14:00:00Z")
        );
        assert_eq!(
            parse_start("2026-12-07T09:00", ny).ok(),
            utc("2026-12-07T14:00:00Z")
        );
        assert_eq!(
            parse_start("2026-07-07T09:00:00", ny).ok(),
            utc("2026-07-07T13:00:00Z")
        );
        assert!(matches!(
            parse_start("2026-03-08T02:30", ny),
            Err(BookingError::SkippedLocalTime(_))
        ));
        assert!(parse_start("next tuesday", ny).is_err());
        assert!(parse_start("2026-02-30T09:00", ny).is_err());
        assert!(parse_date("2026-02-29", "from").is_err());
        assert!(parse_date("2028-02-29", "from").is_ok());
    }

    #[test]
    fn dates_outside_the_years_we_serve_are_refused_not_computed() {
        let ny = chrono_tz::America::New_York;
        for raw in ["+262142-12-31", "-262143-01-01", "1899-12-31", "2201-01-01"] {
            assert!(
                matches!(
                    parse_date(raw, "from"),
                    Err(BookingError::DateOutOfRange(..))
                ),
                "{raw}"
            );
        }
        for raw in [
            "-262143-01-01T10:00",
            "+262142-12-31T23:59",
            "2300-01-01T09:00:00Z",
            "1800-01-01T09:00:00-05:00",
        ] {
            assert!(
                matches!(parse_start(raw, ny), Err(BookingError::DateOutOfRange(..))),
                "{raw}"
            );
        }
        assert!(parse_date("1900-01-01", "from").is_ok());
        assert!(parse_date("2200-12-31", "to").is_ok());
    }
}
