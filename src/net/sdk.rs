//! Wiring the AWS SDK into the probe's network view: its connections resolve names
//! through the probe's DNS (the same servers the dns hops asked, not `getaddrinfo`) and
//! trust the same extra CA bundle (the SDK ignores `AWS_CA_BUNDLE`, docs/aws-facts.md#lib-aws-sdk-ca-bundle).
//!
//! Retries are off: a probe wants the first, raw failure, not a success after three
//! tries that hides a flaky endpoint ENI.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;

use crate::net::dns::Dns;

#[derive(Debug, Clone)]
struct SdkDns(Dns);

#[derive(Debug, thiserror::Error)]
#[error("DNS lookup of {host} failed: {reason}")]
struct LookupFailed {
    host: String,
    reason: String,
}

impl ResolveDns for SdkDns {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        DnsFuture::new(async move {
            self.0.lookup_ips(name).await.map_err(|e| {
                ResolveDnsError::new(LookupFailed {
                    host: name.to_string(),
                    reason: e.describe(),
                })
            })
        })
    }
}

/// `extra_pem`: the `--ca-bundle` file, trusted on top of the public roots.
pub fn http_client(dns: &Dns, extra_pem: Option<&[u8]>) -> Result<SharedHttpClient, String> {
    // The same anchors as the hand-made hops (crate::net::tls), so the ecr_token and
    // logs hops judge certificates exactly as the tls hops did.
    let trust = TrustStore::empty()
        .with_native_roots(true)
        .with_pem_certificate(crate::net::tls::sdk_pem(extra_pem));
    let ctx = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| e.to_string())?;
    let inner = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(ctx)
        .build_with_resolver(SdkDns(dns.clone()));
    Ok(SharedHttpClient::new(Capped(inner)))
}

/// The most an SDK response body may hold. The calls the probe makes (a token, one log
/// group, a credentials document) answer in kilobytes; the canary task has 512 MiB.
pub const SDK_BODY_LIMIT: u64 = 1024 * 1024;

/// An SDK response larger than [`SDK_BODY_LIMIT`]: refused, not buffered.
#[derive(Debug, thiserror::Error)]
#[error("the response is larger than {limit} bytes, where AWS sends a small document")]
pub struct TooLarge {
    pub limit: u64,
}

/// The SDK's HTTP client with every response body read through a size cap, for every
/// client built from the SDK config: ECR, CloudWatch Logs, and the credential
/// providers (container credentials, IMDS, STS), which use the same client.
#[derive(Debug)]
struct Capped(SharedHttpClient);

impl HttpClient for Capped {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(CappedConnector(self.0.http_connector(settings, components)))
    }
}

#[derive(Debug)]
struct CappedConnector(SharedHttpConnector);

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move {
            let mut resp = inner.call(request).await?;
            let too_large = || {
                ConnectorError::other(
                    Box::new(TooLarge {
                        limit: SDK_BODY_LIMIT,
                    }),
                    None,
                )
            };
            let declared = resp
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > SDK_BODY_LIMIT) {
                return Err(too_large());
            }
            // The SDK parses non-streaming answers from memory anyway: read it here,
            // under the cap, and hand it on whole. The SDK's operation timeout bounds it.
            let mut body = resp.take_body();
            let mut buf: Vec<u8> = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(ConnectorError::io)?;
                if let Ok(data) = frame.into_data() {
                    if (buf.len() + data.len()) as u64 > SDK_BODY_LIMIT {
                        return Err(too_large());
                    }
                    buf.extend_from_slice(&data);
                }
            }
            *resp.body_mut() = SdkBody::from(buf);
            Ok(resp)
        })
    }
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

/// The `Date` of the last answer an SDK call got, for the clock comparison
/// (crate::net::clock): the SDK's outputs drop the headers of a success. Attach one per
/// call with the client config's `interceptor`.
#[derive(Debug, Clone, Default)]
pub struct SeenDate(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl SeenDate {
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok()?.clone()
    }
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for SeenDate {
    fn name(&self) -> &'static str {
        "vpce-probe: date seen"
    }

    fn read_after_transmit(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let (Some(d), Ok(mut slot)) = (ctx.response().headers().get("date"), self.0.lock()) {
            // A date is 29 bytes; a hostile server's header is not kept whole.
            *slot = Some(d.chars().take(64).collect());
        }
        Ok(())
    }
}

/// An SDK call's failure, reduced to what the report needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkFailure {
    /// AWS answered with an error (code, message, HTTP status).
    Service {
        code: String,
        message: String,
        status: u16,
        request_id: Option<String>,
    },
    Timeout(String),
    Connect(String),
    /// The answer was larger than [`SDK_BODY_LIMIT`].
    TooLarge(u64),
    Other(String),
}

pub fn classify_sdk_error<E>(
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> SdkFailure
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let text = error_chain(err);
    if let Some(limit) = too_large(err) {
        return SdkFailure::TooLarge(limit);
    }
    match err {
        SdkError::ServiceError(ctx) => SdkFailure::Service {
            code: ctx.err().code().unwrap_or("Unknown").to_string(),
            message: ctx.err().message().unwrap_or_default().to_string(),
            status: ctx.raw().status().as_u16(),
            request_id: ctx
                .raw()
                .headers()
                .get("x-amzn-requestid")
                .or_else(|| ctx.raw().headers().get("x-amz-request-id"))
                .map(str::to_string),
        },
        SdkError::TimeoutError(_) => SdkFailure::Timeout(text),
        SdkError::DispatchFailure(d) if d.is_timeout() => SdkFailure::Timeout(text),
        SdkError::DispatchFailure(d) if d.is_io() => SdkFailure::Connect(text),
        _ => SdkFailure::Other(text),
    }
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
