//! The plan of a run, as data: the hosts to probe ([`Target`]) and the table of
//! [`Step`]s — what each step does, on which target, which steps it needs and what it
//! hands on. Built once from the configuration and what the context hop found; run by
//! the generic executor in `exec.rs`. `vpce-probe --explain-plan` prints it.
//!
//! Adding an endpoint check is a row: a service in `aws.rs` becomes a [`Target`] here,
//! which gets its dns → tcp → tls chain, and its API call step when the service has one.

use std::fmt::Write as _;
use std::net::SocketAddr;

use ipnet::IpNet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::aws::{self, Call, Service};
use crate::config::Config;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, LogDriver, SecretStore};
use crate::provenance::EndpointSource;

/// A host the probe resolves, connects to and handshakes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    /// `api`, `dkr`, `s3`, `s3_layer_bucket`, `logs`, `ssm`, …; a service's target in
    /// another region than the task's is `<name>@<region>`, an EFS file system's
    /// `efs:<id>`.
    pub role: String,
    pub host: String,
    pub port: u16,
    /// The region whose endpoint this is.
    pub region: String,
    /// Interface endpoint names must resolve inside the VPC; S3 with a gateway
    /// endpoint keeps its public addresses (docs/aws-facts.md#s3-gateway-public-dns).
    pub expect_private: bool,
    /// The chain ends with a TLS handshake (not for NFS).
    pub tls: bool,
    /// The signed call that proves the endpoint serves, when there is one.
    pub call: Option<Call>,
    /// What the call names: secret ARNs, parameter names, a key id, a cluster.
    pub call_args: Vec<String>,
    pub source: EndpointSource,
}

/// What the context hop found, from which the plan is built.
#[derive(Debug, Clone)]
pub struct Facts {
    pub image: ImageRef,
    pub region: String,
    pub logs_region: String,
    pub dns_suffix: String,
    pub dns_servers: Vec<SocketAddr>,
    pub vpc_cidrs: Vec<IpNet>,
    pub custom_resolver: bool,
    /// The task definition's other private ECR images (any region; the plan keeps
    /// the distinct repositories of the pull's region).
    pub other_images: Vec<ImageRef>,
    /// From ECS task metadata: `EC2` or `FARGATE`, and the cluster.
    pub metadata_launch_type: Option<String>,
    pub cluster: Option<String>,
}

/// Everything the steps need, decided before any packet goes to AWS.
#[derive(Debug, Clone)]
pub struct Plan {
    /// None when the image cannot be pulled through ECR private endpoints at all.
    pub image: Option<ImageRef>,
    /// Every repository whose pull path is probed: `image` first, then the task
    /// definition's other private ECR repositories of the same region.
    pub images: Vec<ImageRef>,
    pub region: String,
    pub dns_suffix: String,
    pub dns_servers: Vec<SocketAddr>,
    pub vpc_cidrs: Vec<IpNet>,
    pub custom_resolver: bool,
    /// CloudWatch Logs is the task's own region's (awslogs-region), not the image's.
    pub logs_region: String,
    pub targets: Vec<Target>,
    /// The host ECR's blob redirect is expected to point at.
    pub bucket_host: String,
    /// FARGATE, EC2 or EXTERNAL when known (flag, task definition, task metadata).
    pub launch_type: Option<LaunchType>,
    pub steps: Vec<Step>,
}

impl Target {
    /// `https://host[:port]`: what the SDK calls and the report names.
    pub fn url(&self) -> String {
        crate::config::Endpoint {
            host: self.host.clone(),
            port: self.port,
        }
        .url()
    }
}

impl Plan {
    pub fn target(&self, role: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.role == role)
    }
}

/// The kind of a hop. May grow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    Context,
    Dns,
    Tcp,
    Tls,
    Credentials,
    EcrToken,
    Registry,
    Manifest,
    LayerRedirect,
    Layer,
    Logs,
    /// A read-only signed call to another AWS service endpoint (added in schema 1,
    /// probe 0.2): the service is in the target and the evidence.
    Service,
}

