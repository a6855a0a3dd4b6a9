//! The one trust store and TLS client configuration of a run, for the hand-made
//! connections and the AWS SDK alike (the SDK sends through `net::http`): Mozilla's
//! roots bundled with the binary, plus the system's CA bundle file, plus `--ca-bundle`.
//! Bundled roots make a static binary on a host without a CA bundle (or a `scratch`
//! image) judge certificates the same way as anywhere else.
//!
//! Built once per run: the roots are parsed once and every handshake shares one
//! `ClientConfig` (per-hop configurations and the SDK's own PEM trust store cost about
//! 19 ms of CPU per run, README "Performance").
//!
//! The verifier records the server's leaf certificate before judging it, so a failed
//! verification still shows *who* answered: an unknown issuer in a subnet usually means
//! TLS inspection (a firewall re-signing traffic), and the issuer name says whose.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// The leaf certificate each server name showed last, for the handshake that failed.
type Seen = Arc<Mutex<HashMap<String, CertificateDer<'static>>>>;

/// Trust anchors and the client configuration, built once per run.
#[derive(Debug, Clone)]
pub struct Trust {
    config: Arc<ClientConfig>,
    seen: Seen,
}

/// Where distributions keep their one-file CA bundle (Debian, RHEL, SUSE, Alpine):
/// one file to read, where `/etc/ssl/certs` holds hundreds of files and links.
const BUNDLE_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

impl Trust {
    /// `extra`: the certificates of `--ca-bundle`, trusted on top of the public roots.
    pub fn new(extra: &[CertificateDer<'static>]) -> Result<Self, rustls::Error> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // Best effort: a scratch image has no system bundle, and that is fine because
        // the bundled roots cover AWS's public endpoints.
        for file in system_bundle() {
            if let Ok(certs) = CertificateDer::pem_file_iter(&file) {
                roots.add_parsable_certificates(certs.flatten());
            }
        }
        for c in extra {
            roots.add(c.clone())?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        let seen = Seen::default();
        let verifier = Arc::new(RecordingVerifier {
            inner,
            seen: seen.clone(),
        });
        let mut cfg = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        // The registry and S3 speak HTTP/1.1 to us; offering only it keeps the hop honest.
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        // Every handshake verifies the certificate again: a resumed session would show
        // none, and would hide a second ENI that answers with another one.
        cfg.resumption = Resumption::disabled();
        Ok(Trust {
            config: Arc::new(cfg),
            seen,
        })
    }
}

/// The system's CA files: `SSL_CERT_FILE` and the files of `SSL_CERT_DIR` when set (as
/// OpenSSL reads them), else the first bundle file of [`BUNDLE_FILES`] that exists.
fn system_bundle() -> Vec<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let (file, dir) = (set("SSL_CERT_FILE"), set("SSL_CERT_DIR"));
    if file.is_none() && dir.is_none() {
        return BUNDLE_FILES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .into_iter()
            .collect();
    }
    let mut files: Vec<PathBuf> = file.map(PathBuf::from).into_iter().collect();
    // SSL_CERT_DIR is a colon-separated list, like OpenSSL's.
    for d in dir.iter().flat_map(std::env::split_paths) {
        files.extend(dir_files(&d));
    }
    files
}

fn dir_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Delegates every decision to webpki; only remembers the certificate it was shown.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    seen: Seen,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(name_key(server_name), end_entity.clone().into_owned());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The fields of a certificate a person needs to recognise it; times in RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
}

pub fn describe_certificate(der: &CertificateDer<'_>) -> Option<CertificateInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let dns_names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    x509_parser::extensions::GeneralName::DNSName(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let rfc3339 = |t: x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    };
    Some(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        dns_names,
        not_before: rfc3339(cert.validity().not_before),
        not_after: rfc3339(cert.validity().not_after),
    })
}

fn name_key(name: &ServerName<'_>) -> String {
    name.to_str().into_owned()
}

