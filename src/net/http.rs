//! A one-connection HTTPS/1.1 client built on hyper's low-level connection API.
//!
//! Why not a pooled client: every phase (DNS, TCP, TLS, first byte, body) is timed and
//! bounded separately, a hop never silently reuses another hop's connection, redirects
//! are never followed automatically (the caller checks the target first), and response
//! bodies are read through a hard size cap.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

use crate::net::dns::{Dns, QueryError};
use crate::net::tls::{Trust, classify_tls_error, describe_certificate};
use crate::report::wire::{Certificate, Timings};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub host: String,
    pub port: u16,
    /// Path and query, e.g. `/v2/`.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn get(host: &str, port: u16, path: &str) -> Self {
        Request {
            method: Method::GET,
            host: host.to_string(),
            port,
            path: path.to_string(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// The request's URL without query: what may appear in a report.
    pub fn display_url(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        if self.port == 443 {
            format!("https://{}{}", self.host, path)
        } else {
            format!("https://{}:{}{}", self.host, self.port, path)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Dns,
    Connect,
    Tls,
    Response,
    Body,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Dns => "dns",
            Phase::Connect => "connect",
            Phase::Tls => "tls",
            Phase::Response => "waiting for the response",
            Phase::Body => "reading the body",
        }
    }
}

#[derive(Debug, Clone)]
pub enum HttpError {
    Dns(QueryError),
    Timeout {
        phase: Phase,
        addr: Option<SocketAddr>,
    },
    Refused {
        addr: SocketAddr,
    },
    Unreachable {
        addr: SocketAddr,
        message: String,
    },
    Tls {
        code: &'static str,
        message: String,
        certificate: Option<Certificate>,
        addr: SocketAddr,
    },
    Protocol(String),
    TooLarge {
        limit: u64,
    },
    /// The connection ended before the body it announced was complete.
    Truncated {
        addr: SocketAddr,
    },
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Dns(e) => write!(f, "DNS: {}", e.describe()),
            HttpError::Timeout {
                phase,
                addr: Some(a),
            } => write!(f, "timed out ({}) talking to {a}", phase.as_str()),
            HttpError::Timeout { phase, addr: None } => write!(f, "timed out ({})", phase.as_str()),
            HttpError::Refused { addr } => write!(f, "connection to {addr} refused"),
            HttpError::Unreachable { addr, message } => {
                write!(f, "cannot connect to {addr}: {message}")
            }
            HttpError::Tls { message, addr, .. } => write!(f, "TLS with {addr}: {message}"),
            HttpError::Protocol(m) => write!(f, "HTTP: {m}"),
            HttpError::TooLarge { limit } => write!(f, "response larger than {limit} bytes"),
            HttpError::Truncated { addr } => write!(
                f,
                "{addr} closed the connection before the whole body arrived"
            ),
        }
    }
}

/// What came back, up to the response headers; the body is read separately.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub remote: SocketAddr,
    pub timings: Timings,
    body: Incoming,
    timeout: Duration,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Read the whole body, refusing more than `limit` bytes.
    pub async fn bytes(self, limit: u64) -> Result<(Bytes, Timings), HttpError> {
        let mut buf = Vec::new();
        let timings = self
            .stream(|chunk| {
                if (buf.len() + chunk.len()) as u64 > limit {
                    return false;
                }
                buf.extend_from_slice(chunk);
                true
            })
            .await?;
        match timings {
            (t, true) => Ok((Bytes::from(buf), t)),
            (_, false) => Err(HttpError::TooLarge { limit }),
        }
    }

    /// Feed the body to `sink` chunk by chunk until it ends or `sink` returns false.
    /// Returns the timings and whether the body was read to its end.
    pub async fn stream(
        self,
        mut sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<(Timings, bool), HttpError> {
        let t0 = Instant::now();
        let mut timings = self.timings;
        let mut body = self.body;
        let remote = self.remote;
        loop {
            match tokio::time::timeout(self.timeout, body.frame()).await {
                Err(_) => {
                    return Err(HttpError::Timeout {
                        phase: Phase::Body,
                        addr: Some(remote),
                    });
                }
                Ok(None) => break,
                Ok(Some(Err(e))) if is_cut_short(&e) => {
                    return Err(HttpError::Truncated { addr: remote });
                }
                Ok(Some(Err(e))) => return Err(HttpError::Protocol(format!("body: {e}"))),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data()
                        && !sink(&data)
                    {
                        timings.body_ms = Some(crate::hop::ms(t0.elapsed()));
                        return Ok((timings, false));
                    }
                }
            }
        }
        timings.body_ms = Some(crate::hop::ms(t0.elapsed()));
        Ok((timings, true))
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    dns: Dns,
    trust: Trust,
    timeout: Duration,
    /// Addresses a connect to has failed during this run. They are tried last: the tcp
    /// hops already report a broken ENI, and later hops should not each wait out the
    /// timeout again when another ENI of the same endpoint works.
    unreachable: Arc<Mutex<HashSet<SocketAddr>>>,
}

