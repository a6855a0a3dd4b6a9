//! The run's facts, decided before any hop: which image, which two regions, which
//! resolvers and VPC ranges, what is already known to be wrong (the findings), the
//! plan, the report's context and its needs. [`observe`] gathers what this container
//! can see (the only I/O, like hickory-dns's thin `resolv.conf` reader); [`decide`] is
//! a pure function from the configuration and those observations, so every decision
//! here is testable without a network. The context hop then only reports the findings
//! (`hop/context.rs`).

pub mod findings;
pub mod need_rows;
pub mod observe;
mod wire_context;

use std::net::SocketAddr;

use ipnet::IpNet;

use crate::config::Config;
use crate::diagnose::{self, Cause, ResolverKind};
use crate::error::{ConfigError, RunError};
use crate::hop::Verdict;
use crate::hop::evidence as wire;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::net::metadata::TaskMetadata;
use crate::plan::{Plan, PlanInput};
use crate::provenance::{ImageSource, RegionSource, ResolversSource, TaskRegionSource};

pub use observe::{Observed, observe};
pub use wire_context::base as base_context;

/// Everything a run knows before its first hop.
#[derive(Debug, Clone)]
pub struct RunFacts {
    pub plan: Plan,
    /// The report's `context`.
    pub context: wire::Context,
    /// The report's needs: the task's needs with the hops that probe each; empty
    /// without a task definition or `--check`.
    pub need_rows: Vec<wire::Need>,
    /// What is already known to be wrong, most severe first.
    pub findings: Vec<(Verdict, Cause)>,
    /// What the context hop names as its target: the image.
    pub image: String,
    /// Why ECS task metadata could not be read, when it could not.
    pub metadata_error: Option<String>,
}

/// The image and where its name came from.
struct Chosen {
    image: ImageRef,
    source: ImageSource,
}

/// The two regions of a run. Where the task runs: explicit, else the task's ARN. Where
/// the pull goes: the image's registry region, because the runtime asks that region's
/// api.ecr for the token and its dkr and S3 for the image, whatever region the task is
/// in (and VPC endpoints only serve their own region).
struct Regions {
    /// The pull's region; empty when there is none (an image ECR cannot serve).
    pull: String,
    pull_source: Option<RegionSource>,
    task: Option<(String, TaskRegionSource)>,
    /// CloudWatch Logs and the task's own services: the task's region, else the pull's.
    logs: String,
    dns_suffix: String,
}

/// The resolvers the pull would ask, and what kind each is.
struct Resolvers {
    servers: Vec<SocketAddr>,
    source: ResolversSource,
    kinds: Vec<(SocketAddr, ResolverKind)>,
}

/// Decide the run's facts from the configuration and what was observed. Fails only
/// when there is nothing to probe (no image, no region) or the configuration names a
/// resolv.conf that cannot be read.
pub fn decide(cfg: &Config, seen: &Observed) -> Result<RunFacts, RunError> {
    let task = seen.task.as_ref();
    let chosen = choose_image(cfg, task)?;
    let regions = regions(cfg, task, &chosen.image)?;
    let task_region = regions.task.as_ref().map(|(r, _)| r.as_str());
    let mut found = findings::image(&chosen.image, task_region);
    found.extend(findings::environment(cfg));
    let task_found = match &cfg.task {
        Some(t) => crate::hop::preflight::task_findings(
            &t.needs,
            &chosen.image,
            &regions.logs,
            cfg.platform_version.as_deref(),
            cfg.launch_type,
        ),
        None => Vec::new(),
    };
    let resolvers = resolvers(cfg, seen)?;
    let vpc_cidrs = vpc_cidrs(cfg, task);
    let resolvers = Resolvers {
        kinds: resolvers
            .servers
            .iter()
            .map(|s| (*s, diagnose::resolver_kind(s.ip(), &vpc_cidrs)))
            .collect(),
        ..resolvers
    };
    found.extend(findings::custom_resolvers(&resolvers.kinds));
    let plan = plan(cfg, task, &chosen, &regions, &resolvers, vpc_cidrs);
    let need_rows = need_rows::need_rows(cfg, &plan, &task_found);
    found.extend(task_found.into_iter().map(|(_, v, c)| (v, c)));
    // Most severe first; the context hop's own cause is the first finding.
    found.sort_by_key(|(v, _)| if *v == Verdict::Fail { 0 } else { 1 });
    let context = wire_context::assemble(cfg, task, &chosen, &regions, &resolvers, &plan);
    Ok(RunFacts {
        image: chosen.image.to_string(),
        metadata_error: task.and_then(|t| t.error.clone()),
        plan,
        context,
        need_rows,
        findings: found,
    })
}

