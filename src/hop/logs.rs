//! The logs hop: one harmless signed call (`DescribeLogGroups`, limit 1) to the
//! CloudWatch Logs endpoint. Any AWS-shaped answer, even AccessDenied for this role,
//! proves the endpoint serves this subnet, which is what the awslogs driver needs
//! (docs/aws-facts.md#awslogs-logs-endpoint). Only a network failure or an endpoint policy denial matters.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;

use crate::code;
use crate::config::Service;
use crate::denial::{self, DeniedBy};
use crate::diagnose::{self, Cause};
use crate::hop::HopKind;
use crate::hop::HopResult;
use crate::hop::context::Target;
use crate::net::sdk::{SdkFailure, SeenDate, classify_sdk_error};

/// `id`: `logs`, or `logs@<region>` for another region's endpoint.
pub async fn run(sdk: &SdkConfig, target: &Target, id: &str, timeout: Duration) -> HopResult {
    let t0 = Instant::now();
    let url = target.url();
    let region = target.region.as_str();
    let mut hop = HopResult::new(HopKind::Logs, id, url.clone());
    hop.evidence.endpoint = Some(url.clone());
    // The endpoint the dns/tcp/tls hops tested, in the task's own region.
    let seen = SeenDate::default();
    let conf = aws_sdk_cloudwatchlogs::config::Builder::from(sdk)
        .endpoint_url(url.clone())
        .region(aws_config::Region::new(region.to_string()))
        .interceptor(seen.clone());
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(conf.build());
    let result = tokio::time::timeout(
        timeout * 2 + Duration::from_millis(500),
        client.describe_log_groups().limit(1).send(),
    )
    .await;
    let mut hop = hop.dated(seen.get().as_deref());
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
                code, status, body, ..
            } if code == "Unknown" => crate::hop::unreadable_answer(
                hop,
                "logs:DescribeLogGroups",
                status,
                body.as_deref().unwrap_or_default(),
                "no AWS document in the body",
            )
            .timed(t0),
            SdkFailure::Service {
                code,
                message,
                status,
                request_id,
                ..
            } => {
                hop.evidence.http_status = Some(status);
                hop.evidence.aws_error_code = Some(code.clone());
                hop.evidence.error_message = Some(message.clone());
                hop.evidence.request_id = request_id;
                let hop = hop.message(format!("{code}: {message}"));
                if diagnose::says_clock_skew(&code, &message) {
                    let cause = diagnose::clock_skew(hop.evidence.clock_skew_ms);
                    return hop.fail(cause).timed(t0);
                }
                if !code.contains("AccessDenied") {
                    // The endpoint answered as AWS: that is the proof the hop is after.
                    return hop.timed(t0);
                }
                let denial = denial::read(&message);
                let mut hop = hop;
                hop.evidence.record_denial(&denial);
                if denial.by == DeniedBy::VpcEndpointPolicy {
                    let mut cause = diagnose::denial_cause(
                        &denial,
                        Service::Logs,
                        region,
                        "logs:DescribeLogGroups",
                    );
                    // awslogs needs other actions than the probe's own call; the code says
                    // whose fault it is, the hint what awslogs needs.
                    cause.code = code!("logs.denied_endpoint_policy");
                    cause.hint.push_str(&format!(
                        "; the awslogs driver needs logs:CreateLogStream and logs:PutLogEvents allowed for the task execution role in the {endpoint_service} endpoint policy"
                    ));
                    return hop.warn(cause).timed(t0);
                }
                // Any other policy denied the probe's own harmless call: the endpoint
                // served it, which is what this hop proves; awslogs uses other actions.
                let by = denial.by.as_str();
                hop.message(format!(
                    "{code} ({by}): the Logs endpoint answered, so the path works; this denial is of the probe's own DescribeLogGroups, not of what awslogs calls: {message}"
                ))
                .timed(t0)
            }
            SdkFailure::SlowAnswer(m) => hop
                .fail(crate::hop::slow_answer_cause(&url, timeout))
                .message(m)
                .timed(t0),
            SdkFailure::Timeout(m) | SdkFailure::Connect(m) => hop
                .fail(unreachable("no connection".into()))
                .message(m)
                .timed(t0),
            SdkFailure::TooLarge(limit) => {
                hop.fail(crate::hop::too_large_cause(&url, limit)).timed(t0)
            }
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
