//! The signed calls: one file per AWS API call the probe makes, each implementing
//! [`ApiCall`] (its request, its answer reader, what a denial or a not-found means,
//! what the task's start-up calls through the same endpoint). This module is the one
//! runner they share: sign, send through the probe's own HTTPS client, and hand the
//! answer to the call's reader.
//!
//! One path for every call: hand-made SigV4 (`net::aws_call`) over the client every
//! other hop uses, not one AWS SDK crate per service (README, "One way to sign"): the
//! same resolver, trust store, connection pool, per-phase timeouts, size cap and
//! readable-answer check for every call, and a new call costs one file, not a crate.
//! The SDK stays for the credential provider chain (`hop::credentials`).
//!
//! Adding a call: a file here implementing [`ApiCall`], its line in [`def`], and its
//! [`crate::aws::Call`] variant on the service's row in `aws.rs`.

pub mod describe_delivery_stream;
pub mod describe_key;
pub mod describe_log_groups;
pub mod describe_parameters;
pub mod describe_secret;
pub mod describe_stream_summary;
pub mod discover_poll_endpoint;
pub mod ecr_token;
pub mod get_caller_identity;
pub mod get_sampling_rules;
pub mod head_object;
pub mod list_metrics;

use std::time::{Duration, Instant};

use aws_credential_types::Credentials;

use crate::aws::Call;
use crate::causes::Code;
use crate::causes::code;
use crate::denial::{Denial, DeniedBy};
use crate::diagnose::{self, Cause};
use crate::hop::{HopResult, http_error_cause, unreadable_answer};
use crate::hop_kind::HopKind;
use crate::net::aws_call::{self, Answer, CallError, Protocol, SignedCall};
use crate::net::http::{Client, HttpError, Phase};
use crate::net::url::HttpsUrl;
use crate::plan::{Plan, Target};

pub use ecr_token::Token;

/// Answers are small JSON or XML documents (a token, one log group, a secret's
/// metadata, fifty parameters' names).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// The call a [`Call`] names.
pub fn def(call: Call) -> &'static dyn ApiCall {
    match call {
        Call::GetAuthorizationToken => &ecr_token::GetAuthorizationToken,
        Call::DescribeLogGroups => &describe_log_groups::DescribeLogGroups,
        Call::DescribeSecret => &describe_secret::DescribeSecret,
        Call::DescribeParameters => &describe_parameters::DescribeParameters,
        Call::DescribeKey => &describe_key::DescribeKey,
        Call::DiscoverPollEndpoint => &discover_poll_endpoint::DiscoverPollEndpoint,
        Call::GetCallerIdentity => &get_caller_identity::GetCallerIdentity,
        Call::DescribeDeliveryStream => &describe_delivery_stream::DescribeDeliveryStream,
        Call::DescribeStreamSummary => &describe_stream_summary::DescribeStreamSummary,
        Call::HeadObject => &head_object::HeadObject,
        Call::GetSamplingRules => &get_sampling_rules::GetSamplingRules,
        Call::ListMetrics => &list_metrics::ListMetrics,
    }
}

/// What a call puts on the wire, and the resources it names (identifiers only: they
/// go into the evidence).
pub struct Request {
    pub protocol: Protocol,
    /// The URI path: `/` but for S3's REST calls.
    pub path: String,
    pub body: String,
    pub resources: Vec<String>,
}

/// What a call's readers get besides the hop: the target, the plan, the bound.
pub struct Cx<'a> {
    pub target: &'a Target,
    pub plan: &'a Plan,
    pub timeout: Duration,
}

/// One signed, read-only AWS API call. Any AWS-shaped answer proves the endpoint
/// serves this subnet (docs/aws-facts.md#harmless-calls); the defaults read an
/// answer as the service hops do, and a call overrides what it means otherwise.
pub trait ApiCall: Sync {
    /// The IAM action, as AccessDenied messages and hints name it.
    fn action(&self) -> &'static str;

    /// The request: its protocol, body and the resources it names.
    fn request(&self, t: &Target) -> Request;

    /// The hop kind that reports it (the plan picks the same).
    fn kind(&self) -> HopKind {
        HopKind::Service
    }

