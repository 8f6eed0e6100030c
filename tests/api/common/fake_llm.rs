//! A fake OpenAI-compatible server on loopback: real HTTP and server-sent events, scripted per
//! request, recording what it was asked and whether the client went away mid-stream.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub enum Event {
    /// One `data:` line with this JSON.
    Data(Value),
    /// `data: [DONE]`
    Done,
    Sleep(Duration),
    /// Cut the connection mid-stream.
    Break,
}

#[derive(Debug, Clone)]
pub enum Answer {
    Stream(Vec<Event>),
    /// An HTTP error status with a JSON body.
    Status(u16),
}

pub type Script = Arc<dyn Fn(&Value) -> Answer + Send + Sync>;

#[derive(Clone)]
struct Shared {
    script: Script,
    requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    dropped: Arc<AtomicUsize>,
}

pub struct FakeLlm {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    dropped: Arc<AtomicUsize>,
}

impl FakeLlm {
    /// Starts the server; `script` answers each request (it sees the request body).
    pub async fn start(script: impl Fn(&Value) -> Answer + Send + Sync + 'static) -> Self {
        let shared = Shared {
            script: Arc::new(script),
            requests: Arc::default(),
            dropped: Arc::default(),
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        // Like a real model server: no Nagle delay on small SSE writes.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            requests: shared.requests,
            dropped: shared.dropped,
        }
    }

    /// Answers from a list, one per request, in order (the last one repeats).
    pub async fn queue(answers: Vec<Answer>) -> Self {
        let queue = Mutex::new(VecDeque::from(answers));
        Self::start(move |_| {
            let mut queue = queue.lock().unwrap_or_else(|p| p.into_inner());
            if queue.len() > 1 {
                queue.pop_front().unwrap_or(Answer::Status(500))
            } else {
                queue.front().cloned().unwrap_or(Answer::Status(500))
            }
        })
        .await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn requests(&self) -> Vec<(HeaderMap, Value)> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many streams ended because the client went away before the end.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }
}

/// Counts a stream the client abandoned (dropped before it finished).
struct DropGuard {
    finished: bool,
    dropped: Arc<AtomicUsize>,
}

impl DropGuard {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn completions(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let answer = (shared.script)(&request);
    shared
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((headers, request));
    let events = match answer {
        Answer::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                status,
                json!({"error": {"message": "scripted failure"}}).to_string(),
            )
                .into_response();
        }
        Answer::Stream(events) => events,
    };
    let guard = DropGuard {
        finished: false,
        dropped: shared.dropped.clone(),
    };
    let stream = futures_util::stream::unfold(
        (events.into_iter(), guard),
        |(mut events, mut guard)| async move {
            loop {
                match events.next() {
                    None => {
                        guard.finish();
                        return None;
                    }
                    Some(Event::Sleep(d)) => tokio::time::sleep(d).await,
                    Some(Event::Data(value)) => {
                        let line = format!("data: {value}\n\n");
                        return Some((Ok::<_, std::io::Error>(line), (events, guard)));
                    }
                    Some(Event::Done) => {
                        return Some((Ok("data: [DONE]\n\n".to_owned()), (events, guard)));
                    }
                    Some(Event::Break) => {
                        guard.finish();
                        return Some((
                            Err(std::io::Error::other("scripted break")),
                            (events, guard),
                        ));
                    }
                }
            }
        },
    );
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

pub fn text(chunk: &str) -> Event {
    Event::Data(
        json!({"choices": [{"index": 0, "delta": {"content": chunk}, "finish_reason": null}]}),
    )
}

pub fn tool(index: Option<u64>, id: Option<&str>, name: Option<&str>, arguments: &str) -> Event {
    let mut call = json!({"function": {"arguments": arguments}});
    if let Some(index) = index {
        call["index"] = json!(index);
    }
    if let Some(id) = id {
        call["id"] = json!(id);
        call["type"] = json!("function");
    }
    if let Some(name) = name {
        call["function"]["name"] = json!(name);
    }
    Event::Data(
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": null}]}),
    )
}

pub fn finish(reason: &str) -> Event {
    Event::Data(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}))
}

/// A plain answer in a few chunks.
pub fn say(chunks: &[&str]) -> Answer {
    let mut events: Vec<Event> = chunks.iter().map(|c| text(c)).collect();
    events.push(finish("stop"));
    events.push(Event::Done);
    Answer::Stream(events)
}

/// The content of the last tool message in a request.
pub fn last_tool_result(request: &Value) -> Option<Value> {
    request["messages"]
        .as_array()?
        .iter()
        .rev()
        .find(|m| m["role"] == "tool")
        .and_then(|m| m["content"].as_str())
        .and_then(|c| serde_json::from_str(c).ok())
}

/// How many tool messages the request carries (which step of a scripted flow it is).
pub fn tool_messages(request: &Value) -> usize {
    request["messages"]
        .as_array()
        .map_or(0, |m| m.iter().filter(|m| m["role"] == "tool").count())
}
