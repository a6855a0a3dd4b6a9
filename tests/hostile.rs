//! Hostile servers and hostile input, against the real binary on loopback: one case per
//! misbehaviour of issue 11 (items 1-23) and per attack that already held (silent and
//! garbage DNS, hanging TLS, slowloris, huge manifests, gzip bombs, redirect loops,
//! redirects to http://, to user info, to the instance metadata address), and of
//! issue 20 (`i20_*`: unreadable and slow answers, Date headers, bounded output and
//! memory, every control character escaped). tests/HOSTILE.md lists every case with
//! what it proves.
//!
//! The server is the hop tests' harness (tests/support/) with one mode per
//! misbehaviour ([`Mode`]): each is a [`Setup`] whose fakes misbehave in that one way.
//! Every case asserts:
//! - a bounded run: the probe finishes on its own (`--deadline`; the harness kills it
//!   after `RUN_LIMIT` and fails the test), and under `prlimit --as` where memory is
//!   the attack; never a tight timing assertion;
//! - the cause code and the exit code;
//! - that no secret reaches stdout or stderr (the token, the keys, the presigned
//!   query, and each case's own planted secret).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::dns::Answer;
use support::https::Response;
use support::*;

use common::probe::{IMAGE, Probe};

/// The address-space limit of the memory cases: the issue saw a 300 MB answer push
/// the probe past 1.2 GiB, and abort under 600 MB.
const MEMORY_LIMIT: u64 = 600 * 1024 * 1024;
/// A generous bound for the runs that need no fakes.
const LIMIT: Duration = Duration::from_secs(30);

fn manifest_path(reference: &str) -> String {
    format!("/v2/{REPO}/manifests/{reference}")
}

fn is_blob(req: &support::https::Request) -> bool {
    req.path().starts_with(&format!("/v2/{REPO}/blobs/"))
}

fn not_in_output(out: &Outcome, needles: &[&str]) {
    out.assert_no_secrets();
    for n in needles {
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!text.contains(n), "{stream} contains {n:?}:\n{text}");
        }
    }
}

