//! What a remediation can fill in, read from a report (or an `explain` result). Every
//! value passes [`safe`] first: the generators put values into shell commands, YAML,
//! HCL and JSON, so only identifier-shaped values are used and anything else stays a
//! placeholder.

use crate::diagnose::ResolverKind;
use crate::hop_kind::HopKind;
use crate::report::wire::{Context, Hop, Principal};

/// The values at hand for one hop. `None`: the generator writes a placeholder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The region of the endpoint at hand (the image's registry region for ECR and S3,
    /// the task's region for logs and other services).
    pub region: Option<String>,
    /// The endpoint service's suffix: `ecr.api`, `ecr.dkr`, `s3`, `logs`, `ssm`, …
    pub service: Option<String>,
    /// Whether the address the hop reached (or resolved) is inside the VPC.
    pub private_target: Option<bool>,
    /// The port the hop connected to.
    pub port: Option<u16>,
    /// The task subnet's IPv4 CIDR (ECS task metadata).
    pub subnet_cidr: Option<String>,
    /// The role that pulls, as an IAM role ARN (`arn:aws:iam::<acct>:role/<name>`).
    pub role_arn: Option<String>,
    /// That role's name.
    pub role_name: Option<String>,
    /// The IAM action denied or needed (`ecr:BatchGetImage`).
    pub action: Option<String>,
    /// The resource ARN the action is on (`arn:aws:ecr:…:repository/app`).
    pub resource: Option<String>,
    /// The image's registry account and repository.
    pub account: Option<String>,
    pub repository: Option<String>,
    /// The image's registry region and the task's region (cross-region causes).
    pub image_region: Option<String>,
    pub task_region: Option<String>,
    /// A registry that is not ECR (`registry-1.docker.io`, `public.ecr.aws`).
    pub upstream_registry: Option<String>,
    /// A custom DNS server the task asks (`10.0.0.53`).
    pub custom_resolver: Option<String>,
    /// Which policy type AWS said denied (`identity_policy`, `vpc_endpoint_policy`, …).
    pub denied_by: Option<String>,
    /// The KMS key of a secret or parameter.
    pub kms_key: Option<String>,
}

/// `s` when it is made only of the characters AWS identifiers, ARNs, CIDRs and host
/// names use (`[A-Za-z0-9._:/@+=,*-]`, at most 256), else `None`: no quote, space,
/// `$`, backtick, `<`, newline or control character ever reaches a snippet.
pub fn safe(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:/@+=,*-".contains(c));
    ok.then(|| s.to_string())
}

/// A region name as AWS writes them (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn region(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| s.to_string())
}

/// An IAM role ARN and the role's name from a role ARN, an assumed-role ARN or a name.
pub fn role(s: &str) -> (Option<String>, Option<String>) {
    let Some(s) = safe(s) else {
        return (None, None);
    };
    let (account, name) = crate::principal::role_of(&s);
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let partition = match parts.as_slice() {
        ["arn", p, ..] => *p,
        _ => "aws",
    };
    let arn = match parts.as_slice() {
        // A role's path is kept; an assumed role's ARN has lost it (the name still works
        // in a policy's Principal only as a role ARN without path when the role has none).
        ["arn", _, "iam", _, _, res] if res.starts_with("role/") => Some(s.clone()),
        _ => account.map(|a| format!("arn:{partition}:iam::{a}:role/{name}")),
    };
    let name = (!name.is_empty() && !name.contains(':')).then(|| name.to_string());
    (arn, name)
}

/// The endpoint service and region of an AWS host name:
/// `api.ecr.us-east-1.amazonaws.com` → (`ecr.api`, `us-east-1`),
/// `1234.dkr.ecr.us-east-1.amazonaws.com` → `ecr.dkr`, `*.s3.<r>…` → `s3`,
/// `fs-1.efs.<r>…` → `elasticfilesystem`, `ssm.<r>…` → `ssm`.
pub fn service_of_host(host: &str) -> Option<(String, String)> {
    let host = host.split('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    let stem = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = stem.split('.').collect();
    let (region_at, _) = labels
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| region(l).is_some())?;
    let r = labels[region_at].to_string();
    let before = &labels[..region_at];
    let service = match before {
        [.., "api", "ecr"] | ["ecr"] => "ecr.api",
        [.., "dkr", "ecr"] => "ecr.dkr",
        [.., "s3"] => "s3",
        [.., "efs"] => "elasticfilesystem",
        [.., last] => last,
        [] => return None,
    };
    Some((safe(service)?, r))
}

