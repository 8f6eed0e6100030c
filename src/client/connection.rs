use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use crate::retell::frames::{CallDetails, ConfigBody, ResponseFrame, Role, Utterance};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("could not connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the agent went silent: {0}")]
    Silent(String),
    #[error("the server closed the connection{}", .0.map(|c| format!(" (code {c})")).unwrap_or_default())]
    Closed(Option<u16>),
    #[error("the server sent an invalid frame: {0}")]
    Invalid(String),
    #[error("CA certificate {}: {reason}", path.display())]
    CaCert {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// A frame from the server, as Retell would read it.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame {
    Config(ConfigBody),
    PingPong {
        timestamp: i64,
    },
    Response(ResponseFrame),
    /// A valid frame of another `response_type` (tool calls, metadata, ...).
    Other(Value),
    /// Something Retell would reject: binary, bad JSON, wrong field types.
    Invalid(String),
    Closed(Option<u16>),
}

/// One completed agent response.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTurn {
    pub response_id: i64,
    pub text: String,
    pub chunks: usize,
    pub end_call: bool,
    pub transfer_number: Option<String>,
    /// From the request (or connect, for the greeting) to the first chunk with content.
    pub first_chunk: Option<Duration>,
    pub complete: Duration,
    /// Tool calls the server reported during this response.
    pub tool_calls: Vec<ToolCallSeen>,
}

/// A `tool_call_invocation`, with its `tool_call_result` once it came.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallSeen {
    pub id: String,
    pub name: String,
    pub arguments: String,
    pub result: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CallOptions {
    /// Sent as `call_details` when the server's config asks for it.
    pub call: CallDetails,
    /// Send `ping_pong` every this often when the server asks for auto-reconnect.
    pub ping_interval: Duration,
    /// For `wss://`: whom to trust (see [`trusting`]); none means the public web's roots.
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            call: CallDetails {
                call_type: Some("phone_call".into()),
                direction: Some("inbound".into()),
                from_number: Some("+15555550100".into()),
                to_number: Some("+15555550199".into()),
                agent_id: Some("ascendia-call-client".into()),
                ..CallDetails::default()
            },
            ping_interval: Duration::from_secs(2),
            tls: None,
        }
    }
}

