use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Slug, TenancyError, TimeZone};

/// The typed id every org-scoped store call takes. It only ever comes from our own routing
/// (slug, API key, call id), never from a client-supplied header or body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrgId(Uuid);

impl OrgId {
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    /// Only for ids read back from our own database.
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }
}

impl FromStr for OrgId {
    type Err = TenancyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim())
            .map(Self)
            .map_err(|_| TenancyError::InvalidOrgId(s.to_owned()))
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub slug: Slug,
    pub time_zone: TimeZone,
    pub greeting: Option<String>,
    pub instructions: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Organization {
    /// What the agent says first. Cached with the org so the connect path never waits.
    pub fn greeting_line(&self) -> String {
        match self.greeting.as_deref().map(str::trim) {
            Some(custom) if !custom.is_empty() => custom.to_owned(),
            _ => default_greeting(&self.name),
        }
    }
}

/// The greeting of a clinic that has not chosen its own.
pub fn default_greeting(clinic_name: &str) -> String {
    format!("Thank you for calling {clinic_name}. How can I help you today?")
}

impl Organization {
    /// Applies an update; an empty greeting or instructions clears it.
    pub fn apply(&mut self, update: OrganizationUpdate) {
        if let Some(name) = update.name {
            self.name = name;
        }
        if let Some(slug) = update.slug {
            self.slug = slug;
        }
        if let Some(zone) = update.time_zone {
            self.time_zone = zone;
        }
        if let Some(greeting) = update.greeting {
            self.greeting = Some(greeting).filter(|g| !g.trim().is_empty());
        }
        if let Some(instructions) = update.instructions {
            self.instructions = Some(instructions).filter(|i| !i.trim().is_empty());
        }
    }
}

/// A clinic to be created: validated before anything touches the database.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub slug: Slug,
    pub time_zone: TimeZone,
    pub greeting: Option<String>,
    pub instructions: Option<String>,
}

impl NewOrganization {
    pub fn new(name: &str, slug: Slug, time_zone: TimeZone) -> Result<Self, TenancyError> {
        Ok(Self {
            name: clinic_name(name)?,
            slug,
            time_zone,
            greeting: None,
            instructions: None,
        })
    }
}

/// Changes to an existing clinic; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganizationUpdate {
    pub name: Option<String>,
    pub slug: Option<Slug>,
    pub time_zone: Option<TimeZone>,
    pub greeting: Option<String>,
    pub instructions: Option<String>,
}

pub fn clinic_name(raw: &str) -> Result<String, TenancyError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(TenancyError::InvalidName);
    }
    Ok(name.to_owned())
}
