//! The task definition's pre-flight, part of the context hop: what is already known to
//! be wrong before any packet (an image from a registry no VPC endpoint serves, a
//! malformed or foreign region, an old Fargate platform), and the list of the task's
//! needs, each with the hops of the plan that probe it, for the report's first lines.

use crate::aws::{self, Service};
use crate::causes::code;
use crate::config::Config;
use crate::diagnose::Cause;
use crate::hop::Verdict;
use crate::hop::evidence::{Finding, Need};
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, LogDriver, Needs, S3Read, SecretStore};
use crate::plan::{Action, Plan, Role, Target};

/// Which need a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Image(usize),
    Logs(usize),
    Secret(usize),
    Telemetry(usize),
    EnvFile(usize),
    Platform,
}

pub fn task_findings(
    needs: &Needs,
    pull: &ImageRef,
    task_region: &str,
    platform_version: Option<&str>,
    launch_type: Option<LaunchType>,
) -> Vec<(About, Verdict, Cause)> {
    let mut out = Vec::new();
    let account = pull
        .account()
        .map(str::to_string)
        .or_else(|| needs.execution_role_arn.as_deref().and_then(arn_account))
        .unwrap_or_else(|| "<account>".into());
    for (i, n) in needs.images.iter().enumerate() {
        let about = About::Image(i);
        let img = match &n.image {
            Err(reason) => {
                out.push((about, Verdict::Fail, Cause::new(
                    code!("config.foreign_image"),
                    format!("container {}: the image {:?} cannot be read ({reason}): ECS cannot pull it either", n.container, n.reference),
                )));
                continue;
            }
            // The pull image's own findings are the context hop's (image_findings).
            Ok(img) if img == pull => continue,
            Ok(img) => img,
        };
        match &img.registry {
            RegistryKind::Private { region, .. } if !aws::is_region(region) => out.push((
                about,
                Verdict::Fail,
                Cause::new(
                    code!("config.malformed_region"),
                    format!("container {}: the image host {} names the region {region:?}, which is not a region", n.container, img.host),
                ),
            )),
            RegistryKind::Private { region, .. } if region != task_region => out.push((
                about,
                Verdict::Warn,
                Cause::new(
                    code!("config.cross_region"),
                    format!("container {}: the image {img} is in {region} but the task runs in {task_region}: VPC endpoints do not serve cross-region requests, so this pull leaves the VPC; replicate the repository to {task_region}", n.container),
                ),
            )),
            RegistryKind::Private { .. } => {}
            RegistryKind::Public | RegistryKind::Other => out.push((
                about,
                if n.essential { Verdict::Fail } else { Verdict::Warn },
                Cause::new(code!("config.foreign_image"), foreign_hint(&n.container, &n.reference, img, &account, task_region)),
            )),
        }
    }
    for (i, l) in needs.logs.iter().enumerate() {
        let about = About::Logs(i);
        let cloudwatch = match &l.driver {
            LogDriver::Awslogs => true,
            LogDriver::Firelens { plugin } => {
                let known = plugin
                    .as_deref()
                    .is_some_and(|p| p.starts_with("cloudwatch"));
                // Other outputs are telemetry needs (`needs.rs`'s telemetry).
                known
            }
        };
        if !cloudwatch {
            continue;
        }
        match l.region.as_deref() {
            None if l.driver == LogDriver::Awslogs => out.push((about, Verdict::Fail, Cause::new(
                code!("config.malformed_region"),
                format!("container {}: the awslogs driver has no awslogs-region option, which it requires", l.container),
            ))),
            None => {}
            Some(r) if !aws::is_region(r) => out.push((about, Verdict::Fail, Cause::new(
                code!("config.malformed_region"),
                format!("container {}: awslogs-region {r:?} is not a region (the task cannot start: failed to validate logger args)", l.container),
            ))),
            Some(r) if r != task_region => out.push((about, Verdict::Warn, Cause::new(
                code!("config.logs_cross_region"),
                format!("container {} logs to {r}, the task runs in {task_region}: the logs endpoint of {r} is not reachable through this VPC's endpoints (no cross-region PrivateLink); without NAT the task fails to start. Set awslogs-region to {task_region}", l.container),
            ))),
            Some(_) => {}
        }
    }
    for (i, s) in needs.secrets.iter().enumerate() {
        let about = About::Secret(i);
        match s.region.as_deref() {
            Some(r) if !aws::is_region(r) => out.push((about, Verdict::Fail, Cause::new(
                code!("config.malformed_region"),
                format!("container {}: the secret {} names the region {r:?}, which is not a region", s.container, s.id),
            ))),
            Some(r) if r != task_region => out.push((about, Verdict::Warn, Cause::new(
                code!("config.cross_region"),
                format!("container {}: the secret {} is in {r}, the task runs in {task_region}: VPC endpoints do not serve cross-region requests, so ECS's read leaves the VPC; replicate the secret to {task_region}", s.container, s.id),
            ))),
            _ => {}
        }
    }
    for (i, t) in needs.telemetry.iter().enumerate() {
        if let Some(dest) = &t.outside {
            out.push((
                About::Telemetry(i),
                Verdict::Warn,
                Cause::new(
                    code!("config.firelens_destination"),
                    format!("container {}: FireLens sends to {dest}", t.container),
                ),
            ));
        }
    }
    for (i, f) in needs.env_files.iter().enumerate() {
        let about = About::EnvFile(i);
        let what = f.kind.label();
        if f.bucket.is_none() {
            out.push((about, Verdict::Fail, Cause::new(
                code!("config.env_file"),
                format!("container {}: the {what} {:?} is not an S3 object ARN (arn:aws:s3:::bucket/key): ECS cannot read it and the task does not start", f.container, f.arn),
            )));
        }
        if f.kind == S3Read::FirelensConfig && launch_type == Some(LaunchType::Fargate) {
            out.push((about, Verdict::Fail, Cause::new(
                code!("config.firelens_s3_config_on_fargate"),
                format!("container {}: Fargate reads a FireLens configuration only from a file in the image (config-file-type file), not from S3 ({}): bake the file into the log router's image", f.container, f.arn),
            )));
        }
    }
    let fargate = launch_type.or_else(|| needs.launch_type()) == Some(LaunchType::Fargate);
    if fargate && platform_version.is_some_and(old_platform) {
        out.push((About::Platform, Verdict::Warn, Cause::new(
            code!("config.old_platform"),
            format!("Fargate platform {} fetches registry auth outside the task's network: a failing ecr.api endpoint does not stop this task, but platform 1.4.0 and later need com.amazonaws.{task_region}.ecr.api", platform_version.unwrap_or_default()),
        )));
    }
    out
}

