//! The accept loop. axum's `serve` sets no header-read timeout, so a client that opens a
//! connection and sends nothing would hold a file descriptor forever (a thousand such
//! connections exhausted the limit and blocked new calls). Here hyper runs with a timer and a
//! header-read timeout, `TCP_NODELAY` is set for voice, and running out of descriptors slows
//! the loop down instead of spinning. With built-in TLS each connection's handshake must also
//! finish within the header-read timeout.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

/// How long, after `shutdown`, open HTTP connections get to finish their request.
const HTTP_GRACE: Duration = Duration::from_secs(5);

/// Serves `router` until `shutdown` resolves, then stops accepting and lets requests in
/// flight finish. Upgraded WebSockets are no longer HTTP connections: the caller drains them.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    // `stop` tells connections to finish their request and close; `open` counts them.
    let (stop, stopping) = tokio::sync::watch::channel(());
    let (open, opened) = tokio::sync::watch::channel(());
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                accept_failed(&err).await;
                continue;
            }
        };
        // Voice is latency-bound: never hold a small frame back waiting for an ACK.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        // Handlers that need the peer (sign-in throttling) read it as axum's `ConnectInfo`.
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            let mut router = router.clone();
            async move { router.call(request).await }
        });
        let (http, tls) = (http.clone(), tls.clone());
        let (mut stopping, opened) = (stopping.clone(), opened.clone());
        // The handshake runs here, not in the loop: one slow client must not hold up the rest.
        tokio::spawn(async move {
            let ended = match tls {
                None => {
                    let connection = http.serve_connection(TokioIo::new(tcp), service);
                    finish(connection.with_upgrades(), &mut stopping).await
                }
                Some(tls) => {
                    // A client that connects and never completes the handshake (or speaks
                    // plain HTTP) is dropped like one that never sends its headers.
                    let handshake = tokio::select! {
                        handshake = tokio::time::timeout(header_read_timeout, tls.accept(tcp)) => handshake,
                        _ = stopping.changed() => return,
                    };
                    match handshake {
                        Ok(Ok(stream)) => {
                            let connection = http.serve_connection(TokioIo::new(stream), service);
                            finish(connection.with_upgrades(), &mut stopping).await
                        }
                        Ok(Err(err)) => {
                            tracing::debug!(%peer, error = %err, "TLS handshake failed");
                            Ok(())
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            Ok(())
                        }
                    }
                }
            };
            if let Err(err) = ended {
                tracing::debug!(error = %err, "HTTP connection ended with an error");
            }
            drop(opened);
        });
    }
    drop(listener);
    drop(opened);
    let _ = stop.send(());
    if tokio::time::timeout(HTTP_GRACE, open.closed())
        .await
        .is_err()
    {
        tracing::debug!("HTTP connections still open after the grace time; leaving them");
    }
}

/// Drives one HTTP connection; at `stopping`, lets its request in flight finish and closes it.
async fn finish<I, S>(
    connection: hyper::server::conn::http1::UpgradeableConnection<I, S>,
    stopping: &mut tokio::sync::watch::Receiver<()>,
) -> hyper::Result<()>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => ended,
        _ = stopping.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
}

/// Out of file descriptors (or another transient accept error): say so, and wait a moment for
/// connections to close rather than retrying in a tight loop.
async fn accept_failed(err: &std::io::Error) {
    let out_of_descriptors = matches!(err.raw_os_error(), Some(23 | 24));
    if out_of_descriptors {
        tracing::error!(error = %err, "cannot accept connections: out of file descriptors (raise `ulimit -n`)");
    } else {
        tracing::warn!(error = %err, "accepting a connection failed");
    }
    tokio::time::sleep(Duration::from_millis(if out_of_descriptors {
        100
    } else {
        10
    }))
    .await;
}

/// Raises the soft limit on open files to the hard limit, and logs both: each call holds a
/// socket, and distributions' soft default (1,024) is far below what one server can serve.
pub fn raise_file_limit() {
    match rlimit::getrlimit(rlimit::Resource::NOFILE) {
        Ok((soft, hard)) => match rlimit::increase_nofile_limit(hard) {
            Ok(now) => tracing::info!(soft_before = soft, soft = now, hard, "open-file limit"),
            Err(err) => {
                tracing::warn!(soft, hard, error = %err, "could not raise the open-file limit")
            }
        },
        Err(err) => tracing::warn!(error = %err, "could not read the open-file limit"),
    }
}
