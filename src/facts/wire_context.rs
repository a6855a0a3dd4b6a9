//! The report's `context` from the run's facts: what was probed from where, and where
//! each setting came from.

use crate::config::{Config, vars};
use crate::hop::evidence as wire;
use crate::net::metadata::TaskMetadata;
use crate::plan::{Plan, Target};

use super::{Chosen, Regions, Resolvers};

/// The part of the context the configuration alone gives: what a run cut short by the
/// deadline before its facts were decided still reports.
pub fn base(cfg: &Config) -> wire::Context {
    wire::Context {
        platform: Some(cfg.platform.to_string()),
        timeout_ms: cfg.timeout.as_millis() as u64,
        deadline_ms: cfg.deadline.as_millis() as u64,
        max_layer_bytes: cfg.max_layer_bytes,
        ..Default::default()
    }
}

pub(super) fn assemble(
    cfg: &Config,
    task: Option<&TaskMetadata>,
    chosen: &Chosen,
    regions: &Regions,
    resolvers: &Resolvers,
    plan: &Plan,
) -> wire::Context {
    let image = &chosen.image;
    wire::Context {
        image: Some(image.to_string()),
        image_source: Some(chosen.source),
        registry_account: image.account().map(str::to_string),
        region: regions.pull_source.map(|_| regions.pull.clone()),
        region_source: regions.pull_source,
        task_region: regions.task.as_ref().map(|(r, _)| r.clone()),
        task_region_source: regions.task.as_ref().map(|(_, s)| *s),
        resolvers: resolvers
            .kinds
            .iter()
            .map(|(address, kind)| wire::Resolver {
                address: address.to_string(),
                kind: *kind,
            })
            .collect(),
        resolvers_source: Some(resolvers.source),
        vpc_cidrs: plan.vpc_cidrs.iter().map(ToString::to_string).collect(),
        endpoints: plan
            .targets
            .iter()
            .map(|t| wire::ServiceEndpoint {
                service: t.name(),
                url: t.url(),
                source: t.source,
                vpc_endpoint_service: t.service.endpoint_service(&t.region),
            })
            .collect(),
        proxy: proxy_settings(cfg, &plan.targets),
        task: task.cloned(),
        execution_env: cfg.env.get(vars::AWS_EXECUTION_ENV).map(str::to_string),
        task_definition: cfg.task.as_ref().map(|t| t.path.display().to_string()),
        task_family: cfg.task.as_ref().and_then(|t| t.needs.family.clone()),
        launch_type: plan.launch_type.map(|l| l.as_str().to_string()),
        ..base(cfg)
    }
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
