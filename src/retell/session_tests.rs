//! The session against a fake handler over channels (as axum's WebSocket examples test
//! handlers): no socket, no database, and a paused clock, so timing claims are exact.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

use super::calls::{CallRegistry, CallState};
use super::frames::{CallDetails, ResponseFrame};
use super::handler::{CallHandler, CallKey, SocketEnd, TurnKind, TurnRequest};
use super::reply::{Ending, Reply};
use super::session::{APOLOGY, Session, SessionSettings};
use super::writer::Disconnected;

const GREETING: &str = "Hello from the fake clinic.";
const LINE: Uuid = Uuid::from_u128(7);
/// Longer than any answer below: a frame that has not come by then never will.
const PATIENCE: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
enum FakeError {
    #[error(transparent)]
    Disconnected(#[from] Disconnected),
    #[error("the fake failed")]
    Failed,
}

/// Answers by what the caller last said: "slow", "stream", "panic", "fail", "hang", "bye",
/// anything else is echoed; a reminder reports the silence count.
#[derive(Default)]
struct Fake {
    opened: AtomicU32,
    connected: AtomicU32,
    details: std::sync::Mutex<Vec<Arc<CallDetails>>>,
    forgotten: AtomicU32,
    /// How each connection ended, in order.
    ended: std::sync::Mutex<Vec<SocketEnd>>,
}

/// The fake's typed per-call state.
#[derive(Default)]
struct FakeCall {
    turns: AtomicU32,
}

impl CallHandler for Fake {
    type Call = FakeCall;
    type Error = FakeError;

    fn name(&self) -> &str {
        "fake"
    }

    fn open(&self, _key: &CallKey) -> FakeCall {
        self.opened.fetch_add(1, Ordering::SeqCst);
        FakeCall::default()
    }

    fn greeting(&self) -> String {
        GREETING.to_owned()
    }

    fn connected(&self, _call: &Arc<CallState<FakeCall>>) {
        self.connected.fetch_add(1, Ordering::SeqCst);
    }

    fn call_details(&self, _call: &Arc<CallState<FakeCall>>, details: &Arc<CallDetails>) {
        if let Ok(mut seen) = self.details.lock() {
            seen.push(Arc::clone(details));
        }
    }

    fn caller_changed(&self, _call: &Arc<CallState<FakeCall>>) {
        self.forgotten.fetch_add(1, Ordering::SeqCst);
    }

    fn disconnected(&self, _call: &Arc<CallState<FakeCall>>, how: SocketEnd) {
        if let Ok(mut ended) = self.ended.lock() {
            ended.push(how);
        }
    }

