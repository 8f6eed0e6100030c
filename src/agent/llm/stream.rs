//! OpenAI-compatible streamed chat completions, read leniently: servers differ (OpenAI, Azure,
//! Groq, vLLM, Ollama, llama.cpp) in whether tool calls carry an `index`, whether a call's
//! arguments come whole or in pieces, and how they end the stream.

use serde_json::Value;

/// One thing the model sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    Text(String),
    ToolCall {
        index: Option<u64>,
        id: Option<String>,
        name: Option<String>,
        arguments: Option<String>,
    },
    /// The server reported an error inside the stream.
    Error(String),
    Done,
}

/// Splits a byte stream into `data:` payloads, across chunk boundaries.
#[derive(Default)]
pub struct SseLines {
    buffer: Vec<u8>,
}

impl SseLines {
    /// Feeds bytes; returns the complete `data:` payloads they finish.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(bytes);
        let mut payloads = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(data) = line.strip_prefix("data:") {
                payloads.push(data.trim_start().to_owned());
            }
        }
        payloads
    }
}

/// What one `data:` payload says.
pub fn parse_payload(payload: &str) -> Vec<Delta> {
    if payload.trim() == "[DONE]" {
        return vec![Delta::Done];
    }
    let Ok(value) = serde_json::from_str::<Value>(payload) else {
        return Vec::new();
    };
    if let Some(error) = value.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned);
        return vec![Delta::Error(message)];
    }
    let Some(choice) = value.get("choices").and_then(|c| c.get(0)) else {
        return Vec::new();
    };
    let mut deltas = Vec::new();
    // Streaming servers use `delta`; a few send whole `message`s.
    let delta = choice.get("delta").or_else(|| choice.get("message"));
    if let Some(delta) = delta {
        if let Some(text) = delta.get("content").and_then(Value::as_str)
            && !text.is_empty()
        {
            deltas.push(Delta::Text(text.to_owned()));
        }
        for call in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let function = call.get("function");
            let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
            // Some servers send arguments as a JSON object rather than a string.
            let arguments = function
                .and_then(|f| f.get("arguments"))
                .and_then(|a| match a {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                });
            deltas.push(Delta::ToolCall {
                index: call.get("index").and_then(Value::as_u64),
                id: text(call.get("id")),
                name: text(function.and_then(|f| f.get("name"))),
                arguments,
            });
        }
    }
    if choice
        .get("finish_reason")
        .and_then(Value::as_str)
        .is_some_and(|r| !r.is_empty())
    {
        deltas.push(Delta::Done);
    }
    deltas
}

/// A tool call put together from its pieces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolCall {
    pub index: Option<u64>,
    pub id: String,
    pub name: String,
    pub arguments: String,
}

#[derive(Debug, Default)]
pub struct ToolCalls {
    calls: Vec<ToolCall>,
}

impl ToolCalls {
    pub fn add(
        &mut self,
        index: Option<u64>,
        id: Option<String>,
        name: Option<String>,
        arguments: Option<String>,
    ) {
        // Which call does this piece belong to: by index, else by id, else the last one
        // (a piece with a new id or a name after arguments starts a new call).
        let position = match (index, &id) {
            (Some(i), _) => self.calls.iter().position(|c| c.index == Some(i)),
            (None, Some(id)) => self.calls.iter().position(|c| c.id == *id),
            (None, None) => {
                let last = self.calls.len().checked_sub(1);
                match (&name, last) {
                    (Some(_), Some(l))
                        if !self.calls[l].name.is_empty()
                            && !self.calls[l].arguments.is_empty() =>
                    {
                        None
                    }
                    (_, l) => l,
                }
            }
        };
        let call = match position {
            Some(p) => &mut self.calls[p],
            None => {
                self.calls.push(ToolCall {
                    index,
                    ..ToolCall::default()
                });
                let last = self.calls.len() - 1;
                &mut self.calls[last]
            }
        };
        if let Some(id) = id.filter(|i| !i.is_empty()) {
            call.id = id;
        }
        if let Some(name) = name {
            call.name.push_str(&name);
        }
        if let Some(arguments) = arguments {
            call.arguments.push_str(&arguments);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The calls, each with an id (made up when the server sent none).
    pub fn finish(self, prefix: &str) -> Vec<ToolCall> {
        self.calls
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.name.is_empty())
            .map(|(i, mut c)| {
                if c.id.is_empty() {
                    c.id = format!("{prefix}-{i}");
                }
                if c.arguments.trim().is_empty() {
                    c.arguments = "{}".into();
                }
                c
            })
            .collect()
    }
}

/// Cuts streamed text into sentences, so each is spoken as soon as it is whole.
#[derive(Default)]
pub struct Sentences {
    pending: String,
}

impl Sentences {
    pub fn push(&mut self, text: &str) -> Option<String> {
        self.pending.push_str(text);
        let cut = self
            .pending
            .char_indices()
            .filter(|(i, c)| {
                matches!(c, '.' | '?' | '!' | ':' | ';')
                    && self.pending[i + c.len_utf8()..].starts_with(char::is_whitespace)
            })
            .map(|(i, c)| i + c.len_utf8())
            .next_back()?;
        let rest = self.pending.split_off(cut);
        let sentence = std::mem::replace(&mut self.pending, rest);
        Some(sentence)
    }