/// On Fargate platform 1.3.0 and earlier the registry auth does not go through the
/// task's own network (docs/aws-facts.md#fargate-platform-endpoints): a failing ecr.api
/// chain or token call is a warning there, not a reason the task would not start.
pub fn soften_old_platform(
    hops: &mut [crate::hop::HopResult],
    plan: &Plan,
    platform_version: Option<&str>,
) {
    let old =
        plan.launch_type == Some(LaunchType::Fargate) && platform_version.is_some_and(old_platform);
    let Some(api) = plan.target(Service::Api, &Role::Endpoint).filter(|_| old) else {
        return;
    };
    let ids: Vec<String> = hops_of(plan, true, |t| t.is_endpoint_of(Service::Api));
    for h in hops.iter_mut().filter(|h| h.verdict == Verdict::Fail) {
        let mine = ids.iter().any(|id| {
            h.id == *id
                || h.id
                    .strip_prefix(id.as_str())
                    .is_some_and(|r| r.starts_with('@'))
        });
        if mine {
            h.verdict = Verdict::Warn;
            let note = format!(
                "{} (Fargate platform {} does not reach {} from the task's network; platform 1.4.0 and later do)",
                h.message.as_deref().unwrap_or("failed"),
                platform_version.unwrap_or_default(),
                api.host
            );
            h.message = Some(note);
        }
    }
}

