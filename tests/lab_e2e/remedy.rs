//! Issue 21 in the lab: a fault's report carries remediation that the real tools accept
//! (tests/lab/remedy_check.py: the AWS CLI, cfn-lint, HCL, policy shape), and
//! `vpce-probe diff` of the healthy run and the faulted one names the first hop where
//! they part and what that means.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::{ExpectDiff, Lab};

/// The healthy run every `diff` expectation compares with.
pub const BASELINE: &str = "happy-single";

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/remedy_check.py");

/// Problems with the remediation of every hop of a report (empty: all valid).
pub fn valid(stdout: &str) -> Vec<String> {
    let Ok(report) = serde_json::from_str::<Value>(stdout) else {
        return vec![]; // judged elsewhere
    };
    let mut items = Vec::new();
    for h in report["hops"].as_array().into_iter().flatten() {
        for (i, r) in h["remediation"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let mut r = r.clone();
            r["id"] = json!(format!("{}#{i}", h["id"].as_str().unwrap_or("?")));
            items.push(r);
        }
    }
    if items.is_empty() {
        return vec!["no hop carries remediation".to_string()];
    }
    let venv = std::env::var("VPCE_REMEDY_VENV")
        .unwrap_or_else(|_| "/opt/vpce-lab/remedy-venv".to_string());
    let child = Command::new(format!("{venv}/bin/python"))
        .arg(CHECKER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return vec![format!(
                "cannot run {venv}/bin/python (tests/lab/install.sh): {e}"
            )];
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(json!({ "items": items }).to_string().as_bytes());
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return vec![format!("remedy_check.py: {e}")],
    };
    match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(v) => v["failures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| format!("invalid remediation {}: {}", f["id"], f["why"]))
            .collect(),
        Err(_) => vec![format!(
            "remedy_check.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )],
    }
}

/// `vpce-probe diff <baseline> <this run> --output json` against the expectation.
pub fn judge_diff(
    lab: &Lab,
    bin: &str,
    baseline: Option<&Path>,
    out_dir: &Path,
    name: &str,
    want: &ExpectDiff,
) -> Vec<String> {
    let Some(base) = baseline else {
        return vec![format!("no healthy {BASELINE} report to diff with")];
    };
    let this = out_dir.join(format!("{name}.stdout"));
    let out = match Command::new(bin)
        .args(["diff", "--output", "json"])
        .arg(base)
        .arg(&this)
        .output()
    {
        Ok(o) => o,
        Err(e) => return vec![format!("cannot run diff: {e}")],
    };
    let _ = std::fs::write(out_dir.join(format!("{name}.diff.json")), &out.stdout);
    let mut p = Vec::new();
    if out.status.code() != Some(1) {
        p.push(format!(
            "diff exit {:?}, want 1 (verdicts differ): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let d: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            p.push(format!("diff output is not JSON: {e}"));
            return p;
        }
    };
    let first: Vec<String> = want.first.iter().map(|f| lab.subst(f)).collect();
    if !first.iter().any(|f| d["first_difference"] == f.as_str()) {
        p.push(format!(
            "diff first_difference {}, want one of {first:?}",
            d["first_difference"]
        ));
    }
    if d["meaning"]["code"] != want.meaning.as_str() {
        p.push(format!(
            "diff meaning {}, want {}",
            d["meaning"]["code"], want.meaning
        ));
    }
    p
}