    fn answer<'a>(
        &'a self,
        call: &'a Arc<CallState<FakeCall>>,
        turn: TurnRequest,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, FakeError>> {
        Box::pin(async move {
            let turns = call.app.turns.fetch_add(1, Ordering::SeqCst) + 1;
            let said = turn
                .transcript
                .last()
                .map(|u| u.content.clone())
                .unwrap_or_default();
            if turn.kind == TurnKind::Reminder {
                reply.say(&format!("reminder {}", turn.reminders_in_a_row))?;
                return Ok(Ending::Continue);
            }
            match said.as_str() {
                "slow" => {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    reply.say("done")?;
                }
                "stream" => {
                    for i in 0..20 {
                        reply.say(&format!("w{i} "))?;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                "panic" => panic!("a bug in the handler"),
                "fail" => return Err(FakeError::Failed),
                "hang" => std::future::pending::<()>().await,
                "bye" => return Ok(Ending::EndCall),
                _ => {
                    let from = turn
                        .details
                        .as_ref()
                        .and_then(|d| d.from_number.clone())
                        .unwrap_or_else(|| "-".into());
                    reply.say(&format!("heard {said} from {from} (turn {turns})"))?;
                }
            }
            Ok(Ending::Continue)
        })
    }
}

/// One connection's two ends, as Retell would hold them.
struct Wire {
    to_server: mpsc::UnboundedSender<Result<Message, Infallible>>,
    from_server: mpsc::UnboundedReceiver<Message>,
    cut: watch::Sender<bool>,
    session: JoinHandle<()>,
}

fn settings() -> SessionSettings {
    SessionSettings {
        response_timeout: Duration::from_secs(30),
        // Longer than PATIENCE: only the idle test below waits for it.
        idle_timeout: Duration::from_secs(3600),
    }
}

fn connect(fake: &Arc<Fake>, calls: &Arc<CallRegistry<FakeCall>>, call_id: &str) -> Wire {
    connect_with(fake, calls, call_id, settings())
}

fn connect_with(
    fake: &Arc<Fake>,
    calls: &Arc<CallRegistry<FakeCall>>,
    call_id: &str,
    settings: SessionSettings,
) -> Wire {
    let session = Session::open(
        Arc::clone(fake),
        Arc::clone(calls),
        CallKey::new(LINE, call_id),
        settings,
    );
    let (to_server, mut inbound) = mpsc::unbounded_channel::<Result<Message, Infallible>>();
    let stream = futures_util::stream::poll_fn(move |cx| inbound.poll_recv(cx));
    let (outbound, from_server) = mpsc::unbounded_channel();
    let sink = Box::pin(futures_util::sink::unfold(
        outbound,
        |tx: mpsc::UnboundedSender<Message>, message: Message| async move {
            tx.send(message).map_err(|_| Disconnected)?;
            Ok::<_, Disconnected>(tx)
        },
    ));
    let (cut, cut_rx) = watch::channel(false);
    let session = tokio::spawn(session.serve(sink, stream, cut_rx));
    Wire {
        to_server,
        from_server,
        cut,
        session,
    }
}

impl Wire {
    fn send(&self, frame: Value) {
        let _ = self
            .to_server
            .send(Ok(Message::Text(frame.to_string().into())));
    }

    fn ask(&self, response_id: i64, said: &str) {
        self.send(
            json!({"interaction_type": "response_required", "response_id": response_id,
            "transcript": [{"role": "user", "content": said}]}),
        );
    }

    /// The next frame as JSON; `None` once the server closed or dropped the connection.
    async fn next(&mut self) -> Option<Value> {
        match tokio::time::timeout(PATIENCE, self.from_server.recv()).await {
            Ok(Some(Message::Text(text))) => serde_json::from_str(text.as_str()).ok(),
            Ok(_) => None,
            Err(_) => panic!("no frame within {PATIENCE:?}"),
        }
    }

    /// Response frames until `id` completes: (frames of other ids, the text said for `id`).
    async fn until_complete(&mut self, id: i64) -> (Vec<ResponseFrame>, String) {
        let (mut others, mut text) = (Vec::new(), String::new());
        while let Some(frame) = self.next().await {
            let Some(response) = as_response(&frame) else {
                continue;
            };
            if response.response_id != id {
                others.push(response);
                continue;
            }
            text.push_str(&response.content);
            if response.content_complete {
                return (others, text);
            }
        }
        panic!("the connection ended before {id} completed");
    }

    /// The config frame, then the greeting (empty on a reconnect).
    async fn greeting(&mut self) -> String {
        let config = self.next().await.unwrap_or_default();
        assert_eq!(config["response_type"], "config", "{config}");
        assert_eq!(config["config"]["auto_reconnect"], true);
        let (others, text) = self.until_complete(0).await;
        assert!(others.is_empty(), "{others:?}");
        text
    }

    async fn hang_up(self) {
        let _ = self.to_server.send(Ok(Message::Close(None)));
        let ended = tokio::time::timeout(PATIENCE, self.session).await;
        assert!(ended.is_ok(), "a close from Retell ends the session");
    }
}

fn as_response(frame: &Value) -> Option<ResponseFrame> {
    (frame["response_type"] == "response")
        .then(|| serde_json::from_value(frame.clone()).ok())
        .flatten()
}

fn fresh() -> (Arc<Fake>, Arc<CallRegistry<FakeCall>>) {
    (Arc::default(), Arc::default())
}

#[tokio::test(start_paused = true)]
async fn pings_are_answered_at_once_while_a_response_is_slow() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "pings");
    assert_eq!(wire.greeting().await, GREETING);
    let asked = Instant::now();
    wire.ask(1, "slow");
    for timestamp in [11, 12, 13] {
        wire.send(json!({"interaction_type": "ping_pong", "timestamp": timestamp}));
    }
    let mut echoed = Vec::new();
    while echoed.len() < 3 {
        let frame = wire.next().await.unwrap_or_default();
        assert_ne!(frame["response_type"], "response", "{frame}");
        if frame["response_type"] == "ping_pong" {
            echoed.push(frame["timestamp"].as_i64().unwrap_or_default());
        }
    }
    assert_eq!(echoed, vec![11, 12, 13]);
    assert!(
        asked.elapsed() < Duration::from_millis(1),
        "echoes did not wait"
    );
    let (_, text) = wire.until_complete(1).await;
    assert_eq!(text, "done");
    assert!(asked.elapsed() >= Duration::from_secs(10));
    wire.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn a_newer_response_id_supersedes_the_older_which_is_still_completed() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "supersede");
    wire.greeting().await;
    wire.ask(1, "stream");
    let mut first_chunks = 0;
    while first_chunks < 3 {
        if let Some(r) = wire.next().await.as_ref().and_then(as_response) {
            assert_eq!((r.response_id, r.content_complete), (1, false));
            first_chunks += 1;
        }
    }
    wire.ask(2, "stream");
    let (older, newer) = wire.until_complete(2).await;
    assert!(
        newer.starts_with("w0 w1 ") && newer.contains("w19"),
        "{newer}"
    );
    let closed_at = older
        .iter()
        .position(|r| r.response_id == 1 && r.content_complete)
        .expect("the superseded id is closed with content_complete");
    assert!(
        older[closed_at..].iter().all(|r| r.content_complete),
        "nothing said for 1 after it was closed: {older:?}"
    );
    assert!(older.iter().filter(|r| !r.content.is_empty()).count() <= 1);
    // Stale and repeated ids are not answered; a newer one is.
    wire.ask(2, "again");
    wire.ask(1, "again");
    wire.ask(3, "last");
    let (others, text) = wire.until_complete(3).await;
    assert!(others.is_empty(), "{others:?}");
    assert!(text.starts_with("heard last"), "{text}");
    wire.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn a_panic_an_error_or_a_timeout_still_closes_the_response() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "failures");
    wire.greeting().await;
    wire.ask(1, "panic");
    assert_eq!(wire.until_complete(1).await.1, "", "completed empty");
    wire.ask(2, "fail");
    assert_eq!(wire.until_complete(2).await.1, APOLOGY);
    let asked = Instant::now();
    wire.ask(3, "hang");
    assert_eq!(wire.until_complete(3).await.1, APOLOGY);
    assert_eq!(asked.elapsed(), settings().response_timeout);
    wire.ask(4, "still there?");
    let (_, text) = wire.until_complete(4).await;
    assert!(text.starts_with("heard still there?"), "{text}");
    wire.ask(5, "bye");
    let mut end = None;
    while let Some(frame) = wire.next().await {
        if let Some(r) = as_response(&frame).filter(|r| r.content_complete) {
            end = Some(r);
            break;
        }
    }
    assert_eq!(
        end.and_then(|r| r.end_call),
        Some(true),
        "the ending is passed on"
    );
    wire.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn a_reconnect_resumes_the_call_without_a_second_greeting() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "reconnecting");
    assert_eq!(wire.greeting().await, GREETING);
    wire.send(json!({"interaction_type": "call_details",
        "call": {"call_id": "reconnecting", "from_number": "+15555550100"}}));
    wire.send(json!({"interaction_type": "reminder_required", "response_id": 1, "transcript": []}));
    assert_eq!(wire.until_complete(1).await.1, "reminder 1");
    wire.hang_up().await;

    let mut again = connect(&fake, &calls, "reconnecting");
    assert_eq!(again.greeting().await, "", "no second greeting");
    // Retell may number anew on the new connection; the silence count carried over.
    again
        .send(json!({"interaction_type": "reminder_required", "response_id": 1, "transcript": []}));
    assert_eq!(again.until_complete(1).await.1, "reminder 2");
    // So did the details and the handler's own state.
    again.ask(2, "hello");
    assert_eq!(
        again.until_complete(2).await.1,
        "heard hello from +15555550100 (turn 3)"
    );
    again.hang_up().await;

    assert_eq!(fake.opened.load(Ordering::SeqCst), 1, "opened once");
    assert_eq!(fake.connected.load(Ordering::SeqCst), 2, "two connections");
    let details = fake.details.lock().map(|d| d.len()).unwrap_or_default();
    assert_eq!(details, 1);
    assert_eq!(calls.len(), 1);
    // A call on another id is a call of its own.
    let mut other = connect(&fake, &calls, "another");
    assert_eq!(other.greeting().await, GREETING);
    other.hang_up().await;
    assert_eq!(fake.opened.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn bad_frames_are_ignored_and_the_call_goes_on() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "garbage");
    wire.greeting().await;
    let _ = wire.to_server.send(Ok(Message::Text("not json".into())));
    let _ = wire
        .to_server
        .send(Ok(Message::Binary(vec![0, 1, 2].into())));
    wire.send(json!({"interaction_type": "something_new"}));
    wire.send(json!({"interaction_type": "response_required", "transcript": []}));
    wire.send(json!({"interaction_type": "update_only", "transcript": [{"role": "user", "content": "x"}]}));
    wire.ask(1, "hello");
    let (others, text) = wire.until_complete(1).await;
    assert!(others.is_empty(), "{others:?}");
    assert_eq!(text, "heard hello from - (turn 1)");
    wire.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn the_drain_cut_drops_the_connection_without_a_close_frame() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "drained");
    wire.greeting().await;
    wire.ask(1, "slow");
    let _ = wire.cut.send(true);
    let ended = tokio::time::timeout(Duration::from_secs(1), &mut wire.session).await;
    assert!(ended.is_ok(), "the cut ends the session at once");
    // Anything still queued is a frame, never a close (which would hang up on the caller).
    while let Ok(message) = wire.from_server.try_recv() {
        assert!(!matches!(message, Message::Close(_)), "{message:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_peer_that_sends_nothing_at_all_is_closed_with_1001() {
    let (fake, calls) = fresh();
    let idle = Duration::from_secs(30);
    let mut wire = connect_with(
        &fake,
        &calls,
        "quiet",
        SessionSettings {
            idle_timeout: idle,
            ..settings()
        },
    );
    wire.greeting().await;
    let started = Instant::now();
    // Pings keep it open...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(20)).await;
        wire.send(json!({"interaction_type": "ping_pong", "timestamp": 1}));
        assert_eq!(
            wire.next().await.unwrap_or_default()["response_type"],
            "ping_pong"
        );
    }
    // ...silence does not.
    let closed = wire.from_server.recv().await;
    let Some(Message::Close(Some(frame))) = closed else {
        panic!("expected a close frame, got {closed:?}");
    };
    assert_eq!(frame.code, 1001);
    assert!(started.elapsed() >= Duration::from_secs(60) + idle);
    assert!(tokio::time::timeout(PATIENCE, wire.session).await.is_ok());
}

