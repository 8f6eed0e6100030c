//! Booking API keys. The key is shown once at creation; only its SHA-256 is stored, so a
//! copy of the database does not hand out access. The key alone names its clinic.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PREFIX: &str = "asc_";

/// A freshly generated key: `secret` goes to the operator, the rest to the database.
pub struct NewApiKey {
    pub secret: String,
    pub hash: String,
    /// The first characters, to tell keys apart in listings without revealing them.
    pub prefix: String,
    pub label: Option<String>,
}

impl NewApiKey {
    pub fn generate(label: Option<String>) -> Self {
        // Two v4 UUIDs: 244 random bits from the OS generator.
        let random = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let secret = format!("{PREFIX}{random}");
        Self {
            hash: hash_api_key(&secret),
            prefix: secret[..PREFIX.len() + 8].to_owned(),
            secret,
            label: label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        }
    }
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey")
            .field("prefix", &self.prefix)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// What a listing shows of a key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKeyInfo {
    pub prefix: String,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Hex SHA-256 of a presented key. Keys carry 244 random bits, so an unsalted fast hash is
/// enough: there is nothing to brute-force.
pub fn hash_api_key(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Whether a presented token is shaped like one of our keys (checked before any lookup).
pub fn looks_like_api_key(token: &str) -> bool {
    token.len() == PREFIX.len() + 64
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_well_formed_and_hashed() {
        let a = NewApiKey::generate(Some(" front desk ".into()));
        let b = NewApiKey::generate(None);
        assert_ne!(a.secret, b.secret);
        assert!(looks_like_api_key(&a.secret));
        assert!(a.secret.starts_with(&a.prefix));
        assert_eq!(a.hash, hash_api_key(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(a.label.as_deref(), Some("front desk"));
        assert!(!format!("{a:?}").contains(&a.secret));
        assert!(!looks_like_api_key("asc_short"));
        assert_eq!(
            hash_api_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
