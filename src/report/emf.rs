//! `--output emf`: CloudWatch Embedded Metric Format. Through the awslogs driver each
//! line becomes metrics without `cloudwatch:PutMetricData` permission, so a scheduled
//! canary can alarm on `VpceProbe/ProbeFailed`.
//!
//! Lines: one per hop kind (`HopDurationMs`, `HopSuccess`, dimension `HopKind`; when
//! a hop of the kind did not pass, `Hop`, `HopVerdict` and `Cause`), one for the
//! run (`ProbeFailed`, `ProbeDurationMs`, `FailedHops`, `Verdict`, `FirstFailure`,
//! `FirstFailureCause`), then the JSON report itself on one line, so the log line that
//! raised an alarm explains itself. The non-metric members are what a Logs Insights
//! query across a fleet's log groups lists (probe-image/canary.yaml).
//! Identity dimensions: `Label` (--label, e.g. the subnet id) and `AvailabilityZone`
//! (from task metadata) when known.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use super::wire::{Hop, Report, RunVerdict};
use crate::hop::Verdict;
use crate::hop_kind::HopKind;

pub const NAMESPACE: &str = "VpceProbe";

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDef {
    name: &'static str,
    unit: &'static str,
    storage_resolution: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive {
    namespace: &'static str,
    dimensions: Vec<Vec<String>>,
    metrics: Vec<MetricDef>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Aws {
    timestamp: i64,
    cloud_watch_metrics: Vec<Directive>,
}

fn metric(name: &'static str, unit: &'static str) -> MetricDef {
    MetricDef {
        name,
        unit,
        storage_resolution: 60,
    }
}

/// The identity dimensions of this run, as (name, value).
fn identity(report: &Report) -> Vec<(String, String)> {
    let mut dims = Vec::new();
    if let Some(l) = &report.label {
        dims.push(("Label".to_string(), l.clone()));
    }
    if let Some(az) = report
        .context
        .task
        .as_ref()
        .and_then(|t| t.availability_zone.clone())
    {
        dims.push(("AvailabilityZone".to_string(), az));
    }
    dims
}

fn line(
    timestamp: i64,
    dims: &[(String, String)],
    metrics: Vec<(MetricDef, f64)>,
    extra: Vec<(String, Value)>,
) -> Value {
    let names: Vec<String> = dims.iter().map(|(k, _)| k.clone()).collect();
    let mut root = Map::new();
    for (k, v) in dims {
        root.insert(k.clone(), Value::String(v.clone()));
    }
    for (k, v) in extra {
        root.insert(k, v);
    }
    let mut defs = Vec::new();
    for (def, value) in metrics {
        root.insert(def.name.to_string(), serde_json::json!(value));
        defs.push(def);
    }
    let aws = Aws {
        timestamp,
        cloud_watch_metrics: vec![Directive {
            namespace: NAMESPACE,
            dimensions: dimension_sets(names),
            metrics: defs,
        }],
    };
    root.insert(
        "_aws".into(),
        serde_json::to_value(aws).unwrap_or(Value::Null),
    );
    Value::Object(root)
}

/// An alarm matches a metric's exact dimension set, and a canary's alarm is per
/// `Label` (subnet): so every set is also declared without `AvailabilityZone`, which
/// task metadata adds on Fargate.
fn dimension_sets(names: Vec<String>) -> Vec<Vec<String>> {
    let without_az: Vec<String> = names
        .iter()
        .filter(|n| *n != "AvailabilityZone")
        .cloned()
        .collect();
    if without_az.len() == names.len() {
        vec![names]
    } else {
        vec![without_az, names]
    }
}

/// All EMF lines for a report (without the trailing JSON report line).
pub fn lines(report: &Report, timestamp_ms: i64) -> Vec<Value> {
    let id = identity(report);
    // Per kind: the longest duration and the hop that kept it from passing (a failed
    // one before a skipped one), if any.
    let mut per_kind: BTreeMap<HopKind, (f64, Option<&Hop>)> = BTreeMap::new();
    for h in &report.hops {
        let e = per_kind.entry(h.kind).or_insert((0.0, None));
        e.0 = e.0.max(h.duration_ms);
        let worse = match (h.verdict, e.1.map(|w| w.verdict)) {
            (Verdict::Pass | Verdict::Warn, _) => false,
            (_, None) => true,
            (Verdict::Fail, Some(v)) => v != Verdict::Fail,
            _ => false,
        };
        if worse {
            e.1 = Some(h);
        }
    }
    let mut out = Vec::new();
    for (kind, (duration, broken)) in per_kind {
        let mut dims = id.clone();
        dims.push(("HopKind".into(), kind.as_str().into()));
        out.push(line(
            timestamp_ms,
            &dims,
            vec![
                (metric("HopDurationMs", "Milliseconds"), duration),
                (
                    metric("HopSuccess", "Count"),
                    if broken.is_none() { 1.0 } else { 0.0 },
                ),
            ],
            broken.map_or_else(Vec::new, broken_hop),
        ));
    }
    let failed = report.verdict == RunVerdict::Fail;
    let mut extra = vec![(
        "Verdict".to_string(),
        Value::String(format!("{:?}", report.verdict).to_lowercase()),
    )];
    if let Some(f) = &report.summary.first_failure {
        extra.push(("FirstFailure".into(), Value::String(f.clone())));
    }
    if let Some(c) = &report.summary.first_failure_cause {
        extra.push(("FirstFailureCause".into(), Value::String(c.clone())));
    }
    out.push(line(
        timestamp_ms,
        &id,
        vec![
            (
                metric("ProbeFailed", "Count"),
                if failed { 1.0 } else { 0.0 },
            ),
            (
                metric("ProbeDurationMs", "Milliseconds"),
                report.duration_ms,
            ),
            (
                metric("FailedHops", "Count"),
                f64::from(report.summary.failed),
            ),
        ],
        extra,
    ));
    out
}

/// What a hop line says about the hop that kept its kind from passing: `Hop` (the id),
/// `HopVerdict`, and `Cause` for a failure or `SkippedBecause` for a skip.
fn broken_hop(h: &Hop) -> Vec<(String, Value)> {
    let text = |s: &str| Value::String(s.to_string());
    let mut extra = vec![
        ("Hop".to_string(), text(&h.id)),
        (
            "HopVerdict".to_string(),
            text(if h.verdict == Verdict::Fail {
                "fail"
            } else {
                "skipped"
            }),
        ),
    ];
    if let Some(c) = &h.cause {
        extra.push(("Cause".into(), text(c)));
    }
    if let Some(b) = &h.skipped_because {
        extra.push(("SkippedBecause".into(), text(b)));
    }
    extra
}

/// Every line passes through [`super::text::json_line`]: these lines are read in log
/// viewers and terminals, where server text in the report must stay text.
pub fn write(report: &Report, timestamp_ms: i64, mut out: impl Write) -> std::io::Result<()> {
    for l in lines(report, timestamp_ms) {
        writeln!(out, "{}", safe_line(&l)?)?;
    }
    writeln!(out, "{}", safe_line(report)?)
}

fn safe_line(value: &impl Serialize) -> std::io::Result<String> {
    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    Ok(super::text::json_line(&line))
}
