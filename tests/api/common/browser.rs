//! Headless Chromium over WebDriver for the console's browser tests (`tests/api/browser.rs`).
//!
//! Each `Browser` starts its own chromedriver on a free port (a child process in its own process
//! group, killed with everything it started when the `Browser` is dropped) and one Chromium
//! session with a new, empty profile. Chromium runs with the flags this closed network needs:
//! without the background-networking ones its connections are refused.
//!
//! Where the tools are found: `TEST_CHROMEDRIVER` and `TEST_CHROMIUM` (paths), else
//! `chromedriver` and `chromium` on PATH. (Not `ASCENDIA_*`: the server's configuration reads
//! that prefix and refuses names it does not know.) Without them the tests say so and pass,
//! unless they must run: in CI (`CI=true`) or when `TEST_CHROMEDRIVER` is set, a missing
//! browser fails the test.
//!
//! Every page a test looks at is saved as a PNG under
//! `$CARGO_TARGET_DIR/console-screenshots/<test>/` (`target/` when that is not set).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

use super::TestApp;

const NEED: &str =
    "browser tests need chromium and chromium-driver (apt-get install chromium chromium-driver)";

/// How long a page may take to show what a test waits for (generous: CI machines are loaded).
pub const WAIT: Duration = Duration::from_secs(10);

const ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-default-browser-check",
    "--password-store=basic",
    "--lang=en-US",
    "--window-size=1280,900",
];

/// Must the browser tests run here (CI), or may they be skipped?
fn required() -> bool {
    let ci = std::env::var("CI").unwrap_or_default();
    matches!(ci.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
        || std::env::var_os("TEST_CHROMEDRIVER").is_some_and(|v| !v.is_empty())
}

/// `var` when set, else the first of `names` on PATH.
fn locate(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn screenshot_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let target = if target.is_relative() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(target)
    } else {
        target
    };
    target.join("console-screenshots")
}

