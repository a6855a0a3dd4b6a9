//! The service hop: one harmless, read-only signed call through an AWS service's
//! endpoint (Secrets Manager, SSM, KMS, ECS, STS), after its dns → tcp → tls chain.
//! Any AWS-shaped answer proves the endpoint serves this subnet; an AccessDenied is
//! read for the policy that denied it (`diagnose::denied_by`, the same reader as the
//! ecr_token hop).
//!
//! The calls read metadata only and never a value (docs/aws-facts.md#harmless-calls):
//! `DescribeSecret`, not `GetSecretValue`; `DescribeParameters`, not `GetParameters`;
//! `DescribeKey`, not `Decrypt`. Verdicts: a VPC endpoint policy, an explicit deny or
//! an SCP denying the probe's call fails (the task's own calls through the same
//! endpoint meet the same gate); the probe's principal lacking the read-only
//! permission only warns, because the network path is proven and the start-up calls
//! other actions.

use std::time::{Duration, Instant};

use aws_credential_types::Credentials;

use crate::aws::Call;
use crate::code;
use crate::diagnose::{self, Cause, DeniedBy};
use crate::hop::HopResult;
use crate::hop::context::{Plan, Target};
use crate::hop::{HopKind, http_error_cause, unreadable_answer};
use crate::net::aws_call::{self, Answer, CallError, Protocol, SignedCall};
use crate::net::http::Client;
use crate::net::url::HttpsUrl;

/// Answers are small JSON or XML documents.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;
/// DescribeParameters takes at most 50 names in one filter.
const MAX_PARAMETER_NAMES: usize = 50;
/// DescribeSecret on a name no account has: any answer proves the endpoint, and no
/// secret's metadata is returned (used when no secret is named).
const NO_SUCH_SECRET: &str = "vpce-probe/endpoint-check-no-such-secret";
/// The AWS managed key every account has for Secrets Manager (used when no key is named).
const DEFAULT_KEY: &str = "alias/aws/secretsmanager";

pub struct Input<'a> {
    pub client: &'a Client,
    pub creds: &'a Credentials,
    pub target: &'a Target,
    pub call: Call,
    pub id: &'a str,
    pub plan: &'a Plan,
    pub timeout: Duration,
}

pub async fn run(i: Input<'_>) -> HopResult {
    let t0 = Instant::now();
    let t = i.target;
    let url = t.url();
    let mut hop = HopResult::new(HopKind::Service, i.id, url.clone());
    hop.evidence.endpoint = Some(url);
    hop.evidence.service = Some(t.service.name().to_string());
    hop.evidence.call = Some(i.call.action().to_string());
    let (body, resources) = request_body(i.call, &t.call_args);
    hop.evidence.resources = resources;
    let protocol = match i.call.json_target() {
        Some(target) => Protocol::Json11 {
            target: target.to_string(),
        },
        None => Protocol::Query,
    };
    let call = SignedCall {
        endpoint: HttpsUrl::new(&t.host, t.port, "/"),
        region: t.region.clone(),
        signing_name: t.service.spec().signing_name.to_string(),
        protocol,
        body,
    };
    // Connect, answer and body each have --timeout (net::http); this bound is only the
    // backstop, so a body that trickles in is the client's `reading the body` timeout
    // (a slow answer), not "no answer in time".
    let sent = tokio::time::timeout(
        i.timeout * 4 + Duration::from_millis(500),
        aws_call::send(i.client, i.creds, &call, MAX_ANSWER_BYTES),
    )
    .await;
    let unreachable = |m: String| unreachable(t, i.call, &m);
    match sent {
        Err(_) => hop.fail(unreachable("no answer in time".into())).timed(t0),
        Ok(Err(CallError::Sign(m))) => hop
            .fail(Cause::new(
                code!("service.error"),
                "the request could not be signed with these credentials",
            ))
            .message(m)
            .timed(t0),
        Ok(Err(CallError::Http(e)))
            if matches!(
                *e,
                crate::net::http::HttpError::Timeout {
                    phase: crate::net::http::Phase::Body,
                    ..
                }
            ) =>
        {
            hop.fail(crate::hop::slow_answer_cause(&t.host, i.timeout))
                .message(e.to_string())
                .timed(t0)
        }
        Ok(Err(CallError::Http(e))) => {
            let cause =
                http_error_cause(&e, &t.host, t.service, i.plan, code!("service.unreachable"));
            hop.fail(cause).message(e.to_string()).timed(t0)
        }
        Ok(Ok(answer)) => {
            let kms_probed = i
                .plan
                .targets
                .iter()
                .any(|t| t.service == crate::aws::Service::Kms);
            let hop = judge(hop, i.call, t, answer);
            customer_key(hop, kms_probed).timed(t0)
        }
    }
}

