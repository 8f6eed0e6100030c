//! What the receptionist knows about one call: who the patient is, what the caller wants, and
//! the question it is waiting on (`Phase`). Each phase carries only its own data.

use chrono::{NaiveDate, NaiveTime};

use crate::agent::tools::contract::{AppointmentInfo, OfficeInfo, PatientRef, SlotInfo};
use crate::agent::understand::{DayPart, Expecting, Language, Relation};
use crate::booking::{PhoneNumber, Phrases};

/// What the caller came for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Book,
    Reschedule,
    Cancel,
    Check,
}

/// The question the receptionist asked last, so the answer is read in its light.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    /// Nothing pending: "How can I help?"
    #[default]
    Open,
    /// Asked for name, birth date or phone.
    Identifying,
    /// "I don't see a record ... Are you a new patient with us?"
    AskedNewPatient,
    /// "What would you like to come in for?"
    AskedService,
    /// "What day works best for you?"
    AskedDay,
    /// Two or three times were offered.
    Choosing { offers: Vec<SlotInfo> },
    /// The read-back was said; the caller's yes confirms `token`.
    Confirming {
        token: String,
        offer: Option<SlotInfo>,
    },
    /// Several appointments could be the one meant.
    WhichAppointment { candidates: Vec<AppointmentInfo> },
    /// "I don't see any upcoming appointments. Would you like to book one?"
    OfferedBooking,
    /// "Would you like me to transfer you?"
    OfferedTransfer,
    /// "Would you like to leave a message for the front desk?"
    OfferedMessage,
    /// Taking a message: asked for this piece.
    Message(MessagePart),
    /// "Is there anything else I can help you with?"
    AnythingElse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagePart {
    Name,
    Callback,
    Reason,
}

impl Phase {
    /// How the next utterance should be heard.
    pub fn expecting(&self, identity: &Identity) -> Expecting {
        match self {
            Phase::Open => Expecting::Nothing,
            Phase::Identifying => match (identity.has_name(), identity.birth_date.is_some()) {
                (false, false) => Expecting::NameAndBirthDate,
                (false, true) => Expecting::Name,
                (true, false) => Expecting::BirthDate,
                (true, true) => Expecting::Name,
            },
            Phase::AskedNewPatient => Expecting::NewPatient,
            Phase::AskedService => Expecting::Service,
            Phase::AskedDay => Expecting::Day,
            Phase::Choosing { .. } => Expecting::Choice,
            Phase::Confirming { .. }
            | Phase::OfferedBooking
            | Phase::OfferedTransfer
            | Phase::OfferedMessage => Expecting::Confirm,
            Phase::WhichAppointment { .. } => Expecting::WhichAppointment,
            Phase::Message(MessagePart::Name) => Expecting::Name,
            Phase::Message(MessagePart::Callback) => Expecting::Phone,
            Phase::Message(MessagePart::Reason) => Expecting::Message,
            Phase::AnythingElse => Expecting::AnythingElse,
        }
    }
}

/// The patient the call is about (the caller, or the caller's child or partner).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    pub first: Option<String>,
    pub last: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<PhoneNumber>,
    /// Someone other than the caller.
    pub relation: Option<Relation>,
    pub new_patient: Option<bool>,
    /// What the caller said before being verified, to tell whether the record on file for
    /// their number is really them ("I'm his wife, not Tomasz").
    pub said: String,
    /// The caller's own number was tried against the records.
    pub caller_checked: bool,
    /// The last identity question, and how often it was asked again in a row.
    pub last_question: Option<&'static str>,
    pub repeats: u32,
    /// "Are you a new patient?" asked again, not understood.
    pub new_asked: u32,
    /// Name and birth date searches that found nobody.
    pub misses: u32,
    pub verified: Option<PatientRef>,
}

impl Identity {
    pub fn has_name(&self) -> bool {
        self.first.is_some() && self.last.is_some()
    }
}

/// When the caller would like to come in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct When {
    pub days: Vec<NaiveDate>,
    pub week_of: Option<NaiveDate>,
    pub part: Option<DayPart>,
    pub time: Option<NaiveTime>,
    /// "I can't do Mondays": never on these weekdays.
    pub not_weekdays: Vec<chrono::Weekday>,
    /// "The last appointment of the day": the latest times first.
    pub latest: bool,
    /// "After 2": nothing earlier.
    pub after: Option<NaiveTime>,
    /// "Before ten": nothing at or after.
    pub before: Option<NaiveTime>,
    pub soonest: bool,
}

impl When {
    pub fn is_known(&self) -> bool {
        !self.days.is_empty()
            || self.week_of.is_some()
            || self.after.is_some()
            || self.before.is_some()
            || self.part.is_some()
            || self.time.is_some()
            || self.soonest
    }
}

/// The task in hand and what it needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    pub task: Option<Task>,
    /// The clinic's appointment type, as the clinic names it.
    pub service: Option<String>,
    /// What the caller said they need, kept to choose the type again once it is known
    /// whether they are new.
    pub services_heard: Vec<crate::agent::understand::Service>,
    /// The day was said as "next ..." (which may mean a week later than the coming one).
    pub said_next: bool,
    /// "Push it back a week": the week after the appointment being moved.
    pub week_later: bool,
    /// Times the receptionist asked what the visit is for.
    pub asked_service: u32,
    /// The caller named a service the clinic does not list.
    pub unmatched_service: bool,
    /// The provider the caller asked for, as the clinic names them.
    pub provider: Option<String>,
    pub when: When,
    pub asked_day: bool,
    /// The appointment being moved or cancelled.
    pub target: Option<AppointmentInfo>,
    /// The last offers, kept to go earlier or later from.
    pub offered: Vec<SlotInfo>,
    /// Offers the caller turned down: not offered again.
    pub rejected: Vec<SlotInfo>,
    /// What the next slot search is for.
    pub search: Search,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Search {
    #[default]
    Offer,
    /// Nothing on the day asked: the days after it.
    After,
    Earlier,
    Later,
}

/// A message for the front desk being taken.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    pub name: Option<String>,
    /// Times the name was asked for.
    pub name_asked: u32,
    pub callback: Option<PhoneNumber>,
    pub reason: Option<String>,
    pub language: Option<Language>,
}

/// Everything the receptionist keeps between turns of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dialogue {
    pub phase: Phase,
    pub identity: Identity,
    pub request: Request,
    pub message: Message,
    /// What this call booked or moved last ("move it to Friday instead").
    pub last_done: Option<AppointmentInfo>,
    /// "Sorry, I didn't catch that" in a row.
    pub misheard: u32,
    /// Turns in a row that understood nothing useful.
    pub lost: u32,
    /// The caller was told when to go to the emergency room instead.
    pub warned: bool,
    /// The language the caller speaks, once it is not English.
    pub language: Option<Language>,
}

/// What the receptionist may rely on for a turn, read once per call.
#[derive(Debug, Clone)]
pub struct Facts {
    pub clinic: String,
    pub today: NaiveDate,
    /// The clinic's wall-clock time now.
    pub now: chrono::NaiveDateTime,
    pub caller: Option<PhoneNumber>,
    pub phrases: Phrases,
    pub office: std::sync::Arc<OfficeInfo>,
    /// Languages the front desk speaks (codes such as "es"), besides English.
    pub languages: Vec<String>,
}
