//! Target resolution: which hosts a run probes, from the service table (`aws.rs`), the
//! configuration (`--endpoint`, `--check`, the task definition, the launch type) and
//! what the run found (the image, its region, the task's region, the cluster).

use crate::aws::{self, Service};
use crate::config::Config;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, LogDriver, Needs, SecretStore};
use crate::provenance::EndpointSource;

use super::{PlanInput, Role, Target};

/// The pulled image first, then the other private ECR repositories of its region and
/// partition, each once (one tag of a repository proves its pull path).
pub fn pull_images(f: &PlanInput) -> Vec<ImageRef> {
    let mut out = vec![f.image.clone()];
    for img in &f.other_images {
        let same_region = img.region() == Some(f.region.as_str());
        let plain = matches!(&img.registry, RegistryKind::Private { fips: false, dual_stack: false, dns_suffix, .. } if *dns_suffix == f.dns_suffix);
        let seen = out
            .iter()
            .any(|o| o.host == img.host && o.repository == img.repository);
        if same_region && plain && !seen {
            out.push(img.clone());
        }
    }
    out
}

/// Every target of the run: the pull path's (one per `always` row of the service
/// table, in its order), another account's registry for each of `images` that needs
/// one, then the services beyond the pull path.
pub fn resolve(
    cfg: &Config,
    f: &PlanInput,
    images: &[ImageRef],
    launch_type: Option<LaunchType>,
) -> Vec<Target> {
    let mut targets = pull_path(cfg, f);
    for img in images.iter().skip(1) {
        other_registry(&mut targets, img, &f.region);
    }
    for (service, region, args) in wanted(cfg, f, launch_type) {
        targets.push(service_target(cfg, f, service, &region, args));
    }
    targets
}

/// Another account's registry of the same region: its own dkr host, after the dkr
/// targets already there.
fn other_registry(targets: &mut Vec<Target>, img: &ImageRef, region: &str) {
    if targets
        .iter()
        .any(|t| t.service == Service::Dkr && t.host == img.host)
    {
        return;
    }
    let account = img.account().unwrap_or("other");
    let at = targets
        .iter()
        .rposition(|t| t.service == Service::Dkr)
        .map_or(0, |p| p + 1);
    targets.insert(
        at,
        Target {
            service: Service::Dkr,
            role: Role::Instance(account.to_string()),
            host: img.host.clone(),
            port: img.port.unwrap_or(443),
            region: region.to_string(),
            expect_private: true,
            tls: true,
            call: None,
            call_args: Vec::new(),
            source: EndpointSource::Image,
        },
    );
}

/// The pull path's targets, one per `always` row of the service table (`aws.rs`), in
/// its order: the dkr host is the image's own, S3 brings the layer bucket host. The
/// logs endpoints are the task's awslogs regions' ([`wanted`]).
fn pull_path(cfg: &Config, f: &PlanInput) -> Vec<Target> {
    let mut t = Vec::new();
    for spec in Service::all().filter(|s| s.always && s.service != Service::Logs) {
        let (default_host, default_port, default_source) = match spec.host_prefix {
            Some(prefix) => (
                format!("{prefix}.{}.{}", f.region, f.dns_suffix),
                443,
                EndpointSource::Default,
            ),
            // The registry is the image's host; an image ECR cannot serve has none.
            None if matches!(f.image.registry, RegistryKind::Private { .. }) => (
                f.image.host.clone(),
                f.image.port.unwrap_or(443),
                EndpointSource::Image,
            ),
            None => continue,
        };
        let (host, port, source) = match cfg.endpoints.get(&spec.service).cloned() {
            Some((ep, src)) => (ep.host, ep.port, src),
            None => (default_host, default_port, default_source),
        };
        t.push(Target {
            service: spec.service,
            role: Role::Endpoint,
            host,
            port,
            region: f.region.clone(),
            expect_private: spec.expect_private,
            tls: true,
            call: spec.call.filter(|c| !c.needs_resource()),
            call_args: Vec::new(),
            source,
        });
        if spec.service == Service::S3 {
            // The layer bucket host is what ECR redirects to, whatever the S3 override
            // says; only the port follows an override (test set-ups).
            t.push(Target {
                service: Service::S3,
                role: Role::LayerBucket,
                host: aws::starport_bucket_host(&f.region, &f.dns_suffix),
                port,
                region: f.region.clone(),
                expect_private: false,
                tls: true,
                call: None,
                call_args: Vec::new(),
                source: EndpointSource::Default,
            });
        }
    }
    t
}

/// The services wanted beyond the pull path, each with its region and call arguments:
/// one per (service, region), one per file system for EFS and per bucket for S3.
#[derive(Default)]
struct Wanted(Vec<(Service, String, Vec<String>)>);

impl Wanted {
    fn add(&mut self, service: Service, region: &str, arg: Option<String>) {
        // One target per file system, and per bucket of an environment file.
        let per_arg = matches!(service, Service::Efs | Service::S3);
        let key = match per_arg {
            true => arg.clone().unwrap_or_default(),
            false => region.to_string(),
        };
        let existing = self.0.iter_mut().find(|(s, r, a)| {
            *s == service
                && if per_arg {
                    a.first() == Some(&key)
                } else {
                    *r == key
                }
        });
        match existing {
            Some((_, _, args)) => args.extend(arg.filter(|a| !args.contains(a))),
            None => self
                .0
                .push((service, region.to_string(), arg.into_iter().collect())),
        }
    }
}

