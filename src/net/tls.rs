//! The one trust store of a run, for the hand-made connections and the AWS SDK alike:
//! the bundled Mozilla roots, plus the system's (which honour `SSL_CERT_FILE`), plus
//! `--ca-bundle`. Bundled roots make a static binary on a host without a CA bundle
//! (or a `scratch` image) judge certificates the same way as anywhere else.
//!
//! The verifier records the server's leaf certificate before judging it, so a failed
//! verification still shows *who* answered: an unknown issuer in a subnet usually means
//! TLS inspection (a firewall re-signing traffic), and the issuer name says whose.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// Trust anchors, built once per run.
#[derive(Debug, Clone)]
pub struct Trust {
    roots: Arc<RootCertStore>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl Trust {
    /// `extra`: the certificates of `--ca-bundle`, trusted on top of the public roots.
    pub fn new(extra: &[CertificateDer<'static>]) -> Result<Self, rustls::Error> {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        // Native roots are best effort: a scratch image has none, and that is fine
        // because the bundled roots cover AWS's public endpoints.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        for c in extra {
            roots.add(c.clone())?;
        }
        Ok(Trust {
            roots: Arc::new(roots),
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
        })
    }

    /// A client configuration whose verifier records the leaf certificate into `seen`.
    pub fn client_config(
        &self,
        seen: Arc<Mutex<Option<CertificateDer<'static>>>>,
    ) -> Result<Arc<ClientConfig>, rustls::Error> {
        let inner =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
        let verifier = Arc::new(RecordingVerifier { inner, seen });
        let mut cfg = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        // The registry and S3 speak HTTP/1.1 to us; offering only it keeps the hop honest.
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(cfg))
    }
}

/// The bundled roots and `extra_pem` (the `--ca-bundle` file) as PEM, for the AWS SDK,
/// whose trust store takes only PEM (it adds the system's roots itself).
pub fn sdk_pem(extra_pem: Option<&[u8]>) -> Vec<u8> {
    use base64::Engine;
    let mut pem = Vec::new();
    for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.extend_from_slice(line);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    if let Some(extra) = extra_pem {
        pem.extend_from_slice(extra);
        pem.push(b'\n');
    }
    pem
}

/// Delegates every decision to webpki; only remembers the certificate it was shown.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    seen: Arc<Mutex<Option<CertificateDer<'static>>>>,
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
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(end_entity.clone().into_owned());
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
    Config(rustls::Error),
    ServerName { host: String, reason: String },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::Config(e) => write!(f, "{e}"),
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
    pub result: Result<TlsStream<TcpStream>, HandshakeFailure>,
}

/// TLS over `tcp` with SNI `host` (a DNS name or an IP literal without brackets),
/// verified against `trust`, bounded by `timeout`.
pub async fn handshake(
    trust: &Trust,
    host: &str,
    tcp: TcpStream,
    timeout: Duration,
) -> Result<Handshake, SetupError> {
    let seen = Arc::new(Mutex::new(None));
    let cfg = trust
        .client_config(seen.clone())
        .map_err(SetupError::Config)?;
    let sni = ServerName::try_from(host.to_string()).map_err(|e| SetupError::ServerName {
        host: host.to_string(),
        reason: e.to_string(),
    })?;
    let t0 = Instant::now();
    let outcome = tokio::time::timeout(
        timeout,
        tokio_rustls::TlsConnector::from(cfg).connect(sni, tcp),
    )
    .await;
    let elapsed = t0.elapsed();
    let certificate = seen
        .lock()
        .ok()
        .and_then(|s| s.as_ref().and_then(describe_certificate));
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