/// The call's body, and the resources it names (for the evidence: identifiers only).
fn request_body(call: Call, args: &[String]) -> (String, Vec<String>) {
    use serde_json::json;
    match call {
        Call::DescribeSecret => {
            let id = args.first().map(String::as_str).unwrap_or(NO_SUCH_SECRET);
            (json!({ "SecretId": id }).to_string(), vec![id.to_string()])
        }
        Call::DescribeParameters if args.is_empty() => {
            (json!({ "MaxResults": 1 }).to_string(), vec![])
        }
        Call::DescribeParameters => {
            let names: Vec<&String> = args.iter().take(MAX_PARAMETER_NAMES).collect();
            (
                json!({
                    "ParameterFilters": [{ "Key": "Name", "Option": "Equals", "Values": names }],
                    "MaxResults": MAX_PARAMETER_NAMES,
                })
                .to_string(),
                names.into_iter().cloned().collect(),
            )
        }
        Call::DescribeKey => {
            let key = args.first().map(String::as_str).unwrap_or(DEFAULT_KEY);
            (json!({ "KeyId": key }).to_string(), vec![key.to_string()])
        }
        Call::DiscoverPollEndpoint => match args.first() {
            Some(c) => (json!({ "cluster": c }).to_string(), vec![c.clone()]),
            None => ("{}".into(), vec![]),
        },
        Call::GetCallerIdentity => ("Action=GetCallerIdentity&Version=2011-06-15".into(), vec![]),
        // Made by their own hops; never routed here.
        Call::GetAuthorizationToken | Call::DescribeLogGroups => ("{}".into(), vec![]),
    }
}

fn judge(hop: HopResult, call: Call, t: &Target, a: Answer) -> HopResult {
    let mut hop = hop.dated(a.date.as_deref());
    hop.evidence.http_status = Some(a.status);
    hop.evidence.request_id = a.request_id.clone();
    let Some((code, message)) = a.error.clone() else {
        if let Some(why) = unreadable(call, &a.body) {
            return unreadable_answer(hop, call.action(), a.status, &a.body, why);
        }
        return answered(hop, call, &a);
    };
    hop.evidence.aws_error_code = Some(code.clone());
    hop.evidence.error_message = Some(message.clone());
    let hop = hop.message(format!("{code}: {message}"));
    if diagnose::says_clock_skew(&code, &message) {
        let cause = diagnose::clock_skew(hop.evidence.clock_skew_ms);
        return hop.fail(cause);
    }
    if code.contains("AccessDenied") {
        let denial = crate::denial::read(&message);
        let mut hop = hop;
        hop.evidence.record_denial(&denial);
        let mut cause = diagnose::denial_cause(&denial, t.service, &t.region, call.action());
        cause.hint.push_str(&start_up_note(t));
        // The endpoint's own policy and the organization's deny whoever signs; the
        // role's own policies deny only the probe's harmless call, which still proves
        // the path (the start-up's calls are other actions).
        return match denial.by {
            DeniedBy::VpcEndpointPolicy
            | DeniedBy::ExplicitDeny
            | DeniedBy::ServiceControlPolicy
            | DeniedBy::ResourceControlPolicy => hop.fail(cause),
            _ => hop.warn(cause),
        };
    }
    if code == "Unknown" {
        // No AWS error type in the header or the body: whatever the status and the
        // headers say, this is not an AWS error document. The service hop's own code
        // for it predates http.unreadable_answer and stays (codes are a contract).
        let mut hop = hop;
        hop.evidence.answer_prefix = crate::hop::answer_prefix(&a.body);
        return hop.fail(Cause::new(
            code!("service.unexpected_answer"),
            format!(
                "{} answered HTTP {} without an AWS error document: a proxy, firewall or another server answers instead of the {} endpoint; the evidence holds the start of the body",
                t.host,
                a.status,
                t.service.endpoint_service(&t.region)
            ),
        ));
    }
    match code.as_str() {
        "ResourceNotFoundException" | "NotFoundException" if !t.call_args.is_empty() => hop.warn(Cause::new(
            code!("service.not_found"),
            format!(
                "the endpoint serves, but {} does not exist (or is in another account or region): the task's start-up fails with ResourceInitializationError until it does",
                t.call_args.join(", ")
            ),
        )),
        "UnrecognizedClientException" | "InvalidSignatureException" | "InvalidClientTokenId" | "ExpiredTokenException" => hop.warn(Cause::new(
            code!("auth.invalid_credentials"),
            "the endpoint serves, but AWS does not accept these credentials (wrong keys, an expired or missing session token, or another partition)",
        )),
        // Any other AWS answer (validation, not found without a name) proves the path.
        _ => hop,
    }
}

fn answered(mut hop: HopResult, call: Call, a: &Answer) -> HopResult {
    match call {
        Call::GetCallerIdentity => {
            let text = String::from_utf8_lossy(&a.body);
            hop.evidence.caller_arn = aws_call::xml_text(&text, "Arn");
        }
        Call::DiscoverPollEndpoint => {
            hop.evidence.poll_endpoint = aws_call::json_field(&a.body, "endpoint");
            hop.evidence.telemetry_endpoint = aws_call::json_field(&a.body, "telemetryEndpoint");
        }
        Call::DescribeSecret => {
            hop.evidence.kms_key_id = aws_call::json_field(&a.body, "KmsKeyId");
        }
        Call::DescribeParameters if !hop.evidence.resources.is_empty() => {
            let params = parameters(&a.body);
            hop.evidence.kms_key_id = params
                .iter()
                .filter_map(|(_, k)| k.clone())
                .find(|k| !is_aws_managed(k));
            let found: Vec<String> = params.into_iter().map(|(n, _)| n).collect();
            let missing: Vec<String> = hop
                .evidence
                .resources
                .iter()
                .filter(|n| !found.contains(n))
                .cloned()
                .collect();
            hop.evidence.found = Some(found.len() as u32);
            if !missing.is_empty() {
                return hop.warn(Cause::new(
                    code!("service.not_found"),
                    format!(
                        "the endpoint serves, but no parameter {} exists in this account and region: the task's start-up fails with ResourceInitializationError (ParameterNotFound) until it does",
                        missing.join(", ")
                    ),
                ));
            }
        }
        _ => {}
    }
    hop
}