/// A well-formed region a need names, else None.
fn valid(r: &Option<String>) -> Option<String> {
    r.as_deref()
        .filter(|r| aws::is_region(r))
        .map(str::to_string)
}

/// The services beyond the pull path, each with its region and call arguments, in
/// service-table order, one per (service, region) — one per file system for EFS.
fn wanted(
    cfg: &Config,
    f: &PlanInput,
    launch_type: Option<LaunchType>,
) -> Vec<(Service, String, Vec<String>)> {
    let task_region = f.logs_region.as_str();
    let mut want = Wanted::default();
    match cfg.task.as_ref().map(|t| &t.needs) {
        Some(needs) => task_services(&mut want, needs, task_region),
        None if !cfg.skip_logs => want.add(Service::Logs, task_region, None),
        None => {}
    }
    if launch_type == Some(LaunchType::Ec2) {
        want.add(Service::Ecs, task_region, f.cluster.clone());
        want.add(Service::EcsAgent, task_region, None);
        want.add(Service::EcsTelemetry, task_region, None);
    }
    for (service, arg) in &cfg.checks {
        // An ARN names its own region (a secret in another region is read there).
        let region = arg
            .as_deref()
            .and_then(aws::arn_region)
            .filter(|r| aws::is_region(r))
            .unwrap_or_else(|| task_region.to_string());
        want.add(*service, &region, arg.clone());
    }
    let mut want = want.0;
    // An environment file's bucket also names its files, for the HeadObject.
    let env_files = cfg.task.iter().flat_map(|t| &t.needs.env_files);
    for f in env_files {
        let bucket = |(s, _, a): &&mut (Service, String, Vec<String>)| {
            *s == Service::S3 && a.first() == f.bucket.as_ref()
        };
        if let Some((_, _, args)) = want.iter_mut().find(bucket) {
            args.extend((!args.contains(&f.arn)).then(|| f.arn.clone()));
        }
    }
    want.sort_by_key(|(s, _, _)| *s);
    want
}

/// The services a task definition's needs reach, in the task's region unless a need
/// names another. A malformed region is the context hop's finding: nothing to probe.
fn task_services(want: &mut Wanted, needs: &Needs, task_region: &str) {
    let region_of = |r: &Option<String>| valid(r).unwrap_or_else(|| task_region.to_string());
    let malformed = |r: &Option<String>| r.is_some() && valid(r).is_none();
    for l in &needs.logs {
        let cloudwatch = match &l.driver {
            LogDriver::Awslogs => true,
            LogDriver::Firelens { plugin } => plugin
                .as_deref()
                .is_some_and(|p| p.starts_with("cloudwatch")),
        };
        if cloudwatch && !malformed(&l.region) {
            want.add(Service::Logs, &region_of(&l.region), None);
        }
    }
    for s in needs.secrets.iter().filter(|s| !malformed(&s.region)) {
        let service = match s.store {
            SecretStore::SecretsManager => Service::SecretsManager,
            SecretStore::Ssm => Service::Ssm,
        };
        want.add(service, &region_of(&s.region), Some(s.call_arg()));
    }
    if needs.exec {
        want.add(Service::SsmMessages, task_region, None);
    }
    for t in needs.telemetry.iter().filter(|t| !malformed(&t.region)) {
        let region = region_of(&t.region);
        // S3 (a FireLens s3 output) is the pull path's own target.
        for s in t.services.iter().filter(|s| **s != Service::S3) {
            want.add(*s, &region, None);
        }
    }
    for b in needs.env_files.iter().filter_map(|f| f.bucket.as_ref()) {
        want.add(Service::S3, task_region, Some(b.clone()));
    }
    for e in &needs.efs {
        want.add(Service::Efs, task_region, Some(e.file_system_id.clone()));
    }
}

fn service_target(
    cfg: &Config,
    f: &PlanInput,
    service: Service,
    region: &str,
    args: Vec<String>,
) -> Target {
    let spec = service.spec();
    let suffix = aws::dns_suffix(region);
    let (role, host) = match service {
        Service::Efs => {
            let fs = args.first().cloned().unwrap_or_default();
            let host = format!("{fs}.efs.{region}.{suffix}");
            (Role::Instance(fs), host)
        }
        // An environment file's bucket, by its virtual-hosted name: its chain through
        // the S3 gateway, then HeadObject on its file (hop/calls/head_object.rs).
        Service::S3 => {
            let bucket = args.first().cloned().unwrap_or_default();
            let host = format!("{bucket}.s3.{region}.{suffix}");
            (Role::Instance(bucket), host)
        }
        _ if region == f.logs_region => (
            Role::Endpoint,
            service.default_host(region, suffix).unwrap_or_default(),
        ),
        _ => (
            Role::Region(region.to_string()),
            service.default_host(region, suffix).unwrap_or_default(),
        ),
    };
    // An override names the task region's endpoint (`--endpoint ssm=…`).
    let over = (region == f.logs_region)
        .then(|| cfg.endpoints.get(&service).cloned())
        .flatten();
    let (host, port, source) = match over {
        Some((ep, src)) => (ep.host, ep.port, src),
        None => (host, spec.port, EndpointSource::Default),
    };
    Target {
        service,
        role,
        host,
        port,
        region: region.to_string(),
        expect_private: spec.expect_private,
        tls: spec.tls,
        call: spec.call,
        call_args: args,
        source,
    }
}
