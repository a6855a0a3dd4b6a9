//! The context hop: before any packet goes to AWS, work out what to probe and from
//! where (image, region, resolvers, VPC ranges, proxies, ECS task metadata) and say
//! what is already known to be wrong (cross-region pulls, names VPC endpoints never
//! serve, a custom resolver).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipnet::IpNet;
use serde::Deserialize;

use crate::code;
use crate::config::{Config, Endpoint, Service};
use crate::diagnose::{self, Cause, ResolverKind};
use crate::error::{ConfigError, RunError};
use crate::hop::HopResult;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::net::dns::servers_from_resolv_conf;
use crate::net::plain_http::get_json;
use crate::provenance::{
    EndpointSource, ImageSource, RegionSource, ResolversSource, TaskRegionSource,
};
use crate::report::wire::{self, Finding, HopKind, Verdict};

/// A host the probe resolves, connects to and handshakes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    /// `api`, `dkr`, `s3`, `s3_layer_bucket`, `logs`.
    pub role: &'static str,
    pub host: String,
    pub port: u16,
    /// Interface endpoint names must resolve inside the VPC; S3 with a gateway
    /// endpoint keeps its public addresses (DOMAIN.md fact 2).
    pub expect_private: bool,
    pub source: EndpointSource,
}

/// Everything later hops need, decided by the context hop.
#[derive(Debug, Clone)]
pub struct Plan {
    /// None when the image cannot be pulled through ECR private endpoints at all.
    pub image: Option<ImageRef>,
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
}

impl Plan {
    pub fn target(&self, role: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.role == role)
    }
}

pub struct ContextOutcome {
    pub hop: HopResult,
    pub plan: Plan,
    pub context: wire::Context,
}