    /// What the task's own start-up calls through this endpoint (for denial hints);
    /// empty when nothing.
    fn start_up(&self) -> &'static str {
        ""
    }

    /// Who makes the start-up's calls, and with which role.
    fn who_starts(&self) -> &'static str {
        "ECS calls"
    }

    /// Why a success answer is not the call's document, if it is not.
    fn unreadable(&self, body: &[u8]) -> Option<&'static str> {
        json_object(body).err()
    }

    /// A success: read what the evidence keeps (and the token, for ECR).
    fn answered(&self, hop: HopResult, _: &Answer, _: &Cx) -> (HopResult, Option<Token>) {
        (hop, None)
    }

    /// An AccessDenied, read by the denial reader. By default the endpoint's own
    /// policy and the organization's deny whoever signs, so they fail; the role's own
    /// policies deny only the probe's harmless call, which still proves the path.
    fn denied(&self, hop: HopResult, denial: &Denial, cx: &Cx) -> HopResult {
        let t = cx.target;
        let mut cause = diagnose::denial_cause(denial, t.service, &t.region, self.action());
        if !self.start_up().is_empty() {
            cause.hint.push_str(&format!(
                ". The probe calls a read-only action; at start-up {} {} through the same endpoint with {}",
                self.who_starts(),
                self.start_up(),
                t.service.spec().signing_role()
            ));
        }
        match denial.by {
            DeniedBy::VpcEndpointPolicy
            | DeniedBy::ExplicitDeny
            | DeniedBy::ServiceControlPolicy
            | DeniedBy::ResourceControlPolicy => hop.fail(cause),
            _ => hop.warn(cause),
        }
    }

    /// Another AWS error (not a denial, not the clock). By default a missing resource
    /// the task names and credentials AWS refuses warn; anything else AWS says proves
    /// the path.
    fn error(&self, hop: HopResult, code: &str, _message: &str, cx: &Cx) -> HopResult {
        aws_error(hop, code, cx)
    }

    /// The resource is in another region than the endpoint asked, as the answer
    /// says (S3's `x-amz-bucket-region`): checked before any other reading of an error.
    fn elsewhere(&self, _: &Answer, _: &Cx) -> Option<Cause> {
        None
    }

    /// An error status without an AWS error document.
    fn not_aws(&self, hop: HopResult, a: &Answer, cx: &Cx) -> HopResult {
        // The service hop's own code predates http.unreadable_answer and stays (codes
        // are a contract).
        let t = cx.target;
        let mut hop = hop;
        hop.evidence.call().aws_error_code = Some("Unknown".into());
        hop.evidence.error_message = a.error.as_ref().map(|(_, m)| m.clone());
        hop.evidence.answer_prefix = crate::hop::answer_prefix(&a.body);
        hop.fail(Cause::new(
            code!("service.unexpected_answer"),
            format!(
                "{} answered HTTP {} without an AWS error document: a proxy, firewall or another server answers instead of the {} endpoint; the evidence holds the start of the body",
                t.host,
                a.status,
                t.service.endpoint_service(&t.region)
            ),
        ))
    }

    /// No answer came (the connection failed or nothing arrived in time).
    fn transport(&self, hop: HopResult, e: &HttpError, cx: &Cx) -> HopResult {
        let t = cx.target;
        let cause = match e {
            HttpError::Timeout {
                phase: Phase::Body, ..
            } => crate::hop::slow_answer_cause(&t.host, cx.timeout),
            e => http_error_cause(e, &t.host, t.service, cx.plan, code!("service.unreachable")),
        };
        hop.fail(cause).message(e.to_string())
    }

    /// Nothing at all within the call's backstop.
    fn no_answer(&self, hop: HopResult, cx: &Cx) -> HopResult {
        let t = cx.target;
        hop.fail(Cause::new(
            code!("service.unreachable"),
            format!(
                "{} got no answer from {} (no answer in time): create the interface endpoint {} with private DNS and allow 443 from this subnet in its security group",
                self.action(),
                t.host,
                t.service.endpoint_service(&t.region)
            ),
        ))
    }

    /// The code of a failure no reader explains (the request could not be signed).
    fn failed_code(&self) -> Code {
        code!("service.error")
    }
}

pub struct Input<'a> {
    pub client: &'a Client,
    pub creds: &'a Credentials,
    pub target: &'a Target,
    pub call: Call,
    pub id: &'a str,
    pub plan: &'a Plan,
    pub timeout: Duration,
}

