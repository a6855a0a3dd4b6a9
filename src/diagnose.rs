//! Pure knowledge: how to classify what the network said, and which cause and hint a
//! finding maps to. Every function here is a pure function of its inputs, so the
//! probe's AWS knowledge is unit-tested without a network.
//!
//! Cause codes are a stable, machine-readable contract (`dns.public_address`, …); the
//! hints are for people and may be reworded.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::aws::Service;
use crate::causes::Code;
use crate::causes::code;
use crate::value_set::value_set;

/// A stable cause code and the advice that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// A row of [`crate::causes::CATALOGUE`]; `code.as_str()` is the wire's `cause`.
    pub code: Code,
    pub hint: String,
}

impl Cause {
    pub fn new(code: Code, hint: impl Into<String>) -> Self {
        Cause {
            code,
            hint: hint.into(),
        }
    }
}

// ---------------------------------------------------------------- addresses

value_set! {
    /// Where an address lives, as far as a VPC is concerned.
    pub enum Scope {
        /// RFC 1918 / IPv6 unique-local.
        Private = "private",
        /// Inside a configured VPC CIDR or the task's subnet (may be public space).
        Vpc = "vpc",
        /// 100.64.0.0/10 (carrier-grade NAT space, usable as a VPC secondary CIDR).
        Shared = "shared",
        /// 169.254.0.0/16 / fe80::/10 (e.g. the ECS and EC2 metadata endpoints).
        LinkLocal = "link_local",
        /// 127.0.0.0/8 / ::1.
        Loopback = "loopback",
        /// Anything else: outside the VPC, reachable only through a NAT.
        Public = "public",
    }
}

impl Scope {
    pub fn is_private(self) -> bool {
        self != Scope::Public
    }
}

/// Classify an address. A VPC may use public address space (docs/aws-facts.md#vpc-public-cidr: a VPC on
/// 20.10.0.0/16), so the VPC's own CIDRs are checked before the public/private split.
pub fn classify_ip(ip: IpAddr, vpc_cidrs: &[IpNet]) -> Scope {
    if vpc_cidrs.iter().any(|n| n.contains(&ip)) {
        return Scope::Vpc;
    }
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Scope::Loopback
            } else if v4.is_link_local() {
                Scope::LinkLocal
            } else if v4.is_private() {
                Scope::Private
            } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
                Scope::Shared
            } else {
                Scope::Public
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_ip(IpAddr::V4(v4), vpc_cidrs);
            }
            let seg0 = v6.segments()[0];
            if v6.is_loopback() {
                Scope::Loopback
            } else if (seg0 & 0xffc0) == 0xfe80 {
                Scope::LinkLocal
            } else if (seg0 & 0xfe00) == 0xfc00 {
                Scope::Private
            } else {
                Scope::Public
            }
        }
    }
}

// docs/aws-facts.md#route53-resolver-only.
value_set! {
    /// How a DNS server relates to the VPC resolver.
    pub enum ResolverKind {
        /// 169.254.169.253, fd00:ec2::253 or the VPC base + 2.
        VpcResolver = "vpc_resolver",
        /// A private address ending in .2 (the VPC base + 2 of a VPC the probe was not told of).
        LikelyVpcResolver = "likely_vpc_resolver",
        /// A loopback stub (e.g. systemd-resolved), forwarding elsewhere.
        LocalStub = "local_stub",
        /// Any other server: it must forward `amazonaws.com` to the VPC resolver.
        Custom = "custom",
    }
}

value_set! {
    /// What a name must resolve to.
    pub enum DnsExpectation {
        /// An interface endpoint name: an address inside the VPC.
        Private = "private",
        /// S3 with a gateway endpoint keeps its public addresses.
        Any = "any",
    }
}

/// How a DNS server relates to the VPC resolver (docs/aws-facts.md#route53-resolver-only).
pub fn resolver_kind(ip: IpAddr, vpc_cidrs: &[IpNet]) -> ResolverKind {
    let vpc_base_plus_two = vpc_cidrs.iter().any(|n| match (n.network(), ip) {
        (IpAddr::V4(net), IpAddr::V4(v4)) => u32::from(net).wrapping_add(2) == u32::from(v4),
        _ => false,
    });
    match ip {
        _ if ip == IpAddr::from([169, 254, 169, 253]) => ResolverKind::VpcResolver,
        IpAddr::V6(v6) if v6.segments() == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253] => {
            ResolverKind::VpcResolver
        }
        _ if vpc_base_plus_two => ResolverKind::VpcResolver,
        _ if ip.is_loopback() => ResolverKind::LocalStub,
        IpAddr::V4(v4) if v4.octets()[3] == 2 && classify_ip(ip, &[]).is_private() => {
            ResolverKind::LikelyVpcResolver
        }
        _ => ResolverKind::Custom,
    }
}

