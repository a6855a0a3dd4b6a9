//! The report: the wire contract ([`wire`]), its construction from hop results, and
//! the renderers. Renderers are pure functions of a [`Report`] writing to `impl Write`.

pub mod bound;
pub mod emf;
pub mod explain;
mod from_hop;
pub mod from_net;
pub mod human;
mod needs;
pub mod shell;
pub mod text;
pub mod wire;

use std::io::Write;
use std::time::Duration;

use crate::hop::HopResult;
use crate::hop::Verdict;
pub use bound::bound;
use from_net::ms;
pub use wire::Report;
use wire::{Hop, RunVerdict, Summary};

pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn to_wire(h: &HopResult) -> Hop {
    Hop {
        id: h.id.clone(),
        kind: h.kind,
        target: h.target.clone(),
        verdict: h.verdict,
        duration_ms: ms(h.duration),
        evidence: (&h.evidence).into(),
        cause: h.cause.as_ref().map(|c| c.code.to_string()),
        hint: h.cause.as_ref().map(|c| c.hint.clone()),
        message: h.message.clone(),
        skipped_because: h.skipped_because.clone(),
        remediation: Vec::new(),
    }
}

/// What a run produced besides its hops.
pub struct Extras<'a> {
    pub needs: &'a [crate::hop::evidence::Need],
    pub principal: Option<wire::Principal>,
}

pub fn build(
    started_at: String,
    elapsed: Duration,
    label: Option<String>,
    context: &crate::hop::evidence::Context,
    hops: &[HopResult],
    extras: Extras<'_>,
) -> Report {
    let hops: Vec<Hop> = hops.iter().map(to_wire).collect();
    let needs: Vec<wire::Need> = extras
        .needs
        .iter()
        .map(|n| needs::judge(n, &hops))
        .collect();
    let degraded_only = needs::degraded_only(&needs);
    let stops = |h: &&Hop| h.verdict == Verdict::Fail && !degraded_only.contains(h.id.as_str());
    let mut summary = Summary::default();
    for h in &hops {
        match h.verdict {
            Verdict::Pass => summary.passed += 1,
            Verdict::Warn => summary.warned += 1,
            Verdict::Fail => summary.failed += 1,
            Verdict::Skipped => summary.skipped += 1,
        }
    }
    let first = hops
        .iter()
        .find(stops)
        .or_else(|| hops.iter().find(|h| h.verdict == Verdict::Fail));
    if let Some(first) = first {
        summary.first_failure = Some(first.id.clone());
        summary.first_failure_cause = first.cause.clone();
    }
    // A report without a single hop proves nothing: never a pass. A failed hop that
    // only needs the task starts without (telemetry) degrades it: a warning.
    let verdict = if hops.iter().any(|h| stops(&h)) || hops.is_empty() {
        RunVerdict::Fail
    } else if summary.warned > 0 || summary.failed > 0 {
        RunVerdict::Warn
    } else {
        RunVerdict::Pass
    };
    let mut context: wire::Context = context.into();
    context.clock = hops
        .iter()
        .filter_map(|h| h.evidence.clock_skew_ms.map(|ms| (ms, &h.id)))
        .max_by_key(|(ms, _)| ms.unsigned_abs())
        .map(|(skew_ms, hop)| wire::Clock {
            skew_ms,
            hop: hop.clone(),
            outside_sigv4_window: skew_ms.unsigned_abs() > crate::diagnose::SIGV4_WINDOW_MS,
        });
    Report {
        schema_version: wire::SCHEMA_VERSION,
        probe_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration_ms: ms(elapsed),
        verdict,
        label,
        context,
        hops,
        summary,
        needs,
        principal: extras.principal,
        cut: None,
    }
}

/// One line: awslogs makes every stdout line a log event, and a report split over many
/// events cannot be read back as JSON (`jq .` pretty-prints it for people).
/// Every JSON line goes through [`text::json_line`]: the same value, with the
/// characters JSON allows raw but a terminal obeys written as `\u` escapes.
pub fn write_json(report: &Report, mut out: impl Write) -> std::io::Result<()> {
    writeln!(out, "{}", json_text(report)?)
}

pub fn write_ndjson_hop(hop: &Hop, mut out: impl Write) -> std::io::Result<()> {
    let line = json_text(&wire::NdjsonLine::Hop(Box::new(hop.clone())))?;
    writeln!(out, "{line}")?;
    out.flush()
}

pub fn write_ndjson_report(report: &Report, mut out: impl Write) -> std::io::Result<()> {
    let line = json_text(&wire::NdjsonLine::Report(Box::new(report.clone())))?;
    writeln!(out, "{line}")
}

fn json_text(v: &impl serde::Serialize) -> std::io::Result<String> {
    let json = serde_json::to_string(v).map_err(std::io::Error::other)?;
    Ok(text::json_line(&json))
}
