//! A call's transcript as the call page shows it: who said what, and the tools the agent used
//! in between. Retell's `transcript_with_tool_calls` already interleaves them; otherwise the
//! utterances (timed by their first word, from the call's start) and our own record of tool
//! calls (timed when they ran) are merged by time.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::calls::ToolCallRecord;

/// One line of the call page: someone spoke, or the agent used a tool.
pub enum Line {
    Said {
        who: String,
        text: String,
    },
    Tool {
        name: String,
        arguments: String,
        result: String,
        ok: bool,
    },
}

pub fn lines(
    with_tools: Option<&Value>,
    object: Option<&Value>,
    text: Option<&str>,
    start_ms: Option<i64>,
    tools: &[ToolCallRecord],
) -> Vec<Line> {
    if let Some(Value::Array(items)) = with_tools {
        return items.iter().filter_map(retell_item).collect();
    }
    let tool_lines = tools.iter().map(|t| {
        (
            Some(t.at),
            Line::Tool {
                name: t.name.clone(),
                arguments: t.arguments.clone(),
                result: t.result.clone(),
                ok: t.successful,
            },
        )
    });
    let said: Vec<(Option<DateTime<Utc>>, Line)> = match object {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| Some((spoken_at(item, start_ms), retell_item(item)?)))
            .collect(),
        _ => plain_lines(text.unwrap_or_default())
            .into_iter()
            .map(|line| (None, line))
            .collect(),
    };
    // Merged by time only when every utterance has one; otherwise tools come after.
    let timed = !said.is_empty() && said.iter().all(|(at, _)| at.is_some());
    let mut all: Vec<(Option<DateTime<Utc>>, Line)> = said.into_iter().chain(tool_lines).collect();
    if timed {
        all.sort_by_key(|(at, _)| *at);
    }
    all.into_iter().map(|(_, line)| line).collect()
}

/// When an utterance began: the call's start plus its first word's offset in seconds.
fn spoken_at(item: &Value, start_ms: Option<i64>) -> Option<DateTime<Utc>> {
    let offset = item
        .get("words")?
        .as_array()?
        .first()?
        .get("start")?
        .as_f64()?;
    DateTime::from_timestamp_millis(start_ms? + (offset * 1000.0) as i64)
}

fn plain_lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(':') {
            Some((who, said)) => Line::Said {
                who: who.trim().to_owned(),
                text: said.trim().to_owned(),
            },
            None => Line::Said {
                who: String::new(),
                text: l.to_owned(),
            },
        })
        .collect()
}

/// An item of Retell's transcript: an utterance, a tool invocation or a tool result.
fn retell_item(item: &Value) -> Option<Line> {
    let role = item.get("role")?.as_str()?;
    match role {
        "agent" | "user" => Some(Line::Said {
            who: if role == "agent" { "Agent" } else { "Caller" }.into(),
            text: item.get("content")?.as_str()?.to_owned(),
        }),
        "tool_call_invocation" => Some(Line::Tool {
            name: item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("tool")
                .to_owned(),
            arguments: item.get("arguments").map(compact).unwrap_or_default(),
            result: String::new(),
            ok: true,
        }),
        "tool_call_result" => Some(Line::Tool {
            name: "result".into(),
            arguments: String::new(),
            result: item.get("content").map(compact).unwrap_or_default(),
            ok: true,
        }),
        _ => None,
    }
}

pub fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                Line::Said { who, .. } => who.clone(),
                Line::Tool { name, .. } => name.clone(),
            })
            .collect()
    }

    #[test]
    fn our_tool_calls_fall_between_the_utterances_by_time() {
        let start = 1_764_000_000_000i64;
        let object = json!([
            {"role": "agent", "content": "Hello", "words": [{"word": "Hello", "start": 0.2}]},
            {"role": "user", "content": "A cleaning", "words": [{"word": "A", "start": 3.0}]},
            {"role": "agent", "content": "Tuesday at 9?", "words": [{"word": "Tuesday", "start": 6.5}]},
        ]);
        let tool = ToolCallRecord {
            at: DateTime::from_timestamp_millis(start + 5_000).expect("at"),
            name: "find_slots".into(),
            arguments: "{}".into(),
            result: r#"{"slots": []}"#.into(),
            successful: true,
        };
        let merged = lines(
            None,
            Some(&object),
            None,
            Some(start),
            std::slice::from_ref(&tool),
        );
        assert_eq!(names(&merged), ["Agent", "Caller", "find_slots", "Agent"]);
        // Without the call's start, tools come after what was said.
        let appended = lines(None, Some(&object), None, None, &[tool]);
        assert_eq!(names(&appended), ["Agent", "Caller", "Agent", "find_slots"]);
    }
}
