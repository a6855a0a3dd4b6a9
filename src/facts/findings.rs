//! What is already known to be wrong before any packet, from the image name, the
//! environment and the resolvers: the findings the context hop reports. Pure.

use std::net::SocketAddr;

use crate::aws::Service;
use crate::causes::code;
use crate::config::{Config, Var, vars};
use crate::diagnose::{Cause, ResolverKind};
use crate::hop::Verdict;
use crate::image_ref::{ImageRef, RegistryKind};

/// Pre-flight findings that follow from the image name alone (docs/aws-facts.md#image-names-and-regions).
pub fn image(image: &ImageRef, task_region: Option<&str>) -> Vec<(Verdict, Cause)> {
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
pub fn environment(cfg: &Config) -> Vec<(Verdict, Cause)> {
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

/// A stub resolver moves to the next server when one does not answer, so every listed
/// server is on the pull's path, not only the first: each custom one is a warning.
pub fn custom_resolvers(kinds: &[(SocketAddr, ResolverKind)]) -> Vec<(Verdict, Cause)> {
    let custom: Vec<String> = kinds
        .iter()
        .filter(|(_, kind)| *kind == ResolverKind::Custom)
        .map(|(address, _)| address.to_string())
        .collect();
    if custom.is_empty() {
        return Vec::new();
    }
    let which = custom.join(", ");
    vec![(
        Verdict::Warn,
        Cause::new(
            code!("config.custom_resolver"),
            format!(
                "DNS goes to {which}, not the VPC resolver: interface endpoint private names resolve only through the Route 53 Resolver, so a custom server must conditionally forward amazonaws.com to 169.254.169.253 (or the VPC base address + 2); the dns hops show whether it does"
            ),
        ),
    )]
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
            environment(c)
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
            codes(image(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/a:b"),
                Some("us-east-1")
            ))
            .is_empty()
        );
        assert_eq!(
            codes(image(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/a:b"),
                Some("eu-west-1")
            )),
            ["config.cross_region"]
        );
        assert_eq!(
            codes(image(
                &img("111122223333.dkr-ecr.us-east-1.on.aws/a:b"),
                None
            )),
            ["config.dual_stack"]
        );
        assert_eq!(
            codes(image(
                &img("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/a:b"),
                None
            )),
            ["config.fips"]
        );
        assert_eq!(
            codes(image(&img("public.ecr.aws/nginx/nginx:1"), None)),
            ["config.ecr_public"]
        );
        assert_eq!(
            codes(image(&img("docker.io/library/nginx:1"), None)),
            ["config.not_ecr"]
        );
        assert_eq!(
            codes(image(
                &img("111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1"),
                None
            )),
            ["config.pull_through_cache"]
        );
    }
}
