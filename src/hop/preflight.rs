//! The task definition's pre-flight, reported by the context hop: what is already
//! known to be wrong before any packet (an image from a registry no VPC endpoint
//! serves, a malformed or foreign region, an old Fargate platform). The report's needs
//! built from them are `facts/need_rows.rs`'s.

use crate::aws;
use crate::causes::code;
use crate::diagnose::Cause;
use crate::hop::Verdict;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, LogDriver, Needs, S3Read};

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
            // The pull image's own findings are the run facts' (facts/findings.rs).
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
