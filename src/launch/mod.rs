//! `vpce-probe launch`: from a laptop into a service's own subnets, security groups and
//! execution role, in one command (issue 22).
//!
//! The probe is only as true as the place and the principal it runs as. `launch` reads
//! the service and its task definition, registers a probe task definition that runs
//! as the app's execution role with the app's task definition as its input, runs one
//! task per subnet placed as the service's tasks are, waits, reads each report from
//! CloudWatch Logs (or explains why ECS stopped the task before the probe ran), shows
//! the subnets side by side and removes what it registered. Nothing of the user's is
//! changed.
//!
//! Every AWS call is a step of the report with its IAM action: a failed one is data
//! (and a missing permission is named), never a panic. Every call has a timeout; the
//! waiting has `--wait`; Ctrl-C and the end of the wait stop the tasks, and the probe's
//! task definition is cleaned up on every path.

mod call;
mod clients;
mod collect;
mod describe_service;
mod describe_task_definition;
mod logs;
mod probe_image;
mod register;
mod render;
mod run_task;
mod target;
mod tasks;
pub mod wire;

use std::io::Write;
use std::time::{Duration, Instant};

use crate::cli::LaunchArgs;
use crate::error::RunError;
use call::CallFailure;
use target::{AppTaskDefinition, Placement};
use tasks::TaskState;
use wire::{LaunchReport, Outcome, Step, SubnetResult};

/// How launch's own StopTask reasons start (StopTask allows 255 characters).
pub const OWN_STOP_PREFIX: &str = "vpce-probe launch: ";

/// How often the tasks are described while they run.
const POLL: Duration = Duration::from_secs(2);

/// The validated command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub cluster: String,
    pub service: Option<String>,
    pub task_definition: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub wait: Duration,
    pub timeout: Duration,
    pub keep: bool,
    pub probe_image: Option<String>,
    pub task_role: Option<String>,
    pub execution_role: Option<String>,
}

impl Settings {
    pub fn from_args(a: &LaunchArgs) -> Result<Self, crate::error::ConfigError> {
        let assign = a
            .assign_public_ip
            .as_deref()
            .unwrap_or("DISABLED")
            .to_ascii_uppercase();
        if assign != "ENABLED" && assign != "DISABLED" {
            return Err(crate::error::ConfigError::Value {
                flag: "--assign-public-ip",
                value: assign,
                reason: "ENABLED or DISABLED".into(),
            });
        }
        let timeout: Duration = a.timeout.into();
        if timeout.is_zero() {
            return Err(crate::error::ConfigError::Value {
                flag: "--timeout",
                value: a.timeout.to_string(),
                reason: "must be more than 0".into(),
            });
        }
        Ok(Settings {
            cluster: a.cluster.clone(),
            service: a.service.clone(),
            task_definition: a.task_definition.clone(),
            subnets: a.subnets.clone(),
            security_groups: a.security_groups.clone(),
            assign_public_ip: assign,
            profile: a.profile.clone(),
            region: a.region.clone(),
            wait: a.wait.into(),
            timeout,
            keep: a.keep,
            probe_image: a.probe_image.clone(),
            task_role: a.task_role.clone(),
            execution_role: a.execution_role.clone(),
        })
    }
}

/// The command: runs it, writes the result, returns the exit status.
pub fn execute(args: LaunchArgs, json: bool) -> Result<u8, RunError> {
    let settings = Settings::from_args(&args)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    let report = rt.block_on(launch(&settings));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        serde_json::to_writer(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        render::write_human(&report, &mut out)
    }
    .and_then(|_| out.flush())
    .map_err(RunError::Output)?;
    Ok(report.exit)
}

/// Progress lines on stderr: what a person at a terminal waits for.
fn progress(started: Instant, line: &str) {
    eprintln!(
        "vpce-probe launch [{:>4}s] {}",
        started.elapsed().as_secs(),
        crate::escape::clean(line)
    );
}

/// What has been created so far: what the clean-up must undo on every path.
#[derive(Debug, Default)]
struct Live {
    probe_td: Option<String>,
    log_group: Option<String>,
    /// Per subnet: the task, once started.
    tasks: Vec<(String, Option<String>)>,
    states: Vec<TaskState>,
}

