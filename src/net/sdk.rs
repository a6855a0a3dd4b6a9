//! Wiring the AWS SDK into the probe's network view: every SDK request (the credential
//! providers: container credentials, IMDS, STS; the probe's own API calls are signed
//! by hand, `hop::calls`) goes through the probe's own HTTP client. So the SDK resolves names through the probe's DNS (the
//! servers the dns hops asked, not `getaddrinfo`), trusts the run's one trust store
//! (with `--ca-bundle`: the SDK ignores `AWS_CA_BUNDLE`,
//! docs/aws-facts.md#lib-aws-sdk-ca-bundle), goes out on the connection the tls hop
//! opened to the address it tested, and reads every answer through a size cap.
//!
//! Retries are off: a probe wants the first, raw failure, not a success after three
//! tries that hides a flaky endpoint ENI.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::net::http::{Client, HttpError, Request};
use crate::net::url::HttpsUrl;

/// The SDK's HTTP client: the probe's own (see the module comment). `tap` keeps the
/// successful answer of one plain-HTTP URL (the container credentials endpoint).
pub fn http_client(client: Client, tap: Option<Tap>) -> SharedHttpClient {
    SharedHttpClient::new(ProbeHttp { client, tap })
}

/// The one URL of the container credentials endpoint, asked once per run: its answer
/// is kept for the hop that needs what the SDK drops (the document's `RoleArn`, an
/// error's reason), and no request goes to it a second time. The SDK's HTTP credential
/// provider retries 5xx answers, transport errors and unreadable 200s three times with
/// a standard retry config of its own, whatever the client's retry config says
/// (aws-config `http_credential_provider.rs`): a probe wants the first, raw failure, so
/// a second attempt is refused here, before it leaves the process, and the hop reports
/// the first.
#[derive(Debug, Clone)]
pub struct Tap {
    url: String,
    state: std::sync::Arc<std::sync::Mutex<TapState>>,
}

#[derive(Debug, Default)]
struct TapState {
    asked: bool,
    answer: Option<(u16, crate::secret::Secret<Bytes>)>,
    failure: Option<String>,
}

/// What the endpoint did with the one request.
#[derive(Debug, Clone)]
pub enum Asked {
    /// Its status and body (a success holds keys: never printed).
    Answer(u16, crate::secret::Secret<Bytes>),
    /// No answer: the transport's error.
    Failed(String),
}

impl Tap {
    pub fn new(url: String) -> Self {
        Tap {
            url,
            state: Default::default(),
        }
    }

    /// A success's body, once: it holds keys, so it is not kept after this.
    pub fn take(&self) -> Option<crate::secret::Secret<Bytes>> {
        let mut state = self.state.lock().ok()?;
        match state.answer.take() {
            Some((status, body)) if (200..300).contains(&status) => Some(body),
            other => {
                state.answer = other;
                None
            }
        }
    }

    /// What the one request got, if it was made.
    pub fn asked(&self) -> Option<Asked> {
        let state = self.state.lock().ok()?;
        match (&state.answer, &state.failure) {
            (Some((status, body)), _) => Some(Asked::Answer(*status, body.clone())),
            (None, Some(f)) => Some(Asked::Failed(f.clone())),
            (None, None) => None,
        }
    }

    /// Whether `url` may be asked now: every URL but the tapped one, and the tapped
    /// one once.
    fn may_ask(&self, url: &str) -> bool {
        if url != self.url {
            return true;
        }
        match self.state.lock() {
            Ok(mut state) => !std::mem::replace(&mut state.asked, true),
            Err(_) => false,
        }
    }

    fn keep(&self, url: &str, outcome: Result<(u16, &Bytes), String>) {
        if url != self.url {
            return;
        }
        if let Ok(mut state) = self.state.lock() {
            match outcome {
                Ok((status, body)) => {
                    state.answer = Some((status, crate::secret::Secret::new(body.clone())))
                }
                Err(e) => state.failure = Some(e),
            }
        }
    }
}

/// The most an SDK response body may hold. A credentials document is kilobytes; the
/// canary task has 512 MiB.
pub const SDK_BODY_LIMIT: u64 = 1024 * 1024;

/// An SDK response larger than [`SDK_BODY_LIMIT`]: refused, not buffered.
#[derive(Debug, thiserror::Error)]
#[error("the response is larger than {limit} bytes, where AWS sends a small document")]
pub struct TooLarge {
    pub limit: u64,
}

/// One connector for every SDK client: all share the probe's client and its pool.
#[derive(Debug, Clone)]
struct ProbeHttp {
    client: Client,
    tap: Option<Tap>,
}

impl HttpClient for ProbeHttp {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        // The connect and read timeouts are the client's own: the same --timeout.
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for ProbeHttp {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let this = self.clone();
        HttpConnectorFuture::new(
            async move { send(&this.client, this.tap.as_ref(), request).await },
        )
    }
}

