//! The report schema is a contract: `docs/report.schema.json` is generated from the wire
//! types and must match them (run with `VPCE_UPDATE_SCHEMA=1` to regenerate after an
//! additive change), real output of the binary must validate against it, and a report
//! written by schema version 1 must still deserialise into today's types.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::probe::Probe;
use vpce_probe::report::wire::Report;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");

fn generated() -> String {
    let schema = schemars::schema_for!(Report);
    format!("{}\n", serde_json::to_string_pretty(&schema).unwrap())
}

#[test]
fn checked_in_schema_matches_the_types() {
    let fresh = generated();
    if std::env::var_os("VPCE_UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_PATH, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "docs/report.schema.json is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --release --test schema` and review the diff (fields may only be added)"
    );
}

/// [`Probe::failing_run`]: failures and skips in every hop kind, nothing off loopback.
fn failing_run(format: &str) -> (i32, String, String) {
    let out = Probe::failing_run()
        .args(["--output", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn real_output_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (code, stdout, stderr) = failing_run("json");
    assert_eq!(code, 1, "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["schema_version"], 1);
    assert!(
        report["hops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["cause"] == "dns.timeout")
    );

    // ndjson: each hop line and the final report validate too.
    let (_, stdout, _) = failing_run("ndjson");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "report");
    let mut report = last.clone();
    report.as_object_mut().unwrap().remove("type");
    assert!(validator.is_valid(&report));
    assert!(lines[..lines.len() - 1].iter().all(|l| l["type"] == "hop"));
}

#[test]
fn schema_v1_reports_still_deserialise() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/report-v1.json"
    ))
    .unwrap();
    let report: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(report.schema_version, 1);
    assert!(!report.hops.is_empty());
}