/// Why a success answer is not the call's document, if it is not: the JSON protocol
/// answers a JSON object (and DescribeParameters one with `Parameters`), the Query
/// protocol (STS) its `<…Result>` element. serde_json refuses nesting past 128 levels,
/// so a deeply nested answer is unreadable, not read.
fn unreadable(call: Call, body: &[u8]) -> Option<&'static str> {
    if call.json_target().is_none() {
        let text = String::from_utf8_lossy(body);
        return (!text.contains(&format!("<{}Result", call_name(call))))
            .then_some("not the call's XML result");
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(doc)) => (call == Call::DescribeParameters
            && !doc
                .get("Parameters")
                .is_some_and(serde_json::Value::is_array))
        .then_some("JSON without the Parameters list DescribeParameters returns"),
        Ok(_) => Some("JSON, but not an object"),
        Err(_) => Some("not JSON"),
    }
}

/// The operation's name, as the Query protocol's result element spells it.
fn call_name(call: Call) -> &'static str {
    call.action()
        .rsplit(':')
        .next()
        .unwrap_or_else(|| call.action())
}

/// A secret or parameter under a customer managed key makes ECS call kms:Decrypt
/// through the kms endpoint too; without a kms check in this run, say so.
fn customer_key(hop: HopResult, kms_probed: bool) -> HopResult {
    let key = hop
        .evidence
        .kms_key_id
        .clone()
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
fn is_aws_managed(key: &str) -> bool {
    key.starts_with("alias/aws/") || key.contains(":alias/aws/")
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

/// What the task's own start-up does through this endpoint, for denial hints.
fn start_up_note(t: &Target) -> String {
    use crate::aws::Service;
    let what = match t.service {
        Service::SecretsManager => "secretsmanager:GetSecretValue (secrets, repositoryCredentials)",
        Service::Ssm => "ssm:GetParameters (secrets)",
        Service::Kms => "kms:Decrypt (secrets under a customer managed key)",
        Service::Ecs => {
            "the ECS agent's ecs:DiscoverPollEndpoint, RegisterContainerInstance and Poll"
        }
        Service::Sts => "sts:AssumeRole / AssumeRoleWithWebIdentity",
        _ => return String::new(),
    };
    format!(
        ". The probe calls a read-only action; at start-up ECS calls {what} through the same endpoint with the task execution role"
    )
}

fn unreachable(t: &Target, call: Call, m: &str) -> Cause {
    Cause::new(
        code!("service.unreachable"),
        format!(
            "{} got no answer from {} ({m}): create the interface endpoint {} with private DNS and allow 443 from this subnet in its security group",
            call.action(),
            t.host,
            t.service.endpoint_service(&t.region)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_metadata_only() {
        let (b, r) = request_body(Call::DescribeParameters, &["/app/db".into(), "flat".into()]);
        assert!(b.contains(r#""Values":["/app/db","flat"]"#), "{b}");
        assert_eq!(r, ["/app/db", "flat"]);
        let (b, r) = request_body(Call::DescribeSecret, &[]);
        assert!(b.contains(NO_SUCH_SECRET) && r.len() == 1);
        let (b, _) = request_body(Call::DescribeKey, &[]);
        assert!(b.contains(DEFAULT_KEY));
        let (b, _) = request_body(Call::GetCallerIdentity, &[]);
        assert_eq!(b, "Action=GetCallerIdentity&Version=2011-06-15");
        assert_eq!(
            parameters(br#"{"Parameters":[{"Name":"/app/db","Type":"SecureString"},{"Name":"/b","KeyId":"arn:aws:kms:us-east-1:1:key/k"}]}"#),
            [
                ("/app/db".to_string(), None),
                ("/b".to_string(), Some("arn:aws:kms:us-east-1:1:key/k".to_string()))
            ]
        );
        assert!(
            is_aws_managed("alias/aws/ssm") && !is_aws_managed("arn:aws:kms:us-east-1:1:key/k")
        );
        let mut h = HopResult::new(HopKind::Service, "service:secretsmanager", "x");
        h.evidence.kms_key_id = Some("arn:aws:kms:us-east-1:1:key/k".into());
        let warned = customer_key(h.clone(), false);
        assert_eq!(warned.cause.as_ref().unwrap().code, "service.kms_needed");
        assert!(customer_key(h, true).cause.is_none());
    }
}