// ---------------------------------------------------------------- AWS errors

use crate::denial::{Denial, DeniedBy};

/// Who makes the task's own calls through a service's endpoint: a column of the
/// service table (the sidecars and FireLens outputs sign with the task role).
fn calling_role(service: Service) -> &'static str {
    if service.spec().by_task_role {
        "the task role (the sidecar's own calls)"
    } else {
        "the pulling role (the task execution role on Fargate)"
    }
}

/// The cause for an AccessDenied, one per policy type: each type has its own owner
/// and its own fix, and an explicit Deny is fixed by narrowing the Deny, not by adding
/// an Allow. `fallback_action` names the call when the message does not.
pub fn denial_cause(d: &Denial, service: Service, region: &str, fallback_action: &str) -> Cause {
    let action = d.action.as_deref().unwrap_or(fallback_action);
    let endpoint = service.endpoint_service(region);
    let needed = service.spec().actions.replace("<region>", region);
    let who = d
        .principal
        .as_deref()
        .map(|p| format!(" for {p}"))
        .unwrap_or_default();
    let which = d
        .policy_arn
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    let via = if d.transitive {
        ", inherited through the organization's hierarchy"
    } else {
        ""
    };
    let explicit = d.is_explicit();
    let fix = |allow: String| {
        if explicit {
            format!(
                "an explicit Deny{which} matches{via}: narrow or remove that Deny statement (no Allow overrides it)"
            )
        } else {
            allow
        }
    };
    let path = "the network path works";
    let hint = match d.by {
        DeniedBy::VpcEndpointPolicy => format!(
            "{path}; the policy of the VPC endpoint {endpoint} denies {action}{who}: {}",
            fix(format!(
                "add an Allow for {needed} for {}",
                calling_role(service)
            ))
        ),
        DeniedBy::ServiceControlPolicy => format!(
            "{path}; a service control policy of the organization{which} denies {action}{who}{via}: SCPs are set in AWS Organizations, not in this account; ask its administrators to {}",
            if explicit {
                "narrow the Deny"
            } else {
                "allow the action in the SCPs on this account's path"
            }
        ),
        DeniedBy::ResourceControlPolicy => format!(
            "{path}; {} resource control policy of the organization{which} denies {action}{who}{via}: RCPs are set in AWS Organizations; ask its administrators (RCP conditions such as aws:SourceVpce must match this endpoint)",
            if explicit {
                "an explicit Deny in a"
            } else {
                "a"
            }
        ),
        DeniedBy::IdentityPolicy => format!(
            "{path}; the role's identity policies{who} do not allow {action}: {}",
            fix(match service {
                // An action the managed policies do not grant (awslogs-create-group's
                // logs:CreateLogGroup): attaching them would not fix it.
                Service::Api | Service::Dkr | Service::S3 | Service::Logs
                    if d.action.as_deref().is_some_and(|a| !needed.contains(a)) =>
                {
                    let also = if action.eq_ignore_ascii_case("logs:CreateLogGroup") {
                        " (only `awslogs-create-group: true` calls it: or create the log group beforehand and drop that option)"
                    } else {
                        ""
                    };
                    format!(
                        "add an Allow for {action} to the role: AmazonECSTaskExecutionRolePolicy does not grant it{also}"
                    )
                }
                Service::Api | Service::Dkr | Service::S3 | Service::Logs => format!(
                    "attach AmazonECSTaskExecutionRolePolicy (Fargate execution role) or AmazonEC2ContainerRegistryReadOnly (EC2 instance role), or an Allow for {needed}"
                ),
                _ => format!(
                    "add an Allow for {needed} to the role (for a task's secrets: its execution role)"
                ),
            })
        ),
        DeniedBy::PermissionsBoundary => format!(
            "{path}; the role's permissions boundary{which} does not allow {action}{who}: {}",
            fix(
                "allow the action in the boundary policy as well as in the role's policies"
                    .to_string()
            )
        ),
        DeniedBy::SessionPolicy => format!(
            "{path}; the session policy passed when the role was assumed does not allow {action}{who}: {}",
            fix(
                "whoever assumes the role (AssumeRole's Policy/PolicyArns) must allow it"
                    .to_string()
            )
        ),
        DeniedBy::ResourcePolicy => format!(
            "{path}; the resource's own policy (repository, bucket, secret or key policy) does not allow {action}{who}: {}",
            fix("allow the pulling role in the resource policy".to_string())
        ),
        DeniedBy::ExplicitDeny => format!(
            "{path}; an explicit Deny{which} on {action}{who} applies and the message does not name its policy type (identity, VPC endpoint {endpoint}, SCP, RCP or boundary): no Allow elsewhere overrides it"
        ),
        DeniedBy::Unknown => format!(
            "{path}; {action} was denied{who} and AWS did not say by which policy (the role's policies, the VPC endpoint policy of {endpoint}, SCPs, or aws:SourceVpc/aws:SourceVpce conditions)"
        ),
    };
    Cause::new(denial_code(d.by), hint)
}

