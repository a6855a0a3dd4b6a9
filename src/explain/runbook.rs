//! The findings of AWS Support's runbook AWSSupport-TroubleshootECSTaskFailedToStart,
//! whose "Task Failure Reason Analysis" users paste beside (or instead of) the stopped
//! reason. Each paragraph is one finding about one service's path, in the runbook's own
//! fixed sentences ("The registry domain [<host>] encountered socket connection
//! failure…", "VPC Endpoint (<service>) Security Group (<sg>) is not allowing the
//! Inbound traffic.", "…However missing endpoint/s {'s3'}"): read here as the need,
//! the endpoint service and the cause, so the fix and the confirm are the probe's.

use super::Need;
use crate::causes::{Code, code};

/// What one finding of the runbook says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    pub need: Need,
    pub service: &'static str,
    pub kind: Kind,
}

/// The runbook's kinds of finding, by its sentences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// "encountered socket connection failure for DNS Resolved IP(s)": it dialled the
    /// service's addresses from the task's network settings and got no connection.
    NoConnection,
    /// "is not allowed in the egress of Security Group/s", "Security Group rules for
    /// […] are not allowing the egress traffic": the task's security group.
    TaskEgress,
    /// "VPC Endpoint (<service>) Security Group (<sg>) is not allowing the Inbound
    /// traffic": the interface endpoint's security group.
    EndpointInbound,
    /// "You have enabled ECR related private endpoints […], However missing endpoint/s
    /// {…}": the endpoint is not there at all.
    MissingEndpoint,
    /// "The route table <rtb> associated with Task Subnet <subnet> does not have network
    /// access either via Internet Gateway or Nat Gateway": only endpoints remain.
    NoRoute,
    /// "The resource based policy for the ECR repository [<name>] may be missing
    /// permissions to pull the image": the repository policy.
    RepositoryPolicy,
}

const SENTENCES: &[(&str, Kind)] = &[
    ("encountered socket connection failure", Kind::NoConnection),
    (
        "is not allowed in the egress of security group",
        Kind::TaskEgress,
    ),
    ("are not allowing the egress traffic", Kind::TaskEgress),
    ("is not allowing the inbound traffic", Kind::EndpointInbound),
    ("however missing endpoint", Kind::MissingEndpoint),
    (
        "does not have network access either via internet gateway or nat gateway",
        Kind::NoRoute,
    ),
    (
        "may be missing permissions to pull the image",
        Kind::RepositoryPolicy,
    ),
];

/// The runbook's finding in `lower` (a reason's text in lower case), when it is one.
pub fn read(lower: &str) -> Option<Finding> {
    let kind = SENTENCES
        .iter()
        .find(|(s, _)| lower.contains(s))
        .map(|(_, k)| *k)?;
    let named = match kind {
        // The set after "missing endpoint/s" names what is missing: `{'s3'}`.
        Kind::MissingEndpoint => lower
            .split_once("missing endpoint")
            .and_then(|(_, rest)| quoted(rest)),
        // "VPC Endpoint (ecr.dkr)", "[logs VPC Endpoint]", "domain [logs.<region>…]".
        _ => between(lower, "vpc endpoint (", ")")
            .or_else(|| between(lower, "[", " vpc endpoint]"))
            .map(|n| {
                n.strip_prefix("com.amazonaws.")
                    .map_or(n, |r| r.split_once('.').map_or(r, |(_, s)| s))
            })
            .or_else(|| {
                between(lower, "domain [", "]")
                    .or_else(|| between(lower, "domain name [", "]"))
                    .map(host_service)
            }),
    };
    let (need, service) = match (named, kind) {
        (Some(name), _) => service_of(name)?,
        // The route and the repository are the image's: the runbook checks the
        // registry first, and a repository is ECR's.
        (None, Kind::NoRoute | Kind::RepositoryPolicy) => (Need::ImagePull, "ecr.dkr"),
        // A finding that should name its service and does not is no finding read.
        (None, _) => return None,
    };
    Some(Finding {
        need,
        service,
        kind,
    })
}

/// The first single-quoted word in `s`.
fn quoted(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once('\'')?;
    rest.split_once('\'').map(|(w, _)| w)
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let (_, rest) = s.split_once(open)?;
    rest.split_once(close)
        .map(|(w, _)| w.trim())
        .filter(|w| !w.is_empty() && !w.contains(' '))
}

/// The endpoint service a host belongs to: `<account>.dkr.ecr.<region>…` is ecr.dkr,
/// `api.ecr.<region>…` ecr.api, another AWS name its first label (`logs`,
/// `secretsmanager`); a registry outside AWS (Docker Hub, ghcr.io) has none, and its
/// text is read as any other reason.
fn host_service(host: &str) -> &str {
    if host.contains(".dkr.ecr.") {
        "ecr.dkr"
    } else if host.starts_with("api.ecr.") {
        "ecr.api"
    } else if super::is_aws_host(host) {
        host.split('.').next().unwrap_or(host)
    } else {
        ""
    }
}

/// The need and the service name `explain` uses for an endpoint service's name; one it
/// does not know is none of a start-up step's.
fn service_of(name: &str) -> Option<(Need, &'static str)> {
    Some(match name {
        "ecr.api" => (Need::RegistryAuth, "ecr.api"),
        "ecr.dkr" => (Need::ImagePull, "ecr.dkr"),
        "s3" => (Need::ImagePull, "s3"),
        "logs" => (Need::Logs, "logs"),
        "secretsmanager" => (Need::Secrets, "secretsmanager"),
        "ssm" => (Need::Secrets, "ssm"),
        "ecs" | "ecs-agent" | "ecs-telemetry" => (Need::Agent, "ecs"),
        "elasticfilesystem" => (Need::Volumes, "efs"),
        _ => return None,
    })
}

