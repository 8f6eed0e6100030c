//! Starting the server: open the store, load the clinic registry, bind, and serve until shutdown.

mod listen;
mod metrics;
mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::agent::Agent;
use crate::calls::CallLog;
use crate::clinics::OrgRegistry;
use crate::config::{ConfigError, Settings};
use crate::http::{AppState, WsLimits, app};
use crate::retell::session::SessionSettings;
use crate::store::{Store, StoreError};
use crate::voice::{VoiceApp, VoiceCalls};

pub use tls::TlsError;

/// WebSocket read/write buffer size: small, because most of a call's life is idle.
pub const WS_BUFFER_BYTES: usize = 4 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Server {
    listener: TcpListener,
    store: Store,
    state: AppState,
    drain_time: std::time::Duration,
    header_read_timeout: std::time::Duration,
    tls: Option<tokio_rustls::TlsAcceptor>,
    metrics: Option<metrics::MetricsListener>,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn build(settings: &Settings, agent: Arc<dyn Agent>) -> Result<Self, StartupError> {
        settings.validate()?;
        // Before the database: a bad certificate should fail the start at once, naming the file.
        let tls = match settings.tls_files()? {
            Some((cert, key)) => {
                let acceptor = tls::acceptor(cert, key)?;
                tracing::info!(cert = %cert.display(), "TLS on: serving https:// and wss://");
                Some(acceptor)
            }
            None => None,
        };
        let store = crate::booking::open_store(
            &settings.database_url,
            settings.admin_database_url.as_deref(),
        )
        .await?;
        let registry = OrgRegistry::load(
            store.clone(),
            settings.slug_aliases()?,
            settings.unknown_slug,
        )
        .await?;
        match registry.default_org() {
            Some((org, true)) => {
                tracing::info!(org_id = %org.id, "default org: '{}' ({})", org.slug, org.name)
            }
            Some((org, false)) => tracing::info!(
                org_id = %org.id,
                "default org: '{}' ({}), the oldest clinic; set one with `ascendia org set-default SLUG`",
                org.slug,
                org.name
            ),
            None => tracing::warn!("no clinics: every call will hear that the line is not set up"),
        }
        if settings.agent == crate::booking::AgentKind::Llm && settings.llm_api_key.is_none() {
            tracing::warn!(
                "agent = \"llm\" but ASCENDIA_LLM_API_KEY is not set: unless the model server needs no key (or a clinic names its own with llm_api_key_env), callers will hear an apology"
            );
        }
        let calls = Arc::new(VoiceCalls::new(settings.reconnect_window()));
        let scheduler = crate::booking::Scheduler::new(store.clone());
        let call_log = CallLog::new(store.clone());
        let background = vec![
            registry.spawn_refresher(settings.registry_refresh()),
            registry.spawn_listener(),
            calls.spawn_evictor(),
            crate::retention::spawn(
                scheduler.clone(),
                call_log.clone(),
                Arc::clone(&registry),
                std::time::Duration::from_secs(settings.retention_interval_secs.max(1)),
            ),
        ];
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.listen,
                    source,
                })?;
        let metrics = match settings.metrics_listen {
            Some(addr) => Some(
                metrics::MetricsListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::Bind { addr, source })?,
            ),
            None => None,
        };
        let webhooks = crate::http::WebhookKeys {
            server_key: settings.retell_api_key.clone(),
            org_keys: settings
                .retell_org_keys
                .iter()
                .map(|(slug, key)| (slug.clone(), key.clone()))
                .collect(),
            unattributed: settings.unattributed_webhooks,
            ..Default::default()
        };
        if webhooks.server_key.is_none() && webhooks.org_keys.is_empty() {
            tracing::warn!(
                "no Retell webhook key is configured: every webhook will be refused until ASCENDIA_RETELL_API_KEY (or [retell_org_keys]) is set"
            );
        }
        let voice = VoiceApp::new(
            Arc::clone(&registry),
            agent,
            scheduler.clone(),
            call_log.clone(),
            Arc::clone(&calls),
            SessionSettings {
                response_timeout: settings.response_timeout(),
                idle_timeout: settings.ws_idle(),
            },
        );
        let staff = crate::staff::StaffAccounts::new(store.clone());
        let console = crate::http::ConsoleSettings {
            secure_cookies: settings
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://") || url.starts_with("wss://")),
            public_url: settings
                .public_url
                .clone()
                .filter(|url| !url.trim().is_empty()),
        };
        let state = AppState {
            store: store.clone(),
            staff,
            console,
            webhooks: std::sync::Arc::new(webhooks),
            drain: crate::retell::drain::Drain::new(),
            scheduler,
            call_log,
            registry,
            calls,
            voice,
            ws: WsLimits {
                buffer_bytes: WS_BUFFER_BYTES,
                max_message_bytes: settings.max_message_bytes,
            },
        };
        Ok(Self {
            listener,
            store,
            drain_time: std::time::Duration::from_secs(settings.drain_secs),
            header_read_timeout: settings.header_read_timeout(),
            tls,
            metrics,
            state,
            background,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where `/metrics` is served, when `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|m| m.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The database the server was built on, for the operator's tools and for tests that
    /// inspect what a call left behind; the running server reaches it only through its
    /// services.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` resolves.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let addr = self.local_addr()?;
        tracing::info!(
            %addr,
            tls = self.tls.is_some(),
            agent = self.state.voice.agent_name(),
            "ascendia listening"
        );
        listen::raise_file_limit();
        let metrics = self.metrics.map(|listener| {
            listener.spawn(self.store.clone(), std::sync::Arc::clone(&self.state.drain))
        });
        let drain = std::sync::Arc::clone(&self.state.drain);
        let draining = std::sync::Arc::clone(&drain);
        let shutdown = async move {
            shutdown.await;
            draining.begin();
        };
        // Stops accepting at `shutdown`; upgraded calls are not awaited here but below.
        listen::serve(
            self.listener,
            app(self.state),
            self.header_read_timeout,
            self.tls,
            shutdown,
        )
        .await;
        let live = drain.active();
        if live > 0 {
            tracing::info!(
                calls = live,
                drain_secs = self.drain_time.as_secs(),
                "no longer taking calls; letting calls in progress finish"
            );
            if !drain.wait_idle(self.drain_time).await {
                tracing::warn!(
                    calls = drain.active(),
                    "drain time over: dropping the remaining calls' connections for Retell to reconnect elsewhere"
                );
                drain.cut();
                drain.wait_idle(std::time::Duration::from_secs(2)).await;
            }
        }
        for task in self.background.into_iter().chain(metrics) {
            task.abort();
        }
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