/// The cause code for each policy type an AccessDenied names.
pub fn denial_code(by: DeniedBy) -> Code {
    match by {
        DeniedBy::VpcEndpointPolicy => code!("auth.denied_endpoint_policy"),
        DeniedBy::ServiceControlPolicy => code!("auth.denied_scp"),
        DeniedBy::ResourceControlPolicy => code!("auth.denied_rcp"),
        DeniedBy::IdentityPolicy => code!("auth.denied_identity_policy"),
        DeniedBy::PermissionsBoundary => code!("auth.denied_boundary"),
        DeniedBy::SessionPolicy => code!("auth.denied_session_policy"),
        DeniedBy::ResourcePolicy => code!("auth.denied_resource_policy"),
        DeniedBy::ExplicitDeny => code!("auth.denied_explicit"),
        DeniedBy::Unknown => code!("auth.denied"),
    }
}

/// SigV4's clock window for most services (S3 and STS allow 15 minutes), in ms
/// (docs/aws-facts.md#sigv4-clock-skew).
pub const SIGV4_WINDOW_MS: u64 = 5 * 60 * 1000;

/// The clock is off: `skew_ms` is the server's `Date` minus the local clock, when known.
pub fn clock_skew(skew_ms: Option<i64>) -> Cause {
    let seen = match skew_ms {
        Some(ms) => format!(
            "the local clock is {:.0} s {} AWS's",
            (ms.unsigned_abs() as f64) / 1000.0,
            if ms > 0 { "behind" } else { "ahead of" }
        ),
        None => "AWS says the request's time is outside its window".to_string(),
    };
    Cause::new(
        code!("clock.skew"),
        format!(
            "{seen}: SigV4 refuses requests more than 5 minutes off (15 for S3 and STS), so signed calls and presigned layer URLs fail; sync the clock (Amazon Time Sync Service 169.254.169.123 with chrony)"
        ),
    )
}

/// Whether an AWS error says the request's time was outside the signing window:
/// S3's `RequestTimeTooSkewed`, "Signature expired: … is now earlier than …" (JSON
/// and Query services), "Signature not yet current", "Request is not yet valid".
pub fn says_clock_skew(code: &str, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    code == "RequestTimeTooSkewed"
        || m.contains("signature expired")
        || m.contains("signature not yet current")
        || m.contains("request is not yet valid")
        || m.contains("difference between the request time and the current time is too large")
}

// ---------------------------------------------------------------- network causes

pub fn dns_public(host: &str, service: Service, region: &str, resolver_custom: bool) -> Cause {
    if service == Service::Efs {
        return Cause::new(
            code!("dns.public_address"),
            format!(
                "{host} resolves to a public address: EFS names resolve to a mount target only inside the VPC (the Route 53 Resolver, DNS hostnames enabled) and only where the file system has a mount target in this AZ"
            ),
        );
    }
    let endpoint = service.endpoint_service(region);
    let dns = if resolver_custom {
        " This task uses a custom DNS server: it must forward amazonaws.com to the VPC resolver (169.254.169.253 or the VPC base + 2), or the endpoint's private names stay invisible."
    } else {
        ""
    };
    Cause::new(
        code!("dns.public_address"),
        format!(
            "{host} resolves to a public address, so a task without NAT cannot reach it: create the interface endpoint {endpoint} with private DNS enabled (the VPC needs enableDnsSupport and enableDnsHostnames).{dns}"
        ),
    )
}

