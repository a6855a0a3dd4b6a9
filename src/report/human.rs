//! The human format: one line per hop (verdict, kind, target, time, the evidence that
//! matters), then the verdict and, for each failure or warning, its cause and hint.
//! Shows nothing the JSON lacks. Colour only on a terminal and without `NO_COLOR`.

use std::io::Write;

use super::wire::{Context, Evidence, Hop, HopKind, Report, RunVerdict, Verdict};

pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn verdict(&self, v: Verdict) -> String {
        match v {
            Verdict::Pass => self.paint("32", "PASS"),
            Verdict::Warn => self.paint("33", "WARN"),
            Verdict::Fail => self.paint("31;1", "FAIL"),
            Verdict::Skipped => self.paint("2", "SKIP"),
        }
    }
}

pub fn write(report: &Report, style: &Style, mut out: impl Write) -> std::io::Result<()> {
    let c = &report.context;
    writeln!(
        out,
        "vpce-probe {}: {} (region {}{})",
        report.probe_version,
        c.image.as_deref().unwrap_or("?"),
        c.region.as_deref().unwrap_or("?"),
        report
            .label
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default()
    )?;
    if !report.needs.is_empty() {
        let family = c.task_family.as_deref().or(c.task_definition.as_deref());
        match family {
            Some(f) => writeln!(out, "what task {f} needs to start:")?,
            None => writeln!(out, "what was asked for:")?,
        }
        for n in &report.needs {
            let why = match (&n.cause, &n.decided_by) {
                (Some(cause), Some(by)) => format!(" — [{cause}] at {by}"),
                (None, Some(by)) if n.verdict == Verdict::Skipped => {
                    format!(" — not probed: {by} failed")
                }
                _ if n.verdict == Verdict::Pass && n.hops.is_empty() => {
                    " — nothing to probe".to_string()
                }
                _ => String::new(),
            };
            writeln!(out, "  {} {}{why}", style.verdict(n.verdict), n.subject)?;
        }
        if let Some(p) = &report.principal {
            let signed = p.signed_by.as_deref().unwrap_or("unknown");
            let line = match (p.matches, &p.expected) {
                (Some(true), _) => format!("signed by {signed}: the role the task's start-up uses"),
                (Some(false), Some(e)) => format!(
                    "signed by {signed}, NOT {e}: IAM and endpoint-policy verdicts are about the probe's principal"
                ),
                (_, Some(e)) => format!("signed by {signed}; the task's start-up uses {e}"),
                (_, None) => format!("signed by {signed}"),
            };
            writeln!(out, "  {line}")?;
        }
        writeln!(out)?;
    }
    let width = report
        .hops
        .iter()
        .map(|h| h.target.len())
        .max()
        .unwrap_or(0)
        .min(64);
    for h in &report.hops {
        let detail = match h.verdict {
            Verdict::Skipped => format!(
                "skipped: needs {}",
                h.skipped_because.as_deref().unwrap_or("?")
            ),
            _ => evidence_line(h, &report.context),
        };
        let time = if h.verdict == Verdict::Skipped {
            String::new()
        } else {
            format!("{:.0} ms", h.duration_ms)
        };
        writeln!(
            out,
            "  {} {:<14} {:<width$} {:>8}  {}",
            style.verdict(h.verdict),
            h.kind.as_str(),
            truncate(&h.target, 64),
            time,
            detail
        )?;
    }
    let s = &report.summary;
    let task = report.context.task_definition.is_some();
    let verdict = match (report.verdict, task) {
        (RunVerdict::Pass, false) => {
            style.paint("32;1", "PASS: this subnet can pull the image without a NAT")
        }
        (RunVerdict::Pass, true) => style.paint(
            "32;1",
            "PASS: everything this task needs to start is reachable from this subnet",
        ),
        (RunVerdict::Warn, false) => style.paint(
            "33;1",
            "PASS with warnings: the image can be pulled; read the warnings",
        ),
        (RunVerdict::Warn, true) => style.paint(
            "33;1",
            "PASS with warnings: the task's needs are reachable; read the warnings",
        ),
        (RunVerdict::Fail, false) => {
            style.paint("31;1", "FAIL: a pull from this subnet without a NAT breaks")
        }
        (RunVerdict::Fail, true) => style.paint(
            "31;1",
            "FAIL: this task cannot start in this subnet (see the needs above)",
        ),
    };
    writeln!(out)?;
    writeln!(
        out,
        "{verdict} ({} passed, {} warned, {} failed, {} skipped, {:.0} ms)",
        s.passed, s.warned, s.failed, s.skipped, report.duration_ms
    )?;
    for h in report
        .hops
        .iter()
        .filter(|h| matches!(h.verdict, Verdict::Fail | Verdict::Warn))
    {
        writeln!(out)?;
        writeln!(
            out,
            "  {} {}  [{}]",
            style.verdict(h.verdict),
            h.id,
            h.cause.as_deref().unwrap_or("?")
        )?;
        if let Some(m) = &h.message {
            writeln!(out, "    what:  {m}")?;
        }
        if let Some(hint) = &h.hint {
            writeln!(out, "    fix:   {hint}")?;
        }
        for f in h.evidence.findings.iter().skip(1) {
            writeln!(out, "    also:  [{}] {}", f.cause, f.hint)?;
        }
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}

fn short_digest(d: &str) -> String {
    d.strip_prefix("sha256:")
        .map(|h| format!("sha256:{}", &h[..h.len().min(12)]))
        .unwrap_or_else(|| d.to_string())
}

fn evidence_line(h: &Hop, ctx: &Context) -> String {
    let e: &Evidence = &h.evidence;
    let mut parts: Vec<String> = Vec::new();
    match h.kind {
        HopKind::Context => {
            if let Some(r) = ctx.resolvers.first() {
                parts.push(format!(
                    "resolver {} ({})",
                    r.address,
                    r.kind.as_str().replace('_', " ")
                ));
            }
            if let Some(t) = &ctx.task {
                let where_ = [
                    t.launch_type.as_deref(),
                    t.availability_zone.as_deref(),
                    t.subnet_cidr.as_deref(),
                ];
                let where_: Vec<&str> = where_.into_iter().flatten().collect();
                if !where_.is_empty() {
                    parts.push(where_.join(" "));
                }
            }
            if let Some(r) = e.findings.first() {
                parts.push(r.cause.clone());
            }
        }
        HopKind::Dns => {
            if e.addresses.is_empty() {
                if let Some(q) = e.queries.first() {
                    parts.push(q.rcode.clone().or(q.error.clone()).unwrap_or_default());
                }
            } else {
                parts.extend(
                    e.addresses
                        .iter()
                        .map(|a| format!("{} ({})", a.address, a.scope)),
                );
            }
            if let Some(s) = &e.server {
                parts.push(format!("via {s}"));
            }
        }
        HopKind::Tcp => {
            if h.verdict == Verdict::Pass {
                parts.push("connected".into());
            }
        }
        HopKind::Tls => {
            if let Some(v) = &e.tls_version {
                parts.push(v.clone());
            }
            if let Some(c) = &e.certificate {
                parts.push(format!("issuer {}", c.issuer));
            }
        }
        HopKind::Credentials => {
            if let Some(s) = &e.source {
                parts.push(format!("from {s}"));
            }
            if e.temporary == Some(true) {
                parts.push("temporary".into());
            }
        }
        HopKind::EcrToken | HopKind::Logs => {
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(c) = &e.aws_error_code {
                parts.push(c.clone());
            }
        }
        HopKind::Service => {
            if let Some(c) = &e.call {
                parts.push(c.clone());
            }
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(c) = &e.aws_error_code {
                parts.push(c.clone());
            }
            if let Some(a) = &e.caller_arn {
                parts.push(format!("signed by {a}"));
            }
        }
        HopKind::Registry => {
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(w) = &e.www_authenticate {
                parts.push(w.split_whitespace().next().unwrap_or_default().to_string());
            }
        }
        HopKind::Manifest => {
            if let Some(m) = &e.media_type {
                parts.push(m.clone());
            }
            if let Some(p) = &e.platform {
                parts.push(p.clone());
            }
            if let Some(n) = e.layer_count {
                parts.push(format!("{n} layers"));
            }
            if let Some(d) = &e.digest {
                parts.push(short_digest(d));
            }
            if let Some(c) = &e.registry_error {
                parts.push(c.clone());
            }
        }
        HopKind::LayerRedirect => {
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(l) = &e.location_host {
                parts.push(format!("-> {l}"));
            }
        }
        HopKind::Layer => {
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(b) = e.bytes_read {
                parts.push(format!("{b} bytes"));
            }
            match e.digest_checked {
                Some(true) if h.verdict == Verdict::Pass => parts.push("digest ok".into()),
                Some(false) => parts.push("digest not checked".into()),
                _ => {}
            }
            if let Some(c) = &e.s3_error_code {
                parts.push(c.clone());
            }
        }
    }
    if let Some(cause) = &h.cause {
        parts.push(format!("[{cause}]"));
    }
    parts.join(", ")
}
