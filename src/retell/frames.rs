//! Retell custom-LLM frames. Inbound parsing is tolerant (unknown fields and types are kept
//! out of the way); outbound frames always carry `response_type` and omit unset options.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    User,
    #[serde(other)]
    Other,
}

/// One transcript entry. Word timings are skipped while parsing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    pub role: Role,
    #[serde(default)]
    pub content: String,
}

impl Utterance {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn agent(content: impl Into<String>) -> Self {
        Self {
            role: Role::Agent,
            content: content.into(),
        }
    }
}

/// The parts of Retell's call object that routing, records and the agent use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallDetails {
    #[serde(default)]
    pub call_id: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub call_type: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub from_number: Option<String>,
    #[serde(default)]
    pub to_number: Option<String>,
    /// When the call started (ms since the epoch), if Retell says so here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timestamp: Option<i64>,
    #[serde(default)]
    pub retell_llm_dynamic_variables: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    PingPong {
        timestamp: i64,
    },
    CallDetails {
        call: Box<CallDetails>,
    },
    UpdateOnly {
        transcript: Vec<Utterance>,
    },
    ResponseRequired {
        response_id: i64,
        transcript: Vec<Utterance>,
    },
    ReminderRequired {
        response_id: i64,
        transcript: Vec<Utterance>,
    },
    /// An `interaction_type` this server does not know; logged and ignored.
    Unknown {
        interaction_type: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The serde message is left out on purpose: it can quote transcript text.
    #[error("malformed JSON ({category}) at line {line}, column {column}")]
    Json {
        category: &'static str,
        line: usize,
        column: usize,
    },
    #[error("'{interaction_type}' frame without required field '{field}'")]
    MissingField {
        interaction_type: &'static str,
        field: &'static str,
    },
}

impl From<serde_json::Error> for FrameError {
    fn from(err: serde_json::Error) -> Self {
        use serde_json::error::Category;
        FrameError::Json {
            category: match err.classify() {
                Category::Io => "io",
                Category::Syntax => "syntax",
                Category::Data => "unexpected type",
                Category::Eof => "truncated",
            },
            line: err.line(),
            column: err.column(),
        }
    }
}

/// Every field any interaction carries, parsed in one pass without buffering the document.
#[derive(Deserialize)]
struct RawInbound {
    interaction_type: String,
    #[serde(default)]
    timestamp: Option<i64>,
    #[serde(default)]
    response_id: Option<i64>,
    #[serde(default)]
    transcript: Option<Vec<Utterance>>,
    #[serde(default)]
    call: Option<Box<CallDetails>>,
}

impl Inbound {
    pub fn parse(text: &str) -> Result<Self, FrameError> {
        let raw: RawInbound = serde_json::from_str(text)?;
        let missing = |interaction_type, field| FrameError::MissingField {
            interaction_type,
            field,
        };
        Ok(match raw.interaction_type.as_str() {
            "ping_pong" => Inbound::PingPong {
                timestamp: raw.timestamp.ok_or(missing("ping_pong", "timestamp"))?,
            },
            "call_details" => Inbound::CallDetails {
                call: raw.call.ok_or(missing("call_details", "call"))?,
            },
            "update_only" => Inbound::UpdateOnly {
                transcript: raw.transcript.unwrap_or_default(),
            },
            "response_required" => Inbound::ResponseRequired {
                response_id: raw
                    .response_id
                    .ok_or(missing("response_required", "response_id"))?,
                transcript: raw.transcript.unwrap_or_default(),
            },
            "reminder_required" => Inbound::ReminderRequired {
                response_id: raw
                    .response_id
                    .ok_or(missing("reminder_required", "response_id"))?,
                transcript: raw.transcript.unwrap_or_default(),
            },
            _ => Inbound::Unknown {
                interaction_type: raw.interaction_type,
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigBody {
    pub auto_reconnect: bool,
    pub call_details: bool,
    pub transcript_with_tool_calls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseFrame {
    pub response_id: i64,
    pub content: String,
    pub content_complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_interruption_allowed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_call: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_number: Option<String>,
}

impl ResponseFrame {
    pub fn chunk(response_id: i64, content: impl Into<String>) -> Self {
        Self {
            response_id,
            content: content.into(),
            content_complete: false,
            no_interruption_allowed: None,
            end_call: None,
            transfer_number: None,
        }
    }

    pub fn complete(response_id: i64, content: impl Into<String>) -> Self {
        Self {
            content_complete: true,
            ..Self::chunk(response_id, content)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "response_type", rename_all = "snake_case")]
pub enum Outbound {
    Config {
        config: ConfigBody,
    },
    PingPong {
        timestamp: i64,
    },
    Response(ResponseFrame),
    ToolCallInvocation {
        tool_call_id: String,
        name: String,
        arguments: String,
    },
    ToolCallResult {
        tool_call_id: String,
        content: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        successful: Option<bool>,
    },
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_reference_frames_and_tolerates_extras() {
        let frame = Inbound::parse(
            r#"{"interaction_type":"response_required","response_id":3,"timestamp":3,"extra":{"a":1},
                "transcript":[{"role":"agent","content":"Hey","words":[{"word":"Hey","start":0.1,"end":0.2}]},
                              {"role":"user","content":"Hi there"}]}"#,
        );
        match frame {
            Ok(Inbound::ResponseRequired {
                response_id: 3,
                transcript,
            }) => {
                assert_eq!(
                    transcript,
                    vec![Utterance::agent("Hey"), Utterance::user("Hi there")]
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            Inbound::parse(r#"{"interaction_type":"ping_pong","timestamp":1703302407333}"#),
            Ok(Inbound::PingPong {
                timestamp: 1703302407333
            })
        ));
        assert!(matches!(
            Inbound::parse(r#"{"interaction_type":"pingpong","content":"x"}"#),
            Ok(Inbound::Unknown { .. })
        ));
    }

    #[test]
    fn rejects_frames_without_required_fields_or_types() {
        assert!(
            Inbound::parse(r#"{"interaction_type":"response_required","transcript":[]}"#).is_err()
        );
        assert!(
            Inbound::parse(r#"{"interaction_type":"response_required","response_id":"4"}"#)
                .is_err()
        );
        assert!(Inbound::parse("not json").is_err());
        assert!(Inbound::parse(r#"{"response_id":1}"#).is_err());
    }

    #[test]
    fn malformed_errors_do_not_quote_the_frame() {
        let secret = "my birthday is March 3";
        let err = Inbound::parse(&format!(
            r#"{{"interaction_type":"update_only","transcript":"{secret}"}}"#
        ));
        let message = err.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(!message.contains("birthday"), "{message}");
    }

    #[test]
    fn outbound_frames_match_the_protocol() {
        let value =
            serde_json::to_value(Outbound::Response(ResponseFrame::chunk(3, "Sure, "))).ok();
        assert_eq!(
            value,
            Some(
                json!({"response_type":"response","response_id":3,"content":"Sure, ","content_complete":false})
            )
        );
        let ping = serde_json::to_value(Outbound::PingPong { timestamp: 7 }).ok();
        assert_eq!(
            ping,
            Some(json!({"response_type":"ping_pong","timestamp":7}))
        );
    }
}
