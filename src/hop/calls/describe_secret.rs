//! `secretsmanager:DescribeSecret` on the task's secret: the secret's metadata (name,
//! ARN, rotation, KMS key), never its value (`GetSecretValue` is never called,
//! docs/aws-facts.md#harmless-calls).

use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, describe_key, json11};
use crate::net::aws_call::{self, Answer};
use crate::plan::Target;

/// DescribeSecret on a name no account has: any answer proves the endpoint, and no
/// secret's metadata is returned (used when no secret is named).
pub const NO_SUCH_SECRET: &str = "vpce-probe/endpoint-check-no-such-secret";

pub struct DescribeSecret;

impl ApiCall for DescribeSecret {
    fn action(&self) -> &'static str {
        "secretsmanager:DescribeSecret"
    }

    fn request(&self, t: &Target) -> Request {
        let id = t
            .call_args
            .first()
            .map(String::as_str)
            .unwrap_or(NO_SUCH_SECRET);
        json11(
            "secretsmanager.DescribeSecret",
            serde_json::json!({ "SecretId": id }),
            vec![id.to_string()],
        )
    }

    fn start_up(&self) -> &'static str {
        "secretsmanager:GetSecretValue (secrets, repositoryCredentials)"
    }

    fn answered(
        &self,
        mut hop: HopResult,
        a: &Answer,
        cx: &Cx,
    ) -> (HopResult, Option<crate::hop::calls::Token>) {
        hop.evidence.call().kms_key_id = aws_call::json_field(&a.body, "KmsKeyId");
        (describe_key::customer_key(hop, cx.plan), None)
    }
}
