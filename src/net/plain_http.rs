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
        let mut req = http::Request::get(path).header(http::header::HOST, authority);
        if let Some(a) = authorization {
            req = req.header(http::header::AUTHORIZATION, a);
        }
        let req = req.body(Empty::<Bytes>::new()).map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = http_body_util::Limited::new(resp.into_body(), limit)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    };
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(format!("{url}: timed out")),
    }
}
