//! Messages for the front desk: what the receptionist takes down when it cannot help the
//! caller itself. Validated before anything is stored; `Debug` leaves out what the caller
//! said, so a message never reaches the logs by accident.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BookingError, MessageId, PhoneNumber};

const NAME_MAX: usize = 120;
const REASON_MAX: usize = 1000;
/// Retell's call ids are far shorter; the webhook accepts up to this too.
const CALL_ID_MAX: usize = 128;

#[derive(Clone, PartialEq, Eq)]
pub struct NewMessage {
    call_id: Option<String>,
    caller_name: String,
    callback: Option<PhoneNumber>,
    reason: String,
    language: Option<String>,
    urgent: bool,
}

impl NewMessage {
    /// Empty `call_id` or `language` count as absent, as a model's tool call often sends them.
    pub fn new(
        call_id: Option<&str>,
        caller_name: &str,
        callback: Option<PhoneNumber>,
        reason: &str,
        language: Option<&str>,
        urgent: bool,
    ) -> Result<Self, BookingError> {
        Ok(Self {
            call_id: call_id.map(call_id_of).transpose()?.flatten(),
            caller_name: caller_name_of(caller_name)?,
            callback,
            reason: reason_of(reason)?,
            language: language.map(language_of).transpose()?.flatten(),
            urgent,
        })
    }

    pub fn into_message(self, now: DateTime<Utc>) -> Message {
        Message {
            id: MessageId::new_random(),
            call_id: self.call_id,
            caller_name: self.caller_name,
            callback: self.callback,
            reason: self.reason,
            language: self.language,
            urgent: self.urgent,
            status: MessageStatus::New,
            created_at: now,
            handled_at: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    New,
    Handled,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Handled => "handled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, BookingError> {
        match raw {
            "new" => Ok(Self::New),
            "handled" => Ok(Self::Handled),
            other => Err(BookingError::InvalidMessageStatus(
                other.chars().take(32).collect(),
            )),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    /// The Retell call it was taken in, if any.
    pub call_id: Option<String>,
    pub caller_name: String,
    pub callback: Option<PhoneNumber>,
    pub reason: String,
    /// The caller's language when it is not the clinic's, e.g. `es`.
    pub language: Option<String>,
    pub urgent: bool,
    pub status: MessageStatus,
    pub created_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for NewMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewMessage")
            .field("call_id", &self.call_id)
            .field("callback", &self.callback.as_ref().map(PhoneNumber::masked))
            .field("language", &self.language)
            .field("urgent", &self.urgent)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("id", &self.id)
            .field("call_id", &self.call_id)
            .field("callback", &self.callback.as_ref().map(PhoneNumber::masked))
            .field("language", &self.language)
            .field("urgent", &self.urgent)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("handled_at", &self.handled_at)
            .finish_non_exhaustive()
    }
}

fn call_id_of(raw: &str) -> Result<Option<String>, BookingError> {
    let id = raw.trim();
    if id.is_empty() {
        return Ok(None);
    }
    if id.len() > CALL_ID_MAX || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(BookingError::InvalidId {
            what: "call id",
            value: id.chars().take(64).collect(),
        });
    }
    Ok(Some(id.to_owned()))
}

/// Trimmed, inner spaces collapsed, as `person_name` does, but a whole name in one field.
fn caller_name_of(raw: &str) -> Result<String, BookingError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let count = name.chars().count();
    if count == 0 || count > NAME_MAX || name.chars().any(char::is_control) {
        return Err(BookingError::InvalidText {
            what: "caller name",
            max: NAME_MAX,
        });
    }
    Ok(name)
}

/// Trimmed; line breaks and tabs stay (a reason may run over lines), other controls do not.
fn reason_of(raw: &str) -> Result<String, BookingError> {
    let reason = raw.trim();
    let count = reason.chars().count();
    if count == 0
        || count > REASON_MAX
        || reason.chars().any(|c| c.is_control() && !c.is_whitespace())
    {
        return Err(BookingError::InvalidText {
            what: "reason",
            max: REASON_MAX,
        });
    }
    Ok(reason.to_owned())
}

