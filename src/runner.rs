//! One run: the facts (`facts.rs`: observed, then decided, the plan among them), the
//! context hop that reports them, the plan's steps run by the generic executor
//! (`exec.rs`), the judges (`judges.rs`), the report. What each step does is the match
//! in `steps.rs`; which step waits for which is data, printed by
//! `vpce-probe --explain-plan` (and checked against tests/snapshots/plan.txt).

use std::time::Instant;

use crate::config::Config;
use crate::error::RunError;
use crate::exec::{self, HopSink, Recorder};
use crate::facts::RunFacts;
use crate::hop;
use crate::hop_kind::HopKind;
use crate::net::dns::Dns;
use crate::net::http::Client;
use crate::net::tls::Trust;
use crate::plan::Plan;
use crate::report;
use crate::report::wire::Report;
use crate::steps::Hops;

/// Run the whole probe: the facts (observed, then decided), the context hop that
/// reports them, the plan's steps, the judges, the report. Fails only when it cannot
/// run at all; every network outcome is in the report.
pub async fn run(cfg: Config, sink: HopSink) -> Result<Report, RunError> {
    let started_at = report::now_rfc3339();
    let t0 = Instant::now();
    let deadline = tokio::time::Instant::now() + cfg.deadline;
    let rec = Recorder::new(sink);
    let facts = match facts_within(&cfg, deadline).await {
        // Still a report: what was known, and the context hop the deadline cut.
        Err(RunError::Deadline) => {
            rec.record((HopKind::Context, 0, 0), context_deadline_hop(&cfg, t0));
            let context = crate::hop::evidence::Context {
                image: cfg.image.as_ref().map(ToString::to_string),
                ..crate::facts::base_context(&cfg)
            };
            return Ok(finish(
                started_at,
                t0,
                cfg.label,
                &context,
                &rec.into_hops(),
                report::Extras {
                    needs: &[],
                    principal: None,
                },
            ));
        }
        other => other?,
    };
    check_work(&facts.plan, facts.need_rows.len())?;
    let context_hop = hop::context::report(
        &facts.image,
        &facts.findings,
        facts.metadata_error.as_deref(),
        t0.elapsed(),
    );
    rec.record((HopKind::Context, 0, 0), context_hop);
    let hops = wire(cfg, facts.plan, deadline).await?;
    exec::execute(&hops.plan.steps, &hops, deadline, &rec).await;
    let mut results = rec.into_hops();
    let expected = expected_role(&hops.cfg);
    let judged = crate::judges::judge(
        &mut results,
        &crate::judges::Case {
            plan: &hops.plan,
            platform_version: hops.cfg.platform_version.as_deref(),
            expected_role: expected.as_ref().map(|(r, s)| (r.as_str(), *s)),
        },
    );
    let extras = report::Extras {
        needs: &facts.need_rows,
        principal: judged.principal,
    };
    Ok(finish(
        started_at,
        t0,
        hops.cfg.label.clone(),
        &facts.context,
        &results,
        extras,
    ))
}

/// The report of a run. Remediation reads the finished report (it sits above the
/// report layer).
fn finish(
    started_at: String,
    t0: Instant,
    label: Option<String>,
    context: &crate::hop::evidence::Context,
    hops: &[crate::hop::HopResult],
    extras: report::Extras,
) -> Report {
    crate::remediation::attached(report::build(
        started_at,
        t0.elapsed(),
        label,
        context,
        hops,
        extras,
    ))
}

/// What the steps of the run share: the resolvers, the trust, the HTTP client and the
/// SDK configuration, built from the plan.
async fn wire(cfg: Config, plan: Plan, deadline: tokio::time::Instant) -> Result<Hops, RunError> {
    let dns = Dns::new(&plan.dns_servers, cfg.timeout).map_err(RunError::Dns)?;
    let ca_certs = cfg.ca_bundle.as_ref().map(|b| b.certs.as_slice());
    let trust = Trust::new(ca_certs.unwrap_or_default()).map_err(RunError::Tls)?;
    let client = Client::new(dns.clone(), trust.clone(), cfg.timeout).with_deadline(deadline);
    let tap = hop::credentials::tap(&cfg.env);
    let sdk_http = crate::net::sdk::http_client(client.clone(), tap.clone());
    let sdk = crate::net::sdk::sdk_config(sdk_http, &plan.region, cfg.timeout).await;
    Ok(Hops {
        cfg,
        plan,
        client,
        sdk,
        tap,
        deadline,
    })
}

/// The role the task's start-up signs with: `--expect-role`, else the task
/// definition's execution role.
fn expected_role(cfg: &Config) -> Option<(String, &'static str)> {
    cfg.expect_role.clone().map(|r| (r, "flag")).or_else(|| {
        cfg.task
            .as_ref()
            .and_then(|t| t.needs.execution_role_arn.clone())
            .map(|r| (r, "task_definition"))
    })
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
fn check_work(plan: &Plan, needs: usize) -> Result<(), RunError> {
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

/// `--explain-plan`: the plan this configuration gives, as a table. Reads only what
/// the facts read (task metadata, resolv.conf): nothing goes to AWS.
pub async fn explain_plan(cfg: &Config) -> Result<String, RunError> {
    let deadline = tokio::time::Instant::now() + cfg.deadline;
    Ok(crate::plan::render(
        &facts_within(cfg, deadline).await?.plan,
    ))
}

/// The run's facts, their reads bounded by the run's deadline: without them there is
/// nothing to run.
async fn facts_within(cfg: &Config, deadline: tokio::time::Instant) -> Result<RunFacts, RunError> {
    // The deadline first: when it has passed, the run is over, even if a metadata read
    // timed out in the same instant (its `--timeout` may equal `--deadline`).
    let seen = tokio::select! {
        biased;
        () = tokio::time::sleep_until(deadline) => return Err(RunError::Deadline),
        seen = crate::facts::observe(cfg) => seen,
    };
    crate::facts::decide(cfg, &seen)
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
