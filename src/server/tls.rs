//! Built-in TLS for installs without a reverse proxy: `tls_cert` and `tls_key` name PEM files,
//! read once at start. rustls on the ring provider, as everywhere else in the server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {key} {}: {source}", path.display())]
    Read {
        key: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tls_cert {} holds no PEM certificate (-----BEGIN CERTIFICATE-----){}", path.display(), reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    NoCertificate {
        path: PathBuf,
        reason: Option<String>,
    },
    #[error("tls_key {} holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC){}", path.display(), reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    NoKey {
        path: PathBuf,
        reason: Option<String>,
    },
    #[error("tls_key {} does not go with the certificate in tls_cert {}: {source}", key.display(), cert.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        source: rustls::Error,
    },
    #[error("TLS: {0}")]
    Provider(rustls::Error),
}

/// Reads the certificate chain and key and builds the acceptor for the listener. HTTP/1.1 is
/// offered by ALPN, the only protocol the listener speaks (WebSockets upgrade from it).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain = certificates(cert)?;
    let private_key = private_key(key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Provider)?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|source| TlsError::Mismatch {
            cert: cert.to_owned(),
            key: key.to_owned(),
            source,
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        key,
        path: path.to_owned(),
        source,
    })
}

/// The chain in file order: the server's certificate first, then intermediates.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read("tls_cert", path)?;
    let no_certificate = |reason: Option<String>| TlsError::NoCertificate {
        path: path.to_owned(),
        reason,
    };
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| no_certificate(Some(e.to_string())))?;
    if chain.is_empty() {
        return Err(no_certificate(None));
    }
    Ok(chain)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read("tls_key", path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::NoKey {
        path: path.to_owned(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => None,
            other => Some(other.to_string()),
        },
    })
}
