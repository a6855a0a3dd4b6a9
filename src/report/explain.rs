//! `vpce-probe explain`'s output: the wire types (a versioned contract of their own,
//! `docs/explain.schema.json`) and the human rendering. Built from
//! [`crate::explain::Explanation`]s; the catalogue gives each cause's meaning.

use std::io::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::text::clean;
use crate::explain::{Explanation, Finding, Need, Reading, Stop};
use crate::hop_kind::HopKind;

/// Version of this contract; fields are only added.
pub const EXPLAIN_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ExplainReport {
    pub explain_version: u32,
    pub probe_version: String,
    /// One per distinct reason read: a text, or each `stoppedReason` and container
    /// `reason` of an `aws ecs describe-tasks` answer. Repeats are counted in `count`.
    pub results: Vec<ExplainResult>,
    /// What was read and what was left unexplained. Added in explain_version 1
    /// (probe 0.x); absent from older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<ExplainInput>,
}

/// How much input there was and what a cap dropped: nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ExplainInput {
    /// Bytes of input read and explained.
    pub bytes_read: u64,
    /// Bytes past the read limit, not read (counted up to a bound: at least this many).
    pub bytes_left: u64,
    /// Reasons read, repeats included.
    pub reasons_read: u64,
    /// Distinct reasons past the limit of distinct reasons, not explained.
    pub reasons_dropped: u64,
}