/// Make the call through its target's endpoint and read the answer. The token is
/// ECR's, the one call whose answer the pull needs.
pub async fn run(i: Input<'_>) -> (HopResult, Option<Token>) {
    let t0 = Instant::now();
    let call = def(i.call);
    let t = i.target;
    let cx = Cx {
        target: t,
        plan: i.plan,
        timeout: i.timeout,
    };
    let url = t.url();
    let mut hop = HopResult::new(call.kind(), i.id, url.clone());
    hop.evidence.call().endpoint = Some(url);
    if call.kind() == HopKind::Service {
        hop.evidence.call().service = Some(t.service.name().to_string());
        hop.evidence.call().call = Some(call.action().to_string());
    }
    let req = call.request(t);
    hop.evidence.call().resources = req.resources.clone();
    let signed = SignedCall {
        endpoint: HttpsUrl::new(&t.host, t.port, &req.path),
        region: t.region.clone(),
        signing_name: t.service.spec().signing_name.to_string(),
        protocol: req.protocol,
        body: req.body,
    };
    // Connect, answer and body each have --timeout (net::http); this bound is only the
    // backstop, so a body that trickles in is the client's `reading the body` timeout
    // (a slow answer), not "no answer in time".
    let sent = tokio::time::timeout(
        i.timeout * 4 + Duration::from_millis(500),
        aws_call::send(i.client, i.creds, &signed, MAX_ANSWER_BYTES),
    )
    .await;
    let (hop, token) = match sent {
        Err(_) => (call.no_answer(hop, &cx), None),
        Ok(Err(CallError::Sign(m))) => (
            hop.fail(Cause::new(
                call.failed_code(),
                "the request could not be signed with these credentials",
            ))
            .message(m),
            None,
        ),
        Ok(Err(CallError::Http(e))) => (call.transport(hop, &e, &cx), None),
        Ok(Ok(answer)) => read(call, hop, &answer, &cx),
    };
    (hop.timed(t0), token)
}

/// Read an answer: a success through the call's reader, an AWS error through the
/// clock check, the denial reader or the call's error reader.
fn read(call: &dyn ApiCall, hop: HopResult, a: &Answer, cx: &Cx) -> (HopResult, Option<Token>) {
    let mut hop = hop.dated(a.date.as_deref());
    hop.evidence.http_status = Some(a.status);
    hop.evidence.call().request_id = a.request_id.clone();
    let Some((code, message)) = &a.error else {
        if let Some(why) = call.unreadable(&a.body) {
            return (
                unreadable_answer(hop, call.action(), a.status, &a.body, why),
                None,
            );
        }
        return call.answered(hop, a, cx);
    };
    if let Some(cause) = call.elsewhere(a, cx) {
        hop.evidence.call().aws_error_code = Some(code.clone());
        return (hop.fail(cause), None);
    }
    if code == "Unknown" {
        // No AWS error type in the header or the body: whatever the status and the
        // headers say, this is not an AWS error document.
        return (call.not_aws(hop, a, cx), None);
    }
    hop.evidence.call().aws_error_code = Some(code.clone());
    hop.evidence.error_message = Some(message.clone());
    let mut hop = hop.message(format!("{code}: {message}"));
    if diagnose::says_clock_skew(code, message) {
        let cause = diagnose::clock_skew(hop.evidence.clock_skew_ms);
        return (hop.fail(cause), None);
    }
    if code.contains("AccessDenied") {
        let denial = crate::denial::read(message);
        hop.evidence.record_denial(&denial);
        return (call.denied(hop, &denial, cx), None);
    }
    (call.error(hop, code, message, cx), None)
}

/// [`ApiCall::error`]'s default: a missing resource the task names and credentials
/// AWS refuses warn; anything else AWS says proves the path.
pub fn aws_error(hop: HopResult, code: &str, cx: &Cx) -> HopResult {
    let names = &cx.target.call_args;
    match code {
        "ResourceNotFoundException" | "NotFoundException" if !names.is_empty() => hop.warn(Cause::new(
            code!("service.not_found"),
            format!(
                "the endpoint serves, but {} does not exist (or is in another account or region): the task's start-up fails with ResourceInitializationError until it does",
                names.join(", ")
            ),
        )),
        c if invalid_credentials(c) => hop.warn(Cause::new(
            code!("auth.invalid_credentials"),
            "the endpoint serves, but AWS does not accept these credentials (wrong keys, an expired or missing session token, or another partition)",
        )),
        _ => hop,
    }
}

