//! `vpce-probe diff`, the real binary, offline: real lab reports (tests/fixtures/diff/,
//! made by the real binary in the lab; see its README) give the first hop where the
//! paths part and its meaning; the JSON validates against docs/diff.schema.json; bad
//! input (not a report, too large, hostile strings, another schema version) gets a
//! clear error or an escaped, bounded answer, never a panic. The same comparison of
//! a healthy and a faulted run for every lab fault is in tests/lab_e2e.rs (`diff`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::probe::BIN;
use serde_json::Value;
use vpce_probe::diff::wire::DiffReport;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diff.schema.json");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// `vpce-probe diff ARGS`: (exit code, stdout, stderr).
fn diff(args: &[&Path], json: bool) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("diff")
        .args(args)
        .args(["--output", if json { "json" } else { "human" }])
        .env_clear()
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn validate(v: &Value) {
    common::schema::assert_valid(SCHEMA_PATH, v);
}

#[test]
fn checked_in_schema_matches_the_types() {
    let fresh = format!(
        "{}\n",
        serde_json::to_string_pretty(&schemars::schema_for!(DiffReport)).unwrap()
    );
    common::schema::matches_checked_in(
        SCHEMA_PATH,
        &fresh,
        "docs/diff.schema.json is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test diff` and review the diff",
    );
}

/// Each real faulted lab report against the real healthy one: (file, first differing
/// hop, meaning code).
const FAULTS: &[(&str, &str, &str)] = &[
    (
        "sg-drop-api.json",
        "tcp:api.ecr.us-east-1.amazonaws.com@10.0.1.101",
        "security_group",
    ),
    (
        "private-dns-off-api.json",
        "dns:api.ecr.us-east-1.amazonaws.com",
        "private_dns",
    ),
    (
        "tls-unknown-ca-dkr.json",
        "tls:123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "interception",
    ),
    ("s3-policy-deny.json", "layer", "policy"),
];