async fn launch(s: &Settings) -> LaunchReport {
    let started = Instant::now();
    let mut rep = LaunchReport {
        launch_version: wire::LAUNCH_VERSION,
        probe_version: env!("CARGO_PKG_VERSION").to_string(),
        cluster: s.cluster.clone(),
        service: s.service.clone(),
        region: None,
        placement: None,
        app_task_definition: None,
        probe_image: None,
        probe_task_definition: None,
        steps: Vec::new(),
        results: Vec::new(),
        outcome: Outcome::Unknown,
        exit: crate::exit::COULD_NOT_RUN,
        interrupted: None,
        warnings: Vec::new(),
    };
    let clients = match clients::make(s.profile.as_deref(), s.region.as_deref(), s.timeout).await {
        Ok(c) => c,
        Err(e) => {
            rep.steps.push(Step {
                action: "configuration".into(),
                ok: false,
                detail: Some(e.to_string()),
                failure: None,
            });
            return finish(rep);
        }
    };
    rep.region = Some(clients.region.clone());
    let mut live = Live::default();

    // Setup and the wait: Ctrl-C cuts either short; what was created is undone below.
    let interrupted = {
        let work = async {
            if prepare_and_run(s, &clients, &mut rep, &mut live, started).await {
                wait_for_tasks(s, &clients, &mut rep, &mut live, started).await;
            }
        };
        tokio::select! {
            _ = work => None,
            _ = tokio::signal::ctrl_c() => Some("interrupted (Ctrl-C)".to_string()),
        }
    };
    if let Some(why) = interrupted {
        progress(
            started,
            &format!("{why}: stopping the probe tasks and cleaning up"),
        );
        rep.interrupted = Some(why);
    }
    stop_unfinished(s, &clients, &mut rep, &mut live, started).await;
    collect_results(s, &clients, &mut rep, &live).await;
    if let Some(arn) = live.probe_td.clone() {
        if s.keep {
            rep.warnings.push(format!(
                "--keep: the probe task definition {arn} stays registered"
            ));
        } else {
            for (action, done) in register::clean_up(&clients.ecs, &arn, s.timeout).await {
                let done = done.map(|d| format!("{arn}: {d}"));
                match &done {
                    Ok(d) => progress(started, d),
                    Err(f) => progress(started, &f.line()),
                }
                rep.steps.push(step_of(action, done));
            }
        }
    }
    finish(rep)
}

fn step(r: Result<String, CallFailure>) -> Step {
    step_of("", r)
}

fn step_of(action: &str, r: Result<String, CallFailure>) -> Step {
    match r {
        Ok(detail) => Step {
            action: action.to_string(),
            ok: true,
            detail: Some(detail),
            failure: None,
        },
        Err(f) => Step {
            action: f.action.clone(),
            ok: false,
            detail: None,
            failure: Some(f),
        },
    }
}

fn ok_step(action: &str, detail: String) -> Step {
    Step {
        action: action.to_string(),
        ok: true,
        detail: Some(detail),
        failure: None,
    }
}