/// The image: the flag (or the task definition's pull image), else this container's
/// own image from task metadata.
fn choose_image(cfg: &Config, task: Option<&TaskMetadata>) -> Result<Chosen, RunError> {
    let own = task.and_then(|t| t.container_image.clone());
    let (image, source) = match (&cfg.image, own) {
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
            return Err(match task.and_then(|t| t.error.clone()) {
                Some(reason) => RunError::Metadata(reason),
                None => ConfigError::NoImage.into(),
            });
        }
    };
    Ok(Chosen { image, source })
}

fn regions(
    cfg: &Config,
    task: Option<&TaskMetadata>,
    image: &ImageRef,
) -> Result<Regions, RunError> {
    let metadata_region = task
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
    let (pull, pull_source) = match (image.region(), &task_region) {
        (Some(r), _) => (r.to_string(), Some(RegionSource::Image)),
        (None, Some((r, src))) => (r.clone(), Some(RegionSource::from(*src))),
        // ECR Public, Docker Hub, …: the diagnosis is the registry itself (a finding),
        // not the missing region; only the context hop is reported.
        (None, None) if !pullable => (String::new(), None),
        (None, None) => return Err(ConfigError::NoRegion.into()),
    };
    let logs = task_region
        .as_ref()
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| pull.clone());
    let dns_suffix = match &image.registry {
        RegistryKind::Private { dns_suffix, .. } => dns_suffix.clone(),
        _ => crate::aws::dns_suffix(&pull).into(),
    };
    Ok(Regions {
        pull,
        pull_source,
        task: task_region,
        logs,
        dns_suffix,
    })
}

/// Resolvers: the flag, else what this container's resolv.conf says (what a pull from
/// here would use).
fn resolvers(cfg: &Config, seen: &Observed) -> Result<Resolvers, RunError> {
    let (servers, source) = match &cfg.dns_servers {
        Some(s) => (s.clone(), ResolversSource::Flag),
        None => {
            // `observe` reads the file whenever no --dns-server is given; unread, it
            // holds no server.
            let text = match &seen.resolv_conf {
                Some(read) => read.clone().map_err(ConfigError::from)?,
                None => Vec::new(),
            };
            let servers = crate::net::dns::parse_resolv_conf(&cfg.resolv_conf, &text)
                .map_err(ConfigError::from)?;
            (servers, ResolversSource::ResolvConf)
        }
    };
    Ok(Resolvers {
        servers,
        source,
        kinds: Vec::new(),
    })
}

/// `--vpc-cidr`, and the task's subnets from task metadata.
fn vpc_cidrs(cfg: &Config, task: Option<&TaskMetadata>) -> Vec<IpNet> {
    let mut vpc_cidrs = cfg.vpc_cidrs.clone();
    let task_cidrs = task
        .iter()
        .flat_map(|t| [t.subnet_cidr.as_deref(), t.ipv6_subnet_cidr.as_deref()]);
    for cidr in task_cidrs.flatten().filter_map(|c| c.parse::<IpNet>().ok()) {
        if !vpc_cidrs.contains(&cidr) {
            vpc_cidrs.push(cidr);
        }
    }
    vpc_cidrs
}