/// Platform versions before 1.4.0 (`1.3.0`, `1.2.0`…); `LATEST` is 1.4.0 or later.
pub fn old_platform(v: &str) -> bool {
    let nums: Vec<u32> = v.trim().split('.').map_while(|p| p.parse().ok()).collect();
    matches!(nums.as_slice(), [1, minor, ..] if *minor < 4) || matches!(nums.as_slice(), [0, ..])
}

fn arn_account(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// The hint for an image no VPC endpoint serves: a NAT, or a pull-through cache rule
/// and the reference the image gets with one (docs/aws-facts.md#ecr-public-pull-through).
fn foreign_hint(
    container: &str,
    reference: &str,
    img: &ImageRef,
    account: &str,
    region: &str,
) -> String {
    let prefix = match img.host.as_str() {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => Some("docker-hub"),
        "public.ecr.aws" => Some("ecr-public"),
        "quay.io" => Some("quay"),
        "ghcr.io" => Some("github"),
        "registry.k8s.io" => Some("k8s"),
        "registry.gitlab.com" => Some("gitlab"),
        h if h.ends_with(".azurecr.io") => Some("azure"),
        _ => None,
    };
    let tail = match &img.reference {
        crate::image_ref::Reference::Tag(t) => format!(":{t}"),
        crate::image_ref::Reference::Digest(d) => format!("@{d}"),
    };
    let with_cache = match prefix {
        Some(p) => format!(
            "; or create an ECR pull-through cache rule (prefix {p}) for {} in {region} and use {account}.dkr.ecr.{region}.amazonaws.com/{p}/{}{tail} (the first pull still needs a NAT)",
            img.host, img.repository
        ),
        None => format!(
            "; ECR pull-through cache does not serve {}: copy the image to ECR in {region}",
            img.host
        ),
    };
    format!(
        "container {container}: the image {reference} comes from {}, which no VPC endpoint serves: this subnet needs a NAT{with_cache}",
        img.host
    )
}

/// Every need, with the hops of the plan that probe it, in the task definition's order.
pub fn needs(cfg: &Config, plan: &Plan, findings: &[(About, Verdict, Cause)]) -> Vec<Need> {
    let found = |about: About| -> Vec<Finding> {
        findings
            .iter()
            .filter(|(a, _, _)| *a == about)
            .map(|(_, v, c)| Finding {
                severity: *v,
                cause: c.clone(),
            })
            .collect()
    };
    let mut out = Vec::new();
    let Some(task) = &cfg.task else {
        // Without a task definition only --check's services are needs of their own.
        return check_needs(cfg, plan, false);
    };
    let n = &task.needs;
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
        let mut f = found(About::Image(i));
        let private_unprobed = pulled.is_none()
            && f.is_empty()
            && img
                .image
                .as_ref()
                .is_ok_and(|r| matches!(r.registry, RegistryKind::Private { .. }));
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
    for (i, l) in n.logs.iter().enumerate() {
        let region = l
            .region
            .as_deref()
            .filter(|r| aws::is_region(r))
            .unwrap_or(&plan.logs_region);
        let role = role_in(plan, region);
        let mut ids = hops_of(plan, true, |t| t.service == Service::Logs && t.role == role);
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
            found(About::Logs(i)),
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
        let f: Vec<Finding> = idx.iter().flat_map(|i| found(About::Secret(*i))).collect();
        out.push(need(
            "secrets",
            format!("secrets from {} ({})", service.name(), names.join(", ")),
            hops_of(plan, true, |t| t.service == service && t.role == role),
            f,
        ));
    }
    for (i, t) in n.telemetry.iter().enumerate() {
        let region = t
            .region
            .as_deref()
            .filter(|r| aws::is_region(r))
            .unwrap_or(&plan.logs_region);
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
            hops_of(plan, true, probes),
            found(About::Telemetry(i)),
        );
        tn.degrades = (!t.stops_task).then(|| t.loses.clone());
        out.push(tn);
    }
    if n.exec || cfg.checks.iter().any(|(s, _)| *s == Service::SsmMessages) {
        out.push(need(
            "exec",
            "ECS Exec (ssmmessages)".into(),
            hops_of(plan, true, |t| t.is_endpoint_of(Service::SsmMessages)),
            vec![],
        ));
    }
    for (i, f) in n.env_files.iter().enumerate() {
        let role = f.bucket.as_ref().map(|b| Role::Instance(b.clone()));
        let what = f.kind.label();
        out.push(need(
            "env_file",
            format!(
                "{what} of {} ({}) through the S3 gateway",
                f.container, f.arn
            ),
            role.map(|r| hops_of(plan, true, |t| t.service == Service::S3 && t.role == r))
                .unwrap_or_default(),
            found(About::EnvFile(i)),
        ));
    }
    for e in &n.efs {
        let role = Role::Instance(e.file_system_id.clone());
        out.push(need(
            "efs",
            format!("EFS volume {} ({}, NFS 2049)", e.volume, e.file_system_id),
            hops_of(plan, true, |t| t.service == Service::Efs && t.role == role),
            vec![],
        ));
    }
    if plan.launch_type == Some(LaunchType::Ec2) {
        out.push(need(
            "ecs_agent",
            "ECS agent on EC2 (ecs, ecs-agent, ecs-telemetry)".into(),
            hops_of(plan, true, |t| {
                [Service::Ecs, Service::EcsAgent, Service::EcsTelemetry]
                    .into_iter()
                    .any(|s| t.is_endpoint_of(s))
            }),
            vec![],
        ));
    }
    let platform = found(About::Platform);
    if !platform.is_empty() {
        out.push(need(
            "image",
            "registry auth (Fargate platform)".into(),
            vec![],
            platform,
        ));
    }
    // ECS Exec asked for with --check is the exec need above.
    out.extend(check_needs(cfg, plan, true));
    out
}