#[test]
fn healthy_against_each_fault_names_where_the_paths_part() {
    let healthy = fixture("happy-single.json");
    for (file, first, meaning) in FAULTS {
        let (code, out, err) = diff(&[&healthy, &fixture(file)], true);
        assert_eq!(code, 1, "{file}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        validate(&v);
        assert_eq!(v["first_difference"], *first, "{file}: {out}");
        assert_eq!(v["meaning"]["code"], *meaning, "{file}: {out}");
        assert_eq!(v["same_verdicts"], false);
        // and the human output leads with it
        let (code, text, _) = diff(&[&healthy, &fixture(file)], false);
        assert_eq!(code, 1);
        let lead = text
            .lines()
            .find(|l| l.starts_with("THE PATHS PART"))
            .unwrap();
        assert!(lead.ends_with(first), "{file}: {text}");
        assert!(text.contains(&format!("[{meaning}]")), "{text}");
    }
}

#[test]
fn a_report_against_itself_is_the_same() {
    let a = fixture("happy-single.json");
    let (code, out, _) = diff(&[&a, &a], true);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    validate(&v);
    assert_eq!(v["same_verdicts"], true);
    assert!(v.get("hops").is_none(), "{out}");
    let (code, text, _) = diff(&[&a, &a], false);
    assert_eq!(code, 0);
    assert!(text.contains("SAME: every hop"), "{text}");
}

/// A private address in one subnet and a public one in another, as a private DNS off in
/// B's VPC gives, even when both verdicts are pass; tcp hops to other ENI addresses are
/// paired by host.
#[test]
fn scope_and_eni_differences_are_named_without_a_verdict_change() {
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("happy-single.json")).unwrap())
            .unwrap();
    let mut b = a.clone();
    for h in b["hops"].as_array_mut().unwrap() {
        let id = h["id"].as_str().unwrap().to_string();
        if id == "tcp:api.ecr.us-east-1.amazonaws.com@10.0.1.101" {
            h["id"] = "tcp:api.ecr.us-east-1.amazonaws.com@10.0.2.101".into();
            h["target"] = h["id"].clone();
            h["evidence"]["remote_address"] = "10.0.2.101:443".into();
        }
        if id == "dns:logs.us-east-1.amazonaws.com" {
            h["evidence"]["addresses"] =
                serde_json::json!([{"address": "52.94.0.1", "scope": "public", "private": false}]);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("b.json");
    std::fs::write(&bp, b.to_string()).unwrap();
    let (code, out, _) = diff(&[&fixture("happy-single.json"), &bp], true);
    assert_eq!(code, 0, "same verdicts: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    validate(&v);
    let hops = v["hops"].as_array().unwrap();
    let tcp = hops
        .iter()
        .find(|h| h["id"].as_str().unwrap().contains("@10.0.1.101 | "))
        .expect("tcp hops paired by host");
    assert_eq!(tcp["meaning"]["code"], "other_eni");
    let dns = hops
        .iter()
        .find(|h| h["id"] == "dns:logs.us-east-1.amazonaws.com")
        .unwrap();
    assert_eq!(dns["meaning"]["code"], "private_dns");
}

#[test]
fn other_schema_versions_and_ndjson_are_compared_on_what_they_share() {
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("happy-single.json")).unwrap())
            .unwrap();
    let mut b = a.clone();
    b["schema_version"] = 2.into();
    b["a_field_of_the_future"] = "x".into();
    b["hops"][0]["evidence"]["new_evidence"] = 1.into();
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("b.ndjson");
    // as `--output ndjson` writes it: hop lines, then the report
    let hop_line = serde_json::json!({"type": "hop", "id": "context"});
    let report_line = {
        let mut r = b.clone();
        r["type"] = "report".into();
        r
    };
    std::fs::write(&bp, format!("{hop_line}\n{report_line}\n")).unwrap();
    let (code, out, err) = diff(&[&fixture("happy-single.json"), &bp], true);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("schema versions differ"),
        "{out}"
    );
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("happy-single.json");
    let not_json = dir.path().join("passwd");
    std::fs::write(&not_json, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    let hostile = dir.path().join("hostile.json");
    std::fs::write(&hostile, "{\"schema_version\": \"\u{1b}[2J\u{202e}evil\"}").unwrap();
    let huge = dir.path().join("huge.json");
    {
        let f = std::fs::File::create(&huge).unwrap();
        f.set_len(17 * 1024 * 1024).unwrap();
    }
    let missing = dir.path().join("missing.json");
    for (bad, says) in [
        (&not_json, "not a vpce-probe report"),
        (&hostile, "not a vpce-probe report"),
        (&huge, "larger than"),
        (&missing, "cannot read it"),
    ] {
        let (code, out, err) = diff(&[&good, bad], false);
        assert_eq!(code, 2, "{bad:?}: {out} {err}");
        assert!(err.contains(says), "{bad:?}: {err}");
        assert!(!err.contains('\u{1b}') && !err.contains("evil"), "{err}");
        assert!(out.is_empty());
    }
}

/// Strings from a report (hop ids, causes, labels) are shown, never obeyed.
#[test]
fn hostile_strings_in_a_report_are_escaped() {
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("happy-single.json")).unwrap())
            .unwrap();
    let mut b = a.clone();
    b["label"] = "subnet\u{1b}[2J\nPASS forged".into();
    b["hops"][1]["id"] = "dns:\u{1b}]0;title\u{7}\u{202e}x".into();
    b["hops"][1]["verdict"] = "fail".into();
    b["hops"][1]["cause"] = "dns.timeout\u{1b}[31m".into();
    let dir = tempfile::tempdir().unwrap();
    let bp = dir.path().join("b.json");
    std::fs::write(&bp, b.to_string()).unwrap();
    let (code, text, _) = diff(&[&fixture("happy-single.json"), &bp], false);
    assert_eq!(code, 1);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    assert!(text.contains("\\x1b"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("PASS forged")));
}
