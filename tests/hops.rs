//! Hop tests: the real `vpce-probe` binary against in-process fakes on 127.0.0.1 (DNS,
//! ECR API, registry, S3, CloudWatch Logs), one edge case per test, asserting on the
//! JSON report and the exit code. The harness is in `tests/support/`.
//!
//! Every test also checks that no secret (the ECR token and its password, the secret
//! key, the presigned URL's query) reaches stdout or stderr.
//!
//! Not covered here: a public answer for an interface endpoint name (`dns.public_address`)
//! needs a public address the probe would then connect to, which loopback tests must
//! not do; the lab (tests/lab/) covers it in a network namespace, and the unit tests of
//! `src/diagnose.rs` cover the classification.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use serde_json::{Value, json};
use support::dns::Answer;
use support::https::Response;
use support::*;

fn dkr(kind: &str) -> String {
    format!("{kind}:{DKR_HOST}")
}

fn tcp_dkr() -> String {
    format!("tcp:{DKR_HOST}@127.0.0.1")
}

fn manifest_path(reference: &str) -> String {
    format!("/v2/{REPO}/manifests/{reference}")
}

fn is_manifest_request(req: &support::https::Request) -> bool {
    req.path().starts_with(&format!("/v2/{REPO}/manifests/"))
}

// ------------------------------------------------------------------ happy path

#[test]
fn happy_path_every_hop_passes() {
    let lab = Setup::default().start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(0);
    let report = out.report();
    assert_eq!(report["verdict"], "pass", "{report:#}");
    out.expect_all_pass_except(&[]);
    // --skip-logs: no logs hop at all.
    assert!(out.hops().iter().all(|h| h["kind"] != "logs"));
    for kind in [
        "context",
        "dns",
        "tcp",
        "tls",
        "credentials",
        "ecr_token",
        "registry",
        "manifest",
        "layer_redirect",
        "layer",
    ] {
        assert!(
            out.hops().iter().any(|h| h["kind"] == kind),
            "no {kind} hop"
        );
    }
    for host in [API_HOST, DKR_HOST, S3_HOST, BUCKET_HOST] {
        out.expect_hop(&format!("dns:{host}"), "pass", None);
        out.expect_hop(&format!("tcp:{host}@127.0.0.1"), "pass", None);
        out.expect_hop(&format!("tls:{host}"), "pass", None);
    }
    let cred = out.expect_hop("credentials", "pass", None);
    assert_eq!(cred["evidence"]["source"], "environment");

    let manifest = out.hop("manifest");
    assert_eq!(
        manifest["evidence"]["digest"],
        lab.world.image.manifest_digest
    );
    assert_eq!(manifest["evidence"]["media_type"], DOCKER_MANIFEST);
    let redirect = out.hop("layer_redirect");
    assert_eq!(redirect["evidence"]["http_status"], 307);
    assert_eq!(redirect["evidence"]["location_host"], BUCKET_HOST);
    assert_eq!(
        redirect["evidence"]["location"],
        format!("https://{BUCKET_HOST}:{}{S3_PATH}", lab.s3.port())
    );
    let layer = out.hop("layer");
    assert_eq!(layer["evidence"]["digest_checked"], true);
    assert_eq!(
        layer["evidence"]["digest_actual"],
        lab.world.image.layer_digest
    );
    assert_eq!(layer["evidence"]["bytes_read"], LAYER_LEN);

    // The registry got the token as Basic on the manifest and the blob, not on /v2/.
    let basic = format!("Basic {}", token());
    let reg = lab.registry_requests();
    let ping = reg.iter().find(|r| r.path() == "/v2/").expect("GET /v2/");
    assert_eq!(ping.header("authorization"), None);
    let m = reg
        .iter()
        .find(|r| r.path() == manifest_path(TAG))
        .expect("manifest GET");
    assert_eq!(m.header("authorization"), Some(basic.as_str()));
    assert!(
        m.header("accept")
            .unwrap_or_default()
            .contains(DOCKER_MANIFEST),
        "Accept: {:?}",
        m.header("accept")
    );
    let blob = reg
        .iter()
        .find(|r| r.path() == format!("/v2/{REPO}/blobs/{}", lab.world.image.layer_digest))
        .expect("blob GET");
    assert_eq!(blob.header("authorization"), Some(basic.as_str()));

    // S3 got the presigned query, and no Authorization.
    let s3 = lab.s3.requests();
    assert_eq!(s3.len(), 1, "S3 requests: {s3:?}");
    assert_eq!(s3[0].header("authorization"), None);
    assert_eq!(s3[0].header("range"), None);
    assert!(s3[0].target.contains(S3_SIGNATURE));

    // The SDK signed GetAuthorizationToken with the fake keys.
    let api = lab.api.requests();
    assert_eq!(api.len(), 1, "API requests: {api:?}");
    assert_eq!(api[0].method, "POST");
    assert!(
        api[0]
            .header("authorization")
            .unwrap_or_default()
            .contains(&format!("Credential={ACCESS_KEY}/")),
        "{:?}",
        api[0].header("authorization")
    );
}

// ------------------------------------------------------------------ dns

