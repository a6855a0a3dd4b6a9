//! The human format: one line per hop (verdict, kind, target, time, the evidence that
//! matters), then the verdict and, for each failure or warning, its cause and hint.
//! Shows nothing the JSON lacks. Colour only on a terminal and without `NO_COLOR`.

use std::io::Write;

use super::text::{clean, fit, wrap};
use super::wire::{Context, Evidence, Hop, Impact, Report, RunVerdict};
use crate::hop::Verdict;
use crate::hop_kind::HopKind;

pub struct Style {
    pub color: bool,
    /// Columns to fit: [`DEFAULT_WIDTH`], or the terminal's when it is wider.
    pub width: usize,
    /// `--quiet`: only what needs a reader's action (failures, warnings, the verdict
    /// and the fixes); a canary's log then says nothing when all is well but the verdict.
    pub quiet: bool,
}

/// What the human format fits when it does not know the terminal (a pipe, a log).
pub const DEFAULT_WIDTH: usize = 100;

/// The width to fit on this stdout: a terminal's own when wider than the default.
pub fn width_of_stdout(is_terminal: bool) -> usize {
    let terminal = is_terminal
        .then(terminal_size::terminal_size)
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    terminal.unwrap_or(DEFAULT_WIDTH).clamp(DEFAULT_WIDTH, 400)
}

