//! The probe's HTTPS/1.1 client, built on hyper's low-level connection API.
//!
//! Why not a general pooled client: every phase (DNS, TCP, TLS, first byte, body) is
//! timed and bounded separately, connections are reused only from the run's own
//! [`Pool`] (pinned to the address a hop tested, and said so in the timings), redirects
//! are followed only through [`Client::send_following`] (the caller checks each target
//! first, and credentials never leave the origin they were meant for), and response
//! bodies are read through a hard size cap.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use tokio::net::TcpStream;

use crate::net::dns::{Dns, QueryError};
use crate::net::pool::{Idle, Lease, Pool, Sender, WAIT_FOR_BUSY};
use crate::net::tls::{CertificateInfo, HandshakeFailure, Trust, handshake};
use crate::net::url::{HttpsUrl, UrlError, redact};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: HttpsUrl,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn get(url: HttpsUrl) -> Self {
        Request {
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// The request's URL without query: what may appear in a report.
    pub fn display_url(&self) -> String {
        self.url.display()
    }
}

/// How long each phase of one exchange took; `None` for a phase that did not happen
/// (no DNS for an IP literal) or has not happened yet (the body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    pub dns: Option<Duration>,
    pub connect: Option<Duration>,
    pub tls: Option<Duration>,
    /// Request sent until response headers received.
    pub ttfb: Option<Duration>,
    pub body: Option<Duration>,
    /// The request went on a connection of the run's pool (opened by the tls hop or
    /// an earlier request): no DNS, connect or handshake of its own.
    pub reused: bool,
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
        certificate: Option<CertificateInfo>,
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
    /// The probe's own process is out of file descriptors (EMFILE/ENFILE): nothing
    /// about the network.
    Resources {
        message: String,
    },
    /// The run's deadline came during this phase (the body still arriving, the
    /// response not yet there, …).
    Deadline {
        phase: Phase,
        addr: SocketAddr,
    },
}

impl std::error::Error for HttpError {}

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
            HttpError::Resources { message } => {
                write!(f, "the probe is out of file descriptors: {message}")
            }
            HttpError::Deadline { phase, addr } => write!(
                f,
                "the run's deadline passed while {} from {addr}",
                phase.as_str()
            ),
        }
    }
}

/// What came back, up to the response headers; the body is read separately.
#[derive(Debug)]
pub struct Response {
    /// The URL this answered (after redirects, the last one).
    pub url: HttpsUrl,
    pub status: u16,
    pub headers: HeaderMap,
    pub remote: SocketAddr,
    pub timings: Timings,
    body: Incoming,
    timeout: Duration,
    /// When a body read must have ended, whatever the pace: shortly before the run's
    /// deadline, so the hop can still report what it read (a body sent a byte at a
    /// time never trips the idle timeout).
    deadline: Option<tokio::time::Instant>,
    /// The connection, back to the pool once the body has been read to its end.
    conn: Option<(Sender, Lease)>,
}

