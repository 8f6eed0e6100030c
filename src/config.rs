//! Settings: defaults, then `ascendia.toml` (optional), then `ASCENDIA_*` environment variables.
//! `ORG_SLUG_MAP` (JSON, slug -> org id) is read for compatibility with the original system.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::booking::AgentKind;
use crate::tenancy::{OrgId, Slug, UnknownSlugPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnattributedPolicy {
    #[default]
    Store,
    Drop,
}

/// A secret from configuration: usable, never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the server listens on.
    pub listen: SocketAddr,
    /// Where Prometheus metrics are served (`GET /metrics`); off unless set. Keep it off the
    /// internet: the main port never serves them.
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain and private key: when both are set the listener serves HTTPS and
    /// `wss://` itself, for one machine without a proxy in front.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub database_url: String,
    /// PostgreSQL only: the role that owns the schema, used to migrate at start.
    pub admin_database_url: Option<String>,
    pub log_format: LogFormat,
    pub unknown_slug: UnknownSlugPolicy,
    /// Base URL clinics' Retell agents reach this server at, e.g. `wss://voice.example.com`.
    pub public_url: Option<String>,
    pub response_timeout_ms: u64,
    pub registry_refresh_ms: u64,
    /// How long after its connection drops a call may be resumed by a reconnect; after that,
    /// or once the call ended, a connection with its id starts afresh.
    pub reconnect_window_secs: u64,
    /// A call's WebSocket with no frame at all (not even a ping) for this long is closed.
    pub ws_idle_secs: u64,
    /// A connection must send a request's headers within this long.
    pub header_read_timeout_secs: u64,
    /// Largest inbound WebSocket message; Retell's frames carry the whole transcript.
    pub max_message_bytes: usize,
    /// On SIGTERM, how long calls in progress may go on before the server exits.
    pub drain_secs: u64,
    /// The agent for clinics that do not choose one: `builtin` or `llm`.
    pub agent: AgentKind,
    /// OpenAI-compatible server for the LLM agent (OpenAI, Azure, Groq, vLLM, Ollama, ...).
    pub llm_base_url: String,
    pub llm_api_key: Option<Secret>,
    pub llm_model: String,
    /// Tried when the model gives no first token within `llm_first_token_ms`.
    pub llm_fallback_model: Option<String>,
    pub llm_first_token_ms: u64,
    /// Retell API key that signs webhooks (the one with the "webhook" badge).
    pub retell_api_key: Option<Secret>,
    /// Clinics with their own Retell accounts: slug -> that account's webhook key.
    pub retell_org_keys: BTreeMap<String, Secret>,
    /// Webhook events no clinic can be found for: `store` them apart, or `drop` them.
    pub unattributed_webhooks: UnattributedPolicy,
    /// How often transcripts past a clinic's retention are deleted.
    pub retention_interval_secs: u64,
    /// Compatibility slug map: slug -> org id.
    pub orgs: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_listen: None,
            tls_cert: None,
            tls_key: None,
            database_url: "sqlite://ascendia.db".to_owned(),
            admin_database_url: None,
            log_format: LogFormat::Text,
            unknown_slug: UnknownSlugPolicy::Reject,
            public_url: None,
            response_timeout_ms: 20_000,
            registry_refresh_ms: 1_000,
            reconnect_window_secs: 30,
            ws_idle_secs: 60,
            header_read_timeout_secs: 10,
            max_message_bytes: 8 * 1024 * 1024,
            drain_secs: 30,
            agent: AgentKind::Builtin,
            llm_base_url: "https://api.openai.com/v1".to_owned(),
            llm_api_key: None,
            llm_model: "gpt-4o-mini".to_owned(),
            llm_fallback_model: None,
            llm_first_token_ms: 2_000,
            retell_api_key: None,
            retell_org_keys: BTreeMap::new(),
            unattributed_webhooks: UnattributedPolicy::Store,
            retention_interval_secs: 3_600,
            orgs: BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("ORG_SLUG_MAP must be a JSON object of slug to org id: {0}")]
    SlugMap(String),
    #[error("slug map entry '{slug}': {reason}")]
    SlugMapEntry { slug: String, reason: String },
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    #[error(
        "public_url '{0}' must start with https:// (or http://), e.g. https://voice.example.com"
    )]
    PublicUrl(String),
    #[error(
        "{0} is set but {1} is not: built-in TLS needs both tls_cert and tls_key (ASCENDIA_TLS_CERT, ASCENDIA_TLS_KEY), or neither"
    )]
    TlsPair(&'static str, &'static str),
}