/// Describe, check the image, register, run: `false` when a step failed (it is in
/// the report) and there is nothing to wait for.
async fn prepare_and_run(
    s: &Settings,
    c: &clients::Clients,
    rep: &mut LaunchReport,
    live: &mut Live,
    started: Instant,
) -> bool {
    macro_rules! attempt {
        ($action:expr, $call:expr) => {
            match $call {
                Ok(v) => v,
                Err(f) => {
                    progress(started, &f.line());
                    rep.steps.push(step(Err(f)));
                    return false;
                }
            }
        };
    }
    // 1. Where and how the app's tasks run.
    let (placement, service_arn) = match &s.service {
        Some(service) => {
            let (p, arn) = attempt!(
                "ecs:DescribeServices",
                describe_service::describe(&c.ecs, &s.cluster, service, s.timeout).await
            );
            rep.steps.push(ok_step(
                "ecs:DescribeServices",
                format!(
                    "{} subnet(s), task definition {}",
                    p.subnets.len(),
                    p.task_definition
                ),
            ));
            (p, arn)
        }
        None => (
            Placement {
                subnets: s.subnets.clone(),
                security_groups: s.security_groups.clone(),
                assign_public_ip: s.assign_public_ip.clone(),
                task_definition: s.task_definition.clone().unwrap_or_default(),
                ..Placement::default()
            },
            String::new(),
        ),
    };
    let app: AppTaskDefinition = attempt!(
        "ecs:DescribeTaskDefinition",
        describe_task_definition::describe(
            &c.ecs,
            &placement.task_definition,
            &c.region,
            s.timeout
        )
        .await
    );
    rep.steps
        .push(ok_step("ecs:DescribeTaskDefinition", app.arn.clone()));
    rep.app_task_definition = Some(app.arn.clone());
    let mut placement = placement;
    if placement.launch_type.is_none()
        && placement.capacity_provider_strategy.is_empty()
        && app.requires_compatibilities.iter().any(|c| c == "FARGATE")
    {
        placement.launch_type = Some("FARGATE".into());
    }
    rep.placement = Some(placement.clone());

    // 2. The roles and the image.
    let Some(execution_role) = s.execution_role.clone().or(app.execution_role_arn.clone()) else {
        let f = CallFailure::new(
            "ecs:RegisterTaskDefinition",
            "NoExecutionRole",
            format!(
                "{} has no executionRoleArn: the probe needs one to pull its image and write its \
                 log (pass --execution-role); the app's own pull then uses the instance role",
                app.arn
            ),
        );
        progress(started, &f.line());
        rep.steps.push(step(Err(f)));
        return false;
    };
    let task_role = s
        .task_role
        .clone()
        .unwrap_or_else(|| execution_role.clone());
    let account =
        crate::aws::arn_account(&app.arn).or_else(|| crate::aws::arn_account(&service_arn));
    let image = match (&s.probe_image, account) {
        (Some(i), _) => i.clone(),
        (None, Some(acct)) => probe_image::default_ref(&acct, &c.region),
        (None, None) => {
            let f = CallFailure::new(
                "ecr:DescribeImages",
                "NoAccount",
                "the account is not in the task definition's ARN: pass --probe-image",
            );
            rep.steps.push(step(Err(f)));
            return false;
        }
    };
    rep.probe_image = Some(image.clone());
    attempt!(
        "ecr:DescribeImages",
        probe_image::check(&c.ecr, &image, s.timeout).await
    );
    rep.steps
        .push(ok_step("ecr:DescribeImages", format!("{image}: present")));

    // 3. Where its log goes: the app's group (its execution role may write there).
    let group = match &app.awslogs_group {
        Some(g) => g.clone(),
        None => {
            attempt!(
                "logs:CreateLogGroup",
                logs::ensure_group(&c.logs, logs::OWN_GROUP, s.timeout).await
            );
            rep.steps
                .push(ok_step("logs:CreateLogGroup", logs::OWN_GROUP.to_string()));
            rep.warnings.push(format!(
                "the app has no awslogs group in {}: the probe logs to {} (its execution role needs logs:CreateLogStream and logs:PutLogEvents there)",
                c.region,
                logs::OWN_GROUP
            ));
            logs::OWN_GROUP.to_string()
        }
    };

    live.log_group = Some(group.clone());

    // 4. The probe's task definition.
    let def = register::ProbeDefinition {
        family: register::family_for(&app.family),
        image: &image,
        task_role: &task_role,
        execution_role: &execution_role,
        compatibilities: &app.requires_compatibilities,
        log_group: &group,
        region: &c.region,
        app_task_definition: app.document.to_string(),
        deadline: (s.wait / 2).clamp(Duration::from_secs(10), Duration::from_secs(120)),
        app_arn: &app.arn,
    };
    let td = attempt!(
        "ecs:RegisterTaskDefinition",
        register::register(&c.ecs, &def, s.timeout).await
    );
    progress(started, &format!("registered {td}"));
    rep.steps
        .push(ok_step("ecs:RegisterTaskDefinition", td.clone()));
    rep.probe_task_definition = Some(td.clone());
    live.probe_td = Some(td.clone());

    // 5. One task per subnet, all at once.
    let runs = placement.subnets.iter().map(|subnet| {
        let (td, placement) = (&td, &placement);
        async move {
            let r = run_task::run(&c.ecs, &s.cluster, td, placement, subnet, s.timeout).await;
            (subnet.clone(), r)
        }
    });
    let mut any = false;
    for (subnet, r) in futures_util::future::join_all(runs).await {
        let mut result = SubnetResult::new(&subnet);
        match r {
            Ok(arn) => {
                progress(started, &format!("{subnet}: started {arn}"));
                rep.steps
                    .push(ok_step("ecs:RunTask", format!("{subnet}: {arn}")));
                result.task_arn = Some(arn.clone());
                live.tasks.push((subnet, Some(arn)));
                any = true;
            }
            Err(f) => {
                progress(started, &format!("{subnet}: {}", f.line()));
                result.summary = format!("no task was started: {}", f.line());
                result.failure = Some(f.clone());
                rep.steps.push(step(Err(f)));
                live.tasks.push((subnet, None));
            }
        }
        rep.results.push(result);
    }
    any
}