pub async fn run(cfg: &Config) -> Result<ContextOutcome, RunError> {
    let t0 = Instant::now();
    let mut findings: Vec<(Verdict, Cause)> = Vec::new();
    let mut ctx = wire::Context {
        platform: Some(cfg.platform.to_string()),
        timeout_ms: cfg.timeout.as_millis() as u64,
        deadline_ms: cfg.deadline.as_millis() as u64,
        max_layer_bytes: cfg.max_layer_bytes,
        execution_env: cfg.env.get("AWS_EXECUTION_ENV").map(str::to_string),
        ..Default::default()
    };

    let task = match cfg.env.get("ECS_CONTAINER_METADATA_URI_V4") {
        Some(uri) => Some(read_task_metadata(uri, cfg.timeout).await),
        None => None,
    };

    // The image: the flag, else this container's own image.
    let (image, image_source) = match (
        &cfg.image,
        task.as_ref().and_then(|t| t.container_image.clone()),
    ) {
        (Some(i), _) => (i.clone(), ImageSource::Flag),
        (None, Some(own)) => (
            ImageRef::parse(&own).map_err(|reason| ConfigError::Image {
                reference: own.clone(),
                reason,
            })?,
            ImageSource::TaskMetadata,
        ),
        (None, None) => {
            // Told to probe the task's own image, and the metadata could not say which.
            return Err(match task.and_then(|t| t.error) {
                Some(reason) => RunError::Metadata(reason),
                None => ConfigError::NoImage.into(),
            });
        }
    };
    ctx.image = Some(image.to_string());
    ctx.image_source = Some(image_source);
    ctx.registry_account = image.account().map(str::to_string);

    // Two regions. Where the task runs: explicit, else the task's ARN. Where the pull
    // goes: the image's registry region, because the runtime asks that region's
    // api.ecr for the token and its dkr and S3 for the image, whatever region the
    // task is in (and VPC endpoints only serve their own region).
    let metadata_region = task
        .as_ref()
        .and_then(|t| t.task_arn.as_deref())
        .and_then(arn_region);
    let task_region: Option<(String, TaskRegionSource)> = match (&cfg.region, metadata_region) {
        (Some((r, src)), _) => Some((r.clone(), *src)),
        (None, Some(r)) => Some((r, TaskRegionSource::TaskMetadata)),
        (None, None) => None,
    };
    let (region, region_source) = match (image.region(), &task_region) {
        (Some(r), _) => (r.to_string(), RegionSource::Image),
        (None, Some((r, src))) => (r.clone(), RegionSource::from(*src)),
        (None, None) => return Err(ConfigError::NoRegion.into()),
    };
    ctx.region = Some(region.clone());
    ctx.region_source = Some(region_source);
    ctx.task_region = task_region.as_ref().map(|(r, _)| r.clone());
    ctx.task_region_source = task_region.as_ref().map(|(_, s)| *s);
    let logs_region = task_region
        .as_ref()
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| region.clone());

    let dns_suffix = match &image.registry {
        RegistryKind::Private { dns_suffix, .. } => dns_suffix.clone(),
        _ if region.starts_with("cn-") => "amazonaws.com.cn".into(),
        _ => "amazonaws.com".into(),
    };

    findings.extend(image_findings(
        &image,
        task_region.as_ref().map(|(r, _)| r.as_str()),
    ));
    findings.extend(environment_findings(cfg));

    // Resolvers: the flag, else what this container's resolv.conf says (what a pull
    // from here would use).
    let (dns_servers, resolvers_source) = match &cfg.dns_servers {
        Some(s) => (s.clone(), ResolversSource::Flag),
        None => (
            servers_from_resolv_conf(&cfg.resolv_conf)?,
            ResolversSource::ResolvConf,
        ),
    };
    let mut vpc_cidrs = cfg.vpc_cidrs.clone();
    let task_cidrs = task
        .iter()
        .flat_map(|t| [t.subnet_cidr.as_deref(), t.ipv6_subnet_cidr.as_deref()]);
    for cidr in task_cidrs.flatten().filter_map(|c| c.parse::<IpNet>().ok()) {
        if !vpc_cidrs.contains(&cidr) {
            vpc_cidrs.push(cidr);
        }
    }
    ctx.vpc_cidrs = vpc_cidrs.iter().map(ToString::to_string).collect();
    let resolver_kinds: Vec<(SocketAddr, ResolverKind)> = dns_servers
        .iter()
        .map(|s| (*s, diagnose::resolver_kind(s.ip(), &vpc_cidrs)))
        .collect();
    ctx.resolvers = resolver_kinds
        .iter()
        .map(|(address, kind)| wire::Resolver {
            address: address.to_string(),
            kind: *kind,
        })
        .collect();
    ctx.resolvers_source = Some(resolvers_source);
    // A stub resolver moves to the next server when one does not answer, so every
    // listed server is on the pull's path, not only the first.
    let custom: Vec<String> = resolver_kinds
        .iter()
        .filter(|(_, kind)| *kind == ResolverKind::Custom)
        .map(|(address, _)| address.to_string())
        .collect();
    let custom_resolver = resolver_kinds
        .first()
        .is_some_and(|(_, kind)| *kind == ResolverKind::Custom);
    if !custom.is_empty() {
        let which = custom.join(", ");
        findings.push((
            Verdict::Warn,
            Cause::new(
                code!("config.custom_resolver"),
                format!("DNS goes to {which}, not the VPC resolver: interface endpoint private names resolve only through the Route 53 Resolver, so a custom server must conditionally forward amazonaws.com to 169.254.169.253 (or the VPC base address + 2); the dns hops show whether it does"),
            ),
        ));
    }

    let targets = plan_targets(cfg, &image, &region, &logs_region, &dns_suffix);
    let bucket_host = diagnose::starport_bucket_host(&region, &dns_suffix);
    ctx.endpoints = targets
        .iter()
        .map(|t| wire::ServiceEndpoint {
            service: t.role.to_string(),
            url: Endpoint {
                host: t.host.clone(),
                port: t.port,
            }
            .url(),
            source: t.source,
            vpc_endpoint_service: t.service.endpoint_service(&region),
        })
        .collect();
    ctx.proxy = proxy_settings(cfg, &targets);
    if let Some(t) = &task {
        ctx.task = Some(t.clone());
    }

    // Most severe first; the hop's own cause is the first finding.
    findings.sort_by_key(|(v, _)| if *v == Verdict::Fail { 0 } else { 1 });
    let pullable = matches!(image.registry, RegistryKind::Private { .. });
    let mut hop = HopResult::new(HopKind::Context, "context", image.to_string());
    if let Some((severity, cause)) = findings.first() {
        hop = if *severity == Verdict::Fail {
            hop.fail(cause.clone())
        } else {
            hop.warn(cause.clone())
        };
    }
    if let Some(err) = ctx.task.as_ref().and_then(|t| t.error.clone()) {
        hop = hop.message(format!("ECS task metadata could not be read: {err}"));
    }
    hop.evidence.findings = findings
        .into_iter()
        .map(|(severity, cause)| Finding {
            severity,
            cause: cause.code.to_string(),
            hint: cause.hint,
        })
        .collect();
    Ok(ContextOutcome {
        hop: hop.timed(t0),
        plan: Plan {
            image: pullable.then_some(image),
            region,
            dns_suffix,
            dns_servers,
            vpc_cidrs,
            custom_resolver,
            logs_region,
            targets,
            bucket_host,
        },
        context: ctx,
    })
}