impl Settings {
    /// Loads settings; `file` is an explicit config path (which must exist), otherwise
    /// `ascendia.toml` in the working directory is read when present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.to_owned())),
            Some(path) => path.to_owned(),
            None => PathBuf::from("ascendia.toml"),
        };
        let mut settings: Settings = Figment::new()
            .merge(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("ASCENDIA_").ignore(&[
                "config",
                "log",
                "test_postgres_url",
                "test_database",
            ]))
            .extract()
            .map_err(Box::new)?;
        if let Ok(json) = std::env::var("ORG_SLUG_MAP") {
            let map: BTreeMap<String, String> =
                serde_json::from_str(&json).map_err(|e| ConfigError::SlugMap(e.to_string()))?;
            settings.orgs.extend(map);
        }
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.response_timeout_ms == 0 {
            return Err(ConfigError::Zero("response_timeout_ms"));
        }
        if self.registry_refresh_ms == 0 {
            return Err(ConfigError::Zero("registry_refresh_ms"));
        }
        if self.max_message_bytes == 0 {
            return Err(ConfigError::Zero("max_message_bytes"));
        }
        if self.llm_first_token_ms == 0 {
            return Err(ConfigError::Zero("llm_first_token_ms"));
        }
        if self.ws_idle_secs == 0 {
            return Err(ConfigError::Zero("ws_idle_secs"));
        }
        if self.header_read_timeout_secs == 0 {
            return Err(ConfigError::Zero("header_read_timeout_secs"));
        }
        self.tls_files()?;
        if let Some(url) = &self.public_url {
            let rest = ["https://", "http://", "wss://", "ws://"]
                .iter()
                .find_map(|scheme| url.strip_prefix(scheme));
            if rest.is_none_or(|host| {
                host.trim_matches('/').is_empty() || host.contains(char::is_whitespace)
            }) {
                return Err(ConfigError::PublicUrl(url.clone()));
            }
        }
        self.slug_aliases().map(|_| ())
    }

    pub fn slug_aliases(&self) -> Result<BTreeMap<Slug, OrgId>, ConfigError> {
        self.orgs
            .iter()
            .map(|(slug, id)| {
                let entry_error = |reason: String| ConfigError::SlugMapEntry {
                    slug: slug.clone(),
                    reason,
                };
                let slug = Slug::parse(slug).map_err(|e| entry_error(e.to_string()))?;
                let id = id
                    .parse()
                    .map_err(|e: crate::tenancy::TenancyError| entry_error(e.to_string()))?;
                Ok((slug, id))
            })
            .collect()
    }

    /// The certificate and key for built-in TLS, when it is on (an empty value is unset); one
    /// without the other is an error rather than a silent plain-HTTP start.
    pub fn tls_files(&self) -> Result<Option<(&Path, &Path)>, ConfigError> {
        fn set(path: &Option<PathBuf>) -> Option<&Path> {
            path.as_deref().filter(|path| !path.as_os_str().is_empty())
        }
        match (set(&self.tls_cert), set(&self.tls_key)) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(ConfigError::TlsPair("tls_cert", "tls_key")),
            (None, Some(_)) => Err(ConfigError::TlsPair("tls_key", "tls_cert")),
        }
    }

    /// The base of the WebSocket URLs to paste into Retell.
    pub fn websocket_base(&self) -> String {
        let scheme = match self.tls_files() {
            Ok(Some(_)) => "wss",
            _ => "ws",
        };
        let base = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("{scheme}://{}", self.listen));
        websocket_base_of(&base)
    }

    pub fn response_timeout(&self) -> Duration {
        Duration::from_millis(self.response_timeout_ms)
    }

    pub fn registry_refresh(&self) -> Duration {
        Duration::from_millis(self.registry_refresh_ms)
    }

    pub fn reconnect_window(&self) -> Duration {
        Duration::from_secs(self.reconnect_window_secs)
    }

    pub fn ws_idle(&self) -> Duration {
        Duration::from_secs(self.ws_idle_secs)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }
}

