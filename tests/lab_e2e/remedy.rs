//! Issue 21 in the lab: a fault's report carries remediation that the real tools accept
//! (tests/lab/remedy_check.py: the AWS CLI, cfn-lint, HCL, policy shape), and
//! `vpce-probe diff` of the healthy run and the faulted one names the first hop where
//! they part and what that means.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::probe::Finished;
use crate::{ExpectDiff, Lab};

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

/// The healthy side of a `diff` must be a report that does not fail (else the diff
/// would compare two broken paths) and leak no secret.
pub fn judge_healthy(lab: &Lab, run: &Finished) -> Vec<String> {
    let mut p = Vec::new();
    let both = format!("{}\n{}", run.stdout, run.stderr).to_ascii_lowercase();
    if lab
        .secrets()
        .iter()
        .any(|s| both.contains(&s.to_ascii_lowercase()))
    {
        p.push("the healthy run's output contains a secret".to_string());
    }
    match serde_json::from_str::<Value>(&run.stdout) {
        Ok(r) if r["verdict"] == "pass" || r["verdict"] == "warn" => {}
        Ok(r) => p.push(format!(
            "the healthy run (no fault) has verdict {}, first failure {}",
            r["verdict"], r["summary"]["first_failure"]
        )),
        Err(e) => p.push(format!("the healthy run gave no JSON report: {e}")),
    }
    p
}

/// `vpce-probe diff <healthy> <this run> --output json` against the expectation.
pub fn judge_diff(
    lab: &Lab,
    bin: &str,
    healthy: &Path,
    out_dir: &Path,
    name: &str,
    want: &ExpectDiff,
) -> Vec<String> {
    let this = out_dir.join(format!("{name}.stdout"));
    let out = match Command::new(bin)
        .args(["diff", "--output", "json"])
        .arg(healthy)
        .arg(&this)
        .output()
    {
        Ok(o) => o,
        Err(e) => return vec![format!("cannot run diff: {e}")],
    };
    let _ = std::fs::write(out_dir.join(format!("{name}.diff.json")), &out.stdout);
    let mut p = Vec::new();
    if !out.status.code().is_some_and(|c| want.exit.contains(&c)) {
        p.push(format!(
            "diff exit {:?}, want one of {:?} (0: same verdicts, 1: they differ): {}",
            out.status.code(),
            want.exit.0,
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
    let first_ok = if first.is_empty() {
        d["first_difference"].is_null()
    } else {
        first.iter().any(|f| d["first_difference"] == f.as_str())
    };
    if !first_ok {
        p.push(format!(
            "diff first_difference {}, want {}",
            d["first_difference"],
            if first.is_empty() {
                "none".to_string()
            } else {
                format!("one of {first:?}")
            }
        ));
    }
    let meaning = d["meaning"]["code"].as_str();
    if meaning != want.meaning.as_deref() {
        p.push(format!("diff meaning {meaning:?}, want {:?}", want.meaning));
    }
    if let Some(far) = want.far_apart {
        let timed: Vec<String> = d["hops"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|h| {
                h["differences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|f| f["field"].as_str().is_some_and(|f| f.ends_with("_ms")))
                    .map(move |f| format!("{} {} {} → {}", h["id"], f["field"], f["a"], f["b"]))
            })
            .collect();
        if far && timed.is_empty() {
            p.push("diff shows no timing far apart, want some".to_string());
        }
        if !far && !timed.is_empty() {
            p.push(format!(
                "diff shows timings far apart, want none: {timed:?}"
            ));
        }
    }
    p
}