fn plan(
    cfg: &Config,
    task: Option<&TaskMetadata>,
    chosen: &Chosen,
    regions: &Regions,
    resolvers: &Resolvers,
    vpc_cidrs: Vec<IpNet>,
) -> Plan {
    crate::plan::build(
        cfg,
        PlanInput {
            image: chosen.image.clone(),
            region: regions.pull.clone(),
            logs_region: regions.logs.clone(),
            dns_suffix: regions.dns_suffix.clone(),
            dns_servers: resolvers.servers.clone(),
            vpc_cidrs,
            // A stub resolver asks the first server first.
            custom_resolver: resolvers
                .kinds
                .first()
                .is_some_and(|(_, kind)| *kind == ResolverKind::Custom),
            other_images: cfg
                .task
                .iter()
                .flat_map(|t| &t.needs.images)
                .filter_map(|i| i.image.clone().ok())
                .collect(),
            metadata_launch_type: task.and_then(|t| t.launch_type.clone()),
            cluster: task.and_then(|t| t.cluster.clone()),
        },
    )
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::net::dns::ResolvConfError;

    fn config(argv: &[&str]) -> Config {
        let mut all = vec!["vpce-probe"];
        all.extend_from_slice(argv);
        // Inside an ECS task: no --image is needed, the task's own image is the default.
        let env = crate::config::Env::from_pairs(vec![(
            "ECS_CONTAINER_METADATA_URI_V4",
            "http://127.0.0.1:9/v4",
        )]);
        Config::from_args(crate::cli::Args::try_parse_from(all).unwrap(), env, false).unwrap()
    }

    fn seen(task: Option<TaskMetadata>, resolv_conf: &str) -> Observed {
        Observed {
            task,
            resolv_conf: Some(Ok(resolv_conf.as_bytes().to_vec())),
        }
    }

    /// No network, no file: the task's own image and region from metadata, the
    /// resolvers from the resolv.conf text, and what follows from them.
    #[test]
    fn facts_follow_from_configuration_and_observations_alone() {
        let task = TaskMetadata {
            container_image: Some("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1".into()),
            task_arn: Some("arn:aws:ecs:eu-west-1:111122223333:task/c/abc".into()),
            subnet_cidr: Some("10.0.1.0/24".into()),
            ..Default::default()
        };
        let facts = decide(&config(&[]), &seen(Some(task), "nameserver 10.9.9.9\n")).unwrap();
        assert_eq!(facts.context.image_source, Some(ImageSource::TaskMetadata));
        assert_eq!(facts.context.region.as_deref(), Some("us-east-1"));
        assert_eq!(facts.context.task_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            facts.context.resolvers_source,
            Some(ResolversSource::ResolvConf)
        );
        assert_eq!(facts.plan.dns_servers, ["10.9.9.9:53".parse().unwrap()]);
        let codes: Vec<&str> = facts
            .findings
            .iter()
            .map(|(_, c)| c.code.as_str())
            .collect();
        assert_eq!(codes, ["config.cross_region", "config.custom_resolver"]);
        assert!(facts.plan.custom_resolver);
        assert!(facts.plan.targets.iter().any(|t| t.name() == "dkr"));
    }

    /// Failed reads are judged in the order the run always judged them: no image
    /// before an unreadable resolv.conf; `--dns-server` makes the file irrelevant.
    #[test]
    fn failed_observations_are_configuration_errors_in_order() {
        let unreadable = Observed {
            task: None,
            resolv_conf: Some(Err(ResolvConfError::NoServer {
                path: "/etc/resolv.conf".into(),
            })),
        };
        let no_image = decide(&config(&[]), &unreadable).unwrap_err();
        assert!(
            matches!(no_image, RunError::Config(ConfigError::NoImage)),
            "{no_image:?}"
        );
        let image = [
            "--image",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
        ];
        let no_server = decide(&config(&image), &unreadable).unwrap_err();
        assert!(
            matches!(no_server, RunError::Config(ConfigError::NoDnsServer { .. })),
            "{no_server:?}"
        );
        let flagged = config(&[&image[..], &["--dns-server", "127.0.0.1:53"]].concat());
        assert!(decide(&flagged, &unreadable).is_ok());
    }
}
