//! A small client for OpenAI-compatible chat completions: one streamed request, read as
//! deltas. The API key goes in a header and nowhere else (never into logs or errors).

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::stream::{Delta, SseLines, parse_payload};

/// Where and how to ask. Debug never shows the key.
#[derive(Clone)]
pub struct LlmEndpoint {
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
}

impl std::fmt::Debug for LlmEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmEndpoint")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("could not reach the model server: {0}")]
    Connect(String),
    #[error("the model server answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the model stream broke: {0}")]
    Stream(String),
}

#[derive(Clone)]
pub struct ChatClient {
    http: reqwest::Client,
}

impl ChatClient {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()
            .unwrap_or_default();
        Self { http }
    }

    /// Starts a streamed completion; deltas arrive on the receiver as the server sends them.
    /// Dropping the receiver (a superseded response) ends the request and its connection.
    pub async fn stream(
        &self,
        endpoint: &LlmEndpoint,
        messages: &[Value],
        tools: &[Value],
    ) -> Result<mpsc::Receiver<Result<Delta, LlmError>>, LlmError> {
        let url = format!(
            "{}/chat/completions",
            endpoint.base_url.trim_end_matches('/')
        );
        let mut body = json!({
            "model": endpoint.model,
            "messages": messages,
            "stream": true,
        });
        if !tools.is_empty() {
            body["tools"] = Value::Array(tools.to_vec());
        }
        let mut request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &endpoint.api_key {
            // Azure OpenAI reads `api-key`; everyone else `Authorization`.
            request = request.bearer_auth(key).header("api-key", key);
        }
        let response = request
            .send()
            .await
            .map_err(|e| LlmError::Connect(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(LlmError::Status {
                status: status.as_u16(),
                body: text.chars().take(300).collect(),
            });
        }
        let (tx, rx) = mpsc::channel(64);
        let mut bytes = response.bytes_stream();
        tokio::spawn(async move {
            let mut lines = SseLines::default();
            loop {
                // A superseded response drops the receiver: stop reading at once, even if the
                // server is stalling, so the HTTP connection closes.
                let chunk = tokio::select! {
                    chunk = bytes.next() => chunk,
                    () = tx.closed() => return,
                };
                let Some(chunk) = chunk else { break };
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(err) => {
                        let _ = tx
                            .send(Err(LlmError::Stream(err.without_url().to_string())))
                            .await;
                        return;
                    }
                };
                for payload in lines.feed(&chunk) {
                    for delta in parse_payload(&payload) {
                        let done = delta == Delta::Done;
                        if tx.send(Ok(delta)).await.is_err() {
                            return;
                        }
                        if done {
                            return;
                        }
                    }
                }
            }
            let _ = tx.send(Ok(Delta::Done)).await;
        });
        Ok(rx)
    }
}

impl Default for ChatClient {
    fn default() -> Self {
        Self::new()
    }
}
