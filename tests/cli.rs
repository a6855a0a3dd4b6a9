//! Checks of the documented surface: `--help` and the human and EMF renderings of the
//! checked-in v1 report (tests/fixtures/report-v1.json) are reviewed snapshots in
//! tests/snapshots/ (run with `VPCE_UPDATE_SNAPSHOTS=1` to accept a change, then keep
//! README and docs true), and `--output emf` is valid CloudWatch Embedded Metric Format.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::probe::Probe;
use serde_json::Value;
use vpce_probe::report::{emf, human, wire::Report};

/// `COLUMNS` fixed: clap wraps `--help` to the terminal's width.
fn bin() -> Probe {
    let mut p = Probe::new();
    p.env("COLUMNS", "100");
    p
}

fn check_snapshot(name: &str, actual: &str) {
    let path = format!("{}/tests/snapshots/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("VPCE_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} changed: review it, run with VPCE_UPDATE_SNAPSHOTS=1, and update README.md if the interface changed\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn help_is_a_reviewed_snapshot() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    check_snapshot("help.txt", &String::from_utf8_lossy(&out.stdout));
}

#[test]
fn launch_help_is_a_reviewed_snapshot() {
    let out = bin().args(["launch", "--help"]).output().unwrap();
    assert!(out.status.success());
    check_snapshot("launch-help.txt", &String::from_utf8_lossy(&out.stdout));
}

fn fixture() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report-v1.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture's `started_at` in ms: what a run would stamp its EMF lines with.
const FIXTURE_TIMESTAMP_MS: i64 = 1_795_907_109_194;

