//! `ascendia loadtest`: many concurrent simulated Retell calls on loopback. Each call sends
//! pings every 2 s, `update_only` every 250 ms and `response_required` every 3 s with a growing
//! transcript, and measures the time from a request to the first chunk and to `content_complete`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::time::{MissedTickBehavior, interval_at, sleep_until};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use super::connection::{ServerFrame, now_ms, parse_server_frame};

#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Base URL; each call appends its own call id, as Retell does.
    pub url: String,
    pub calls: usize,
    pub duration: Duration,
    /// Connections are spread evenly over this time.
    pub ramp: Duration,
    /// Hold calls with pings only (for memory per idle call).
    pub idle: bool,
    /// Include word timings in transcripts, as Retell does.
    pub words: bool,
    /// The server's process id, to report its resident memory.
    pub server_pid: Option<u32>,
    pub ping_every: Duration,
    pub update_every: Duration,
    pub request_every: Duration,
}

impl LoadOptions {
    pub fn new(url: &str, calls: usize, duration: Duration) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            calls,
            duration,
            ramp: Duration::from_secs(5),
            idle: false,
            words: false,
            server_pid: None,
            ping_every: Duration::from_secs(2),
            update_every: Duration::from_millis(250),
            request_every: Duration::from_secs(3),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    fn of(mut micros: Vec<u32>) -> Self {
        if micros.is_empty() {
            return Self::default();
        }
        micros.sort_unstable();
        let at = |q: f64| {
            let index = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len()) - 1;
            f64::from(micros[index]) / 1000.0
        };
        Self {
            count: micros.len(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    pub calls: usize,
    pub connected: usize,
    pub connect_failures: usize,
    pub closed_early: usize,
    pub requests: usize,
    /// Requests still open when the next one superseded them or the run ended.
    pub unanswered: usize,
    /// From starting the connection to the complete greeting (response 0).
    pub greeting: Percentiles,
    pub first_chunk: Percentiles,
    pub complete: Percentiles,
    pub ping_rtt: Percentiles,
    pub server_rss_before_kib: Option<u64>,
    pub server_rss_connected_kib: Option<u64>,
    pub server_rss_end_kib: Option<u64>,
    pub server_bytes_per_call: Option<u64>,
}

impl LoadReport {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let line = |p: &Percentiles| {
            format!(
                "n={:<7} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
                p.count, p.p50_ms, p.p99_ms, p.max_ms
            )
        };
        let _ = writeln!(
            out,
            "calls: {} requested, {} connected, {} failed to connect, {} closed early",
            self.calls, self.connected, self.connect_failures, self.closed_early
        );
        let _ = writeln!(
            out,
            "requests: {} sent, {} unanswered",
            self.requests, self.unanswered
        );
        let _ = writeln!(out, "connect→greeting: {}", line(&self.greeting));
        let _ = writeln!(out, "first chunk:      {}", line(&self.first_chunk));
        let _ = writeln!(out, "content_complete: {}", line(&self.complete));
        let _ = writeln!(out, "ping echo:        {}", line(&self.ping_rtt));
        if let (Some(before), Some(connected)) =
            (self.server_rss_before_kib, self.server_rss_connected_kib)
        {
            let _ = writeln!(
                out,
                "server RSS: {before} KiB before, {connected} KiB with all calls connected, {} KiB at the end; {} bytes per call",
                self.server_rss_end_kib.unwrap_or_default(),
                self.server_bytes_per_call.unwrap_or_default()
            );
        }
        out
    }
}

#[derive(Default)]
struct CallOutcome {
    connected: bool,
    closed_early: bool,
    requests: usize,
    unanswered: usize,
    greeting: Option<u32>,
    first_chunk: Vec<u32>,
    complete: Vec<u32>,
    ping_rtt: Vec<u32>,
}

pub async fn run(options: LoadOptions) -> LoadReport {
    let options = Arc::new(options);
    let rss_before = options.server_pid.and_then(rss_kib);
    let start = Instant::now() + Duration::from_millis(100);
    let end = start + options.ramp + options.duration;
    let connected = Arc::new(AtomicUsize::new(0));
    let run_id = now_ms();
    let mut tasks = Vec::with_capacity(options.calls);
    for index in 0..options.calls {
        let offset = options
            .ramp
            .mul_f64(index as f64 / options.calls.max(1) as f64);
        let url = format!("{}/load-{run_id}-{index}", options.url);
        let options = Arc::clone(&options);
        let connected = Arc::clone(&connected);
        tasks.push(tokio::spawn(async move {
            one_call(
                &url,
                &options,
                index as u64,
                start + offset,
                end,
                &connected,
            )
            .await
        }));
    }

    // Memory with every call connected, before the traffic has grown any transcript much.
    let settle_until = start + options.ramp + Duration::from_secs(2);
    while connected.load(Ordering::Relaxed) < options.calls && Instant::now() < settle_until {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = options.server_pid.and_then(rss_kib);

    let mut report = LoadReport {
        calls: options.calls,
        ..LoadReport::default()
    };
    let (mut greetings, mut first, mut complete, mut pings) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for task in tasks {
        let outcome = task.await.unwrap_or_default();
        report.connected += usize::from(outcome.connected);
        report.connect_failures += usize::from(!outcome.connected);
        report.closed_early += usize::from(outcome.closed_early);
        report.requests += outcome.requests;
        report.unanswered += outcome.unanswered;
        greetings.extend(outcome.greeting);
        first.extend(outcome.first_chunk);
        complete.extend(outcome.complete);
        pings.extend(outcome.ping_rtt);
    }
    report.greeting = Percentiles::of(greetings);
    report.first_chunk = Percentiles::of(first);
    report.complete = Percentiles::of(complete);
    report.ping_rtt = Percentiles::of(pings);
    report.server_rss_before_kib = rss_before;
    report.server_rss_connected_kib = rss_connected;
    report.server_rss_end_kib = options.server_pid.and_then(rss_kib);
    if let (Some(before), Some(after)) = (rss_before, rss_connected) {
        report.server_bytes_per_call =
            Some(after.saturating_sub(before) * 1024 / report.connected.max(1) as u64);
    }
    report
}

async fn one_call(
    url: &str,
    options: &LoadOptions,
    seed: u64,
    start: Instant,
    end: Instant,
    connected: &AtomicUsize,
) -> CallOutcome {
    let mut outcome = CallOutcome::default();
    sleep_until(start.into()).await;
    let connecting = Instant::now();
    let config = WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0);
    let Ok((socket, _)) =
        tokio_tungstenite::connect_async_with_config(url, Some(config), true).await
    else {
        return outcome;
    };
    let (mut sink, mut stream) = socket.split();
    outcome.connected = true;
    connected.fetch_add(1, Ordering::Relaxed);

    let mut transcript = Transcript::new(options.words);
    let phase = |every: Duration, salt: u64| {
        every.mul_f64(((seed.wrapping_mul(2654435761).wrapping_add(salt)) % 1000) as f64 / 1000.0)
    };
    let now = tokio::time::Instant::now();
    let mut ping = interval_at(now + phase(options.ping_every, 1), options.ping_every);
    let mut update = interval_at(now + phase(options.update_every, 2), options.update_every);
    let mut request = interval_at(now + phase(options.request_every, 3), options.request_every);
    for timer in [&mut ping, &mut update, &mut request] {
        timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    }
    let mut pings_sent: Vec<(i64, Instant)> = Vec::new();
    // The request in flight: id, sent at, first chunk seen.
    let mut pending: Option<(i64, Instant, bool)> = None;
    let mut next_id = 1;
    let mut agent_text = String::new();
    let deadline = sleep_until(end.into());
    tokio::pin!(deadline);

    loop {
        let outgoing = tokio::select! {
            () = &mut deadline => break,
            _ = ping.tick() => {
                let timestamp = now_ms() * 1000 + (pings_sent.len() as i64 % 1000);
                pings_sent.push((timestamp, Instant::now()));
                format!(r#"{{"interaction_type":"ping_pong","timestamp":{timestamp}}}"#)
            }
            _ = update.tick(), if !options.idle => {
                format!(r#"{{"interaction_type":"update_only","transcript":{}}}"#, transcript.json())
            }
            _ = request.tick(), if !options.idle => {
                if pending.take().is_some() {
                    outcome.unanswered += 1;
                }
                transcript.push("user", "Hi, could you tell me what time it is at the office right now?");
                let id = next_id;
                next_id += 1;
                outcome.requests += 1;
                pending = Some((id, Instant::now(), false));
                format!(r#"{{"interaction_type":"response_required","response_id":{id},"transcript":{}}}"#, transcript.json())
            }
            message = stream.next() => {
                let frame = match message {
                    Some(Ok(Message::Text(text))) => parse_server_frame(&text),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        outcome.closed_early = true;
                        break;
                    }
                    Some(Ok(_)) => continue,
                };
                match frame {
                    ServerFrame::Config(config) if config.call_details => {
                        format!(r#"{{"interaction_type":"call_details","call":{{"call_id":"{}","call_type":"phone_call","direction":"inbound","agent_id":"loadtest"}}}}"#,
                            url.rsplit('/').next().unwrap_or_default())
                    }
                    ServerFrame::PingPong { timestamp } => {
                        if let Some(pos) = pings_sent.iter().position(|(t, _)| *t == timestamp) {
                            let (_, at) = pings_sent.swap_remove(pos);
                            outcome.ping_rtt.push(micros(at.elapsed()));
                        }
                        continue;
                    }
                    ServerFrame::Response(response) if response.response_id == 0 => {
                        if response.content_complete {
                            outcome.greeting.get_or_insert_with(|| micros(connecting.elapsed()));
                        }
                        continue;
                    }
                    ServerFrame::Response(response) => {
                        if let Some((id, sent, seen_first)) = pending.as_mut()
                            && response.response_id == *id
                        {
                            if !*seen_first && !response.content.is_empty() {
                                *seen_first = true;
                                outcome.first_chunk.push(micros(sent.elapsed()));
                            }
                            agent_text.push_str(&response.content);
                            if response.content_complete {
                                outcome.complete.push(micros(sent.elapsed()));
                                transcript.push("agent", &agent_text);
                                agent_text.clear();
                                pending = None;
                            }
                        }
                        continue;
                    }
                    _ => continue,
                }
            }
        };
        if sink.send(Message::Text(outgoing.into())).await.is_err() {
            outcome.closed_early = true;
            break;
        }
    }
    // Stop sending at the deadline, but let the open request finish: only a request that
    // gets no completion at all counts as unanswered.
    if let Some((id, sent, mut seen_first)) = pending {
        let drained = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let ServerFrame::Response(response) = parse_server_frame(&text) else {
                    continue;
                };
                if response.response_id != id {
                    continue;
                }
                if !seen_first && !response.content.is_empty() {
                    seen_first = true;
                    outcome.first_chunk.push(micros(sent.elapsed()));
                }
                if response.content_complete {
                    outcome.complete.push(micros(sent.elapsed()));
                    return true;
                }
            }
            false
        })
        .await;
        if drained != Ok(true) {
            outcome.unanswered += 1;
        }
    }
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "call ended".into(),
        })))
        .await;
    outcome
}

