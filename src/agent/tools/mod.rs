//! The agents' tools: one definition each (name, description, JSON schema) over typed calls
//! and results (`contract`), shared by the built-in receptionist and the LLM agent. Handlers
//! call the booking engine for the call's clinic only. Appointments and patient details are
//! only read back to a verified caller, and nothing is booked, moved or cancelled until the
//! caller said yes to a read-back of exactly that (`confirm`).

mod confirm;
pub mod contract;
mod handlers;
mod speech;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use confirm::{Action, CallGuard, consent, consent_to};
pub use contract::{Refusal, ToolCall, ToolResult};
pub use handlers::call;
pub use speech::{spoken_date, spoken_slot, spoken_time, with_article};

use crate::agent::Ending;
use crate::booking::{PhoneNumber, Scheduler};
use crate::calls::CallLog;
use crate::retell::frames::Utterance;
use crate::tenancy::Organization;

/// What a tool may use: the call's clinic, caller, what was said, and what the call proved.
pub struct ToolContext<'a> {
    pub scheduler: &'a Scheduler,
    pub call_log: &'a CallLog,
    pub org: &'a Organization,
    pub call_id: &'a str,
    /// The caller's number from Retell's call details, if any.
    pub caller: Option<PhoneNumber>,
    pub now: DateTime<Utc>,
    /// Retell's transcript for this turn: the record confirmations are checked against.
    pub transcript: &'a [Utterance],
    pub guard: &'a mut CallGuard,
}

/// A tool's answer, and the action it asks the call to take.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub result: ToolResult,
    pub ending: Option<Ending>,
}

impl ToolOutput {
    pub fn value(result: ToolResult) -> Self {
        Self {
            result,
            ending: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("unknown tool '{0}'")]
    Unknown(String),
    #[error("{0}")]
    BadArguments(String),
    /// Said to the model (or matched by the dialogue) as the tool's result, not a failure.
    #[error(transparent)]
    Refused(Refusal),
    #[error("the booking system is unavailable")]
    Unavailable(String),
}

impl ToolError {
    /// The result a model sees for a failed call.
    pub fn as_result(&self) -> Value {
        match self {
            ToolError::Refused(refusal) => {
                let mut value = serde_json::to_value(refusal).unwrap_or_default();
                value["error"] = json!(self.to_string());
                value
            }
            _ => json!({ "error": self.to_string() }),
        }
    }
}

pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    /// Side-effecting tools are slow enough for a holding line and carry idempotency keys.
    pub writes: bool,
    pub parameters: fn() -> Value,
}

impl ToolDef {
    /// The OpenAI `tools` entry.
    pub fn openai(&self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": (self.parameters)(),
            }
        })
    }
}

fn no_parameters() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

