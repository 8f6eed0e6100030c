//! What every console page shows around its content, and small formatting helpers: times are
//! the clinic's, on its own clock.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::auth::ClinicStaff;

/// The frame of a clinic's page: which clinic, who is signed in, the sign-out form's token.
pub struct Frame {
    pub clinic: String,
    pub slug: String,
    pub email: String,
    pub csrf: String,
    pub section: &'static str,
    /// Managers and owners also see the statistics.
    pub manager: bool,
    /// Owners also see the record of who did what.
    pub owner: bool,
    /// Operators also get a link to the page of every clinic.
    pub operator: bool,
}

impl Frame {
    pub fn new(staff: &ClinicStaff, section: &'static str) -> Self {
        Self {
            clinic: staff.org.name.clone(),
            slug: staff.org.slug.to_string(),
            email: staff.staff.session.user.email.to_string(),
            csrf: staff.staff.session.csrf_token.clone(),
            section,
            manager: staff.role >= crate::staff::Role::Manager,
            owner: staff.role == crate::staff::Role::Owner,
            operator: staff.staff.session.user.operator,
        }
    }
}

pub fn clock(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%-I:%M %p").to_string()
}

pub fn day_and_clock(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %b %-d, %-I:%M %p")
        .to_string()
}

pub fn duration(ms: Option<i64>) -> String {
    match ms {
        Some(ms) if ms >= 0 => {
            let secs = ms / 1000;
            format!("{}:{:02}", secs / 60, secs % 60)
        }
        _ => "–".into(),
    }
}

/// With the year: for records that reach back (a patient's appointments).
pub fn dated_clock(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %b %-d, %Y, %-I:%M %p")
        .to_string()
}
