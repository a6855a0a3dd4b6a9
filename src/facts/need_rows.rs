//! The report's needs: every need of the task (its images, logs, secrets, telemetry,
//! exec, environment files, file systems, the ECS agent) and of `--check`, each with
//! the hops of the plan that probe it and the findings about it, in the task
//! definition's order. Pure: a function of the configuration, the plan and the task's
//! pre-flight findings.

use crate::aws::{self, Service};
use crate::causes::code;
use crate::config::Config;
use crate::diagnose::Cause;
use crate::hop::Verdict;
use crate::hop::evidence::{Finding, Need};
use crate::hop::preflight::About;
use crate::image_ref::RegistryKind;
use crate::needs::{LaunchType, LogDriver, Needs, SecretStore};
use crate::plan::{Action, Plan, Role, Target};

/// The task's pre-flight findings, by what each is about.
struct Found<'a>(&'a [(About, Verdict, Cause)]);

impl Found<'_> {
    fn of(&self, about: About) -> Vec<Finding> {
        self.0
            .iter()
            .filter(|(a, _, _)| *a == about)
            .map(|(_, v, c)| Finding {
                severity: *v,
                cause: c.clone(),
            })
            .collect()
    }
}

/// Every need, with the hops of the plan that probe it, in the task definition's order.
pub fn need_rows(cfg: &Config, plan: &Plan, findings: &[(About, Verdict, Cause)]) -> Vec<Need> {
    let Some(task) = &cfg.task else {
        // Without a task definition only --check's services are needs of their own.
        return check_rows(cfg, plan, false);
    };
    let (n, found) = (&task.needs, Found(findings));
    let mut out = images(n, plan, &found);
    out.extend(logs(n, plan, &found));
    out.extend(secrets(n, plan, &found));
    out.extend(telemetry(n, plan, &found));
    out.extend(exec(cfg, n, plan));
    out.extend(env_files(n, plan, &found));
    out.extend(efs(n, plan));
    out.extend(ecs_agent(plan));
    // Needs that only findings make: nothing probes them.
    for (about, kind, subject) in [
        (
            About::Definition,
            "definition",
            "task definition fields ECS checks when it registers it",
        ),
        (About::Platform, "image", "registry auth (Fargate platform)"),
    ] {
        let f = found.of(about);
        if !f.is_empty() {
            out.push(need(kind, subject.into(), vec![], f));
        }
    }
    // ECS Exec asked for with --check is the exec need above.
    out.extend(check_rows(cfg, plan, true));
    out
}

fn images(n: &Needs, plan: &Plan, found: &Found) -> Vec<Need> {
    let mut out = Vec::new();
    for (i, img) in n.images.iter().enumerate() {
        let pulled = img.image.as_ref().ok().and_then(|r| {
            plan.images
                .iter()
                .position(|p| p.host == r.host && p.repository == r.repository)
        });
        let ids = match pulled {
            Some(k) => pull_hops(plan, k),
            None => Vec::new(),
        };
        let mut f = found.of(About::Image(i));
        let private_unprobed = pulled.is_none()
            && f.is_empty()
            && img
                .image
                .as_ref()
                .is_ok_and(|r| matches!(r.registry, RegistryKind::Private { .. }));
        // The pull image's own registry finding is the context hop's (facts/findings.rs);
        // its need carries it too, or an image nothing can pull would read as a pass.
        if f.is_empty()
            && let Ok(r) = &img.image
            && !matches!(r.registry, RegistryKind::Private { .. })
        {
            f.extend(
                crate::facts::findings::image(r, None)
                    .into_iter()
                    .map(|(severity, cause)| Finding { severity, cause }),
            );
        }
        if private_unprobed {
            f.push(Finding {
                severity: Verdict::Warn,
                cause: Cause::new(
                    code!("config.image_not_probed"),
                    format!("container {}: the pull of {} is not probed in this run (another partition, or a FIPS or dual-stack name): run again with --image {}", img.container, img.reference, img.reference),
                ),
            });
        }
        out.push(need(
            "image",
            format!("image {} {}", img.container, img.reference),
            ids,
            f,
        ));
    }
    out
}

