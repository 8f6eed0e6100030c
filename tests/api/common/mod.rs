#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use ascendia::agent::{Agent, AgentError, Ending, Receptionist, Reply, Turn};
use ascendia::client::{CallClient, CallOptions};
use ascendia::config::Settings;
use ascendia::store::Store;
use ascendia::tenancy::{NewOrganization, Organization, Slug, TimeZone};
use ascendia::{AppState, Server};
use futures_util::future::BoxFuture;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const TIMEOUT: Duration = Duration::from_secs(10);

pub mod browser;
pub mod console;
pub mod demo;
pub mod fake_llm;
pub mod forms;
pub mod pg;

/// A real server on a random port with its own SQLite file.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    /// Where `/metrics` is served, when the settings turn it on.
    pub metrics_addr: Option<std::net::SocketAddr>,
    pub store: Store,
    pub state: AppState,
    pub settings: Settings,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    /// The PostgreSQL database this server owns, dropped with it.
    database: Option<pg::TestDatabase>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}, Arc::new(Receptionist)).await
    }

    /// A server on SQLite, or on a fresh PostgreSQL database when ASCENDIA_TEST_DATABASE is
    /// `postgres` (CI's second pass).
    pub async fn spawn_with(configure: impl FnOnce(&mut Settings), agent: Arc<dyn Agent>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = test_settings(&dir);
        let database = if pg::selected() {
            let database = pg::TestDatabase::create().await;
            settings.database_url = database.runtime_url.clone();
            settings.admin_database_url = Some(database.owner_url.clone());
            Some(database)
        } else {
            None
        };
        configure(&mut settings);
        let mut app = Self::start(settings, agent, dir).await;
        app.database = database;
        app
    }

    /// A server with exactly these settings, owning `dir`.
    pub async fn start(settings: Settings, agent: Arc<dyn Agent>, dir: TempDir) -> Self {
        let server = Server::build(&settings, agent)
            .await
            .expect("server starts");
        let addr = server.local_addr().expect("bound");
        let metrics_addr = server.metrics_addr();
        let state = server.state().clone();
        let store = server.store().clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(server.run_until(async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            metrics_addr,
            store,
            state,
            settings,
            dir,
            shutdown: Some(tx),
            database: None,
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
    http_raw(addr, "GET", path, &[], None).await
}

/// A minimal HTTP/1.1 request: (status, JSON body or Null).
pub async fn http_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let (status, body) = http_raw(addr, method, path, headers, body).await;
    let json = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// One request over a fresh connection: (status, body as text).
async fn http_raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        request.push_str("Content-Length: 0\r\n\r\n");
    }
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

/// A Booking API client for one clinic's key.
#[derive(Clone)]
pub struct Api {
    pub addr: std::net::SocketAddr,
    pub key: String,
}

impl Api {
    fn auth(&self) -> String {
        format!("Bearer {}", self.key)
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let auth = self.auth();
        http_request(
            self.addr,
            "GET",
            &format!("/api/booking{path}"),
            &[("Authorization", &auth)],
            None,
        )
        .await
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let auth = self.auth();
        http_request(
            self.addr,
            "POST",
            &format!("/api/booking{path}"),
            &[("Authorization", &auth)],
            Some(&body.to_string()),
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> (u16, serde_json::Value) {
        let auth = self.auth();
        http_request(
            self.addr,
            "POST",
            &format!("/api/booking{path}"),
            &[("Authorization", &auth)],
            Some(body),
        )
        .await
    }

    /// The id of the named item in a listing (`/providers`, `/appointment-types`, ...).
    pub async fn id_of(&self, listing: &str, name: &str) -> String {
        let (status, body) = self.get(listing).await;
        assert_eq!(status, 200, "{listing}: {body}");
        body["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["name"] == name))
            .and_then(|i| i["id"].as_str())
            .unwrap_or_else(|| panic!("{name} in {listing}: {body}"))
            .to_owned()
    }
}

impl TestApp {
    /// A new Booking API key for the clinic.
    pub async fn api(&self, slug: &str) -> Api {
        let org = self.org(slug).await;
        let key = ascendia::tenancy::NewApiKey::generate(Some("test".into()));
        self.store
            .insert_api_key(org.id, &key)
            .await
            .expect("key stored");
        Api {
            addr: self.addr,
            key: key.secret,
        }
    }

    /// Creates (if needed) and sets up a clinic from a clinic file's text.
    pub async fn import_clinic(&self, slug: &str, toml: &str) -> Organization {
        use ascendia::booking::setup::{self, ClinicFile};
        let file = ClinicFile::parse(toml).expect("clinic file parses");
        let org = match self
            .store
            .org_by_slug(&Slug::parse(slug).expect("slug"))
            .await
            .expect("lookup")
        {
            Some(org) => org,
            None => self.add_org(&file.name, slug, &file.time_zone).await,
        };
        setup::import(&self.store, &org, &file)
            .await
            .expect("clinic imported");
        self.state.registry.refresh().await.expect("refresh");
        self.org(slug).await
    }
}

/// The repository's demo clinic file.
pub const DEMO_CLINIC: &str = ascendia::booking::setup::DEMO_CLINIC;

/// A clinic-local date at least `min_days` ahead that falls on `weekday`, as YYYY-MM-DD.
pub fn next_weekday(zone: &str, weekday: chrono::Weekday, min_days: i64) -> String {
    use chrono::Datelike;
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    let mut date =
        chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(min_days);
    while date.weekday() != weekday {
        date += chrono::Duration::days(1);
    }
    date.format("%Y-%m-%d").to_string()
}
