#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::{Agent, AgentError, Ending, FrontDeskAgent, Reply, Turn};
use ascendia::client::{CallClient, CallOptions};
use ascendia::config::Settings;
use ascendia::store::Store;
use ascendia::tenancy::{NewOrganization, Organization, Slug, TimeZone};
use ascendia::{AppState, Server};
use futures_util::future::BoxFuture;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A real server on a random port with its own SQLite file.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub store: Store,
    pub state: AppState,
    pub settings: Settings,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}, Arc::new(FrontDeskAgent)).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings), agent: Arc<dyn Agent>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = test_settings(&dir);
        configure(&mut settings);
        Self::start(settings, agent, dir).await
    }

    /// A server with exactly these settings, owning `dir`.
    pub async fn start(settings: Settings, agent: Arc<dyn Agent>, dir: TempDir) -> Self {
        let server = Server::build(&settings, agent)
            .await
            .expect("server starts");
        let addr = server.local_addr().expect("bound");
        let state = server.state().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(server.run_until(async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            store: state.store.clone(),
            state,
            settings,
            dir,
            shutdown: Some(tx),
        }
    }

    pub fn ws(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn call(&self, path: &str) -> CallClient {
        CallClient::connect(&self.ws(path), CallOptions::default())
            .await
            .expect("connects")
    }

    pub async fn add_org(&self, name: &str, slug: &str, zone: &str) -> Organization {
        let new = NewOrganization::new(
            name,
            Slug::parse(slug).expect("slug"),
            TimeZone::parse(zone).expect("zone"),
        )
        .expect("valid org");
        let org = self.store.create_org(new).await.expect("org created");
        self.state
            .registry
            .refresh()
            .await
            .expect("registry refresh");
        org
    }

    pub async fn org(&self, slug: &str) -> Organization {
        self.store.require_org(slug).await.expect("org exists")
    }

    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Settings for a server on a random port with a database file in `dir`.
pub fn test_settings(dir: &TempDir) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: format!("sqlite://{}", dir.path().join("ascendia.db").display()),
        ..Settings::default()
    }
}

/// Polls `check` until it returns true or `within` passes.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Streams `chunks` words, one every `every`.
pub struct SlowStreamingAgent {
    pub chunks: usize,
    pub every: Duration,
}

impl Agent for SlowStreamingAgent {
    fn name(&self) -> &'static str {
        "slow-streaming"
    }

    fn respond<'a>(
        &'a self,
        turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            let _ = turn;
            for i in 0..self.chunks {
                reply.say(&format!("w{i} "))?;
                tokio::time::sleep(self.every).await;
            }
            Ok(Ending::Continue)
        })
    }
}

/// Thinks for `delay`, then answers "done".
pub struct SlowAgent {
    pub delay: Duration,
}

impl Agent for SlowAgent {
    fn name(&self) -> &'static str {
        "slow"
    }

    fn respond<'a>(
        &'a self,
        _turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            reply.say("done")?;
            Ok(Ending::Continue)
        })
    }
}

#[derive(Clone, Copy)]
pub enum Failure {
    Error,
    ErrorAfterSpeaking,
    Panic,
    Hang,
}

pub struct FailingAgent(pub Failure);

impl Agent for FailingAgent {
    fn name(&self) -> &'static str {
        "failing"
    }

    fn respond<'a>(
        &'a self,
        _turn: Turn,
        reply: &'a mut Reply,
    ) -> BoxFuture<'a, Result<Ending, AgentError>> {
        let failure = self.0;
        Box::pin(async move {
            match failure {
                Failure::Error => Err(AgentError::Failed("upstream unavailable".into())),
                Failure::ErrorAfterSpeaking => {
                    reply.say("Let me check. ")?;
                    Err(AgentError::Failed("upstream broke mid-stream".into()))
                }
                Failure::Panic => panic!("agent bug"),
                Failure::Hang => std::future::pending().await,
            }
        })
    }
}

/// A plain HTTP/1.1 GET without a client library: (status, body).
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