/// A FireLens output's stream named on `--check` that does not exist: the task
/// starts, its records for that output are dropped.
pub fn telemetry_not_found(hop: HopResult, code: &str, cx: &Cx, what: &str) -> HopResult {
    let names = &cx.target.call_args;
    if code != "ResourceNotFoundException" || names.is_empty() {
        return aws_error(hop, code, cx);
    }
    hop.warn(Cause::new(
        code!("service.not_found"),
        format!(
            "the endpoint serves, but the {what} {} does not exist (or is in another account or region): the task starts, and the log router's records for it are dropped",
            names.join(", ")
        ),
    ))
}

/// Error codes with which AWS refuses the credentials themselves.
pub fn invalid_credentials(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "InvalidClientTokenId"
            | "ExpiredTokenException"
    )
}

/// The JSON protocol answers a JSON object. serde_json refuses nesting past 128
/// levels, so a deeply nested answer is unreadable, not read.
pub fn json_object(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, &'static str> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(doc)) => Ok(doc),
        Ok(_) => Err("JSON, but not an object"),
        Err(_) => Err("not JSON"),
    }
}

/// The JSON 1.1 protocol with `target` as `X-Amz-Target` and `body`.
pub fn json11(target: &str, body: serde_json::Value, resources: Vec<String>) -> Request {
    Request {
        protocol: Protocol::Json11 {
            target: target.to_string(),
        },
        path: "/".into(),
        body: body.to_string(),
        resources,
    }
}

/// The transport failures of the calls that came from the AWS SDK (the token, logs),
/// in the classes the SDK's dispatch errors had, so their causes stay: a slow body and
/// an oversized answer in the shared words, a timeout, a failed connect and anything
/// else in the call's own causes.
pub fn transport_as_classed(
    hop: HopResult,
    e: &HttpError,
    cx: &Cx,
    timeout: Cause,
    connect: Cause,
    other: Cause,
) -> HopResult {
    let url = hop.target.clone();
    let m = e.to_string();
    match e {
        HttpError::Timeout {
            phase: Phase::Body, ..
        } => hop
            .fail(crate::hop::slow_answer_cause(&url, cx.timeout))
            .message(m),
        HttpError::TooLarge { limit } => hop.fail(crate::hop::too_large_cause(&url, *limit)),
        HttpError::Timeout { .. } | HttpError::Deadline { .. } => hop.fail(timeout).message(m),
        HttpError::Dns(_)
        | HttpError::Refused { .. }
        | HttpError::Unreachable { .. }
        | HttpError::Truncated { .. }
        | HttpError::Resources { .. } => hop.fail(connect).message(m),
        _ => hop.fail(other).message(m),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::aws::{Service, VALUE_RETURNING_APIS};

    /// A target of `service` in us-east-1 naming `args`.
    pub fn target(service: Service, args: &[&str]) -> Target {
        Target {
            service,
            role: crate::plan::Role::Endpoint,
            host: service
                .default_host("us-east-1", "amazonaws.com")
                .unwrap_or_default(),
            port: 443,
            region: "us-east-1".into(),
            expect_private: true,
            tls: true,
            call: service.spec().call,
            call_args: args.iter().map(|a| a.to_string()).collect(),
            source: crate::provenance::EndpointSource::Default,
        }
    }

    /// The probe's calls read metadata only: none is a value-returning API
    /// (docs/aws-facts.md#harmless-calls), and each is signed for its own service.
    #[test]
    fn no_call_returns_a_secret() {
        for spec in Service::all() {
            let Some(call) = spec.call else { continue };
            let req = def(call).request(&target(spec.service, &[]));
            let wire = match &req.protocol {
                Protocol::Json11 { target } => target.clone(),
                Protocol::Query => req.body.clone(),
                Protocol::S3Head | Protocol::RestJson => req.path.clone(),
            };
            assert!(!VALUE_RETURNING_APIS.contains(&wire.as_str()), "{wire}");
            assert!(!wire.contains("GetSecretValue") && !wire.contains("GetParameter"));
            let action = def(call).action();
            // CloudWatch signs as `monitoring`; its IAM actions are `cloudwatch:`.
            let iam_prefix = match spec.signing_name {
                "monitoring" => "cloudwatch",
                name => name,
            };
            assert_eq!(action.split(':').next(), Some(iam_prefix), "{action}");
        }
        let t = target(Service::SecretsManager, &[]);
        assert!(
            def(Call::DescribeSecret)
                .request(&t)
                .body
                .contains(describe_secret::NO_SUCH_SECRET)
        );
    }
}
