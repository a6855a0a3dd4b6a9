//! `secretsmanager:DescribeSecret` on the task's secret: the secret's metadata (name,
//! ARN, rotation, KMS key, `VersionIdsToStages`), never its value (`GetSecretValue` is
//! never called, docs/aws-facts.md#harmless-calls). A `valueFrom` that names a version
//! stage or a version id is checked against `VersionIdsToStages`: a stage or id no
//! version has is the task's start-up failure, its own cause.

use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, describe_key, json_object, json11};
use crate::net::aws_call::{self, Answer};
use crate::plan::Target;

/// DescribeSecret on a name no account has: any answer proves the endpoint, and no
/// secret's metadata is returned (used when no secret is named).
pub const NO_SUCH_SECRET: &str = "vpce-probe/endpoint-check-no-such-secret";

pub struct DescribeSecret;

/// The first secret the target names: its id (an ARN without `valueFrom`'s suffix, or a
/// name), and the version stage and id `valueFrom` names after it (`needs.rs`'s
/// `SecretNeed::call_arg`: `<arn>::<stage>:<id>`).
struct Wanted<'a> {
    id: &'a str,
    stage: Option<&'a str>,
    version_id: Option<&'a str>,
}

fn wanted(t: &Target) -> Wanted<'_> {
    let arg = t
        .call_args
        .first()
        .map(String::as_str)
        .unwrap_or(NO_SUCH_SECRET);
    let parts: Vec<&str> = arg.split(':').collect();
    let is_arn = parts.first() == Some(&"arn") && parts.get(5) == Some(&"secret");
    if !is_arn || parts.len() <= 7 {
        return Wanted {
            id: arg,
            stage: None,
            version_id: None,
        };
    }
    let id_len = parts[..7].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
    let given = |i: usize| parts.get(i).copied().filter(|p| !p.is_empty());
    Wanted {
        id: &arg[..id_len],
        stage: given(8),
        version_id: given(9),
    }
}

impl ApiCall for DescribeSecret {
    fn action(&self) -> &'static str {
        "secretsmanager:DescribeSecret"
    }

    fn request(&self, t: &Target) -> Request {
        let id = wanted(t).id;
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
        let hop = match version_missing(&wanted(cx.target), &a.body) {
            Some(cause) => hop.fail(cause),
            None => hop,
        };
        (describe_key::customer_key(hop, cx.plan), None)
    }
}

/// The stage or version id `valueFrom` names that `VersionIdsToStages` does not list.
/// An answer without the map says nothing (an older or partial answer is not a miss).
fn version_missing(w: &Wanted, body: &[u8]) -> Option<Cause> {
    if w.stage.is_none() && w.version_id.is_none() {
        return None;
    }
    let doc = json_object(body).ok()?;
    let versions = doc.get("VersionIdsToStages")?.as_object()?;
    let stages_of = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let listed = || {
        versions
            .iter()
            .map(|(id, st)| format!("{id} [{}]", stages_of(st).join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if let Some(id) = w.version_id
        && !versions.contains_key(id)
    {
        return Some(missing(w.id, &format!("the version id {id:?}"), &listed()));
    }
    let stage = w.stage?;
    let holders: Vec<&String> = versions
        .iter()
        .filter(|(_, st)| stages_of(st).iter().any(|s| s == stage))
        .map(|(id, _)| id)
        .collect();
    match (holders.is_empty(), w.version_id) {
        (true, _) => Some(missing(
            w.id,
            &format!("the version stage {stage:?}"),
            &listed(),
        )),
        (false, Some(id)) if !holders.iter().any(|h| *h == id) => Some(missing(
            w.id,
            &format!("the version id {id:?} with the stage {stage:?}"),
            &listed(),
        )),
        _ => None,
    }
}

fn missing(secret: &str, what: &str, listed: &str) -> Cause {
    Cause::new(
        code!("secrets.version_missing"),
        format!(
            "the endpoint serves and {secret} exists, but no version of it has {what} that valueFrom names (DescribeSecret lists: {listed}): ECS's GetSecretValue fails and the task does not start (ResourceInitializationError)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Service;
    use crate::hop::calls::tests::target;

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

    #[test]
    fn asks_for_the_secret_without_the_value_from_suffix() {
        let arg = format!("{ARN}::AWSPREVIOUS:");
        let t = target(Service::SecretsManager, &[&arg]);
        let r = DescribeSecret.request(&t);
        assert_eq!(r.resources, [ARN]);
        assert!(!r.body.contains("AWSPREVIOUS"), "{}", r.body);
        let w = wanted(&t);
        assert_eq!((w.stage, w.version_id), (Some("AWSPREVIOUS"), None));
        let t = target(Service::SecretsManager, &["my-registry-login"]);
        assert_eq!(wanted(&t).id, "my-registry-login");
    }

    #[test]
    fn a_stage_or_id_no_version_has_is_its_own_cause() {
        let body =
            br#"{"ARN":"x","VersionIdsToStages":{"v1":["AWSCURRENT"],"v0":["AWSPREVIOUS"]}}"#;
        let w = |stage, id| Wanted {
            id: ARN,
            stage,
            version_id: id,
        };
        assert!(version_missing(&w(Some("AWSCURRENT"), None), body).is_none());
        assert!(version_missing(&w(None, Some("v0")), body).is_none());
        assert!(version_missing(&w(None, None), body).is_none());
        let c = version_missing(&w(Some("AWSPENDING"), None), body).unwrap();
        assert_eq!(c.code, "secrets.version_missing");
        assert!(
            c.hint.contains("\"AWSPENDING\"") && c.hint.contains("v1 [AWSCURRENT]"),
            "{}",
            c.hint
        );
        assert!(version_missing(&w(None, Some("v9")), body).is_some());
        assert!(version_missing(&w(Some("AWSCURRENT"), Some("v0")), body).is_some());
        // No map in the answer: nothing to say.
        assert!(version_missing(&w(Some("AWSPENDING"), None), br#"{"ARN":"x"}"#).is_none());
    }
}