/// A TLS client trusting only the CA (or self-signed) certificates in the PEM file at `path`:
/// for `ascendia call --ca-cert` against a private CA, a proxy's internal CA, or a test.
pub fn trusting(path: &std::path::Path) -> Result<Arc<rustls::ClientConfig>, ClientError> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let fail = |reason: String| ClientError::CaCert {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots
            .add(cert.map_err(|e| fail(e.to_string()))?)
            .map_err(|e| fail(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(fail("holds no PEM certificate".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

pub struct CallClient {
    writer: mpsc::UnboundedSender<Message>,
    frames: mpsc::UnboundedReceiver<ServerFrame>,
    pub call_id: String,
    pub config: Option<ConfigBody>,
    pub transcript: Vec<Utterance>,
    next_response_id: i64,
    /// Responses for ids other than the one awaited (superseded ones, late completions).
    pub stray: Vec<ResponseFrame>,
    /// Round trips of our pings, in order.
    pub ping_rtts: Vec<Duration>,
    pings_sent: Arc<std::sync::Mutex<Vec<(i64, Instant)>>>,
    pinging: Arc<AtomicBool>,
    connected_at: Instant,
    options: CallOptions,
    /// The socket's reader and writer tasks, each holding half of it.
    socket_tasks: [tokio::task::AbortHandle; 2],
}

impl CallClient {
    pub async fn connect(url: &str, options: CallOptions) -> Result<Self, ClientError> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(64 << 20))
            .max_frame_size(Some(64 << 20));
        let connected_at = Instant::now();
        let connector = options
            .tls
            .clone()
            .map(tokio_tungstenite::Connector::Rustls);
        let (socket, _) =
            tokio_tungstenite::connect_async_tls_with_config(url, Some(config), true, connector)
                .await
                .map_err(|e| ClientError::Connect {
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?;
        let (mut sink, mut stream) = socket.split();
        let (writer, mut outgoing) = mpsc::unbounded_channel::<Message>();
        let writing = tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                let closing = matches!(message, Message::Close(_));
                if sink.send(message).await.is_err() || closing {
                    break;
                }
            }
        });
        let (frames_tx, frames) = mpsc::unbounded_channel();
        let reading = tokio::spawn(async move {
            while let Some(message) = stream.next().await {
                let frame = match message {
                    Ok(Message::Text(text)) => parse_server_frame(&text),
                    Ok(Message::Binary(_)) => ServerFrame::Invalid("binary frame".into()),
                    Ok(Message::Close(close)) => {
                        ServerFrame::Closed(close.map(|c| u16::from(c.code)))
                    }
                    Ok(_) => continue,
                    Err(_) => ServerFrame::Closed(None),
                };
                let closed = matches!(frame, ServerFrame::Closed(_));
                if frames_tx.send(frame).is_err() || closed {
                    break;
                }
            }
            let _ = frames_tx.send(ServerFrame::Closed(None));
        });
        let call_id = url
            .split('?')
            .next()
            .and_then(|path| path.trim_end_matches('/').rsplit('/').next())
            .unwrap_or_default()
            .to_owned();
        Ok(Self {
            writer,
            frames,
            call_id,
            config: None,
            transcript: Vec::new(),
            next_response_id: 1,
            stray: Vec::new(),
            ping_rtts: Vec::new(),
            pings_sent: Arc::default(),
            pinging: Arc::default(),
            connected_at,
            options,
            socket_tasks: [writing.abort_handle(), reading.abort_handle()],
        })
    }

    /// The next frame, handling config (call details, pings) and ping echoes on the way.
    pub async fn recv(&mut self, timeout: Duration) -> Result<ServerFrame, ClientError> {
        let frame = tokio::time::timeout(timeout, self.frames.recv())
            .await
            .map_err(|_| {
                ClientError::Silent(format!("no frame within {} ms", timeout.as_millis()))
            })?
            .unwrap_or(ServerFrame::Closed(None));
        match &frame {
            ServerFrame::Config(config) => self.on_config(*config),
            ServerFrame::PingPong { timestamp } => {
                let mut sent = self.pings_sent.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(pos) = sent.iter().position(|(t, _)| t == timestamp) {
                    let (_, at) = sent.remove(pos);
                    self.ping_rtts.push(at.elapsed());
                }
            }
            _ => {}
        }
        Ok(frame)
    }

    fn on_config(&mut self, config: ConfigBody) {
        self.config = Some(config);
        if config.call_details {
            let mut call = serde_json::to_value(&self.options.call).unwrap_or(Value::Null);
            if let Some(obj) = call.as_object_mut() {
                obj.insert("call_id".into(), Value::String(self.call_id.clone()));
                obj.insert("call_status".into(), Value::String("registered".into()));
            }
            self.send_json(&json!({"interaction_type": "call_details", "call": call}));
        }
        if config.auto_reconnect && !self.pinging.swap(true, Ordering::SeqCst) {
            let writer = self.writer.clone();
            let sent = Arc::clone(&self.pings_sent);
            let every = self.options.ping_interval;
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(every);
                loop {
                    ticker.tick().await;
                    let timestamp = now_ms();
                    sent.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((timestamp, Instant::now()));
                    let ping = json!({"interaction_type": "ping_pong", "timestamp": timestamp})
                        .to_string();
                    if writer.send(Message::Text(ping.into())).is_err() {
                        break;
                    }
                }
            });
        }
    }

    /// Waits for the complete response to `response_id`, calling `on_chunk` with streamed text.
    pub async fn response_with(
        &mut self,
        response_id: i64,
        since: Instant,
        timeout: Duration,
        mut on_chunk: impl FnMut(&str),
    ) -> Result<AgentTurn, ClientError> {
        let deadline = Instant::now() + timeout;
        let mut turn = AgentTurn {
            response_id,
            text: String::new(),
            chunks: 0,
            end_call: false,
            transfer_number: None,
            first_chunk: None,
            complete: Duration::ZERO,
            tool_calls: Vec::new(),
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = self.recv(left).await.map_err(|_| {
                ClientError::Silent(format!(
                    "response {response_id} not completed within {} ms",
                    timeout.as_millis()
                ))
            })?;
            match frame {
                ServerFrame::Response(r) if r.response_id == response_id => {
                    if !r.content.is_empty() {
                        turn.first_chunk.get_or_insert_with(|| since.elapsed());
                        on_chunk(&r.content);
                        turn.text.push_str(&r.content);
                    }
                    turn.chunks += 1;
                    turn.end_call |= r.end_call == Some(true);
                    if r.transfer_number.is_some() {
                        turn.transfer_number = r.transfer_number.clone();
                    }
                    if r.content_complete {
                        turn.complete = since.elapsed();
                        return Ok(turn);
                    }
                }
                ServerFrame::Response(r) => self.stray.push(r),
                ServerFrame::Other(value) => record_tool_call(&mut turn.tool_calls, &value),
                ServerFrame::Invalid(why) => return Err(ClientError::Invalid(why)),
                ServerFrame::Closed(code) => return Err(ClientError::Closed(code)),
                _ => {}
            }
        }
    }

    /// The begin message (`response_id` 0).
    pub async fn greeting(&mut self, timeout: Duration) -> Result<AgentTurn, ClientError> {
        let turn = self
            .response_with(0, self.connected_at, timeout, |_| {})
            .await?;
        if !turn.text.is_empty() {
            self.transcript.push(Utterance::agent(turn.text.clone()));
        }
        Ok(turn)
    }

    /// Sends a request for the next response id without waiting; returns the id.
    pub fn request(&mut self, reminder: bool) -> i64 {
        let id = self.next_response_id;
        self.next_response_id += 1;
        let kind = if reminder {
            "reminder_required"
        } else {
            "response_required"
        };
        self.send_json(
            &json!({"interaction_type": kind, "response_id": id, "transcript": self.transcript}),
        );
        id
    }

    /// The caller says `text`; waits for the agent's complete answer.
    pub async fn say(&mut self, text: &str, timeout: Duration) -> Result<AgentTurn, ClientError> {
        self.say_with(text, timeout, |_| {}).await
    }

    pub async fn say_with(
        &mut self,
        text: &str,
        timeout: Duration,
        on_chunk: impl FnMut(&str),
    ) -> Result<AgentTurn, ClientError> {
        self.transcript.push(Utterance::user(text));
        self.send_json(&json!({"interaction_type": "update_only", "transcript": self.transcript, "turntaking": "agent_turn"}));
        let since = Instant::now();
        let id = self.request(false);
        self.finish_turn(id, since, timeout, on_chunk).await
    }

    /// The caller stays silent; Retell asks for a reminder.
    pub async fn silence(&mut self, timeout: Duration) -> Result<AgentTurn, ClientError> {
        let since = Instant::now();
        let id = self.request(true);
        self.finish_turn(id, since, timeout, |_| {}).await
    }

    async fn finish_turn(
        &mut self,
        id: i64,
        since: Instant,
        timeout: Duration,
        on_chunk: impl FnMut(&str),
    ) -> Result<AgentTurn, ClientError> {
        let turn = self.response_with(id, since, timeout, on_chunk).await?;
        if !turn.text.is_empty() {
            self.transcript.push(Utterance::agent(turn.text.clone()));
        }
        Ok(turn)
    }

    pub fn send_json(&self, value: &Value) {
        self.send_text(&value.to_string());
    }

    pub fn send_text(&self, text: &str) {
        let _ = self.writer.send(Message::Text(text.to_owned().into()));
    }

    pub fn send_binary(&self, bytes: Vec<u8>) {
        let _ = self.writer.send(Message::Binary(bytes.into()));
    }

    /// Hangs up (code 1000, as Retell does when the call ends) and waits briefly for the
    /// server's close, so the closing handshake completes.
    pub async fn hang_up(&mut self) {
        let _ = self.writer.send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "call ended".into(),
        })));
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            while let Some(frame) = self.frames.recv().await {
                if matches!(frame, ServerFrame::Closed(_)) {
                    break;
                }
            }
        })
        .await;
    }

    /// Drops the connection without a close frame, as a network failure does (Retell then
    /// reconnects).
    pub fn drop_connection(self) {
        for task in &self.socket_tasks {
            task.abort();
        }
    }

    /// The text of the last agent turn in the transcript.
    pub fn last_agent_text(&self) -> Option<&str> {
        self.transcript
            .iter()
            .rev()
            .find(|u| u.role == Role::Agent)
            .map(|u| u.content.as_str())
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Reads a frame the way Retell does: a missing `response_type` means `response`, and wrong
/// field types are invalid.
pub fn parse_server_frame(text: &str) -> ServerFrame {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return ServerFrame::Invalid("not JSON".into());
    };
    let kind = value
        .get("response_type")
        .and_then(Value::as_str)
        .unwrap_or("response");
    match kind {
        "config" => match value
            .get("config")
            .cloned()
            .map(serde_json::from_value::<ConfigBody>)
        {
            Some(Ok(config)) => ServerFrame::Config(config),
            _ => config_lenient(&value),
        },
        "ping_pong" => match value.get("timestamp").and_then(Value::as_i64) {
            Some(timestamp) => ServerFrame::PingPong { timestamp },
            None => ServerFrame::Invalid("ping_pong without an integer timestamp".into()),
        },
        "response" => match serde_json::from_value::<ResponseFrame>(value) {
            Ok(frame) => ServerFrame::Response(frame),
            Err(e) => ServerFrame::Invalid(format!("response: {e}")),
        },
        _ => ServerFrame::Other(value),
    }
}

/// Config fields are all optional in the protocol.
fn config_lenient(value: &Value) -> ServerFrame {
    let flag = |name: &str| {
        value
            .get("config")
            .and_then(|c| c.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    ServerFrame::Config(ConfigBody {
        auto_reconnect: flag("auto_reconnect"),
        call_details: flag("call_details"),
        transcript_with_tool_calls: flag("transcript_with_tool_calls"),
    })
}

fn record_tool_call(calls: &mut Vec<ToolCallSeen>, frame: &Value) {
    let text = |key: &str| {
        frame
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    match frame.get("response_type").and_then(Value::as_str) {
        Some("tool_call_invocation") => calls.push(ToolCallSeen {
            id: text("tool_call_id"),
            name: text("name"),
            arguments: text("arguments"),
            result: None,
        }),
        Some("tool_call_result") => {
            let id = text("tool_call_id");
            if let Some(call) = calls.iter_mut().rev().find(|c| c.id == id) {
                call.result = Some(text("content"));
            }
        }
        _ => {}
    }
}
