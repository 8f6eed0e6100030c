use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::TenancyError;

/// A clinic's IANA time zone. "Today" and "what time is it" are always computed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(Tz);

impl TimeZone {
    pub fn parse(name: &str) -> Result<Self, TenancyError> {
        Tz::from_str(name.trim())
            .map(Self)
            .map_err(|_| TenancyError::UnknownTimeZone(name.to_owned()))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> Tz {
        self.0
    }

    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.0)
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self(chrono_tz::America::New_York)
    }
}

impl TryFrom<String> for TimeZone {
    type Error = TenancyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> Self {
        zone.name().to_owned()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iana_names_only() {
        assert_eq!(
            TimeZone::parse("America/Chicago").map(|z| z.name()).ok(),
            Some("America/Chicago")
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert!(TimeZone::parse("").is_err());
    }
}
