use std::fmt;

use serde::{Deserialize, Serialize};

use super::TenancyError;

/// A clinic's URL name: lowercase ASCII letters, digits and single dashes, 1 to 63 characters,
/// neither starting nor ending with a dash. It appears in the WebSocket URL pasted into Retell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 63;

    pub fn parse(raw: &str) -> Result<Self, TenancyError> {
        let invalid = || TenancyError::InvalidSlug(raw.to_owned());
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if raw.is_empty()
            || raw.len() > Self::MAX_LEN
            || !raw.chars().all(allowed)
            || raw.starts_with('-')
            || raw.ends_with('-')
            || raw.contains("--")
        {
            return Err(invalid());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = TenancyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_clinic_names() {
        for ok in ["demo", "smile-dental", "clinic-42", "a", "7"] {
            assert_eq!(
                Slug::parse(ok).map(|s| s.to_string()).ok(),
                Some(ok.to_owned())
            );
        }
    }

    #[test]
    fn rejects_everything_else() {
        let too_long = "a".repeat(64);
        for bad in [
            "",
            "Demo",
            "smile_dental",
            "-demo",
            "demo-",
            "de--mo",
            "dé",
            "a b",
            "a/b",
            &too_long,
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
