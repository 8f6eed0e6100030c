//! Staff accounts as the console and the CLI see them: validated emails, roles per clinic.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::tenancy::OrgId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StaffError {
    #[error("'{0}' is not an email address")]
    InvalidEmail(String),
    #[error("unknown role '{0}': use owner, manager or staff")]
    InvalidRole(String),
    #[error("a password is 10 to 200 characters")]
    WeakPassword,
}

/// An email address, lower-cased: sign-in is not case sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, StaffError> {
        let email = raw.trim().to_lowercase();
        let valid = (3..=254).contains(&email.len())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(email))
        } else {
            Err(StaffError::InvalidEmail(raw.chars().take(60).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a member may do in a clinic: staff run the front desk, managers also read the
/// statistics, owners also read the record of who did what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Manager,
    Owner,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, StaffError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "manager" => Ok(Role::Manager),
            "staff" => Ok(Role::Staff),
            _ => Err(StaffError::InvalidRole(raw.chars().take(40).collect())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Staff => "staff",
        }
    }
}

/// A password as typed: long enough to resist guessing, short enough to hash quickly.
pub fn check_password(password: &str) -> Result<(), StaffError> {
    if (10..=200).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(StaffError::WeakPassword)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: UserId,
    pub email: Email,
    pub operator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org: OrgId,
    pub role: Role,
}

/// A signed-in session, as stored (the token itself is only ever in the cookie).
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub user: StaffUser,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One thing staff did in a clinic.
#[derive(Debug, Clone, Serialize)]
pub struct StaffAction {
    pub email: String,
    pub at: DateTime<Utc>,
    pub action: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_roles_validate() {
        assert_eq!(
            Email::parse(" Ann@Clinic.Example ").map(|e| e.0),
            Ok("ann@clinic.example".into())
        );
        for bad in ["", "ann", "@x.y", "ann@", "ann@local", "a b@x.y", "ann@.x"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Role::parse("Owner"), Ok(Role::Owner));
        assert!(Role::parse("admin").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("a long enough passphrase").is_ok());
    }
}
