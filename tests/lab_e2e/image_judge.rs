//! What an image scenario's container must have printed: its exit code and verdict,
//! no secret, JSON lines only, and for the canary valid EMF whose run line carries
//! the alarm's metric and whose hop lines name a failing hop and its cause.

use serde_json::{Value, json};

use crate::Lab;
use crate::common::probe::Finished;
use crate::image::{RUN_LIMIT, SUBNET_LABEL, Scenario};

pub fn judge(lab: &Lab, sc: &Scenario, r: &Finished) -> Vec<String> {
    let mut p = Vec::new();
    if r.killed {
        p.push(format!("killed after {RUN_LIMIT:?}"));
    }
    if r.code != Some(sc.exit) {
        p.push(format!("exit code {:?}, want {}", r.code, sc.exit));
    }
    let both = format!("{}\n{}", r.stdout, r.stderr).to_ascii_lowercase();
    for s in lab.secrets() {
        if both.contains(&s.to_ascii_lowercase()) {
            p.push(format!(
                "output contains a secret: {}…",
                s.chars().take(4).collect::<String>()
            ));
        }
    }
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    let parsed: Result<Vec<Value>, String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("stdout line {}: {e}", i + 1)))
        .collect();
    let parsed = match parsed {
        Ok(v) if !v.is_empty() => v,
        Ok(_) => {
            p.push("no report on stdout".into());
            return p;
        }
        Err(e) => {
            p.push(format!("stdout is not JSON lines: {e}"));
            return p;
        }
    };
    let Some((report, metrics)) = parsed.split_last() else {
        return p;
    };
    if report["schema_version"] != 1 {
        p.push("the last stdout line is not a v1 report".into());
    }
    if report["verdict"] != sc.verdict {
        p.push(format!(
            "verdict {}, want {}",
            report["verdict"], sc.verdict
        ));
    }
    if let Some((hop, cause, _)) = sc.failing {
        let id = lab.subst(hop);
        let found = report["hops"]
            .as_array()
            .and_then(|hops| hops.iter().find(|h| h["id"] == id.as_str()));
        match found {
            Some(h) if h["verdict"] == "fail" && h["cause"] == cause => {}
            Some(h) => p.push(format!(
                "hop {id}: {} {}, want fail {cause}",
                h["verdict"], h["cause"]
            )),
            None => p.push(format!("no hop {id}")),
        }
    }
    if sc.canary {
        p.extend(judge_emf(sc, metrics));
    } else {
        if !metrics.is_empty() {
            p.push(format!(
                "json output has {} lines before the report",
                metrics.len()
            ));
        }
        // The task definition's VPCE_PROBE_TASK_DEFINITION: the app's needs were probed.
        if report["needs"].as_array().is_none_or(|n| n.is_empty()) {
            p.push("no needs in the report: the app's task definition was not read".into());
        }
        // VPCE_PROBE_EXPECT_ROLE names the app's execution role, which the lab's
        // credentials belong to, as the recommended deployment has it.
        if report["principal"]["matches"] != true {
            p.push(format!(
                "principal {}: want the signer to match VPCE_PROBE_EXPECT_ROLE",
                report["principal"]
            ));
        }
    }
    p
}

/// Every metric line is valid EMF in namespace VpceProbe; the run's line carries
/// ProbeFailed for the label alone (the alarm's dimension set); a failing hop's kind
/// line names the hop and its cause.
fn judge_emf(sc: &Scenario, metrics: &[Value]) -> Vec<String> {
    let mut p = Vec::new();
    if metrics.is_empty() {
        p.push("emf output without metric lines".into());
    }
    for (i, l) in metrics.iter().enumerate() {
        if let Err(e) = valid_emf(l) {
            p.push(format!("emf line {}: {e}: {l}", i + 1));
        }
    }
    let run = metrics.iter().find(|l| l.get("ProbeFailed").is_some());
    match run {
        None => p.push("no line with ProbeFailed".into()),
        Some(l) => {
            let want = if sc.exit == 0 { 0.0 } else { 1.0 };
            if l["ProbeFailed"].as_f64() != Some(want) {
                p.push(format!("ProbeFailed {}, want {want}", l["ProbeFailed"]));
            }
            if l["Label"] != SUBNET_LABEL {
                p.push(format!("Label {}, want {SUBNET_LABEL}", l["Label"]));
            }
            let sets = &l["_aws"]["CloudWatchMetrics"][0]["Dimensions"];
            if !sets
                .as_array()
                .is_some_and(|s| s.iter().any(|d| *d == json!(["Label"])))
            {
                p.push(format!(
                    "no dimension set [\"Label\"] for the alarm: {sets}"
                ));
            }
        }
    }
    if let Some((_, cause, kind)) = sc.failing {
        let line = metrics.iter().find(|l| l["HopKind"] == kind);
        match line {
            Some(l)
                if l["HopSuccess"] == 0.0 && l["HopVerdict"] == "fail" && l["Cause"] == cause => {}
            other => p.push(format!(
                "HopKind {kind}: want HopSuccess 0, HopVerdict fail, Cause {cause}: {other:?}"
            )),
        }
    }
    p
}

/// What CloudWatch requires of an EMF line: a `_aws` with an integer Timestamp, and
/// every declared metric and dimension present at the top level.
fn valid_emf(l: &Value) -> Result<(), String> {
    let aws = &l["_aws"];
    if !aws["Timestamp"].is_i64() {
        return Err("no integer _aws.Timestamp".into());
    }
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .filter(|d| !d.is_empty())
        .ok_or("no _aws.CloudWatchMetrics")?;
    for d in directives {
        if d["Namespace"] != "VpceProbe" {
            return Err(format!("namespace {}", d["Namespace"]));
        }
        for m in d["Metrics"].as_array().into_iter().flatten() {
            let name = m["Name"].as_str().unwrap_or_default();
            if !l[name].is_number() {
                return Err(format!("metric {name} has no numeric value"));
            }
        }
        for set in d["Dimensions"].as_array().into_iter().flatten() {
            for dim in set.as_array().into_iter().flatten() {
                let name = dim.as_str().unwrap_or_default();
                if !l[name].is_string() {
                    return Err(format!("dimension {name} has no string value"));
                }
            }
        }
    }
    Ok(())
}