impl Client {
    pub fn new(dns: Dns, trust: Trust, timeout: Duration) -> Self {
        Client {
            dns,
            trust,
            timeout,
            unreachable: Arc::default(),
        }
    }

    /// One TCP connect, remembered as unreachable when it fails (see `unreachable`).
    pub async fn connect_one(
        &self,
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<TcpStream, HttpError> {
        let result = connect_tcp(addr, timeout).await;
        if result.is_err()
            && let Ok(mut set) = self.unreachable.lock()
        {
            set.insert(addr);
        }
        result
    }

    fn is_unreachable(&self, addr: &SocketAddr) -> bool {
        self.unreachable
            .lock()
            .map(|s| s.contains(addr))
            .unwrap_or(false)
    }

    pub fn dns(&self) -> &Dns {
        &self.dns
    }

    /// Resolve, connect (trying each address in turn), handshake and send one request.
    pub async fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let mut timings = Timings {
            dns_ms: None,
            connect_ms: None,
            tls_ms: None,
            ttfb_ms: None,
            body_ms: None,
        };
        let t0 = Instant::now();
        let ips: Vec<IpAddr> = match req.host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => {
                let ips = self
                    .dns
                    .lookup_ips(&req.host)
                    .await
                    .map_err(HttpError::Dns)?;
                timings.dns_ms = Some(crate::hop::ms(t0.elapsed()));
                ips
            }
        };
        let (tcp, remote) = self.connect(&ips, req.port, &mut timings).await?;

        let t1 = Instant::now();
        let seen = Arc::new(Mutex::new(None));
        let cfg = self
            .trust
            .client_config(seen.clone())
            .map_err(|e| HttpError::Protocol(e.to_string()))?;
        let sni = ServerName::try_from(req.host.clone())
            .map_err(|e| HttpError::Protocol(format!("server name {:?}: {e}", req.host)))?;
        let tls = match tokio::time::timeout(
            self.timeout,
            tokio_rustls::TlsConnector::from(cfg).connect(sni, tcp),
        )
        .await
        {
            Err(_) => {
                return Err(HttpError::Timeout {
                    phase: Phase::Tls,
                    addr: Some(remote),
                });
            }
            Ok(Err(e)) => {
                let certificate = seen
                    .lock()
                    .ok()
                    .and_then(|s| s.as_ref().and_then(describe_certificate));
                let (code, message) = match e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(tls_err) => classify_tls_error(tls_err),
                    None => ("tls.handshake_failed", e.to_string()),
                };
                return Err(HttpError::Tls {
                    code,
                    message,
                    certificate,
                    addr: remote,
                });
            }
            Ok(Ok(s)) => s,
        };
        timings.tls_ms = Some(crate::hop::ms(t1.elapsed()));

        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
                .await
                .map_err(|e| HttpError::Protocol(e.to_string()))?;
        // The connection task ends when the response body is dropped or read out.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(req.path.as_str());
        if let Some(h) = builder.headers_mut() {
            *h = req.headers.clone();
            // The low-level connection API does not add Host itself.
            let host = if req.port == 443 {
                req.host.clone()
            } else {
                format!("{}:{}", req.host, req.port)
            };
            h.insert(
                header::HOST,
                HeaderValue::from_str(&host).map_err(|e| HttpError::Protocol(e.to_string()))?,
            );
            h.entry(header::USER_AGENT)
                .or_insert(HeaderValue::from_static(concat!(
                    "vpce-probe/",
                    env!("CARGO_PKG_VERSION")
                )));
        }
        let request = builder
            .body(Full::new(req.body.clone()))
            .map_err(|e| HttpError::Protocol(e.to_string()))?;
        let t2 = Instant::now();
        let resp = match tokio::time::timeout(self.timeout, sender.send_request(request)).await {
            Err(_) => {
                return Err(HttpError::Timeout {
                    phase: Phase::Response,
                    addr: Some(remote),
                });
            }
            Ok(Err(e)) => return Err(HttpError::Protocol(e.to_string())),
            Ok(Ok(r)) => r,
        };
        timings.ttfb_ms = Some(crate::hop::ms(t2.elapsed()));
        let (parts, body) = resp.into_parts();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            remote,
            timings,
            body,
            timeout: self.timeout,
        })
    }

    async fn connect(
        &self,
        ips: &[IpAddr],
        port: u16,
        timings: &mut Timings,
    ) -> Result<(TcpStream, SocketAddr), HttpError> {
        let mut first_err = None;
        let mut addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
        // Stable: keeps the resolver's order among equals.
        addrs.sort_by_key(|a| self.is_unreachable(a));
        for addr in addrs {
            let t = Instant::now();
            match self.connect_one(addr, self.timeout).await {
                Ok(s) => {
                    timings.connect_ms = Some(crate::hop::ms(t.elapsed()));
                    return Ok((s, addr));
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(HttpError::Protocol("no address to connect to".into())))
    }
}

/// Whether a body error means the peer hung up early (hyper wraps the `io::Error`).
fn is_cut_short(e: &hyper::Error) -> bool {
    if e.is_incomplete_message() {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, UnexpectedEof};
            return matches!(
                io.kind(),
                UnexpectedEof | ConnectionReset | ConnectionAborted
            );
        }
        source = s.source();
    }
    false
}

