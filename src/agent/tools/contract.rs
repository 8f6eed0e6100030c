//! The tools as Rust types: what an agent may ask for, what it gets back, and why a request
//! is refused. The LLM agent's JSON is parsed into these; the built-in receptionist builds them
//! directly; both get the same answers and the same refusals.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Part of the clinic's day a slot search is limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TimeOfDay {
    Morning,
    Afternoon,
    Evening,
    #[default]
    Any,
}

impl TimeOfDay {
    pub fn contains(self, hour: u32) -> bool {
        match self {
            TimeOfDay::Morning => hour < 12,
            TimeOfDay::Afternoon => (12..17).contains(&hour),
            TimeOfDay::Evening => hour >= 17,
            TimeOfDay::Any => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TimeOfDay::Morning => "morning",
            TimeOfDay::Afternoon => "afternoon",
            TimeOfDay::Evening => "evening",
            TimeOfDay::Any => "any",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindPatient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePatient {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindSlots {
    pub appointment_type: String,
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default)]
    pub time_of_day: TimeOfDay,
    /// "HH:MM": the open times closest to this one, every one of them (no spacing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub around: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookAppointment {
    pub appointment_type: String,
    pub provider_id: String,
    /// The slot's start as find_slots gave it (RFC 3339).
    pub start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RescheduleAppointment {
    pub appointment_id: String,
    pub start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelAppointment {
    pub appointment_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmAction {
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeMessage {
    pub caller_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_number: Option<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default)]
    pub urgent: bool,
}

/// Every request an agent can make. Booking, moving and cancelling are proposals: nothing
/// changes until `ConfirmAction` after the caller said yes to the read-back.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolCall {
    CurrentDatetime,
    OfficeInfo,
    FindPatient(FindPatient),
    CreatePatient(CreatePatient),
    ListAppointments,
    FindSlots(FindSlots),
    BookAppointment(BookAppointment),
    RescheduleAppointment(RescheduleAppointment),
    CancelAppointment(CancelAppointment),
    ConfirmAction(ConfirmAction),
    TakeMessage(TakeMessage),
    TransferToFrontDesk,
    EndCall,
}

impl ToolCall {
    /// A model's call: the tool's name and its JSON arguments (an empty object for none).
    pub fn parse(name: &str, args: &Value) -> Result<Self, super::ToolError> {
        fn typed<T: serde::de::DeserializeOwned>(args: &Value) -> Result<T, super::ToolError> {
            let args = if args.is_null() {
                Value::Object(Default::default())
            } else {
                args.clone()
            };
            serde_json::from_value(args).map_err(|e| super::ToolError::BadArguments(e.to_string()))
        }
        Ok(match name {
            "current_datetime" => ToolCall::CurrentDatetime,
            "office_info" => ToolCall::OfficeInfo,
            "find_patient" => ToolCall::FindPatient(typed(args)?),
            "create_patient" => ToolCall::CreatePatient(typed(args)?),
            "list_appointments" => ToolCall::ListAppointments,
            "find_slots" => ToolCall::FindSlots(typed(args)?),
            "book_appointment" => ToolCall::BookAppointment(typed(args)?),
            "reschedule_appointment" => ToolCall::RescheduleAppointment(typed(args)?),
            "cancel_appointment" => ToolCall::CancelAppointment(typed(args)?),
            "confirm_action" => ToolCall::ConfirmAction(typed(args)?),
            "take_message" => ToolCall::TakeMessage(typed(args)?),
            "transfer_to_front_desk" => ToolCall::TransferToFrontDesk,
            "end_call" => ToolCall::EndCall,
            other => return Err(super::ToolError::Unknown(other.chars().take(64).collect())),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            ToolCall::CurrentDatetime => "current_datetime",
            ToolCall::OfficeInfo => "office_info",
            ToolCall::FindPatient(_) => "find_patient",
            ToolCall::CreatePatient(_) => "create_patient",
            ToolCall::ListAppointments => "list_appointments",
            ToolCall::FindSlots(_) => "find_slots",
            ToolCall::BookAppointment(_) => "book_appointment",
            ToolCall::RescheduleAppointment(_) => "reschedule_appointment",
            ToolCall::CancelAppointment(_) => "cancel_appointment",
            ToolCall::ConfirmAction(_) => "confirm_action",
            ToolCall::TakeMessage(_) => "take_message",
            ToolCall::TransferToFrontDesk => "transfer_to_front_desk",
            ToolCall::EndCall => "end_call",
        }
    }

    /// The arguments as JSON, for reports to Retell and the call record.
    pub fn arguments(&self) -> Value {
        let value = match self {
            ToolCall::FindPatient(a) => serde_json::to_value(a),
            ToolCall::CreatePatient(a) => serde_json::to_value(a),
            ToolCall::FindSlots(a) => serde_json::to_value(a),
            ToolCall::BookAppointment(a) => serde_json::to_value(a),
            ToolCall::RescheduleAppointment(a) => serde_json::to_value(a),
            ToolCall::CancelAppointment(a) => serde_json::to_value(a),
            ToolCall::ConfirmAction(a) => serde_json::to_value(a),
            ToolCall::TakeMessage(a) => serde_json::to_value(a),
            _ => Ok(Value::Object(Default::default())),
        };
        value.unwrap_or_default()
    }
}

// ---- Results -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NowInfo {
    pub date: NaiveDate,
    pub time: String,
    pub weekday: String,
    pub spoken: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoursInfo {
    pub day: String,
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::booking::ProviderKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeInfo {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub hours: Vec<HoursInfo>,
    pub providers: Vec<NamedRef>,
    pub services: Vec<NamedRef>,
    pub cancellation_policy: Option<String>,
    pub can_transfer: bool,
    /// False while the clinic lacks office hours, a scheduled provider or an appointment
    /// type: nothing can be offered, so no booking is started (or a patient created).
    pub can_book: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRef {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
}

/// A patient search. `patient` is only given once the caller is verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientMatch {
    pub found: bool,
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registered {
    pub created: bool,
    pub verified: bool,
    pub patient: PatientRef,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppointmentInfo {
    pub id: String,
    pub appointment_type: String,
    pub provider: String,
    pub start: String,
    pub date: NaiveDate,
    pub spoken: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appointments {
    pub appointments: Vec<AppointmentInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotInfo {
    pub start: String,
    pub date: NaiveDate,
    #[serde(serialize_with = "hh_mm")]
    pub time: NaiveTime,
    pub spoken: String,
    pub provider_id: String,
    pub provider: String,
}

fn hh_mm<S: serde::Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time.format("%H:%M").to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slots {
    pub appointment_type: String,
    pub minutes: u32,
    pub slots: Vec<SlotInfo>,
}

/// A booking, move or cancellation waiting for the caller's yes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposed {
    pub awaiting_confirmation: bool,
    /// Said to the caller word for word; the caller's next words decide.
    pub readback: String,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    pub action: ActionKind,
    pub appointment_id: String,
    pub appointment_type: String,
    pub provider: String,
    pub start: String,
    pub spoken: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_policy: Option<String>,
    /// Kept for models that look for the older flags.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub booked: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rescheduled: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Book,
    Reschedule,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageTaken {
    pub message_taken: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ToolResult {
    Now(NowInfo),
    Office(OfficeInfo),
    Patient(PatientMatch),
    Registered(Registered),
    Appointments(Appointments),
    Slots(Slots),
    Proposed(Proposed),
    Done(Done),
    MessageTaken(MessageTaken),
    Transferring { transferring: bool },
    Ending { ending: bool },
}

impl ToolResult {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

// ---- Refusals ------------------------------------------------------------------------

/// Why a confirmation did not go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotConfirmed {
    /// No proposal with that token (or it was already used or replaced).
    NoProposal,
    /// The read-back was not said to the caller, or something else was said after it.
    ReadbackNotSpoken,
    /// The caller has not answered the read-back yet.
    NoAnswer,
    /// The caller said no, or hesitated.
    CallerDeclined,
    /// The caller's answer was not a clear yes.
    NotClear,
}

/// A request the clinic's rules refuse: said to the model as the tool's result, and matched
/// on by the built-in receptionist.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(tag = "refused", rename_all = "snake_case")]
pub enum Refusal {
    #[error("the caller is not verified: find the patient first")]
    NotVerified,
    #[error("no such service; services: {}", services.join(", "))]
    UnknownService { services: Vec<String> },
    #[error("no such provider; providers: {}", providers.join(", "))]
    UnknownProvider { providers: Vec<String> },
    #[error("that time is no longer available: search again")]
    SlotTaken,
    #[error("no such appointment for this caller")]
    NoSuchAppointment,
    #[error("not confirmed ({reason:?}): read back the details and wait for the caller's yes")]
    NotConfirmed { reason: NotConfirmed },
    #[error("this clinic has no transfer number: offer to take a message instead")]
    NoTransferNumber,
    #[error(
        "this clinic cannot book appointments by phone yet: say so, and offer the front desk or a message"
    )]
    NotBookable,
    #[error("{reason}")]
    Rule { reason: String },
}
