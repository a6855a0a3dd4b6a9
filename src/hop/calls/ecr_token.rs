//! `ecr:GetAuthorizationToken` through the api endpoint (`com.amazonaws.<region>.ecr.api`,
//! needed by Fargate platform 1.4.0+): the pull's registry credentials. Unlike the
//! other calls every failure fails, because without a token no image is pulled; an
//! AccessDenied is read for the policy that denied it, because "the network works, the
//! endpoint policy says no" and "the role lacks the permission" have different fixes.

use crate::causes::code;
use crate::denial::Denial;
use crate::diagnose::{self, Cause};
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, json11, transport_as_classed};
use crate::hop_kind::HopKind;
use crate::net::aws_call::Answer;
use crate::net::http::HttpError;
use crate::secret::Secret;

/// The Basic credentials for the registry: base64 of `AWS:<password>`, used whole.
pub type Token = Secret<String>;

pub struct GetAuthorizationToken;

const ACTION: &str = "ecr:GetAuthorizationToken";

impl ApiCall for GetAuthorizationToken {
    fn action(&self) -> &'static str {
        ACTION
    }

    fn kind(&self) -> HopKind {
        HopKind::EcrToken
    }

    fn request(&self, _: &crate::plan::Target) -> Request {
        json11(
            "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
            serde_json::json!({}),
            vec![],
        )
    }

    fn unreadable(&self, body: &[u8]) -> Option<&'static str> {
        crate::hop::calls::json_object(body)
            .err()
            .map(|_| "not ECR's GetAuthorizationToken JSON")
    }

    fn answered(&self, hop: HopResult, a: &Answer, _: &Cx) -> (HopResult, Option<Token>) {
        read_token(hop, &a.body)
    }

    fn denied(&self, hop: HopResult, denial: &Denial, cx: &Cx) -> HopResult {
        let t = cx.target;
        hop.fail(diagnose::denial_cause(denial, t.service, &t.region, ACTION))
    }

    fn error(&self, hop: HopResult, code: &str, _: &str, _: &Cx) -> HopResult {
        let status = hop.evidence.http_status.unwrap_or_default();
        hop.fail(match code {
            "ExpiredTokenException" => Cause::new(
                code!("auth.expired_credentials"),
                "the credentials have expired: the provider should refresh them; check the clock",
            ),
            c if crate::hop::calls::invalid_credentials(c) => Cause::new(
                code!("auth.invalid_credentials"),
                "AWS does not recognise the credentials: wrong keys, a session token missing, or credentials from another partition",
            ),
            _ => Cause::new(
                code!("auth.error"),
                format!("ECR answered {code} (HTTP {status})"),
            ),
        })
    }

    fn not_aws(&self, hop: HopResult, a: &Answer, _: &Cx) -> HopResult {
        crate::hop::unreadable_answer(
            hop,
            ACTION,
            a.status,
            &a.body,
            "an error without an AWS error document",
        )
    }

    fn transport(&self, hop: HopResult, e: &HttpError, cx: &Cx) -> HopResult {
        let region = &cx.target.region;
        let connect = Cause::new(
            code!("auth.connect_failed"),
            format!(
                "could not connect to the ECR API: see the dns, tcp and tls hops of api.ecr.{region}; the endpoint com.amazonaws.{region}.ecr.api must be reachable on 443"
            ),
        );
        let other = Cause::new(
            code!("auth.error"),
            "the GetAuthorizationToken call failed; see the message",
        );
        transport_as_classed(hop, e, cx, timeout_cause(region), connect, other)
    }

    fn no_answer(&self, hop: HopResult, cx: &Cx) -> HopResult {
        hop.fail(timeout_cause(&cx.target.region))
            .message("no response")
    }

    fn failed_code(&self) -> crate::causes::Code {
        code!("auth.error")
    }
}

/// The token of ECR's answer, and what the evidence keeps of it (the proxy endpoint and
/// the expiry, never the token).
fn read_token(mut hop: HopResult, body: &[u8]) -> (HopResult, Option<Token>) {
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Doc {
        authorization_data: Vec<Data>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Data {
        authorization_token: Option<String>,
        proxy_endpoint: Option<String>,
        expires_at: Option<f64>,
    }
    let Ok(doc) = serde_json::from_slice::<Doc>(body) else {
        return (
            crate::hop::unreadable_answer(
                hop,
                ACTION,
                200,
                body,
                "not ECR's GetAuthorizationToken JSON",
            ),
            None,
        );
    };
    let Some(data) = doc.authorization_data.into_iter().next() else {
        return (
            hop.fail(Cause::new(
                code!("auth.bad_response"),
                "GetAuthorizationToken returned no authorization data",
            )),
            None,
        );
    };
    hop.evidence.call().proxy_endpoint = data.proxy_endpoint;
    // Informational only: emulators return a fixed past date, and the registry is the
    // judge of whether a token is still good.
    hop.evidence.call().expires_at = data.expires_at.and_then(|s| {
        aws_smithy_types::DateTime::from_secs_f64(s)
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .ok()
    });
    match data.authorization_token {
        Some(t) if is_base64(&t) => (hop, Some(Secret::new(t))),
        Some(t) if !t.is_empty() => (
            hop.fail(bad_response(
                "the token is not base64 (it holds other characters, e.g. CR/LF): it cannot be sent as Basic credentials",
            )),
            None,
        ),
        _ => (
            hop.fail(Cause::new(
                code!("auth.bad_response"),
                "GetAuthorizationToken returned an empty token",
            )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_token_and_keeps_it_out_of_the_evidence() {
        let hop = || HopResult::new(HopKind::EcrToken, "ecr_token", "x");
        let (h, t) = read_token(
            hop(),
            br#"{"authorizationData":[{"authorizationToken":"QVdTOnB3","expiresAt":1.7E9,"proxyEndpoint":"https://1.dkr.ecr.us-east-1.amazonaws.com"}]}"#,
        );
        assert!(h.passed());
        assert_eq!(t.map(|t| t.expose().clone()).as_deref(), Some("QVdTOnB3"));
        assert_eq!(
            h.evidence.as_call().and_then(|c| c.expires_at.as_deref()),
            Some("2023-11-14T22:13:20Z")
        );
        let (h, t) = read_token(hop(), br#"{"authorizationData":[]}"#);
        assert!(t.is_none());
        assert!(h.cause.is_some_and(|c| c.code == "auth.bad_response"));
    }
}