/// Pre-flight findings that follow from the image name alone (FAILURES.md §1).
pub fn image_findings(image: &ImageRef, task_region: Option<&str>) -> Vec<(Verdict, Cause)> {
    let mut out = Vec::new();
    match &image.registry {
        RegistryKind::Public => out.push((
            Verdict::Fail,
            Cause::new(
                code!("config.ecr_public"),
                "public.ecr.aws is not served by VPC endpoints: without NAT, use an ECR pull-through cache rule for ECR Public in this account and region and pull through the private registry",
            ),
        )),
        RegistryKind::Other => out.push((
            Verdict::Fail,
            Cause::new(
                code!("config.not_ecr"),
                format!("{} is not an Amazon ECR private registry: without NAT only ECR (through its VPC endpoints) is reachable; copy the image to ECR or use a pull-through cache rule", image.host),
            ),
        )),
        RegistryKind::Private { region: image_region, fips, dual_stack, .. } => {
            if let Some(here) = task_region.filter(|r| r != image_region) {
                out.push((
                    Verdict::Warn,
                    Cause::new(
                        code!("config.cross_region"),
                        format!("the image is in {image_region} but the task runs in {here}: VPC endpoints do not serve cross-region requests, so this pull leaves the VPC; replicate the repository to {here} (ECR replication) and pull from there"),
                    ),
                ));
            }
            if *dual_stack {
                out.push((
                    Verdict::Warn,
                    Cause::new(
                        code!("config.dual_stack"),
                        "the image uses the dual-stack registry name (*.dkr-ecr.<region>.on.aws): Amazon ECR does not support PrivateLink over dual-stack endpoints; use <account>.dkr.ecr.<region>.amazonaws.com",
                    ),
                ));
            }
            if *fips {
                out.push((
                    Verdict::Warn,
                    Cause::new(
                        code!("config.fips"),
                        "the image uses the FIPS registry name (ecr-fips): there are no VPC endpoint services for the FIPS names; without NAT use the standard name",
                    ),
                ));
            }
            const PTC_PREFIXES: &[&str] = &[
                "docker-hub", "dockerhub", "ecr-public", "quay", "k8s", "registry-k8s-io", "github", "ghcr", "gitlab", "azure", "chainguard",
            ];
            if let Some(first) = image.repository.split('/').next()
                && image.repository.contains('/')
                && PTC_PREFIXES.contains(&first)
            {
                out.push((
                    Verdict::Warn,
                    Cause::new(
                        code!("config.pull_through_cache"),
                        format!("{first}/ looks like a pull-through cache prefix: the first pull of an image through a cache rule needs a NAT (ECR fetches it from the upstream registry); once cached, pulls work over the VPC endpoints"),
                    ),
                ));
            }
        }
    }
    out
}

