//! Calls as Retell describes them (its `call_details` frame and its webhooks), plus what our
//! own side did in them.

use serde::Serialize;
use serde_json::Value;

/// One webhook event about a call, read from `call` (or the legacy `data`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallEvent {
    pub event: String,
    pub call_id: String,
    pub agent_id: Option<String>,
    pub direction: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub call_status: Option<String>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub disconnection_reason: Option<String>,
    pub transcript: Option<String>,
    pub transcript_object: Option<Value>,
    pub transcript_with_tool_calls: Option<Value>,
    pub call_analysis: Option<Value>,
    pub latency: Option<Value>,
    /// Transfer events: `transfer_destination` and `transfer_option`, from the top level.
    pub transfer: Option<Value>,
    pub recording_url: Option<String>,
}

impl CallEvent {
    pub fn parse(body: &Value) -> Result<Self, &'static str> {
        let event = body
            .get("event")
            .and_then(Value::as_str)
            .ok_or("no event")?;
        let call = body
            .get("call")
            .filter(|c| c.is_object())
            .or_else(|| body.get("data").filter(|d| d.is_object()))
            .ok_or("no call object")?;
        let text = |key: &str| call.get(key).and_then(Value::as_str).map(str::to_owned);
        let number = |key: &str| call.get(key).and_then(Value::as_i64);
        let json = |key: &str| call.get(key).filter(|v| !v.is_null()).cloned();
        let call_id = text("call_id")
            .filter(|id| !id.is_empty() && id.len() <= 128)
            .ok_or("no call_id")?;
        let start_ms = number("start_timestamp");
        let end_ms = number("end_timestamp");
        let transfer = ["transfer_destination", "transfer_option"]
            .iter()
            .filter_map(|k| body.get(*k).map(|v| ((*k).to_owned(), v.clone())))
            .collect::<serde_json::Map<_, _>>();
        Ok(Self {
            event: event.chars().take(64).collect(),
            call_id,
            agent_id: text("agent_id"),
            direction: text("direction"),
            from_number: text("from_number"),
            to_number: text("to_number"),
            call_status: text("call_status"),
            start_ms,
            end_ms,
            duration_ms: number("duration_ms").or(match (start_ms, end_ms) {
                (Some(s), Some(e)) if e >= s => Some(e - s),
                _ => None,
            }),
            disconnection_reason: text("disconnection_reason"),
            transcript: text("transcript"),
            transcript_object: json("transcript_object"),
            transcript_with_tool_calls: json("transcript_with_tool_calls"),
            call_analysis: json("call_analysis"),
            latency: json("latency"),
            transfer: (!transfer.is_empty()).then_some(Value::Object(transfer)),
            // Only a web link: it becomes an anchor on the console's call page.
            recording_url: text("recording_url")
                .filter(|url| url.starts_with("https://") && url.len() <= 2048),
        })
    }

    /// How many transcript items this event carries (-1: none), so a stale one never
    /// replaces a longer transcript.
    pub fn transcript_items(&self) -> i64 {
        let len = |v: &Option<Value>| v.as_ref().and_then(Value::as_array).map(|a| a.len() as i64);
        len(&self.transcript_object)
            .or_else(|| len(&self.transcript_with_tool_calls))
            .unwrap_or(if self.transcript.is_some() { 0 } else { -1 })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallSummary {
    pub call_id: String,
    pub agent_id: Option<String>,
    pub direction: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub call_status: Option<String>,
    pub start_ms: Option<i64>,
    /// Retell's end time; without one, when our WebSocket closed.
    pub end_ms: Option<i64>,
    /// Retell's duration; without one, from the start to our WebSocket's close.
    pub duration_ms: Option<i64>,
    /// When our WebSocket closed (the last connection), and who ended it: `agent` (our agent
    /// ended the call), `transfer` (our agent transferred it), `peer` (Retell closed it),
    /// `dropped` (gone without a close frame), `server` (we closed it). None while connected.
    pub socket_ended_ms: Option<i64>,
    pub ended_by: Option<String>,
    pub disconnection_reason: Option<String>,
    pub events: Vec<String>,
    /// Started from the web console's test lab (only ever set there, never by Retell).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallRecord {
    pub at: chrono::DateTime<chrono::Utc>,
    pub name: String,
    pub arguments: String,
    pub result: String,
    pub successful: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallDetail {
    #[serde(flatten)]
    pub summary: CallSummary,
    pub transcript: Option<String>,
    pub transcript_object: Option<Value>,
    pub transcript_with_tool_calls: Option<Value>,
    pub call_analysis: Option<Value>,
    pub latency: Option<Value>,
    pub transfer: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub appointments: Vec<String>,
}

/// What Retell's `call_details` tells us about a call, as kept in the call record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallMetadata {
    pub agent_id: Option<String>,
    pub call_type: Option<String>,
    pub direction: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    /// When the call started, if the details say (kept in the call record only).
    pub start_ms: Option<i64>,
}

/// A call's connections to our WebSocket.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub call_id: String,
    pub metadata: CallMetadata,
    pub first_connected_at: chrono::DateTime<chrono::Utc>,
    pub last_connected_at: chrono::DateTime<chrono::Utc>,
    pub connections: i64,
}

/// What the statistics need of one call.
#[derive(Debug, Clone)]
pub struct CallFacts {
    pub call_id: String,
    pub start_ms: i64,
    pub duration_ms: Option<i64>,
    pub transferred: bool,
    pub booked: bool,
    pub moved: bool,
    pub cancelled: bool,
    pub message: bool,
    /// Retell's latency figures, as sent.
    pub latency: Option<Value>,
    /// A test lab call: the statistics count it apart.
    pub test: bool,
}

impl CallFacts {
    /// What the call achieved, in the front desk's words.
    pub fn outcome(&self) -> &'static str {
        if self.booked {
            "booked"
        } else if self.moved {
            "moved"
        } else if self.cancelled {
            "cancelled"
        } else if self.transferred {
            "transferred"
        } else if self.message {
            "message taken"
        } else {
            "nothing"
        }
    }
}

/// A call started from the web console's test lab.
#[derive(Debug, Clone, PartialEq)]
pub struct LabCall {
    pub call_id: String,
    /// Who started it (None once that account is removed).
    pub started_by: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An appointment a test lab call made, as the lab lists it for undoing.
#[derive(Debug, Clone, PartialEq)]
pub struct LabBooking {
    pub appointment_id: crate::booking::AppointmentId,
    pub call_id: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub status: crate::booking::AppointmentStatus,
    pub patient: String,
    pub appointment_type: String,
}