pub const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "current_datetime",
        description: "The current date and time in the clinic's time zone.",
        writes: false,
        parameters: no_parameters,
    },
    ToolDef {
        name: "office_info",
        description: "The clinic's hours, address, phone number, providers and services.",
        writes: false,
        parameters: no_parameters,
    },
    ToolDef {
        name: "find_patient",
        description: "Find the caller's patient record by phone number, or by last name and date of birth (first name optional). A match verifies the caller.",
        writes: false,
        parameters: || {
            json!({"type": "object", "properties": {
                "phone": {"type": "string", "description": "Phone number, any format"},
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "birth_date": {"type": "string", "description": "YYYY-MM-DD"}
            }, "additionalProperties": false})
        },
    },
    ToolDef {
        name: "create_patient",
        description: "Register a new patient (the caller). Verifies the caller as that patient.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "birth_date": {"type": "string", "description": "YYYY-MM-DD"},
                "phone": {"type": "string"},
                "email": {"type": "string"}
            }, "required": ["first_name", "last_name", "birth_date"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "list_appointments",
        description: "The verified caller's upcoming appointments.",
        writes: false,
        parameters: no_parameters,
    },
    ToolDef {
        name: "find_slots",
        description: "Open appointment times for a service, from a date (to a date), optionally with one provider and at a time of day.",
        writes: false,
        parameters: || {
            json!({"type": "object", "properties": {
                "appointment_type": {"type": "string", "description": "Service name or id"},
                "from": {"type": "string", "description": "YYYY-MM-DD, clinic's date"},
                "to": {"type": "string", "description": "YYYY-MM-DD, clinic's date"},
                "provider": {"type": "string", "description": "Provider name or id"},
                "time_of_day": {"type": "string", "enum": ["morning", "afternoon", "evening", "any"]},
                "around": {"type": "string", "description": "HH:MM, clinic time: the open times closest to it (for a time the caller named)"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 10}
            }, "required": ["appointment_type", "from"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "book_appointment",
        description: "Propose booking a slot from find_slots for the verified caller. Nothing is booked yet: the caller hears the returned read-back; after the caller says yes, call confirm_action with the token.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "appointment_type": {"type": "string"},
                "provider_id": {"type": "string"},
                "start": {"type": "string", "description": "The slot's start (RFC 3339)"},
                "note": {"type": "string"}
            }, "required": ["appointment_type", "provider_id", "start"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "reschedule_appointment",
        description: "Propose moving one of the verified caller's appointments to a slot from find_slots. The caller hears the read-back; after a yes, call confirm_action with the token.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "appointment_id": {"type": "string"},
                "start": {"type": "string"},
                "provider_id": {"type": "string"}
            }, "required": ["appointment_id", "start"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "cancel_appointment",
        description: "Propose cancelling one of the verified caller's appointments. The caller hears the read-back; after a yes, call confirm_action with the token.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "appointment_id": {"type": "string"},
                "reason": {"type": "string"}
            }, "required": ["appointment_id"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "confirm_action",
        description: "Carry out the booking, move or cancellation proposed with this token. Succeeds only if the caller's latest words are a clear yes to its read-back.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "token": {"type": "string", "description": "The token the proposal returned"}
            }, "required": ["token"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "take_message",
        description: "Take a message for the front desk when you cannot help: the caller's name, a callback number and the reason.",
        writes: true,
        parameters: || {
            json!({"type": "object", "properties": {
                "caller_name": {"type": "string"},
                "callback_number": {"type": "string"},
                "reason": {"type": "string"},
                "language": {"type": "string", "description": "The caller's language code if not English, e.g. es"},
                "urgent": {"type": "boolean"}
            }, "required": ["caller_name", "reason"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "transfer_to_front_desk",
        description: "Transfer the call to a person at the front desk.",
        writes: false,
        parameters: no_parameters,
    },
    ToolDef {
        name: "end_call",
        description: "End the call after saying goodbye.",
        writes: false,
        parameters: no_parameters,
    },
];

pub fn find(name: &str) -> Option<&'static ToolDef> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The same call and arguments give the same key: a retried booking is the same booking.
pub fn idempotency_key(call_id: &str, tool: &str, args: &impl std::fmt::Display) -> String {
    let digest = Sha256::digest(format!("{tool}:{args}").as_bytes());
    let short: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("call:{call_id}:{tool}:{short}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of the JSON schema type a property declares.
    fn sample(property: &str, schema: &Value) -> Value {
        match schema["type"].as_str() {
            Some("integer") => json!(3),
            Some("boolean") => json!(true),
            _ if schema["enum"].is_array() => schema["enum"][0].clone(),
            _ if property.ends_with("date") || property == "from" || property == "to" => {
                json!("2026-12-08")
            }
            _ => json!("x"),
        }
    }

    #[test]
    fn every_schema_the_model_sees_matches_the_typed_call() {
        for tool in TOOLS {
            let schema = (tool.parameters)();
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            // Every property the model may send is accepted.
            let all: serde_json::Map<String, Value> = properties
                .iter()
                .map(|(name, s)| (name.clone(), sample(name, s)))
                .collect();
            let parsed = ToolCall::parse(tool.name, &Value::Object(all.clone()));
            assert!(parsed.is_ok(), "{}: {parsed:?}", tool.name);
            let parsed = parsed.unwrap_or(ToolCall::EndCall);
            assert_eq!(parsed.name(), tool.name);
            // Each required property is required by the type too.
            for required in schema["required"].as_array().into_iter().flatten() {
                let mut without = all.clone();
                without.remove(required.as_str().unwrap_or_default());
                assert!(
                    ToolCall::parse(tool.name, &Value::Object(without)).is_err(),
                    "{} accepts a call without '{required}'",
                    tool.name
                );
            }
            // Nothing the schema does not declare.
            let mut extra = all.clone();
            extra.insert("surprise".into(), json!(1));
            if !properties.is_empty() {
                assert!(
                    ToolCall::parse(tool.name, &Value::Object(extra)).is_err(),
                    "{} accepts an undeclared property",
                    tool.name
                );
            }
        }
        assert!(matches!(
            ToolCall::parse("run_sql", &json!({})),
            Err(ToolError::Unknown(_))
        ));
    }

    #[test]
    fn refusals_reach_the_model_as_data_and_words() {
        let refused = ToolError::Refused(Refusal::NotConfirmed {
            reason: contract::NotConfirmed::CallerDeclined,
        })
        .as_result();
        assert_eq!(refused["refused"], "not_confirmed");
        assert_eq!(refused["reason"], "caller_declined");
        assert!(refused["error"].as_str().is_some_and(|e| e.contains("yes")));
    }
}
