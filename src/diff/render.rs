//! The diff as text for people (leading with the first hop where the paths part and
//! what that usually means) and as one JSON line. Every string from a report passes
//! through [`clean`]: a report is input, and its strings came from the network.

use std::io::Write;

use super::verdict_str;
use super::wire::{DiffReport, Difference};
use crate::report::text::clean;
use crate::report::wire::RunVerdict;

fn run_verdict(v: RunVerdict) -> &'static str {
    match v {
        RunVerdict::Pass => "pass",
        RunVerdict::Warn => "warn",
        RunVerdict::Fail => "fail",
    }
}

fn value(v: &Option<String>) -> String {
    v.as_deref()
        .map(clean)
        .unwrap_or_else(|| "(none)".to_string())
}

fn difference(out: &mut impl Write, d: &Difference) -> std::io::Result<()> {
    writeln!(
        out,
        "      {:<15} A {}\n      {:<15} B {}",
        clean(&d.field),
        value(&d.a),
        "",
        value(&d.b)
    )
}

pub fn write_human(r: &DiffReport, mut out: impl Write) -> std::io::Result<()> {
    for (name, side) in [("A", &r.a), ("B", &r.b)] {
        writeln!(
            out,
            "{name} {}  {} ({}){}",
            clean(&side.file),
            run_verdict(side.verdict).to_uppercase(),
            clean(&side.started_at),
            side.label
                .as_deref()
                .map(|l| format!(" [{}]", clean(l)))
                .unwrap_or_default()
        )?;
    }
    for n in &r.notes {
        writeln!(out, "note: {}", clean(n))?;
    }
    writeln!(out)?;
    match (
        &r.first_difference,
        r.hops.is_empty() && r.context.is_empty(),
    ) {
        (_, true) => writeln!(
            out,
            "SAME: every hop has the same verdict, cause and evidence"
        )?,
        (Some(first), _) => {
            let lead = if r.same_verdicts {
                "SAME VERDICTS, first difference at"
            } else {
                "THE PATHS PART at"
            };
            writeln!(out, "{lead} {}", clean(first))?;
            if let Some(m) = &r.meaning {
                writeln!(out, "  usually means [{}]: {}", m.code, clean(&m.text))?;
            }
        }
        (None, false) => {
            writeln!(out, "SAME VERDICTS; the runs differ in where they ran")?;
            if let Some(m) = &r.meaning {
                writeln!(out, "  usually means [{}]: {}", m.code, clean(&m.text))?;
            }
        }
    }
    if !r.context.is_empty() {
        writeln!(out, "\ncontext")?;
        for d in &r.context {
            difference(&mut out, d)?;
        }
    }
    if !r.hops.is_empty() {
        writeln!(out, "\nhops that differ (path order)")?;
    }
    for h in &r.hops {
        let v = |x: &Option<crate::hop::Verdict>, c: &Option<String>| match x {
            Some(v) => format!(
                "{}{}",
                verdict_str(*v),
                c.as_deref()
                    .map(|c| format!(" [{}]", clean(c)))
                    .unwrap_or_default()
            ),
            None => "(no such hop)".to_string(),
        };
        writeln!(
            out,
            "  {}\n    A {}\n    B {}",
            clean(&h.id),
            v(&h.verdict_a, &h.cause_a),
            v(&h.verdict_b, &h.cause_b)
        )?;
        for d in h
            .differences
            .iter()
            .filter(|d| d.field != "verdict" && d.field != "cause")
        {
            difference(&mut out, d)?;
        }
        if let Some(m) = &h.meaning {
            writeln!(out, "    means [{}]", m.code)?;
        }
    }
    writeln!(
        out,
        "\n(timings are listed when far apart: the larger at least {}x the smaller and {} ms more)",
        r.far_apart.ratio, r.far_apart.floor_ms
    )
}

pub fn write_json(r: &DiffReport, mut out: impl Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut out, r)?;
    writeln!(out)
}