/// The one hostile server, by misbehaviour.
enum Mode {
    /// GetAuthorizationToken answers this many bytes (chunked: no length to refuse on).
    HugeTokenAnswer(u64),
    /// The manifest, a byte at a time.
    TrickledManifest,
    /// The layer, a byte at a time.
    TrickledLayer,
    /// The manifest request answers a registry error with this message.
    RegistryMessage(&'static str),
    /// The blob request redirects to this Location (`{port}`: the S3 fake's port).
    BlobRedirect(&'static str),
    /// The manifest request answers this JSON, as an OCI manifest.
    Manifest(Value),
    /// S3 answers the layer with this many extra bytes.
    LongerLayer(usize),
    /// The ECR API answers 200 with this body.
    TokenBody(&'static str),
    /// GET /v2/ answers its head a byte at a time.
    Slowloris,
    /// The manifest request answers this many bytes.
    HugeManifest(u64),
}

impl Mode {
    fn setup(self) -> Setup {
        let s = Setup::default();
        match self {
            Mode::HugeTokenAnswer(n) => s.api(move |_, _| {
                Some(
                    Response::new(200)
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .generated(n, true),
                )
            }),
            Mode::TrickledManifest => s.registry(|req, w| {
                (req.path() == manifest_path(TAG)).then(|| {
                    manifest_response(w.image.manifest_media_type, &w.image.manifest)
                        .trickle(Duration::from_millis(20))
                })
            }),
            Mode::TrickledLayer => s.s3(|_, w| {
                Some(
                    Response::with_body(200, "application/octet-stream", w.image.layer.clone())
                        .trickle(Duration::from_millis(2)),
                )
            }),
            Mode::RegistryMessage(m) => s.registry(move |req, _| {
                (req.path() == manifest_path(TAG))
                    .then(|| registry_error(404, "MANIFEST_UNKNOWN", m))
            }),
            Mode::BlobRedirect(location) => s.registry(move |req, w| {
                is_blob(req).then(|| {
                    Response::new(307).header(
                        "Location",
                        &location.replace("{port}", &w.s3_port.to_string()),
                    )
                })
            }),
            Mode::Manifest(doc) => {
                let body = serde_json::to_vec(&doc).unwrap();
                s.registry(move |req, _| {
                    (req.path() == manifest_path(TAG))
                        .then(|| manifest_response(OCI_MANIFEST, &body))
                })
            }
            Mode::LongerLayer(extra) => s.s3(move |_, w| {
                let mut bytes = w.image.layer.clone();
                bytes.extend(std::iter::repeat_n(0u8, extra));
                Some(Response::with_body(200, "application/octet-stream", bytes))
            }),
            Mode::TokenBody(body) => s.api(move |_, _| {
                Some(Response::with_body(200, "application/x-amz-json-1.1", body))
            }),
            Mode::Slowloris => s.registry(|req, _| {
                (req.path() == "/v2/").then(|| {
                    Response::with_body(401, "text/plain", "Not Authorized\n")
                        .header("Www-Authenticate", "Basic realm=\"x\"")
                        .slow_head(Duration::from_millis(300))
                })
            }),
            Mode::HugeManifest(n) => s.registry(move |req, _| {
                (req.path() == manifest_path(TAG)).then(|| {
                    Response::new(200)
                        .header("Content-Type", DOCKER_MANIFEST)
                        .generated(n, false)
                })
            }),
        }
    }
}

fn digest_of(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

fn manifest_with_layers(layers: Vec<Value>) -> Value {
    json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": digest_of(1)},
        "layers": layers,
    })
}

/// A probe run with no fakes at all: DNS goes to a loopback port where nothing
/// listens, so nothing leaves the machine even if a check were missing.
fn offline(args: &[&str], env: &[(&str, &str)]) -> common::probe::Finished {
    let mut p = Probe::new();
    p.args(args).args(["--dns-server", "127.0.0.1:9"]);
    for (k, v) in env {
        p.env(k, v);
    }
    let run = p.run_within(LIMIT).unwrap();
    assert!(
        !run.killed,
        "the probe outlived {LIMIT:?}: {}",
        p.shell_line()
    );
    run
}

fn usage_error(run: &common::probe::Finished) -> Value {
    assert_eq!(
        run.code,
        Some(2),
        "stdout {}\nstderr {}",
        run.stdout,
        run.stderr
    );
    serde_json::from_str(run.stderr.trim()).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
}

// ------------------------------------------------------------------ 1. SDK answers

#[test]
fn item01_a_300_mb_token_answer_is_refused_under_a_600_mb_limit() {
    let lab = Mode::HugeTokenAnswer(300_000_000).setup().start();
    let out = lab.run_with(&[], &RunOpts::default().memory_limit(MEMORY_LIMIT));
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("ecr_token", "fail", Some("http.too_large"));
    out.expect_skipped("manifest", "ecr_token");
}

#[test]
fn item01_a_300_mb_credentials_answer_is_refused_under_a_600_mb_limit() {
    let lab = Setup::default().start();
    let creds = lab.plain(|_| {
        Response::new(200)
            .header("Content-Type", "application/json")
            .generated(300_000_000, true)
    });
    let uri = format!("http://127.0.0.1:{}/v2/credentials/x", creds.port());
    let opts = RunOpts::default()
        .memory_limit(MEMORY_LIMIT)
        .unset("AWS_ACCESS_KEY_ID")
        .unset("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri);
    let out = lab.run_with(&[], &opts);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("credentials", "fail", Some("http.too_large"));
}

#[test]
fn item01_a_300_mb_logs_answer_is_refused_under_a_600_mb_limit() {
    let lab = Setup::default()
        .logs(|_, _| {
            Some(
                Response::new(200)
                    .header("Content-Type", "application/x-amz-json-1.1")
                    // Announced: refused on the length, before any byte is read
                    // (the token case is chunked: refused while reading).
                    .generated(300_000_000, false),
            )
        })
        .start();
    let out = lab.run_with(&[], &RunOpts::default().memory_limit(MEMORY_LIMIT));
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("logs", "fail", Some("http.too_large"));
}

// ------------------------------------------------------------------ 2. total bounds

#[test]
fn item02_a_manifest_sent_a_byte_at_a_time_times_out_within_its_own_bound() {
    let lab = Mode::TrickledManifest.setup().start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.timeout"));
    assert!(
        h["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("reading the body"),
        "{h}"
    );
}

#[test]
fn item02_a_layer_cut_by_the_deadline_reports_what_it_had() {
    let lab = Mode::TrickledLayer.setup().start();
    let out = lab.run(&["--deadline", "4s"]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("probe.deadline"));
    let e = &h["evidence"];
    assert!(e["bytes_read"].as_u64().unwrap_or(0) > 0, "{h}");
    assert!(e["remote_address"].as_str().is_some(), "{h}");
    assert!(h["duration_ms"].as_f64().unwrap_or(0.0) > 0.0, "{h}");
    assert!(
        h["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("reading the body"),
        "{h}"
    );
}

#[test]
fn item02_a_layer_request_cut_by_the_deadline_names_its_phase_and_address() {
    let lab = Setup::default().s3(|_, _| Some(Response::stall())).start();
    let out = lab.run(&["--timeout", "3s", "--deadline", "3s"]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("probe.deadline"));
    let hint = h["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("waiting for the response"), "{h}");
    assert!(
        hint.contains(&format!("127.0.0.1:{}", lab.s3.port())),
        "{h}"
    );
    assert!(h["duration_ms"].as_f64().unwrap_or(0.0) > 0.0, "{h}");
}

// ------------------------------------------------------------------ 3. escapes

const FORGED: &str = "gone\u{1b}[2J\u{1b}[H\n  PASS manifest  all is well\r\n\u{9b}32mPASS: this subnet can pull\u{202e}";

#[test]
fn item03_server_text_cannot_drive_the_terminal_in_human_output() {
    let lab = Mode::RegistryMessage(FORGED).setup().start();
    let out = lab.run(&["--output", "human"]);
    not_in_output(&out, &["\u{1b}", "\u{9b}", "\u{202e}", "\r"]);
    out.expect_exit(1);
    for line in out.stdout.lines() {
        assert!(
            !line.trim_start().starts_with("PASS manifest"),
            "forged line: {line:?}"
        );
        assert!(
            !line.starts_with("PASS: this subnet"),
            "forged verdict: {line:?}"
        );
    }
    assert!(out.stdout.contains("\\x1b[2J"), "{}", out.stdout);
}

#[test]
fn item03_server_text_is_escaped_in_emf_output() {
    let lab = Mode::RegistryMessage(FORGED).setup().start();
    let out = lab.run(&["--output", "emf"]);
    not_in_output(&out, &["\u{1b}", "\u{9b}", "\u{202e}"]);
    out.expect_exit(1);
    let report: Value = serde_json::from_str(out.stdout.lines().last().unwrap()).unwrap();
    let manifest = report["hops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "manifest")
        .unwrap();
    // Escaped on the wire, the same text once parsed.
    assert_eq!(manifest["evidence"]["error_message"], FORGED);
}

// ------------------------------------------------------------------ 4. redaction

#[test]
fn item04_redirect_user_info_with_a_slash_is_not_shown_or_followed() {
    let lab = Mode::BlobRedirect("https://layeruser:pa/ss3cr3t@prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com:{port}/layers/x")
        .setup()
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &["ss3cr3t", "layeruser"]);
    out.expect_exit(1);
    out.expect_hop("layer_redirect", "fail", Some("layer.unexpected_redirect"));
    assert!(lab.s3.requests().is_empty(), "{:?}", lab.s3.requests());
}

#[test]
fn item04_proxy_passwords_with_url_delimiters_never_reach_the_report() {
    let lab = Setup::default().start();
    for proxy in [
        "http://puser:pw/se#c?ret@proxy.internal:3128",
        "puser:pw/se#c?ret@proxy.internal:3128",
    ] {
        let out = lab.run_with(&[], &RunOpts::default().env("HTTPS_PROXY", proxy));
        not_in_output(&out, &["pw/se", "se#c", "c?ret", "puser"]);
        // The probe never goes through the proxy; it reports that clients would.
        out.expect_exit(0);
        out.report();
    }
    for endpoint in [
        "https://euser:pw/se#c@h.example",
        "api=https://euser:pw/se@h.example",
    ] {
        let run = offline(&["--image", IMAGE, "--endpoint", endpoint], &[]);
        usage_error(&run);
        assert!(
            !run.stderr.contains("pw/se") && !run.stderr.contains("euser"),
            "{}",
            run.stderr
        );
    }
}

// ------------------------------------------------------------------ 5. arithmetic

#[test]
fn item05_layer_sizes_that_overflow_are_an_invalid_manifest() {
    let big =
        json!({"mediaType": LAYER_MEDIA_TYPE, "size": u64::MAX / 2 + 1, "digest": digest_of(2)});
    let lab = Mode::Manifest(manifest_with_layers(vec![big.clone(), big]))
        .setup()
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("manifest", "fail", Some("registry.manifest_invalid"));
    assert!(h["evidence"]["image_size_bytes"].is_null(), "{h}");
}

// ------------------------------------------------------------------ 6. demo.sh

#[test]
fn item06_demo_fails_loudly_without_a_binary_and_honours_cargo_target_dir() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/demo.sh");
    let out = std::process::Command::new("bash")
        .arg(demo)
        .env("VPCE_PROBE_BIN", "/nonexistent/vpce-probe")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Not root here means it stops earlier, also with a non-zero exit.
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(demo).unwrap();
    assert!(
        text.contains("${CARGO_TARGET_DIR:-"),
        "demo.sh must honour CARGO_TARGET_DIR"
    );
    assert!(text.contains("several minutes"));
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains("several minutes"),
        "README must say the first build is slow"
    );
}

// ------------------------------------------------------------------ 7, 8, 11, 18, 20: input

#[test]
fn item07_a_typo_in_the_image_host_is_a_usage_error_not_a_dns_failure() {
    for image in [
        "123456789012.dkr.ecr.us-east1.amazonaws.com/app:v1",
        "12345678901.dkr.ecr.us-east-1.amazonaws.com/app:v1",
        "123456789012.dkr.ecr.us-east-1.amazon_aws.com/app:v1",
    ] {
        let e = usage_error(&offline(&["--image", image, "--output", "json"], &[]));
        assert_eq!(e["error"]["code"], "usage.image", "{image}: {e}");
    }
}

#[test]
fn item08_an_upper_case_digest_is_refused_with_the_reason() {
    let image = format!("{DKR_HOST}/app@sha256:{}", "AB".repeat(32));
    let e = usage_error(&offline(&["--image", &image, "--output", "json"], &[]));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lower-case"),
        "{e}"
    );
}

#[test]
fn item11_endpoint_hosts_are_validated() {
    for bad in [
        "api=https://::1",
        "api=https://a..b",
        "api=https://-x.example",
        "api=https://x-.example",
    ] {
        let e = usage_error(&offline(
            &["--image", IMAGE, "--endpoint", bad, "--output", "json"],
            &[],
        ));
        assert_eq!(e["error"]["code"], "usage.endpoint", "{bad}: {e}");
    }
}

#[test]
fn item18_a_long_image_is_not_echoed_twice() {
    let long = format!("{DKR_HOST}/{}", "X".repeat(3000));
    let run = offline(&["--image", &long, "--output", "json"], &[]);
    usage_error(&run);
    assert!(run.stderr.len() < 600, "{}", run.stderr);
    // Once, cut: the reason names the part, the reference is not repeated whole.
    assert!(run.stderr.matches('X').count() <= 50, "{}", run.stderr);
}

#[test]
fn item20_cidr_errors_name_the_prefix_length() {
    let e = usage_error(&offline(
        &[
            "--image",
            IMAGE,
            "--vpc-cidr",
            "10.0.0.0/33",
            "--output",
            "json",
        ],
        &[],
    ));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("prefix length"),
        "{e}"
    );
    let e = usage_error(&offline(
        &[
            "--image",
            IMAGE,
            "--vpc-cidr",
            "10.0.0/16",
            "--output",
            "json",
        ],
        &[],
    ));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an IP address"),
        "{e}"
    );
}

// ------------------------------------------------------------------ 9. digests, ports

#[test]
fn item09_a_manifest_digest_that_is_not_one_never_becomes_a_request() {
    let evil = json!({"mediaType": LAYER_MEDIA_TYPE, "size": 10, "digest": "sha256:../../../v2/other/manifests/latest"});
    let lab = Mode::Manifest(manifest_with_layers(vec![evil]))
        .setup()
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("manifest", "fail", Some("registry.manifest_invalid"));
    assert!(
        lab.registry_requests()
            .iter()
            .all(|r| !r.target.contains(".."))
    );
}

#[test]
fn item09_a_redirect_to_another_port_on_the_bucket_host_is_not_followed() {
    let lab = Mode::BlobRedirect(
        "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com:1/layers/x",
    )
    .setup()
    .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("layer_redirect", "fail", Some("layer.unexpected_redirect"));
    assert!(
        h["message"].as_str().unwrap_or_default().contains("port"),
        "{h}"
    );
}

// ------------------------------------------------------------------ 10. --ca-bundle

#[test]
fn item10_a_fifo_or_a_device_as_ca_bundle_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ca.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        let run = offline(
            &[
                "--image",
                IMAGE,
                "--ca-bundle",
                path,
                "--output",
                "json",
                "--timeout",
                "1s",
                "--deadline",
                "2s",
            ],
            &[],
        );
        let e = usage_error(&run);
        assert_eq!(e["error"]["code"], "usage.ca_bundle", "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("regular file"),
            "{e}"
        );
    }
}

