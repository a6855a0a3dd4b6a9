//! The three clients `launch` uses (ECS, ECR, CloudWatch Logs), from the AWS default
//! credential chain as it is on a laptop (environment, profile, SSO, credential_process;
//! `--profile`, `--region`), sending through the probe's own HTTP client (net::sdk): one
//! TLS stack (rustls with ring) for the whole binary. Endpoint URLs come from the usual
//! variables (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECS`, ...), which is how the lab
//! points `launch` at its control-plane stand-in.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

use crate::net::dns::{Dns, parse_resolv_conf, read_resolv_conf};
use crate::net::http::Client;
use crate::net::tls::Trust;

pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub region: String,
}

/// Why no client could be made: nothing was asked of AWS yet.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no region: pass --region, or set AWS_REGION or the profile's region")]
    NoRegion,
    #[error("no name server in /etc/resolv.conf: {0}")]
    Resolver(String),
    #[error("the trust store: {0}")]
    Trust(String),
}

pub async fn make(
    profile: Option<&str>,
    region: Option<&str>,
    timeout: Duration,
) -> Result<Clients, ClientError> {
    let path = std::path::Path::new("/etc/resolv.conf");
    let servers = read_resolv_conf(path)
        .and_then(|text| parse_resolv_conf(path, &text))
        .map_err(|e| ClientError::Resolver(format!("{e:?}")))?;
    let dns = Dns::new(&servers, timeout).map_err(|e| ClientError::Resolver(e.to_string()))?;
    let trust = Trust::new(&[]).map_err(|e| ClientError::Trust(e.to_string()))?;
    let http = crate::net::sdk::http_client(Client::new(dns, trust, timeout), None);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout)
                .read_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        )
        // Control-plane calls: the SDK's standard retries (throttling happens here),
        // still inside each call's timeout.
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(aws_config::Region::new(r.to_string()));
    }
    let sdk = loader.load().await;
    let region = sdk
        .region()
        .map(|r| r.as_ref().to_string())
        .ok_or(ClientError::NoRegion)?;
    Ok(Clients {
        ecs: aws_sdk_ecs::Client::new(&sdk),
        ecr: aws_sdk_ecr::Client::new(&sdk),
        logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
        region,
    })
}