/// Settings in the environment that send AWS SDK clients somewhere else than the
/// names the probe tests (FAILURES.md F16). The probe itself always calls the names
/// it reports; these warn that other clients in this task would not.
fn environment_findings(cfg: &Config) -> Vec<(Verdict, Cause)> {
    let mut out = Vec::new();
    let on = |name: &str| {
        cfg.env
            .get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    if on("AWS_USE_FIPS_ENDPOINT") {
        out.push((
            Verdict::Warn,
            Cause::new(
                code!("config.fips"),
                "AWS_USE_FIPS_ENDPOINT=true sends SDK clients in this task to FIPS endpoints, which have no VPC endpoint services: without NAT they hang. The probe tested the standard names",
            ),
        ));
    }
    if on("AWS_USE_DUALSTACK_ENDPOINT") {
        out.push((
            Verdict::Warn,
            Cause::new(
                code!("config.dual_stack"),
                "AWS_USE_DUALSTACK_ENDPOINT=true sends SDK clients in this task to dual-stack endpoints, which Amazon ECR does not serve over PrivateLink. The probe tested the standard names",
            ),
        ));
    }
    if let Some((_, source)) = cfg.endpoints.get(&Service::Dkr) {
        out.push((
            Verdict::Warn,
            Cause::new(
                code!("config.dkr_override"),
                format!("the dkr endpoint was overridden ({source}): container runtimes always pull from <account>.dkr.ecr.<region>.amazonaws.com, so the ecr.dkr interface endpoint needs private DNS enabled whatever this run shows"),
            ),
        ));
    }
    out
}

fn plan_targets(
    cfg: &Config,
    image: &ImageRef,
    region: &str,
    logs_region: &str,
    sfx: &str,
) -> Vec<Target> {
    let target = |service: Service,
                  role,
                  default_host: String,
                  default_port: u16,
                  expect_private,
                  default_source| {
        let (host, port, source) = match cfg.endpoints.get(&service).cloned() {
            Some((ep, src)) => (ep.host, ep.port, src),
            None => (default_host, default_port, default_source),
        };
        Target {
            service,
            role,
            host,
            port,
            expect_private,
            source,
        }
    };
    let mut t = vec![target(
        Service::Api,
        "api",
        format!("api.ecr.{region}.{sfx}"),
        443,
        true,
        EndpointSource::Default,
    )];
    if matches!(image.registry, RegistryKind::Private { .. }) {
        t.push(target(
            Service::Dkr,
            "dkr",
            image.host.clone(),
            image.port.unwrap_or(443),
            true,
            EndpointSource::Image,
        ));
    }
    t.push(target(
        Service::S3,
        "s3",
        format!("s3.{region}.{sfx}"),
        443,
        false,
        EndpointSource::Default,
    ));
    // The layer bucket host is what ECR redirects to, whatever the S3 override says;
    // only the port follows an override (test set-ups).
    let bucket_port = cfg
        .endpoints
        .get(&Service::S3)
        .map(|(e, _)| e.port)
        .unwrap_or(443);
    t.push(Target {
        service: Service::S3,
        role: "s3_layer_bucket",
        host: diagnose::starport_bucket_host(region, sfx),
        port: bucket_port,
        expect_private: false,
        source: EndpointSource::Default,
    });
    if !cfg.skip_logs {
        t.push(target(
            Service::Logs,
            "logs",
            format!("logs.{logs_region}.{sfx}"),
            443,
            true,
            EndpointSource::Default,
        ));
    }
    t
}

fn proxy_settings(cfg: &Config, targets: &[Target]) -> Option<wire::Proxy> {
    let https = cfg.env.first(&["HTTPS_PROXY", "https_proxy"]);
    let http = cfg.env.first(&["HTTP_PROXY", "http_proxy"]);
    let no_proxy = cfg.env.first(&["NO_PROXY", "no_proxy"]);
    if https.is_none() && http.is_none() && no_proxy.is_none() {
        return None;
    }
    let proxied_hosts = match https {
        Some(_) => targets
            .iter()
            .filter(|t| !no_proxy.is_some_and(|np| no_proxy_matches(np, &t.host)))
            .map(|t| t.host.clone())
            .collect(),
        None => Vec::new(),
    };
    Some(wire::Proxy {
        https_proxy: https.map(crate::secret::redact_url),
        http_proxy: http.map(crate::secret::redact_url),
        no_proxy: no_proxy.map(str::to_string),
        proxied_hosts,
    })
}

/// NO_PROXY semantics as curl and Go implement them: `*`, exact hosts and domain
/// suffixes (with or without a leading dot).
pub fn no_proxy_matches(no_proxy: &str, host: &str) -> bool {
    no_proxy
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let e = entry.trim_start_matches("*.").trim_start_matches('.');
            let e = e.split(':').next().unwrap_or(e);
            host == e || host.ends_with(&format!(".{e}"))
        })
}

pub fn arn_region(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() >= 6 && parts[0] == "arn" && !parts[3].is_empty()).then(|| parts[3].to_string())
}