fn logs(n: &Needs, plan: &Plan, found: &Found) -> Vec<Need> {
    let mut out = Vec::new();
    for (i, l) in n.logs.iter().enumerate() {
        let region = region_or_task(plan, &l.region);
        let role = role_in(plan, region);
        let mut ids = plan.hop_ids_of(true, |t| t.service == Service::Logs && t.role == role);
        let driver = match &l.driver {
            LogDriver::Awslogs => "awslogs".to_string(),
            LogDriver::Firelens { plugin } => {
                format!("firelens {}", plugin.as_deref().unwrap_or("?"))
            }
        };
        let cloudwatch = matches!(&l.driver, LogDriver::Awslogs)
            || matches!(&l.driver, LogDriver::Firelens { plugin: Some(p) } if p.starts_with("cloudwatch"));
        // Another FireLens output is a telemetry need below; no output named, a logs need.
        let other_output = matches!(&l.driver, LogDriver::Firelens { plugin: Some(_) });
        if other_output && !cloudwatch {
            continue;
        }
        if !cloudwatch {
            ids.clear();
        }
        let create = if l.create_group {
            ", creates its group"
        } else {
            ""
        };
        let mut logs = need(
            "logs",
            format!(
                "logs of {} to {} ({driver}{create})",
                l.container,
                l.region.as_deref().unwrap_or("?")
            ),
            ids,
            found.of(About::Logs(i)),
        );
        // The awslogs driver must create its stream before the container starts; a
        // FireLens output is the log router's business once the task runs.
        if matches!(l.driver, LogDriver::Firelens { .. }) {
            logs.degrades = Some(format!(
                "the task starts; the logs {} sends through FireLens are dropped",
                l.container
            ));
        }
        out.push(logs);
    }
    out
}

fn secrets(n: &Needs, plan: &Plan, found: &Found) -> Vec<Need> {
    let mut out = Vec::new();
    // Secrets: one need per store and region, naming every secret in it.
    let mut groups: Vec<(SecretStore, String, Vec<usize>)> = Vec::new();
    for (i, s) in n.secrets.iter().enumerate() {
        let region = s.region.clone().unwrap_or_else(|| plan.logs_region.clone());
        match groups
            .iter_mut()
            .find(|(st, r, _)| *st == s.store && *r == region)
        {
            Some((_, _, v)) => v.push(i),
            None => groups.push((s.store, region, vec![i])),
        }
    }
    for (store, region, idx) in groups {
        let service = match store {
            SecretStore::SecretsManager => Service::SecretsManager,
            SecretStore::Ssm => Service::Ssm,
        };
        let role = role_in(plan, &region);
        let names: Vec<&str> = idx.iter().map(|i| n.secrets[*i].id.as_str()).collect();
        let f: Vec<Finding> = idx
            .iter()
            .flat_map(|i| found.of(About::Secret(*i)))
            .collect();
        out.push(need(
            "secrets",
            format!("secrets from {} ({})", service.name(), names.join(", ")),
            plan.hop_ids_of(true, |t| t.service == service && t.role == role),
            f,
        ));
    }
    out
}