async fn send(
    client: &Client,
    tap: Option<&Tap>,
    request: HttpRequest,
) -> Result<HttpResponse, ConnectorError> {
    let bad = |what: String| ConnectorError::user(what.into());
    let method =
        Method::from_bytes(request.method().as_bytes()).map_err(|e| bad(format!("method: {e}")))?;
    let mut headers = HeaderMap::new();
    for (name, value) in request.headers() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let value = HeaderValue::from_str(value).map_err(|e| bad(e.to_string()))?;
        headers.append(name, value);
    }
    // The calls the probe makes have small, in-memory bodies.
    let body = request
        .body()
        .bytes()
        .map(Bytes::copy_from_slice)
        .ok_or_else(|| bad("a streaming request body".into()))?;
    let uri = request.uri().to_string();
    let (status, headers, body) = if uri.starts_with("http://") {
        // The container credentials and instance metadata endpoints: link-local or
        // loopback, plain HTTP.
        let req = crate::net::plain_http::PlainRequest {
            method,
            url: &uri,
            headers,
            body,
        };
        if tap.is_some_and(|t| !t.may_ask(&uri)) {
            return Err(ConnectorError::user(
                "not asked again: the probe asks the container credentials endpoint once per run"
                    .into(),
            ));
        }
        let answer =
            crate::net::plain_http::send(req, client.timeout(), SDK_BODY_LIMIT as usize).await;
        if let Some(tap) = tap {
            match &answer {
                Ok((status, _, body)) => tap.keep(&uri, Ok((*status, body))),
                Err(e) => tap.keep(&uri, Err(e.to_string())),
            }
        }
        answer.map_err(|e| match e {
            crate::net::plain_http::PlainError::TooLarge(_) => {
                connector_error(HttpError::TooLarge {
                    limit: SDK_BODY_LIMIT,
                })
            }
            e => ConnectorError::io(e.into()),
        })?
    } else {
        let url = HttpsUrl::parse(&uri).map_err(|e| bad(e.to_string()))?;
        let req = Request {
            method,
            url,
            headers,
            body,
        };
        let resp = client.send(&req).await.map_err(connector_error)?;
        let (status, headers) = (resp.status, resp.headers.clone());
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > SDK_BODY_LIMIT) {
            return Err(connector_error(HttpError::TooLarge {
                limit: SDK_BODY_LIMIT,
            }));
        }
        let (body, _) = resp.bytes(SDK_BODY_LIMIT).await.map_err(connector_error)?;
        (status, headers, body)
    };
    let mut resp = HttpResponse::new(
        status
            .try_into()
            .map_err(|_| bad(format!("status {status}")))?,
        SdkBody::from(body),
    );
    for (name, value) in &headers {
        if let Ok(v) = value.to_str() {
            resp.headers_mut()
                .append(name.as_str().to_string(), v.to_string());
        }
    }
    Ok(resp)
}

/// The client's failure in the SDK's terms, so `classify_sdk_error` tells a timeout
/// from a refused connect as it did with the SDK's own client.
fn connector_error(e: HttpError) -> ConnectorError {
    match e {
        HttpError::TooLarge { limit } => ConnectorError::other(Box::new(TooLarge { limit }), None),
        e @ (HttpError::Timeout { .. } | HttpError::Deadline { .. }) => {
            ConnectorError::timeout(Box::new(e))
        }
        e @ (HttpError::Dns(_)
        | HttpError::Refused { .. }
        | HttpError::Unreachable { .. }
        | HttpError::Truncated { .. }
        | HttpError::Resources { .. }) => ConnectorError::io(Box::new(e)),
        e => ConnectorError::other(Box::new(e), None),
    }
}

/// Whether `err` (or a source of it) is the probe's client giving up on a body whose
/// head had arrived: a slow or stalled answer, not a missing endpoint.
pub fn slow_body(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(e) = source {
        // The run's deadline cutting a body is the deadline's (probe.deadline).
        if let Some(HttpError::Timeout {
            phase: crate::net::http::Phase::Body,
            ..
        }) = e.downcast_ref::<HttpError>()
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// The cap of a refused SDK response, if `err` (or a source of it) is one.
pub fn too_large(err: &(dyn std::error::Error + 'static)) -> Option<u64> {
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<TooLarge>() {
            return Some(t.limit);
        }
        source = e.source();
    }
    None
}

pub async fn sdk_config(http: SharedHttpClient, region: &str, timeout: Duration) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .region(Region::new(region.to_string()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout)
                .read_timeout(timeout)
                .operation_attempt_timeout(timeout * 2)
                .operation_timeout(timeout * 2)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .load()
        .await
}

/// An error and its sources joined with ": " on one line, without the SDK's `Debug`
/// dumps (which would put raw responses into the report).
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    // One line: SDK errors (the credential chain's above all) span several.
    let mut out = parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if out.len() > 500 {
        let cut = (0..=500)
            .rev()
            .find(|i| out.is_char_boundary(*i))
            .unwrap_or(0);
        out.truncate(cut);
        out.push('…');
    }
    out
}
