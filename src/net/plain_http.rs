//! Plain HTTP to the ECS agent's link-local endpoints (task metadata v4, container
//! credentials). These are not part of the pull path, so they need no timing detail:
//! one bounded GET of a small JSON document.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use http_body_util::{BodyExt, Full};

/// A plain-HTTP GET of a JSON document from a link-local or loopback endpoint,
/// size-capped (1 MiB) and bounded by `timeout`. Only IP-literal hosts: these URIs
/// never need DNS, and resolving them would ask the VPC resolver for nothing.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    url: &str,
    timeout: Duration,
) -> Result<T, String> {
    let (status, body) = get(url, None, timeout, 1024 * 1024).await?;
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}"));
    }
    serde_json::from_slice::<T>(&body).map_err(|e| format!("not the expected JSON: {e}"))
}

/// A plain-HTTP GET with an optional `Authorization` value (the container credentials
/// endpoint's token), whatever the status: the status and at most `limit` bytes of the
/// body (more is an error).
pub async fn get(
    url: &str,
    authorization: Option<&str>,
    timeout: Duration,
    limit: usize,
) -> Result<(u16, Bytes), String> {
    let mut headers = HeaderMap::new();
    if let Some(a) = authorization {
        let value = HeaderValue::from_str(a).map_err(|e| e.to_string())?;
        headers.insert(http::header::AUTHORIZATION, value);
    }
    let req = PlainRequest {
        method: Method::GET,
        url,
        headers,
        body: Bytes::new(),
    };
    let (status, _, body) = send(req, timeout, limit).await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Other(String),
}

/// One plain-HTTP request (the SDK's credential providers send PUTs and headers).
pub struct PlainRequest<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Send `req`, bounded by `timeout` in all: the status, headers and at most `limit`
/// bytes of the body (more is an error).
pub async fn send(
    req: PlainRequest<'_>,
    timeout: Duration,
    limit: usize,
) -> Result<(u16, HeaderMap, Bytes), PlainError> {
    let other = PlainError::Other;
    let url = req.url;
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| other("the metadata URI must be http://".into()))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr = socket_addr(authority).map_err(other)?;
    let fut = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| other(e.to_string()))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                .await
                .map_err(|e| other(e.to_string()))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut request = http::Request::builder().method(req.method).uri(path);
        if let Some(h) = request.headers_mut() {
            *h = req.headers;
            h.insert(
                http::header::HOST,
                HeaderValue::from_str(authority).map_err(|e| other(e.to_string()))?,
            );
        }
        let request = request
            .body(Full::new(req.body))
            .map_err(|e| other(e.to_string()))?;
        let resp = sender
            .send_request(request)
            .await
            .map_err(|e| other(e.to_string()))?;
        let (parts, body) = resp.into_parts();
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(PlainError::TooLarge(limit));
        }
        let body = http_body_util::Limited::new(body, limit)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    PlainError::TooLarge(limit)
                } else {
                    other(e.to_string())
                }
            })?
            .to_bytes();
        Ok((parts.status.as_u16(), parts.headers, body))
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(other(format!("{url}: timed out"))),
    }
}

/// These endpoints are IP literals (or `localhost`, which the container credentials
/// provider accepts): resolving anything else would ask the VPC resolver for nothing.
fn socket_addr(authority: &str) -> Result<SocketAddr, String> {
    let not_ip = || format!("the metadata URI host {authority:?} is not an IP address");
    if let Ok(addr) = authority.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
            (h, p.parse::<u16>().map_err(|_| not_ip())?)
        }
        _ => (authority, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port));
    }
    host.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .map_err(|_| not_ip())
}
