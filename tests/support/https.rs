//! A fake HTTPS/1.1 server on 127.0.0.1 for the hop tests: tokio + tokio-rustls and a
//! minimal request parser, with a per-test handler closure that maps a request to a
//! response. Every request is recorded, so tests can assert what the probe sent (e.g.
//! that S3 never saw an `Authorization` header).
//!
//! One request per connection (`Connection: close`), any number of connections. A
//! connection that never completes a handshake (the probe's tcp hop) or never sends a
//! request (its tls hop) is simply dropped. Each connection is bounded in time.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long one connection may live on the fake's side.
const CONNECTION_LIMIT: Duration = Duration::from_secs(20);
/// Request heads and bodies the probe or the SDK send are small.
const REQUEST_LIMIT: usize = 256 * 1024;

/// A certificate and its key, self-signed (its own trust anchor when in the bundle).
#[derive(Clone)]
pub struct Identity {
    pub cert_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl Identity {
    /// A self-signed certificate for `names` with subject (and so issuer) CN=`cn`.
    pub fn self_signed(cn: &str, names: &[&str]) -> Identity {
        let key = rcgen::KeyPair::generate().expect("key pair");
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("certificate params");
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, cn);
        params.distinguished_name = dn;
        let cert = params.self_signed(&key).expect("self-signed certificate");
        Identity {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }

    fn server_config(&self) -> Arc<ServerConfig> {
        let mut cfg =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from(self.cert_der.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
                )
                .expect("server certificate");
        // HTTP/1.1 only: the SDK offers h2 too, and this parser speaks only 1.1.
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(cfg)
    }
}

/// A request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// What the handler answers.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A `Content-Length` to announce instead of the body's length (to cut a body
    /// short: the connection closes after `body`).
    pub declared_length: Option<usize>,
    /// Send nothing and hold the connection open (until the fake's own limit).
    pub stall: bool,
    /// Send the body one byte at a time, this far apart (a slow-drip server).
    pub trickle: Option<Duration>,
    /// Send the response head one byte at a time, this far apart (slowloris).
    pub slow_head: Option<Duration>,
    /// Instead of `body`, this many bytes of filler, generated as they are sent (a
    /// huge answer without holding it in memory); chunked when `.1`.
    pub generated: Option<(u64, bool)>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            declared_length: None,
            stall: false,
            trickle: None,
            slow_head: None,
            generated: None,
        }
    }

    /// The body a byte at a time, `every` apart.
    pub fn trickle(mut self, every: Duration) -> Response {
        self.trickle = Some(every);
        self
    }

    /// The head a byte at a time, `every` apart.
    pub fn slow_head(mut self, every: Duration) -> Response {
        self.slow_head = Some(every);
        self
    }

    /// `len` bytes of filler as the body, announced with a length or sent chunked.
    pub fn generated(mut self, len: u64, chunked: bool) -> Response {
        self.generated = Some((len, chunked));
        self
    }

    /// Never answer: read the request, then hold the connection silently.
    pub fn stall() -> Response {
        Response {
            stall: true,
            ..Response::new(500)
        }
    }

    pub fn with_body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status)
            .header("Content-Type", content_type)
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// Announce `n` bytes but send only the body, then close.
    pub fn declared_length(mut self, n: usize) -> Response {
        self.declared_length = Some(n);
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

pub struct FakeHttps {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeHttps {
    /// Listen on a fresh loopback port and serve `handler` with `identity`.
    pub async fn start(identity: &Identity, handler: Handler) -> FakeHttps {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind https");
        let addr = listener.local_addr().expect("https local addr");
        let acceptor = TlsAcceptor::from(identity.server_config());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                // Without it small responses wait ~40 ms for Nagle + delayed ACK
                // (docs/aws-facts.md#lib-tcp-nodelay).
                let _ = tcp.set_nodelay(true);
                let (acceptor, handler, log) = (acceptor.clone(), handler.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIMIT, async move {
                        let Ok(tls) = acceptor.accept(tcp).await else {
                            return;
                        };
                        serve_one(tls, &handler, &log).await;
                    })
                    .await;
                });
            }
        });
        FakeHttps { addr, requests }
    }

    /// The same server in plain HTTP (the ECS agent's endpoints: task metadata and
    /// container credentials are http:// on a link-local or loopback address).
    pub async fn start_plain(handler: Handler) -> FakeHttps {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind http");
        let addr = listener.local_addr().expect("http local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_LIMIT, serve_one(tcp, &handler, &log))
                        .await;
                });
            }
        });
        FakeHttps { addr, requests }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("request log").clone()
    }
}

