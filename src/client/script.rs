//! Scripted callers for `ascendia call --script FILE`. One step per line:
//!
//! ```text
//! # a comment
//! expect Thank you for calling      the last agent turn contains this (case-insensitive)
//! expect-not appointment            ... and not this
//! say What time is it?              the caller speaks and waits for the complete answer
//! silence                           the caller stays quiet: Retell asks for a reminder
//! expect-end-call                   the last agent turn ended the call
//! expect-transfer +15555550123      the last agent turn transferred (number optional)
//! pause 500                         wait this many milliseconds
//! hangup                            the caller hangs up
//! ```
//! The greeting (response 0) is the first agent turn. The run fails if the agent goes silent,
//! never completes a response, or an expectation does not hold.

use std::time::Duration;

use super::{AgentTurn, CallClient, CallOptions, ClientError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Say(String),
    Silence,
    Expect(String),
    ExpectNot(String),
    ExpectEndCall,
    ExpectTransfer(Option<String>),
    Pause(Duration),
    HangUp,
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("script line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("script line {line}: {source}")]
    Client { line: usize, source: ClientError },
    #[error("script line {line}: expected the agent to {expected}, but it said: {said:?}")]
    Expectation {
        line: usize,
        expected: String,
        said: String,
    },
    #[error(transparent)]
    Connect(ClientError),
}

pub fn parse(text: &str) -> Result<Vec<(usize, Step)>, ScriptError> {
    let mut steps = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (word, rest) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        let rest = rest.trim();
        let needs_text = |step: fn(String) -> Step| {
            if rest.is_empty() {
                Err(ScriptError::Parse {
                    line,
                    message: format!("'{word}' needs text after it"),
                })
            } else {
                Ok(step(rest.to_owned()))
            }
        };
        let step = match word {
            "say" => needs_text(Step::Say)?,
            "expect" => needs_text(Step::Expect)?,
            "expect-not" => needs_text(Step::ExpectNot)?,
            "silence" => Step::Silence,
            "expect-end-call" => Step::ExpectEndCall,
            "expect-transfer" => {
                Step::ExpectTransfer(Some(rest.to_owned()).filter(|r| !r.is_empty()))
            }
            "hangup" => Step::HangUp,
            "pause" => Step::Pause(Duration::from_millis(rest.parse().map_err(|_| {
                ScriptError::Parse {
                    line,
                    message: "pause takes milliseconds, e.g. 'pause 500'".into(),
                }
            })?)),
            other => {
                return Err(ScriptError::Parse {
                    line,
                    message: format!("unknown step '{other}'"),
                });
            }
        };
        steps.push((line, step));
    }
    Ok(steps)
}

/// What a finished script saw: every agent turn in order.
#[derive(Debug, Default)]
pub struct Transcript {
    pub turns: Vec<AgentTurn>,
    pub call_id: String,
}

/// Plays the script against `url`. `echo` receives "agent: ..." / "caller: ..." lines.
pub async fn run(
    url: &str,
    steps: &[(usize, Step)],
    timeout: Duration,
    echo: impl FnMut(&str),
) -> Result<Transcript, ScriptError> {
    run_with(url, CallOptions::default(), steps, timeout, echo).await
}

/// As `run`, with the call's details (the caller's number, say) chosen.
pub async fn run_with(
    url: &str,
    options: CallOptions,
    steps: &[(usize, Step)],
    timeout: Duration,
    mut echo: impl FnMut(&str),
) -> Result<Transcript, ScriptError> {
    let mut client = CallClient::connect(url, options)
        .await
        .map_err(ScriptError::Connect)?;
    let greeting = client
        .greeting(timeout)
        .await
        .map_err(|source| ScriptError::Client { line: 0, source })?;
    echo(&format!("agent: {}", greeting.text));
    let mut seen = Transcript {
        turns: vec![greeting],
        call_id: client.call_id.clone(),
    };
    for (line, step) in steps {
        let line = *line;
        let last = seen.turns.last().cloned();
        let said = last.as_ref().map(|t| t.text.clone()).unwrap_or_default();
        let fail = |expected: String| ScriptError::Expectation {
            line,
            expected,
            said: said.clone(),
        };
        let client_error = |source| ScriptError::Client { line, source };
        match step {
            Step::Say(text) => {
                echo(&format!("caller: {text}"));
                let turn = client.say(text, timeout).await.map_err(client_error)?;
                for call in &turn.tool_calls {
                    echo(&format!(
                        "  [tool] {}({}) -> {}",
                        call.name,
                        call.arguments,
                        call.result.as_deref().unwrap_or("(no result)")
                    ));
                }
                echo(&format!("agent: {}", turn.text));
                seen.turns.push(turn);
            }
            Step::Silence => {
                echo("caller: (silence)");
                let turn = client.silence(timeout).await.map_err(client_error)?;
                echo(&format!("agent: {}", turn.text));
                seen.turns.push(turn);
            }
            Step::Expect(text) => {
                if !said.to_lowercase().contains(&text.to_lowercase()) {
                    return Err(fail(format!("say {text:?}")));
                }
            }
            Step::ExpectNot(text) => {
                if said.to_lowercase().contains(&text.to_lowercase()) {
                    return Err(fail(format!("not say {text:?}")));
                }
            }
            Step::ExpectEndCall => {
                if !last.as_ref().is_some_and(|t| t.end_call) {
                    return Err(fail("end the call".into()));
                }
            }
            Step::ExpectTransfer(number) => {
                let transferred = last.as_ref().and_then(|t| t.transfer_number.clone());
                let ok = match (number, &transferred) {
                    (Some(want), Some(got)) => want == got,
                    (None, Some(_)) => true,
                    _ => false,
                };
                if !ok {
                    return Err(fail(format!(
                        "transfer the call{}",
                        number
                            .as_ref()
                            .map(|n| format!(" to {n}"))
                            .unwrap_or_default()
                    )));
                }
            }
            Step::Pause(duration) => tokio::time::sleep(*duration).await,
            Step::HangUp => {
                echo("caller: (hangs up)");
                client.hang_up().await;
                return Ok(seen);
            }
        }
    }
    client.hang_up().await;
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_step_and_reports_bad_lines() {
        let steps = parse(
            "# hi\nexpect Thank you\nsay What time is it?\nsilence\npause 20\nexpect-transfer\nhangup\n",
        );
        let steps = steps
            .map(|s| s.into_iter().map(|(_, s)| s).collect::<Vec<_>>())
            .ok();
        assert_eq!(
            steps,
            Some(vec![
                Step::Expect("Thank you".into()),
                Step::Say("What time is it?".into()),
                Step::Silence,
                Step::Pause(Duration::from_millis(20)),
                Step::ExpectTransfer(None),
                Step::HangUp,
            ])
        );
        assert!(matches!(
            parse("say\n"),
            Err(ScriptError::Parse { line: 1, .. })
        ));
        assert!(matches!(
            parse("\n\ndance now\n"),
            Err(ScriptError::Parse { line: 3, .. })
        ));
        assert!(matches!(
            parse("pause soon\n"),
            Err(ScriptError::Parse { line: 1, .. })
        ));
    }
}