/// A BCP 47 style code: a 2 or 3 letter language, then at most two subtags (script, region),
/// in their usual case: `es`, `pt-BR`, `zh-Hant`, `es-419`.
fn language_of(raw: &str) -> Result<Option<String>, BookingError> {
    let code = raw.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let invalid = || BookingError::InvalidLanguage(code.chars().take(16).collect());
    let mut parts = code.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid());
    }
    let mut normal = primary.to_ascii_lowercase();
    for (i, part) in parts.enumerate() {
        let letters = part.chars().all(|c| c.is_ascii_alphabetic());
        let digits = part.chars().all(|c| c.is_ascii_digit());
        let part = match part.len() {
            2 if letters => part.to_ascii_uppercase(),
            3 if digits => part.to_owned(),
            4 if letters => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            _ => return Err(invalid()),
        };
        if i >= 2 {
            return Err(invalid());
        }
        normal.push('-');
        normal.push_str(&part);
    }
    Ok(Some(normal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Option<PhoneNumber> {
        PhoneNumber::parse("+1 555 201 0123").ok()
    }

    fn message(
        call_id: Option<&str>,
        name: &str,
        reason: &str,
        language: Option<&str>,
    ) -> Result<NewMessage, BookingError> {
        NewMessage::new(call_id, name, phone(), reason, language, false)
    }

    #[test]
    fn trims_and_normalises_what_the_caller_gave() {
        let new = NewMessage::new(
            Some(" call_123 "),
            "  Ana   María  López ",
            phone(),
            "  Wants to know if they take Delta Dental.\nCall after 5.  ",
            Some(" ES "),
            true,
        )
        .expect("valid");
        assert_eq!(new.call_id.as_deref(), Some("call_123"));
        assert_eq!(new.caller_name, "Ana María López");
        assert_eq!(
            new.reason,
            "Wants to know if they take Delta Dental.\nCall after 5."
        );
        assert_eq!(new.language.as_deref(), Some("es"));
        let now = Utc::now();
        let taken = new.into_message(now);
        assert_eq!(taken.status, MessageStatus::New);
        assert_eq!(taken.created_at, now);
        assert!(taken.urgent && taken.handled_at.is_none());
        let quiet = message(Some(""), "Bo", "Refill", Some("")).expect("valid");
        assert_eq!((quiet.call_id, quiet.language), (None, None));
    }

    #[test]
    fn refuses_empty_long_or_garbled_names_and_reasons() {
        let name_error = Err(BookingError::InvalidText {
            what: "caller name",
            max: 120,
        });
        let reason_error = Err(BookingError::InvalidText {
            what: "reason",
            max: 1000,
        });
        assert_eq!(message(None, "", "Refill", None), name_error);
        assert_eq!(message(None, " \n\t ", "Refill", None), name_error);
        assert_eq!(message(None, &"a".repeat(121), "Refill", None), name_error);
        assert_eq!(message(None, "Bo\u{7}b", "Refill", None), name_error);
        assert!(message(None, &"é".repeat(120), "Refill", None).is_ok());
        assert_eq!(message(None, "Bob", "   ", None), reason_error);
        assert_eq!(message(None, "Bob", &"x".repeat(1001), None), reason_error);
        assert_eq!(message(None, "Bob", "a\u{0}b", None), reason_error);
        assert!(message(None, "Bob", &"ü".repeat(1000), None).is_ok());
    }

    #[test]
    fn languages_are_short_codes() {
        for (raw, want) in [
            ("es", "es"),
            ("EN", "en"),
            ("pt-br", "pt-BR"),
            ("pt_BR", "pt-BR"),
            ("zh-hant", "zh-Hant"),
            ("zh-Hant-TW", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("yue", "yue"),
        ] {
            let code = language_of(raw).ok().flatten();
            assert_eq!(code.as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "e",
            "spanish",
            "es-",
            "12",
            "e5",
            "es-ABCDE",
            "es-MX-x-y",
            "zh-Hant-TW-x",
            "es MX",
        ] {
            assert!(
                matches!(
                    message(None, "Bob", "Refill", Some(raw)),
                    Err(BookingError::InvalidLanguage(_))
                ),
                "{raw}"
            );
        }
    }

    #[test]
    fn call_ids_are_single_tokens() {
        assert!(matches!(
            message(Some("two words"), "Bob", "Refill", None),
            Err(BookingError::InvalidId {
                what: "call id",
                ..
            })
        ));
        assert!(message(Some(&"c".repeat(129)), "Bob", "Refill", None).is_err());
        assert!(message(Some(&"c".repeat(128)), "Bob", "Refill", None).is_ok());
    }

    #[test]
    fn debug_output_leaves_out_what_the_caller_said() {
        let new = NewMessage::new(
            Some("call-9"),
            "Zebediah Quux",
            phone(),
            "Secret toothache",
            None,
            false,
        )
        .expect("valid");
        let shown = format!("{new:?} {:?}", new.clone().into_message(Utc::now()));
        for secret in ["Zebediah", "Quux", "Secret", "5552010123"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("call-9") && shown.contains("+…23"),
            "{shown}"
        );
    }

    #[test]
    fn statuses_round_trip() {
        for status in [MessageStatus::New, MessageStatus::Handled] {
            assert_eq!(MessageStatus::parse(status.as_str()), Ok(status));
        }
        assert!(MessageStatus::parse("done").is_err());
    }
}