#[tokio::test]
async fn a_peer_that_stops_reading_is_dropped_and_memory_stays_bounded() {
    let (fake, calls) = fresh();
    let session = Session::open(
        Arc::clone(&fake),
        Arc::clone(&calls),
        CallKey::new(LINE, "flood"),
        settings(),
    );
    let (to_server, mut inbound) = mpsc::unbounded_channel::<Result<Message, Infallible>>();
    let stream = futures_util::stream::poll_fn(move |cx| inbound.poll_recv(cx));
    // A peer that never reads: the first write never completes.
    let sink = Box::pin(futures_util::sink::unfold((), |(), _message: Message| {
        std::future::pending::<Result<(), Disconnected>>()
    }));
    let (_cut, cut_rx) = watch::channel(false);
    let session = tokio::spawn(session.serve(sink, stream, cut_rx));
    for timestamp in 0..(super::writer::OUTBOX_FRAMES as i64 * 3) {
        let ping = json!({"interaction_type": "ping_pong", "timestamp": timestamp});
        if to_server
            .send(Ok(Message::Text(ping.to_string().into())))
            .is_err()
        {
            break;
        }
        tokio::task::yield_now().await;
    }
    let ended = tokio::time::timeout(Duration::from_secs(5), session).await;
    assert!(
        ended.is_ok(),
        "the session drops a peer that stopped reading"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reconnect_from_another_caller_number_forgets_the_caller() {
    let (fake, calls) = fresh();
    let details = |from: &str| {
        json!({"interaction_type": "call_details",
               "call": {"call_id": "taken", "from_number": from}})
    };
    let mut wire = connect(&fake, &calls, "taken");
    wire.greeting().await;
    wire.send(details("+15555550100"));
    wire.ask(1, "hello");
    wire.until_complete(1).await;
    wire.hang_up().await;
    // The same caller reconnecting keeps everything.
    let mut same = connect(&fake, &calls, "taken");
    assert_eq!(same.greeting().await, "");
    same.send(details("+15555550100"));
    same.ask(2, "again");
    same.until_complete(2).await;
    assert_eq!(fake.forgotten.load(Ordering::SeqCst), 0);
    same.hang_up().await;
    // Another number on the call's id does not inherit what the call knew.
    let mut other = connect(&fake, &calls, "taken");
    other.greeting().await;
    other.send(details("+15555550199"));
    other.ask(3, "who am I");
    other.until_complete(3).await;
    assert_eq!(fake.forgotten.load(Ordering::SeqCst), 1);
    other.hang_up().await;
    // Nor does a reconnect that asks for a turn without saying who is calling.
    let mut silent = connect(&fake, &calls, "taken");
    silent.greeting().await;
    silent.ask(4, "who am I");
    silent.until_complete(4).await;
    assert_eq!(fake.forgotten.load(Ordering::SeqCst), 2);
    silent.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn a_call_that_ended_is_never_resumed() {
    let (fake, calls) = fresh();
    let mut wire = connect(&fake, &calls, "over");
    wire.greeting().await;
    wire.ask(1, "bye");
    wire.until_complete(1).await;
    wire.hang_up().await;
    let mut again = connect(&fake, &calls, "over");
    assert_eq!(again.greeting().await, GREETING, "a new call, greeted anew");
    assert_eq!(fake.opened.load(Ordering::SeqCst), 2);
    again.hang_up().await;
}

#[tokio::test(start_paused = true)]
async fn each_connection_says_how_it_ended() {
    let ended = |fake: &Fake| fake.ended.lock().map(|e| e.clone()).unwrap_or_default();
    let (fake, calls) = fresh();
    // Retell's close frame.
    let mut wire = connect(&fake, &calls, "closed");
    wire.greeting().await;
    wire.hang_up().await;
    // Gone without a close frame.
    let mut wire = connect(&fake, &calls, "dropped");
    wire.greeting().await;
    drop(wire.to_server);
    assert!(tokio::time::timeout(PATIENCE, wire.session).await.is_ok());
    // Our agent ended the call; Retell then closed the socket.
    let mut wire = connect(&fake, &calls, "ended");
    wire.greeting().await;
    wire.ask(1, "bye");
    wire.until_complete(1).await;
    wire.hang_up().await;
    // Our drain cut.
    let mut wire = connect(&fake, &calls, "cut");
    wire.greeting().await;
    let _ = wire.cut.send(true);
    assert!(tokio::time::timeout(PATIENCE, wire.session).await.is_ok());
    assert_eq!(
        ended(&fake),
        [
            SocketEnd::Peer,
            SocketEnd::Dropped,
            SocketEnd::Agent,
            SocketEnd::Server
        ]
    );
}