#[test]
fn nxdomain_for_the_registry_name() {
    let lab = Setup::default().dns(DKR_HOST, Answer::NxDomain).start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop(&dkr("dns"), "fail", Some("dns.nxdomain"));
    assert_eq!(h["evidence"]["queries"][0]["rcode"], "NXDOMAIN");
    out.expect_skipped(&dkr("tls"), &dkr("dns"));
    for id in ["registry", "manifest", "layer_redirect", "layer"] {
        out.expect_skipped(id, &dkr("dns"));
    }
    // The other chains still ran.
    out.expect_hop("ecr_token", "pass", None);
    let report = out.report();
    assert_eq!(report["summary"]["first_failure"], dkr("dns"));
    assert_eq!(report["summary"]["first_failure_cause"], "dns.nxdomain");
    assert!(lab.registry_requests().is_empty());
}

#[test]
fn dns_server_that_never_answers() {
    let lab = Setup {
        dns_silent: true,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    for host in [API_HOST, DKR_HOST, S3_HOST, BUCKET_HOST] {
        let h = out.expect_hop(&format!("dns:{host}"), "fail", Some("dns.timeout"));
        assert!(h["evidence"]["queries"][0]["rcode"].is_null(), "{h}");
    }
    out.expect_skipped("ecr_token", &format!("dns:{API_HOST}"));
    out.expect_skipped("registry", &dkr("dns"));
    out.expect_skipped("manifest", &dkr("dns"));
    assert!(
        out.elapsed < DEADLINE,
        "the run took {:?}, past its --deadline",
        out.elapsed
    );
    assert!(!lab.dns.queries().is_empty(), "the fake DNS saw no query");
}

// ------------------------------------------------------------------ tcp / tls

#[test]
fn connection_refused_by_the_registry_address() {
    let lab = Setup {
        registry_down: true,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop(&tcp_dkr(), "fail", Some("tcp.refused"));
    assert_eq!(
        h["evidence"]["remote_address"],
        format!("127.0.0.1:{}", lab.dkr_port)
    );
    // Dependants name the hop that broke the chain, not the one in between.
    for id in [
        dkr("tls").as_str(),
        "registry",
        "manifest",
        "layer_redirect",
        "layer",
    ] {
        out.expect_skipped(id, &tcp_dkr());
    }
}

/// The registry presents `cert`: its tls hop fails with `cause`, every hop that
/// talks to the registry is skipped and it gets no request. Returns the tls hop.
fn registry_tls_failure(cert: RegistryCert, cause: &str) -> Value {
    let lab = Setup {
        registry_cert: cert,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    for id in ["registry", "manifest", "layer_redirect", "layer"] {
        out.expect_skipped(id, &dkr("tls"));
    }
    assert!(lab.registry_requests().is_empty());
    out.expect_hop(&dkr("tls"), "fail", Some(cause))
}

#[test]
fn untrusted_certificate_on_the_registry() {
    let h = registry_tls_failure(RegistryCert::Untrusted, "tls.untrusted");
    let issuer = h["evidence"]["certificate"]["issuer"]
        .as_str()
        .unwrap_or_default();
    assert!(issuer.contains(UNTRUSTED_CN), "issuer {issuer:?}: {h}");
    assert!(hint(&h).contains(UNTRUSTED_CN), "{h}");
}

#[test]
fn certificate_for_another_name() {
    let h = registry_tls_failure(RegistryCert::WrongName, "tls.name_mismatch");
    assert_eq!(
        h["evidence"]["certificate"]["dns_names"],
        json!(["wrong.example.net"])
    );
    assert_eq!(h["evidence"]["sni"], DKR_HOST);
}

// ------------------------------------------------------------------ ecr_token

#[test]
fn get_authorization_token_denied_by_the_endpoint_policy() {
    let msg = "User: arn:aws:sts::123456789012:assumed-role/r/x is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no VPC endpoint policy allows the ecr:GetAuthorizationToken action";
    let lab = Setup::default()
        .api(move |_, _| Some(aws_error(400, "AccessDeniedException", msg)))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("ecr_token", "fail", Some("auth.denied_endpoint_policy"));
    assert_eq!(h["evidence"]["denied_by"], "vpc_endpoint_policy");
    assert_eq!(h["evidence"]["aws_error_code"], "AccessDeniedException");
    assert_eq!(h["evidence"]["http_status"], 400);
    assert_eq!(
        h["evidence"]["request_id"],
        "11111111-2222-3333-4444-555555555555"
    );
    // The registry ping needs no token; everything after it does.
    out.expect_hop("registry", "pass", None);
    for id in ["manifest", "layer_redirect", "layer"] {
        out.expect_skipped(id, "ecr_token");
    }
    assert!(!lab.registry_requests().iter().any(is_manifest_request));
}

// ------------------------------------------------------------------ manifest

fn manifest_failure(status: u16, code: &str, message: &str, cause: &str) {
    let (code, message) = (code.to_string(), message.to_string());
    let lab = Setup::default()
        .registry(move |req, _| {
            is_manifest_request(req).then(|| registry_error(status, &code, &message))
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some(cause));
    assert_eq!(h["evidence"]["http_status"], status);
    out.expect_hop("registry", "pass", None);
    out.expect_skipped("layer_redirect", "manifest");
    out.expect_skipped("layer", "manifest");
    assert!(lab.s3.requests().is_empty());
}

#[test]
fn manifest_unauthorized() {
    manifest_failure(
        401,
        "UNAUTHORIZED",
        "Not Authorized",
        "registry.unauthorized",
    );
}

#[test]
fn manifest_unknown() {
    manifest_failure(
        404,
        "MANIFEST_UNKNOWN",
        "Requested image not found",
        "registry.manifest_unknown",
    );
}

#[test]
fn repository_unknown() {
    manifest_failure(
        404,
        "NAME_UNKNOWN",
        "The repository with name 'app' does not exist in the registry with id '123456789012'",
        "registry.name_unknown",
    );
}

#[test]
fn registry_throttles() {
    manifest_failure(
        429,
        "TOOMANYREQUESTS",
        "Rate exceeded",
        "registry.too_many_requests",
    );
}

/// An OCI index with linux/amd64 (the real manifest) and linux/arm64.
fn multi_arch() -> (Setup, String, String) {
    let image = Image::with_media_type(OCI_MANIFEST);
    let amd64 = image.manifest_digest.clone();
    let arm64_manifest = manifest_doc(
        OCI_MANIFEST,
        br#"{"architecture":"arm64","os":"linux"}"#,
        &[layer_descriptor(&pseudo_random(4096, 7))],
    );
    let arm64 = sha256(&arm64_manifest);
    let index = serde_json::to_vec_pretty(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": arm64, "size": arm64_manifest.len(),
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            {"mediaType": OCI_MANIFEST, "digest": amd64, "size": image.manifest.len(),
             "platform": {"architecture": "amd64", "os": "linux"}},
        ],
    }))
    .unwrap();
    let setup = Setup {
        image,
        ..Setup::default()
    }
    .registry(move |req, _| {
        (req.path() == manifest_path(TAG)).then(|| manifest_response(OCI_INDEX, &index))
    });
    (setup, amd64, arm64)
}

#[test]
fn index_resolves_to_the_linux_amd64_manifest() {
    let (setup, amd64, arm64) = multi_arch();
    let lab = setup.start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(0);
    let h = out.expect_hop("manifest", "pass", None);
    let e = &h["evidence"];
    assert_eq!(e["platform"], "linux/amd64");
    assert_eq!(e["index_media_type"], OCI_INDEX);
    assert_eq!(e["media_type"], OCI_MANIFEST);
    assert_eq!(e["digest"], amd64);
    assert_eq!(
        e["platforms_available"],
        json!(["linux/arm64/v8", "linux/amd64"])
    );
    let paths: Vec<String> = lab
        .registry_requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert!(paths.contains(&manifest_path(&amd64)), "{paths:?}");
    assert!(!paths.contains(&manifest_path(&arm64)), "{paths:?}");
    out.expect_hop("layer", "pass", None);
}

#[test]
fn index_without_the_requested_platform() {
    let (setup, _, _) = multi_arch();
    let lab = setup.start();
    let out = lab.run(&["--platform", "linux/s390x"]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.platform_missing"));
    assert_eq!(
        h["evidence"]["platforms_available"],
        json!(["linux/arm64/v8", "linux/amd64"])
    );
    assert!(
        h["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("linux/s390x")
    );
    out.expect_skipped("layer_redirect", "manifest");
    out.expect_skipped("layer", "manifest");
}

#[test]
fn oversized_manifest() {
    let lab = Setup::default()
        .registry(|req, _| {
            (req.path() == manifest_path(TAG)).then(|| {
                // Valid-looking JSON start, 4 MiB + 1 KiB in all.
                let mut body = b"{\"schemaVersion\":2,\"padding\":\"".to_vec();
                body.resize(4 * 1024 * 1024 + 1024, b'a');
                Response::with_body(200, DOCKER_MANIFEST, body)
            })
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    out.expect_hop("manifest", "fail", Some("registry.manifest_too_large"));
    out.expect_skipped("layer_redirect", "manifest");
}

#[test]
fn foreign_layer_in_the_manifest() {
    let mut image = Image::standard();
    let foreign = json!({
        "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar",
        "size": 1_234_567_890u64,
        "digest": format!("sha256:{}", "f".repeat(64)),
        "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:ffff"],
    });
    image.manifest = manifest_doc(
        DOCKER_MANIFEST,
        &image.config,
        &[foreign, layer_descriptor(&image.layer)],
    );
    image.manifest_digest = sha256(&image.manifest);
    let lab = Setup {
        image,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("layer.foreign"));
    let foreign = &h["evidence"]["foreign_layers"];
    assert_eq!(foreign.as_array().map(Vec::len), Some(1), "{h}");
    assert_eq!(foreign[0]["hosts"], json!(["mcr.microsoft.com"]));
    // The foreign host is reported, never contacted.
    assert!(!lab.dns.was_asked("mcr.microsoft.com"));
}

#[test]
fn manifest_pulled_by_digest_does_not_match_it() {
    let wanted = format!("sha256:{}", "a".repeat(64));
    let lab = Setup::default()
        // Whatever the reference, the registry serves the standard manifest.
        .registry(|req, w| {
            is_manifest_request(req).then(|| manifest_response(DOCKER_MANIFEST, &w.image.manifest))
        })
        .start();
    let image = format!("{DKR_HOST}:{}/{REPO}@{wanted}", lab.dkr_port);
    let out = lab.run(&["--image", &image]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.digest_mismatch"));
    assert_eq!(h["evidence"]["digest"], lab.world.image.manifest_digest);
    assert!(
        h["hint"].as_str().unwrap_or_default().contains(&wanted),
        "{h}"
    );
    out.expect_skipped("layer_redirect", "manifest");
}

#[test]
fn registry_that_never_answers_the_manifest() {
    let lab = Setup::default()
        .registry(|req, _| is_manifest_request(req).then(Response::stall))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.timeout"));
    assert!(
        h["hint"].as_str().unwrap_or_default().contains("stalled"),
        "{h}"
    );
    out.expect_skipped("layer_redirect", "manifest");
    assert!(out.elapsed < DEADLINE, "took {:?}", out.elapsed);
}

// ------------------------------------------------------------------ layer_redirect / layer

#[test]
fn redirect_to_a_foreign_host_is_not_followed() {
    let lab = Setup::default()
        .registry(|req, _| {
            req.path().contains("/blobs/").then(|| {
                Response::new(307).header(
                    "Location",
                    "https://evil.example.net/x?X-Amz-Signature=5f1ee7c0ffee4b1d5ea1ed0fdeadbeef0badc0de5ca1ab1e5eed1e55f00dface",
                )
            })
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("layer_redirect", "fail", Some("layer.unexpected_redirect"));
    assert_eq!(h["evidence"]["location_host"], "evil.example.net");
    assert_eq!(h["evidence"]["location"], "https://evil.example.net/x");
    out.expect_skipped("layer", "layer_redirect");
    assert!(lab.s3.requests().is_empty(), "{:?}", lab.s3.requests());
    assert!(!lab.dns.was_asked("evil.example.net"));
}

#[test]
fn s3_access_denied() {
    let lab = Setup::default()
        .s3(|_, _| Some(s3_error(403, "AccessDenied", "Access Denied")))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("layer.access_denied"));
    assert_eq!(h["evidence"]["http_status"], 403);
    assert_eq!(h["evidence"]["s3_error_code"], "AccessDenied");
    assert_eq!(
        h["target"],
        format!("https://{BUCKET_HOST}:{}{S3_PATH}", lab.s3.port())
    );
    out.expect_hop("layer_redirect", "pass", None);
}

/// `--quiet` for log readers: a failing run prints the failing hop, the verdict and the
/// fix, and none of the hops that passed; `--output json` stays the complete report.
#[test]
fn quiet_human_output_keeps_only_failures_verdict_and_fixes() {
    let lab = Setup::default()
        .s3(|_, _| Some(s3_error(403, "AccessDenied", "Access Denied")))
        .start();
    let out = lab.run(&["--output", "human", "--quiet"]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let text = &out.stdout;
    assert!(text.starts_with("vpce-probe "), "the title stays:\n{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("  FAIL layer ") && l.contains("[layer.access_denied]")),
        "the failing hop:\n{text}"
    );
    assert!(text.contains("FAIL: a pull from this subnet"), "{text}");
    assert!(text.contains("    fix:"), "the fix:\n{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("  PASS") || l.starts_with("  SKIP")),
        "passing or skipped hops printed:\n{text}"
    );
    // The counts still tell how much passed.
    assert!(text.contains(" passed, "), "{text}");

    let loud = lab.run(&["--output", "human"]);
    assert!(loud.stdout.lines().any(|l| l.starts_with("  PASS dns ")));

    let json = lab.run(&["--quiet"]);
    json.expect_exit(1);
    json.expect_hop("layer", "fail", Some("layer.access_denied"));
    json.expect_hop("layer_redirect", "pass", None);
    json.expect_hop(&dkr("dns"), "pass", None);
}

/// A passing run says only who it is and that it passed.
#[test]
fn quiet_human_output_of_a_passing_run_is_the_title_and_the_verdict() {
    let lab = Setup::default().start();
    let out = lab.run(&["--output", "human"]);
    out.expect_exit(0);
    let quiet = lab.run_with(
        &["--output", "human"],
        &RunOpts::default().env("VPCE_PROBE_QUIET", "true"),
    );
    quiet.expect_exit(0);
    let lines: Vec<&str> = quiet.stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{}", quiet.stdout);
    assert!(lines[0].starts_with("vpce-probe "), "{}", quiet.stdout);
    assert!(lines[1].starts_with("PASS: "), "{}", quiet.stdout);
    assert!(out.stdout.lines().count() > 10, "{}", out.stdout);
}

/// A registry that serves the blob once and then redirects to S3: the layer hop fetches
/// from the registry with the token, and the HTTP client must drop it on the way to S3
/// (which refuses a presigned URL that also carries an Authorization header).
#[test]
fn token_does_not_follow_a_redirect_from_the_registry_to_s3() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let blob_gets = std::sync::Arc::new(AtomicUsize::new(0));
    let count = blob_gets.clone();
    let lab = Setup::default()
        .registry(move |req, w| {
            (req.path().contains("/blobs/") && count.fetch_add(1, Ordering::SeqCst) == 0).then(
                || Response::with_body(200, "application/octet-stream", w.image.layer.clone()),
            )
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_hop("layer_redirect", "warn", Some("layer.no_redirect"));
    let layer = out.expect_hop("layer", "pass", None);
    assert_eq!(layer["evidence"]["digest_checked"], true);
    assert_eq!(layer["evidence"]["http_status"], 200);
    assert_eq!(
        layer["target"],
        format!("https://{BUCKET_HOST}:{}{S3_PATH}", lab.s3.port())
    );
    let basic = format!("Basic {}", token());
    let blobs: Vec<_> = lab
        .registry_requests()
        .into_iter()
        .filter(|r| r.path().contains("/blobs/"))
        .collect();
    assert_eq!(blobs.len(), 2, "{blobs:?}");
    assert!(
        blobs
            .iter()
            .all(|b| b.header("authorization") == Some(basic.as_str()))
    );
    let s3 = lab.s3.requests();
    assert_eq!(s3.len(), 1, "{s3:?}");
    assert_eq!(s3[0].header("authorization"), None);
}

#[test]
fn s3_redirect_loop_is_bounded() {
    let lab = Setup::default()
        .s3(|_, w| Some(Response::new(307).header("Location", &w.layer_url())))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    out.expect_hop("layer", "fail", Some("layer.too_many_redirects"));
    // The first request and MAX_REDIRECTS (3) more, then it stops.
    assert_eq!(lab.s3.requests().len(), 4, "{:?}", lab.s3.requests());
}

#[test]
fn layer_digest_mismatch() {
    let lab = Setup::default()
        .s3(|_, w| {
            let mut bytes = w.image.layer.clone();
            bytes[LAYER_LEN / 2] ^= 0xff;
            Some(Response::with_body(200, "application/octet-stream", bytes))
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("layer.digest_mismatch"));
    assert_eq!(h["evidence"]["digest_checked"], true);
    assert_ne!(h["evidence"]["digest_actual"], lab.world.image.layer_digest);
}

/// S3 sends half the layer (`declared`: the length its header announces): the layer
/// hop fails as truncated, without a digest check.
fn half_layer_is_truncated(declared: Option<usize>) {
    let lab = Setup::default()
        .s3(move |_, w| {
            let half = &w.image.layer[..LAYER_LEN / 2];
            let response = Response::with_body(200, "application/octet-stream", half);
            Some(match declared {
                Some(n) => response.declared_length(n),
                None => response,
            })
        })
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("layer.truncated"));
    assert_eq!(h["evidence"]["digest_checked"], false);
    assert_eq!(h["evidence"]["bytes_read"], LAYER_LEN / 2);
}

/// The connection is cut mid-body (Content-Length not reached): a proxy or firewall
/// with a size or time limit.
#[test]
fn layer_body_cut_short_is_truncated() {
    half_layer_is_truncated(Some(LAYER_LEN));
}

/// A complete HTTP response that is shorter than the manifest says.
#[test]
fn layer_shorter_than_the_manifest_says() {
    half_layer_is_truncated(None);
}

#[test]
fn layer_larger_than_max_layer_bytes_is_sampled() {
    let lab = Setup::default().start();
    let out = lab.run(&["--max-layer-bytes", "10KiB"]);
    out.assert_no_secrets();
    out.expect_exit(0);
    assert_eq!(out.report()["verdict"], "warn");
    let h = out.expect_hop("layer", "warn", Some("layer.digest_not_checked"));
    assert_eq!(h["evidence"]["digest_checked"], false);
    assert_eq!(h["evidence"]["bytes_read"], 10 * 1024);
    assert_eq!(h["evidence"]["http_status"], 206);
    let s3 = lab.s3.requests();
    assert_eq!(s3.len(), 1, "{s3:?}");
    assert_eq!(s3[0].header("range"), Some("bytes=0-10239"));
    out.expect_all_pass_except(&["layer"]);
}

// ------------------------------------------------------------------ logs

#[test]
fn logs_endpoint_answers() {
    let lab = Setup {
        logs: true,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(0);
    out.expect_hop(&format!("dns:{LOGS_HOST}"), "pass", None);
    out.expect_hop(&format!("tls:{LOGS_HOST}"), "pass", None);
    let h = out.expect_hop("logs", "pass", None);
    assert_eq!(h["evidence"]["http_status"], 200);
    let logs = lab.logs.as_ref().unwrap().requests();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(
        logs[0].header("x-amz-target"),
        Some("Logs_20140328.DescribeLogGroups")
    );
}

// AccessDenied as CloudWatch Logs sends it (AWS JSON 1.1: `__type` in the body and
// `x-amzn-ErrorType`), worded as IAM words it; see the IAM User Guide, "Troubleshoot
// access denied error messages".
const LOGS_ROLE: &str = "arn:aws:sts::123456789012:assumed-role/vpce-probe-task/0a1b2c3d4e5f";
const LOGS_RESOURCE: &str = "arn:aws:logs:us-east-1:123456789012:log-group::log-stream:";

const LOGS_ENDPOINT_SERVICE: &str = "com.amazonaws.us-east-1.logs";

fn hint(h: &Value) -> &str {
    h["hint"].as_str().unwrap_or_default()
}

/// A run whose logs endpoint answers DescribeLogGroups with `AccessDeniedException`
/// saying `why`: the logs hop must have `verdict` and `cause` and name the gate that
/// denied; every other hop passes. Returns the logs hop.
fn logs_access_denied(why: &str, verdict: &str, cause: Option<&str>, denied_by: &str) -> Value {
    let message = format!(
        "User: {LOGS_ROLE} is not authorized to perform: logs:DescribeLogGroups on resource: {LOGS_RESOURCE} {why}"
    );
    let lab = Setup::default()
        .logs(move |_, _| Some(aws_error(400, "AccessDeniedException", &message)))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    // Warnings allowed: the endpoint answered, so a pull and awslogs can still work.
    out.expect_exit(0);
    out.expect_all_pass_except(&["logs"]);
    let h = out.expect_hop("logs", verdict, cause);
    let e = &h["evidence"];
    assert_eq!(e["denied_by"], denied_by, "{h}");
    assert_eq!(e["http_status"], 400, "{h}");
    assert_eq!(e["aws_error_code"], "AccessDeniedException");
    assert_eq!(e["request_id"], "11111111-2222-3333-4444-555555555555");
    assert!(
        h["message"].as_str().unwrap_or_default().contains(why),
        "{h}"
    );
    h
}

#[test]
fn logs_denied_by_an_explicit_deny_in_the_endpoint_policy_warns() {
    let h = logs_access_denied(
        "with an explicit deny in a VPC endpoint policy",
        "warn",
        Some("logs.denied_endpoint_policy"),
        "vpc_endpoint_policy",
    );
    assert_eq!(h["evidence"]["deny_kind"], "explicit", "{h}");
    assert!(hint(&h).contains(LOGS_ENDPOINT_SERVICE), "{h}");
}

#[test]
fn logs_not_allowed_by_the_endpoint_policy_warns() {
    logs_access_denied(
        "because no VPC endpoint policy allows the logs:DescribeLogGroups action",
        "warn",
        Some("logs.denied_endpoint_policy"),
        "vpc_endpoint_policy",
    );
}

/// The task role need not be allowed DescribeLogGroups: an AWS answer from the
/// endpoint is all the awslogs driver needs from the network.
#[test]
fn logs_denied_by_the_identity_policy_passes() {
    logs_access_denied(
        "because no identity-based policy allows the logs:DescribeLogGroups action",
        "pass",
        None,
        "identity_policy",
    );
}

#[test]
fn logs_endpoint_that_never_answers() {
    let lab = Setup::default()
        .logs(|_, _| Some(Response::stall()))
        .start();
    let out = lab.run(&[]);
    out.assert_no_secrets();
    out.expect_exit(1);
    // The path to the endpoint works; only the answer never comes.
    out.expect_hop(&format!("tls:{LOGS_HOST}"), "pass", None);
    let h = out.expect_hop("logs", "fail", Some("logs.unreachable"));
    assert!(h["evidence"]["http_status"].is_null(), "{h}");
    assert!(hint(&h).contains(LOGS_ENDPOINT_SERVICE), "{h}");
    out.expect_all_pass_except(&["logs"]);
    let logs = lab.logs.as_ref().unwrap().requests();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(out.elapsed < DEADLINE, "took {:?}", out.elapsed);
}

// ------------------------------------------------------------------ output formats

#[test]
fn ndjson_streams_hops_then_the_report() {
    let lab = Setup::default().start();
    let out = lab.run(&["--output", "ndjson"]);
    out.assert_no_secrets();
    out.expect_exit(0);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("line {l:?} is not JSON: {e}")))
        .collect();
    let (last, hops) = lines.split_last().expect("at least one line");
    assert_eq!(last["type"], "report", "{last}");
    let mut report = last.clone();
    report.as_object_mut().unwrap().remove("type");
    assert_schema_valid(&report);
    assert!(hops.iter().all(|l| l["type"] == "hop"), "{hops:?}");
    let reported = last["hops"].as_array().expect("report hops");
    assert_eq!(hops.len(), reported.len());
    let mut streamed: Vec<&str> = hops.iter().filter_map(|h| h["id"].as_str()).collect();
    let mut final_ids: Vec<&str> = reported.iter().filter_map(|h| h["id"].as_str()).collect();
    streamed.sort_unstable();
    final_ids.sort_unstable();
    assert_eq!(streamed, final_ids);
    assert_eq!(last["verdict"], "pass");
}

#[test]
fn human_output() {
    let lab = Setup::default().dns(DKR_HOST, Answer::NxDomain).start();
    let out = lab.run(&["--output", "human"]);
    out.assert_no_secrets();
    out.expect_exit(1);
    assert!(serde_json::from_str::<Value>(&out.stdout).is_err());
    assert!(
        out.stdout
            .contains("FAIL: a pull from this subnet without a NAT breaks"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("dns:{DKR_HOST}  [dns.nxdomain]")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("SKIP"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("\x1b["),
        "colour on a pipe: {}",
        out.stdout
    );
}

// ------------------------------------------------------------------ usage errors

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn no_image_is_a_usage_error() {
    let out = run_probe(&args(&["--dns-server", "127.0.0.1:9", "--output", "json"]));
    out.expect_exit(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("no image to probe"), "{}", out.stderr);
    assert!(out.stderr.contains("--image"), "{}", out.stderr);
}

#[test]
fn bad_timeout_is_a_usage_error() {
    let out = run_probe(&args(&[
        "--image",
        common::probe::IMAGE,
        "--dns-server",
        "127.0.0.1:9",
        "--timeout",
        "soon",
    ]));
    out.expect_exit(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("--timeout") && out.stderr.contains("soon"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("examples: 500ms, 3s, 1m"),
        "{}",
        out.stderr
    );
}

// ------------------------------------------------------------------ service endpoints

/// The logs fake also plays the other JSON services: `--endpoint ssm=…` and
/// `secretsmanager=…` point at it (its certificate covers the logs host name).
/// Run the probe with `args`, the ssm and secretsmanager endpoints pointed at the
/// fake, and check that no secret reached its output.
fn run_with_services(lab: &Lab, args: &[&str]) -> Outcome {
    lab.run_with_services(args)
}

const SECRET_VALUE: &str = "hunter2-the-value-the-probe-must-never-ask-for";

fn services(req: &support::https::Request) -> Option<Response> {
    match req.header("x-amz-target") {
        Some("AmazonSSM.DescribeParameters") => Some(aws_json(
            200,
            json!({"Parameters": [{"Name": "/app/db-url", "Type": "SecureString", "Version": 3}]}),
        )),
        Some("secretsmanager.DescribeSecret") => Some(aws_json(
            200,
            json!({"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", "Name": "db"}),
        )),
        // Served, so a test would see it if the probe ever asked.
        Some("secretsmanager.GetSecretValue") | Some("AmazonSSM.GetParameters") => Some(aws_json(
            200,
            json!({"SecretString": SECRET_VALUE, "Parameters": [{"Value": SECRET_VALUE}]}),
        )),
        _ => None,
    }
}

#[test]
fn ssm_check_denied_by_the_endpoint_policy_fails_and_names_the_gate() {
    let msg = "User: arn:aws:sts::123456789012:assumed-role/probe/x is not authorized to perform: ssm:DescribeParameters on resource: arn:aws:ssm:us-east-1:123456789012:* because no VPC endpoint policy allows the ssm:DescribeParameters action";
    let lab = Setup::default()
        .logs(move |req, _| {
            (req.header("x-amz-target") == Some("AmazonSSM.DescribeParameters"))
                .then(|| aws_error(400, "AccessDeniedException", msg))
        })
        .start();
    let out = run_with_services(&lab, &["--check", "ssm=/app/db-url"]);
    out.expect_exit(1);
    let h = out.expect_hop("service:ssm", "fail", Some("auth.denied_endpoint_policy"));
    assert_eq!(h["kind"], "service");
    assert_eq!(h["evidence"]["service"], "ssm");
    assert_eq!(h["evidence"]["call"], "ssm:DescribeParameters");
    assert_eq!(h["evidence"]["denied_by"], "vpc_endpoint_policy");
    assert_eq!(h["evidence"]["resources"], json!(["/app/db-url"]));
    assert!(
        hint(&h).contains("com.amazonaws.us-east-1.ssm"),
        "{}",
        hint(&h)
    );
    let need = &out.report()["needs"][0];
    assert_eq!(need["kind"], "check");
    assert_eq!(need["verdict"], "fail");
    assert_eq!(need["decided_by"], "service:ssm");
    // Signed for ssm, with the name filter; the logs fake's own call is separate.
    let reqs = lab.logs.as_ref().unwrap().requests();
    let ssm: Vec<_> = reqs
        .iter()
        .filter(|r| r.header("x-amz-target") == Some("AmazonSSM.DescribeParameters"))
        .collect();
    assert_eq!(ssm.len(), 1);
    let auth = ssm[0].header("authorization").unwrap_or_default();
    assert!(auth.contains("/us-east-1/ssm/aws4_request"), "{auth}");
    assert!(String::from_utf8_lossy(&ssm[0].body).contains("/app/db-url"));
}

#[test]
fn a_task_definitions_secrets_are_described_never_read() {
    let lab = Setup::default().logs(|req, _| services(req)).start();
    let dir = tempfile::tempdir().unwrap();
    let td = dir.path().join("td.json");
    std::fs::write(
        &td,
        json!({"taskDefinition": {
            "family": "app",
            "executionRoleArn": "arn:aws:iam::123456789012:role/app-exec",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{
                "name": "app",
                "image": lab.image_ref(),
                "secrets": [
                    {"name": "DB_URL", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/app/db-url"},
                    {"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"}
                ],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-region": "us-east-1", "awslogs-group": "/app"}}
            }, {
                "name": "sidecar",
                "image": "datadog/agent:7",
                "essential": false
            }]
        }})
        .to_string(),
    )
    .unwrap();
    let td = td.display().to_string();
    let out = run_with_services(&lab, &["--task-definition", &td]);
    assert!(!out.stdout.contains(SECRET_VALUE) && !out.stderr.contains(SECRET_VALUE));
    // The Docker Hub sidecar is not essential: a warning naming it and its cache reference.
    out.expect_exit(0);
    out.expect_hop("service:ssm", "pass", None);
    out.expect_hop("service:secretsmanager", "pass", None);
    let report = out.report();
    let needs: Vec<(String, String)> = report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["subject"].as_str().unwrap().to_string(),
                n["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        needs
            .iter()
            .any(|(s, v)| s.starts_with("image app ") && v == "pass"),
        "{needs:?}"
    );
    assert!(
        needs
            .iter()
            .any(|(s, v)| s.starts_with("image sidecar datadog/agent:7") && v == "warn"),
        "{needs:?}"
    );
    assert!(
        needs
            .iter()
            .any(|(s, v)| s == "secrets from ssm (/app/db-url)" && v == "pass"),
        "{needs:?}"
    );
    assert!(needs.iter().any(|(s, v)| s.starts_with("secrets from secretsmanager (arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf)") && v == "pass"), "{needs:?}");
    let ctx_hint = report["hops"][0]["evidence"]["findings"].to_string();
    assert!(
        ctx_hint.contains("docker-hub/datadog/agent:7"),
        "{ctx_hint}"
    );
    assert_eq!(report["context"]["image_source"], "flag");
    assert_eq!(
        report["principal"]["expected"],
        "arn:aws:iam::123456789012:role/app-exec"
    );
    let targets: Vec<String> = lab
        .logs
        .as_ref()
        .unwrap()
        .requests()
        .iter()
        .filter_map(|r| r.header("x-amz-target").map(str::to_string))
        .collect();
    for t in &targets {
        assert!(
            !t.contains("GetSecretValue") && !t.contains("GetParameter"),
            "{targets:?}"
        );
    }
    assert!(
        targets.iter().any(|t| t == "secretsmanager.DescribeSecret"),
        "{targets:?}"
    );
}

#[test]
fn a_secret_under_a_customer_managed_key_asks_for_the_kms_endpoint() {
    let lab = Setup::default()
        .logs(|req, _| {
            (req.header("x-amz-target") == Some("secretsmanager.DescribeSecret")).then(|| {
                aws_json(
                    200,
                    json!({"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
                           "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
                )
            })
        })
        .start();
    let out = run_with_services(
        &lab,
        &[
            "--check",
            "secretsmanager=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        ],
    );
    out.expect_exit(0);
    let h = out.expect_hop("service:secretsmanager", "warn", Some("service.kms_needed"));
    assert!(
        hint(&h).contains("--check kms=arn:aws:kms:us-east-1:123456789012:key/"),
        "{}",
        hint(&h)
    );
}

/// Severity says what the user loses (issue 19): a FireLens output the probe cannot
/// check (Firehose, no endpoint of it here) leaves the task able to start; the report
/// lists it after what the task cannot start without, says what is lost, and exits 0.
#[test]
fn a_firelens_output_degrades_the_task_and_is_listed_after_what_stops_it() {
    let lab = Setup::default().logs(|req, _| services(req)).start();
    let dir = tempfile::tempdir().unwrap();
    let td = dir.path().join("td.json");
    std::fs::write(
        &td,
        json!([{
            "name": "log_router",
            "image": common::probe::IMAGE,
            "firelensConfiguration": {"type": "fluentbit", "options": null},
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-region": "us-east-1", "awslogs-group": "/router"}}
        }, {
            "name": "app",
            "image": common::probe::IMAGE,
            "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "firehose", "region": "us-east-1", "delivery_stream": "my-stream"}}
        }, {
            "name": "xray-daemon",
            "image": "public.ecr.aws/xray/aws-xray-daemon:3.x",
            "essential": false
        }])
        .to_string(),
    )
    .unwrap();
    let td = td.display().to_string();
    let out = run_with_services(&lab, &["--task-definition", &td]);
    out.expect_exit(0);
    let report = out.report();
    let firehose = report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["subject"]
                .as_str()
                .unwrap()
                .starts_with("FireLens firehose output of app (firehose)")
        })
        .unwrap()
        .clone();
    assert_eq!(firehose["verdict"], "warn", "{firehose}");
    assert_eq!(firehose["impact"], "degrades");
    assert_eq!(
        firehose["loses"],
        "the task starts; the logs app sends through FireLens are dropped"
    );
    // Probed: the firehose endpoint's chain (no such endpoint here: its dns fails).
    assert!(
        firehose["hops"]
            .to_string()
            .contains("dns:firehose.us-east-1.amazonaws.com"),
        "{firehose}"
    );
    let xray = report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject"] == "X-Ray daemon of xray-daemon (xray)")
        .unwrap()
        .clone();
    assert_eq!(xray["loses"], "the task starts; its traces are dropped");
    assert_ne!(xray["verdict"], "fail", "{xray}");
    assert!(
        xray["hops"]
            .to_string()
            .contains("dns:xray.us-east-1.amazonaws.com"),
        "{xray}"
    );
    let router = report["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["subject"]
                .as_str()
                .unwrap()
                .contains("logs of log_router")
        })
        .unwrap()
        .clone();
    assert_eq!(router["impact"], "stops_task", "{router}");

    let human = run_with_services(&lab, &["--task-definition", &td, "--output", "human"]);
    human.expect_exit(0);
    let text = &human.stdout;
    let at = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("{s:?} not in\n{text}"))
    };
    assert!(at("logs of log_router") < at("it starts without these, degraded:"));
    assert!(at("it starts without these, degraded:") < at("FireLens firehose output"));
    let line = text
        .lines()
        .find(|l| l.contains("FireLens firehose output"))
        .unwrap();
    assert!(
        line.contains("WARN") && line.contains("— the task starts; the logs app sends"),
        "{line}"
    );
}