/// The most of an unwanted body (a redirect's, the `/v2/` challenge's) read to keep
/// its connection: more, and the connection is closed instead.
const DRAIN_LIMIT: usize = 64 * 1024;

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Read the whole body, refusing more than `limit` bytes, within one `--timeout`
    /// in all: these are small documents.
    pub async fn bytes(mut self, limit: u64) -> Result<(Bytes, Timings), HttpError> {
        let total = tokio::time::Instant::now() + self.timeout;
        let (until, addr) = (self.deadline.map_or(total, |d| d.min(total)), self.remote);
        let by_deadline = self.deadline.is_some_and(|d| d <= total);
        self.deadline = Some(until);
        let mut buf = Vec::new();
        let timings = self
            .stream(|chunk| {
                if (buf.len() + chunk.len()) as u64 > limit {
                    return false;
                }
                buf.extend_from_slice(chunk);
                true
            })
            .await
            .map_err(|e| match e {
                // Not the run's deadline but this read's own bound: a timeout.
                HttpError::Deadline { phase, .. } if !by_deadline => HttpError::Timeout {
                    phase,
                    addr: Some(addr),
                },
                e => e,
            })?;
        match timings {
            (t, true) => Ok((Bytes::from(buf), t)),
            (_, false) => Err(HttpError::TooLarge { limit }),
        }
    }

    /// Feed the body to `sink` chunk by chunk until it ends or `sink` returns false.
    /// Returns the timings and whether the body was read to its end.
    pub async fn stream(
        mut self,
        mut sink: impl FnMut(&[u8]) -> bool,
    ) -> Result<(Timings, bool), HttpError> {
        let t0 = Instant::now();
        let conn = self.conn.take();
        let mut timings = self.timings;
        let mut body = self.body;
        let remote = self.remote;
        loop {
            let idle = tokio::time::Instant::now() + self.timeout;
            let until = self.deadline.map_or(idle, |d| d.min(idle));
            match tokio::time::timeout_at(until, body.frame()).await {
                Err(_) if until < idle => {
                    return Err(HttpError::Deadline {
                        phase: Phase::Body,
                        addr: remote,
                    });
                }
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
                        timings.body = Some(t0.elapsed());
                        return Ok((timings, false));
                    }
                }
            }
        }
        timings.body = Some(t0.elapsed());
        if let Some((sender, lease)) = conn {
            lease.give_back(Idle { sender, remote });
        }
        Ok((timings, true))
    }

    /// Done with this response without wanting its body: read what is left of a small
    /// one, so the connection can carry the next request.
    pub async fn release(self) {
        let mut left = DRAIN_LIMIT;
        let _ = self
            .stream(|chunk| {
                left = left.saturating_sub(chunk.len());
                left > 0
            })
            .await;
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
    /// When response bodies must have been read (see [`Response`]).
    body_deadline: Option<tokio::time::Instant>,
    pool: Pool,
}

/// How long before the run's deadline body reads stop: time for the hop to report.
const DEADLINE_MARGIN: Duration = Duration::from_millis(150);

impl Client {
    pub fn new(dns: Dns, trust: Trust, timeout: Duration) -> Self {
        Client {
            dns,
            trust,
            timeout,
            unreachable: Arc::default(),
            body_deadline: None,
            pool: Pool::default(),
        }
    }

    /// The run's connections (see [`Pool`]).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// `--timeout`: the bound of each phase.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How long the next phase may take: `--timeout`, or what is left before the run's
    /// deadline when that is less (then `true`: a timeout is the deadline's).
    fn phase_bound(&self) -> (Duration, bool) {
        let now = tokio::time::Instant::now();
        match self.body_deadline {
            Some(d) if d < now + self.timeout => (d.saturating_duration_since(now), true),
            _ => (self.timeout, false),
        }
    }

    /// Bound every phase and body read by the run's `deadline`, shortly before it, so
    /// a hop it cuts still reports the phase and the address.
    pub fn with_deadline(mut self, deadline: tokio::time::Instant) -> Self {
        self.body_deadline = Some(
            deadline
                .checked_sub(DEADLINE_MARGIN)
                .unwrap_or(deadline)
                .max(tokio::time::Instant::now()),
        );
        self
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

    /// Send one request: on a connection of the pool to the same host and port when
    /// there is one, else on a new one (resolve, connect trying each address in turn,
    /// handshake).
    pub async fn send(&self, req: &Request) -> Result<Response, HttpError> {
        let (host, port) = (req.url.host(), req.url.port());
        if let Some(idle) = self.pool.take(host, port, WAIT_FOR_BUSY).await {
            let reused = Timings {
                reused: true,
                ..Timings::default()
            };
            let lease = self.pool.lease(host, port);
            match self
                .exchange((idle.sender, lease), idle.remote, reused, req)
                .await
            {
                // The server closed the kept connection between requests (its
                // keep-alive ran out): as any client does, ask again on a new one.
                Err(HttpError::Protocol(_)) => {}
                other => return other,
            }
        }
        // Busy from the connect on: a request for the same host meanwhile waits for
        // this connection rather than opening a third.
        let lease = self.pool.lease(host, port);
        let (sender, remote, timings) = self.open(host, port).await?;
        self.exchange((sender, lease), remote, timings, req).await
    }

    /// A new connection to `host:port`: the tcp hop's stream to an address when it left
    /// one, else a connect; then the handshake.
    async fn open(
        &self,
        host: &str,
        port: u16,
    ) -> Result<(Sender, SocketAddr, Timings), HttpError> {
        let mut timings = Timings::default();
        let t0 = Instant::now();
        let ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => {
                let ips = self.dns.lookup_ips(host).await.map_err(HttpError::Dns)?;
                timings.dns = Some(t0.elapsed());
                ips
            }
        };
        let (tcp, remote) = self.connect(&ips, port, &mut timings).await?;
        let (bound, by_deadline) = self.phase_bound();
        let shake = handshake(&self.trust, host, tcp, bound)
            .await
            .map_err(|e| HttpError::Protocol(e.to_string()))?;
        let tls = match shake.result {
            Err(HandshakeFailure::Timeout) => {
                return Err(timed_out(Phase::Tls, remote, by_deadline));
            }
            Err(HandshakeFailure::Failed { code, message }) => {
                return Err(HttpError::Tls {
                    code,
                    message,
                    certificate: shake.certificate,
                    addr: remote,
                });
            }
            Ok(s) => s,
        };
        timings.tls = Some(shake.elapsed);
        let sender = http1(tls).await?;
        Ok((sender, remote, timings))
    }