// ---------------------------------------------------------------- task metadata

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct TaskDoc {
    #[serde(rename = "TaskARN")]
    task_arn: Option<String>,
    cluster: Option<String>,
    family: Option<String>,
    revision: Option<String>,
    launch_type: Option<String>,
    availability_zone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct ContainerDoc {
    name: Option<String>,
    image: Option<String>,
    #[serde(rename = "ImageID")]
    image_id: Option<String>,
    networks: Vec<NetworkDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct NetworkDoc {
    #[serde(rename = "IPv4Addresses")]
    ipv4_addresses: Vec<String>,
    #[serde(rename = "IPv4SubnetCIDRBlock")]
    ipv4_subnet_cidr_block: Option<String>,
    #[serde(rename = "IPv6SubnetCIDRBlock")]
    ipv6_subnet_cidr_block: Option<String>,
    domain_name_servers: Vec<String>,
}

/// Read this container's and its task's metadata (ECS task metadata v4). Failure is
/// recorded in the result, not raised: the probe still runs without it.
async fn read_task_metadata(uri: &str, timeout: Duration) -> wire::Task {
    let base = uri.trim_end_matches('/');
    let task_url = format!("{base}/task");
    let (container, task) = tokio::join!(
        get_json::<ContainerDoc>(base, timeout),
        get_json::<TaskDoc>(&task_url, timeout)
    );
    let mut out = wire::Task::default();
    match container {
        Ok(c) => {
            out.container_name = c.name;
            out.container_image = c.image;
            out.container_image_id = c.image_id;
            if let Some(n) = c.networks.into_iter().next() {
                out.subnet_cidr = n.ipv4_subnet_cidr_block;
                out.ipv6_subnet_cidr = n.ipv6_subnet_cidr_block;
                out.ipv4_addresses = n.ipv4_addresses;
                out.dns_servers = n.domain_name_servers;
            }
        }
        Err(e) => out.error = Some(e),
    }
    match task {
        Ok(t) => {
            out.task_arn = t.task_arn;
            out.cluster = t.cluster;
            out.family = t.family;
            out.revision = t.revision;
            out.launch_type = t.launch_type;
            out.availability_zone = t.availability_zone;
        }
        Err(e) => {
            out.error.get_or_insert(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_task_arn() {
        assert_eq!(
            arn_region("arn:aws:ecs:us-west-2:111122223333:task/c/abc").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(arn_region("nonsense"), None);
    }

    #[test]
    fn no_proxy_rules() {
        assert!(no_proxy_matches("*", "anything"));
        assert!(no_proxy_matches(
            "localhost,.amazonaws.com",
            "api.ecr.us-east-1.amazonaws.com"
        ));
        assert!(no_proxy_matches(
            "amazonaws.com",
            "s3.us-east-1.amazonaws.com"
        ));
        assert!(no_proxy_matches(
            "169.254.170.2, s3.us-east-1.amazonaws.com:443",
            "s3.us-east-1.amazonaws.com"
        ));
        assert!(!no_proxy_matches(
            "example.com",
            "api.ecr.us-east-1.amazonaws.com"
        ));
        assert!(!no_proxy_matches(
            "zonaws.com",
            "api.ecr.us-east-1.amazonaws.com"
        ));
    }

    #[test]
    fn findings_from_the_environment() {
        use clap::Parser;
        let cfg = |pairs: Vec<(&'static str, &'static str)>, extra: &[&str]| {
            let mut argv = vec![
                "vpce-probe",
                "--image",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/a:b",
            ];
            argv.extend_from_slice(extra);
            Config::from_args(
                crate::cli::Args::try_parse_from(argv).unwrap(),
                crate::config::Env::from_pairs(pairs),
                false,
            )
            .unwrap()
        };
        let codes = |c: &Config| {
            environment_findings(c)
                .into_iter()
                .map(|(_, c)| c.code)
                .collect::<Vec<_>>()
        };
        assert!(codes(&cfg(vec![], &[])).is_empty());
        assert_eq!(
            codes(&cfg(vec![("AWS_USE_FIPS_ENDPOINT", "true")], &[])),
            ["config.fips"]
        );
        assert_eq!(
            codes(&cfg(vec![("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")], &[])),
            ["config.dual_stack"]
        );
        assert_eq!(
            codes(&cfg(
                vec![],
                &["--endpoint", "dkr=https://vpce-1.dkr.example"]
            )),
            ["config.dkr_override"]
        );
    }

    #[test]
    fn findings_from_the_image_name() {
        let img = |s: &str| ImageRef::parse(s).unwrap();
        let codes =
            |f: Vec<(Verdict, Cause)>| f.into_iter().map(|(_, c)| c.code).collect::<Vec<_>>();
        assert!(
            codes(image_findings(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/a:b"),
                Some("us-east-1")
            ))
            .is_empty()
        );
        assert_eq!(
            codes(image_findings(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/a:b"),
                Some("eu-west-1")
            )),
            ["config.cross_region"]
        );
        assert_eq!(
            codes(image_findings(
                &img("111122223333.dkr-ecr.us-east-1.on.aws/a:b"),
                None
            )),
            ["config.dual_stack"]
        );
        assert_eq!(
            codes(image_findings(
                &img("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/a:b"),
                None
            )),
            ["config.fips"]
        );
        assert_eq!(
            codes(image_findings(&img("public.ecr.aws/nginx/nginx:1"), None)),
            ["config.ecr_public"]
        );
        assert_eq!(
            codes(image_findings(&img("docker.io/library/nginx:1"), None)),
            ["config.not_ecr"]
        );
        assert_eq!(
            codes(image_findings(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1"),
                None
            )),
            ["config.pull_through_cache"]
        );
    }
}