impl Style {
    /// Whether a line with this verdict is printed.
    fn shows(&self, v: Verdict) -> bool {
        !self.quiet || matches!(v, Verdict::Fail | Verdict::Warn)
    }

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

/// Columns before a hop's target: `  VERD kind           `.
const TARGET_COLUMN: usize = 2 + 4 + 1 + 14 + 1;
/// Columns of a hop line besides the target and the detail.
const FIXED: usize = TARGET_COLUMN + 1 + 7 + 2;
/// Where `what:`, `fix:` and `also:` texts start.
const NOTE_COLUMN: usize = 11;

pub fn write(report: &Report, style: &Style, mut out: impl Write) -> std::io::Result<()> {
    let width = style.width.max(60);
    title(report, width, &mut out)?;
    needs_section(report, style, width, &mut out)?;
    let shown = hop_lines(report, style, width, &mut out)?;
    if shown {
        writeln!(out)?;
    }
    verdict_line(report, style, width, &mut out)?;
    for group in problems(report) {
        writeln!(out)?;
        problem(&group, style, width, &mut out)?;
    }
    Ok(())
}

/// The title, and a note when the report was cut to fit one log event.
fn title(report: &Report, width: usize, out: &mut impl Write) -> std::io::Result<()> {
    let c = &report.context;
    let title = format!(
        "vpce-probe {}: {} (region {}{})",
        report.probe_version,
        clean(c.image.as_deref().unwrap_or("?")),
        clean(c.region.as_deref().unwrap_or("?")),
        report
            .label
            .as_deref()
            .map(|l| format!(", {}", clean(l)))
            .unwrap_or_default()
    );
    writeln!(out, "{}", fit(&title, width))?;
    if let Some(cut) = &report.cut {
        let line = format!(
            "this report was {} bytes, over the {} one log event holds: {} long strings shortened, {} list entries and {} hops (passed ones first) left out (the counts below are the whole run's)",
            cut.bytes_before,
            cut.limit_bytes,
            cut.strings_shortened,
            cut.list_entries_dropped,
            cut.hops_dropped
        );
        for l in wrap(&line, width, 0, 2) {
            writeln!(out, "{l}")?;
        }
    }
    Ok(())
}

/// What the task needs (or what was asked for), those it cannot start without first,
/// then who signed the probe's requests; nothing when no need is shown.
fn needs_section(
    report: &Report,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let c = &report.context;
    let needs_shown: Vec<_> = report
        .needs
        .iter()
        .filter(|n| style.shows(n.verdict))
        .collect();
    if needs_shown.is_empty() {
        return Ok(());
    }
    let family = c.task_family.as_deref().or(c.task_definition.as_deref());
    match family {
        Some(f) => writeln!(out, "what task {} needs to start:", clean(f))?,
        None => writeln!(out, "what was asked for:")?,
    }
    // What the task cannot start without first, then what it starts without.
    let (stops, degrades): (Vec<_>, Vec<_>) = needs_shown
        .into_iter()
        .partition(|n| n.impact == Impact::StopsTask);
    let heading = (!degrades.is_empty()).then_some("it starts without these, degraded:");
    let groups = [(None, stops), (heading, degrades)];
    for (heading, group) in groups {
        if let (Some(h), false) = (heading, group.is_empty()) {
            writeln!(out, "{h}")?;
        }
        for n in group {
            need_line(n, style, width, out)?;
        }
    }
    principal_line(report, style, width, out)?;
    writeln!(out)
}

fn need_line(
    n: &super::wire::Need,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    // What is lost comes before the cause: a narrow terminal cuts the end.
    let loses = match (&n.loses, n.verdict) {
        (Some(l), Verdict::Warn | Verdict::Fail) => format!(" — {l}"),
        _ => String::new(),
    };
    let why = match (&n.cause, &n.decided_by) {
        (Some(cause), Some(by)) => format!(" — [{cause}] at {by}"),
        (None, Some(by)) if n.verdict == Verdict::Skipped => {
            format!(" — not probed: {by} failed")
        }
        _ if n.verdict == Verdict::Pass && n.hops.is_empty() => " — nothing to probe".to_string(),
        _ => String::new(),
    };
    writeln!(
        out,
        "  {} {}",
        style.verdict(n.verdict),
        fit(
            &clean(&format!("{}{loses}{why}", n.subject)),
            width.saturating_sub(7)
        )
    )
}

/// Who signed the probe's requests. Quiet keeps it only when it is the wrong one:
/// then every IAM verdict above is about another role.
fn principal_line(
    report: &Report,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let Some(p) = report
        .principal
        .as_ref()
        .filter(|p| !style.quiet || p.matches == Some(false))
    else {
        return Ok(());
    };
    let signed = p.signed_by.as_deref().unwrap_or("unknown");
    let line = match (p.matches, &p.expected) {
        (Some(true), _) => format!("signed by {signed}: the role the task's start-up uses"),
        (Some(false), Some(e)) => format!(
            "signed by {signed}, NOT {e}: IAM and endpoint-policy verdicts are about the probe's principal"
        ),
        (_, Some(e)) => format!("signed by {signed}; the task's start-up uses {e}"),
        (_, None) => format!("signed by {signed}"),
    };
    writeln!(out, "  {}", fit(&clean(&line), width.saturating_sub(2)))
}

/// One line per hop shown (more when its detail wraps); whether any was shown.
fn hop_lines(
    report: &Report,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<bool> {
    let hops: Vec<&Hop> = report
        .hops
        .iter()
        .filter(|h| style.shows(h.verdict))
        .collect();
    let targets: Vec<String> = hops.iter().map(|h| clean(&h.target)).collect();
    let longest = targets.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    // The target gets what is left after a readable detail, and never cuts the end
    // (the domain, a tcp hop's @address): see `fit`.
    // Less than half of what is left, so the detail mostly fits on the line too; on a
    // wide terminal, all but 60 columns of detail.
    let room = width.saturating_sub(FIXED);
    let target_width = longest.min((room * 45 / 100).max(room.saturating_sub(60)).clamp(24, 64));
    for (h, target) in hops.iter().zip(&targets) {
        let detail = match h.verdict {
            Verdict::Skipped => format!("skipped: needs {}", needs(h)),
            _ => evidence_line(h, &report.context),
        };
        let time = if h.verdict == Verdict::Skipped {
            String::new()
        } else {
            format!("{:.0} ms", h.duration_ms)
        };
        let head = format!(
            "{:<14} {:<target_width$} {:>7}",
            h.kind.as_str(),
            fit(target, target_width),
            time,
        );
        let lines = wrap(&clean(&detail), width, FIXED + target_width, TARGET_COLUMN);
        let (first, rest) = lines
            .split_first()
            .map_or(("", &[][..]), |(f, r)| (f.as_str(), r));
        writeln!(out, "  {} {head}  {first}", style.verdict(h.verdict))?;
        for l in rest {
            writeln!(out, "{:TARGET_COLUMN$}{l}", "")?;
        }
    }
    Ok(!hops.is_empty())
}

/// The run's verdict in words, and the counts (on a line of their own when narrow).
fn verdict_line(
    report: &Report,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let s = &report.summary;
    let task = report.context.task_definition.is_some();
    let (paint, verdict) = match (report.verdict, task) {
        (RunVerdict::Pass, false) => ("32;1", "PASS: this subnet can pull the image without a NAT"),
        (RunVerdict::Pass, true) => (
            "32;1",
            "PASS: everything this task needs to start is reachable from this subnet",
        ),
        (RunVerdict::Warn, false) => (
            "33;1",
            "PASS with warnings: the image can be pulled; read the warnings",
        ),
        (RunVerdict::Warn, true) => (
            "33;1",
            "PASS with warnings: the task's needs are reachable; read the warnings",
        ),
        (RunVerdict::Fail, false) => ("31;1", "FAIL: a pull from this subnet without a NAT breaks"),
        (RunVerdict::Fail, true) => (
            "31;1",
            "FAIL: this task cannot start in this subnet (see the needs above)",
        ),
    };
    let counted = [
        (s.passed, "passed"),
        (s.warned, "warned"),
        (s.failed, "failed"),
        (s.skipped, "skipped"),
    ];
    let counted: Vec<String> = counted
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    let counts = format!("({}; {:.0} ms)", counted.join(", "), report.duration_ms);
    let sep = if verdict.len() + 1 + counts.len() <= width {
        " "
    } else {
        "\n"
    };
    let verdict = style.paint(paint, verdict);
    writeln!(out, "{verdict}{sep}{counts}")
}

/// A failure or warning with its hops, what each said, the fix, the remedy and the
/// other findings.
fn problem(
    group: &Problem<'_>,
    style: &Style,
    width: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    // The ids, then the cause code after two spaces, as a single hop always had.
    let mut lines = wrap(&group.ids.join(", "), width, 7, 7);
    let code = format!("[{}]", clean(group.cause));
    match lines.last_mut() {
        Some(l) if 7 + l.chars().count() + 2 + code.len() <= width => {
            l.push_str("  ");
            l.push_str(&code);
        }
        _ => lines.push(code),
    }
    writeln!(
        out,
        "  {} {}",
        style.verdict(group.verdict),
        lines.join("\n       ")
    )?;
    for m in &group.messages {
        note(out, "what:", m, width)?;
    }
    if let Some(hint) = group.hint {
        note(out, "fix:", hint, width)?;
    }
    remedy(out, group.remediation, width)?;
    for f in group.also {
        note(out, "also:", &format!("[{}] {}", f.cause, f.hint), width)?;
    }
    Ok(())
}

/// The hop a skipped hop waited for: only its kind when it is about the same target
/// (`needs dns` on the line of `tls api.ecr…`), its whole id otherwise.
fn needs(h: &Hop) -> String {
    let because = h.skipped_because.as_deref().unwrap_or("?");
    match because.split_once(':') {
        Some((kind, target)) if h.target.starts_with(target) => kind.to_string(),
        _ => because.to_string(),
    }
}

/// `    what:  text`, wrapped under the text.
fn note(out: &mut impl Write, label: &str, text: &str, width: usize) -> std::io::Result<()> {
    let lines = wrap(&clean(text), width, NOTE_COLUMN, NOTE_COLUMN);
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            writeln!(out, "    {label:<6} {l}")?;
        } else {
            writeln!(out, "{:NOTE_COLUMN$}{l}", "")?;
        }
    }
    Ok(())
}

