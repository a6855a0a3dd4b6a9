//! The context hop: before any packet goes to AWS, work out what to probe and from
//! where (image, region, resolvers, VPC ranges, proxies, ECS task metadata) and say
//! what is already known to be wrong (cross-region pulls, names VPC endpoints never
//! serve, a custom resolver).

use std::net::SocketAddr;
use std::time::Instant;

use ipnet::IpNet;

use crate::aws::Service;
use crate::causes::code;
use crate::config::{Config, Var, vars};
use crate::diagnose::{self, Cause, ResolverKind};
use crate::error::{ConfigError, RunError};
use crate::hop::HopResult;
use crate::hop::Verdict;
use crate::hop::evidence::{self as wire, Finding};
use crate::hop_kind::HopKind;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::net::dns::servers_from_resolv_conf;
use crate::provenance::{ImageSource, RegionSource, ResolversSource, TaskRegionSource};

use crate::plan::{Plan, Target};

pub struct ContextOutcome {
    pub hop: HopResult,
    pub plan: Plan,
    pub context: wire::Context,
    /// The task's needs with the hops that probe each; empty without a task definition
    /// or `--check`.
    pub needs: Vec<wire::Need>,
}

pub async fn run(cfg: &Config) -> Result<ContextOutcome, RunError> {
    let t0 = Instant::now();
    let mut findings: Vec<(Verdict, Cause)> = Vec::new();
    let mut ctx = wire::Context {
        platform: Some(cfg.platform.to_string()),
        timeout_ms: cfg.timeout.as_millis() as u64,
        deadline_ms: cfg.deadline.as_millis() as u64,
        max_layer_bytes: cfg.max_layer_bytes,
        execution_env: cfg.env.get(vars::AWS_EXECUTION_ENV).map(str::to_string),
        ..Default::default()
    };

    let task = match cfg.env.get(vars::ECS_CONTAINER_METADATA_URI_V4) {
        Some(uri) => Some(crate::net::metadata::read(uri, cfg.timeout).await),
        None => None,
    };

    // The image: the flag, else this container's own image.
    let (image, image_source) = match (
        &cfg.image,
        task.as_ref().and_then(|t| t.container_image.clone()),
    ) {
        (Some(i), _) if cfg.task.as_ref().is_some_and(|t| t.image_chosen) => {
            (i.clone(), ImageSource::TaskDefinition)
        }
        (Some(i), _) => (i.clone(), ImageSource::Flag),
        (None, Some(own)) => (
            ImageRef::parse(&own).map_err(|reason| ConfigError::Image {
                reference: own.clone(),
                reason: format!(
                    "{reason}; this is the task's own image, read from ECS task metadata: pass --image to probe another"
                ),
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
        .and_then(crate::aws::arn_region)
        .map(|r| crate::config::validate_region(&r, "the task ARN in ECS task metadata"))
        .transpose()?;
    let task_region: Option<(String, TaskRegionSource)> = match (&cfg.region, metadata_region) {
        (Some((r, src)), _) => Some((r.clone(), *src)),
        (None, Some(r)) => Some((r, TaskRegionSource::TaskMetadata)),
        (None, None) => None,
    };
    let pullable = matches!(image.registry, RegistryKind::Private { .. });
    let (region, region_source) = match (image.region(), &task_region) {
        (Some(r), _) => (r.to_string(), Some(RegionSource::Image)),
        (None, Some((r, src))) => (r.clone(), Some(RegionSource::from(*src))),
        // ECR Public, Docker Hub, …: the diagnosis is the registry itself (a finding
        // below), not the missing region; only the context hop is reported.
        (None, None) if !pullable => (String::new(), None),
        (None, None) => return Err(ConfigError::NoRegion.into()),
    };
    ctx.region = region_source.map(|_| region.clone());
    ctx.region_source = region_source;
    ctx.task_region = task_region.as_ref().map(|(r, _)| r.clone());
    ctx.task_region_source = task_region.as_ref().map(|(_, s)| *s);
    let logs_region = task_region
        .as_ref()
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| region.clone());

    let dns_suffix = match &image.registry {
        RegistryKind::Private { dns_suffix, .. } => dns_suffix.clone(),
        _ => crate::aws::dns_suffix(&region).into(),
    };

    findings.extend(image_findings(
        &image,
        task_region.as_ref().map(|(r, _)| r.as_str()),
    ));
    findings.extend(environment_findings(cfg));
    let task_findings = match &cfg.task {
        Some(t) => crate::hop::preflight::task_findings(
            &t.needs,
            &image,
            &logs_region,
            cfg.platform_version.as_deref(),
            cfg.launch_type,
        ),
        None => Vec::new(),
    };

    // Resolvers: the flag, else what this container's resolv.conf says (what a pull
    // from here would use).
    let (dns_servers, resolvers_source) = match &cfg.dns_servers {
        Some(s) => (s.clone(), ResolversSource::Flag),
        None => (
            servers_from_resolv_conf(&cfg.resolv_conf).map_err(ConfigError::from)?,
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

    let mut plan = crate::plan::build(
        cfg,
        crate::plan::PlanInput {
            image: image.clone(),
            region: region.clone(),
            logs_region,
            dns_suffix,
            dns_servers,
            vpc_cidrs,
            custom_resolver,
            other_images: cfg
                .task
                .iter()
                .flat_map(|t| &t.needs.images)
                .filter_map(|i| i.image.clone().ok())
                .collect(),
            metadata_launch_type: task.as_ref().and_then(|t| t.launch_type.clone()),
            cluster: task.as_ref().and_then(|t| t.cluster.clone()),
        },
    );
    if region_source.is_none() {
        // Without a region there are no endpoint names to probe.
        plan.targets.clear();
        plan.steps.clear();
    }
    let needs = crate::hop::preflight::needs(cfg, &plan, &task_findings);
    findings.extend(task_findings.into_iter().map(|(_, v, c)| (v, c)));
    let targets = &plan.targets;
    ctx.endpoints = targets
        .iter()
        .map(|t| wire::ServiceEndpoint {
            service: t.name(),
            url: t.url(),
            source: t.source,
            vpc_endpoint_service: t.service.endpoint_service(&t.region),
        })
        .collect();
    ctx.proxy = proxy_settings(cfg, targets);
    ctx.task_definition = cfg.task.as_ref().map(|t| t.path.display().to_string());
    ctx.task_family = cfg.task.as_ref().and_then(|t| t.needs.family.clone());
    ctx.launch_type = plan.launch_type.map(|l| l.as_str().to_string());
    if let Some(t) = &task {
        ctx.task = Some(t.clone());
    }

    // Most severe first; the hop's own cause is the first finding.
    findings.sort_by_key(|(v, _)| if *v == Verdict::Fail { 0 } else { 1 });
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
    hop.evidence.context().findings = findings
        .into_iter()
        .map(|(severity, cause)| Finding { severity, cause })
        .collect();
    Ok(ContextOutcome {
        hop: hop.timed(t0),
        plan,
        context: ctx,
        needs,
    })
}

/// Pre-flight findings that follow from the image name alone (docs/aws-facts.md#image-names-and-regions).
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
/// names the probe tests (docs/aws-facts.md#dual-stack-fips). The probe itself always calls the names
/// it reports; these warn that other clients in this task would not.
fn environment_findings(cfg: &Config) -> Vec<(Verdict, Cause)> {
    let mut out = Vec::new();
    let on = |name: Var| {
        cfg.env
            .get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    if on(vars::AWS_USE_FIPS_ENDPOINT) {
        out.push((
            Verdict::Warn,
            Cause::new(
                code!("config.fips"),
                "AWS_USE_FIPS_ENDPOINT=true sends SDK clients in this task to FIPS endpoints, which have no VPC endpoint services: without NAT they hang. The probe tested the standard names",
            ),
        ));
    }
    if on(vars::AWS_USE_DUALSTACK_ENDPOINT) {
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

fn proxy_settings(cfg: &Config, targets: &[Target]) -> Option<wire::Proxy> {
    let https = cfg
        .env
        .first_secret(&[vars::HTTPS_PROXY, vars::HTTPS_PROXY_LOWER])
        .map(|v| v.expose().as_str());
    let http = cfg
        .env
        .first_secret(&[vars::HTTP_PROXY, vars::HTTP_PROXY_LOWER])
        .map(|v| v.expose().as_str());
    let no_proxy = cfg.env.first(&[vars::NO_PROXY, vars::NO_PROXY_LOWER]);
    if https.is_none() && http.is_none() && no_proxy.is_none() {
        return None;
    }
    let proxied_hosts = match https {
        Some(_) => targets
            .iter()
            .filter(|t| crate::net::proxy::would_proxy(https, no_proxy, &t.host))
            .map(|t| t.host.clone())
            .collect(),
        None => Vec::new(),
    };
    Some(wire::Proxy {
        https_proxy: https.map(crate::net::url::redact),
        http_proxy: http.map(crate::net::url::redact),
        no_proxy: no_proxy.map(str::to_string),
        proxied_hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
