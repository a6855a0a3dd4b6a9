//! One run: the context hop, the plan built from it (`plan.rs`), the plan's steps run
//! by the generic executor (`exec.rs`), the report. What each step does is the match
//! in `steps.rs`; which step waits for which is data, printed by
//! `vpce-probe --explain-plan` (and checked against tests/snapshots/plan.txt).

use std::time::Instant;

use crate::config::Config;
use crate::error::RunError;
use crate::exec::{self, HopSink, Recorder};
use crate::hop;
use crate::hop_kind::HopKind;
use crate::net::dns::Dns;
use crate::net::http::Client;
use crate::net::tls::Trust;
use crate::report;
use crate::report::wire::Report;
use crate::steps::Hops;

/// Run the whole probe. Fails only when it cannot run at all; every network outcome
/// is in the report.
pub async fn run(cfg: Config, sink: HopSink) -> Result<Report, RunError> {
    let started_at = report::now_rfc3339();
    let t0 = Instant::now();
    let deadline = tokio::time::Instant::now() + cfg.deadline;
    let rec = Recorder::new(sink);
    let ctx = match context_within(&cfg, deadline).await {
        // Still a report: what was known, and the context hop the deadline cut.
        Err(RunError::Deadline) => {
            let hop = context_deadline_hop(&cfg, t0);
            let context = crate::hop::evidence::Context {
                image: cfg.image.as_ref().map(ToString::to_string),
                platform: Some(cfg.platform.to_string()),
                timeout_ms: cfg.timeout.as_millis() as u64,
                deadline_ms: cfg.deadline.as_millis() as u64,
                max_layer_bytes: cfg.max_layer_bytes,
                ..Default::default()
            };
            rec.record((HopKind::Context, 0, 0), hop);
            let (label, hops) = (cfg.label.clone(), rec.into_hops());
            return Ok(crate::remediation::attached(report::build(
                started_at,
                t0.elapsed(),
                label,
                &context,
                &hops,
                report::Extras {
                    needs: &[],
                    principal: None,
                },
            )));
        }
        other => other?,
    };
    check_work(&ctx.plan, ctx.needs.len())?;
    rec.record((HopKind::Context, 0, 0), ctx.hop);
    let plan = ctx.plan;
    let dns = Dns::new(&plan.dns_servers, cfg.timeout).map_err(RunError::Dns)?;
    let ca_certs = cfg.ca_bundle.as_ref().map(|b| b.certs.as_slice());
    let trust = Trust::new(ca_certs.unwrap_or_default()).map_err(RunError::Tls)?;
    let client = Client::new(dns.clone(), trust.clone(), cfg.timeout).with_deadline(deadline);
    let tap = hop::credentials::tap(&cfg.env);
    let sdk_http = crate::net::sdk::http_client(client.clone(), tap.clone());
    let sdk = crate::net::sdk::sdk_config(sdk_http, &plan.region, cfg.timeout).await;
    let label = cfg.label.clone();
    let expected = cfg.expect_role.clone().map(|r| (r, "flag")).or_else(|| {
        cfg.task
            .as_ref()
            .and_then(|t| t.needs.execution_role_arn.clone())
            .map(|r| (r, "task_definition"))
    });
    let hops = Hops {
        cfg,
        plan,
        client,
        sdk,
        tap,
        deadline,
    };
    exec::execute(&hops.plan.steps, &hops, deadline, &rec).await;
    let mut results = rec.into_hops();
    hop::judge_clock(&mut results);
    crate::hop::preflight::soften_old_platform(
        &mut results,
        &hops.plan,
        hops.cfg.platform_version.as_deref(),
    );
    let principal = crate::principal::check(
        &mut results,
        expected.as_ref().map(|(r, s)| (r.as_str(), *s)),
    );
    // Remediation reads the finished report (it sits above the report layer).
    Ok(crate::remediation::attached(report::build(
        started_at,
        t0.elapsed(),
        label,
        &ctx.context,
        &results,
        report::Extras {
            needs: &ctx.needs,
            principal,
        },
    )))
}

/// The most distinct images one run pulls: ECS allows 10 containers in a task
/// definition, and `--image` adds one.
pub const MAX_IMAGES: usize = 16;
/// The most distinct endpoints (hosts) one run probes: a task with every feature needs
/// about 15 (ECR api and dkr per registry, S3, the bucket, logs, the secret, parameter,
/// key, ECS and EFS endpoints).
pub const MAX_TARGETS: usize = 48;

/// The most needs one run reports (each `--check` value is one; a task definition's
/// images, log groups, secret stores and file systems about 20 at most).
pub const MAX_NEEDS: usize = 64;

/// A run's work is bounded by these caps, not by its input: past them, refuse with the
/// numbers rather than probe for minutes and write a report no log event holds.
fn check_work(plan: &crate::plan::Plan, needs: usize) -> Result<(), RunError> {
    for (what, count, cap) in [
        ("distinct images", plan.images.len(), MAX_IMAGES),
        ("distinct endpoints", plan.targets.len(), MAX_TARGETS),
        (
            "needs (--check values and the task definition's needs)",
            needs,
            MAX_NEEDS,
        ),
    ] {
        if count > cap {
            return Err(RunError::TooMuchWork { what, count, cap });
        }
    }
    Ok(())
}

/// `--explain-plan`: the plan this configuration gives, as a table. Reads only the
/// context (task metadata, resolv.conf): nothing goes to AWS.
pub async fn explain_plan(cfg: &Config) -> Result<String, RunError> {
    let deadline = tokio::time::Instant::now() + cfg.deadline;
    Ok(crate::plan::render(
        &context_within(cfg, deadline).await?.plan,
    ))
}

/// The context hop, bounded by the run's deadline: without it there is nothing to run.
async fn context_within(
    cfg: &Config,
    deadline: tokio::time::Instant,
) -> Result<hop::context::ContextOutcome, RunError> {
    // The deadline first: when it has passed, the run is over, even if a metadata read
    // timed out in the same instant (its `--timeout` may equal `--deadline`).
    tokio::select! {
        biased;
        () = tokio::time::sleep_until(deadline) => Err(RunError::Deadline),
        ctx = hop::context::run(cfg) => ctx,
    }
}

fn context_deadline_hop(cfg: &Config, t0: Instant) -> crate::hop::HopResult {
    let target = cfg
        .image
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "the task's own image".into());
    let mut hop = exec::deadline_hop(HopKind::Context, "context", &target)
        .message("the --deadline passed while reading the task context (ECS task metadata)");
    hop.duration = t0.elapsed();
    hop
}