    pub fn flush(&mut self) -> Option<String> {
        Some(std::mem::take(&mut self.pending)).filter(|s| !s.trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sse_across_chunk_boundaries() {
        let mut lines = SseLines::default();
        assert!(lines.feed(b"data: {\"a\"").is_empty());
        assert_eq!(
            lines.feed(b":1}\n\ndata: [DONE]\n"),
            vec!["{\"a\":1}", "[DONE]"]
        );
        assert_eq!(lines.feed(b": keep-alive\r\n"), Vec::<String>::new());
    }

    #[test]
    fn assembles_tool_calls_with_and_without_index() {
        let mut calls = ToolCalls::default();
        calls.add(
            Some(0),
            Some("c1".into()),
            Some("find_slots".into()),
            Some("{\"appointment_".into()),
        );
        calls.add(Some(0), None, None, Some("type\":\"cleaning\"}".into()));
        calls.add(Some(1), Some("c2".into()), Some("office_info".into()), None);
        let done = calls.finish("x");
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].arguments, "{\"appointment_type\":\"cleaning\"}");
        assert_eq!(done[1].arguments, "{}");

        // No index: pieces follow the id, or the last call.
        let mut calls = ToolCalls::default();
        calls.add(
            None,
            Some("a".into()),
            Some("find_patient".into()),
            Some("{\"phone\":".into()),
        );
        calls.add(None, None, None, Some("\"555\"}".into()));
        calls.add(None, None, Some("office_info".into()), Some("{}".into()));
        let done = calls.finish("x");
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].arguments, "{\"phone\":\"555\"}");
        assert_eq!(
            (done[1].name.as_str(), done[1].id.as_str()),
            ("office_info", "x-1")
        );
    }

    #[test]
    fn parses_deltas_from_several_dialects() {
        let openai = r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"end_call","arguments":""}}]},"finish_reason":null}]}"#;
        assert_eq!(
            parse_payload(openai),
            vec![Delta::ToolCall {
                index: Some(0),
                id: Some("call_1".into()),
                name: Some("end_call".into()),
                arguments: Some(String::new())
            }]
        );
        let ollama = r#"{"choices":[{"delta":{"tool_calls":[{"function":{"name":"office_info","arguments":{}}}]},"finish_reason":"tool_calls"}]}"#;
        assert_eq!(parse_payload(ollama).len(), 2);
        assert_eq!(
            parse_payload(r#"{"error":{"message":"overloaded"}}"#),
            vec![Delta::Error("overloaded".into())]
        );
        assert_eq!(parse_payload("[DONE]"), vec![Delta::Done]);
    }

    #[test]
    fn speaks_whole_sentences() {
        let mut s = Sentences::default();
        assert_eq!(s.push("Sure. Let"), Some("Sure.".into()));
        assert_eq!(s.push(" me check"), None);
        assert_eq!(
            s.push(" 3.5 hours? OK "),
            Some(" Let me check 3.5 hours?".into())
        );
        assert_eq!(s.flush(), Some(" OK ".into()));
    }
}
