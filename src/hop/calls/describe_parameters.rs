//! `ssm:DescribeParameters` filtered to the task's parameter names: their metadata
//! (name, type, KMS key), never a value (`GetParameters` is never called,
//! docs/aws-facts.md#harmless-calls). A named parameter missing from the answer is the
//! task's ParameterNotFound at start-up.

use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, Token, describe_key, json_object, json11};
use crate::net::aws_call::Answer;
use crate::plan::Target;

/// DescribeParameters takes at most 50 names in one filter.
const MAX_PARAMETER_NAMES: usize = 50;

pub struct DescribeParameters;

impl ApiCall for DescribeParameters {
    fn action(&self) -> &'static str {
        "ssm:DescribeParameters"
    }

    fn request(&self, t: &Target) -> Request {
        use serde_json::json;
        let target = "AmazonSSM.DescribeParameters";
        if t.call_args.is_empty() {
            return json11(target, json!({ "MaxResults": 1 }), vec![]);
        }
        let names: Vec<&String> = t.call_args.iter().take(MAX_PARAMETER_NAMES).collect();
        json11(
            target,
            json!({
                "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": names }],
                "MaxResults": MAX_PARAMETER_NAMES,
            }),
            names.into_iter().cloned().collect(),
        )
    }

    fn start_up(&self) -> &'static str {
        "ssm:GetParameters (secrets)"
    }

    fn unreadable(&self, body: &[u8]) -> Option<&'static str> {
        let doc = json_object(body).err();
        doc.or_else(|| {
            let listed = json_object(body)
                .ok()
                .and_then(|d| d.get("Parameters").map(serde_json::Value::is_array));
            (listed != Some(true))
                .then_some("JSON without the Parameters list DescribeParameters returns")
        })
    }

    fn answered(&self, mut hop: HopResult, a: &Answer, cx: &Cx) -> (HopResult, Option<Token>) {
        if hop.evidence.call().resources.is_empty() {
            return (hop, None);
        }
        let params = parameters(&a.body);
        hop.evidence.call().kms_key_id = params
            .iter()
            .filter_map(|(_, k)| k.clone())
            .find(|k| !describe_key::is_aws_managed(k));
        let found: Vec<String> = params.into_iter().map(|(n, _)| n).collect();
        let missing: Vec<String> = hop
            .evidence
            .call()
            .resources
            .iter()
            .filter(|n| !found.contains(n))
            .cloned()
            .collect();
        hop.evidence.call().found = Some(found.len() as u32);
        if !missing.is_empty() {
            return (hop.warn(Cause::new(
                code!("service.not_found"),
                format!(
                    "the endpoint serves, but no parameter {} exists in this account and region: the task's start-up fails with ResourceInitializationError (ParameterNotFound) until it does",
                    missing.join(", ")
                ),
            )), None);
        }
        (describe_key::customer_key(hop, cx.plan), None)
    }
}

/// The `Name` and `KeyId` of each parameter DescribeParameters returned (metadata,
/// never a value).
fn parameters(body: &[u8]) -> Vec<(String, Option<String>)> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "PascalCase")]
    struct Doc {
        parameters: Vec<Meta>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "PascalCase")]
    struct Meta {
        name: String,
        key_id: Option<String>,
    }
    serde_json::from_slice::<Doc>(body)
        .unwrap_or_default()
        .parameters
        .into_iter()
        .map(|m| (m.name, m.key_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_metadata_only() {
        let t = crate::hop::calls::tests::target(crate::aws::Service::Ssm, &["/app/db", "flat"]);
        let r = DescribeParameters.request(&t);
        assert!(
            r.body.contains(r#""Values":["/app/db","flat"]"#),
            "{}",
            r.body
        );
        assert_eq!(r.resources, ["/app/db", "flat"]);
        assert_eq!(
            parameters(br#"{"Parameters":[{"Name":"/app/db","Type":"SecureString"},{"Name":"/b","KeyId":"arn:aws:kms:us-east-1:1:key/k"}]}"#),
            [
                ("/app/db".to_string(), None),
                ("/b".to_string(), Some("arn:aws:kms:us-east-1:1:key/k".to_string()))
            ]
        );
        assert!(DescribeParameters.unreadable(b"{}").is_some());
        assert!(
            DescribeParameters
                .unreadable(br#"{"Parameters":[]}"#)
                .is_none()
        );
    }
}
