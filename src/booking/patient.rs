//! Patients as callers and the API create them: validated before anything is stored.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::{BookingError, Patient, PatientId, PhoneNumber};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPatient {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
}

impl NewPatient {
    /// `today` is the clinic's today: a birth date cannot be after it.
    pub fn new(
        first_name: &str,
        last_name: &str,
        birth_date: NaiveDate,
        phone: Option<PhoneNumber>,
        email: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, BookingError> {
        if birth_date > today || birth_date.year() < 1900 {
            return Err(BookingError::InvalidBirthDate);
        }
        let email = contact_email(email.unwrap_or_default())?;
        Ok(Self {
            first_name: person_name(first_name, "first name")?,
            last_name: person_name(last_name, "last name")?,
            birth_date,
            phone,
            email,
        })
    }

    pub fn into_patient(self, now: DateTime<Utc>) -> Patient {
        Patient {
            id: PatientId::new_random(),
            first_name: self.first_name,
            last_name: self.last_name,
            birth_date: self.birth_date,
            phone: self.phone,
            email: self.email,
            created_at: now,
        }
    }
}

/// A name as people give it: trimmed, inner spaces collapsed, 1 to 100 characters.
pub fn person_name(raw: &str, what: &'static str) -> Result<String, BookingError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let count = name.chars().count();
    if count == 0 || count > 100 || name.chars().any(char::is_control) {
        return Err(BookingError::InvalidName(what));
    }
    Ok(name)
}

/// An email address as staff or callers give it: blank is none, else it must look like one.
pub fn contact_email(raw: &str) -> Result<Option<String>, BookingError> {
    match raw.trim() {
        "" => Ok(None),
        e if is_plausible_email(e) => Ok(Some(e.to_owned())),
        _ => Err(BookingError::InvalidEmail),
    }
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn validates_names_dates_and_emails() {
        let today = date(2026, 11, 25);
        let ok = NewPatient::new(
            "  Mary ",
            "van  Dyke",
            date(1980, 2, 29),
            None,
            Some(""),
            today,
        );
        let ok = ok.expect("valid");
        assert_eq!(
            (ok.first_name.as_str(), ok.last_name.as_str()),
            ("Mary", "van Dyke")
        );
        assert_eq!(ok.email, None);
        let birth = date(1980, 1, 1);
        assert_eq!(
            NewPatient::new("", "Doe", birth, None, None, today),
            Err(BookingError::InvalidName("first name"))
        );
        assert_eq!(
            NewPatient::new("Jo", "Doe", date(2026, 11, 26), None, None, today),
            Err(BookingError::InvalidBirthDate)
        );
        assert_eq!(
            NewPatient::new("Jo", "Doe", birth, None, Some("jo@"), today),
            Err(BookingError::InvalidEmail)
        );
        assert!(NewPatient::new("Jo", "Doe", birth, None, Some("jo@example.com"), today).is_ok());
    }
}
