//! The ecr_token hop: `ecr:GetAuthorizationToken` through the api endpoint
//! (`com.amazonaws.<region>.ecr.api`, needed by Fargate platform 1.4.0+). An
//! AccessDenied is read for the policy that denied it, because "the network works, the
//! endpoint policy says no" and "the role lacks the permission" have different fixes.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;

use crate::code;
use crate::config::Service;
use crate::denial;
use crate::diagnose::{self, Cause};
use crate::hop::HopKind;
use crate::hop::HopResult;
use crate::hop::context::Target;
use crate::net::sdk::{SdkFailure, SeenDate, classify_sdk_error};
use crate::secret::Secret;

pub const ID: &str = "ecr_token";

/// The Basic credentials for the registry: base64 of `AWS:<password>`, used whole.
pub type Token = Secret<String>;

pub async fn run(
    sdk: &SdkConfig,
    api: &Target,
    region: &str,
    timeout: Duration,
) -> (HopResult, Option<Token>) {
    let t0 = Instant::now();
    let url = api.url();
    let mut hop = HopResult::new(HopKind::EcrToken, ID, url.clone());
    hop.evidence.endpoint = Some(url.clone());
    // Always the endpoint and region the dns/tcp/tls hops tested, whatever the
    // environment would make the SDK pick (FIPS, dual-stack, a global endpoint URL).
    let seen = SeenDate::default();
    let conf = aws_sdk_ecr::config::Builder::from(sdk)
        .endpoint_url(url.clone())
        .region(aws_config::Region::new(region.to_string()))
        .interceptor(seen.clone());
    let client = aws_sdk_ecr::Client::from_conf(conf.build());
    let result = tokio::time::timeout(
        timeout * 2 + Duration::from_millis(500),
        client.get_authorization_token().send(),
    )
    .await;
    let hop = hop.dated(seen.get().as_deref());
    let out = match result {
        Err(_) => {
            return (
                hop.fail(timeout_cause(region))
                    .message("no response")
                    .timed(t0),
                None,
            );
        }
        Ok(Err(e)) => {
            let f = classify_sdk_error(&e);
            return (failure(hop, f, region, timeout).timed(t0), None);
        }
        Ok(Ok(out)) => out,
    };
    let mut hop = hop;
    hop.evidence.http_status = Some(200);
    let Some(data) = out.authorization_data().first() else {
        return (
            hop.fail(Cause::new(
                code!("auth.bad_response"),
                "GetAuthorizationToken returned no authorization data",
            ))
            .timed(t0),
            None,
        );
    };
    hop.evidence.proxy_endpoint = data.proxy_endpoint().map(str::to_string);
    // Informational only: emulators return a fixed past date, and the registry is the
    // judge of whether a token is still good.
    hop.evidence.expires_at = data
        .expires_at()
        .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok());
    match data.authorization_token() {
        Some(t) if is_base64(t) => (hop.timed(t0), Some(Secret::new(t.to_string()))),
        Some(t) if !t.is_empty() => (
            hop.fail(bad_response(
                "the token is not base64 (it holds other characters, e.g. CR/LF): it cannot be sent as Basic credentials",
            ))
            .timed(t0),
            None,
        ),
        _ => (
            hop.fail(Cause::new(
                code!("auth.bad_response"),
                "GetAuthorizationToken returned an empty token",
            ))
            .timed(t0),
            None,
        ),
    }
}

/// ECR's token is base64 of `AWS:<password>`; anything else cannot be an HTTP header.
fn is_base64(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

fn bad_response(what: &str) -> Cause {
    Cause::new(
        code!("auth.bad_response"),
        format!(
            "GetAuthorizationToken answered HTTP 200, but {what}: something other than the ECR API answers (a proxy, TLS inspection)"
        ),
    )
}

fn timeout_cause(region: &str) -> Cause {
    Cause::new(
        code!("auth.timeout"),
        format!(
            "GetAuthorizationToken got no answer: with Fargate platform 1.4.0+ the task fetches registry auth itself, so the interface endpoint com.amazonaws.{region}.ecr.api must exist with private DNS and its security group must allow 443 from this subnet"
        ),
    )
}

pub fn failure(hop: HopResult, f: SdkFailure, region: &str, timeout: Duration) -> HopResult {
    match f {
        // The SDK calls an answer it cannot parse a service error without a code.
        // The SDK calls an answer it cannot parse a service error without a code,
        // whatever its status: not ECR's word.
        SdkFailure::Service { code, status, body, .. } if code == "Unknown" => crate::hop::unreadable_answer(
            hop,
            "ecr:GetAuthorizationToken",
            status,
            body.as_deref().unwrap_or_default(),
            if (200..300).contains(&status) { "not ECR's GetAuthorizationToken JSON" } else { "an error without an AWS error document" },
        ),
        SdkFailure::Service { code, message, status, request_id, .. } => {
            let mut hop = hop;
            hop.evidence.http_status = Some(status);
            hop.evidence.aws_error_code = Some(code.clone());
            hop.evidence.error_message = Some(message.clone());
            hop.evidence.request_id = request_id;
            let cause = match code.as_str() {
                "AccessDeniedException" | "AccessDenied" => {
                    let denial = denial::read(&message);
                    hop.evidence.record_denial(&denial);
                    diagnose::denial_cause(&denial, Service::Api, region, "ecr:GetAuthorizationToken")
                }
                _ if diagnose::says_clock_skew(&code, &message) => {
                    diagnose::clock_skew(hop.evidence.clock_skew_ms)
                }
                "UnrecognizedClientException" | "InvalidSignatureException" | "InvalidClientTokenId" => Cause::new(
                    code!("auth.invalid_credentials"),
                    "AWS does not recognise the credentials: wrong keys, a session token missing, or credentials from another partition",
                ),
                "ExpiredTokenException" => Cause::new(code!("auth.expired_credentials"), "the credentials have expired: the provider should refresh them; check the clock"),
                _ => Cause::new(code!("auth.error"), format!("ECR answered {code} (HTTP {status})")),
            };
            hop.fail(cause).message(format!("{code}: {message}"))
        }
        SdkFailure::SlowAnswer(m) => {
            let url = hop.target.clone();
            hop.fail(crate::hop::slow_answer_cause(&url, timeout)).message(m)
        }
        SdkFailure::Timeout(m) => hop.fail(timeout_cause(region)).message(m),
        SdkFailure::Connect(m) => hop
            .fail(Cause::new(
                code!("auth.connect_failed"),
                format!("could not connect to the ECR API: see the dns, tcp and tls hops of api.ecr.{region}; the endpoint com.amazonaws.{region}.ecr.api must be reachable on 443"),
            ))
            .message(m),
        SdkFailure::TooLarge(limit) => {
            let url = hop.target.clone();
            hop.fail(crate::hop::too_large_cause(&url, limit))
        }
        SdkFailure::Other(m) => hop.fail(Cause::new(code!("auth.error"), "the GetAuthorizationToken call failed; see the message")).message(m),
    }
}
