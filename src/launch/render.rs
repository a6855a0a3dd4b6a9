//! `launch`'s human output: the subnets side by side (one column per subnet, one row
//! per hop, the verdict and cause in each cell), then what decided each subnet: the
//! first failure's cause and hint, or the stopped reason explained.

use std::io::Write;

use super::wire::{LaunchReport, Outcome, SubnetResult};
use crate::escape::clean;

/// The widest a cell may be before it is cut (with `…`).
const CELL: usize = 44;

fn cut(s: &str, max: usize) -> String {
    let s = clean(s);
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Unknown => "UNKNOWN",
    }
}

fn heading(r: &SubnetResult) -> String {
    match &r.availability_zone {
        Some(az) => format!("{} ({az})", r.subnet),
        None => r.subnet.clone(),
    }
}

/// The cell of `hop` for one subnet.
fn cell(r: &SubnetResult, hop: &str) -> String {
    let Some(report) = &r.report else {
        return if r.explained.is_some() {
            "(not run)".into()
        } else {
            "-".into()
        };
    };
    let found = report
        .get("hops")
        .and_then(|h| h.as_array())
        .and_then(|hops| {
            hops.iter()
                .find(|h| h.get("id").and_then(|i| i.as_str()) == Some(hop))
        });
    match found {
        None => "-".into(),
        Some(h) => {
            let verdict = h.get("verdict").and_then(|v| v.as_str()).unwrap_or("?");
            match h.get("cause").and_then(|c| c.as_str()) {
                Some(c) if verdict != "pass" => format!("{verdict} {c}"),
                _ => verdict.to_string(),
            }
        }
    }
}

pub fn write_human(rep: &LaunchReport, mut out: impl Write) -> std::io::Result<()> {
    let what = match (&rep.service, &rep.app_task_definition) {
        (Some(s), _) => format!("service {s}"),
        (None, Some(td)) => format!("task definition {td}"),
        (None, None) => "?".into(),
    };
    writeln!(
        out,
        "vpce-probe launch: cluster {}, {}{}",
        clean(&rep.cluster),
        clean(&what),
        rep.region
            .as_deref()
            .map(|r| format!(", {r}"))
            .unwrap_or_default()
    )?;
    if let Some(img) = &rep.probe_image {
        writeln!(out, "probe image: {}", clean(img))?;
    }
    for st in rep.steps.iter().filter(|s| !s.ok) {
        if let Some(f) = &st.failure {
            writeln!(out, "FAILED {}", f.line())?;
        } else if let Some(d) = &st.detail {
            writeln!(out, "FAILED {}: {}", clean(&st.action), clean(d))?;
        }
    }
    if let Some(why) = &rep.interrupted {
        writeln!(out, "note: {}", clean(why))?;
    }
    for w in &rep.warnings {
        writeln!(out, "warning: {}", clean(w))?;
    }
    if !rep.results.is_empty() {
        writeln!(out)?;
        // Rows: every hop any subnet's report has, in the order first seen.
        let mut rows: Vec<String> = Vec::new();
        for r in &rep.results {
            let hops = r
                .report
                .as_ref()
                .and_then(|rep| rep.get("hops"))
                .and_then(|h| h.as_array());
            for h in hops.into_iter().flatten() {
                if let Some(id) = h.get("id").and_then(|i| i.as_str())
                    && !rows.iter().any(|r| r == id)
                {
                    rows.push(id.to_string());
                }
            }
        }
        let first_w = rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(0)
            .clamp(8, 48);
        let cols: Vec<String> = rep.results.iter().map(|r| cut(&heading(r), CELL)).collect();
        let widths: Vec<usize> = cols.iter().map(|c| c.chars().count().max(12)).collect();
        let line = |first: &str, cells: Vec<String>| {
            let mut l = format!("{:<first_w$}", cut(first, first_w));
            for (c, w) in cells.iter().zip(&widths) {
                l.push_str("  ");
                l.push_str(&format!("{:<w$}", cut(c, *w)));
            }
            l.trim_end().to_string()
        };
        writeln!(out, "{}", line("", cols.clone()))?;
        writeln!(
            out,
            "{}",
            line(
                "result",
                rep.results
                    .iter()
                    .map(|r| outcome(r.outcome).to_string())
                    .collect()
            )
        )?;
        for row in &rows {
            writeln!(
                out,
                "{}",
                line(row, rep.results.iter().map(|r| cell(r, row)).collect())
            )?;
        }
        writeln!(out)?;
        for r in &rep.results {
            writeln!(
                out,
                "{} {}: {}",
                outcome(r.outcome),
                clean(&heading(r)),
                clean(&r.summary)
            )?;
            if let Some(report) = &r.report {
                let failing = report
                    .get("hops")
                    .and_then(|h| h.as_array())
                    .into_iter()
                    .flatten()
                    .filter(|h| h.get("verdict").and_then(|v| v.as_str()) == Some("fail"));
                for h in failing {
                    let field = |k: &str| h.get(k).and_then(|v| v.as_str()).map(clean);
                    writeln!(
                        out,
                        "  {} {}: {}",
                        field("id").unwrap_or_default(),
                        field("cause").unwrap_or_default(),
                        field("message").unwrap_or_default()
                    )?;
                    if let Some(hint) = field("hint") {
                        writeln!(out, "    fix: {hint}")?;
                    }
                }
            }
            if let Some(reason) = r.container_reason.as_ref().or(r.stopped_reason.as_ref())
                && r.report.is_none()
            {
                writeln!(out, "  stoppedReason: {}", clean(reason))?;
            }
            if let Some(ex) = &r.explained
                && let Ok(report) =
                    serde_json::from_value::<crate::report::explain::ExplainReport>(ex.clone())
            {
                let mut buf = Vec::new();
                crate::report::explain::write_human(&report, &mut buf)?;
                for l in String::from_utf8_lossy(&buf).lines() {
                    writeln!(out, "  {l}")?;
                }
            }
            if let Some(f) = &r.failure {
                writeln!(out, "  {}", f.line())?;
            }
        }
    }
    let cleaned: Vec<&str> = rep
        .steps
        .iter()
        .filter(|s| {
            s.ok && matches!(
                s.action.as_str(),
                "ecs:DeregisterTaskDefinition" | "ecs:DeleteTaskDefinitions" | "ecs:StopTask"
            )
        })
        .filter_map(|s| s.detail.as_deref())
        .collect();
    if !cleaned.is_empty() {
        writeln!(out, "\ncleaned up: {}", clean(&cleaned.join("; ")))?;
    }
    writeln!(out, "exit status {}", rep.exit)
}
