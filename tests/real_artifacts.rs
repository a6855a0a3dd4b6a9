//! The hops against what AWS and the ECS agent really answer: every response here is a
//! real artifact from tests/fixtures/real/ (documentation examples, the agent's test
//! data, captures in public issue threads; each file's source is in its README),
//! served by the loopback fakes to the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::sync::{Arc, Mutex};

use serde_json::Value;
use support::dns::Answer;
use support::https::{Request, Response};
use support::*;

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real");

fn real(path: &str) -> String {
    std::fs::read_to_string(format!("{REAL}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The HTTP status a fixture's sidecar records.
fn status_of(path: &str) -> u16 {
    let meta: Value = serde_json::from_str(&real(&format!("{path}.meta.json"))).unwrap();
    meta["status"].as_u64().unwrap() as u16
}

fn with_stem(path: &str) -> String {
    path.rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or_default()
}

// ------------------------------------------------------------------ AccessDenied

/// Every AccessDenied wording of the corpus, as ECR's GetAuthorizationToken answer:
/// the cause names the policy type, and the evidence keeps the kind and the ARN.
#[test]
fn every_real_access_denied_wording_names_its_policy() {
    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        policy_type: String,
        explicit: Option<bool>,
        policy_arn: Option<String>,
    }
    let cases: Vec<Case> = serde_json::from_str(&real("access-denied/messages.json")).unwrap();
    let message = Arc::new(Mutex::new(String::new()));
    let served = message.clone();
    let lab = Setup::default()
        .api(move |_, _| {
            let m = served.lock().unwrap().clone();
            Some(aws_error(400, "AccessDeniedException", &m))
        })
        .start();
    for c in cases {
        *message.lock().unwrap() = c.text.clone();
        let out = lab.run(&[]);
        out.assert_no_secrets();
        out.expect_exit(1);
        let (code, by) = match (c.policy_type.as_str(), c.explicit) {
            ("identity_based_policy", _) => ("auth.denied_identity_policy", "identity_policy"),
            ("resource_based_policy" | "role_trust_policy", _) => {
                ("auth.denied_resource_policy", "resource_policy")
            }
            ("vpc_endpoint_policy", _) => ("auth.denied_endpoint_policy", "vpc_endpoint_policy"),
            ("service_control_policy", _) => ("auth.denied_scp", "service_control_policy"),
            ("resource_control_policy", _) => ("auth.denied_rcp", "resource_control_policy"),
            ("permissions_boundary", _) => ("auth.denied_boundary", "permissions_boundary"),
            ("session_policy", _) => ("auth.denied_session_policy", "session_policy"),
            ("unspecified", Some(true)) => ("auth.denied_explicit", "explicit_deny"),
            _ => ("auth.denied", "unknown"),
        };
        let h = out.expect_hop("ecr_token", "fail", Some(code));
        let e = &h["evidence"];
        assert_eq!(e["denied_by"], by, "{}", c.text);
        if by != "unknown" {
            let kind = match c.explicit {
                Some(true) => "explicit",
                _ => "implicit",
            };
            assert_eq!(e["deny_kind"], kind, "{}", c.text);
        }
        match &c.policy_arn {
            Some(arn) => {
                assert_eq!(e["denied_by_policy_arn"], arn.as_str());
                assert!(h["hint"].as_str().unwrap().contains(arn.as_str()), "{h}");
            }
            None => assert!(e.get("denied_by_policy_arn").is_none(), "{h}"),
        }
        if c.explicit == Some(true) {
            assert!(h["hint"].as_str().unwrap().contains("Deny"), "{h}");
        }
    }
}

/// The logs hop's own harmless call denied by the role's policy proves the endpoint
/// serves (a pass with a note); the endpoint policy's denial is the endpoint's fault.
#[test]
fn logs_denials_from_the_corpus() {
    let corpus: Vec<Value> = serde_json::from_str(&real("access-denied/messages.json")).unwrap();
    let text = |pred: &dyn Fn(&Value) -> bool| {
        corpus
            .iter()
            .find(|c| pred(c))
            .and_then(|c| c["text"].as_str())
            .unwrap()
            .to_string()
    };
    let identity = text(&|c| c["service"] == "logs" && c["policy_type"] == "identity_based_policy");
    let endpoint = text(&|c| c["policy_type"] == "vpc_endpoint_policy" && c["explicit"] == true);
    for (message, verdict, cause) in [
        (identity, "pass", None),
        (endpoint, "warn", Some("logs.denied_endpoint_policy")),
    ] {
        let m = message.clone();
        let lab = Setup::default()
            .logs(move |_, _| Some(aws_error(400, "AccessDeniedException", &m)))
            .start();
        let out = lab.run(&[]);
        out.expect_exit(0);
        let h = out.expect_hop("logs", verdict, cause);
        if verdict == "pass" {
            let note = h["message"].as_str().unwrap();
            assert!(note.contains("the Logs endpoint answered"), "{h}");
            assert_eq!(h["evidence"]["denied_by"], "identity_policy");
        }
    }
}

// ------------------------------------------------------------------ S3 error XML

/// S3's real refusals of a presigned URL: only a policy denial is the gateway
/// endpoint policy's business.
#[test]
fn s3_rejections_each_have_their_own_cause() {
    for (file, cause) in [
        ("s3/AccessDenied-RequestHasExpired.xml", "layer.url_expired"),
        (
            "s3/AccessDenied-RequestHasExpired-2020.xml",
            "layer.url_expired",
        ),
        ("s3/RequestTimeTooSkewed.xml", "clock.skew"),
        ("s3/RequestTimeTooSkewed-2015.xml", "clock.skew"),
        ("s3/AccessDenied-RequestNotYetValid.xml", "clock.skew"),
        ("s3/ExpiredToken.xml", "layer.url_credentials_rejected"),
        (
            "s3/InvalidAccessKeyId.xml",
            "layer.url_credentials_rejected",
        ),
        ("s3/NoSuchKey.xml", "layer.not_found"),
    ] {
        let body = real(file);
        let status = status_of(&with_stem(file));
        let lab = Setup::default()
            .s3(move |_, _| Some(Response::with_body(status, "application/xml", body.clone())))
            .start();
        let out = lab.run(&[]);
        out.assert_no_secrets();
        out.expect_exit(1);
        let h = out.expect_hop("layer", "fail", Some(cause));
        assert_eq!(h["evidence"]["http_status"], status, "{file}");
        assert!(h["evidence"]["s3_error_code"].is_string(), "{file}: {h}");
    }
}

// ------------------------------------------------------------------ the clock

/// A real "Signature expired" answer with a `Date` 20 minutes ahead of the local clock:
/// the token hop names the clock, and the report's context shows the skew.
#[test]
fn a_skewed_clock_is_named_not_blamed_on_policies() {
    let body = real("clock/json-InvalidSignatureException-signature-expired.json");
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::minutes(20);
    let date = http_date(ahead);
    let lab = Setup::default()
        .api(move |_, _| {
            Some(
                Response::with_body(400, "application/x-amz-json-1.1", body.clone())
                    .header("x-amzn-ErrorType", "InvalidSignatureException")
                    .header("date", &date),
            )
        })
        .start();
    let out = lab.run(&[]);
    out.expect_exit(1);
    let h = out.expect_hop("ecr_token", "fail", Some("clock.skew"));
    let skew = h["evidence"]["clock_skew_ms"].as_i64().unwrap();
    assert!((1_190_000..=1_210_000).contains(&skew), "{skew}");
    assert!(h["hint"].as_str().unwrap().contains("behind"), "{h}");
    let clock = &out.report()["context"]["clock"];
    assert_eq!(clock["hop"], "ecr_token");
    assert_eq!(clock["outside_sigv4_window"], true);
}

/// An answer that passes but whose `Date` is far off warns: the next signed call fails.
#[test]
fn a_passing_answer_from_a_skewed_clock_warns() {
    let behind = time::OffsetDateTime::now_utc() - time::Duration::minutes(9);
    let date = http_date(behind);
    let lab = Setup::default()
        .registry(move |req, w| Some(registry_default(req, w).header("date", &date)))
        .start();
    let out = lab.run(&[]);
    out.expect_exit(0);
    let h = out.expect_hop("manifest", "warn", Some("clock.skew"));
    assert!(h["evidence"]["clock_skew_ms"].as_i64().unwrap() < -500_000);
    assert!(h["hint"].as_str().unwrap().contains("ahead of"), "{h}");
}

fn http_date(t: time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&fmt).unwrap()
}

// ------------------------------------------------------------------ credentials

/// The container credentials endpoint at `url` instead of the fake static keys.
fn container_credentials(url: &str) -> RunOpts {
    RunOpts::default()
        .unset("AWS_ACCESS_KEY_ID")
        .unset("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
}

/// The ECS agent's and the EKS Pod Identity agent's real error answers: their reason
/// reaches the credentials hop's message, scrubbed.
#[test]
fn credential_endpoint_errors_keep_the_agents_reason() {
    for (file, reason) in [
        (
            "credentials/ecs-v2-400-credentials-not-found.json",
            "InvalidIdInRequest: CredentialsV2Request: Credentials not found",
        ),
        (
            "credentials/ecs-v2-503-credentials-uninitialized.json",
            "CredentialsUninitialized: CredentialsV2Request: Credentials uninitialized for ID",
        ),
        (
            "credentials/eks-pod-identity-400-empty-token.txt",
            "Service account token cannot be empty",
        ),
    ] {
        let body = real(file);
        let status = status_of(&with_stem(file));
        let lab = Setup::default().start();
        let agent = lab.plain(move |_: &Request| {
            Response::with_body(status, "application/json", body.clone())
        });
        let url = format!(
            "http://{}{}",
            agent.addr, "/v2/credentials/52b19262-e7aa-4f56-a1cd-b958dcde8f3b"
        );
        // The SDK retries a 5xx with backoff: room for it on a busy machine.
        let out = lab.run_with(&["--timeout", "5s"], &container_credentials(&url));
        out.expect_exit(1);
        let h = out.expect_hop("credentials", "fail", Some("auth.credentials_error"));
        let m = h["message"].as_str().unwrap();
        assert!(
            m.contains(&format!("HTTP {status} {reason}")),
            "{file}: {m}"
        );
        assert!(
            !m.contains("52b19262-e7aa"),
            "the credentials id leaked: {m}"
        );
    }
}

/// A real recorded ECS agent answer: the credentials pass as the container's, with the
/// role the document names, and none of the keys reach the output.
#[test]
fn a_real_container_credentials_answer_passes() {
    let body = real("credentials/ecs-v2-200-smithy-rs-capture.json");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let lab = Setup::default().start();
    let agent =
        lab.plain(move |_: &Request| Response::with_body(200, "application/json", body.clone()));
    let url = format!("http://{}{}", agent.addr, "/v2/credentials/1");
    let out = lab.run_with(&[], &container_credentials(&url));
    let h = out.hop("credentials");
    assert_eq!(h["evidence"]["source"], "container", "{h}");
    assert_eq!(h["evidence"]["role_arn"], doc["RoleArn"]);
    for key in ["SecretAccessKey", "Token"] {
        let v = doc[key].as_str().unwrap();
        assert!(
            !out.stdout.contains(v) && !out.stderr.contains(v),
            "{key} leaked"
        );
    }
}

// ------------------------------------------------------------------ registry and bucket

/// Real ECR redirects may name the bucket by its legacy global host
/// (prod-us-east-1-starport-layer-bucket.s3.amazonaws.com, as in the captured URL of
/// ecr/layer-url-global.flaws2.txt): the same bucket, no warning, and the layer is
/// fetched from that host.
#[test]
fn the_legacy_global_bucket_host_is_the_same_bucket() {
    const LEGACY: &str = "prod-us-east-1-starport-layer-bucket.s3.amazonaws.com";
    let captured = real("ecr/layer-url-global.flaws2.txt");
    let query = captured
        .trim()
        .split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap();
    let lab = Setup::default()
        .dns(LEGACY, Answer::V4(std::net::Ipv4Addr::LOCALHOST))
        .registry(move |req, w| {
            req.path().contains("/blobs/").then(|| {
                Response::new(307).header(
                    "location",
                    &format!("https://{LEGACY}:{}{S3_PATH}?{query}", w.s3_port),
                )
            })
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(0);
    let r = out.expect_hop("layer_redirect", "pass", None);
    assert_eq!(r["evidence"]["location_host"], LEGACY);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("legacy global name"),
        "{r}"
    );
    let l = out.expect_hop("layer", "pass", None);
    assert!(l["target"].as_str().unwrap().contains(LEGACY), "{l}");
}

/// The registry's 401 as the ECS agent reports it: `text/plain` "Not Authorized",
/// without the distribution JSON envelope. (No public raw capture of this body was
/// found; the wording is the one issue 9 quotes from the agent's reports.)
#[test]
fn a_plain_text_401_is_unauthorized() {
    let lab = Setup::default()
        .registry(|req, _| {
            req.path()
                .contains("/manifests/")
                .then(|| Response::with_body(401, "text/plain; charset=utf-8", "Not Authorized\n"))
        })
        .start();
    let out = lab.run(&[]);
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.unauthorized"));
    assert_eq!(h["evidence"]["http_status"], 401);
}

// ------------------------------------------------------------------ task metadata

/// The documentation's own task metadata v4 examples (Fargate, dual-stack; EC2 awsvpc)
/// served as the agent would: the context hop reads the task, its launch type, zone,
/// subnet and the region from the task ARN.
#[test]
fn real_task_metadata_documents_are_read() {
    for (kind, launch, zone, subnet) in [
        ("fargate", "FARGATE", "us-west-2a", "192.0.2.0/24"),
        ("ec2-awsvpc", "EC2", "us-west-2d", "10.0.2.0/24"),
    ] {
        let container = real(&format!("metadata/{kind}-container.json"));
        let task = real(&format!("metadata/{kind}-task.json"));
        let lab = Setup::default().start();
        let agent = lab.plain(move |req: &Request| {
            let body = if req.path().ends_with("/task") {
                &task
            } else {
                &container
            };
            Response::with_body(200, "application/json", body.clone())
        });
        let uri = format!("http://{}{}", agent.addr, "/v4/4f3c8f2b-example");
        let out = lab.run_with(
            &[],
            &RunOpts::default().env("ECS_CONTAINER_METADATA_URI_V4", &uri),
        );
        let report = out.report();
        let t = &report["context"]["task"];
        assert_eq!(t["launch_type"], launch, "{kind}: {t}");
        assert_eq!(t["availability_zone"], zone, "{kind}");
        assert_eq!(t["subnet_cidr"], subnet, "{kind}");
        assert!(
            t["task_arn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:ecs:us-west-2:")
        );
        let paths: Vec<String> = agent
            .requests()
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        assert!(paths.iter().any(|p| p.ends_with("/task")), "{paths:?}");
    }
}
