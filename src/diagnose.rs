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
use crate::code;
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

// ---------------------------------------------------------------- names

pub use crate::aws::{is_s3_host, starport_bucket_host};

// ---------------------------------------------------------------- AWS errors

// docs/aws-facts.md#endpoint-policies, #access-denied-wording.
value_set! {
    /// Which policy an AWS AccessDenied message says denied the call. AWS words this in
    /// the message, e.g. "… because no VPC endpoint policy allows the
    /// ecr:GetAuthorizationToken action".
    pub enum DeniedBy {
        /// No identity-based policy of the role allows the action.
        IdentityPolicy = "identity_policy",
        /// No VPC endpoint policy allows it.
        VpcEndpointPolicy = "vpc_endpoint_policy",
        /// An explicit Deny, in whichever policy type the message names.
        ExplicitDeny = "explicit_deny",
        /// No service control policy of the organization allows it.
        ServiceControlPolicy = "service_control_policy",
        /// No resource-based policy (the repository policy) allows it.
        ResourcePolicy = "resource_policy",
        /// The role's permissions boundary does not allow it.
        PermissionsBoundary = "permissions_boundary",
        /// The session policy does not allow it.
        SessionPolicy = "session_policy",
        /// The message does not say.
        Unknown = "unknown",
    }
}

pub fn denied_by(message: &str) -> DeniedBy {
    let m = message.to_ascii_lowercase();
    // An explicit deny names the policy type too ("with an explicit deny in a VPC
    // endpoint policy"); the explicit deny is the more useful fact.
    if m.contains("explicit deny") {
        DeniedBy::ExplicitDeny
    } else if m.contains("vpc endpoint policy") {
        DeniedBy::VpcEndpointPolicy
    } else if m.contains("service control policy") {
        DeniedBy::ServiceControlPolicy
    } else if m.contains("permissions boundary") {
        DeniedBy::PermissionsBoundary
    } else if m.contains("session policy") {
        DeniedBy::SessionPolicy
    } else if m.contains("identity-based policy") {
        DeniedBy::IdentityPolicy
    } else if m.contains("resource-based policy") {
        DeniedBy::ResourcePolicy
    } else {
        DeniedBy::Unknown
    }
}

/// The IAM action an AccessDenied message names ("perform: ecr:BatchGetImage on …").
pub fn denied_action(message: &str) -> Option<&str> {
    let rest = message.split("perform: ").nth(1)?;
    rest.split_whitespace().next()
}

pub fn auth_denied(gate: DeniedBy, action: &str, service: Service, region: &str) -> Cause {
    let endpoint = service.endpoint_service(region);
    match gate {
        DeniedBy::VpcEndpointPolicy => Cause::new(
            code!("auth.denied_endpoint_policy"),
            format!(
                "the network path works; the policy of the VPC endpoint {endpoint} does not allow {action}: add an Allow for it (ECR needs ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) for the pulling role"
            ),
        ),
        DeniedBy::ExplicitDeny => Cause::new(
            code!("auth.denied_explicit"),
            format!(
                "the network path works; an explicit Deny on {action} applies (the message names the policy type: identity, VPC endpoint {endpoint}, SCP or boundary); an Allow elsewhere cannot override it"
            ),
        ),
        DeniedBy::ServiceControlPolicy => Cause::new(
            code!("auth.denied_scp"),
            format!(
                "the network path works; a service control policy of the organization denies {action}: ask the organization's administrators"
            ),
        ),
        DeniedBy::IdentityPolicy => Cause::new(
            code!("auth.denied_identity_policy"),
            format!(
                "the network path works; the role has no policy allowing {action}: attach AmazonECSTaskExecutionRolePolicy (Fargate execution role) or AmazonEC2ContainerRegistryReadOnly (EC2 instance role), or an equivalent Allow"
            ),
        ),
        DeniedBy::PermissionsBoundary | DeniedBy::SessionPolicy => Cause::new(
            code!("auth.denied_boundary"),
            format!(
                "the network path works; a permissions boundary or session policy does not allow {action}"
            ),
        ),
        DeniedBy::ResourcePolicy => Cause::new(
            code!("auth.denied_resource_policy"),
            format!(
                "the network path works; the repository policy does not allow {action} for this role"
            ),
        ),
        DeniedBy::Unknown => Cause::new(
            code!("auth.denied"),
            format!(
                "the network path works; {action} was denied (IAM role policy, VPC endpoint policy of {endpoint}, SCP, or aws:SourceVpc/aws:SourceVpce conditions)"
            ),
        ),
    }
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
            if msg.contains("perform:") {
                let action = denied_action(msg).unwrap_or("ecr:BatchGetImage");
                let gate = denied_by(msg);
                let mut c = auth_denied(gate, action, Service::Dkr, region);
                if gate == DeniedBy::Unknown
                    || gate == DeniedBy::IdentityPolicy
                    || gate == DeniedBy::ResourcePolicy
                {
                    c.code = code!("registry.denied");
                }
                c
            } else {
                Cause::new(
                    code!("registry.denied"),
                    format!(
                        "the registry denied access ({msg}): the role needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository, allowed by the role policy, the repository policy, the ecr.dkr endpoint policy and any aws:SourceVpc/aws:SourceVpce conditions"
                    ),
                )
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
            (
                "with an explicit deny in a VPC endpoint policy",
                DeniedBy::ExplicitDeny,
            ),
            (
                "with an explicit deny in a service control policy",
                DeniedBy::ExplicitDeny,
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
        for (tail, want) in cases {
            assert_eq!(denied_by(&format!("{base}{tail}")), want, "{tail}");
        }
        assert_eq!(denied_by("Access Denied"), DeniedBy::Unknown);
        assert_eq!(
            denied_action(&format!("{base}x")),
            Some("ecr:GetAuthorizationToken")
        );
        let c = auth_denied(
            DeniedBy::VpcEndpointPolicy,
            "ecr:GetAuthorizationToken",
            Service::Api,
            "us-east-1",
        );
        assert_eq!(c.code, "auth.denied_endpoint_policy");
        assert!(c.hint.contains("com.amazonaws.us-east-1.ecr.api"));
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