    /// One request on `sender`'s connection; the response hands the connection back to
    /// the pool when its body is done.
    async fn exchange(
        &self,
        (mut sender, lease): (Sender, Lease),
        remote: SocketAddr,
        mut timings: Timings,
        req: &Request,
    ) -> Result<Response, HttpError> {
        let mut builder = http::Request::builder()
            .method(req.method.clone())
            .uri(req.url.path_and_query());
        if let Some(h) = builder.headers_mut() {
            *h = req.headers.clone();
            // The low-level connection API does not add Host itself.
            h.insert(
                header::HOST,
                HeaderValue::from_str(&req.url.host_header())
                    .map_err(|e| HttpError::Protocol(e.to_string()))?,
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
        let (bound, by_deadline) = self.phase_bound();
        let sent = async {
            sender.ready().await?;
            sender.send_request(request).await
        };
        let resp = match tokio::time::timeout(bound, sent).await {
            Err(_) => {
                return Err(timed_out(Phase::Response, remote, by_deadline));
            }
            Ok(Err(e)) => return Err(HttpError::Protocol(e.to_string())),
            Ok(Ok(r)) => r,
        };
        timings.ttfb = Some(t2.elapsed());
        let (parts, body) = resp.into_parts();
        Ok(Response {
            url: req.url.clone(),
            status: parts.status.as_u16(),
            headers: parts.headers,
            remote,
            timings,
            body,
            timeout: self.timeout,
            deadline: self.body_deadline,
            conn: Some((sender, lease)),
        })
    }

    /// Send `req` and follow up to `max_redirects` redirects (any 3xx with a
    /// `Location`). Every target is resolved against the URL that answered, must be an
    /// https URL without user info, and is shown to `check` before anything is sent
    /// to it. Credentials (`Authorization`, `Proxy-Authorization`, `Cookie`, and any
    /// header marked sensitive) go only to the origin of `req`, as curl does: a
    /// redirect elsewhere is sent without them.
    pub async fn send_following<E>(
        &self,
        req: Request,
        max_redirects: usize,
        mut check: impl FnMut(&HttpsUrl) -> Result<(), E>,
    ) -> Result<Response, FollowError<E>> {
        let origin = req.url.origin().clone();
        let credentials = credential_headers(&req.headers);
        let mut req = req;
        let mut last: Option<Exchange> = None;
        let mut redirects = 0;
        loop {
            let resp = match self.send(&req).await {
                Ok(r) => r,
                Err(e) => {
                    return Err(FollowError {
                        url: req.url,
                        last,
                        failure: FollowFailure::Send(e),
                    });
                }
            };
            if !(300..400).contains(&resp.status) {
                return Ok(resp);
            }
            let exchange = Exchange {
                url: resp.url.clone(),
                status: resp.status,
                remote: resp.remote,
                timings: resp.timings.clone(),
            };
            let location = resp.header("location").map(str::to_string);
            resp.release().await;
            let fail = |failure| FollowError {
                url: exchange.url.clone(),
                last: Some(exchange.clone()),
                failure,
            };
            let Some(location) = location else {
                return Err(fail(FollowFailure::NoLocation));
            };
            redirects += 1;
            if redirects > max_redirects {
                return Err(fail(FollowFailure::TooMany { max: max_redirects }));
            }
            let next = match exchange.url.resolve(&location) {
                Ok(u) => u,
                Err(why) => {
                    return Err(fail(FollowFailure::NotHttps {
                        location: redact(&location),
                        why,
                    }));
                }
            };
            if let Err(reason) = check(&next) {
                return Err(fail(FollowFailure::Rejected {
                    target: next,
                    reason,
                }));
            }
            req.headers = with_credentials_for(req.headers, &credentials, next.origin() == &origin);
            req.url = next;
            last = Some(exchange);
        }
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
        // A tcp hop's stream to an address it judged, before any new connect.
        if let Some((s, addr)) = addrs
            .iter()
            .find_map(|a| self.pool.take_tcp(*a).map(|s| (s, *a)))
        {
            return Ok((s, addr));
        }
        for addr in addrs {
            let t = Instant::now();
            let (bound, by_deadline) = self.phase_bound();
            match self.connect_one(addr, bound).await {
                Err(HttpError::Timeout { .. }) if by_deadline => {
                    return Err(timed_out(Phase::Connect, addr, true));
                }
                Ok(s) => {
                    timings.connect = Some(t.elapsed());
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

/// An HTTP/1.1 connection over `tls`, its task in the background (it ends when the
/// sender is dropped and the last response is read).
pub async fn http1(tls: crate::net::tls::Tls) -> Result<Sender, HttpError> {
    let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
        .await
        .map_err(|e| HttpError::Protocol(e.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

fn timed_out(phase: Phase, addr: SocketAddr, by_deadline: bool) -> HttpError {
    if by_deadline {
        HttpError::Deadline { phase, addr }
    } else {
        HttpError::Timeout {
            phase,
            addr: Some(addr),
        }
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
        // EMFILE, ENFILE: the socket could not even be created.
        Ok(Err(e)) if matches!(e.raw_os_error(), Some(23 | 24)) => Err(HttpError::Resources {
            message: e.to_string(),
        }),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => Err(HttpError::Timeout {
            phase: Phase::Connect,
            addr: Some(addr),
        }),
        Ok(Err(e)) => Err(HttpError::Unreachable {
            addr,
            message: e.to_string(),
        }),
        Ok(Ok(s)) => {
            // Small requests must not wait for Nagle + delayed ACK (docs/aws-facts.md#lib-tcp-nodelay).
            let _ = s.set_nodelay(true);
            Ok(s)
        }
    }
}

/// One response of a redirect chain, without its body.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub url: HttpsUrl,
    pub status: u16,
    pub remote: SocketAddr,
    pub timings: Timings,
}

/// Why [`Client::send_following`] stopped.
#[derive(Debug)]
pub struct FollowError<E> {
    /// The request this happened at: the one that failed to send, or the redirect
    /// that was not followed.
    pub url: HttpsUrl,
    /// The last response received, if any.
    pub last: Option<Exchange>,
    pub failure: FollowFailure<E>,
}

#[derive(Debug)]
pub enum FollowFailure<E> {
    Send(HttpError),
    /// A redirect status without a `Location`.
    NoLocation,
    TooMany {
        max: usize,
    },
    /// The `Location` is not an https URL without user info; redacted.
    NotHttps {
        location: String,
        why: UrlError,
    },
    /// The caller's check refused the target.
    Rejected {
        target: HttpsUrl,
        reason: E,
    },
}

/// Headers that identify the sender and must not follow a redirect to another origin.
fn credential_headers(headers: &HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    headers
        .iter()
        .filter(|(name, value)| {
            value.is_sensitive()
                || [
                    header::AUTHORIZATION,
                    header::PROXY_AUTHORIZATION,
                    header::COOKIE,
                ]
                .contains(name)
        })
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

/// The headers of the next request: the others as they were, the credentials only
/// when the target is the original origin (a redirect back to it gets them again).
fn with_credentials_for(
    mut headers: HeaderMap,
    credentials: &[(HeaderName, HeaderValue)],
    same_origin: bool,
) -> HeaderMap {
    for (name, _) in credentials {
        headers.remove(name);
    }
    if same_origin {
        for (name, value) in credentials {
            headers.append(name.clone(), value.clone());
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic QVdTOnB3"),
        );
        let mut token = HeaderValue::from_static("t0ken");
        token.set_sensitive(true);
        h.insert("x-registry-token", token);
        h.insert(header::RANGE, HeaderValue::from_static("bytes=0-9"));
        h
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let creds = credential_headers(&headers());
        assert_eq!(creds.len(), 2);
        let elsewhere = with_credentials_for(headers(), &creds, false);
        assert!(elsewhere.get(header::AUTHORIZATION).is_none());
        assert!(elsewhere.get("x-registry-token").is_none());
        assert_eq!(
            elsewhere.get(header::RANGE).map(|v| v.as_bytes()),
            Some(&b"bytes=0-9"[..])
        );
        // A redirect back to the original origin gets them again.
        let back = with_credentials_for(elsewhere, &creds, true);
        assert_eq!(
            back.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
            Some(&b"Basic QVdTOnB3"[..])
        );
        assert!(
            back.get("x-registry-token")
                .is_some_and(|v| v.is_sensitive())
        );
        assert_eq!(back.len(), 3);
    }

    #[test]
    fn same_origin_means_scheme_host_and_port() {
        let reg = HttpsUrl::parse("https://reg.example:8443/v2/x").unwrap();
        let same = reg.resolve("/blob?x=1").unwrap();
        assert_eq!(same.origin(), reg.origin());
        for other in [
            "https://reg.example/blob",
            "https://reg.example:8444/blob",
            "https://s3.example:8443/blob",
        ] {
            assert_ne!(
                reg.resolve(other).unwrap().origin(),
                reg.origin(),
                "{other}"
            );
        }
        assert!(reg.resolve("http://reg.example:8443/blob").is_err());
    }

    #[test]
    fn requests_show_no_query() {
        let req = Request::get(HttpsUrl::new("reg.example", 8443, "/v2/x?sig=1"));
        assert_eq!(req.display_url(), "https://reg.example:8443/v2/x");
        assert_eq!(req.url.path_and_query(), "/v2/x?sig=1");
    }

    /// A TLS server on 127.0.0.1 that answers the first request on each connection
    /// and, on `drop_second`, hangs up when a second request arrives on the same
    /// connection (a keep-alive that ran out as the request left): the client must
    /// ask again on a new connection. Returns the address and the connection count.
    async fn keep_alive_server(
        drop_second: bool,
    ) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>, Vec<u8>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(der.clone())],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let conns = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = conns.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = vec![0u8; 4096];
                    for n in 0.. {
                        // One read holds a small request whole here.
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) if n > 0 && drop_second => return,
                            Ok(_) => {}
                        }
                        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if tls.write_all(ok).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, conns, der)
    }

    async fn twice(drop_second: bool) -> (Vec<Timings>, usize) {
        let (addr, conns, der) = keep_alive_server(drop_second).await;
        let trust = Trust::new(&[CertificateDer::from(der)]).unwrap();
        let dns = Dns::new(&[], Duration::from_secs(2)).unwrap();
        let client = Client::new(dns, trust, Duration::from_secs(2));
        let url = HttpsUrl::new("127.0.0.1", addr.port(), "/v2/");
        let mut timings = Vec::new();
        for _ in 0..2 {
            let resp = client.send(&Request::get(url.clone())).await.unwrap();
            assert_eq!(resp.status, 200);
            let (body, t) = resp.bytes(1024).await.unwrap();
            assert_eq!(&body[..], b"ok");
            timings.push(t);
        }
        (timings, conns.load(std::sync::atomic::Ordering::SeqCst))
    }

    use rustls::pki_types::CertificateDer;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_second_request_goes_on_the_first_ones_connection() {
        let (timings, conns) = rt().block_on(twice(false));
        assert_eq!(conns, 1);
        assert!(!timings[0].reused && timings[0].tls.is_some());
        assert!(timings[1].reused && timings[1].tls.is_none());
    }

    #[test]
    fn a_kept_connection_the_server_closed_is_asked_again_on_a_new_one() {
        let (timings, conns) = rt().block_on(twice(true));
        assert_eq!(conns, 2);
        assert!(!timings[1].reused && timings[1].tls.is_some());
    }
}
