//! `kms:DescribeKey` on the key asked for, else `alias/aws/secretsmanager`: the key's
//! metadata, never a decryption (`Decrypt` is never called,
//! docs/aws-facts.md#harmless-calls). Also the rule the secret and parameter calls
//! share: a customer managed key makes the start-up call kms:Decrypt too.

use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Request, json11};
use crate::plan::{Plan, Target};

/// The AWS managed key every account has for Secrets Manager (used when no key is named).
pub const DEFAULT_KEY: &str = "alias/aws/secretsmanager";

pub struct DescribeKey;

impl ApiCall for DescribeKey {
    fn action(&self) -> &'static str {
        "kms:DescribeKey"
    }

    fn request(&self, t: &Target) -> Request {
        let key = t
            .call_args
            .first()
            .map(String::as_str)
            .unwrap_or(DEFAULT_KEY);
        json11(
            "TrentService.DescribeKey",
            serde_json::json!({ "KeyId": key }),
            vec![key.to_string()],
        )
    }

    fn start_up(&self) -> &'static str {
        "kms:Decrypt (secrets under a customer managed key)"
    }
}

/// A secret or parameter under a customer managed key makes ECS call kms:Decrypt
/// through the kms endpoint too; without a kms check in this run, say so.
pub fn customer_key(hop: HopResult, plan: &Plan) -> HopResult {
    let kms_probed = plan
        .targets
        .iter()
        .any(|t| t.service == crate::aws::Service::Kms);
    let key = hop
        .evidence
        .as_call()
        .and_then(|c| c.kms_key_id.clone())
        .filter(|k| !is_aws_managed(k));
    match key {
        Some(k) if !kms_probed && hop.passed() => hop.warn(Cause::new(
            code!("service.kms_needed"),
            format!(
                "encrypted with the customer managed key {k}: at start-up ECS also calls kms:Decrypt through the kms endpoint; check it with --check kms={k}"
            ),
        )),
        _ => hop,
    }
}

/// `alias/aws/…` keys (and absent ones) are AWS managed: no kms call of the task's own.
pub fn is_aws_managed(key: &str) -> bool {
    key.starts_with("alias/aws/") || key.contains(":alias/aws/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_key_and_managed_keys() {
        let t = crate::hop::calls::tests::target(crate::aws::Service::Kms, &[]);
        assert!(DescribeKey.request(&t).body.contains(DEFAULT_KEY));
        assert!(
            is_aws_managed("alias/aws/ssm") && !is_aws_managed("arn:aws:kms:us-east-1:1:key/k")
        );
    }
}
