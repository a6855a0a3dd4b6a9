//! Plain HTTP to the ECS agent's link-local endpoints (task metadata v4, container
//! credentials). These are not part of the pull path, so they need no timing detail:
//! one bounded GET of a small JSON document.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};

/// A plain-HTTP GET of a JSON document from a link-local or loopback endpoint,
/// size-capped (1 MiB) and bounded by `timeout`. Only IP-literal hosts: these URIs
/// never need DNS, and resolving them would ask the VPC resolver for nothing.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    url: &str,
    timeout: Duration,
) -> Result<T, String> {
    const LIMIT: usize = 1024 * 1024;
    let rest = url
        .strip_prefix("http://")
        .ok_or("the metadata URI must be http://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr: SocketAddr = authority
        .parse()
        .or_else(|_| {
            authority
                .parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, 80))
        })
        .map_err(|_| format!("the metadata URI host {authority:?} is not an IP address"))?;
    let fut = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = http::Request::get(path)
            .header(http::header::HOST, authority)
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status().as_u16()));
        }
        let body = http_body_util::Limited::new(resp.into_body(), LIMIT)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        serde_json::from_slice::<T>(&body).map_err(|e| format!("not the expected JSON: {e}"))
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(format!("{url}: timed out")),
    }
}
