//! How domain values sit in database columns, the same for every backend: minutes of the day,
//! weekdays (0 = Monday), kinds as text. A value that does not read back is corrupt data.

use chrono::{NaiveTime, Timelike, Weekday};

use super::StoreError;
use crate::booking::{ExceptionKind, PhoneNumber, ProviderKind, TimeRange};

pub fn corrupt(err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(err.to_string())
}

pub fn phone(raw: Option<String>) -> Result<Option<PhoneNumber>, StoreError> {
    raw.as_deref()
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(corrupt)
}

pub fn unsigned(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(corrupt)
}

pub fn minute_of(t: NaiveTime) -> u16 {
    // At most 23 * 60 + 59.
    u16::try_from(t.hour() * 60 + t.minute()).unwrap_or(0)
}

pub fn time_of(minute: i64) -> Result<NaiveTime, StoreError> {
    u32::try_from(minute)
        .ok()
        .and_then(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
        .ok_or_else(|| corrupt(format!("minute of day {minute}")))
}

pub fn time_range(start: i64, end: i64) -> Result<TimeRange, StoreError> {
    TimeRange::new(time_of(start)?, time_of(end)?).map_err(corrupt)
}

pub fn weekday(number: i64) -> Result<Weekday, StoreError> {
    u8::try_from(number)
        .ok()
        .and_then(|n| Weekday::try_from(n).ok())
        .ok_or_else(|| corrupt(format!("weekday {number}")))
}

pub fn day_number(day: Weekday) -> u8 {
    // 0 to 6.
    u8::try_from(day.num_days_from_monday()).unwrap_or(0)
}

pub fn kind_str(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Dentist => "dentist",
        ProviderKind::Hygienist => "hygienist",
    }
}

pub fn provider_kind(raw: &str) -> Result<ProviderKind, StoreError> {
    match raw {
        "dentist" => Ok(ProviderKind::Dentist),
        "hygienist" => Ok(ProviderKind::Hygienist),
        other => Err(corrupt(format!("provider kind '{other}'"))),
    }
}

pub fn exception_kind_str(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Closed => "closed",
        ExceptionKind::ExtraHours => "extra_hours",
        ExceptionKind::Blockout => "blockout",
    }
}

pub fn exception_kind(raw: &str) -> Result<ExceptionKind, StoreError> {
    match raw {
        "closed" => Ok(ExceptionKind::Closed),
        "extra_hours" => Ok(ExceptionKind::ExtraHours),
        "blockout" => Ok(ExceptionKind::Blockout),
        other => Err(corrupt(format!("exception kind '{other}'"))),
    }
}