/// Another region's endpoint name resolving to a public address: an interface endpoint
/// in this VPC serves only the task's region, so it is named as cross-region with the
/// endpoint service of that region that is missing.
pub fn dns_cross_region(host: &str, service: Service, region: &str, task_region: &str) -> Cause {
    let endpoint = service.endpoint_service(region);
    Cause::new(
        code!("dns.cross_region_endpoint"),
        format!(
            "{host} is {}'s endpoint in {region}, another region than the task's ({task_region}), and it resolves to a public address: no {endpoint} endpoint is reachable from this VPC, so a cross-region read without a NAT fails. Keep the resource in {task_region}, or reach an interface endpoint {endpoint} in a VPC of {region} through peering or a transit gateway, with a private hosted zone for {host} associated with this VPC",
            service.name()
        ),
    )
}

pub fn dns_nxdomain(host: &str) -> Cause {
    Cause::new(
        code!("dns.nxdomain"),
        format!(
            "{host} does not exist for this resolver: check the region and account in the image name, and that the resolver is the VPC resolver or forwards amazonaws.com to it"
        ),
    )
}

pub fn dns_no_records(host: &str) -> Cause {
    Cause::new(
        code!("dns.no_records"),
        format!(
            "{host} exists but has no A or AAAA records for this resolver: check private hosted zones that shadow amazonaws.com names"
        ),
    )
}

pub fn dns_timeout(server: &str) -> Cause {
    Cause::new(
        code!("dns.timeout"),
        format!(
            "the DNS server {server} did not answer: check that the VPC has enableDnsSupport, that a custom DNS server is up and reachable on UDP/TCP 53 (security group, NACL)"
        ),
    )
}

pub fn dns_rcode(code: Code, rcode: &str, server: &str) -> Cause {
    Cause::new(
        code,
        format!(
            "the DNS server {server} answered {rcode}: a custom DNS server is failing or refusing; forward amazonaws.com to the VPC resolver"
        ),
    )
}

pub fn tcp_timeout(host: &str, addr: &str, service: Service, region: &str, private: bool) -> Cause {
    let endpoint = service.endpoint_service(region);
    let hint = match (service, private) {
        (Service::S3, false) => format!(
            "connecting to {addr} ({host}) timed out: no route to S3 from this subnet. Associate the S3 gateway endpoint {endpoint} with this subnet's route table, and allow egress to the S3 prefix list (pl-…) on 443 in the task's security group and NACL"
        ),
        (Service::Efs, _) => format!(
            "connecting to {addr} ({host}) timed out: the security group of the file system's mount target in this AZ must allow inbound TCP 2049 (NFS) from this subnet (and the task's security group egress and the NACLs must allow it)"
        ),
        (_, true) => format!(
            "connecting to {addr} ({host}) timed out: the security group of the {endpoint} endpoint must allow inbound TCP 443 from this subnet (and the task's security group egress and the NACLs must allow it)"
        ),
        (_, false) => format!(
            "connecting to the public address {addr} ({host}) timed out: there is no NAT; create the interface endpoint {endpoint} with private DNS so the name resolves inside the VPC"
        ),
    };
    Cause::new(code!("tcp.timeout"), hint)
}

pub fn tcp_refused(host: &str, addr: &str) -> Cause {
    Cause::new(
        code!("tcp.refused"),
        format!(
            "{addr} ({host}) refused the connection: something answers at that address but not on that port; check that the address is the endpoint's network interface and not another host, firewall or proxy"
        ),
    )
}

pub fn tcp_unreachable(host: &str, addr: &str) -> Cause {
    Cause::new(
        code!("tcp.unreachable"),
        format!(
            "{addr} ({host}) is unreachable from this subnet: no route in the subnet's route table"
        ),
    )
}

/// The cause code of a TLS failure `net::tls` classified. It names failures in its own
/// words; the catalogue's codes are decided here, so an unknown word is a handshake
/// failure rather than a code the table lacks.
pub fn tls_code(classified: &str) -> Code {
    match classified {
        "tls.untrusted" => code!("tls.untrusted"),
        "tls.name_mismatch" => code!("tls.name_mismatch"),
        "tls.expired" => code!("tls.expired"),
        "tls.not_yet_valid" => code!("tls.not_yet_valid"),
        _ => code!("tls.handshake_failed"),
    }
}

// ---------------------------------------------------------------- registry