impl HopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Context => "context",
            HopKind::Dns => "dns",
            HopKind::Tcp => "tcp",
            HopKind::Tls => "tls",
            HopKind::Credentials => "credentials",
            HopKind::EcrToken => "ecr_token",
            HopKind::Registry => "registry",
            HopKind::Manifest => "manifest",
            HopKind::LayerRedirect => "layer_redirect",
            HopKind::Layer => "layer",
            HopKind::Logs => "logs",
            HopKind::Service => "service",
        }
    }
}

/// A step's index in [`Plan::steps`]; a step needs only steps before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId(pub usize);

/// What a step does. Target-bound actions carry the index into [`Plan::targets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Already run before the plan existed; passes when the image can be pulled
    /// through ECR at all.
    Context,
    Credentials,
    Dns(usize),
    /// One connect per address the dns step found.
    Tcp(usize),
    Tls(usize),
    /// A signed AWS API call through the target's endpoint.
    Call(usize, Call),
    Registry(usize),
    /// The pull steps of [`Plan::images`]`[k]` through dkr target `i`: `(i, k)`.
    Manifest(usize, usize),
    LayerRedirect(usize, usize),
    Layer(usize, usize),
}

/// What a step hands to the steps that need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// A pullable image (context).
    Image,
    Credentials,
    /// Addresses a name resolved to.
    Addresses,
    /// The addresses that accepted a TCP connection.
    Reachable,
    /// The address a TLS handshake with the right certificate succeeded on.
    Session,
    /// The registry's Basic credentials.
    Token,
    /// Proof that an endpoint serves; nothing to hand on.
    Answer,
    /// The layer the layer hops fetch.
    Layer,
    /// Where the layer's bytes are (the checked redirect target).
    LayerSource,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Image => "image",
            Product::Credentials => "credentials",
            Product::Addresses => "addresses",
            Product::Reachable => "reachable",
            Product::Session => "session",
            Product::Token => "token",
            Product::Answer => "answer",
            Product::Layer => "layer",
            Product::LayerSource => "layer_source",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    /// Short name for the plan table and `needs`: `dns:api`, `ecr_token`.
    pub label: String,
    pub kind: HopKind,
    /// The id of the hop it records (a fan-out step's hops add `@address`).
    pub hop_id: String,
    /// What a skipped or cut-off hop of this step names as its target.
    pub target: String,
    pub needs: Vec<StepId>,
    pub produces: Product,
    /// Position among the hops of its kind in the report: the target's index.
    pub order: usize,
}

impl Step {
    /// A fan-out step records one hop per input item, so nothing when skipped, and
    /// bounds each of its hops by the deadline itself.
    pub fn fans_out(&self) -> bool {
        matches!(self.action, Action::Tcp(_))
    }
}

/// Build the plan: targets from the configuration and facts, steps from the targets.
pub fn build(cfg: &Config, facts: Facts) -> Plan {
    let launch_type = cfg
        .launch_type
        .or_else(|| cfg.task.as_ref().and_then(|t| t.needs.launch_type()))
        .or_else(|| {
            facts
                .metadata_launch_type
                .as_deref()
                .and_then(LaunchType::parse)
        });
    let pullable = matches!(facts.image.registry, RegistryKind::Private { .. });
    let images: Vec<ImageRef> = match pullable {
        true => pull_images(&facts),
        false => Vec::new(),
    };
    let mut targets = targets(cfg, &facts, launch_type);
    // Another account's registry of the same region: its own dkr host.
    for img in images.iter().skip(1) {
        if !targets
            .iter()
            .any(|t| t.service == Service::Dkr && t.host == img.host)
        {
            let account = img.account().unwrap_or("other");
            let at = targets
                .iter()
                .rposition(|t| t.service == Service::Dkr)
                .map_or(0, |p| p + 1);
            targets.insert(
                at,
                Target {
                    service: Service::Dkr,
                    role: format!("dkr@{account}"),
                    host: img.host.clone(),
                    port: img.port.unwrap_or(443),
                    region: facts.region.clone(),
                    expect_private: true,
                    tls: true,
                    call: None,
                    call_args: Vec::new(),
                    source: EndpointSource::Image,
                },
            );
        }
    }
    let bucket_host = aws::starport_bucket_host(&facts.region, &facts.dns_suffix);
    let steps = steps(&targets, &facts.image, &images, &bucket_host);
    Plan {
        image: pullable.then_some(facts.image),
        images,
        region: facts.region,
        dns_suffix: facts.dns_suffix,
        dns_servers: facts.dns_servers,
        vpc_cidrs: facts.vpc_cidrs,
        custom_resolver: facts.custom_resolver,
        logs_region: facts.logs_region,
        targets,
        bucket_host,
        launch_type,
        steps,
    }
}