/// The catalogue's cause for a finding: every path finding is a connection that
/// cannot open (the probe's TCP hop shows it), the repository policy a denial.
pub fn code(f: Finding) -> Code {
    match f.kind {
        Kind::RepositoryPolicy => code!("registry.denied"),
        _ => code!("tcp.timeout"),
    }
}

/// The fix for a finding, in the probe's words; `None` keeps the cause's own.
pub fn hint(f: Finding, region: &str) -> Option<String> {
    let endpoint = format!("com.amazonaws.{region}.{}", f.service);
    Some(match f.kind {
        Kind::NoConnection => return None,
        Kind::TaskEgress => format!(
            "the task's security group has no egress rule to {endpoint}'s addresses on 443: allow TCP 443 out to the endpoint's security group or the VPC's CIDR (to the S3 prefix list for the S3 gateway endpoint; to 0.0.0.0/0 through a NAT)"
        ),
        Kind::EndpointInbound => format!(
            "the interface endpoint {endpoint}'s security group must allow inbound TCP 443 from the task's security group (on EC2, the instance's) or the task subnet's CIDR"
        ),
        Kind::MissingEndpoint if f.service == "s3" => format!(
            "ECR keeps image layers in S3, so ecr.api and ecr.dkr alone do not pull an image: create the S3 gateway endpoint {endpoint}, associate it with the task subnet's route table, and allow TCP 443 out to the S3 prefix list in the task's security group"
        ),
        Kind::MissingEndpoint => format!(
            "create the interface endpoint {endpoint} with private DNS in the task's subnets, its security group allowing 443 from the task"
        ),
        Kind::NoRoute => format!(
            "the task's subnet has no route to a NAT or internet gateway, so every AWS service the task needs must be a VPC endpoint in it: com.amazonaws.{region}.ecr.api and ecr.dkr with private DNS, the S3 gateway endpoint com.amazonaws.{region}.s3 on the subnet's route table with 443 out to the S3 prefix list in the task's security group, and logs, secretsmanager or ssm as the task definition uses them (or add a NAT gateway route)"
        ),
        Kind::RepositoryPolicy => "the repository's own policy (resource-based) may not let the pulling role in: allow ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability for the task execution role (for another account's repository, for that account), and check the role's own policy and the ecr.dkr endpoint policy".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // From a public run of the runbook (the REGISTRY and Log Configuration checks),
    // ids changed.
    const REGISTRY: &str = "The registry domain [111122223333.dkr.ecr.ap-southeast-2.amazonaws.com] encountered socket connection failure for DNS Resolved IP(s) ['10.0.66.95', '10.0.7.74'] with same network settings used by ECS / Fargate Agent.";

    #[test]
    fn each_sentence_names_its_service_and_kind() {
        let cases: &[(&str, Need, &str, Kind)] = &[
            (REGISTRY, Need::ImagePull, "ecr.dkr", Kind::NoConnection),
            (
                "The IP's [['10.0.61.209']] resolved from domain name [logs.ap-southeast-2.amazonaws.com] is not allowed in the egress of Security Group/s [['sg-0a1b']] that is used by ECS/Fargate Agent",
                Need::Logs,
                "logs",
                Kind::TaskEgress,
            ),
            (
                "You have enabled ECR related private endpoints ['ecr.dkr', 'ecr.api'], However missing endpoint/s {'s3'}",
                Need::ImagePull,
                "s3",
                Kind::MissingEndpoint,
            ),
            (
                "VPC Endpoint (ecr.api) Security Group (sg-0a1b) is not allowing the Inbound traffic.",
                Need::RegistryAuth,
                "ecr.api",
                Kind::EndpointInbound,
            ),
            (
                "[logs VPC Endpoint]: Security Group rules for ['sg-0a1b'] are not allowing the egress traffic.",
                Need::Logs,
                "logs",
                Kind::TaskEgress,
            ),
            (
                "The route table rtb-0a1b associated with Task Subnet subnet-0a1b does not have network access either via Internet Gateway or Nat Gateway.",
                Need::ImagePull,
                "ecr.dkr",
                Kind::NoRoute,
            ),
            (
                "The resource based policy for the ECR repository [shop] may be missing permissions to pull the image.",
                Need::ImagePull,
                "ecr.dkr",
                Kind::RepositoryPolicy,
            ),
        ];
        for (text, need, service, kind) in cases {
            let f = read(&text.to_ascii_lowercase()).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (f.need, f.service, f.kind),
                (*need, *service, *kind),
                "{text}"
            );
        }
    }

    #[test]
    fn other_text_is_no_finding() {
        for text in [
            "cannotpullcontainererror: pull image manifest has been retried 5 time(s)",
            // A registry outside AWS, a service no start-up step uses, a set with no name.
            "the registry domain [registry-1.docker.io] encountered socket connection failure for dns resolved ip(s) ['1.2.3.4']",
            "vpc endpoint (sts) security group (sg-0a1b) is not allowing the inbound traffic.",
            "you have enabled ecr related private endpoints ['ecr.dkr'], however missing endpoint/s {}",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        let full = read(
            "vpc endpoint (com.amazonaws.eu-west-1.logs) security group (sg-0a1b) is not allowing the inbound traffic.",
        );
        assert_eq!(full.map(|f| f.service), Some("logs"));
    }

    #[test]
    fn the_missing_s3_endpoint_is_the_gateway_endpoint_on_the_route_table() {
        let f = Finding {
            need: Need::ImagePull,
            service: "s3",
            kind: Kind::MissingEndpoint,
        };
        let h = hint(f, "eu-west-1").unwrap_or_default();
        assert!(h.contains("com.amazonaws.eu-west-1.s3") && h.contains("prefix list"));
    }
}