/// Why a handshake failed, as a cause code and words.
pub fn classify_tls_error(err: &rustls::Error) -> (&'static str, String) {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => (
            "tls.untrusted",
            "certificate issued by an unknown authority".into(),
        ),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => (
            "tls.name_mismatch",
            "certificate not valid for this name".into(),
        ),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            ("tls.expired", "certificate expired".into())
        }
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => (
            "tls.not_yet_valid",
            "certificate not yet valid (check the clock)".into(),
        ),
        rustls::Error::InvalidCertificate(other) => {
            ("tls.untrusted", format!("invalid certificate: {other:?}"))
        }
        other => ("tls.handshake_failed", other.to_string()),
    }
}

/// Why no handshake was attempted: nothing was sent.
#[derive(Debug, Clone)]
pub enum SetupError {
    ServerName { host: String, reason: String },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::ServerName { host, reason } => write!(f, "server name {host:?}: {reason}"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum HandshakeFailure {
    /// No complete handshake within the timeout.
    Timeout,
    /// The peer or the verifier ended it: a cause code (`tls.*`) and words.
    Failed { code: &'static str, message: String },
}

/// One attempted handshake. The certificate is there whenever the server showed one,
/// verified or not: who answered is the evidence when verification fails.
pub struct Handshake {
    pub elapsed: Duration,
    pub certificate: Option<CertificateInfo>,
    pub result: Result<Tls, HandshakeFailure>,
}

/// A TLS session over a [`Noted`] TCP stream.
pub type Tls = TlsStream<Noted>;

/// A TCP stream that notes when bytes moved: the handshake's time is taken from the
/// ClientHello leaving to the server's last handshake bytes arriving, so it shows the
/// network and the server, not the probe's own CPU (building the hello, verifying the
/// chain) nor other hops' handshakes sharing the runtime's thread before the hello.
pub struct Noted {
    inner: TcpStream,
    first_write: Option<Instant>,
    last_read: Option<Instant>,
}

impl Noted {
    fn new(inner: TcpStream) -> Self {
        Noted {
            inner,
            first_write: None,
            last_read: None,
        }
    }

    /// From the first byte written to the last read, when both happened in that order.
    fn io_time(&self) -> Option<Duration> {
        let (w, r) = (self.first_write?, self.last_read?);
        (r > w).then(|| r - w)
    }
}

impl tokio::io::AsyncRead for Noted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, std::task::Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.last_read = Some(Instant::now());
        }
        polled
    }
}

impl tokio::io::AsyncWrite for Noted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write(cx, data);
        if self.first_write.is_none() && matches!(polled, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.first_write = Some(Instant::now());
        }
        polled
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// TLS over `tcp` with SNI `host` (a DNS name or an IP literal without brackets),
/// verified against `trust`, bounded by `timeout`.
pub async fn handshake(
    trust: &Trust,
    host: &str,
    tcp: TcpStream,
    timeout: Duration,
) -> Result<Handshake, SetupError> {
    let sni = ServerName::try_from(host.to_string()).map_err(|e| SetupError::ServerName {
        host: host.to_string(),
        reason: e.to_string(),
    })?;
    let key = name_key(&sni);
    if let Ok(mut seen) = trust.seen.lock() {
        seen.remove(&key);
    }
    let t0 = Instant::now();
    let outcome = tokio::time::timeout(
        timeout,
        tokio_rustls::TlsConnector::from(trust.config.clone()).connect(sni, Noted::new(tcp)),
    )
    .await;
    // A completed handshake is timed on the wire (see `Noted`); one that did not
    // complete, from the start.
    let elapsed = match &outcome {
        Ok(Ok(stream)) => stream.get_ref().0.io_time(),
        _ => None,
    }
    .unwrap_or_else(|| t0.elapsed());
    // The connection's own chain when it has one; the verifier's record of this name
    // when verification refused it.
    let leaf = match &outcome {
        Ok(Ok(stream)) => stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.clone().into_owned()),
        _ => trust.seen.lock().ok().and_then(|s| s.get(&key).cloned()),
    };
    let certificate = leaf.as_ref().and_then(describe_certificate);
    let result = match outcome {
        Err(_) => Err(HandshakeFailure::Timeout),
        Ok(Err(e)) => {
            let (code, message) = match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(tls_err) => classify_tls_error(tls_err),
                None => ("tls.handshake_failed", e.to_string()),
            };
            Err(HandshakeFailure::Failed { code, message })
        }
        Ok(Ok(stream)) => Ok(stream),
    };
    Ok(Handshake {
        elapsed,
        certificate,
        result,
    })
}
