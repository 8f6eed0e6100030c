//! Built-in TLS (`tls_cert`, `tls_key`): a real `wss://` call and `https://` health check
//! against a self-signed certificate made here, plain HTTP and silent clients turned away
//! without holding the server, and bad certificate settings refused at start, naming the file.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ascendia::Server;
use ascendia::agent::Receptionist;
use ascendia::client::{CallOptions, script};
use common::{TIMEOUT, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A self-signed certificate for 127.0.0.1 and localhost, as `cert.pem` and `key.pem` in `dir`.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("write cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
    (cert, key)
}

async fn tls_app(certs: &Path) -> TestApp {
    let (cert, key) = (certs.join("cert.pem"), certs.join("key.pem"));
    TestApp::spawn_with(
        |s| {
            s.tls_cert = Some(cert);
            s.tls_key = Some(key);
            // Also the handshake's deadline: short, so the silent client below is cut quickly.
            s.header_read_timeout_secs = 1;
        },
        Arc::new(Receptionist),
    )
    .await
}

fn front_desk_script() -> Vec<(usize, script::Step)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scripts/front-desk.script"
    ))
    .expect("example script");
    script::parse(&text).expect("script parses")
}

/// Reads until the server closes, or `None` when it keeps the connection open past `within`.
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    within: Duration,
) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut seen))
        .await
        .ok()
        .map(|_| seen)
}

#[tokio::test]
async fn a_scripted_call_runs_over_wss_and_health_answers_over_https() {
    let certs = tempfile::tempdir().expect("dir");
    let (cert, _) = self_signed(certs.path());
    let app = tls_app(certs.path()).await;

    let options = CallOptions {
        tls: Some(ascendia::client::trusting(&cert).expect("trust the certificate")),
        ..CallOptions::default()
    };
    let url = format!("wss://{}/llm-websocket/demo/tls-call", app.addr);
    let seen = script::run_with(&url, options, &front_desk_script(), TIMEOUT, |_| {})
        .await
        .expect("the front-desk script passes over wss://");
    assert!(seen.turns[0].text.contains("Demo Dental"), "greeting");
    assert!(seen.turns.len() > 2, "turns were answered");

    let pem = std::fs::read(&cert).expect("cert");
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
        .build()
        .expect("client");
    let health = https
        .get(format!("https://{}/health", app.addr))
        .send()
        .await
        .expect("https request");
    assert_eq!(health.status(), 200);
    assert!(health.text().await.expect("body").contains("\"ok\""));

    // Not trusted: the public web's roots do not vouch for a self-signed certificate.
    let untrusted = ascendia::client::CallClient::connect(&url, CallOptions::default()).await;
    assert!(untrusted.is_err(), "an untrusted certificate is refused");
}

#[tokio::test]
async fn plain_http_and_silent_clients_are_dropped_without_holding_the_server() {
    let certs = tempfile::tempdir().expect("dir");
    self_signed(certs.path());
    let app = tls_app(certs.path()).await;

    // Connected first and saying nothing: must not stop the others being served.
    let mut silent = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");

    let mut plain = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    plain
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("write");
    let answer = read_until_closed(&mut plain, TIMEOUT)
        .await
        .expect("plain HTTP is closed, not left hanging");
    assert!(
        !answer.starts_with(b"HTTP/"),
        "no HTTP answer without TLS: {:?}",
        String::from_utf8_lossy(&answer)
    );

    let mut call = ascendia::client::CallClient::connect(
        &format!("wss://{}/llm-websocket/demo/after-plain", app.addr),
        CallOptions {
            tls: Some(ascendia::client::trusting(&certs.path().join("cert.pem")).expect("trust")),
            ..CallOptions::default()
        },
    )
    .await
    .expect("still serving");
    assert!(
        call.greeting(TIMEOUT)
            .await
            .expect("greeting")
            .text
            .contains("Demo Dental")
    );
    call.hang_up().await;

    // The handshake deadline (header_read_timeout_secs = 1) frees the silent client's socket.
    assert!(
        read_until_closed(&mut silent, Duration::from_secs(5))
            .await
            .is_some(),
        "a client that never starts the handshake is closed"
    );
}

