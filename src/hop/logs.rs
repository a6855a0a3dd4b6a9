//! The logs hop: one harmless signed call (`DescribeLogGroups`, limit 1) to the
//! CloudWatch Logs endpoint. Any AWS-shaped answer, even AccessDenied for this role,
//! proves the endpoint serves this subnet, which is what the awslogs driver needs
//! (docs/aws-facts.md#awslogs-logs-endpoint). Only a network failure or an endpoint policy denial matters.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;

use crate::code;
use crate::config::Service;
use crate::diagnose::{self, Cause};
use crate::hop::HopKind;
use crate::hop::HopResult;
use crate::hop::context::Target;
use crate::net::sdk::{SdkFailure, classify_sdk_error};

/// `id`: `logs`, or `logs@<region>` for another region's endpoint.
pub async fn run(sdk: &SdkConfig, target: &Target, id: &str, timeout: Duration) -> HopResult {
    let t0 = Instant::now();
    let url = target.url();
    let region = target.region.as_str();
    let mut hop = HopResult::new(HopKind::Logs, id, url.clone());
    hop.evidence.endpoint = Some(url.clone());
    // The endpoint the dns/tcp/tls hops tested, in the task's own region.
    let conf = aws_sdk_cloudwatchlogs::config::Builder::from(sdk)
        .endpoint_url(url.clone())
        .region(aws_config::Region::new(region.to_string()));
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(conf.build());
    let result = tokio::time::timeout(
        timeout * 2 + Duration::from_millis(500),
        client.describe_log_groups().limit(1).send(),
    )
    .await;
    let endpoint_service = Service::Logs.endpoint_service(region);
    let unreachable = |m: String| {
        Cause::new(
            code!("logs.unreachable"),
            format!(
                "the CloudWatch Logs endpoint did not answer ({m}): tasks using the awslogs driver will fail to start (ResourceInitializationError: failed to validate logger args); create the interface endpoint {endpoint_service} with private DNS and allow 443 from this subnet in its security group"
            ),
        )
    };
    match result {
        Err(_) => hop.fail(unreachable("timeout".into())).timed(t0),
        Ok(Ok(_)) => {
            hop.evidence.http_status = Some(200);
            hop.timed(t0)
        }
        Ok(Err(e)) => match classify_sdk_error(&e) {
            SdkFailure::Service {
                code,
                message,
                status,
                request_id,
            } => {
                hop.evidence.http_status = Some(status);
                hop.evidence.aws_error_code = Some(code.clone());
                hop.evidence.error_message = Some(message.clone());
                hop.evidence.request_id = request_id;
                let gate = diagnose::denied_by(&message);
                if code.contains("AccessDenied") {
                    hop.evidence.denied_by = Some(gate);
                }
                let hop = hop.message(format!("{code}: {message}"));
                match gate {
                    diagnose::DeniedBy::VpcEndpointPolicy | diagnose::DeniedBy::ExplicitDeny if code.contains("AccessDenied") => hop
                        .warn(Cause::new(
                            code!("logs.denied_endpoint_policy"),
                            format!("the Logs endpoint answers, but its policy denies calls: make sure the {endpoint_service} endpoint policy allows logs:CreateLogStream and logs:PutLogEvents for the task execution role"),
                        ))
                        .timed(t0),
                    // The endpoint answered as AWS: that is the proof the hop is after.
                    _ => hop.timed(t0),
                }
            }
            SdkFailure::Timeout(m) | SdkFailure::Connect(m) => hop
                .fail(unreachable("no connection".into()))
                .message(m)
                .timed(t0),
            SdkFailure::Other(m) => hop
                .fail(Cause::new(
                    code!("logs.error"),
                    "the DescribeLogGroups call failed; see the message",
                ))
                .message(m)
                .timed(t0),
        },
    }
}