/// One TCP connect with a timeout, classified the way the tcp hop reports it.
pub async fn connect_tcp(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, HttpError> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Err(_) => Err(HttpError::Timeout {
            phase: Phase::Connect,
            addr: Some(addr),
        }),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(HttpError::Refused { addr })
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => Err(HttpError::Timeout {
            phase: Phase::Connect,
            addr: Some(addr),
        }),
        Ok(Err(e)) => Err(HttpError::Unreachable {
            addr,
            message: e.to_string(),
        }),
        Ok(Ok(s)) => {
            // Small requests must not wait for Nagle + delayed ACK (CRATES.md §4).
            let _ = s.set_nodelay(true);
            Ok(s)
        }
    }
}

/// Resolve a possibly relative `Location` against the request it answered.
pub fn absolute_location(req: &Request, location: &str) -> String {
    if location.starts_with("https://") || location.starts_with("http://") {
        location.to_string()
    } else if location.starts_with('/') {
        let port = if req.port == 443 {
            String::new()
        } else {
            format!(":{}", req.port)
        };
        format!("https://{}{}{}", req.host, port, location)
    } else {
        location.to_string()
    }
}

/// Split an absolute https URL into a request target.
pub fn parse_https_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("https://")?;
    // The authority ends at the path, the query or the fragment, whichever comes first:
    // `https://host?X-Amz-Signature=…` must not make the signature part of the host.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = match tail.chars().next() {
        None => "/".to_string(),
        Some('/') => tail.to_string(),
        Some(_) => format!("/{tail}"),
    };
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, 443),
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-[]:".contains(c))
    {
        return None;
    }
    Some((host.to_ascii_lowercase(), port, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            parse_https_url("https://Bucket.s3.us-east-1.amazonaws.com/a/b?X-Amz-Signature=1"),
            Some((
                "bucket.s3.us-east-1.amazonaws.com".into(),
                443,
                "/a/b?X-Amz-Signature=1".into()
            ))
        );
        assert_eq!(
            parse_https_url("https://h:8443"),
            Some(("h".into(), 8443, "/".into()))
        );
        assert_eq!(parse_https_url("http://h/"), None);
        assert_eq!(
            parse_https_url("https://h.example?X-Amz-Signature=SECRET"),
            Some(("h.example".into(), 443, "/?X-Amz-Signature=SECRET".into()))
        );
        assert_eq!(
            parse_https_url("https://h.example#frag"),
            Some(("h.example".into(), 443, "/#frag".into()))
        );
        assert_eq!(parse_https_url("https://bad host/"), None);
        assert_eq!(parse_https_url("https://u:p@h/"), None);
        let req = Request::get("reg.example", 8443, "/v2/x");
        assert_eq!(
            absolute_location(&req, "/blob?x=1"),
            "https://reg.example:8443/blob?x=1"
        );
        assert_eq!(req.display_url(), "https://reg.example:8443/v2/x");
    }
}