fn telemetry(n: &Needs, plan: &Plan, found: &Found) -> Vec<Need> {
    let mut out = Vec::new();
    for (i, t) in n.telemetry.iter().enumerate() {
        let region = region_or_task(plan, &t.region);
        // A FireLens s3 output goes through the pull path's own S3 endpoint.
        let probes = |tg: &Target| {
            t.services.contains(&tg.service)
                && match tg.service {
                    Service::S3 => tg.role == Role::Endpoint,
                    _ => tg.role == role_in(plan, region),
                }
        };
        let names = match t.services.is_empty() {
            true => "outside AWS".to_string(),
            false => t
                .services
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let mut tn = need(
            "telemetry",
            format!("{} of {} ({names})", t.what, t.container),
            plan.hop_ids_of(true, probes),
            found.of(About::Telemetry(i)),
        );
        tn.degrades = (!t.stops_task).then(|| t.loses.clone());
        out.push(tn);
    }
    out
}

fn exec(cfg: &Config, n: &Needs, plan: &Plan) -> Vec<Need> {
    let mut out = Vec::new();
    if n.exec || cfg.checks.iter().any(|(s, _)| *s == Service::SsmMessages) {
        out.push(need(
            "exec",
            "ECS Exec (ssmmessages)".into(),
            plan.hop_ids_of(true, |t| t.is_endpoint_of(Service::SsmMessages)),
            vec![],
        ));
    }
    out
}

fn env_files(n: &Needs, plan: &Plan, found: &Found) -> Vec<Need> {
    let mut out = Vec::new();
    for (i, f) in n.env_files.iter().enumerate() {
        let role = f.bucket.as_ref().map(|b| Role::Instance(b.clone()));
        out.push(need(
            "env_file",
            format!(
                "{} of {} ({}) through the S3 gateway",
                f.kind.label(),
                f.container,
                f.arn
            ),
            role.map(|r| plan.hop_ids_of(true, |t| t.service == Service::S3 && t.role == r))
                .unwrap_or_default(),
            found.of(About::EnvFile(i)),
        ));
    }
    out
}

fn efs(n: &Needs, plan: &Plan) -> Vec<Need> {
    let mut out = Vec::new();
    for e in &n.efs {
        let role = Role::Instance(e.file_system_id.clone());
        out.push(need(
            "efs",
            format!("EFS volume {} ({}, NFS 2049)", e.volume, e.file_system_id),
            plan.hop_ids_of(true, |t| t.service == Service::Efs && t.role == role),
            vec![],
        ));
    }
    out
}

fn ecs_agent(plan: &Plan) -> Vec<Need> {
    let mut out = Vec::new();
    if plan.launch_type == Some(LaunchType::Ec2) {
        out.push(need(
            "ecs_agent",
            "ECS agent on EC2 (ecs, ecs-agent, ecs-telemetry)".into(),
            plan.hop_ids_of(true, |t| {
                [Service::Ecs, Service::EcsAgent, Service::EcsTelemetry]
                    .into_iter()
                    .any(|s| t.is_endpoint_of(s))
            }),
            vec![],
        ));
    }
    out
}

/// One need per `--check` service, with its targets' hops.
fn check_rows(cfg: &Config, plan: &Plan, without_exec: bool) -> Vec<Need> {
    cfg.checks
        .iter()
        .filter(|(s, _)| !(without_exec && *s == Service::SsmMessages))
        .map(|(service, _)| {
            need(
                "check",
                service.name().to_string(),
                plan.hop_ids_of(true, |t| t.service == *service),
                vec![],
            )
        })
        .collect()
}

fn need(kind: &'static str, subject: String, hop_ids: Vec<String>, findings: Vec<Finding>) -> Need {
    Need {
        kind,
        subject,
        hop_ids,
        findings,
        degrades: None,
    }
}

/// The hops of repository `k`'s pull: the api, its dkr and the S3 chains, the
/// credentials and the token, its registry ping, manifest, redirect and layer.
fn pull_hops(plan: &Plan, k: usize) -> Vec<String> {
    let dkr = plan.steps.iter().find_map(|s| match s.action {
        Action::Manifest(i, kk) if kk == k => Some(i),
        _ => None,
    });
    let dkr_target = dkr.and_then(|i| plan.targets.get(i));
    let mut ids = plan.hop_ids_of(false, |t| {
        t.is_endpoint_of(Service::Api)
            || t.is_endpoint_of(Service::S3)
            || t.role == Role::LayerBucket
            || match dkr_target {
                Some(d) => t.service == Service::Dkr && t.role == d.role,
                None => t.is_endpoint_of(Service::Dkr),
            }
    });
    ids.extend(["credentials", "ecr_token"].map(String::from));
    ids.extend(
        plan.steps
            .iter()
            .filter(|s| match s.action {
                Action::Registry(i) => Some(i) == dkr,
                Action::Manifest(_, kk) | Action::LayerRedirect(_, kk) | Action::Layer(_, kk) => {
                    kk == k
                }
                _ => false,
            })
            .map(|s| s.hop_id.clone()),
    );
    ids
}

/// The region a need names when it is one, else the task's.
fn region_or_task<'a>(plan: &'a Plan, region: &'a Option<String>) -> &'a str {
    region
        .as_deref()
        .filter(|r| aws::is_region(r))
        .unwrap_or(&plan.logs_region)
}

/// The role of a service's target in `region`: the task region's endpoint or another
/// region's.
fn role_in(plan: &Plan, region: &str) -> Role {
    match region == plan.logs_region {
        true => Role::Endpoint,
        false => Role::Region(region.to_string()),
    }
}
