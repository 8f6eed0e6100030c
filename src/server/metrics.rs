//! The metrics listener: `GET /metrics` in the Prometheus text format, on its own address
//! (`metrics_listen`), never on the main port, which faces the internet.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::retell::drain::Drain;
use crate::store::Store;
use crate::telemetry::metrics;

pub struct MetricsListener {
    listener: TcpListener,
    handle: PrometheusHandle,
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    store: Store,
    drain: Arc<Drain>,
}

impl MetricsListener {
    /// Binds the address and installs the process's recorder (once per process).
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            handle: metrics::install(),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn spawn(self, store: Store, drain: Arc<Drain>) -> tokio::task::JoinHandle<()> {
        if let Ok(addr) = self.listener.local_addr() {
            tracing::info!(%addr, "metrics listening (GET /metrics)");
        }
        let app = Router::new()
            .route("/metrics", get(scrape))
            .with_state(Scrape {
                handle: self.handle,
                store,
                drain,
            });
        tokio::spawn(async move {
            if let Err(err) = axum::serve(self.listener, app).await {
                tracing::warn!(error = %err, "the metrics listener stopped");
            }
        })
    }
}

async fn scrape(State(scrape): State<Scrape>) -> impl IntoResponse {
    let (in_use, idle, max) = scrape.store.pool_stats();
    metrics::sample(
        in_use,
        idle,
        max,
        scrape.drain.is_draining(),
        scrape.drain.active(),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        scrape.handle.render(),
    )
}