/// The remediation's CLI commands and policy documents as a copyable block: commands
/// are cut only where the shell reads them back the same (`\` between words, inside a
/// quoted JSON document between its tokens); CloudFormation and Terraform are in the
/// JSON report. Each line is cleaned, its indentation kept.
fn remedy(
    out: &mut impl Write,
    items: &[super::wire::Remediation],
    width: usize,
) -> std::io::Result<()> {
    use super::wire::RemedyKind;
    let shown: Vec<_> = items
        .iter()
        .filter(|r| matches!(r.kind, RemedyKind::Cli | RemedyKind::Policy))
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "    remedy: fill the <placeholders>; CloudFormation, Terraform: --output json"
    )?;
    for r in shown {
        writeln!(out, "      # {}", clean(&r.title))?;
        if r.kind == RemedyKind::Cli {
            for line in super::shell::wrap_command(&r.text, width.saturating_sub(6)) {
                let body = line.trim_start();
                let pad = line.len() - body.len();
                writeln!(out, "      {:pad$}{}", "", clean(body))?;
            }
            continue;
        }
        for line in r.text.lines() {
            let body = line.trim_start();
            let pad = line.len() - body.len();
            writeln!(out, "      {:pad$}{}", "", clean(body))?;
        }
    }
    Ok(())
}

