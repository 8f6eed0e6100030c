//! The typed result of hearing one utterance, and the context it is heard in.

use chrono::{NaiveDate, NaiveTime};

use super::text;
use crate::booking::PhoneNumber;

/// What the receptionist knows while hearing: the clinic's day, its last question, its people.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The clinic's today.
    pub today: NaiveDate,
    /// What the receptionist asked last.
    pub expecting: Expecting,
    /// The clinic's provider names, as the clinic writes them ("Dr. Sarah Chen").
    pub providers: &'a [String],
}

/// What the receptionist asked last, so a bare answer ("nine", "Rivera") is read in its light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expecting {
    #[default]
    Nothing,
    Name,
    BirthDate,
    Phone,
    NameAndBirthDate,
    NewPatient,
    Service,
    Day,
    Choice,
    Confirm,
    WhichAppointment,
    AnythingElse,
    Message,
}

impl Expecting {
    pub(crate) fn wants_name(self) -> bool {
        matches!(self, Expecting::Name | Expecting::NameAndBirthDate)
    }

    pub(crate) fn wants_birth_date(self) -> bool {
        matches!(self, Expecting::BirthDate | Expecting::NameAndBirthDate)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Book,
    Reschedule,
    Cancel,
    Check,
}

/// An answer to a yes/no question. Biased away from `Yes`: any negation is `No`, any
/// hesitation or change request is `Hold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Yes,
    No,
    Hold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Spanish,
    Chinese,
    Vietnamese,
    Korean,
    Japanese,
    Tagalog,
    Portuguese,
    French,
    Arabic,
    Russian,
    Hindi,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Spanish",
            Language::Chinese => "Chinese",
            Language::Vietnamese => "Vietnamese",
            Language::Korean => "Korean",
            Language::Japanese => "Japanese",
            Language::Tagalog => "Tagalog",
            Language::Portuguese => "Portuguese",
            Language::French => "French",
            Language::Arabic => "Arabic",
            Language::Russian => "Russian",
            Language::Hindi => "Hindi",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub fn as_str(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::Evening => "evening",
        }
    }
}

/// Which of the offered options the caller picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// 1-based: "the second one" is `Nth(2)`, "the earlier one" `Nth(1)`.
    Nth(usize),
    /// "the last one", "the later one".
    Last,
    /// "either one", "whichever", "any of them": the caller leaves it to us.
    Any,
}

/// Something the caller asks about the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Hours,
    Address,
    Phone,
    Providers,
    Services,
    /// The current time.
    Time,
    /// Today's date.
    Date,
    /// Who or which office this is.
    Who,
    /// Something the clinic's data cannot answer; the dialogue offers a message or the desk.
    Unanswerable(Topic),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Insurance,
    Price,
    Parking,
    Payment,
    Other,
}

/// A person's name as heard. Parts keep hyphens and apostrophes ("García-López", "O'Brien").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    pub first: Option<String>,
    pub last: Option<String>,
    /// At least one part was spelled letter by letter, so its spelling is reliable.
    pub spelled: bool,
}

/// Who the patient is to the caller, when the caller books for someone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Son,
    Daughter,
    Child,
    Husband,
    Wife,
    Spouse,
    Partner,
    Mother,
    Father,
    Grandparent,
    Grandchild,
    Sibling,
    Friend,
    /// "my patient", "the person I care for", "my client".
    Other,
}

/// A service in canonical form; `resolve_service` maps it to the clinic's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Service {
    Cleaning,
    DeepCleaning,
    Checkup,
    NewPatientExam,
    Emergency,
    Filling,
    Crown,
    Bridge,
    Extraction,
    RootCanal,
    Whitening,
    Consultation,
    Implant,
    Dentures,
    Orthodontics,
    Veneers,
    /// A dental service with no canonical variant ("night guard", "sealants").
    Other(String),
}

/// One utterance, understood. Empty fields mean "not said".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heard {
    /// Lowercase words separated by single spaces, with a space at each end; fillers
    /// ("um", "uh") and transcription markers ("(inaudible)") removed.
    pub text: String,
    pub unintelligible: bool,
    pub language: Option<Language>,
    pub intent: Option<Intent>,
    pub consent: Option<Consent>,
    /// `Some(true)` for "I'm new", `Some(false)` for "I've been there before".
    pub new_patient: Option<bool>,
    pub goodbye: bool,
    pub thanks: bool,
    /// The utterance opens with a greeting ("hi", "good morning"), whatever follows.
    pub greeting: bool,
    pub wants_person: bool,
    pub wants_message: bool,
    /// "can you repeat that", "sorry?", "what was that".
    pub repeat: bool,
    pub questions: Vec<Question>,
    pub earlier: bool,
    pub later: bool,
    pub soonest: bool,
    pub choice: Option<Choice>,
    /// Every appointment day mentioned, in the order said, without repeats.
    pub days: Vec<NaiveDate>,
    /// Days the caller rules out: "not Monday", "anything but Friday", "I can't do Tuesday".
    pub not_days: Vec<NaiveDate>,
    /// "next week" without a day: that week's Monday ("this week": this week's Monday, which
    /// may be before today).
    pub week_of: Option<NaiveDate>,
    pub part: Option<DayPart>,
    pub time: Option<NaiveTime>,
    /// The patient's name: the caller's own, or the person they book for (see
    /// `patient_relation`).
    pub name: Option<PersonName>,
    /// The caller's own name when they also named the patient ("this is Ann, for my son
    /// Liam": `caller_name` Ann, `name` Liam).
    pub caller_name: Option<PersonName>,
    pub patient_relation: Option<Relation>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<PhoneNumber>,
    /// Services and symptoms, canonical, in the order said, without repeats.
    pub services: Vec<Service>,
    /// Index into `Context::providers` of the provider the caller named.
    pub provider: Option<usize>,
    /// "actually", "no wait", "I meant": what follows replaces what was said before.
    pub correction: bool,
}

impl Heard {
    /// The normalized text contains these whole words ("next week").
    pub fn has(&self, phrase: &str) -> bool {
        text::has(&self.text, phrase)
    }

    pub fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }

    pub fn asks(&self, question: Question) -> bool {
        self.questions.contains(&question)
    }

    /// A question the office can answer (hours, address, services...), not only "something".
    pub fn asks_about_the_office(&self) -> bool {
        self.questions
            .iter()
            .any(|q| *q != Question::Unanswerable(Topic::Other))
    }

    /// The first appointment day mentioned.
    pub fn day(&self) -> Option<NaiveDate> {
        self.days.first().copied()
    }

    pub fn is_yes(&self) -> bool {
        self.consent == Some(Consent::Yes)
    }

    pub fn is_no(&self) -> bool {
        self.consent == Some(Consent::No)
    }
}