/// The facts for one hop of a report.
pub fn of_hop(ctx: &Context, principal: Option<&Principal>, hop: &Hop) -> Facts {
    let ev = &hop.evidence;
    let host = hop
        .target
        .split("://")
        .last()
        .unwrap_or(&hop.target)
        .split('/')
        .next()
        .unwrap_or("");
    let from_host = service_of_host(host);
    let service = match hop.kind {
        HopKind::EcrToken | HopKind::Credentials => Some("ecr.api".to_string()),
        HopKind::Registry | HopKind::Manifest | HopKind::LayerRedirect => {
            Some("ecr.dkr".to_string())
        }
        HopKind::Layer => Some("s3".to_string()),
        HopKind::Logs => Some("logs".to_string()),
        HopKind::Service => ev.service.as_deref().and_then(safe),
        _ => from_host.as_ref().map(|(s, _)| s.clone()),
    };
    let image_region = ctx.region.as_deref().and_then(region);
    let task_region = ctx.task_region.as_deref().and_then(region);
    let region = from_host
        .as_ref()
        .map(|(_, r)| r.clone())
        .or_else(|| match hop.kind {
            HopKind::Logs | HopKind::Service => task_region.clone().or(image_region.clone()),
            _ => image_region.clone(),
        });
    let private_target = ev
        .remote_address
        .as_deref()
        .and_then(|ra| ev.addresses.iter().find(|a| ra.starts_with(&a.address)))
        .or(ev.addresses.first())
        .map(|a| a.private);
    let who = ev
        .denied_principal
        .as_deref()
        .or(principal.and_then(|p| p.expected.as_deref()))
        .or(principal.and_then(|p| p.signed_by.as_deref()))
        .or(ev.role_arn.as_deref());
    let (role_arn, role_name) = who.map(role).unwrap_or((None, None));
    let action = denied_action(ev.error_message.as_deref())
        .or_else(|| ev.call.as_deref().and_then(safe))
        .or_else(|| {
            let a = match hop.kind {
                HopKind::EcrToken => "ecr:GetAuthorizationToken",
                HopKind::Manifest | HopKind::Registry => "ecr:BatchGetImage",
                HopKind::LayerRedirect => "ecr:GetDownloadUrlForLayer",
                HopKind::Layer => "s3:GetObject",
                HopKind::Logs => "logs:PutLogEvents",
                _ => return None,
            };
            Some(a.to_string())
        });
    let account = ctx.registry_account.as_deref().and_then(safe);
    let repository = ctx
        .image
        .as_deref()
        .and_then(|i| i.split_once('/'))
        .map(|(_, path)| {
            let path = path.split('@').next().unwrap_or(path);
            match path.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => repo,
                _ => path,
            }
        })
        .and_then(safe);
    let resource = denied_resource(ev.error_message.as_deref()).or_else(|| match hop.kind {
        HopKind::Layer => region
            .as_ref()
            .map(|r| format!("arn:aws:s3:::prod-{r}-starport-layer-bucket/*")),
        HopKind::Manifest | HopKind::Registry | HopKind::LayerRedirect => {
            match (&image_region, &account, &repository) {
                (Some(r), Some(a), Some(repo)) => {
                    Some(format!("arn:aws:ecr:{r}:{a}:repository/{repo}"))
                }
                _ => None,
            }
        }
        HopKind::Service => ev.resources.first().and_then(|r| safe(r)),
        _ => None,
    });
    let upstream_registry = ctx.image.as_deref().and_then(|i| {
        let host = i.split('/').next()?;
        let ecr = host.contains(".dkr.ecr.") || host.contains(".dkr-ecr.");
        (!ecr && host.contains('.')).then(|| safe(host)).flatten()
    });
    let custom_resolver = ctx
        .resolvers
        .iter()
        .find(|r| r.kind == ResolverKind::Custom)
        .and_then(|r| {
            let ip = r.address.rsplit_once(':').map_or(&*r.address, |(ip, _)| ip);
            safe(ip.trim_start_matches('[').trim_end_matches(']'))
        });
    Facts {
        region,
        service,
        private_target,
        port: ev.port,
        subnet_cidr: ctx
            .task
            .as_ref()
            .and_then(|t| t.subnet_cidr.as_deref())
            .and_then(safe),
        role_arn,
        role_name,
        action,
        resource,
        account,
        repository,
        image_region,
        task_region,
        upstream_registry,
        custom_resolver,
        denied_by: ev.denied_by.map(|d| d.as_str().to_string()),
        kms_key: ev.kms_key_id.as_deref().and_then(safe),
    }
}