/// The growing transcript, kept serialized so each frame costs one copy.
struct Transcript {
    json: String,
    words: bool,
    clock: f64,
}

impl Transcript {
    fn new(words: bool) -> Self {
        Self {
            json: "[]".to_owned(),
            words,
            clock: 0.0,
        }
    }

    fn push(&mut self, role: &str, content: &str) {
        let mut entry = format!(
            r#"{{"role":"{role}","content":{}"#,
            serde_json::Value::from(content)
        );
        if self.words {
            entry.push_str(r#","words":["#);
            for (i, word) in content.split_whitespace().enumerate() {
                let (start, stop) = (self.clock, self.clock + 0.24);
                self.clock = stop;
                let _ = write!(
                    entry,
                    r#"{}{{"word":{},"start":{start:.3},"end":{stop:.3}}}"#,
                    if i == 0 { "" } else { "," },
                    serde_json::Value::from(word)
                );
            }
            entry.push(']');
        }
        entry.push('}');
        self.json.pop();
        if self.json.len() > 1 {
            self.json.push(',');
        }
        self.json.push_str(&entry);
        self.json.push(']');
    }

    fn json(&self) -> &str {
        &self.json
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// Resident memory of a process, from /proc (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_stays_valid_json() {
        let mut transcript = Transcript::new(true);
        transcript.push("agent", "Hello \"there\"");
        transcript.push("user", "what time is it");
        let parsed: Result<Vec<crate::retell::frames::Utterance>, _> =
            serde_json::from_str(transcript.json());
        assert_eq!(parsed.map(|v| v.len()).ok(), Some(2));
    }

    #[test]
    fn percentiles_pick_ranks() {
        let p = Percentiles::of((1..=100).map(|v| v * 1000).collect());
        assert_eq!((p.p50_ms, p.p99_ms, p.max_ms), (50.0, 99.0, 100.0));
    }
}
