//! Logging, and Prometheus metrics ([`metrics`]). The log filter comes from `ASCENDIA_LOG`
//! (or `RUST_LOG`), default `info`.
//! Transcript text and caller data are never logged at info level.

pub mod metrics;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = std::env::var("ASCENDIA_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    // A second init (e.g. from another test) keeps the first subscriber.
    let _ = result;
}