/// The facts `explain` has for a cause it read in a stoppedReason: the region, the
/// endpoint service, the address dialled, and what an AccessDenied in the text names.
pub fn of_reason(
    region_name: Option<&str>,
    service: Option<&str>,
    address: Option<&str>,
    text: &str,
) -> Facts {
    let private_target = address.and_then(|a| {
        let ip = a.rsplit_once(':').map_or(a, |(ip, _)| ip);
        match ip
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .ok()?
        {
            std::net::IpAddr::V4(v4) => Some(v4.is_private()),
            std::net::IpAddr::V6(v6) => Some((v6.segments()[0] & 0xfe00) == 0xfc00),
        }
    });
    // The AccessDenied's principal, or the role ECS could not assume for an EBS volume
    // ("ECS was unable to assume the configured ECS Infrastructure Role '<arn>'").
    let who = text
        .find("User: ")
        .and_then(|at| text[at + 6..].split_whitespace().next())
        .or_else(|| {
            let at = text.find("Infrastructure Role '")? + "Infrastructure Role '".len();
            text[at..].split('\'').next()
        });
    let (role_arn, role_name) = who.map(role).unwrap_or((None, None));
    let region_name = region_name.and_then(region);
    Facts {
        region: region_name.clone(),
        service: service.and_then(safe),
        private_target,
        role_arn,
        role_name,
        action: denied_action(Some(text)),
        resource: denied_resource(Some(text)),
        image_region: region_name,
        ..Facts::default()
    }
}

/// "… is not authorized to perform: <action> …" of an AccessDenied message.
fn denied_action(message: Option<&str>) -> Option<String> {
    let m = message?;
    let at = m.find("perform: ")? + "perform: ".len();
    let word = m[at..].split_whitespace().next()?;
    let word = word.trim_end_matches([',', '.', ';']);
    safe(word).filter(|w| w.contains(':'))
}

/// "… on resource: <arn> …" of an AccessDenied message.
fn denied_resource(message: Option<&str>) -> Option<String> {
    let m = message?;
    let at = m.find("on resource: ")? + "on resource: ".len();
    let word = m[at..].split_whitespace().next()?;
    let word = word.trim_end_matches([',', '.', ';']);
    safe(word).filter(|w| w.starts_with("arn:") || *w == "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_name_their_endpoint_service() {
        let s = |h: &str| service_of_host(h).map(|(s, r)| format!("{s} {r}"));
        assert_eq!(
            s("api.ecr.us-east-1.amazonaws.com").as_deref(),
            Some("ecr.api us-east-1")
        );
        assert_eq!(
            s("1234.dkr.ecr.eu-west-1.amazonaws.com").as_deref(),
            Some("ecr.dkr eu-west-1")
        );
        assert_eq!(
            s("prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com@1.2.3.4").as_deref(),
            Some("s3 us-east-1")
        );
        assert_eq!(
            s("fs-0123.efs.us-east-1.amazonaws.com").as_deref(),
            Some("elasticfilesystem us-east-1")
        );
        assert_eq!(
            s("ssm.us-gov-west-1.amazonaws.com").as_deref(),
            Some("ssm us-gov-west-1")
        );
        assert_eq!(s("example.com"), None);
    }

    #[test]
    fn hostile_values_never_pass() {
        for bad in [
            "a'b", "a b", "$(id)", "`id`", "a\nb", "a;b", "<x>", "a\"b", "a\\b", "",
        ] {
            assert_eq!(safe(bad), None, "{bad:?}");
        }
        assert_eq!(
            safe("arn:aws:iam::1:role/x").as_deref(),
            Some("arn:aws:iam::1:role/x")
        );
    }

    #[test]
    fn an_assumed_role_becomes_its_role_arn() {
        assert_eq!(
            role("arn:aws:sts::111122223333:assumed-role/exec-role/abc"),
            (
                Some("arn:aws:iam::111122223333:role/exec-role".to_string()),
                Some("exec-role".to_string())
            )
        );
        assert_eq!(role("exec'role"), (None, None));
    }

    #[test]
    fn access_denied_names_action_and_resource() {
        let m = "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:1:repository/app because no VPC endpoint policy allows the ecr:BatchGetImage action";
        assert_eq!(denied_action(Some(m)).as_deref(), Some("ecr:BatchGetImage"));
        assert_eq!(
            denied_resource(Some(m)).as_deref(),
            Some("arn:aws:ecr:us-east-1:1:repository/app")
        );
        assert_eq!(
            denied_action(Some("perform: ecr:X'$(id) on")).as_deref(),
            None
        );
    }
}