#[tokio::test]
async fn ascendia_call_trusts_a_ca_cert_given_with_its_flag() {
    let certs = tempfile::tempdir().expect("dir");
    let (cert, _) = self_signed(certs.path());
    let app = tls_app(certs.path()).await;
    let url = format!("wss://{}/llm-websocket/demo", app.addr);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/scripts/front-desk.script"
    );
    let call = |extra: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ascendia"));
        command
            .args(["call", &url, "--script", script])
            .args(extra)
            .current_dir(app.dir.path())
            .env_remove("ASCENDIA_CONFIG")
            .kill_on_drop(true);
        command.output()
    };
    let trusted = call(&["--ca-cert", &cert.display().to_string()])
        .await
        .expect("runs");
    let out = String::from_utf8_lossy(&trusted.stdout);
    assert!(
        trusted.status.success() && out.contains("script passed"),
        "{out}{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    let untrusted = call(&[]).await.expect("runs");
    assert!(!untrusted.status.success());
    assert!(
        String::from_utf8_lossy(&untrusted.stderr).contains("could not connect"),
        "{}",
        String::from_utf8_lossy(&untrusted.stderr)
    );
}

/// The start's error message for these TLS settings, or `None` when the server started.
async fn start_error(dir: &Path, cert: Option<PathBuf>, key: Option<PathBuf>) -> Option<String> {
    let settings = ascendia::config::Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: format!("sqlite://{}", dir.join("ascendia.db").display()),
        tls_cert: cert,
        tls_key: key,
        ..Default::default()
    };
    Server::build(&settings, Arc::new(Receptionist))
        .await
        .err()
        .map(|e| e.to_string())
}

#[tokio::test]
async fn bad_certificate_settings_are_clear_startup_errors() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = self_signed(dir.path());
    let other = tempfile::tempdir().expect("dir");
    let (_, other_key) = self_signed(other.path());
    let missing = dir.path().join("missing.pem");
    let d = dir.path();

    let cases = [
        (
            Some(cert.clone()),
            None,
            "tls_cert is set but tls_key is not".to_owned(),
        ),
        (
            None,
            Some(key.clone()),
            "tls_key is set but tls_cert is not".to_owned(),
        ),
        (
            Some(missing.clone()),
            Some(key.clone()),
            format!("cannot read tls_cert {}", missing.display()),
        ),
        (
            Some(cert.clone()),
            Some(missing.clone()),
            format!("cannot read tls_key {}", missing.display()),
        ),
        (
            Some(key.clone()),
            Some(cert.clone()),
            format!("tls_cert {} holds no PEM certificate", key.display()),
        ),
        (
            Some(cert.clone()),
            Some(cert.clone()),
            format!("tls_key {} holds no PEM private key", cert.display()),
        ),
        (
            Some(cert.clone()),
            Some(other_key.clone()),
            format!("tls_key {} does not go with", other_key.display()),
        ),
    ];
    for (cert, key, expected) in cases {
        let error = start_error(d, cert, key).await;
        assert!(
            error.as_deref().is_some_and(|e| e.contains(&expected)),
            "expected {expected:?}, got {error:?}"
        );
    }

    // As an operator sees it: `serve` exits non-zero with the message, before opening anything.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ascendia"))
        .arg("serve")
        .current_dir(d)
        .env_remove("ASCENDIA_CONFIG")
        .env_remove("ASCENDIA_DATABASE_URL")
        .env("ASCENDIA_LISTEN", "127.0.0.1:0")
        .env("ASCENDIA_TLS_CERT", &cert)
        .env_remove("ASCENDIA_TLS_KEY")
        .kill_on_drop(true)
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("tls_cert is set but tls_key is not"),
        "{stderr}"
    );
    assert!(
        !d.join("ascendia.db").exists(),
        "failed before the database"
    );
}
