use std::fmt;

use serde::{Deserialize, Serialize};

use super::BookingError;

/// A phone number in E.164 form (`+` and 8 to 15 digits). Ten-digit numbers are taken as North
/// American (+1), the clinics' default; separators people type or say are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, BookingError> {
        let invalid = || BookingError::InvalidPhone;
        let trimmed = raw.trim();
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(invalid());
        }
        let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if trimmed.starts_with("00") {
            digits.drain(..2);
        }
        let e164 = match (international, digits.len()) {
            (true, 8..=15) if !digits.starts_with('0') => digits,
            (false, 10) if !digits.starts_with(['0', '1']) => format!("1{digits}"),
            (false, 11) if digits.starts_with('1') => digits,
            _ => return Err(invalid()),
        };
        Ok(Self(format!("+{e164}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs: only the last two digits.
    pub fn masked(&self) -> String {
        let tail: String = self
            .0
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("+…{tail}")
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = BookingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> Self {
        phone.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_e164() {
        for (raw, want) in [
            ("(555) 201-0123", "+15552010123"),
            ("555.201.0123", "+15552010123"),
            ("1 555 201 0123", "+15552010123"),
            ("+44 20 7946 0958", "+442079460958"),
            ("0044 20 7946 0958", "+442079460958"),
            ("+90 212 555 0101", "+902125550101"),
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).map(String::from).ok().as_deref(),
                Some(want),
                "{raw}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for raw in [
            "",
            "12345",
            "call me",
            "555-0123",
            "+0 555 201 0123",
            "0555 201 0123",
            "+1234567890123456",
            "555x2010123",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn masks_for_logs() {
        let phone = PhoneNumber::parse("555 201 0123").map(|p| p.masked()).ok();
        assert_eq!(phone.as_deref(), Some("+…23"));
    }
}
