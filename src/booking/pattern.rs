use std::fmt;

use serde::{Deserialize, Serialize};

use super::BookingError;

/// An Open Dental time pattern: one character per 5 minutes, `X` for provider time and `/` for
/// assistant time. Both count towards the length (the original counted only `X`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimePattern(String);

impl TimePattern {
    /// 108 characters = 9 hours, Open Dental's API limit.
    pub const MAX_LEN: usize = 108;

    pub fn parse(raw: &str) -> Result<Self, BookingError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > Self::MAX_LEN || !raw.chars().all(|c| c == 'X' || c == '/')
        {
            return Err(BookingError::InvalidPattern);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn len_minutes(&self) -> u32 {
        self.0.len() as u32 * 5
    }

    pub fn provider_minutes(&self) -> u32 {
        self.0.chars().filter(|&c| c == 'X').count() as u32 * 5
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TimePattern {
    type Error = BookingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimePattern> for String {
    fn from(pattern: TimePattern) -> Self {
        pattern.0
    }
}

impl fmt::Display for TimePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_both_provider_and_assistant_time() {
        let pattern = TimePattern::parse("/XX/").ok();
        assert_eq!(pattern.as_ref().map(TimePattern::len_minutes), Some(20));
        assert_eq!(
            pattern.as_ref().map(TimePattern::provider_minutes),
            Some(10)
        );
        assert!(TimePattern::parse("").is_err());
        assert!(TimePattern::parse("/x/").is_err());
        assert!(TimePattern::parse(&"X".repeat(109)).is_err());
    }
}
