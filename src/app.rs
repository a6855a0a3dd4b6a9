//! From a validated [`Config`] to bytes on stdout and an exit code: picks the runtime,
//! wires streaming for `ndjson`, renders the chosen format.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::cli::OutputFormat;
use crate::config::Config;
use crate::error::RunError;
use crate::exec::HopSink;
use crate::exit;
use crate::report::{self, human, wire::RunVerdict};
use crate::runner;

pub fn execute(cfg: Config) -> Result<u8, RunError> {
    // One thread is plenty for a handful of sockets and keeps the footprint small.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    if cfg.explain_plan {
        let text = rt.block_on(runner::explain_plan(&cfg))?;
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .map(|_| exit::PASS)
            .map_err(RunError::Output);
    }
    let format = cfg.output;
    let quiet = cfg.quiet;
    let cfg_no_color = cfg
        .env
        .get(crate::config::vars::NO_COLOR)
        .map(str::to_string);
    let sink: HopSink = match format {
        OutputFormat::Ndjson => Arc::new(|hop| {
            // A closed stdout is reported by the final write below.
            let _ = report::write_ndjson_hop(&report::to_wire(hop), std::io::stdout().lock());
        }),
        _ => Arc::new(|_| {}),
    };
    let report = report::bound(rt.block_on(runner::run(cfg, sink))?);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Json => report::write_json(&report, &mut out),
        OutputFormat::Ndjson => report::write_ndjson_report(&report, &mut out),
        OutputFormat::Emf => report::emf::write(&report, now_ms(), &mut out),
        OutputFormat::Human => {
            let tty = std::io::stdout().is_terminal();
            let style = human::Style {
                color: tty && cfg_no_color.is_none(),
                width: human::width_of_stdout(tty),
                quiet,
            };
            human::write(&report, &style, &mut out)
        }
    }
    .and_then(|_| out.flush())
    .map_err(RunError::Output)?;
    Ok(match report.verdict {
        RunVerdict::Pass | RunVerdict::Warn => exit::PASS,
        RunVerdict::Fail => exit::HOP_FAILED,
    })
}

/// `vpce-probe explain`: offline, no runtime, no network.
pub fn explain(args: crate::cli::ExplainArgs) -> Result<u8, RunError> {
    use crate::error::ConfigError;
    use std::io::Read;
    // Bounded: a describe-tasks answer is kilobytes; past the limit the rest is only
    // counted (up to a bound, streaming), so the report can say what it left.
    const READ_LIMIT: u64 = 4 * 1024 * 1024;
    const COUNT_LIMIT: u64 = 1024 * 1024 * 1024;
    let (text, bytes_left) = if args.text.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(ConfigError::NoReason.into());
        }
        let mut stdin = std::io::stdin().lock();
        let mut buf = Vec::new();
        (&mut stdin)
            .take(READ_LIMIT)
            .read_to_end(&mut buf)
            .map_err(|e| ConfigError::Stdin(e.to_string()))?;
        let left = std::io::copy(&mut (&mut stdin).take(COUNT_LIMIT), &mut std::io::sink())
            .map_err(|e| ConfigError::Stdin(e.to_string()))?;
        (String::from_utf8_lossy(&buf).into_owned(), left)
    } else {
        (args.text.join(" "), 0)
    };
    let reading = crate::explain::input::read(&text);
    let explanations = crate::explain::explain_reading(&reading);
    if explanations.is_empty() {
        return Err(ConfigError::NoReason.into());
    }
    let mut report =
        report::explain::build_with_input(&explanations, &reading, text.len() as u64, bytes_left);
    crate::remediation::fill_explain(&mut report, &explanations);
    let json = json_wanted(args.output);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        report::explain::write_json(&report, &mut out)
    } else {
        report::explain::write_human(&report, &mut out)
    }
    .and_then(|_| out.flush())
    .map_err(RunError::Output)?;
    // A cap that dropped input fails the run as "not everything explained", so a
    // script never takes a partial answer for a whole one.
    let dropped = report.input.as_ref().is_some_and(|i| i.dropped_anything());
    let explained = report
        .results
        .iter()
        .any(|r| r.recognised || r.stop.is_some());
    Ok(if explained && !dropped {
        exit::PASS
    } else {
        exit::HOP_FAILED
    })
}

/// `vpce-probe diff A B`: offline; 0 same verdicts, 1 they differ, 2 bad input.
pub fn diff(args: crate::cli::DiffArgs) -> Result<u8, RunError> {
    use crate::error::ConfigError;
    if args.a == std::path::Path::new("-") && args.b == std::path::Path::new("-") {
        return Err(ConfigError::DiffInput {
            path: args.b,
            reason: "only one of A and B can be standard input".to_string(),
        }
        .into());
    }
    let read = |p: &std::path::PathBuf| {
        crate::diff::input::read(p).map_err(|e| ConfigError::DiffInput {
            path: p.clone(),
            reason: e.to_string(),
        })
    };
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let name = |p: &std::path::PathBuf| p.to_string_lossy().into_owned();
    let d = crate::diff::compare(&a, &b, (&name(&args.a), &name(&args.b)));
    let json = json_wanted(args.output);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        crate::diff::render::write_json(&d, &mut out)
    } else {
        crate::diff::render::write_human(&d, &mut out)
    }
    .and_then(|_| out.flush())
    .map_err(RunError::Output)?;
    Ok(if d.same_verdicts {
        exit::PASS
    } else {
        exit::HOP_FAILED
    })
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// `explain` and `diff` write JSON when asked, or when stdout is not a terminal (a pipe,
/// a file, a log shipper), and the human form otherwise.
fn json_wanted(output: Option<crate::cli::ExplainFormat>) -> bool {
    match output {
        Some(crate::cli::ExplainFormat::Json) => true,
        Some(crate::cli::ExplainFormat::Human) => false,
        None => !std::io::stdout().is_terminal(),
    }
}