// ------------------------------------------------------------------ 12. not an image

#[test]
fn item12_json_that_is_not_a_manifest_fails_instead_of_passing_empty() {
    let lab = Mode::Manifest(json!({"schemaVersion": 2})).setup().start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("manifest", "fail", Some("registry.manifest_invalid"));
    out.expect_skipped("layer", "manifest");
}

#[test]
fn item12_a_nested_index_fails() {
    let inner = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest_of(3), "size": 10,
                       "platform": {"os": "linux", "architecture": "amd64"}}],
    }))
    .unwrap();
    let inner_digest = sha256(&inner);
    let outer = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_INDEX, "digest": inner_digest, "size": inner.len(),
                       "platform": {"os": "linux", "architecture": "amd64"}}],
    }))
    .unwrap();
    let lab = Setup::default()
        .registry(move |req, _| {
            if req.path() == manifest_path(TAG) {
                Some(manifest_response(OCI_INDEX, &outer))
            } else if req.path() == manifest_path(&inner_digest) {
                Some(manifest_response(OCI_INDEX, &inner))
            } else {
                None
            }
        })
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("manifest", "fail", Some("registry.unsupported_manifest"));
}

// ------------------------------------------------------------------ 13. longer layer

#[test]
fn item13_a_layer_longer_than_declared_stops_one_byte_past_it() {
    let lab = Mode::LongerLayer(5 * 1024 * 1024).setup().start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("layer.size_mismatch"));
    assert_eq!(h["evidence"]["bytes_read"], LAYER_LEN + 1);
}