/// The pulled image first, then the other private ECR repositories of its region and
/// partition, each once (one tag of a repository proves its pull path).
fn pull_images(f: &Facts) -> Vec<ImageRef> {
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

/// The pull path's targets, one per `always` row of the service table (`aws.rs`), in
/// its order: the dkr host is the image's own, S3 brings the layer bucket host. Then
/// the logs endpoints of the task's awslogs regions, and the endpoints the task
/// definition, the launch type and `--check` ask for.
fn targets(cfg: &Config, f: &Facts, launch_type: Option<LaunchType>) -> Vec<Target> {
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
            role: spec.name.to_string(),
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
                role: "s3_layer_bucket".into(),
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
    for (service, region, args) in wanted(cfg, f, launch_type) {
        t.push(service_target(cfg, f, service, &region, args));
    }
    t
}

/// The services beyond the pull path, each with its region and call arguments, in
/// service-table order, one per (service, region) — one per file system for EFS.
fn wanted(
    cfg: &Config,
    f: &Facts,
    launch_type: Option<LaunchType>,
) -> Vec<(Service, String, Vec<String>)> {
    let task_region = f.logs_region.as_str();
    let mut want: Vec<(Service, String, Vec<String>)> = Vec::new();
    let mut add = |service: Service, region: &str, arg: Option<String>| {
        // One target per file system, and per bucket of an environment file.
        let per_arg = matches!(service, Service::Efs | Service::S3);
        let key = match per_arg {
            true => arg.clone().unwrap_or_default(),
            false => region.to_string(),
        };
        let existing = want.iter_mut().find(|(s, r, a)| {
            *s == service
                && if per_arg {
                    a.first() == Some(&key)
                } else {
                    *r == key
                }
        });
        match existing {
            Some((_, _, args)) => args.extend(arg.filter(|a| !args.contains(a))),
            None => want.push((service, region.to_string(), arg.into_iter().collect())),
        }
    };
    let valid = |r: &Option<String>| {
        r.as_deref()
            .filter(|r| aws::is_region(r))
            .map(str::to_string)
    };
    match cfg.task.as_ref().map(|t| &t.needs) {
        Some(needs) => {
            for l in &needs.logs {
                let cloudwatch = match &l.driver {
                    LogDriver::Awslogs => true,
                    LogDriver::Firelens { plugin } => plugin
                        .as_deref()
                        .is_some_and(|p| p.starts_with("cloudwatch")),
                };
                // A malformed region is the context hop's finding; nothing to probe.
                if cloudwatch && (l.region.is_none() || valid(&l.region).is_some()) {
                    let region = valid(&l.region).unwrap_or_else(|| task_region.to_string());
                    add(Service::Logs, &region, None);
                }
            }
            for s in &needs.secrets {
                if s.region.is_some() && valid(&s.region).is_none() {
                    continue;
                }
                let region = valid(&s.region).unwrap_or_else(|| task_region.to_string());
                let service = match s.store {
                    SecretStore::SecretsManager => Service::SecretsManager,
                    SecretStore::Ssm => Service::Ssm,
                };
                add(service, &region, Some(s.id.clone()));
            }
            if needs.exec {
                add(Service::SsmMessages, task_region, None);
            }
            for t in &needs.telemetry {
                if t.region.is_some() && valid(&t.region).is_none() {
                    continue;
                }
                let region = valid(&t.region).unwrap_or_else(|| task_region.to_string());
                // S3 (a FireLens s3 output) is the pull path's own target.
                for s in t.services.iter().filter(|s| **s != Service::S3) {
                    add(*s, &region, None);
                }
            }
            for b in needs.env_files.iter().filter_map(|f| f.bucket.as_ref()) {
                add(Service::S3, task_region, Some(b.clone()));
            }
            for e in &needs.efs {
                add(Service::Efs, task_region, Some(e.file_system_id.clone()));
            }
        }
        None if !cfg.skip_logs => add(Service::Logs, task_region, None),
        None => {}
    }
    if launch_type == Some(LaunchType::Ec2) {
        add(Service::Ecs, task_region, f.cluster.clone());
        add(Service::EcsAgent, task_region, None);
        add(Service::EcsTelemetry, task_region, None);
    }
    for (service, arg) in &cfg.checks {
        // An ARN names its own region (a secret in another region is read there).
        let region = arg
            .as_deref()
            .and_then(aws::arn_region)
            .filter(|r| aws::is_region(r))
            .unwrap_or_else(|| task_region.to_string());
        add(*service, &region, arg.clone());
    }
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

fn service_target(
    cfg: &Config,
    f: &Facts,
    service: Service,
    region: &str,
    args: Vec<String>,
) -> Target {
    let spec = service.spec();
    let suffix = aws::dns_suffix(region);
    let (role, host) = match service {
        Service::Efs => {
            let fs = args.first().cloned().unwrap_or_default();
            (format!("efs:{fs}"), format!("{fs}.efs.{region}.{suffix}"))
        }
        // An environment file's bucket, by its virtual-hosted name: its chain through
        // the S3 gateway, then HeadObject on its file (hop/calls/head_object.rs).
        Service::S3 => {
            let bucket = args.first().cloned().unwrap_or_default();
            (
                format!("s3:{bucket}"),
                format!("{bucket}.s3.{region}.{suffix}"),
            )
        }
        _ if region == f.logs_region => (
            spec.name.to_string(),
            service.default_host(region, suffix).unwrap_or_default(),
        ),
        _ => (
            format!("{}@{region}", spec.name),
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

#[derive(Default)]
struct Table(Vec<Step>);

impl Table {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        action: Action,
        label: impl Into<String>,
        kind: HopKind,
        hop_id: impl Into<String>,
        target: impl Into<String>,
        needs: &[StepId],
        produces: Product,
        order: usize,
    ) -> StepId {
        self.0.push(Step {
            action,
            label: label.into(),
            kind,
            hop_id: hop_id.into(),
            target: target.into(),
            needs: needs.to_vec(),
            produces,
            order,
        });
        StepId(self.0.len() - 1)
    }
}

fn steps(
    targets: &[Target],
    image: &ImageRef,
    images: &[ImageRef],
    bucket_host: &str,
) -> Vec<Step> {
    let mut t = Table::default();
    let context = t.add(
        Action::Context,
        "context",
        HopKind::Context,
        "context",
        image.to_string(),
        &[],
        Product::Image,
        0,
    );
    let creds = t.add(
        Action::Credentials,
        "credentials",
        HopKind::Credentials,
        "credentials",
        "credentials",
        &[],
        Product::Credentials,
        0,
    );
    // Every host's chain: dns → tcp (each address) → tls (not for NFS).
    let mut ends = Vec::new();
    for (i, tg) in targets.iter().enumerate() {
        let dns = t.add(
            Action::Dns(i),
            format!("dns:{}", tg.role),
            HopKind::Dns,
            format!("dns:{}", tg.host),
            &tg.host,
            &[],
            Product::Addresses,
            i,
        );
        let tcp = t.add(
            Action::Tcp(i),
            format!("tcp:{}", tg.role),
            HopKind::Tcp,
            format!("tcp:{}", tg.host),
            &tg.host,
            &[dns],
            Product::Reachable,
            i,
        );
        let end = if tg.tls {
            t.add(
                Action::Tls(i),
                format!("tls:{}", tg.role),
                HopKind::Tls,
                format!("tls:{}", tg.host),
                &tg.host,
                &[tcp],
                Product::Session,
                i,
            )
        } else {
            tcp
        };
        ends.push((tg.role.as_str(), i, end));
    }
    let chain = |role: &str| {
        ends.iter()
            .find(|(r, _, _)| *r == role)
            .map(|(_, i, s)| (*i, *s))
    };

    // Every target with a call: one signed call through its endpoint.
    let mut token = None;
    for (i, tg) in targets.iter().enumerate() {
        let Some(call) = tg.call else { continue };
        let end = ends[i].2;
        let (kind, produces) = match call {
            Call::GetAuthorizationToken => (HopKind::EcrToken, Product::Token),
            Call::DescribeLogGroups => (HopKind::Logs, Product::Answer),
            _ => (HopKind::Service, Product::Answer),
        };
        let label = call_label(call, tg);
        let id = t.add(
            Action::Call(i, call),
            &label,
            kind,
            &label,
            tg.url(),
            &[creds, end],
            produces,
            i,
        );
        if produces == Product::Token {
            token = Some(id);
        }
    }
    // The pull: without a private ECR image (context says why) every step is skipped.
    // Each repository's pull runs concurrently with the others; a registry is pinged
    // once.
    let mut pinged: Vec<(usize, StepId)> = Vec::new();
    let pulls: Vec<Option<&ImageRef>> = match images.is_empty() {
        true => vec![None],
        false => images.iter().map(Some).collect(),
    };
    for (k, img) in pulls.into_iter().enumerate() {
        let host = img.map_or(image.host.as_str(), |i| i.host.as_str());
        let dkr_target = targets
            .iter()
            .position(|t| t.service == Service::Dkr && t.host == host);
        let (dkr, dkr_host, mut pull_needs) = match dkr_target.and_then(|i| chain(&targets[i].role))
        {
            Some((i, tls_dkr)) => (i, targets[i].host.clone(), vec![context, tls_dkr]),
            None => (0, String::new(), vec![context]),
        };
        // The first image keeps the ids reports have always had.
        let name = |kind: &str| match (k, img) {
            (0, _) | (_, None) => kind.to_string(),
            (_, Some(i)) => format!("{kind}:{}/{}", i.host, i.repository),
        };
        let registry = match pinged.iter().find(|(i, _)| *i == dkr) {
            Some((_, id)) => *id,
            None => {
                let label = if pinged.is_empty() {
                    "registry".to_string()
                } else {
                    format!("registry:{dkr_host}")
                };
                let id = t.add(
                    Action::Registry(dkr),
                    &label,
                    HopKind::Registry,
                    &label,
                    &dkr_host,
                    &pull_needs,
                    Product::Answer,
                    pinged.len(),
                );
                pinged.push((dkr, id));
                id
            }
        };
        let _ = registry;
        pull_needs.extend(token);
        let manifest = t.add(
            Action::Manifest(dkr, k),
            name("manifest"),
            HopKind::Manifest,
            name("manifest"),
            &dkr_host,
            &pull_needs,
            Product::Layer,
            k,
        );
        let redirect = t.add(
            Action::LayerRedirect(dkr, k),
            name("layer_redirect"),
            HopKind::LayerRedirect,
            name("layer_redirect"),
            &dkr_host,
            &[manifest].into_iter().chain(token).collect::<Vec<_>>(),
            Product::LayerSource,
            k,
        );
        t.add(
            Action::Layer(dkr, k),
            name("layer"),
            HopKind::Layer,
            name("layer"),
            bucket_host,
            &[redirect, manifest]
                .into_iter()
                .chain(token)
                .collect::<Vec<_>>(),
            Product::Answer,
            k,
        );
    }
    t.0
}

/// A call step's label and hop id: the call's own (`ecr_token`, `logs`,
/// `service:ssm`), with the target's `@<region>` when it is another region's.
pub fn call_label(call: Call, tg: &Target) -> String {
    match tg.role.strip_prefix(tg.service.name()) {
        Some(rest) if !rest.is_empty() => format!("{}{rest}", call.label()),
        _ => call.label().to_string(),
    }
}

/// The plan as a table, one step a line: what `--explain-plan` prints.
pub fn render(plan: &Plan) -> String {
    let label = |id: &StepId| {
        plan.steps
            .get(id.0)
            .map(|s| s.label.as_str())
            .unwrap_or("?")
    };
    let rows: Vec<[String; 4]> = plan
        .steps
        .iter()
        .map(|s| {
            let target = match s.action {
                Action::Tcp(i) | Action::Tls(i) => plan
                    .targets
                    .get(i)
                    .map(|t| format!("{}:{}", t.host, t.port))
                    .unwrap_or_default(),
                _ => s.target.clone(),
            };
            let needs = if s.needs.is_empty() {
                "-".to_string()
            } else {
                s.needs.iter().map(label).collect::<Vec<_>>().join(", ")
            };
            [
                s.label.clone(),
                target,
                needs,
                s.produces.as_str().to_string(),
            ]
        })
        .collect();
    let head = ["STEP", "TARGET", "NEEDS", "PRODUCES"].map(String::from);
    let width = |c: usize| {
        rows.iter()
            .chain([&head])
            .map(|r| r[c].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for r in std::iter::once(&head).chain(&rows) {
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  {:<w2$}  {}", r[0], r[1], r[2], r[3]);
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn config(argv: &[&str]) -> Config {
        Config::from_args(
            crate::cli::Args::try_parse_from(argv).unwrap(),
            crate::config::Env::default(),
            false,
        )
        .unwrap()
    }

    /// What the context hop would find for `cfg`: the image's region (us-east-1 when it
    /// names none), the task definition's other images, no task metadata.
    fn facts(cfg: &Config) -> Facts {
        let image = cfg.image.clone().unwrap();
        let region = image.region().unwrap_or("us-east-1").to_string();
        let other_images = cfg
            .task
            .iter()
            .flat_map(|t| &t.needs.images)
            .filter_map(|i| i.image.clone().ok())
            .collect();
        Facts {
            image,
            logs_region: region.clone(),
            dns_suffix: aws::dns_suffix(&region).into(),
            region,
            dns_servers: vec![],
            vpc_cidrs: vec![],
            custom_resolver: false,
            other_images,
            metadata_launch_type: None,
            cluster: None,
        }
    }

    fn plan_for(image: &str, extra: &[&str]) -> Plan {
        let mut argv = vec!["vpce-probe", "--image", image];
        argv.extend_from_slice(extra);
        let cfg = config(&argv);
        build(&cfg, facts(&cfg))
    }

    fn needs(plan: &Plan, label: &str) -> Vec<String> {
        let step = plan.steps.iter().find(|s| s.label == label).unwrap();
        step.needs
            .iter()
            .map(|n| plan.steps[n.0].label.clone())
            .collect()
    }

    #[test]
    fn every_step_needs_only_earlier_steps_and_labels_are_unique() {
        let plan = plan_for("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1", &[]);
        for (i, s) in plan.steps.iter().enumerate() {
            assert!(s.needs.iter().all(|n| n.0 < i), "{}", s.label);
            assert_eq!(
                plan.steps.iter().filter(|o| o.label == s.label).count(),
                1,
                "{}",
                s.label
            );
        }
        for t in ["api", "dkr", "s3", "s3_layer_bucket", "logs"] {
            assert_eq!(needs(&plan, &format!("tcp:{t}")), [format!("dns:{t}")]);
            assert_eq!(needs(&plan, &format!("tls:{t}")), [format!("tcp:{t}")]);
        }
        assert_eq!(needs(&plan, "ecr_token"), ["credentials", "tls:api"]);
        assert_eq!(needs(&plan, "registry"), ["context", "tls:dkr"]);
        assert_eq!(
            needs(&plan, "manifest"),
            ["context", "tls:dkr", "ecr_token"]
        );
        assert_eq!(needs(&plan, "logs"), ["credentials", "tls:logs"]);
    }

    #[test]
    fn a_task_definition_brings_its_endpoints_and_repositories() {
        let td = r#"{"requiresCompatibilities":["EC2"],"containerDefinitions":[
          {"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
           "secrets":[{"name":"S","valueFrom":"arn:aws:ssm:us-east-1:111122223333:parameter/a/b"},
                      {"name":"T","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"}],
           "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-region":"eu-west-1"}}},
          {"name":"b","image":"444455556666.dkr.ecr.us-east-1.amazonaws.com/side:v2"},
          {"name":"c","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v9"}],
          "volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-0abc"}}]}"#;
        let cfg = config(&[
            "vpce-probe",
            "--task-definition",
            td,
            "--check",
            "sts",
            "--region",
            "us-east-1",
        ]);
        let plan = build(&cfg, facts(&cfg));
        let roles: Vec<&str> = plan.targets.iter().map(|t| t.role.as_str()).collect();
        for r in [
            "api",
            "dkr",
            "dkr@444455556666",
            "s3",
            "s3_layer_bucket",
            "logs@eu-west-1",
            "secretsmanager@eu-west-1",
            "ssm",
            "ecs",
            "ecs-agent",
            "ecs-telemetry",
            "sts",
            "efs:fs-0abc",
        ] {
            assert!(roles.contains(&r), "{r} not in {roles:?}");
        }
        assert!(!roles.contains(&"logs"), "only the task's awslogs region");
        let efs = plan.target("efs:fs-0abc").unwrap();
        assert_eq!((efs.port, efs.tls), (2049, false));
        assert_eq!(efs.host, "fs-0abc.efs.us-east-1.amazonaws.com");
        assert!(plan.steps.iter().all(|s| s.label != "tls:efs:fs-0abc"));
        assert_eq!(plan.target("ssm").unwrap().call_args, ["/a/b"]);
        // Two repositories (the repeated one once), two registries.
        assert_eq!(plan.images.len(), 2);
        assert_eq!(
            needs(
                &plan,
                "manifest:444455556666.dkr.ecr.us-east-1.amazonaws.com/side"
            ),
            ["context", "tls:dkr@444455556666", "ecr_token"]
        );
        assert_eq!(
            needs(
                &plan,
                "registry:444455556666.dkr.ecr.us-east-1.amazonaws.com"
            ),
            ["context", "tls:dkr@444455556666"]
        );
        assert_eq!(
            needs(&plan, "service:secretsmanager@eu-west-1"),
            ["credentials", "tls:secretsmanager@eu-west-1"]
        );
        assert_eq!(plan.launch_type, Some(LaunchType::Ec2));
    }

    #[test]
    fn task_metadata_saying_ec2_adds_the_agents_endpoints() {
        let cfg = config(&[
            "vpce-probe",
            "--image",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
        ]);
        let facts = |lt: Option<&str>| Facts {
            metadata_launch_type: lt.map(String::from),
            cluster: Some("arn:aws:ecs:us-east-1:111122223333:cluster/c".into()),
            ..facts(&cfg)
        };
        let plan = build(&cfg, facts(Some("EC2")));
        let ecs = plan.target("ecs").unwrap();
        assert_eq!(ecs.call, Some(Call::DiscoverPollEndpoint));
        assert_eq!(
            ecs.call_args,
            ["arn:aws:ecs:us-east-1:111122223333:cluster/c"]
        );
        assert_eq!(
            plan.target("ecs-agent").unwrap().host,
            "ecs-a-1.us-east-1.amazonaws.com"
        );
        assert_eq!(
            plan.target("ecs-telemetry").unwrap().host,
            "ecs-t-1.us-east-1.amazonaws.com"
        );
        let plan = build(&cfg, facts(Some("FARGATE")));
        assert!(plan.target("ecs").is_none() && plan.target("ecs-agent").is_none());
    }

    #[test]
    fn images_ecr_cannot_serve_skip_the_pull_and_skip_logs_drops_its_chain() {
        let plan = plan_for("docker.io/library/nginx:1", &["--skip-logs"]);
        assert!(plan.image.is_none());
        assert!(plan.target("dkr").is_none() && plan.target("logs").is_none());
        assert_eq!(needs(&plan, "registry"), ["context"]);
        assert!(plan.steps.iter().all(|s| !s.label.ends_with(":logs")));
        assert!(render(&plan).lines().any(|l| l.starts_with("layer ")));
    }
}