#[test]
fn human_rendering_of_a_v1_report_is_a_reviewed_snapshot() {
    let mut out = Vec::new();
    human::write(
        &fixture(),
        &human::Style {
            color: false,
            width: human::DEFAULT_WIDTH,
            quiet: false,
        },
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\x1b'), "colour without a terminal: {text}");
    check_snapshot("human-v1.txt", &text);
}

/// `--quiet`: the same report with only its failures and warnings, then the verdict
/// and the fixes exactly as the full rendering has them.
#[test]
fn quiet_human_rendering_of_a_v1_report_is_a_reviewed_snapshot() {
    let render = |quiet| {
        let mut out = Vec::new();
        let style = human::Style {
            color: false,
            width: human::DEFAULT_WIDTH,
            quiet,
        };
        human::write(&fixture(), &style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let (full, quiet) = (render(false), render(true));
    for line in quiet.lines() {
        assert!(
            !line.starts_with("  PASS") && !line.starts_with("  SKIP"),
            "{line:?}"
        );
    }
    let failing = |text: &str| text.lines().filter(|l| l.starts_with("  FAIL")).count();
    assert!(failing(&quiet) > 0 && failing(&quiet) == failing(&full));
    let tail = |text: &str| text.split_once("\nFAIL: ").map(|(_, t)| t.to_string());
    assert_eq!(tail(&quiet), tail(&full), "the verdict and the fixes");
    assert!(tail(&quiet).is_some());
    check_snapshot("human-v1-quiet.txt", &quiet);
}

#[test]
fn human_rendering_fits_its_width_and_a_wider_one_cuts_less() {
    for width in [human::DEFAULT_WIDTH, 160, 240] {
        let mut out = Vec::new();
        let style = human::Style {
            color: false,
            width,
            quiet: false,
        };
        human::write(&fixture(), &style, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(line.chars().count() <= width, "{width}: {line}");
        }
        let whole = "  prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com ";
        assert_eq!(text.contains(whole), width >= 160, "{width}:\n{text}");
    }
}

#[test]
fn emf_rendering_of_a_v1_report_is_a_reviewed_snapshot() {
    let mut out = Vec::new();
    emf::write(&fixture(), FIXTURE_TIMESTAMP_MS, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (report, metrics) = lines.split_last().unwrap();
    assert_eq!(report["schema_version"], 1, "the JSON report comes last");
    assert_eq!(
        metrics.len(),
        emf::lines(&fixture(), FIXTURE_TIMESTAMP_MS).len()
    );
    for l in metrics {
        assert_valid_emf(l);
        assert_eq!(l["_aws"]["Timestamp"], FIXTURE_TIMESTAMP_MS);
    }
    check_snapshot("emf-v1.ndjson", &text);

    // A hop kind that did not pass names the hop: a failure with its cause, a skip
    // with what it waited for; a kind that passed names nothing.
    let kind = |k: &str| metrics.iter().find(|l| l["HopKind"] == k).unwrap();
    let dns = kind("dns");
    assert_eq!(dns["HopVerdict"], "fail");
    assert_eq!(dns["Cause"], "dns.timeout");
    assert_eq!(dns["Hop"], "dns:api.ecr.us-east-1.amazonaws.com");
    let tls = kind("tls");
    assert_eq!(tls["HopVerdict"], "skipped");
    assert!(tls.get("Cause").is_none());
    assert!(tls["SkippedBecause"].as_str().unwrap().starts_with("dns:"));
    let context = kind("context");
    assert!(context.get("Hop").is_none() && context.get("HopVerdict").is_none());
}

#[test]
fn help_documents_exit_codes() {
    // Every option's environment variable is checked by tests/image_contract.rs.
    let help = String::from_utf8_lossy(&bin().arg("--help").output().unwrap().stdout).into_owned();
    for code in [
        "0  every hop passed",
        "1  at least one hop failed",
        "2  usage",
        "3  the probe could not run",
    ] {
        assert!(help.contains(code), "--help lacks exit code line {code:?}");
    }
}

const CLOUDWATCH_UNITS: &[&str] = &[
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// The EMF rules CloudWatch applies: `_aws.Timestamp` (ms) and `_aws.CloudWatchMetrics`;
/// every dimension name a top-level string member; every metric name a top-level
/// number; units from CloudWatch's list; StorageResolution 1 or 60.
fn assert_valid_emf(line: &Value) {
    let aws = &line["_aws"];
    assert!(
        aws["Timestamp"].as_i64().unwrap() > 1_600_000_000_000,
        "Timestamp in ms"
    );
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert!(!directives.is_empty());
    for d in directives {
        assert_eq!(d["Namespace"], "VpceProbe");
        for set in d["Dimensions"].as_array().unwrap() {
            let set = set.as_array().unwrap();
            assert!(set.len() <= 30);
            for dim in set {
                let name = dim.as_str().unwrap();
                assert!(
                    line[name].is_string(),
                    "dimension {name} must be a top-level string: {line}"
                );
            }
        }
        let metrics = d["Metrics"].as_array().unwrap();
        assert!(!metrics.is_empty() && metrics.len() <= 100);
        for m in metrics {
            let name = m["Name"].as_str().unwrap();
            assert!(
                line[name].is_number(),
                "metric {name} must be a top-level number: {line}"
            );
            assert!(
                CLOUDWATCH_UNITS.contains(&m["Unit"].as_str().unwrap()),
                "unit of {name}"
            );
            assert!([1, 60].contains(&m["StorageResolution"].as_i64().unwrap()));
        }
    }
}

#[test]
fn emf_output_is_valid_embedded_metric_format() {
    // A failing run, so ProbeFailed must be 1.
    let out = Probe::failing_run()
        .args(["--label", "subnet-0abc", "--output", "emf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (report, emf) = lines.split_last().unwrap();
    assert_eq!(report["schema_version"], 1, "the JSON report comes last");
    assert_eq!(report["label"], "subnet-0abc");
    assert!(emf.len() >= 2);
    for l in emf {
        assert_valid_emf(l);
        assert_eq!(l["Label"], "subnet-0abc");
    }
    let run = emf.iter().find(|l| l.get("ProbeFailed").is_some()).unwrap();
    assert_eq!(run["ProbeFailed"], 1.0);
    assert!(run["FailedHops"].as_f64().unwrap() >= 1.0);
    let dns = emf.iter().find(|l| l["HopKind"] == "dns").unwrap();
    assert_eq!(dns["HopSuccess"], 0.0);
    let context = emf.iter().find(|l| l["HopKind"] == "context").unwrap();
    assert_eq!(context["HopSuccess"], 1.0);
}

/// No --image, and the task metadata that would name the task's own image cannot be
/// read (a loopback port where nothing listens): the probe could not run, exit 3, and
/// says why instead of blaming the command line.
#[test]
fn unreadable_task_metadata_without_image_is_exit_3() {
    let out = bin()
        .env("ECS_CONTAINER_METADATA_URI_V4", "http://127.0.0.1:9/v4/abc")
        .args(["--dns-server", "127.0.0.1:9", "--timeout", "300ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ECS task metadata"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// `launch --output json` is its own contract (`launch_version`): its schema is
/// generated from the wire types and checked in; the lab's launch scenarios validate
/// real output against it (tests/lab_e2e/launch.rs).
#[test]
fn launch_schema_is_checked_in() {
    let fresh = serde_json::to_string_pretty(&schemars::schema_for!(
        vpce_probe::launch::wire::LaunchReport
    ))
    .unwrap()
        + "\n";
    common::schema::matches_checked_in(
        concat!(env!("CARGO_MANIFEST_DIR"), "/docs/launch.schema.json"),
        &fresh,
        "docs/launch.schema.json is stale: run with VPCE_UPDATE_SCHEMA=1",
    );
}