/// One request, one response, in whatever shape the handler asked for.
async fn serve_one(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    handler: &Handler,
    log: &Mutex<Vec<Request>>,
) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    if let Ok(mut l) = log.lock() {
        l.push(req.clone());
    }
    let resp = handler(&req);
    if resp.stall {
        // Ended by CONNECTION_LIMIT or by the runtime's shutdown.
        std::future::pending::<()>().await;
    }
    let head = head(&resp);
    match resp.slow_head {
        Some(every) => {
            for b in head {
                if stream.write_all(&[b]).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        }
        None => {
            let _ = stream.write_all(&head).await;
        }
    }
    match (resp.generated, resp.trickle) {
        (Some((len, chunked)), _) => {
            let block = vec![b'A'; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                let sent = if chunked {
                    let size = format!("{n:x}\r\n");
                    stream.write_all(size.as_bytes()).await.is_ok()
                        && stream.write_all(&block[..n]).await.is_ok()
                        && stream.write_all(b"\r\n").await.is_ok()
                } else {
                    stream.write_all(&block[..n]).await.is_ok()
                };
                // The probe hung up, as it should, long before the end.
                if !sent {
                    return;
                }
                left -= n as u64;
            }
            if chunked {
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
        }
        (None, Some(every)) => {
            for b in &resp.body {
                if stream.write_all(&[*b]).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        }
        (None, None) => {
            let _ = stream.write_all(&resp.body).await;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

fn head(resp: &Response) -> Vec<u8> {
    let reason = http::StatusCode::from_u16(resp.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut h = format!("HTTP/1.1 {} {reason}\r\n", resp.status);
    for (k, v) in &resp.headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    match resp.generated {
        Some((_, true)) => h.push_str("Transfer-Encoding: chunked\r\n"),
        Some((len, false)) => h.push_str(&format!("Content-Length: {len}\r\n")),
        None => {
            let len = resp.declared_length.unwrap_or(resp.body.len());
            h.push_str(&format!("Content-Length: {len}\r\n"));
        }
    }
    h.push_str("Connection: close\r\n\r\n");
    h.into_bytes()
}

/// Read one request: head, then a `Content-Length` or chunked body. None on EOF,
/// garbage or a request larger than [`REQUEST_LIMIT`].
async fn read_request(stream: &mut (impl AsyncRead + Unpin)) -> Option<Request> {
    let mut buf: Vec<u8> = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > REQUEST_LIMIT || !fill(stream, &mut buf).await {
            return None;
        }
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let body = if let Some(len) = get("content-length") {
        let len: usize = len.parse().ok()?;
        if len > REQUEST_LIMIT {
            return None;
        }
        while rest.len() < len {
            if !fill(stream, &mut rest).await {
                return None;
            }
        }
        rest.truncate(len);
        rest
    } else if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        read_chunked(stream, rest).await?
    } else {
        Vec::new()
    };
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

async fn read_chunked(stream: &mut (impl AsyncRead + Unpin), mut buf: Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(&buf, b"\r\n") {
                break i;
            }
            if buf.len() > REQUEST_LIMIT || !fill(stream, &mut buf).await {
                return None;
            }
        };
        let size_text = String::from_utf8(buf[..line_end].to_vec()).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if body.len() + size > REQUEST_LIMIT {
            return None;
        }
        buf.drain(..line_end + 2);
        while buf.len() < size + 2 {
            if !fill(stream, &mut buf).await {
                return None;
            }
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
        if size == 0 {
            // Trailers are not used by the probe or the SDK; the last CRLF was drained.
            return Some(body);
        }
    }
}

/// Append what the stream has; false on EOF or error.
async fn fill(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