// ------------------------------------------------------------------ 14. many addresses

#[test]
fn item14_a_thousand_addresses_for_a_name_are_capped() {
    let lab = Setup::default().dns(DKR_HOST, Answer::Many(1000)).start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    // The other 15 addresses refuse: those tcp hops fail.
    out.expect_exit(1);
    let h = out.hop(&format!("dns:{DKR_HOST}"));
    assert!(
        h["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1000 addresses"),
        "{h}"
    );
    let tcp = out
        .hops()
        .iter()
        .filter(|h| {
            h["kind"] == "tcp"
                && h["target"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(DKR_HOST)
        })
        .count();
    assert_eq!(tcp, 16);
    // 127.0.0.1 is among them and serves: the pull still works through it.
    out.expect_hop("manifest", "pass", None);
}

// ------------------------------------------------------------------ 15. token answers

#[test]
fn item15_an_unreadable_token_answer_is_an_unreadable_answer() {
    let lab = Mode::TokenBody("<html>hello from the proxy</html>")
        .setup()
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    // Issue 20: one code for "not the AWS API" on every hop (it was auth.bad_response,
    // which stays for a token ECR's JSON carries but no client can send).
    let h = out.expect_hop("ecr_token", "fail", Some("http.unreadable_answer"));
    assert_eq!(h["evidence"]["http_status"], 200);
    assert_eq!(
        h["evidence"]["answer_prefix"],
        "<html>hello from the proxy</html>"
    );
}

#[test]
fn item15_a_token_with_cr_lf_is_a_bad_response_not_unauthorized() {
    let lab = Mode::TokenBody(r#"{"authorizationData":[{"authorizationToken":"QVdT\r\nOnB3","expiresAt":1.7e9,"proxyEndpoint":"https://x"}]}"#)
        .setup()
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &["QVdT"]);
    out.expect_exit(1);
    out.expect_hop("ecr_token", "fail", Some("auth.bad_response"));
    out.expect_skipped("manifest", "ecr_token");
}

// ------------------------------------------------------------------ 17. env values

#[test]
fn item17_empty_variables_are_unset_and_booleans_follow_env_conventions() {
    for yes in ["1", "yes", "true", "on"] {
        let env = [
            ("VPCE_PROBE_SKIP_LOGS", yes),
            ("VPCE_PROBE_TIMEOUT", ""),
            ("VPCE_PROBE_OUTPUT", ""),
            ("VPCE_PROBE_REGION", ""),
            ("VPCE_PROBE_PLATFORM", ""),
        ];
        let run = offline(&["--image", IMAGE, "--explain-plan"], &env);
        assert_eq!(run.code, Some(0), "{yes}: {}", run.stderr);
        assert!(
            !run.stdout.contains("logs.us-east-1"),
            "{yes}: {}",
            run.stdout
        );
    }
    let run = offline(
        &["--image", IMAGE, "--explain-plan"],
        &[("VPCE_PROBE_SKIP_LOGS", "0")],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("logs.us-east-1"), "{}", run.stdout);
}

// ------------------------------------------------------------------ 19. not ECR

#[test]
fn item19_ecr_public_and_docker_hub_without_a_region_get_their_diagnosis() {
    for (image, cause) in [
        ("public.ecr.aws/nginx/nginx:latest", "config.ecr_public"),
        ("docker.io/library/nginx:1", "config.not_ecr"),
    ] {
        let run = offline(&["--image", image, "--output", "json"], &[]);
        assert_eq!(run.code, Some(1), "{image}: {}", run.stderr);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_schema_valid(&report);
        assert_eq!(report["hops"][0]["cause"], cause, "{report:#}");
        assert_eq!(report["verdict"], "fail");
    }
}

/// A plain-HTTP task metadata endpoint answering `container` for this container's
/// document and `task` for the task's.
fn metadata(lab: &Lab, container: Value, task: Value, stall: bool) -> String {
    let server = lab.plain(move |req| {
        if stall {
            return Response::stall();
        }
        let doc = if req.path().ends_with("/task") {
            &task
        } else {
            &container
        };
        Response::with_body(200, "application/json", serde_json::to_vec(doc).unwrap())
    });
    format!("http://127.0.0.1:{}/v4/container-1", server.port())
}

#[test]
fn item19_a_task_image_that_is_not_a_reference_says_where_it_came_from() {
    let lab = Setup::default().start();
    let uri = metadata(&lab, json!({"Image": "nginx:latest"}), json!({}), false);
    let opts = RunOpts::default().env("ECS_CONTAINER_METADATA_URI_V4", &uri);
    let out = lab.run_with(&["--image", ""], &opts);
    not_in_output(&out, &[]);
    out.expect_exit(2);
    assert!(out.stderr.contains("ECS task metadata"), "{}", out.stderr);
}

#[test]
fn item20_the_task_arn_region_is_validated_like_region() {
    let lab = Setup::default().start();
    let uri = metadata(
        &lab,
        json!({}),
        json!({"TaskARN": "arn:aws:ecs:evil\u{1b}[2J:123456789012:task/c/1"}),
        false,
    );
    let opts = RunOpts::default()
        .env("ECS_CONTAINER_METADATA_URI_V4", &uri)
        .unset("AWS_REGION");
    let out = lab.run_with(&[], &opts);
    not_in_output(&out, &["\u{1b}"]);
    out.expect_exit(2);
    assert!(out.stderr.contains("task ARN"), "{}", out.stderr);
}

// ------------------------------------------------------------------ 21. width

#[test]
fn item21_human_output_fits_100_columns_keeps_addresses_and_shares_fixes() {
    let lab = Setup {
        dns_silent: true,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&["--output", "human"]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    for line in out.stdout.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    // One word of the dns.timeout fix: a wrapped line never splits it.
    let fixes = out.stdout.matches("enableDnsSupport").count();
    assert_eq!(fixes, 1, "{}", out.stdout);

    let lab = Setup::default().start();
    let out = lab.run(&["--output", "human"]);
    out.expect_exit(0);
    let tcp: Vec<&str> = out.stdout.lines().filter(|l| l.contains(" tcp ")).collect();
    assert!(!tcp.is_empty(), "{}", out.stdout);
    for line in tcp {
        assert!(line.chars().count() <= 100, "{line}");
        assert!(line.contains("@127.0.0.1:"), "the address was cut: {line}");
    }
}

// ------------------------------------------------------------------ 23. context deadline

#[test]
fn item23_a_deadline_in_the_context_hop_is_still_a_report() {
    let lab = Setup::default().start();
    let uri = metadata(&lab, json!({}), json!({}), true);
    let opts = RunOpts::default().env("ECS_CONTAINER_METADATA_URI_V4", &uri);
    let out = lab.run_with(
        &["--image", "", "--timeout", "1s", "--deadline", "1s"],
        &opts,
    );
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("context", "fail", Some("probe.deadline"));
    assert!(h["duration_ms"].as_f64().unwrap_or(0.0) > 0.0, "{h}");
    assert_eq!(out.report()["verdict"], "fail");
}

// ------------------------------------------------------------------ what already held

#[test]
fn held_a_silent_dns_server() {
    let lab = Setup {
        dns_silent: true,
        ..Setup::default()
    }
    .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop(&format!("dns:{DKR_HOST}"), "fail", Some("dns.timeout"));
}

#[test]
fn held_a_dns_server_answering_garbage() {
    let mut setup = Setup::default();
    for answer in setup.dns.values_mut() {
        *answer = Answer::Garbage;
    }
    let lab = setup.start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.hop(&format!("dns:{DKR_HOST}"));
    assert_eq!(h["verdict"], "fail", "{h}");
    assert!(
        h["cause"].as_str().unwrap_or_default().starts_with("dns."),
        "{h}"
    );
}

#[test]
fn held_a_tls_server_that_never_answers_the_handshake() {
    let lab = Setup::default().start();
    let silent = lab.plain(|_| Response::stall());
    let image = format!("{DKR_HOST}:{}/{REPO}:{TAG}", silent.port());
    let out = lab.run(&["--image", &image]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop(&format!("tls:{DKR_HOST}"), "fail", Some("tls.timeout"));
}

#[test]
fn held_slowloris_response_headers() {
    let lab = Mode::Slowloris.setup().start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("registry", "fail", Some("registry.timeout"));
}

#[test]
fn held_a_1_gb_manifest_under_a_600_mb_limit() {
    let lab = Mode::HugeManifest(1 << 30).setup().start();
    let out = lab.run_with(&[], &RunOpts::default().memory_limit(MEMORY_LIMIT));
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("manifest", "fail", Some("registry.manifest_too_large"));
}

#[test]
fn held_a_10000_layer_manifest() {
    let layers: Vec<Value> = (0..10_000u32)
        .map(|i| {
            let hex = format!("{i:064x}");
            json!({"mediaType": LAYER_MEDIA_TYPE, "size": 1000 + u64::from(i), "digest": format!("sha256:{hex}")})
        })
        .collect();
    let lab = Mode::Manifest(manifest_with_layers(layers)).setup().start();
    let out = lab.run_with(&[], &RunOpts::default().memory_limit(MEMORY_LIMIT));
    not_in_output(&out, &[]);
    let h = out.expect_hop("manifest", "pass", None);
    assert_eq!(h["evidence"]["layer_count"], 10_000);
    // The registry does not know these blobs: the chain ends at the redirect.
    out.expect_exit(1);
    out.expect_hop("layer_redirect", "fail", Some("registry.blob_unknown"));
}

#[test]
fn held_a_gzip_bomb_layer_is_hashed_never_inflated() {
    // 200 MB of zeros, gzip -9: about 200 KB on the wire.
    let bomb = std::process::Command::new("sh")
        .args(["-c", "head -c 200000000 /dev/zero | gzip -9"])
        .output()
        .unwrap()
        .stdout;
    assert!(bomb.len() < 1 << 20 && bomb.len() > 1000, "{}", bomb.len());
    let mut image = Image::standard();
    image.layer_digest = sha256(&bomb);
    image.manifest = manifest_doc(
        DOCKER_MANIFEST,
        &image.config,
        &[json!({"mediaType": LAYER_MEDIA_TYPE, "size": bomb.len(), "digest": image.layer_digest})],
    );
    image.manifest_digest = sha256(&image.manifest);
    image.layer = bomb.clone();
    let len = bomb.len();
    let lab = Setup {
        image,
        ..Setup::default()
    }
    .s3(move |_, w| {
        Some(
            Response::with_body(200, "application/octet-stream", w.image.layer.clone())
                .header("Content-Encoding", "gzip"),
        )
    })
    .start();
    let out = lab.run_with(&[], &RunOpts::default().memory_limit(MEMORY_LIMIT));
    not_in_output(&out, &[]);
    out.expect_exit(0);
    let h = out.expect_hop("layer", "pass", None);
    assert_eq!(h["evidence"]["bytes_read"], len);
}

#[test]
fn held_a_redirect_loop() {
    let lab = Setup::default()
        .s3(|_, w| Some(Response::new(307).header("Location", &w.layer_url())))
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    out.expect_hop("layer", "fail", Some("layer.too_many_redirects"));
}

#[test]
fn held_redirects_to_http_to_user_info_and_to_instance_metadata() {
    for location in [
        "http://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/layers/x",
        "https://u:plainpw@prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com:{port}/layers/x",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    ] {
        let lab = Mode::BlobRedirect(location).setup().start();
        let out = lab.run(&[]);
        not_in_output(&out, &["plainpw"]);
        out.expect_exit(1);
        out.expect_hop("layer_redirect", "fail", Some("layer.unexpected_redirect"));
        assert!(lab.s3.requests().is_empty(), "{location}");
        assert!(!lab.dns.was_asked("169.254.169.254"));
    }
}

#[test]
fn item14_running_out_of_file_descriptors_is_not_blamed_on_the_network() {
    let lab = Setup::default().dns(DKR_HOST, Answer::Many(16)).start();
    let out = lab.run_with(&[], &RunOpts::default().limit("--nofile=16"));
    not_in_output(&out, &[]);
    let emfile: Vec<Value> = out
        .hops()
        .into_iter()
        .filter(|h| h.to_string().contains("Too many open files"))
        .collect();
    out.expect_exit(1);
    // 16 descriptors: the run itself needs about as many, so some connects fail.
    assert!(
        !emfile.is_empty(),
        "no hop ran out of descriptors: {}",
        out.stdout
    );
    for h in emfile {
        assert_eq!(h["cause"], "probe.resources", "{h:#}");
    }
}

// ------------------------------------------------------------------ 22. lab.sh down

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `lab.sh down` returns only once every process the lab started has left /proc, not a
/// zombie among them. Needs root and the lab's packages (tests/lab/install.sh); skipped
/// without root, like the lab suite.
#[test]
fn item22_lab_down_returns_only_when_everything_it_started_is_gone() {
    if !is_root() {
        eprintln!("skipped: the lab needs root");
        return;
    }
    let lab_sh = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/lab.sh");
    let name = format!("vph{}", std::process::id() % 10000);
    let lab = |args: &[&str]| {
        std::process::Command::new("bash")
            .arg(lab_sh)
            .args(args)
            // lab.sh's own watcher tears the lab down if this test dies first.
            .env("LAB_OWNER_PID", std::process::id().to_string())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let up = lab(&["up", &name]);
    if !up.status.success() {
        let said = String::from_utf8_lossy(&up.stderr).into_owned();
        let _ = lab(&["down", &name]);
        assert!(said.contains("missing:"), "lab up failed: {said}");
        eprintln!("skipped: {said}");
        return;
    }
    let state = std::env::var("VPCE_LAB_STATE")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.lab").to_string());
    let pids: Vec<String> = std::fs::read_dir(format!("{state}/{name}/pids"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(pids.len() >= 4, "recorded daemons: {pids:?}");
    let down = lab(&["down", &name]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    let left: Vec<&String> = pids
        .iter()
        .filter(|p| std::path::Path::new(&format!("/proc/{p}")).exists())
        .collect();
    assert!(left.is_empty(), "still in /proc right after down: {left:?}");
}

// ------------------------------------------------------------------ issue 20
// Honest under hostile input, part 2: unreadable answers, the Date header, bounded
// output and memory, one escape for every renderer, slow answers, one credentials
// request. tests/HOSTILE.md lists each case with what it proves.

fn with_services(lab: &Lab, args: &[&str]) -> Outcome {
    let out = lab.run_with_services(args);
    not_in_output(&out, &[]);
    out
}

fn is_ssm(req: &support::https::Request) -> bool {
    req.header("x-amz-target") == Some("AmazonSSM.DescribeParameters")
}

/// A proxy's block page, with a bidi override and an escape planted in it.
const PROXY_PAGE: &str = "<html><head><title>403 Forbidden</title></head><body>\u{1b}[2J Blocked by policy\u{202e} of the corporate proxy. Incident 0123456789</body></html>";

/// No character a terminal obeys (C0 but newline, DEL, C1, bidi, separators, invisible
/// format characters) in `text`.
fn no_raw_controls(what: &str, text: &str) {
    let bad: Vec<String> = text
        .chars()
        .filter(|&c| c != '\n' && vpce_probe::report::text::needs_escape(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(bad.is_empty(), "{what} holds raw {bad:?}:\n{text}");
}

fn assert_unreadable(h: &Value, status: u64, starts: &str) {
    assert_eq!(h["evidence"]["http_status"], status, "{h}");
    let prefix = h["evidence"]["answer_prefix"].as_str().unwrap_or_default();
    assert!(prefix.starts_with(starts), "{prefix:?} ({h})");
    assert!(prefix.chars().count() <= 201, "{prefix:?}");
    let hint = h["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("not as the AWS API does"), "{hint}");
}

#[test]
fn i20_a_service_success_that_is_not_the_api_is_unreadable_not_not_found() {
    let deep = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "upstream says hello".into(),
            "text/plain",
            "upstream says hello",
        ),
        (PROXY_PAGE.into(), "text/html", "<html><head><title>403"),
        (deep, "application/x-amz-json-1.1", "[[[["),
        (
            r#"{"NextToken":"x"}"#.into(),
            "application/x-amz-json-1.1",
            "{\"NextToken\"",
        ),
    ];
    for (body, content_type, starts) in cases {
        let lab = Setup::default()
            .logs(move |req, _| {
                is_ssm(req).then(|| Response::with_body(200, content_type, body.clone()))
            })
            .start();
        let out = with_services(&lab, &["--check", "ssm=/app/db-url"]);
        out.expect_exit(1);
        let h = out.expect_hop("service:ssm", "fail", Some("http.unreadable_answer"));
        assert_unreadable(&h, 200, starts);
        no_raw_controls("stdout", &out.stdout);
        assert!(!out.stdout.contains("service.not_found"), "{}", out.stdout);
    }
}

#[test]
fn i20_a_service_error_page_from_a_proxy_keeps_its_code_and_shows_the_page() {
    let lab = Setup::default()
        .logs(|req, _| is_ssm(req).then(|| Response::with_body(403, "text/html", PROXY_PAGE)))
        .start();
    let out = with_services(&lab, &["--check", "ssm=/app/db-url", "--output", "human"]);
    out.expect_exit(1);
    no_raw_controls("human stdout", &out.stdout);
    assert!(
        out.stdout.contains("service.unexpected_answer"),
        "{}",
        out.stdout
    );
    let json = with_services(&lab, &["--check", "ssm=/app/db-url"]);
    let h = json.expect_hop("service:ssm", "fail", Some("service.unexpected_answer"));
    let prefix = h["evidence"]["answer_prefix"].as_str().unwrap_or_default();
    assert!(prefix.contains("Blocked by policy\\u{202e}"), "{prefix}");
    no_raw_controls("json stdout", &json.stdout);
}

#[test]
fn i20_a_logs_answer_from_a_proxy_no_longer_passes() {
    let lab = Setup::default()
        .logs(|_, _| Some(Response::with_body(200, "text/html", PROXY_PAGE)))
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("logs", "fail", Some("http.unreadable_answer"));
    assert_unreadable(&h, 200, "<html>");
}

#[test]
fn i20_an_ecr_api_error_page_is_unreadable_not_an_ecr_error() {
    let lab = Setup::default()
        .api(|_, _| Some(Response::with_body(502, "text/html", PROXY_PAGE)))
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("ecr_token", "fail", Some("http.unreadable_answer"));
    assert_unreadable(&h, 502, "<html>");
}

#[test]
fn i20_a_proxy_403_or_404_page_at_the_registry_is_no_denial_and_no_missing_tag() {
    for status in [403, 404] {
        let lab = Setup::default()
            .registry(move |req, _| {
                (req.path() == manifest_path(TAG))
                    .then(|| Response::with_body(status, "text/html", PROXY_PAGE))
            })
            .start();
        let out = lab.run(&[]);
        not_in_output(&out, &[]);
        out.expect_exit(1);
        let h = out.expect_hop("manifest", "fail", Some("http.unreadable_answer"));
        assert_unreadable(&h, u64::from(status), "<html>");
    }
}

#[test]
fn i20_a_proxy_403_page_at_s3_is_no_endpoint_policy() {
    let lab = Setup::default()
        .s3(|_, _| Some(Response::with_body(403, "text/html", PROXY_PAGE)))
        .start();
    let out = lab.run(&[]);
    not_in_output(&out, &[]);
    out.expect_exit(1);
    let h = out.expect_hop("layer", "fail", Some("http.unreadable_answer"));
    assert_unreadable(&h, 403, "<html>");
}

/// Container credentials at a plain-HTTP fake answering `answer`; (outcome, requests
/// the fake got).
fn credentials_from(answer: Response) -> (Outcome, usize) {
    let lab = Setup::default().start();
    let creds = lab.plain(move |_| answer.clone());
    let uri = format!("http://127.0.0.1:{}/v2/credentials/x", creds.port());
    let opts = RunOpts::default()
        .unset("AWS_ACCESS_KEY_ID")
        .unset("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri);
    let out = lab.run_with(&[], &opts);
    not_in_output(&out, &[]);
    (out, creds.requests().len())
}

#[test]
fn i20_a_failing_credentials_endpoint_is_asked_once_and_its_reason_reported() {
    // 500: the SDK's provider retries it (3 attempts of its own); 400: it does not.
    for status in [500, 400] {
        let (out, requests) = credentials_from(Response::with_body(
            status,
            "application/json",
            r#"{"code":"InternalError","message":"agent state store unavailable"}"#,
        ));
        out.expect_exit(1);
        assert_eq!(
            requests, 1,
            "HTTP {status}: the endpoint got {requests} requests"
        );
        let h = out.expect_hop("credentials", "fail", Some("auth.credentials_error"));
        let message = h["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!(
                "HTTP {status} InternalError: agent state store unavailable"
            )),
            "{message}"
        );
    }
}

#[test]
fn i20_a_credentials_success_that_is_not_the_document_is_unreadable() {
    let (out, requests) = credentials_from(Response::with_body(200, "text/html", PROXY_PAGE));
    out.expect_exit(1);
    assert_eq!(requests, 1);
    let h = out.expect_hop("credentials", "fail", Some("http.unreadable_answer"));
    assert_unreadable(&h, 200, "<html>");
}

#[test]
fn i20_a_credentials_document_of_another_shape_is_unreadable_and_not_shown() {
    let body = json!({"AccessKeyId": "ASIAQQQQQQQQQQQQQQQQ", "SecretAccessKey": SECRET_KEY, "Token": "short"});
    let (out, requests) = credentials_from(Response::with_body(
        200,
        "application/json",
        body.to_string(),
    ));
    out.expect_exit(1);
    assert_eq!(requests, 1);
    not_in_output(&out, &["ASIAQQQQQQQQQQQQQQQQ"]);
    let h = out.expect_hop("credentials", "fail", Some("http.unreadable_answer"));
    assert!(h["evidence"]["answer_prefix"].is_null(), "{h}");
}

/// Every answer of the registry fake carries `date` when `on(path)`.
fn registry_dated(date: &'static str, on: fn(&str) -> bool) -> Lab {
    Setup::default()
        .registry(move |req, w| {
            on(req.path()).then(|| {
                let mut r = registry_default(req, w);
                r.headers.push(("Date".into(), date.into()));
                r
            })
        })
        .start()
}

#[test]
fn i20_a_date_that_is_not_an_http_date_gives_no_skew() {
    for date in [
        "Sun, 06 Dec -2026 10:00:00 GMT",
        "Tue, 01 Dec 2026 10:00:00 GMT                                   junk",
        "Mon, 01 Dec 2026 10:00:00 GMT",
    ] {
        let lab = registry_dated(date, |_| true);
        let out = lab.run(&[]);
        out.expect_exit(0);
        for h in out.hops() {
            assert!(h["evidence"]["clock_skew_ms"].is_null(), "{date:?}: {h}");
        }
        assert!(out.report()["context"]["clock"].is_null(), "{date:?}");
    }
}

#[test]
fn i20_one_far_off_date_is_evidence_not_advice_two_agreeing_ones_warn() {
    const FAR: &str = "Fri, 01 Jan 2100 00:00:00 GMT";
    let lab = registry_dated(FAR, |p| p == "/v2/");
    let out = lab.run(&[]);
    out.expect_exit(0);
    let h = out.expect_hop("registry", "pass", None);
    assert!(
        h["evidence"]["clock_skew_ms"].as_i64().unwrap_or(0) > 1_000_000_000,
        "{h}"
    );
    assert_eq!(
        out.report()["context"]["clock"]["outside_sigv4_window"],
        true
    );

    let lab = registry_dated(FAR, |p| p == "/v2/" || p == manifest_path(TAG));
    let out = lab.run(&[]);
    out.expect_hop("registry", "warn", Some("clock.skew"));
    out.expect_hop("manifest", "warn", Some("clock.skew"));
}

#[test]
fn i20_a_body_trickled_after_its_head_is_a_slow_answer_not_a_missing_endpoint() {
    let lab = Setup::default()
        .logs(|_, _| {
            Some(
                aws_json(200, json!({"Parameters": [], "logGroups": []}))
                    .trickle(Duration::from_millis(300)),
            )
        })
        .start();
    let out = with_services(&lab, &["--check", "ssm=/app/db-url"]);
    out.expect_exit(1);
    for id in ["service:ssm", "logs"] {
        let h = out.expect_hop(id, "fail", Some("http.slow_answer"));
        let hint = h["hint"].as_str().unwrap_or_default();
        assert!(
            !hint.contains("create the interface endpoint"),
            "{id}: {hint}"
        );
        assert!(hint.contains("answered"), "{id}: {hint}");
    }
}

/// Every class of character a terminal may obey.
const CONTROLS: &str = "a\u{1b}[31mb\u{7}c\u{7f}d\u{85}e\u{9b}f\u{202a}g\u{202e}h\u{2066}i\u{2069}j\u{200e}k\u{200f}l\u{2028}m\u{2029}n\u{200b}o\u{feff}p\u{2060}q\u{e0041}r\u{61c}s";

#[test]
fn i20_explain_prints_no_control_character_in_either_format() {
    let reason = format!(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {CONTROLS}: dial tcp 3.210.148.47:443: i/o timeout"
    );
    for format in ["human", "json"] {
        let mut p = Probe::new();
        p.args(["explain", "--output", format, reason.as_str()]);
        let run = p.run_within(LIMIT).unwrap();
        assert!(!run.killed);
        no_raw_controls(format, &run.stdout);
        no_raw_controls("stderr", &run.stderr);
        assert!(run.stdout.contains("dial tcp"), "{}", run.stdout);
    }
}

#[test]
fn i20_server_text_of_every_control_class_is_escaped_in_every_format() {
    let message: &'static str = Box::leak(CONTROLS.to_string().into_boxed_str());
    let lab = Mode::RegistryMessage(message).setup().start();
    for format in ["human", "json", "ndjson", "emf"] {
        let out = lab.run(&["--output", format]);
        out.expect_exit(1);
        no_raw_controls(format, &out.stdout);
        no_raw_controls("stderr", &out.stderr);
    }
}

#[test]
fn i20_a_task_needing_more_than_a_run_probes_is_refused_with_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let td = dir.path().join("td.json");
    let containers: Vec<Value> = (0..17)
        .map(|i| json!({"name": format!("c{i}"), "image": format!("1234567890{i:02}.dkr.ecr.us-east-1.amazonaws.com/app:1")}))
        .collect();
    std::fs::write(
        &td,
        json!({"family": "wide", "containerDefinitions": containers}).to_string(),
    )
    .unwrap();
    let run = offline(
        &[
            "--task-definition",
            td.to_str().unwrap(),
            "--output",
            "json",
        ],
        &[("AWS_REGION", "us-east-1")],
    );
    // Refused before any probe: a usage error, a few hundred bytes, no report.
    let err = usage_error(&run);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.len() < 2048, "{}", run.stderr);
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("17") || message.contains("10"),
        "{message}"
    );
}

#[test]
fn i20_more_checks_than_a_run_reports_are_refused_with_the_numbers() {
    let names: Vec<String> = (0..500).map(|i| format!("ssm=/app/p{i}")).collect();
    let mut args: Vec<&str> = vec!["--image", IMAGE, "--output", "json"];
    for n in &names {
        args.extend(["--check", n.as_str()]);
    }
    let run = offline(&args, &[("AWS_REGION", "us-east-1")]);
    let err = usage_error(&run);
    assert_eq!(err["error"]["code"], "usage.too_much_work", "{err}");
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("500") && message.contains("64"),
        "{message}"
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn i20_hostile_answers_at_every_hop_keep_memory_and_output_bounded() {
    // Every server answers what it must not: megabytes where a document is due, a
    // block page, a trickle; the run's output and memory stay those of a normal run.
    let lab = Setup::default()
        .api(|_, _| {
            Some(
                Response::new(200)
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .generated(50_000_000, true),
            )
        })
        .logs(|req, _| {
            Some(if is_ssm(req) {
                Response::with_body(200, "text/html", PROXY_PAGE.repeat(100))
            } else {
                Response::new(200).generated(50_000_000, false)
            })
        })
        .start();
    // Under the cap of needs a run reports (64), each name long.
    let names: Vec<String> = (0..60)
        .map(|i| format!("ssm=/app/{}{i}", "n".repeat(200)))
        .collect();
    let mut args: Vec<&str> = Vec::new();
    for n in &names {
        args.extend(["--check", n.as_str()]);
    }
    let port = lab.logs.as_ref().unwrap().port();
    let ssm = format!("ssm=https://{LOGS_HOST}:{port}");
    args.extend(["--endpoint", ssm.as_str()]);
    for format in ["json", "human"] {
        let mut a = args.clone();
        a.extend(["--output", format]);
        let out = lab.run_with(&a, &RunOpts::default().measured());
        not_in_output(&out, &[]);
        out.expect_exit(1);
        let rss = out.max_rss_kib();
        assert!(rss < 64 * 1024, "{format}: peak RSS {rss} KiB");
        let sizes = || -> String {
            let Ok(v) = serde_json::from_str::<Value>(&out.stdout) else {
                return out.stdout.chars().take(3000).collect();
            };
            let mut parts: Vec<(usize, String)> = Vec::new();
            for (k, x) in v.as_object().into_iter().flatten() {
                parts.push((x.to_string().len(), k.clone()));
            }
            for h in v["hops"].as_array().into_iter().flatten() {
                for (k, x) in h["evidence"].as_object().into_iter().flatten() {
                    parts.push((x.to_string().len(), format!("{}.{k}", h["id"])));
                }
            }
            parts.sort();
            format!("{:?}", &parts[parts.len().saturating_sub(8)..])
        };
        assert!(
            out.stdout.len() < 256 * 1024,
            "{format}: {} bytes of output: {}",
            out.stdout.len(),
            sizes()
        );
        no_raw_controls(format, &out.stdout);
    }
}