/// chromedriver, in a process group of its own so that the browsers it started go with it.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    async fn start(chromedriver: &Path, work: &Path) -> Result<Self, String> {
        let log = work.join("chromedriver.log");
        let mut last = String::new();
        // A free port is picked, released and handed over: another process may take it in
        // between, so a driver that cannot listen is retried on another one.
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free port: {e}"))?
                .port();
            let child = Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .map_err(|e| format!("{} does not start: {e}", chromedriver.display()))?;
            let mut driver = Driver {
                child,
                port,
                log: log.clone(),
            };
            match driver.ready().await {
                Ok(()) => return Ok(driver),
                Err(err) => last = err,
            }
        }
        Err(last)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits for `GET /status` to say ready.
    async fn ready(&mut self) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "chromedriver exited ({status}): {}",
                    self.log_tail()
                ));
            }
            if let Ok(response) = client.get(format!("{}/status", self.url())).send().await
                && let Ok(body) = response.text().await
                && serde_json::from_str::<Value>(&body)
                    .is_ok_and(|status| status["value"]["ready"] == json!(true))
            {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!(
                    "chromedriver not ready in 20 s: {}",
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("pending navigations"))
            .collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started, had the
        // session not been closed (a failed test).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Chromium session against one test server.
pub struct Browser {
    client: Option<Client>,
    base: String,
    shots: PathBuf,
    taken: usize,
    // Dropped in this order: the driver (and its browsers), then their profile.
    driver: Driver,
    _work: TempDir,
}

impl Browser {
    /// A browser for `test` against `app`; None (having said so) when this machine has no
    /// Chromium and the tests may be skipped. In CI a missing browser fails the test.
    pub async fn open(app: &TestApp, test: &str) -> Option<Self> {
        let chromedriver = locate("TEST_CHROMEDRIVER", &["chromedriver"]);
        let chromium = locate("TEST_CHROMIUM", &["chromium", "chromium-browser"]);
        let (chromedriver, chromium) = match (chromedriver, chromium) {
            (Some(d), Some(c)) if d.is_file() && c.is_file() => (d, c),
            (driver, browser) => {
                if required() {
                    panic!(
                        "{NEED}, and here they must run (CI=true or TEST_CHROMEDRIVER \
                         set): chromedriver is {driver:?}, chromium {browser:?}"
                    );
                }
                say_skipped();
                return None;
            }
        };
        match Self::start(app, test, &chromedriver, &chromium).await {
            Ok(browser) => Some(browser),
            Err(err) => panic!("the browser did not start: {err}"),
        }
    }

    async fn start(
        app: &TestApp,
        test: &str,
        chromedriver: &Path,
        chromium: &Path,
    ) -> Result<Self, String> {
        let work = tempfile::Builder::new()
            .prefix("ascendia-chromium-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let profile = work.path().join("profile");
        std::fs::create_dir(&profile).map_err(|e| e.to_string())?;
        let driver = Driver::start(chromedriver, work.path()).await?;

        let mut args: Vec<String> = ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            // Kept for `console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        let connecting = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await;
        let client = match connecting {
            Ok(client) => client,
            Err(err) => {
                return Err(format!(
                    "no session: {err}\n--- chromedriver log ---\n{}",
                    driver.log_tail()
                ));
            }
        };
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO),
            ))
            .await
            .map_err(|e| e.to_string())?;

        let shots = screenshot_root().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).map_err(|e| format!("{}: {e}", shots.display()))?;
        Ok(Self {
            client: Some(client),
            base: app.http(""),
            shots,
            taken: 0,
            driver,
            _work: work,
        })
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        }
    }

    /// Opens `path` of the test server (the browser follows redirects) and saves a screenshot.
    pub async fn visit(&mut self, path: &str, shot: &str) {
        let url = format!("{}{path}", self.base);
        if let Err(err) = self.client().goto(&url).await {
            panic!("{}", self.report(&format!("opening {url}: {err}")).await);
        }
        self.shot(shot).await;
    }

    /// Saves what the browser shows as `NN-label.png`.
    pub async fn shot(&mut self, label: &str) {
        if let Err(err) = self.try_shot(label).await {
            panic!("screenshot {label}: {err}");
        }
    }

    async fn try_shot(&mut self, label: &str) -> Result<(), String> {
        self.taken += 1;
        let file = self.shots.join(format!("{:02}-{label}.png", self.taken));
        let png = self
            .client()
            .screenshot()
            .await
            .map_err(|e| e.to_string())?;
        std::fs::write(&file, png).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        match self.client().current_url().await {
            Ok(url) => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            },
            Err(err) => format!("(no url: {err})"),
        }
    }

    pub async fn title(&self) -> String {
        self.client().title().await.unwrap_or_default()
    }

    /// The rendered text of the first element matching `css`, or "" when there is none.
    pub async fn text(&self, css: &str) -> String {
        match self.client().find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The rendered text of every element matching `css`, in order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self
            .client()
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// The page's HTML as the browser has it now.
    pub async fn source(&self) -> String {
        self.client().source().await.unwrap_or_default()
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client().find(Locator::Css(css)).await.is_ok()
    }

    /// Runs `script` in the page; its return value.
    pub async fn run(&self, script: &str) -> Value {
        match self.client().execute(script, Vec::new()).await {
            Ok(value) => value,
            Err(err) => panic!("script {script:?}: {err}"),
        }
    }

    /// Waits for an element matching `css` (up to `WAIT`).
    pub async fn find(&mut self, css: &str) -> fantoccini::elements::Element {
        let found = self
            .client()
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(100))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(err) => panic!("{}", self.report(&format!("no {css}: {err}")).await),
        }
    }

    /// Types `text` into the field matching `css` (emptied first), as a person would.
    pub async fn type_into(&mut self, css: &str, text: &str) {
        let field = self.find(css).await;
        if let Err(err) = field.clear().await {
            panic!("{}", self.report(&format!("clearing {css}: {err}")).await);
        }
        if let Err(err) = field.send_keys(text).await {
            panic!(
                "{}",
                self.report(&format!("typing into {css}: {err}")).await
            );
        }
    }

    pub async fn click(&mut self, css: &str) {
        let element = self.find(css).await;
        if let Err(err) = element.click().await {
            panic!("{}", self.report(&format!("clicking {css}: {err}")).await);
        }
    }

    /// Waits (up to `within`) until the page's path is `path`.
    pub async fn wait_for_path(&mut self, path: &str, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "{}",
                    self.report(&format!("expected to be at {path}, still at {now}"))
                        .await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to `within`) until the page's path is no longer `path`.
    pub async fn wait_for_path_change(&mut self, path: &str, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.path().await == path {
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "{}",
                    self.report(&format!("still at {path} after {within:?}"))
                        .await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to `within`) until the text of `css` contains `needle`, without touching the
    /// page: what a person would see appear.
    pub async fn wait_for_text(&mut self, css: &str, needle: &str, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "{}",
                    self.report(&format!(
                        "{needle:?} did not appear in {css} within {within:?}; it shows:\n{text}"
                    ))
                    .await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the page's scripts logged as errors (uncaught exceptions, failed loads) since the
    /// last call, from Chromium's console log as chromedriver keeps it.
    pub async fn console_errors(&self) -> Vec<String> {
        let Ok(Some(session)) = self.client().session_id().await else {
            return vec!["(no session id)".into()];
        };
        let url = format!("{}/session/{session}/se/log", self.driver.url());
        let entries: Value = match reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(json!({"type": "browser"}).to_string())
            .send()
            .await
        {
            Ok(response) => serde_json::from_str(&response.text().await.unwrap_or_default())
                .unwrap_or(Value::Null),
            Err(err) => return vec![format!("(no log: {err})")],
        };
        entries["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == json!("SEVERE"))
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("(unexpected log answer: {entries})")])
    }

    /// Saves the page as it is; `message` with where to look, for a failing test's panic.
    pub async fn report(&mut self, message: &str) -> String {
        let path = self.path().await;
        if let Err(err) = self.try_shot("failure").await {
            return format!("{message}\n(page: {path}; no screenshot: {err})");
        }
        format!(
            "{message}\n(page: {path}; screenshots in {})\n--- chromedriver log (tail) ---\n{}",
            self.shots.display(),
            self.driver.log_tail()
        )
    }
}

/// The skip notice, once per test process, straight to stderr so that it shows without
/// `--nocapture` too.
fn say_skipped() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "skipped: {NEED}");
    });
}