/// Describes the tasks every [`POLL`] until all have stopped or `--wait` is over;
/// prints each change of state.
async fn wait_for_tasks(
    s: &Settings,
    c: &clients::Clients,
    rep: &mut LaunchReport,
    live: &mut Live,
    started: Instant,
) {
    let arns: Vec<String> = live.tasks.iter().filter_map(|(_, a)| a.clone()).collect();
    let until = tokio::time::Instant::now() + s.wait;
    let mut seen: std::collections::HashMap<String, String> = Default::default();
    loop {
        match tasks::describe(&c.ecs, &s.cluster, &arns, s.timeout).await {
            Ok(states) => {
                for st in &states {
                    if seen.get(&st.arn) != Some(&st.last_status) {
                        let subnet = subnet_of(live, &st.arn);
                        progress(
                            started,
                            &format!(
                                "{subnet}{}: {}",
                                st.availability_zone
                                    .as_deref()
                                    .map(|z| format!(" ({z})"))
                                    .unwrap_or_default(),
                                st.last_status
                            ),
                        );
                        seen.insert(st.arn.clone(), st.last_status.clone());
                    }
                }
                let done = states.len() == arns.len() && states.iter().all(TaskState::stopped);
                live.states = states;
                if done {
                    return;
                }
            }
            Err(f) => {
                progress(started, &f.line());
                rep.steps.push(step(Err(f)));
            }
        }
        if tokio::time::Instant::now() + POLL > until {
            rep.interrupted = Some(format!(
                "--wait {} ran out before every task stopped",
                humantime::format_duration(s.wait)
            ));
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}

fn subnet_of(live: &Live, arn: &str) -> String {
    live.tasks
        .iter()
        .find(|(_, a)| a.as_deref() == Some(arn))
        .map(|(s, _)| s.clone())
        .unwrap_or_else(|| arn.to_string())
}

/// Stops every task not known to have stopped (the wait ran out, or Ctrl-C), then
/// describes them once more for their final state.
async fn stop_unfinished(
    s: &Settings,
    c: &clients::Clients,
    rep: &mut LaunchReport,
    live: &mut Live,
    started: Instant,
) {
    let unfinished: Vec<String> = live
        .tasks
        .iter()
        .filter_map(|(_, a)| a.clone())
        .filter(|a| !live.states.iter().any(|st| &st.arn == a && st.stopped()))
        .collect();
    if unfinished.is_empty() {
        return;
    }
    let reason = rep
        .interrupted
        .clone()
        .unwrap_or_else(|| "stopped by vpce-probe launch".into());
    for arn in &unfinished {
        let r = tasks::stop(
            &c.ecs,
            &s.cluster,
            arn,
            &format!("{OWN_STOP_PREFIX}{reason}"),
            s.timeout,
        )
        .await;
        progress(
            started,
            &format!(
                "{}: {}",
                subnet_of(live, arn),
                match &r {
                    Ok(()) => "stopped".to_string(),
                    Err(f) => f.line(),
                }
            ),
        );
        rep.steps.push(step_of(
            "ecs:StopTask",
            r.map(|()| format!("{arn}: stopped")),
        ));
    }
    let arns: Vec<String> = live.tasks.iter().filter_map(|(_, a)| a.clone()).collect();
    if let Ok(states) = tasks::describe(&c.ecs, &s.cluster, &arns, s.timeout).await {
        live.states = states;
    }
}

async fn collect_results(s: &Settings, c: &clients::Clients, rep: &mut LaunchReport, live: &Live) {
    for result in rep.results.iter_mut() {
        let Some(arn) = result.task_arn.clone() else {
            continue;
        };
        let Some(state) = live.states.iter().find(|st| st.arn == arn) else {
            result.summary = "the task was never described".into();
            continue;
        };
        if !state.stopped() {
            result.last_status = Some(state.last_status.clone());
            result.availability_zone = state.availability_zone.clone();
            result.summary = format!(
                "the task was still {} when launch stopped waiting: nothing learned",
                state.last_status
            );
            continue;
        }
        // A probe that never ran wrote no stream.
        let read = match (&live.log_group, state.exit_code) {
            (_, None) => Err(CallFailure::new(
                "logs:GetLogEvents",
                "NotRun",
                "the probe never ran",
            )),
            (Some(g), Some(_)) => logs::read(&c.logs, g, &logs::stream_of(&arn), s.timeout).await,
            (None, Some(_)) => Err(CallFailure::new(
                "logs:GetLogEvents",
                "NoGroup",
                "no log group",
            )),
        };
        let messages = match read {
            Ok(m) => Some(m),
            Err(f) => {
                // A task that never ran has no stream: that is no failure of the read.
                if state.exit_code.is_some() {
                    result.failure = Some(f);
                }
                None
            }
        };
        collect::judge(result, state, messages.as_deref());
    }
}

fn finish(mut rep: LaunchReport) -> LaunchReport {
    let worst_known = rep.results.iter().map(|r| r.outcome).max();
    rep.outcome = match worst_known {
        Some(Outcome::Fail) => Outcome::Fail,
        Some(Outcome::Pass) if rep.results.iter().all(|r| r.outcome == Outcome::Pass) => {
            Outcome::Pass
        }
        _ => Outcome::Unknown,
    };
    rep.exit = match rep.outcome {
        Outcome::Pass => crate::exit::PASS,
        Outcome::Fail => crate::exit::HOP_FAILED,
        Outcome::Unknown => crate::exit::COULD_NOT_RUN,
    };
    rep
}