impl ExplainInput {
    pub fn dropped_anything(&self) -> bool {
        self.bytes_left > 0 || self.reasons_dropped > 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ExplainResult {
    /// `text`, `task <id>`, or `task <id> container <name>`.
    pub source: String,
    /// The reason as read, credential-like words removed, at most 1024 characters.
    pub text: String,
    /// How often this reason occurred in the input (identical reasons are explained
    /// once).
    #[serde(default = "one")]
    pub count: u64,
    /// The reason was cut (console, agent limit, ellipsis): its cause may be missing.
    pub truncated: bool,
    /// Whether any cause was recognised.
    pub recognised: bool,
    /// The start-up need that failed, when the reason says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<Need>,
    /// The endpoint service that need goes to (`ecr.api`, `ecr.dkr`, `s3`, `ssm`,
    /// `secretsmanager`, `logs`, `ecs`, `efs`), or `credentials`: the container
    /// credentials endpoint 169.254.170.2, which the agent serves, or `docker`: the
    /// Docker engine on the container instance, which the agent talks to, or `ebs`: an
    /// ECS-managed EBS volume, which ECS's control plane attaches (no endpoint of the
    /// task's). Absent for an image in a registry outside ECR private (Docker Hub, ECR
    /// Public, any other): no VPC endpoint serves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The host, dialled address, image and region the reason names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub causes: Vec<ExplainCause>,
    /// Not a start-up failure: the kind of stop (no network hop is to blame).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// For a `stop`: what it is and where to look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look: Option<String>,
    /// When the need is known and its cause is not (cut off, or unknown words): the
    /// causes to suspect, most likely first, each with its confirming command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<ExplainCause>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct ExplainCause {
    /// A code of the probe's cause catalogue (docs/report-schema.md).
    pub code: String,
    /// The probe hop that shows it; `null` when no hop of the probe would (written
    /// rather than left out: "no hop" is an answer, and every cause has the same keys).
    #[serde(default)]
    pub hop: Option<HopKind>,
    pub need: Need,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// `fail` or `warn`, as the probe would report it.
    pub severity: String,
    /// The catalogue's one line.
    pub meaning: String,
    /// The fix, with what the reason named.
    pub hint: String,
    /// The command that confirms it from the task's subnet.
    pub confirm: String,
    /// The same, as arguments.
    pub confirm_args: Vec<String>,
    /// Whether the probe tests it (`false`: only `explain` names it).
    pub probed: bool,
    /// The AWS change that repairs it, as code (as in the report's
    /// `hops[].remediation[]`), filled with what the reason named. Added in explain 1
    /// (issue 21).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediation: Vec<crate::report::wire::Remediation>,
}

pub fn build(explanations: &[Explanation]) -> ExplainReport {
    ExplainReport {
        explain_version: EXPLAIN_VERSION,
        probe_version: env!("CARGO_PKG_VERSION").to_string(),
        results: explanations.iter().map(result).collect(),
        input: None,
    }
}

/// The report of one run: the explanations and what reading kept and left.
pub fn build_with_input(
    explanations: &[Explanation],
    reading: &Reading,
    bytes_read: u64,
    bytes_left: u64,
) -> ExplainReport {
    let mut r = build(explanations);
    r.input = Some(ExplainInput {
        bytes_read,
        bytes_left,
        reasons_read: reading.read,
        reasons_dropped: reading.dropped,
    });
    r
}

fn result(e: &Explanation) -> ExplainResult {
    ExplainResult {
        source: e.source.clone(),
        text: e.text.clone(),
        count: e.count,
        truncated: e.truncated,
        recognised: !e.findings.is_empty(),
        need: e.need,
        service: e.service.map(str::to_string),
        host: e.host.clone(),
        address: e.address.clone(),
        image: e.image.clone(),
        region: e.region.clone(),
        causes: e.findings.iter().map(cause).collect(),
        stop: e.stop,
        look: e.stop.map(|s| s.look().to_string()),
        candidates: e.candidates.iter().map(cause).collect(),
    }
}

fn cause(f: &Finding) -> ExplainCause {
    let info = f.code.info();
    let mut args = vec!["vpce-probe".to_string()];
    args.extend(f.confirm.iter().cloned());
    ExplainCause {
        code: f.code.as_str().to_string(),
        hop: f.hop,
        need: f.need,
        service: f.service.map(str::to_string),
        severity: info.severity.as_str().to_string(),
        meaning: info.meaning.to_string(),
        hint: f.hint.clone(),
        confirm: shell_line(&args),
        confirm_args: f.confirm.clone(),
        probed: info.probed,
        remediation: Vec::new(),
    }
}

/// Arguments as one line a POSIX shell reads back: placeholders such as `<region>`
/// and anything else unusual are single-quoted.
fn shell_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
            if plain && !a.is_empty() {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn write_human(report: &ExplainReport, mut out: impl Write) -> std::io::Result<()> {
    if report.results.is_empty() {
        writeln!(out, "no reason to explain: the input had no text")?;
    }
    for (i, r) in report.results.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let cut = if r.truncated { "  [cut]" } else { "" };
        let times = if r.count > 1 {
            format!("  [×{}]", r.count)
        } else {
            String::new()
        };
        writeln!(out, "{}: {}{cut}{times}", clean(&r.source), clean(&r.text))?;
        match (&r.need, r.causes.is_empty()) {
            (None, _) => match (&r.stop, &r.look) {
                (Some(stop), Some(look)) => {
                    writeln!(
                        out,
                        "  stop     {stop}: not a start-up failure, no network hop to blame"
                    )?;
                    writeln!(out, "  look     {}", clean(look))?;
                }
                _ => writeln!(
                    out,
                    "  not recognised: not a start-up failure the probe tests (image pull, registry auth, secrets, env files, logs, volumes); for an application exit read the container's logs"
                )?,
            },
            (Some(need), true) => {
                writeln!(out, "  need     {need}{}", service(r))?;
                if r.truncated {
                    writeln!(
                        out,
                        "  cause    cut off: the reason stops before its cause; read it whole with `aws ecs describe-tasks --cluster <cluster> --tasks <task> --query 'tasks[].[stoppedReason,containers[].reason]'`"
                    )?;
                } else {
                    writeln!(
                        out,
                        "  cause    not recognised: words explain does not know"
                    )?;
                }
                for (n, c) in r.candidates.iter().enumerate() {
                    writeln!(out, "  maybe {}  {}: {}", n + 1, c.code, clean(&c.meaning))?;
                }
                if let Some(c) = r.candidates.first() {
                    writeln!(
                        out,
                        "  confirm  {}   — from the task's subnet",
                        clean(&c.confirm)
                    )?;
                }
            }
            (Some(need), false) => {
                writeln!(out, "  need     {}{}", clean(&need.to_string()), service(r))?;
                for c in &r.causes {
                    let hop = c
                        .hop
                        .map(|h| format!(" (hop {})", h.as_str()))
                        .unwrap_or_default();
                    writeln!(out, "  cause    {}{hop}: {}", c.code, clean(&c.meaning))?;
                    writeln!(out, "  fix      {}", clean(&c.hint))?;
                    for r in c
                        .remediation
                        .iter()
                        .filter(|r| r.kind == crate::report::wire::RemedyKind::Cli)
                    {
                        writeln!(out, "  remedy   {}", clean(&r.text))?;
                    }
                    let note = if c.probed {
                        ""
                    } else {
                        " (the probe does not test this cause; it tests the path around it)"
                    };
                    writeln!(
                        out,
                        "  confirm  {}   — from the task's subnet, as a one-off task with the app's execution role (probe-image/){note}",
                        clean(&c.confirm)
                    )?;
                }
            }
        }
    }
    if let Some(input) = report.input.as_ref().filter(|i| i.dropped_anything()) {
        writeln!(out)?;
        writeln!(
            out,
            "dropped: read {} bytes and {} reasons; {} bytes left unread, {} distinct reasons past the first {} not explained",
            input.bytes_read,
            input.reasons_read,
            input.bytes_left,
            input.reasons_dropped,
            crate::explain::MAX_REASONS
        )?;
    }
    Ok(())
}

fn service(r: &ExplainResult) -> String {
    r.service
        .as_deref()
        .map(|s| format!(" ({})", clean(s)))
        .unwrap_or_default()
}

pub fn write_json(report: &ExplainReport, mut out: impl Write) -> std::io::Result<()> {
    let json = serde_json::to_string(report).map_err(std::io::Error::other)?;
    writeln!(out, "{}", super::text::json_line(&json))
}