/// Map a registry API error code (distribution spec) and HTTP status to a cause.
pub fn registry_error(
    status: u16,
    code: Option<&str>,
    message: Option<&str>,
    what: &str,
    region: &str,
) -> Cause {
    let msg = message.unwrap_or_default();
    match (status, code) {
        (_, Some("MANIFEST_UNKNOWN")) => Cause::new(
            code!("registry.manifest_unknown"),
            format!(
                "the registry has no {what}: check the tag or digest (an image pushed by digest only, a deleted tag, or a lifecycle policy)"
            ),
        ),
        (_, Some("BLOB_UNKNOWN")) => Cause::new(
            code!("registry.blob_unknown"),
            "the registry does not have a layer the manifest lists: the image is incomplete; push it again",
        ),
        (_, Some("NAME_UNKNOWN")) => Cause::new(
            code!("registry.name_unknown"),
            "the repository does not exist in this registry: check the repository name, the account and the region (VPC endpoints do not serve other regions)",
        ),
        (_, Some("TOOMANYREQUESTS")) | (429, _) => Cause::new(
            code!("registry.too_many_requests"),
            "the registry throttles: retry with backoff; many tasks starting at once pull the same image",
        ),
        (401, _) | (_, Some("UNAUTHORIZED")) => Cause::new(
            code!("registry.unauthorized"),
            "the registry rejected the credentials: the token is for another registry or expired, or the Authorization header was lost on the way (a proxy or TLS inspection in the path)",
        ),
        (403, _) | (_, Some("DENIED")) => {
            let denial = crate::denial::read(msg);
            if denial.by == DeniedBy::Unknown {
                Cause::new(
                    code!("registry.denied"),
                    format!(
                        "the registry denied access ({msg}): the role needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository, allowed by the role policy, the repository policy, the ecr.dkr endpoint policy and any aws:SourceVpc/aws:SourceVpce conditions"
                    ),
                )
            } else {
                let mut cause = denial_cause(&denial, Service::Dkr, region, "ecr:BatchGetImage");
                if let Some((theirs, mine, arn)) = crate::denial::cross_account(msg) {
                    // A policy written for "our repositories" refuses the images other
                    // accounts publish (App Mesh's Envoy is in AWS's own account).
                    cause.hint.push_str(&format!(
                        ". The repository is in account {theirs}, not {mine}: a cross-account pull, so the policy must also allow {arn}"
                    ));
                }
                cause
            }
        }
        _ => Cause::new(
            code!("registry.unexpected_status"),
            format!(
                "the registry answered HTTP {status} for the {what}: a proxy, TLS inspection or another service may be answering instead of the ecr.dkr endpoint"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_addresses() {
        assert_eq!(classify_ip(ip("10.0.1.101"), &[]), Scope::Private);
        assert_eq!(classify_ip(ip("172.31.0.5"), &[]), Scope::Private);
        assert_eq!(classify_ip(ip("192.168.3.4"), &[]), Scope::Private);
        assert_eq!(classify_ip(ip("100.64.0.9"), &[]), Scope::Shared);
        assert_eq!(classify_ip(ip("100.128.0.9"), &[]), Scope::Public);
        assert_eq!(classify_ip(ip("172.40.1.94"), &[]), Scope::Public);
        assert_eq!(classify_ip(ip("52.94.184.143"), &[]), Scope::Public);
        assert_eq!(classify_ip(ip("169.254.170.2"), &[]), Scope::LinkLocal);
        assert_eq!(classify_ip(ip("127.0.0.1"), &[]), Scope::Loopback);
        assert_eq!(classify_ip(ip("fd00:ec2::253"), &[]), Scope::Private);
        assert_eq!(classify_ip(ip("2600:1f18::1"), &[]), Scope::Public);
        assert_eq!(classify_ip(ip("::ffff:10.1.2.3"), &[]), Scope::Private);
        // A VPC on public space (docs/aws-facts.md#vpc-public-cidr): inside the CIDR it is the VPC.
        let vpc: Vec<IpNet> = vec!["20.10.0.0/16".parse().unwrap()];
        assert_eq!(classify_ip(ip("20.10.1.141"), &vpc), Scope::Vpc);
        assert!(Scope::Vpc.is_private());
        assert!(!Scope::Public.is_private());
    }

    #[test]
    fn recognises_the_vpc_resolver() {
        let vpc: Vec<IpNet> = vec!["10.20.0.0/16".parse().unwrap()];
        use ResolverKind::*;
        assert_eq!(resolver_kind(ip("169.254.169.253"), &[]), VpcResolver);
        assert_eq!(resolver_kind(ip("fd00:ec2::253"), &[]), VpcResolver);
        assert_eq!(resolver_kind(ip("10.20.0.2"), &vpc), VpcResolver);
        assert_eq!(resolver_kind(ip("10.0.0.2"), &[]), LikelyVpcResolver);
        assert_eq!(resolver_kind(ip("10.0.0.53"), &[]), Custom);
        assert_eq!(resolver_kind(ip("8.8.8.2"), &[]), Custom);
        assert_eq!(resolver_kind(ip("127.0.0.53"), &[]), LocalStub);
    }

    #[test]
    fn reads_the_gate_from_access_denied() {
        let base = "User: arn:aws:sts::123456789012:assumed-role/exec/abc is not authorized to perform: ecr:GetAuthorizationToken on resource: * because ";
        let cases = [
            (
                "no identity-based policy allows the ecr:GetAuthorizationToken action",
                DeniedBy::IdentityPolicy,
            ),
            (
                "no VPC endpoint policy allows the ecr:GetAuthorizationToken action",
                DeniedBy::VpcEndpointPolicy,
            ),
            // An explicit deny reports the type it names (crate::denial has the kind).
            (
                "with an explicit deny in a VPC endpoint policy",
                DeniedBy::VpcEndpointPolicy,
            ),
            (
                "with an explicit deny in a service control policy",
                DeniedBy::ServiceControlPolicy,
            ),
            (
                "no service control policy allows the ecr:GetAuthorizationToken action",
                DeniedBy::ServiceControlPolicy,
            ),
            (
                "no permissions boundary allows the ecr:GetAuthorizationToken action",
                DeniedBy::PermissionsBoundary,
            ),
            (
                "no resource-based policy allows the ecr:BatchGetImage action",
                DeniedBy::ResourcePolicy,
            ),
        ];
        let read = |m: &str| crate::denial::read(m);
        for (tail, want) in cases {
            assert_eq!(read(&format!("{base}{tail}")).by, want, "{tail}");
        }
        assert_eq!(read("Access Denied").by, DeniedBy::Unknown);
        let d = read(&format!(
            "{base}no VPC endpoint policy allows the ecr:GetAuthorizationToken action"
        ));
        assert_eq!(d.action.as_deref(), Some("ecr:GetAuthorizationToken"));
        let c = denial_cause(&d, Service::Api, "us-east-1", "ecr:GetAuthorizationToken");
        assert_eq!(c.code, "auth.denied_endpoint_policy");
        assert!(c.hint.contains("com.amazonaws.us-east-1.ecr.api"));
        // An action the managed policy does not grant is named, not the policy.
        let logs_hint = |action: &str| {
            let d = read(&format!(
                "User: arn:aws:sts::111122223333:assumed-role/exec/abc is not authorized to perform: {action} on resource: arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:x because no identity-based policy allows the {action} action"
            ));
            denial_cause(&d, Service::Logs, "us-east-1", "the call").hint
        };
        let create = logs_hint("logs:CreateLogGroup");
        assert!(
            create.contains("add an Allow for logs:CreateLogGroup"),
            "{create}"
        );
        assert!(create.contains("awslogs-create-group"), "{create}");
        let put = logs_hint("logs:PutLogEvents");
        assert!(
            put.contains("attach AmazonECSTaskExecutionRolePolicy"),
            "{put}"
        );
    }

    #[test]
    fn registry_errors_map_to_causes() {
        assert_eq!(
            registry_error(404, Some("MANIFEST_UNKNOWN"), None, "manifest", "us-east-1").code,
            "registry.manifest_unknown"
        );
        assert_eq!(
            registry_error(404, Some("NAME_UNKNOWN"), None, "manifest", "us-east-1").code,
            "registry.name_unknown"
        );
        assert_eq!(
            registry_error(401, None, None, "manifest", "us-east-1").code,
            "registry.unauthorized"
        );
        assert_eq!(
            registry_error(429, None, None, "manifest", "us-east-1").code,
            "registry.too_many_requests"
        );
        assert_eq!(
            registry_error(
                403,
                Some("DENIED"),
                Some("Your authorization token has expired."),
                "manifest",
                "us-east-1"
            )
            .code,
            "registry.denied"
        );
        let m = "User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: ecr:BatchGetImage on resource: arn because no VPC endpoint policy allows the ecr:BatchGetImage action";
        assert_eq!(
            registry_error(403, Some("DENIED"), Some(m), "manifest", "us-east-1").code,
            "auth.denied_endpoint_policy"
        );
        assert_eq!(
            registry_error(502, None, None, "manifest", "us-east-1").code,
            "registry.unexpected_status"
        );
    }
}