/// `{base}/llm-websocket` for a public base URL, in the WebSocket scheme (http -> ws, https
/// -> wss).
pub fn websocket_base_of(public_url: &str) -> String {
    let base = public_url.trim().trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    format!("{base}/llm-websocket")
}

/// Where Retell posts webhooks, for a public base URL given in either scheme.
pub fn webhook_url_of(public_url: &str) -> String {
    let base = public_url.trim().trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = base.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        base.to_owned()
    };
    format!("{base}/api/retell/webhook")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_needs_a_scheme() {
        let mut settings = Settings::default();
        for good in [
            "https://voice.example.com",
            "http://10.0.0.2:8080/",
            "wss://voice.example.com",
        ] {
            settings.public_url = Some(good.into());
            assert!(settings.validate().is_ok(), "{good}");
        }
        for bad in [
            "voice.example.com",
            "https://",
            "ftp://voice.example.com",
            "https://a b",
        ] {
            settings.public_url = Some(bad.into());
            assert!(
                matches!(settings.validate(), Err(ConfigError::PublicUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn websocket_base_maps_http_schemes() {
        let mut settings = Settings::default();
        assert_eq!(
            settings.websocket_base(),
            "ws://127.0.0.1:8080/llm-websocket"
        );
        settings.public_url = Some("https://voice.example.com/".into());
        assert_eq!(
            settings.websocket_base(),
            "wss://voice.example.com/llm-websocket"
        );
        assert_eq!(
            webhook_url_of("wss://voice.example.com/"),
            "https://voice.example.com/api/retell/webhook"
        );
        assert_eq!(
            webhook_url_of("http://10.0.0.2:8080"),
            "http://10.0.0.2:8080/api/retell/webhook"
        );
    }

    #[test]
    fn tls_needs_both_files() {
        let mut settings = Settings {
            tls_cert: Some("cert.pem".into()),
            ..Settings::default()
        };
        assert!(matches!(
            settings.validate(),
            Err(ConfigError::TlsPair("tls_cert", "tls_key"))
        ));
        settings.tls_key = Some("key.pem".into());
        assert!(settings.validate().is_ok());
        assert_eq!(
            settings.websocket_base(),
            "wss://127.0.0.1:8080/llm-websocket"
        );
        settings.tls_cert = None;
        assert!(matches!(
            settings.validate(),
            Err(ConfigError::TlsPair("tls_key", "tls_cert"))
        ));
    }

    #[test]
    fn slug_map_entries_are_validated() {
        let mut settings = Settings::default();
        settings
            .orgs
            .insert("Bad Slug".into(), uuid::Uuid::new_v4().to_string());
        assert!(settings.validate().is_err());
        settings.orgs.clear();
        settings.orgs.insert("good".into(), "not-a-uuid".into());
        assert!(settings.validate().is_err());
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn the_example_config_is_valid() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ascendia.example.toml"
        ));
        let settings = Settings::load(Some(path)).expect("ascendia.example.toml loads");
        assert_eq!(settings.agent, AgentKind::Builtin);
        assert_eq!(settings.drain_secs, 30);
    }
}