/// One need per `--check` service, with its targets' hops.
fn check_needs(cfg: &Config, plan: &Plan, without_exec: bool) -> Vec<Need> {
    cfg.checks
        .iter()
        .filter(|(s, _)| !(without_exec && *s == Service::SsmMessages))
        .map(|(service, _)| {
            need(
                "check",
                service.name().to_string(),
                hops_of(plan, true, |t| t.service == *service),
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
    let mut ids = hops_of(plan, false, |t| {
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

/// The role of a service's target in `region`: the task region's endpoint or another
/// region's.
fn role_in(plan: &Plan, region: &str) -> Role {
    match region == plan.logs_region {
        true => Role::Endpoint,
        false => Role::Region(region.to_string()),
    }
}

/// The hop ids of the chains of the targets `pick` chooses and (with `calls`) their
/// call steps.
fn hops_of(plan: &Plan, calls: bool, pick: impl Fn(&Target) -> bool) -> Vec<String> {
    plan.steps
        .iter()
        .filter(|s| {
            let i = match s.action {
                Action::Dns(i) | Action::Tcp(i) | Action::Tls(i) => i,
                Action::Call(i, _) if calls => i,
                _ => return false,
            };
            plan.targets.get(i).is_some_and(&pick)
        })
        .map(|s| s.hop_id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_versions() {
        for old in ["1.3.0", "1.2.0", "1.0.0"] {
            assert!(old_platform(old), "{old}");
        }
        for new in ["1.4.0", "LATEST", "1.4", ""] {
            assert!(!old_platform(new), "{new}");
        }
    }

    #[test]
    fn foreign_images_say_what_the_reference_becomes() {
        let img = ImageRef::parse("docker.io/library/nginx:latest").unwrap();
        let h = foreign_hint("web", "nginx:latest", &img, "123456789012", "us-east-1");
        assert!(h.contains("needs a NAT"), "{h}");
        assert!(
            h.contains(
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:latest"
            ),
            "{h}"
        );
        let img = ImageRef::parse("mcr.microsoft.com/windows/servercore/iis:x").unwrap();
        let h = foreign_hint("w", "mcr…", &img, "1", "us-east-1");
        assert!(h.contains("does not serve mcr.microsoft.com"), "{h}");
    }
}
