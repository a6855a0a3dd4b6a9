//! `logs:DescribeLogGroups` (limit 1) through the CloudWatch Logs endpoint. Any
//! AWS-shaped answer, even AccessDenied for this role, proves the endpoint serves this
//! subnet, which is what the awslogs driver needs (docs/aws-facts.md#awslogs-logs-endpoint).
//! Only a network failure or an endpoint policy denial matters.

use crate::causes::code;
use crate::denial::{Denial, DeniedBy};
use crate::diagnose::{self, Cause};
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, json11, transport_as_classed};
use crate::hop_kind::HopKind;
use crate::net::aws_call::Answer;
use crate::net::http::HttpError;
use crate::plan::Target;

pub struct DescribeLogGroups;

const ACTION: &str = "logs:DescribeLogGroups";

impl ApiCall for DescribeLogGroups {
    fn action(&self) -> &'static str {
        ACTION
    }

    fn kind(&self) -> HopKind {
        HopKind::Logs
    }

    fn request(&self, _: &Target) -> Request {
        json11(
            "Logs_20140328.DescribeLogGroups",
            serde_json::json!({ "limit": 1 }),
            vec![],
        )
    }

    fn start_up(&self) -> &'static str {
        "logs:CreateLogStream and logs:PutLogEvents"
    }

    fn denied(&self, hop: HopResult, denial: &Denial, cx: &Cx) -> HopResult {
        let t = cx.target;
        if denial.by == DeniedBy::VpcEndpointPolicy {
            let mut cause = diagnose::denial_cause(denial, t.service, &t.region, ACTION);
            // awslogs needs other actions than the probe's own call; the code says whose
            // fault it is, the hint what awslogs needs.
            cause.code = code!("logs.denied_endpoint_policy");
            cause.hint.push_str(&format!(
                "; the awslogs driver needs {} allowed for the task execution role in the {} endpoint policy",
                self.start_up(),
                t.service.endpoint_service(&t.region)
            ));
            return hop.warn(cause);
        }
        // Any other policy denied the probe's own harmless call: the endpoint served
        // it, which is what this hop proves; awslogs uses other actions.
        let code = hop
            .evidence
            .as_call()
            .and_then(|c| c.aws_error_code.clone())
            .unwrap_or_default();
        let message = hop.evidence.error_message.clone().unwrap_or_default();
        let by = denial.by.as_str();
        hop.message(format!(
            "{code} ({by}): the Logs endpoint answered, so the path works; this denial is of the probe's own DescribeLogGroups, not of what awslogs calls: {message}"
        ))
    }

    /// The endpoint answered as AWS: that is the proof the hop is after.
    fn error(&self, hop: HopResult, _: &str, _: &str, _: &Cx) -> HopResult {
        hop
    }

    fn not_aws(&self, hop: HopResult, a: &Answer, _: &Cx) -> HopResult {
        crate::hop::unreadable_answer(
            hop,
            ACTION,
            a.status,
            &a.body,
            "no AWS document in the body",
        )
    }

    fn transport(&self, hop: HopResult, e: &HttpError, cx: &Cx) -> HopResult {
        let no_connection = unreachable(cx.target, "no connection");
        let other = Cause::new(
            code!("logs.error"),
            "the DescribeLogGroups call failed; see the message",
        );
        transport_as_classed(hop, e, cx, no_connection.clone(), no_connection, other)
    }

    fn no_answer(&self, hop: HopResult, cx: &Cx) -> HopResult {
        hop.fail(unreachable(cx.target, "timeout"))
    }

    fn failed_code(&self) -> crate::causes::Code {
        code!("logs.error")
    }
}

fn unreachable(t: &Target, m: &str) -> Cause {
    Cause::new(
        code!("logs.unreachable"),
        format!(
            "the CloudWatch Logs endpoint did not answer ({m}): tasks using the awslogs driver will fail to start (ResourceInitializationError: failed to validate logger args); create the interface endpoint {} with private DNS and allow 443 from this subnet in its security group",
            t.service.endpoint_service(&t.region)
        ),
    )
}