/// Failures and warnings that share a cause and a fix, printed once for all their hops
/// (five dns hops that time out against one server have one fix).
struct Problem<'a> {
    verdict: Verdict,
    cause: &'a str,
    hint: Option<&'a str>,
    ids: Vec<String>,
    /// Distinct, in hop order.
    messages: Vec<&'a str>,
    also: &'a [super::wire::Finding],
    remediation: &'a [super::wire::Remediation],
}

fn problems(report: &Report) -> Vec<Problem<'_>> {
    let mut out: Vec<Problem<'_>> = Vec::new();
    for h in report
        .hops
        .iter()
        .filter(|h| matches!(h.verdict, Verdict::Fail | Verdict::Warn))
    {
        let cause = h.cause.as_deref().unwrap_or("?");
        let hint = h.hint.as_deref();
        let also = h.evidence.findings.get(1..).unwrap_or_default();
        let same = out.iter_mut().find(|p| {
            p.verdict == h.verdict
                && p.cause == cause
                && p.hint == hint
                && also.is_empty()
                && p.remediation == h.remediation.as_slice()
        });
        let p = match same {
            Some(p) => p,
            None => {
                out.push(Problem {
                    verdict: h.verdict,
                    cause,
                    hint,
                    ids: Vec::new(),
                    messages: Vec::new(),
                    also,
                    remediation: &h.remediation,
                });
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        p.ids.push(clean(&h.id));
        if let Some(m) = h.message.as_deref()
            && !p.messages.contains(&m)
        {
            p.messages.push(m);
        }
    }
    out
}

fn short_digest(d: &str) -> String {
    d.strip_prefix("sha256:")
        .map(|h| format!("sha256:{}", &h[..h.len().min(12)]))
        .unwrap_or_else(|| d.to_string())
}

/// A hop's detail: the evidence that matters for its kind, then its cause code.
fn evidence_line(h: &Hop, ctx: &Context) -> String {
    let e: &Evidence = &h.evidence;
    let parts = match h.kind {
        HopKind::Context => context_parts(e, ctx),
        HopKind::Dns => dns_parts(e),
        HopKind::Tcp => {
            let connected = h.verdict == Verdict::Pass;
            connected
                .then(|| "connected".to_string())
                .into_iter()
                .collect()
        }
        HopKind::Tls => [
            e.tls_version.clone(),
            e.certificate
                .as_ref()
                .map(|c| format!("issuer {}", c.issuer)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::Credentials => [
            e.source.as_ref().map(|s| format!("from {s}")),
            (e.temporary == Some(true)).then(|| "temporary".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::EcrToken | HopKind::Logs => [status(e), e.aws_error_code.clone()]
            .into_iter()
            .flatten()
            .collect(),
        HopKind::Service => [
            e.call.clone(),
            status(e),
            e.aws_error_code.clone(),
            e.caller_arn.as_ref().map(|a| format!("signed by {a}")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::Registry => [
            status(e),
            e.www_authenticate
                .as_ref()
                .map(|w| w.split_whitespace().next().unwrap_or_default().to_string()),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::Manifest => [
            e.media_type.clone(),
            e.platform.clone(),
            e.layer_count.map(|n| format!("{n} layers")),
            e.digest.as_deref().map(short_digest),
            e.registry_error.clone(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::LayerRedirect => [
            status(e),
            e.location_host.as_ref().map(|l| format!("-> {l}")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        HopKind::Layer => layer_parts(h.verdict, e),
    };
    let mut line = parts.join(", ");
    if let Some(cause) = &h.cause {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&format!("[{cause}]"));
    }
    line
}

fn status(e: &Evidence) -> Option<String> {
    e.http_status.map(|s| format!("HTTP {s}"))
}

/// The resolver the run asks, where the task runs, the first finding.
fn context_parts(e: &Evidence, ctx: &Context) -> Vec<String> {
    let mut parts = Vec::new();
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
    parts
}

/// The addresses and their scope, else the answer's rcode or error; the server asked.
fn dns_parts(e: &Evidence) -> Vec<String> {
    let mut parts = Vec::new();
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
    parts
}

fn layer_parts(verdict: Verdict, e: &Evidence) -> Vec<String> {
    let digest = match e.digest_checked {
        Some(true) if verdict == Verdict::Pass => Some("digest ok".to_string()),
        Some(false) => Some("digest not checked".to_string()),
        _ => None,
    };
    [
        status(e),
        e.bytes_read.map(|b| format!("{b} bytes")),
        digest,
        e.s3_error_code.clone(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
