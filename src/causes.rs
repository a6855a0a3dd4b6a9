//! The cause catalogue: every cause code the probe can emit, with the hop kinds that
//! emit it, its default severity, what it means and the generic fix in AWS terms.
//!
//! This table is the single source: a [`Code`] can only name a row of it (the
//! [`code!`](crate::causes::code) macro checks the literal at compile time, so a typo does not
//! build), `docs/report-schema.md`'s "Cause codes" section is generated from it
//! ([`markdown_table`], checked by `tests/schema.rs`), and `explain` reads it. The hops
//! keep their own formatted hints, which name the host, address or endpoint at hand;
//! `fix` here is the template those hints specialise.
//!
//! Codes are a stable contract: rows are only added, never renamed or removed.

use crate::hop_kind::HopKind;

/// The default verdict of a hop that reports the cause. A hop may still choose the
/// other one for a milder or harsher variant (e.g. an S3 redirect to an unexpected
/// but valid bucket only warns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warn,
    Fail,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

/// What kind of verdict a cause gives, for the judges that act on a kind of verdict:
/// a column of the catalogue, so no reader matches on the shape of code strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A policy decided (identity, endpoint, resource, SCP, RCP, boundary, session):
    /// the verdict is about the principal that signed the request.
    Policy,
    /// Anything else: the network, the endpoint, the answer, the probe.
    Other,
}

/// What it means when this cause appears or goes between two runs (`vpce-probe diff`):
/// a column of the catalogue, so `diff` reads the row instead of matching code strings.
/// The two connect rows leave the last word to the evidence (was the address private).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    PrivateDns,
    Resolver,
    Name,
    /// No answer to a connect: a public address means no endpoint (for S3, no gateway
    /// route); a private one, the endpoint's security group.
    ConnectTimeout,
    /// A refused or unreachable connect: public as above; private, something between.
    ConnectRefused,
    SecurityGroup,
    S3Route,
    Interception,
    Policy,
    Credentials,
    Image,
    Placement,
    /// Anything else: something between the task and the endpoint.
    Middlebox,
}

/// One row of the catalogue.
#[derive(Debug)]
pub struct CauseInfo {
    /// The stable dotted code, `group.name`.
    pub code: &'static str,
    /// The hop kinds that can report it.
    pub hops: &'static [HopKind],
    pub severity: Severity,
    /// One line: what the probe saw.
    pub meaning: &'static str,
    /// The generic fix; `<region>`, `<service>` stand for the values at hand.
    pub fix: &'static str,
    /// Patterns of an ECS task's `stoppedReason` (or a container's `reason`) that show
    /// this cause: lower-case substrings, `*` for any short run between parts. Read by
    /// `vpce-probe explain` (src/explain.rs), listed in the doc's table.
    pub stopped_reasons: &'static [&'static str],
    /// Whether the probe itself reports it; `false`: only `explain` names it, from a
    /// stoppedReason, because no hop tests it yet.
    pub probed: bool,
    pub family: Family,
    pub change: Change,
}

/// A code of the catalogue. Only [`Code::lookup`] makes one, so every `Code` names a
/// row; at call sites use [`code!`](crate::causes::code), which does the lookup at compile time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(usize);

impl Code {
    /// The row whose code is `code`. `const`, so [`code!`](crate::causes::code) runs it while
    /// compiling; `explain` calls it at run time with what the user typed.
    pub const fn lookup(code: &str) -> Option<Code> {
        let mut i = 0;
        while i < CATALOGUE.len() {
            if same_bytes(CATALOGUE[i].code, code) {
                return Some(Code(i));
            }
            i += 1;
        }
        None
    }

    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    pub fn info(self) -> &'static CauseInfo {
        &CATALOGUE[self.0]
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "code!({:?})", self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The [`Code`] for a literal, checked against the catalogue while compiling:
/// `code!("dns.public_address")`. A code the table lacks is a compile error.
macro_rules! code {
    ($code:literal) => {
        const {
            match $crate::causes::Code::lookup($code) {
                Some(c) => c,
                None => panic!(concat!(
                    "cause code ",
                    $code,
                    " is not in the catalogue: add its row to src/causes.rs"
                )),
            }
        }
    };
}
/// The macro's home is the catalogue: files import `crate::causes::code`, so the
/// layering test sees the edge (an exported macro would sit at the crate root).
pub(crate) use code;

// `str` equality is not `const` yet.
const fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn codes_unique() -> bool {
    let mut i = 0;
    while i < CATALOGUE.len() {
        let mut j = i + 1;
        while j < CATALOGUE.len() {
            if same_bytes(CATALOGUE[i].code, CATALOGUE[j].code) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const _: () = assert!(codes_unique(), "a cause code appears twice in CATALOGUE");

const fn row(
    code: &'static str,
    hops: &'static [HopKind],
    severity: Severity,
    meaning: &'static str,
    fix: &'static str,
) -> CauseInfo {
    CauseInfo {
        code,
        hops,
        severity,
        meaning,
        fix,
        stopped_reasons: &[],
        probed: true,
        family: Family::Other,
        change: Change::Middlebox,
    }
}

/// A row only `explain` reports (see [`CauseInfo::probed`]).
const fn explain_row(
    code: &'static str,
    hops: &'static [HopKind],
    severity: Severity,
    meaning: &'static str,
    fix: &'static str,
) -> CauseInfo {
    let mut r = row(code, hops, severity, meaning, fix);
    r.probed = false;
    r
}

impl CauseInfo {
    /// The stoppedReason patterns of a row.
    const fn reasons(mut self, patterns: &'static [&'static str]) -> CauseInfo {
        self.stopped_reasons = patterns;
        self
    }

    /// What a change of this cause between two runs means, where not [`Change::Middlebox`].
    const fn change(mut self, change: Change) -> CauseInfo {
        self.change = change;
        self
    }

    /// The family of a row that is not [`Family::Other`].
    const fn family(mut self, family: Family) -> CauseInfo {
        self.family = family;
        self
    }
}

use Change::{
    ConnectRefused, ConnectTimeout, Credentials, Image, Interception, Name, Placement, PrivateDns,
    Resolver, S3Route, SecurityGroup,
};
use Family::Policy;
use HopKind as K;
use Severity::{Fail, Warn};

const CONTEXT: &[HopKind] = &[K::Context];
const DNS: &[HopKind] = &[K::Dns];
const TCP: &[HopKind] = &[K::Tcp];
const TLS: &[HopKind] = &[K::Tls];
const CREDENTIALS: &[HopKind] = &[K::Credentials];
const ECR_TOKEN: &[HopKind] = &[K::EcrToken];
const REGISTRY: &[HopKind] = &[K::Registry];
const MANIFEST: &[HopKind] = &[K::Manifest];
const LAYER: &[HopKind] = &[K::Layer];
const LOGS: &[HopKind] = &[K::Logs];
const SERVICE: &[HopKind] = &[K::Service];
/// The hops that speak HTTP themselves (not through the SDK).
const HTTP: &[HopKind] = &[
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Service,
];
/// The hops whose requests AWS authorises (signed calls, the registry, presigned S3
/// URLs) and whose denials are read by one reader (crate::denial). The logs hop reads
/// them too but reports its own codes: its call is the probe's, not awslogs'.
const AWS_CALLS: &[HopKind] = &[
    K::EcrToken,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Service,
];
/// Every hop with an HTTP answer from AWS, whose `Date` is compared with the local clock.
const CLOCKED: &[HopKind] = &[
    K::EcrToken,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Logs,
    K::Service,
];
/// The registry's error documents are judged on these.
const REGISTRY_ERRORS: &[HopKind] = &[K::Manifest, K::LayerRedirect];
/// A DNS failure seen by the dns hop or by an HTTP hop resolving on its own.
const DNS_AND_HTTP: &[HopKind] = &[
    K::Dns,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Service,
];
const TCP_AND_HTTP: &[HopKind] = &[
    K::Tcp,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Service,
];
const TLS_AND_HTTP: &[HopKind] = &[
    K::Tls,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Service,
];
const TOKEN_OR_SERVICE: &[HopKind] = &[K::EcrToken, K::Service];
/// Every hop the run's deadline can cut short (the context hop ends the run instead).
const UNDER_DEADLINE: &[HopKind] = &[
    K::Context,
    K::Dns,
    K::Tcp,
    K::Tls,
    K::Credentials,
    K::EcrToken,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Logs,
];

const EVERY_HOP: &[HopKind] = &[
    K::Context,
    K::Dns,
    K::Tcp,
    K::Tls,
    K::Credentials,
    K::EcrToken,
    K::Registry,
    K::Manifest,
    K::LayerRedirect,
    K::Layer,
    K::Logs,
    K::Service,
];

/// Every cause code, grouped by the part of the path it is about.
pub const CATALOGUE: &[CauseInfo] = &[
    // ---- context: known before any packet
    row(
        "config.cross_region",
        CONTEXT,
        Warn,
        "image region ≠ task region: VPC endpoints don't serve cross-region requests",
        "replicate the repository to the task's region (ECR replication) and pull from there",
    )
    .change(Placement),
    row(
        "config.custom_resolver",
        CONTEXT,
        Warn,
        "DNS is not the VPC resolver: it must forward `amazonaws.com` to it",
        "conditionally forward `amazonaws.com` to the Route 53 Resolver (169.254.169.253 or the VPC base address + 2)",
    )
    .change(Resolver),
    row(
        "config.dual_stack",
        CONTEXT,
        Warn,
        "a dual-stack name (image name or `AWS_USE_DUALSTACK_ENDPOINT`), which ECR does not serve over PrivateLink",
        "use `<account>.dkr.ecr.<region>.amazonaws.com` and unset `AWS_USE_DUALSTACK_ENDPOINT`",
    )
    .change(Placement),
    row(
        "config.fips",
        CONTEXT,
        Warn,
        "a FIPS name (image name or `AWS_USE_FIPS_ENDPOINT`), which no VPC endpoint service serves",
        "without NAT use the standard names; unset `AWS_USE_FIPS_ENDPOINT`",
    )
    .change(Placement),
    row(
        "config.ecr_public",
        CONTEXT,
        Fail,
        "`public.ecr.aws` is not an ECR private registry: unreachable without NAT",
        "create an ECR pull-through cache rule for ECR Public and pull through the private registry",
    )
    .change(Placement),
    row(
        "config.not_ecr",
        CONTEXT,
        Fail,
        "not an ECR private registry: unreachable without NAT",
        "copy the image to ECR in the VPC's region, or use a pull-through cache rule",
    )
    .reasons(&[
        "docker.io",
        "quay.io",
        "ghcr.io",
        "gcr.io",
        "registry.k8s.io",
        "mcr.microsoft.com",
        "public.ecr.aws",
    ])
    .change(Placement),
    row(
        "config.pull_through_cache",
        CONTEXT,
        Warn,
        "the first pull through a cache rule needs NAT",
        "pull each image once from a network with NAT; cached images are pulled over the VPC endpoints",
    )
    .change(Placement),
    row(
        "config.dkr_override",
        CONTEXT,
        Warn,
        "`--endpoint dkr=…` given: runtimes always use the standard name, so ecr.dkr needs private DNS regardless",
        "enable private DNS on the `com.amazonaws.<region>.ecr.dkr` interface endpoint",
    )
    .change(Placement),
    row(
        "config.malformed_region",
        CONTEXT,
        Fail,
        "the task definition names a region that is not one (`awslogs-region`, a secret's ARN, an image host)",
        "write the region as AWS names it, e.g. `us-east-1`; ECS cannot start the task as it is",
    )
    .change(Placement),
    row(
        "config.logs_cross_region",
        CONTEXT,
        Warn,
        "a container logs to another region than the task's: VPC endpoints don't serve cross-region requests",
        "set `awslogs-region` to the task's region, or give the subnet a NAT",
    )
    .change(Placement),
    row(
        "config.firelens_destination",
        CONTEXT,
        Warn,
        "a FireLens output outside AWS's VPC endpoints (Datadog, New Relic, Splunk, HTTP, forward) or an OpenSearch domain: named, not probed; the task starts without it",
        "give the subnet a NAT or the destination's own PrivateLink service (an OpenSearch VPC domain in this VPC)",
    )
    .change(Placement),
    row(
        "config.env_file",
        CONTEXT,
        Fail,
        "an `environmentFiles` value that is not an S3 object ARN: ECS cannot read it, the task does not start",
        "name the file as `arn:aws:s3:::bucket/key.env` (type `s3`)",
    )
    // agent/taskresource/envFiles/envfile.go around agent/s3/s3.go ParseS3ARN.
    .reasons(&["unable to parse bucket and key from s3 arn specified in environmentfile", "invalid s3 arn"])
    .change(Placement),
    row(
        "config.firelens_s3_config_on_fargate",
        CONTEXT,
        Fail,
        "a FireLens log router on Fargate with `config-file-type: s3`: Fargate supports only `file`",
        "put the configuration file into the log router's image and set `config-file-type` to `file` with its path",
    )
    .change(Placement),
    row(
        "config.refused_at_register",
        CONTEXT,
        Fail,
        "a value ECS's RegisterTaskDefinition refuses: a role that is neither a role name nor a role ARN (`Role is not valid`), an image with characters an image name cannot hold, a network mode or launch type ECS does not know; often a template's unfilled placeholder (`{{…}}`, `${…}`, `<…>`)",
        "fill the value in (a role ARN `arn:aws:iam::<12-digit account>:role/<name>`, an image reference, `awsvpc`/`bridge`/`host`/`none`, `EC2`/`FARGATE`/`EXTERNAL`) before registering",
    )
    .change(Placement),
    row(
        "config.malformed_value",
        CONTEXT,
        Fail,
        "a value ECS registers but the task cannot use at start: an unfilled placeholder in a secret's `valueFrom`, an S3 file's ARN or a log group, a registry id that is not 12 digits, a FireLens `role_arn` that is not a role ARN",
        "fill the value in with the real name, ARN or account before running the task",
    )
    // The agent's refusals of a `valueFrom` it cannot split (asmsecret.go's
    // getASMParametersFromInput, aws-sdk-go-v2's arn.Parse) and of a FireLens
    // `config-file-value` that is no S3 object ARN (agent/s3/s3.go ParseS3ARN).
    .reasons(&[
        "invalid arn format for the aws secrets manager secret",
        "could not find a secretsmanager secretid",
        "arn: invalid prefix",
        "arn: not enough sections",
        "invalid s3 arn",
    ])
    .change(Placement),
    row(
        "config.cross_account_secret",
        CONTEXT,
        Warn,
        "a secret or parameter in another account than the task's: readable only if its resource policy (or AWS RAM share) and its KMS key's policy allow the task execution role",
        "allow the task execution role `secretsmanager:GetSecretValue` in the secret's resource policy and `kms:Decrypt` in its customer managed key's policy (the AWS managed key cannot be shared); for SSM, share an advanced-tier parameter through AWS RAM",
    )
    .change(Placement),
    row(
        "config.firelens_role_arn",
        CONTEXT,
        Warn,
        "a FireLens output assumes a role (`role_arn`): the log router calls sts:AssumeRole with the task role; the probe checks the STS endpoint, never the assumption",
        "allow the task role `sts:AssumeRole` on that role, make the role's trust policy trust the task role, and give the subnet the `com.amazonaws.<region>.sts` interface endpoint",
    )
    .change(Placement),
    row(
        "config.old_platform",
        CONTEXT,
        Warn,
        "Fargate platform 1.3.0 or earlier: registry auth does not go through the task's ecr.api endpoint",
        "none needed for ecr.api; platform 1.4.0 and later need `com.amazonaws.<region>.ecr.api`",
    )
    .change(Placement),
    row(
        "config.image_not_probed",
        CONTEXT,
        Warn,
        "another private ECR repository of the task: its pull path is not probed in this run",
        "run the probe again with `--image` set to that image",
    )
    .change(Placement),
    row(
        "config.need_not_probed",
        CONTEXT,
        Warn,
        "a need of the task no hop of this run probed and nothing known before any packet decides (no region known, so no endpoint to try): its verdict is `skipped`, never `pass`",
        "run the probe where the task runs (its task metadata names the region), or with `--region`",
    )
    .change(Placement),
    row(
        "config.foreign_image",
        CONTEXT,
        Fail,
        "a container image of another registry than ECR private (Docker Hub, GHCR, Quay, ECR Public…): unreachable without NAT",
        "give the subnet a NAT, or create an ECR pull-through cache rule for that registry and use `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<repository>:<tag>`",
    )
    .change(Placement),
    // ---- dns
    row(
        "dns.public_address",
        DNS,
        Fail,
        "an interface endpoint name resolves to a public address (no endpoint, private DNS off, or custom DNS)",
        "create the interface endpoint `com.amazonaws.<region>.<service>` with private DNS enabled (the VPC needs enableDnsSupport and enableDnsHostnames); a custom DNS server must forward `amazonaws.com` to the VPC resolver",
    )
    .change(PrivateDns),
    row(
        "dns.cross_region_endpoint",
        DNS,
        Fail,
        "another region's endpoint name (a secret, parameter or log group in another region) resolves to a public address: no endpoint of that region is reachable from this VPC",
        "keep the resource in the task's region; or reach an interface endpoint of that region (peering or a transit gateway, a private hosted zone for its name associated with this VPC); or give the subnet a NAT",
    ),
    row(
        "dns.nxdomain",
        DNS_AND_HTTP,
        Fail,
        "the resolver says the name does not exist",
        "check the region and account in the image name, and that the resolver is the VPC resolver or forwards `amazonaws.com` to it",
    )
    .reasons(&["no such host"])
    .change(Name),
    row(
        "dns.no_records",
        DNS,
        Fail,
        "the name exists but has no A or AAAA records",
        "check private hosted zones that shadow `amazonaws.com` names",
    )
    .change(Name),
    row(
        "dns.timeout",
        DNS_AND_HTTP,
        Fail,
        "the DNS server did not answer",
        "check that the VPC has enableDnsSupport, and that a custom DNS server is up and reachable on UDP/TCP 53 (security group, NACL)",
    )
    // Go's resolver: "dial tcp: lookup <name> on <server>:53: read udp …: i/o timeout";
    // Fluent Bit's async resolver in a log router's log: "[net] getaddrinfo(host='…',
    // err=12): Timeout while contacting DNS servers" (fluent/fluent-bit src/flb_network.c).
    .reasons(&[
        "lookup * i/o timeout",
        "getaddrinfo(host=*timeout while contacting dns servers",
    ])
    .change(Resolver),
    row(
        "dns.servfail",
        DNS,
        Fail,
        "the DNS server answered SERVFAIL",
        "a custom DNS server is failing: forward `amazonaws.com` to the VPC resolver",
    )
    // Go's resolver says "lookup <name> on <server>:53: server misbehaving" for SERVFAIL
    // and for any answer code but success and NXDOMAIN (net/dnsclient_unix.go
    // checkHeader: errServerMisbehaving, errServerTemporarilyMisbehaving).
    .reasons(&["lookup * server misbehaving"])
    .change(Resolver),
    row(
        "dns.refused",
        DNS,
        Fail,
        "the DNS server answered REFUSED",
        "a custom DNS server refuses the query: forward `amazonaws.com` to the VPC resolver",
    )
    .change(Resolver),
    row(
        "dns.error",
        DNS_AND_HTTP,
        Fail,
        "another DNS error, or the server could not be asked",
        "check the resolver configuration and that UDP/TCP 53 to it is allowed",
    )
    .change(Resolver),
    // ---- tcp
    row(
        "tcp.timeout",
        TCP,
        Fail,
        "silent drop: endpoint security group / NACL (private address) or no NAT (public)",
        "allow inbound TCP 443 from this subnet in the interface endpoint's security group (and egress in the task's security group and the NACLs); for a public address create the interface endpoint with private DNS; for S3 associate the gateway endpoint with the subnet's route table",
    )
    // Linux's ETIMEDOUT ("connect: connection timed out"): the kernel gave up on the
    // SYNs, where Go's own dial deadline says "i/o timeout".
    .reasons(&["i/o timeout", "connection timed out", "] [upstream] connection * timed out", "client.timeout exceeded", "context deadline exceeded", "request canceled", "context canceled", "connection issue between the task", "send request failed"])
    .change(ConnectTimeout),
    row(
        "tcp.refused",
        TCP_AND_HTTP,
        Fail,
        "RST: something answers at the address, but not on the port",
        "check that the address is the endpoint's network interface and not another host, firewall or proxy",
    )
    .reasons(&["connection refused"]),
    row(
        "tcp.unreachable",
        TCP_AND_HTTP,
        Fail,
        "no route to the address",
        "check the subnet's route table",
    )
    .reasons(&["no route to host", "network is unreachable"])
    .change(ConnectRefused),
    row(
        "tcp.no_ipv6_route",
        TCP,
        Warn,
        "an AAAA answer this host cannot reach; clients fall back to IPv4",
        "nothing breaks while IPv4 works; give the subnet an IPv6 route to use the AAAA answers",
    ),
    // ---- tls
    row(
        "tls.untrusted",
        TLS_AND_HTTP,
        Fail,
        "the certificate is not from a trusted CA: usually TLS inspection in the path",
        "exempt `*.amazonaws.com` from TLS inspection, or pass the inspection CA with `--ca-bundle` if it is intended",
    )
    .reasons(&["x509: certificate signed by unknown authority"])
    .change(Interception),
    row(
        "tls.name_mismatch",
        TLS_AND_HTTP,
        Fail,
        "the certificate is not for the name asked: the name resolves to the wrong thing",
        "make the name resolve to the endpoint that serves it (not another endpoint, or a proxy)",
    )
    // Go's crypto/x509 HostnameError: "x509: certificate is valid for <names>, not
    // <host>", and "… is not valid for any names, but wanted to match <host>".
    .reasons(&["x509: certificate is valid for", "x509: certificate is not valid for any names"])
    .change(Interception),
    row(
        "tls.expired",
        TLS_AND_HTTP,
        Fail,
        "the certificate has expired",
        "check the clock of this host, or the TLS inspection device that issued the certificate",
    )
    // Go's crypto/x509 CertificateInvalidError{Expired}: one wording for both ends of
    // the validity window ("current time … is after …" or "is before …").
    .reasons(&["x509: certificate has expired or is not yet valid"])
    .change(Interception),
    row(
        "tls.not_yet_valid",
        TLS_AND_HTTP,
        Fail,
        "the certificate is not valid yet",
        "check the clock of this host, or the TLS inspection device that issued the certificate",
    )
    .change(Interception),
    row(
        "tls.timeout",
        TLS,
        Fail,
        "TCP works but the TLS handshake got no answer",
        "find the firewall, proxy or MTU problem in the path that swallows the handshake",
    )
    .reasons(&["tls handshake timeout"])
    .change(Interception),
    row(
        "tls.connect_failed",
        TLS,
        Fail,
        "the TCP connection that worked a moment before failed",
        "the endpoint is flapping or overloaded: run again, and check the endpoint's network interfaces",
    )
    .change(Interception),
    row(
        "tls.handshake_failed",
        TLS_AND_HTTP,
        Fail,
        "the TLS handshake failed for another reason",
        "read the message: a middlebox, or a server that does not speak TLS",
    )
    // A connection to an HTTPS URL cut after it opened (Go's url.Error `Post
    // "https://…": EOF`, a reset): the hop shows it as a handshake that fails with the
    // same io error. A bare "unexpected EOF" is as often a layer's tar stream.
    .reasons(&["connection reset by peer", "https://*: eof"])
    .change(Interception),
    // ---- credentials
    row(
        "auth.no_credentials",
        CREDENTIALS,
        Fail,
        "the AWS credential chain found no credentials",
        "on ECS give the task a task role (taskRoleArn); elsewhere use an instance profile or the usual `AWS_*` variables",
    )
    // The SDK's own words (aws-sdk-go's NoCredentialProviders), as docker's awslogs
    // driver puts them in a stoppedReason.
    .reasons(&[
        // An unsigned request (AWS's common error MissingAuthenticationToken: "Request is
        // missing Authentication Token"): the caller had no credentials to sign with.
        "missingauthenticationtoken",
        "nocredentialproviders",
        "no valid providers in chain",
        // The other SDKs' words for a chain that found nothing, as a container's own
        // SDK logs them (each SDK's default chain): botocore's NoCredentialsError, the
        // Java SDK v1's AWSCredentialsProviderChain and v2's AwsCredentialsProviderChain,
        // the JavaScript SDK v3's credential-provider-node and v2's config, the Go SDK
        // v2's ec2rolecreds when the chain fell through to the instance metadata.
        "unable to locate credentials",
        "unable to load aws credentials from any provider",
        "unable to load credentials from any of the providers",
        "could not load credentials from any providers",
        "missing credentials in config",
        "no ec2 imds role found",
        // rusoto's ChainProvider and the Ruby SDK's MissingCredentialsError; an SDK
        // that fell through to the instance metadata, which awsvpc and Fargate tasks
        // cannot use for credentials.
        "couldn't find aws credentials",
        "unable to sign request without credentials",
        "169.254.169.254",
        // smithy-kotlin's CredentialsProviderChain and aws-config's (Rust).
        "no credentials could be loaded from the chain",
        "no providers in chain provided credentials",
        // The container provider asked for by name with its variable missing from the
        // process (aws-sdk-go's shared config: "EcsContainer was specified as the
        // credential_source, but 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI' was not set"),
        // and the .NET SDK's instance-profile provider, which its chain reaches only
        // when the container provider's variable is missing (DefaultInstanceProfileAWS
        // Credentials: "Failed to retrieve credentials from EC2 Instance Metadata
        // Service", "Unable to get IAM security credentials from EC2 Instance Metadata
        // Service").
        "was specified as the credential_source, but",
        "credentials from ec2 instance metadata service",
        "defaultinstanceprofileawscredentials",
    ])
    .change(Credentials),
    row(
        "auth.credentials_error",
        CREDENTIALS,
        Fail,
        "the credentials source failed",
        "on ECS check the task role (taskRoleArn) and that the container credentials endpoint answers",
    )
    .reasons(&[
        "credentialsendpointerror",
        "failed to load credentials",
        "credentials from container-role",
        // The agent's own answers at 169.254.170.2 (ecs-agent/tmds/handlers/v1/
        // credentials_handler.go: "<prefix>Credentials not found" (InvalidIdInRequest),
        // "Credentials uninitialized for ID", older agents "ID not found"), the prefix
        // naming the handler ("CredentialsV2Request: ").
        "credentialsv2request",
        "credentialsv1request",
        "invalididinrequest",
        // The Java SDK v1's EC2CredentialsFetcher ("Unable to load credentials from
        // service endpoint", the container endpoint or the instance metadata) and the
        // .NET SDK's refresh that failed ("The retrieved credentials have already
        // expired: Now = …, Credentials expiration = …").
        "unable to load credentials from service endpoint",
        "the retrieved credentials have already expired",
        // The JavaScript SDK v3's and the PHP SDK's HTTP credential fetch, shared by the
        // container and the instance metadata providers ("Error response received from
        // instance metadata service": a status outside 2xx).
        "error response received from instance metadata service",
        // The container providers' own failures: the PHP SDK's EcsCredentialProvider
        // ("Error retrieving credential from ECS (…)"), the Ruby SDK's ECSCredentials
        // ("Error retrieving ECS Credentials: …"), the JavaScript SDK v2's
        // ECSCredentials ("Response data is not in valid format",
        // ECSCredentialsProviderFailure).
        "error retrieving credential from ecs",
        "error retrieving ecs credentials",
        "ecscredentialsproviderfailure",
    ])
    .change(Credentials),
    row(
        "auth.credentials_timeout",
        CREDENTIALS,
        Fail,
        "the credentials source did not answer",
        "on ECS the container credentials endpoint 169.254.170.2 must be reachable: add it to `NO_PROXY` when a proxy is set",
    )
    .reasons(&[
        "169.254.170.2*i/o timeout",
        "169.254.170.2*timeout exceeded",
        "timeout on endpoint url",
        // Node's net module (the JavaScript SDKs' container provider): "connect
        // ETIMEDOUT <address>:<port>".
        "etimedout 169.254.170.2",
        // The .NET SDK's container provider ("Unable to retrieve credentials. Message =
        // \"Unable to reach credentials server\"") and the Ruby SDK's read timeout.
        "unable to reach credentials server",
        "ecs credentials: net::readtimeout",
        "ecs credentials: net::opentimeout",
        // The PHP SDK's container provider over curl's "Operation/Connection timed out"
        // (CURLE_OPERATION_TIMEDOUT, 28).
        "error retrieving credential from ecs (curl error 28",
    ])
    .change(Credentials),
    row(
        "auth.credentials_expiring",
        CREDENTIALS,
        Warn,
        "the credentials expire within a minute",
        "the provider should have refreshed them: check the clock and the credentials source",
    )
    .change(Credentials),
    row(
        "auth.principal_mismatch",
        CREDENTIALS,
        Warn,
        "the probe signed as another principal than the task's execution role: IAM and endpoint-policy verdicts are about that principal",
        "run the probe with the application's execution role as its task role (`taskRoleArn`), or pass `--expect-role`",
    )
    .change(Credentials),
    // ---- any call AWS can deny: one row per policy type the AccessDenied message names
    row(
        "auth.denied_identity_policy",
        AWS_CALLS,
        Fail,
        "the role's identity policies do not allow the action (or one of them denies it explicitly)",
        "attach AmazonECSTaskExecutionRolePolicy (Fargate execution role) or AmazonEC2ContainerRegistryReadOnly (EC2 instance role), or an equivalent Allow; for an explicit Deny, narrow the Deny",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_endpoint_policy",
        AWS_CALLS,
        Fail,
        "the VPC endpoint's policy does not allow the action (or denies it explicitly): the endpoint's fault, not the role's",
        "allow the action for the pulling role in the policy of the endpoint `com.amazonaws.<region>.<service>` (ECR: ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer; S3 gateway: s3:GetObject on the starport layer bucket)",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_explicit",
        AWS_CALLS,
        Fail,
        "an explicit Deny applies and the message does not name its policy type",
        "find the Deny (identity, VPC endpoint, SCP, RCP or boundary policy) and narrow it; an Allow elsewhere cannot override it",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_scp",
        AWS_CALLS,
        Fail,
        "a service control policy of the organization denies the action",
        "SCPs live in AWS Organizations, not in the account: ask the organization's administrators (the message may name the policy's ARN)",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_rcp",
        AWS_CALLS,
        Fail,
        "a resource control policy of the organization denies the action",
        "RCPs live in AWS Organizations: ask its administrators; conditions such as `aws:SourceVpce` must match the endpoint the task uses",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_boundary",
        AWS_CALLS,
        Fail,
        "the role's permissions boundary does not allow the action",
        "allow the action in the permissions boundary as well as in the role's policies",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_session_policy",
        AWS_CALLS,
        Fail,
        "the session policy passed when the role was assumed does not allow the action",
        "whoever assumes the role (`AssumeRole` with `Policy`/`PolicyArns`) must allow the action in the session policy",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied_resource_policy",
        AWS_CALLS,
        Fail,
        "the resource's own policy (repository, bucket, secret or key policy) does not allow the action",
        "allow the pulling role in the resource policy",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "auth.denied",
        AWS_CALLS,
        Fail,
        "access denied, without naming the policy",
        "check the role policy, the VPC endpoint policy, SCPs, and `aws:SourceVpc` / `aws:SourceVpce` conditions",
    )
    .family(Policy)
    .reasons(&["accessdeniedexception", "is not authorized to perform", "access denied", "accessdenied"])
    .change(Change::Policy),
    // ---- ecr_token: other failures
    row(
        "auth.timeout",
        ECR_TOKEN,
        Fail,
        "GetAuthorizationToken got no answer",
        "create the interface endpoint `com.amazonaws.<region>.ecr.api` with private DNS and allow 443 from this subnet in its security group (Fargate platform 1.4.0+ fetches registry auth itself)",
    )
    .change(SecurityGroup),
    row(
        "auth.connect_failed",
        ECR_TOKEN,
        Fail,
        "the ECR API could not be connected to",
        "see the dns, tcp and tls hops of `api.ecr.<region>`; `com.amazonaws.<region>.ecr.api` must be reachable on 443",
    )
    .change(Credentials),
    row(
        "auth.invalid_credentials",
        TOKEN_OR_SERVICE,
        Fail,
        "AWS does not recognise the credentials",
        "check the keys, the session token, and the partition the credentials belong to",
    )
    // AWS's common error for a token it does not know, in the JSON protocol that
    // every start-up call's service speaks (ECR, SSM, Secrets Manager, CloudWatch
    // Logs): UnrecognizedClientException, "The security token included in the
    // request is invalid."
    .reasons(&["unrecognizedclientexception", "invalidclienttokenid", "security token included in the request is invalid"])
    .change(Credentials),
    row(
        "auth.expired_credentials",
        ECR_TOKEN,
        Fail,
        "the credentials have expired",
        "the provider should refresh them; check the clock",
    )
    // ExpiredTokenException / ExpiredToken: "The security token included in the
    // request is expired" (AWS's common errors, STS and S3 alike).
    .reasons(&["expiredtokenexception", "security token included in the request is expired"])
    .change(Credentials),
    row(
        "auth.bad_response",
        ECR_TOKEN,
        Fail,
        "GetAuthorizationToken returned no usable token",
        "something other than ECR answers at the ecr.api endpoint",
    )
    .change(Credentials),
    row(
        "auth.error",
        ECR_TOKEN,
        Fail,
        "another GetAuthorizationToken failure",
        "read the AWS error code and message",
    )
    .change(Credentials),
    // ---- registry (the dkr endpoint)
    row(
        "registry.unauthorized",
        REGISTRY_ERRORS,
        Fail,
        "the registry rejected the credentials",
        "the token is for another registry or expired, or the Authorization header was lost on the way (a proxy or TLS inspection)",
    )
    .reasons(&[
        "failed to fetch anonymous token",
        "no basic auth credentials",
        // A 401 in any wording: the status text ("401 Unauthorized"), the registry's own
        // error as the distribution spec's errcode prints it (the code in lower case, a
        // colon, its message: "unauthorized: authentication required"), or containerd's
        // resolver with the bare status text ("…/manifests/<tag>\": unauthorized").
        "unauthorized",
        // ECR's message for an expired token (docker prints it after "denied: ").
        "authorization token has expired",
    ]),
    row(
        "registry.denied",
        REGISTRY_ERRORS,
        Fail,
        "the registry denied access to the repository",
        "allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for the role in the role policy, the repository policy and the ecr.dkr endpoint policy",
    )
    .family(Policy)
    // docker's distribution client for a 403 whose body is no registry error document
    // ("error parsing HTTP 403 response body: …"): an empty body, or a proxy's page.
    .reasons(&["403 forbidden", "error parsing http 403 response body"])
    .change(Change::Policy),
    row(
        "registry.name_unknown",
        REGISTRY_ERRORS,
        Fail,
        "the repository does not exist in this registry",
        "check the repository name, the account and the region (VPC endpoints do not serve other regions)",
    )
    .reasons(&[
        "repository * not found",
        "name unknown",
        "does not exist in the registry",
        // The agent reads ECR's "denied: requested access to the resource is denied" as a
        // repository that does not exist and says so (aws/amazon-ecs-agent 8dfceca6
        // agent/api/errormessages/error_messages.go, ECRImageDoesNotExistError).
        "check whether the image exists",
        "requested access to the resource is denied",
    ])
    .change(Image),
    row(
        "registry.manifest_unknown",
        REGISTRY_ERRORS,
        Fail,
        "the registry has no manifest for the tag or digest",
        "check the tag or digest (pushed by digest only, a deleted tag, or a lifecycle policy)",
    )
    .reasons(&["manifest for * not found", "manifest unknown", "requested image not found", "api error (404)", "failed to resolve ref * not found", "error: image * not found", "tag * not found in repository"])
    .change(Image),
    row(
        "registry.blob_unknown",
        REGISTRY_ERRORS,
        Fail,
        "the registry lacks a layer the manifest lists",
        "the image is incomplete: push it again",
    )
    .reasons(&["unknown blob", "blob unknown", "content at * not found"])
    .change(Image),
    row(
        "registry.too_many_requests",
        REGISTRY_ERRORS,
        Fail,
        "the registry throttles",
        "retry with backoff; stagger tasks that start at once and pull the same image",
    )
    .reasons(&["toomanyrequests", "too many requests", "rate exceeded", "pull rate limit", "throttlingexception"]),
    // Named by explain only: a registry's own server error, seen in a stoppedReason.
    explain_row(
        "registry.server_error",
        &[],
        Fail,
        "the registry answered with a server error (5xx): an outage of the registry, its CDN or a proxy in front of it, after the task's path to it worked",
        "retry later and check the registry's status page; to stop depending on a public registry's uptime, pull through an ECR pull-through cache or copy the image to ECR; not the task's network path",
    )
    .reasons(&[
        "500 internal server error",
        "502 bad gateway",
        "503 service unavailable",
        "504 gateway time",
        "received unexpected http status: 5",
    ]),
    row(
        "registry.unexpected_status",
        &[K::Registry, K::Manifest, K::LayerRedirect],
        Fail,
        "an HTTP status ECR does not send here",
        "find what answers instead of the ecr.dkr endpoint (a proxy, TLS inspection, or another service)",
    )
    // A 400 to a pull: the distribution spec has no such answer to a well-formed pull,
    // so a proxy or mirror in front of the registry (or the registry about the request
    // itself) sent it; docker prints it "bad request (400)" after the registry's words.
    .reasons(&["400 bad request", "bad request (400)"]),
    row(
        "registry.unexpected_challenge",
        REGISTRY,
        Warn,
        "`GET /v2/` asks for another authentication than ECR's Basic",
        "find what answers instead of the ecr.dkr endpoint",
    ),
    row(
        "registry.platform_missing",
        &[K::Manifest, K::Layer],
        Fail,
        "the image has no manifest for the task's platform (`runtimePlatform` or `--platform`): an index without it, or a single-platform image whose config names another (checked on the layer path)",
        "push an image for the task's platform (or a multi-platform index with one), or run the task on a platform the image has",
    )
    .reasons(&["does not contain descriptor matching platform", "failed to find a descriptor for platform", "no match for platform in manifest", "no matching manifest for", "-based image is incompatible with a", "cannot be used on this platform",
        // Windows' HCS_E_IMAGE_MISMATCH (0xC0370101, microsoft/hcsshim internal/hcs
        // errors), when the engine starts a container of another Windows build.
        "container operating system does not match the host operating system"])
    .change(Image),
    row(
        "registry.manifest_too_large",
        MANIFEST,
        Fail,
        "the manifest is larger than a registry serves",
        "find what answers instead of ECR",
    ),
    row(
        "registry.manifest_invalid",
        MANIFEST,
        Fail,
        "the manifest is not valid JSON",
        "find what answers instead of the registry",
    ),
    row(
        "registry.unsupported_manifest",
        MANIFEST,
        Fail,
        "a manifest type ECR does not serve to these clients",
        "push a Docker v2 schema 2 or OCI image",
    ),
    row(
        "registry.digest_mismatch",
        MANIFEST,
        Fail,
        "the manifest's bytes do not hash to its digest",
        "find the proxy or TLS inspection rewriting content in the path",
    ),
    row(
        "registry.no_layers",
        MANIFEST,
        Warn,
        "the manifest lists no layer stored in ECR; the layer hops have nothing to fetch",
        "nothing to fix for the pull; the S3 path stays untested",
    ),
    row(
        "registry.timeout",
        &[K::Registry, K::Manifest, K::LayerRedirect],
        Fail,
        "the dkr endpoint did not answer in time",
        "allow inbound TCP 443 from this subnet in the security group of `com.amazonaws.<region>.ecr.dkr`; see its tcp hop",
    )
    .change(SecurityGroup),
    // ---- layers (the S3 path)
    row(
        "layer.foreign",
        MANIFEST,
        Fail,
        "Windows foreign layers come from outside AWS",
        "push the image with `--allow-nondistributable-artifacts` so ECR stores them, or give the subnet a NAT",
    )
    .change(Image),
    row(
        "layer.unexpected_redirect",
        &[K::LayerRedirect, K::Layer],
        Fail,
        "the redirect to S3 is not what ECR sends",
        "find what rewrites responses in the path; the S3 gateway endpoint policy must allow `s3:GetObject` on the bucket redirected to",
    ),
    row(
        "layer.no_redirect",
        &[K::LayerRedirect],
        Warn,
        "the registry served the layer itself instead of redirecting to S3",
        "find what answers instead of ECR; the S3 path was not tested",
    ),
    row(
        "layer.too_many_redirects",
        LAYER,
        Fail,
        "S3 redirected again and again",
        "find the loop or proxy in the path",
    ),
    row(
        "layer.timeout",
        LAYER,
        Fail,
        "the S3 fetch got no answer in time",
        "associate the S3 gateway endpoint `com.amazonaws.<region>.s3` with the subnet's route table, and allow egress to the S3 prefix list on 443 in the task's security group and NACL",
    )
    .change(S3Route),
    row(
        "layer.access_denied",
        LAYER,
        Fail,
        "S3 denied the layer fetch: the S3 gateway endpoint policy",
        "allow `s3:GetObject` on `arn:aws:s3:::prod-<region>-starport-layer-bucket/*` in the gateway endpoint policy, without own-account conditions",
    )
    .reasons(&["httpreadseeker: failed open: unexpected status code 403", "<code>accessdenied</code>"])
    .change(Change::Policy),
    row(
        "layer.s3_rejected",
        LAYER,
        Fail,
        "S3 rejected the request as invalid",
        "read S3's message: a proxy altering the request",
    ),
    row(
        "layer.s3_error",
        LAYER,
        Fail,
        "S3 refused the presigned URL",
        "check the clock (skew), or a proxy altering the request",
    ),
    row(
        "layer.url_expired",
        LAYER,
        Fail,
        "S3 says the presigned layer URL has expired (\"Request has expired\")",
        "the URL ECR signed outlived its validity before the fetch: a slow or stalled path between the redirect and S3, or a clock far off; see the layer_redirect hop's time and the clock skew",
    ),
    row(
        "layer.signature_mismatch",
        LAYER,
        Fail,
        "S3 says the presigned URL's signature does not match the request (`SignatureDoesNotMatch`)",
        "something between the task and S3 altered the request (a proxy re-encoding the URL or adding headers): send S3 traffic through the gateway endpoint without a proxy (`NO_PROXY`)",
    ),
    row(
        "layer.url_credentials_rejected",
        LAYER,
        Fail,
        "S3 rejected the credentials inside the presigned URL (`InvalidAccessKeyId`, `ExpiredToken`, `InvalidToken`)",
        "the URL reached an S3 that does not know ECR's signing credentials (another partition or a stand-in answering for S3), or it was used after ECR's credentials expired: check what answers for the bucket host",
    ),
    row(
        "layer.not_found",
        LAYER,
        Fail,
        "S3 does not have the layer the registry pointed at",
        "the registry's storage is inconsistent: push the image again",
    )
    .change(Image),
    row(
        "layer.unexpected_status",
        LAYER,
        Fail,
        "an HTTP status S3 does not send here",
        "find what answers instead of S3",
    ),
    row(
        "layer.truncated",
        LAYER,
        Fail,
        "the layer ended early",
        "find the proxy or firewall with a size or time limit in the path",
    )
    // containerd's content writer (core/content/helpers.go "short read: expected %d
    // bytes but got %d").
    .reasons(&["short read: expected"]),
    row(
        "layer.size_mismatch",
        LAYER,
        Fail,
        "the layer is longer than the manifest says",
        "find the proxy or TLS inspection rewriting content, or push the image again",
    ),
    row(
        "layer.digest_mismatch",
        LAYER,
        Fail,
        "the layer's bytes do not hash to its digest",
        "find the proxy or TLS inspection rewriting content, or push the image again",
    )
    // moby's puller (distribution/pull_v2.go "filesystem layer verification failed for
    // digest %s").
    .reasons(&["layer verification failed"]),
    row(
        "layer.digest_not_checked",
        LAYER,
        Warn,
        "the layer is larger than `--max-layer-bytes`: the path works, the digest was not checked",
        "raise `--max-layer-bytes` to check the digest",
    ),
    // ---- logs
    row(
        "logs.unreachable",
        LOGS,
        Fail,
        "the CloudWatch Logs endpoint did not answer: awslogs tasks fail to start",
        "create the interface endpoint `com.amazonaws.<region>.logs` with private DNS and allow 443 from this subnet in its security group",
    )
    .change(SecurityGroup),
    row(
        "logs.denied_endpoint_policy",
        LOGS,
        Warn,
        "the Logs endpoint answers, but its policy denies calls",
        "allow logs:CreateLogStream and logs:PutLogEvents for the task execution role in the `com.amazonaws.<region>.logs` endpoint policy",
    )
    .family(Policy)
    .change(Change::Policy),
    row(
        "logs.error",
        LOGS,
        Fail,
        "the DescribeLogGroups call failed otherwise",
        "read the message",
    ),
    // ---- the clock
    row(
        "clock.skew",
        CLOCKED,
        Fail,
        "the local clock is off AWS's by more than SigV4 accepts (5 minutes for most services, 15 for S3 and STS)",
        "sync the clock: on EC2 use the Amazon Time Sync Service (169.254.169.123, or fd00:ec2::123) with chrony; signed requests and presigned URLs fail outside the window"
    )
    // SigV4's refusals of a request signed at the wrong time: the JSON protocol's
    // InvalidSignatureException "Signature expired: <t> is now earlier than <t>" and
    // "Signature not yet current", S3's RequestTimeTooSkewed.
    .reasons(&["signature expired:", "signature not yet current", "requesttimetooskewed"]),
    // ---- service: the other AWS endpoints a task needs
    row(
        "service.unreachable",
        SERVICE,
        Fail,
        "the service's endpoint did not answer the signed call",
        "create the interface endpoint `com.amazonaws.<region>.<service>` with private DNS and allow 443 from this subnet in its security group",
    )
    .change(SecurityGroup),
    explain_row(
        "service.server_error",
        SERVICE,
        Fail,
        "the AWS service answered with an internal error or said it was unavailable (5xx): the path to the endpoint works",
        "retry: the agent retries these, so a task that stops on one met an outage of the service in the region (see the AWS Health Dashboard); not the task's network path",
    )
    // The AWS error codes of a 5xx, as each start-up service's API reference lists
    // them: SSM InternalServerError, Secrets Manager InternalServiceError, CloudWatch
    // Logs ServiceUnavailableException, the common InternalFailure.
    .reasons(&["internalservererror", "internalserviceerror", "serviceunavailableexception", "internalfailure"]),
    explain_row(
        "service.throttled",
        SERVICE,
        Fail,
        "the AWS service throttled the call (ThrottlingException, Rate exceeded): more calls at once than the account's quota for it; the path to the endpoint works",
        "stagger the task starts (fewer tasks per RunTask, a deployment's maximumPercent) or raise the throttled call's quota in Service Quotas (SSM GetParameters: Parameter Store's higher throughput setting; Secrets Manager GetSecretValue; CloudWatch Logs CreateLogStream); the agent retries, so a throttle that stops a task is many tasks starting together",
    ),
    row(
        "service.not_found",
        SERVICE,
        Warn,
        "the endpoint serves, but the secret, parameter, key or file system the task names does not exist there",
        "create it in the task's account and region, or fix the `valueFrom` ARN or name",
    )
    .reasons(&["can't find the specified secret", "can’t find the specified secret", "filesystemnotfound", "resourcenotfoundexception", "invalid parameters:", "invalid ssm parameters", "parameternotfound", "parameterversionnotfound"]),
    row(
        "service.kms_needed",
        SERVICE,
        Warn,
        "the secret or parameter is encrypted with a customer managed key: the task also needs the kms endpoint",
        "check it with `--check kms=<key>`: create `com.amazonaws.<region>.kms` with private DNS and allow kms:Decrypt for the execution role",
    ),
    row(
        "service.unexpected_answer",
        SERVICE,
        Fail,
        "something answered without an AWS error document",
        "find the proxy, firewall or server that answers instead of the AWS endpoint",
    ),
    row(
        "service.error",
        SERVICE,
        Fail,
        "the call could not be made (e.g. the request could not be signed)",
        "read the message",
    ),
    // ---- any HTTP hop
    row(
        "http.protocol_error",
        HTTP,
        Fail,
        "the peer did not speak HTTP as expected",
        "find what answers instead of the AWS endpoint",
    ),
    row(
        "http.too_large",
        &[
            K::Registry,
            K::Manifest,
            K::LayerRedirect,
            K::Layer,
            K::Credentials,
            K::EcrToken,
            K::Logs,
            K::Service,
        ],
        Fail,
        "the peer sent more than a small document",
        "find what answers instead of the AWS endpoint",
    ),
    row(
        "http.unreadable_answer",
        &[
            K::Credentials,
            K::EcrToken,
            K::Manifest,
            K::LayerRedirect,
            K::Layer,
            K::Logs,
            K::Service,
        ],
        Fail,
        "the endpoint answered, but not as the AWS API does: the body is not the document AWS sends (HTML, plain text, JSON of another shape or nested past any AWS answer)",
        "find the proxy or interception in the path (an HTTP proxy, TLS inspection, a captive portal) that answers instead of the AWS endpoint; the evidence holds the status and the start of the body",
    ),
    row(
        "http.slow_answer",
        &[K::EcrToken, K::Logs, K::Service],
        Fail,
        "the endpoint answered (status and headers arrived), but its body came too slowly or stopped within --timeout: the endpoint exists and is reachable",
        "find what slows the answer: a proxy or TLS inspection buffering or throttling it, a middlebox dropping large packets (MTU), an overloaded endpoint; raise --timeout to see whether it ends",
    ),
    row(
        "http.truncated",
        HTTP,
        Fail,
        "the peer hung up before the whole response",
        "find the proxy or firewall with a size or time limit in the path, or an overloaded endpoint",
    ),
    // ---- named only by `explain`, from a stoppedReason: no hop tests these yet
    explain_row(
        "logs.group_not_found",
        LOGS,
        Fail,
        "the awslogs driver's log group does not exist",
        "create the group named in `awslogs-group` in `awslogs-region`, or set `awslogs-create-group` to `true` and allow `logs:CreateLogGroup` for the task execution role",
    )
    .reasons(&["the specified log group does not exist"]),
    explain_row(
        "logs.bad_region",
        LOGS,
        Fail,
        "`awslogs-region` is not a region the driver can find an endpoint for",
        "set `awslogs-region` in the container's `logConfiguration.options` to a region code such as `eu-west-1`",
    )
    .reasons(&["missingendpoint", "'endpoint' configuration is required", "undefined.amazonaws.com", "log opt 'awslogs-region'", "missingregion", "cannot determine region for awslogs driver"]),
    // docker's awslogs driver validating its options before the container is created
    // (moby daemon/logger/awslogs/cloudwatchlogs.go ValidateLogOpt), and CloudWatch Logs
    // refusing a group or stream name (InvalidParameterException on CreateLogStream).
    explain_row(
        "logs.bad_option",
        &[],
        Fail,
        "the awslogs driver refused the container's `logConfiguration.options`: an option it does not know, `awslogs-group` missing, a value of the wrong kind, or a group or stream name CloudWatch Logs does not accept",
        "correct the option the message names in `logConfiguration.options` (`awslogs-group` is required; `awslogs-create-group` is `true` or `false`; a stream prefix has no `:` or `*`)",
    )
    .reasons(&[
        "unknown log opt",
        "must specify a value for log opt",
        "must specify valid value for log opt",
        "must specify a positive integer for log opt",
        "you cannot configure log opt",
        "unsupported log format",
        "invalidparameterexception",
    ]),
    // The agent generating the log router's configuration from the task definition
    // (agent/taskresource/firelens/firelens_unix.go, firelensconfig_unix.go;
    // agent/api/task/task.go for the router container itself).
    explain_row(
        "logs.firelens_config",
        &[],
        Fail,
        "the ECS agent could not generate the FireLens log router's configuration from the task definition: an output option without `Name`, a `config-file-type` other than `s3` or `file`, a `config-file-type` without `config-file-value`, or no log router container",
        "in each container's `logConfiguration.options` (driver `awsfirelens`) set `Name` to the output plugin when giving other options; in the log router's `firelensConfiguration.options` set `config-file-type` to `s3` or `file` together with `config-file-value`; keep one container with `firelensConfiguration`",
    )
    .reasons(&[
        "missing output key",
        "is specified for option config-file-type",
        "but config-file-value is not specified",
        "invalid firelens configuration type",
        "unsupported firelens config type",
        "no firelens container",
        "firelens container config doesn't exist",
        // Fluent Bit's own configuration loader, in the log router's output: any error
        // of its `[config]` component (fluent/fluent-bit src/flb_config.c, flb_error("[config]
        // …"): "section '%s' is missing the 'name' property", "… tried to instance a
        // plugin name that don't exists"), after Fluent Bit's bracketed time.
        "tried to instance a plugin name",
        // Fluent Bit's main loader giving up on the file (src/fluent-bit.c "Error:
        // Configuration file contain errors. Aborting").
        "configuration file contain errors",
        "parser configuration file",
        "] [error] [config]",
    ]),
    explain_row(
        "logs.driver_config",
        LOGS,
        Fail,
        "the container's log driver configuration is incomplete",
        "give every container that uses the log router an `options` map in `logConfiguration` (awsfirelens on Fargate 1.4.0 needs one)",
    )
    .reasons(&[
        "but no log configuration specified",
        "failed to get fluentd log driver arguments"]),
    explain_row(
        "logs.collector_unreachable",
        &[],
        Fail,
        "the log driver's collector on the host or in the task (a fluentd or FireLens socket or port, a syslog daemon) did not take the connection, so the container was not started",
        "start the collector before the containers that log to it (a daemon service on the instance, or the FireLens log router with `dependsOn` its START/HEALTHY), and point `fluentd-address` / `syslog-address` at where it listens; no AWS endpoint is involved",
    )
    .reasons(&["dial unix"]),
    explain_row(
        "agent.pause_image",
        &[],
        Fail,
        "the ECS agent's own pause container (the awsvpc network namespace, pidMode or ipcMode namespaces, Service Connect) could not be created: its image amazon/amazon-ecs-pause is loaded from the agent's own tarball at start, never pulled from a registry",
        "on the container instance: restart the agent (`systemctl restart ecs`) so it loads /images/amazon-ecs-pause.tar again, keep image cleanup away from amazon/amazon-ecs-pause, use the ECS-optimized AMI (or ecs-init) rather than a hand-started agent, and update the agent (before 1.25.3 `ECS_IMAGE_PULL_BEHAVIOR=once` made it try to pull the pause image); not the task's image or its network path",
    )
    // The image, not the container's name (aws/amazon-ecs-agent task.go's
    // "~internal~ecs~pause…"): the pause container also fails for its network
    // interface, which is no image of the agent's (agent/config: amazon/amazon-ecs-pause,
    // loaded from /images/amazon-ecs-pause.tar).
    .reasons(&["amazon/amazon-ecs-pause"]),
    explain_row(
        "logs.router_start",
        &[],
        Fail,
        "the FireLens log router failed on its own start, inside its container: aws-for-fluent-bit's init process could not write or read its local files, or Fluent Bit crashed on its configuration; no network path is involved",
        "read the log router container's own log: give it a writable root filesystem (`readonlyRootFilesystem: false`) or a volume where the init process writes, never mounted over `/init`, which holds its bundled files; check the files named in `aws_fluent_bit_init_file_*` and `config-file-value` exist in the image and that no config file includes the generated one back",
    )
    // aws/aws-for-fluent-bit@cd557e0 init/fluent_bit_init_process.go: the init
    // process's fatal errors about its own files ("Cannot create the file: %s", "Cannot
    // create the Directory: %s", "Cannot write %s in the invoke_fluent_bit.sh", "… in
    // main config file", "Cannot open file: %s", "Unable to read %s",
    // "Unrecognizable environment variables"), and Fluent Bit's engine crashing
    // ("[engine] caught signal (SIGSEGV)").
    .reasons(&[
        "init process] cannot create the",
        "in the invoke_fluent_bit.sh",
        "in invoke_fluent_bit.sh",
        "in main config file",
        "init process] cannot open file",
        "init process] unable to read",
        "init process] unrecognizable environment variables",
        "[engine] caught signal",
    ]),
    // Fluent Bit's own words for a plugin of its pipeline failing while it runs
    // (fluent/fluent-bit plugins/in_tail "read error, check permissions: %s", "requires a
    // larger buffer size, lines are too long. Skipping file."; in_tcp and in_forward's
    // "invalid JSON message, skipping"; the engine's "paused (mem buf overlimit)" and
    // "chunk '%s' cannot be retried"; aws/aws-for-fluent-bit troubleshooting/debugging.md
    // explains each). explain also reads them as the log router's need, like its other
    // lines: only at Fluent Bit's error or warning level, when no step or stop is named.
    explain_row(
        "logs.router_pipeline",
        &[],
        Warn,
        "the FireLens log router (Fluent Bit) runs, but a plugin of its pipeline fails: an input (a `tail` path missing or unreadable, lines longer than its buffer, a `tcp` or `forward` input that expects JSON), its memory buffer full (the input paused), or an output that gave up on a chunk after its retries; logs are lost, the task keeps running",
        "read the plugin in brackets: mount the volume a `tail` input reads into the router too (`mountPoints`; a path read before the app writes it clears itself), raise `Buffer_Max_Size` or set `Skip_Long_Lines On`, match the input's `Format` to what the app sends, raise `Mem_Buf_Limit` or use `storage.type filesystem`; for an output's lost chunks its earlier [error] lines say why (a denial or a timeout of the destination: run the probe with `--check` for it). Not a start-up path",
    )
    .reasons(&[
        "read error, check permissions",
        "requires a larger buffer size",
        "invalid json message, skipping",
        "paused (mem buf overlimit)",
        "cannot be retried: task_id=",
    ]),
    explain_row(
        "logs.firelens_s3_region",
        &[],
        Fail,
        "the agent could not tell the region of the bucket holding the FireLens configuration file (`config-file-type: s3`), so it could not download it: agents before February 2020 (aws/amazon-ecs-agent 34c11ed7a) got no region for us-east-1 buckets",
        "update the ECS agent (or the AMI), allow `s3:GetBucketLocation` on the bucket for the task execution role, and keep the file in a bucket in the task's region",
    )
    .reasons(&[
        "missingregion",
        "could not find region configuration",
        // aws-for-fluent-bit's init process asks S3 for the bucket's region with the
        // task role ("Cannot get bucket region of <bucket> + <key>, you must be the
        // bucket owner to implement this operation").
        "cannot get bucket region",
    ]),
    explain_row(
        "secrets.kms_denied",
        SERVICE,
        Fail,
        "the secret's customer-managed KMS key does not let the task execution role decrypt it",
        "allow `kms:Decrypt` on the key for the task execution role, in the role's policy and the key policy (and the `kms` interface endpoint's policy, if any)",
    )
    .reasons(&["access to kms is not allowed", "not encrypted with the current kms key", "service: awskms", "ciphertext refers to a customer master key", "kmsaccessdeniedexception", "kmsinvalidstateexception", "decryptionfailure"])
    .change(Change::Policy),
    // ECS's "Task IAM role" page: a container's SDK takes the task role from the agent
    // (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), and one that does not falls back to the
    // instance profile through the instance metadata, which the page says to block.
    explain_row(
        "auth.instance_role_used",
        &[],
        Fail,
        "software in the container signed its AWS call with the EC2 instance's role (the session is the instance id), not the task role: it did not take the credentials the agent serves at 169.254.170.2",
        "give the task a task role (`taskRoleArn`) and let the software use the container credentials provider (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, which the agent sets in every container; an SDK or tool too old for it falls back to the instance profile: upgrade it, and keep the variable when a process starts another with a clean environment); keep tasks off the instance's role with `ECS_AWSVPC_BLOCK_IMDS=true` (awsvpc), `ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true` (host mode) or an IMDSv2 hop limit of 1 (bridge mode)",
    ),
    // The agent's awsvpc set-up on the instance, its bridge plugin's part (aws/amazon-ecs-
    // cni-plugins: "bridge create veth pair", "unable to setup veth pair for interface"),
    // which the kernel's bridge limit fails ("exchange full", EXFULL: 1024 ports) when
    // veths leak. The ENI plugin's own failures (the ENI's device not found) are the
    // task's interface, a `network_interface` stop's kind, and stay out.
    explain_row(
        "agent.task_network",
        &[],
        Fail,
        "the ECS agent could not set up the task's awsvpc network namespace on the container instance (its CNI plugins: the bridge, the veth pair, the task's interface in the namespace; on Windows the vpc-eni plugin's HNS endpoint): the agent's own set-up, not a path to AWS",
        "update the ECS agent (the ECS-optimized AMI's latest, or `ecs-init` and the agent on a custom AMI) and replace the instance: leaked veth interfaces fill the agent's bridge (`exchange full`), and a name already in use is an agent or CNI plugin bug; the agent's log (`/var/log/ecs/ecs-agent.log`) names the plugin",
    )
    // The agent's own error name for the task's network set-up (aws/amazon-ecs-agent@
    // 8dfceca6 agent/engine/errors.go ContainerNetworkingError: "container resource
    // provisioning: failed to setup network namespace: …", "startContainer: cni plugin
    // invocation failed: …") and its Windows plugin's log (agent/ecscni/
    // plugin_windows.go "[ECSCNI] Namespace setup failed due to error: …", the HNS
    // endpoint of vpc-eni).
    // The same set-up in the agent's own log (docker_task_engine.go "Unable to configure
    // pause container namespace"). Its "container resource provisioning: …" names the
    // agent's need (vocabulary::AGENT_LINES) but is no pattern of this cause: the task's
    // own interface not attached in time says it too, and that is a
    // `network_interface` stop.
    .reasons(&[
        "bridge create veth pair",
        "unable to setup veth pair",
        "containernetworkingerror",
        "[ecscni] namespace setup failed",
        "configure pause container namespace",
        // The bridge plugin's address management (aws/amazon-ecs-cni-plugins ipam).
        "bridge ipam add",
    ]),
    explain_row(
        "agent.docker_timeout",
        &[],
        Fail,
        "a container did not reach the next state in the agent's time",
        "often a start-up dependency that never answers: the awslogs endpoint (`com.amazonaws.<region>.logs`), a slow or huge image pull, or a log router that never starts; run the probe with the task definition to test each",
    )
    .reasons(&["dockertimeouterror", "containerruntimetimeouterror", "could not transition to start"]),
    // The agent's own start on the container instance (aws/amazon-ecs-agent@8dfceca6
    // agent/config/config.go "Unable to communicate with EC2 Metadata service to infer
    // region: %v"; ecs-init/engine/engine.go "Agent exited with code %d", "ECS Agent
    // failed to start, retrying in %s", which ecs-init repeats while the agent exits).
    explain_row(
        "agent.instance_metadata",
        &[],
        Fail,
        "the ECS agent could not read the EC2 instance metadata (169.254.169.254) it starts from (its region, its instance identity), so it never registered the instance",
        "run the agent as ecs-init does (host network: a hand-started agent on Docker's bridge network needs the instance's metadata hop limit of 2 or more); turn the instance metadata on; an instance that requires IMDSv2 tokens needs an agent recent enough to send them (update the ECS-optimized AMI); not the task's network path",
    )
    .reasons(&["ec2 metadata service to infer region"]),
    explain_row(
        "agent.not_starting",
        &[],
        Fail,
        "the ECS agent exits as it starts on the container instance and ecs-init restarts it over and over, so the instance never runs tasks",
        "the agent's own log (/var/log/ecs/ecs-agent.log) says why it exited: most often it could not read the instance metadata (metadata off, IMDSv2 required by an agent too old for it), an /etc/ecs/ecs.config it cannot use, or a cluster it may not join with the instance role; update the ECS-optimized AMI and agent",
    )
    // The ECS Anywhere install script waiting for the agent it started
    // (aws/amazon-ecs-agent@8dfceca6 scripts/ecs-anywhere-install.sh: "Timed out
    // waiting for ECS Agent to start. Please check logs at /var/log/ecs/ecs-agent.log").
    .reasons(&[
        "ecs agent failed to start",
        "timed out waiting for ecs agent to start",
    ]),
    // The task metadata endpoint the agent serves to the task's containers (AWS's "Amazon
    // ECS task metadata endpoint version 4": `${ECS_CONTAINER_METADATA_URI_V4}`, and
    // version 2 at 169.254.170.2/v2/metadata for awsvpc tasks), not answering a
    // container's software.
    explain_row(
        "agent.task_metadata",
        &[],
        Fail,
        "the task metadata endpoint at 169.254.170.2 did not answer the container's software (a monitoring or mesh sidecar) after the task started: the ECS agent (or Fargate) serves it, so the agent was hung, restarting or gone, or on EC2 the instance's route to 169.254.170.2 for the task is missing; the agent's introspection API (port 51678 on the instance) answers host-network containers only",
        "on EC2 check the agent on the instance (`systemctl status ecs`, /var/log/ecs/ecs-agent.log), ecs-init's iptables rules for 169.254.170.2 (restart `ecs`), and that a bridge or host task reads `$ECS_CONTAINER_METADATA_URI_V4` (version 2 serves only awsvpc tasks); update the agent or AMI; on Fargate stop the task so another host runs it. Not a path to AWS's endpoints",
    )
    .reasons(&[
        "169.254.170.2/v2/metadata",
        "169.254.170.2/v2/stats",
        "169.254.170.2/v3/",
        "169.254.170.2/v4/",
        ":51678/v1/",
        "localhost:51678",
        "127.0.0.1:51678",
        "localhost port 51678",
        "introspection endpoint",
    ]),
    // gMSA credential specs (`credentialSpecs`): the agent's credentialspec resource
    // (aws/amazon-ecs-agent@8dfceca6 agent/taskresource/credentialspec/credentialspec_
    // linux.go and _windows.go) fetches the spec with the execution role from S3 or
    // SSM (the domainless user from Secrets Manager) and hands it to the host's
    // credentials-fetcher daemon (Linux) or the CCG plugin (Windows). AWS's "Using gMSA
    // for Linux containers" and "Windows gMSA" pages.
    explain_row(
        "gmsa.execution_role",
        &[],
        Fail,
        "the agent had no execution role credentials to fetch the task's gMSA credential spec with: the task definition names no execution role, or the role's credentials did not reach the agent",
        "set `executionRoleArn` on the task definition to a role that may read the credential spec (s3:GetObject on its object, or ssm:GetParameter on its parameter; secretsmanager:GetSecretValue on a domainless user's secret) and run the task again; not a network path",
    )
    .reasons(&[
        "credentialspec resource: unable to find execution role credentials",
        "execution role credentials while setting registry key",
    ]),
    explain_row(
        "gmsa.bad_spec",
        &[],
        Fail,
        "the task definition's `credentialSpecs` value is not one the agent reads: it takes `credentialspec:` or `credentialspecdomainless:` followed by an S3 object ARN, an SSM parameter ARN or a `file://` path on the instance, and a spec that is the JSON the CCG or credentials-fetcher expects",
        "write `credentialSpecs` as `credentialspecdomainless:arn:aws:s3:::<bucket>/<key>` (or `arn:aws:ssm:<region>:<account>:parameter/<name>`, or `file://<path>` on the instance) and check the spec's JSON (`ActiveDirectoryConfig`, `HostAccountConfig` for domainless); not a network path",
    )
    .reasons(&[
        "unsupported credentialspec arn",
        "invalid credentialspec file specification",
        "invalid credentialspec:",
        "the provided ssm parameter:",
        "error unmarshalling credentialspec",
        "credentialspec resource location not available",
    ]),
    explain_row(
        "gmsa.domainless_user",
        &[],
        Fail,
        "the domainless gMSA user's Secrets Manager secret (the spec's `HostAccountConfig.PluginInput`) is not the JSON the agent reads: `username`, `password` and `domainName`",
        "store the secret as JSON with `username`, `password` and `domainName` keys and name its ARN in the credential spec; not a network path",
    )
    .reasons(&["asmsecretdata for the gmsa ad user"]),
    explain_row(
        "gmsa.daemon",
        &[],
        Fail,
        "the container instance's credentials-fetcher daemon (Linux gMSA) did not answer the agent on its socket, or could not get Kerberos tickets for the gMSA account from Active Directory",
        "install and start credentials-fetcher on the instance (`systemctl status credentials-fetcher`, `ECS_GMSA_SUPPORTED=true` in /etc/ecs/ecs.config), read its journal, and check that the instance resolves and reaches the domain controllers (DNS and ports 88 and 389 to Active Directory) and, domainless, that the user's secret holds a user allowed to retrieve the gMSA password; not a path to AWS's endpoints",
    )
    .reasons(&[
        "credentials_fetcher.sock",
        "credentials fetcher daemon",
        "kerberos tickets associated",
    ]),
    // ECS's refusals of the agent's RegisterContainerInstance (aws/amazon-ecs-agent@
    // 8dfceca6 ecs-agent/api/errors/errors.go ClusterNotFoundErrorMessage "Cluster not
    // found.", InstanceTypeChangedErrorMessage "Container instance type changes are not
    // supported."; agent/app/agent.go: the agent exits for good on both).
    explain_row(
        "agent.cluster_missing",
        &[],
        Fail,
        "ECS has no cluster of the name the agent registered with in this Region (`ECS_CLUSTER` in /etc/ecs/ecs.config; `default` when unset), so the container instance never joined and runs no tasks",
        "set `ECS_CLUSTER` in /etc/ecs/ecs.config (the launch template's user data) to a cluster that exists in the instance's Region, or create it, then restart the agent (`sudo systemctl restart ecs`); ECS answered: not a network path",
    )
    .reasons(&["cluster not found", "clusternotfoundexception"]),
    // ECS's InvalidParameterException for a registration that asks for tags without
    // the long ARN format (AWS's "Amazon Resource Names (ARNs) and IDs":
    // containerInstanceLongArnFormat; the agent's ECS_CONTAINER_INSTANCE_TAGS).
    explain_row(
        "agent.long_arn_format",
        &[],
        Fail,
        "ECS refused the container instance's registration because the agent asked to tag it (`ECS_CONTAINER_INSTANCE_TAGS` or `ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM` in /etc/ecs/ecs.config) and tagging needs the long ARN format for container instances, which the instance role's account setting does not have",
        "opt in to the long ARN format for container instances (`aws ecs put-account-setting-default --name containerInstanceLongArnFormat --value enabled`, or `put-account-setting` as the instance role), or drop the tags from /etc/ecs/ecs.config, then restart the agent; ECS answered: not a network path",
    )
    .reasons(&["long arn format must be enabled"]),
    explain_row(
        "agent.instance_type_changed",
        &[],
        Fail,
        "the instance's type changed under the container instance the agent restored from its checkpoint, and ECS does not let a registered container instance change type, so the agent exits for good",
        "revert the instance type change or launch a new instance (the agent's own advice); to keep this one, deregister the old container instance and delete the agent's checkpoint (/var/lib/ecs/data/agent.db, ecs_agent_data.json on older agents) before the agent starts again; not a network path",
    )
    .reasons(&[
        "container instance type changes are not supported",
        "does not match the registered instance type",
    ]),
    // ECS Anywhere's SSM hybrid activation refused when the install script registers
    // the instance (amazon-ssm-agent's registration: "Registration failed due to error
    // registering the instance with AWS SSM. <SSM's error code>: …"; SSM's
    // RegisterManagedInstance errors InvalidActivation, InvalidActivationId,
    // ActivationExpired, RegistrationLimitExceeded): SSM answered, so no path is to
    // blame.
    explain_row(
        "agent.ssm_activation",
        &[],
        Fail,
        "SSM refused the hybrid activation the ECS Anywhere instance registered with (InvalidActivation: an id and code that do not match or another Region's; InvalidActivationId; ActivationExpired; RegistrationLimitExceeded: the activation's instance limit), so the instance never became a managed instance and the ECS agent never starts",
        "create a new activation in the cluster's Region for the ECS Anywhere role (`aws ssm create-activation --iam-role ecsAnywhereRole --registration-limit <n> --region <region>`) and run the install script again with its `--activation-id`, `--activation-code` and the same `--region`; an expired activation cannot be extended. SSM answered: not a network path",
    )
    .reasons(&[
        "invalidactivation",
        "activationexpired",
        "registrationlimitexceeded",
        "registration limit of",
    ]),
    // AWS's "Service event messages" page: "The closest matching container-instance
    // <id> encountered error "AGENT"" and "… doesn't have the agent connected"; its
    // "stopped tasks error codes" page: TaskFailedToStart: AGENT.
    explain_row(
        "agent.disconnected",
        &[],
        Fail,
        "the container instance's ECS agent is not connected to ECS, so ECS cannot place or start the task there",
        "in a subnet without a NAT the agent needs the interface endpoints `com.amazonaws.<region>.ecs`, `ecs-agent` and `ecs-telemetry` (run the probe on the instance with `--check ecs,ecs-agent,ecs-telemetry`); otherwise a stopped agent or a hung Docker daemon: restart the agent and read `/var/log/ecs/ecs-agent.log`",
    )
    .reasons(&[
        "encountered error \"agent\"",
        "encountered error 'agent'",
        "have the agent connected",
        "taskfailedtostart: agent",
    ]),
    explain_row(
        "agent.inspect_timeout",
        &[],
        Fail,
        "the Docker daemon did not answer the agent's inspect in time (EC2 container instance)",
        "a busy or slow daemon, usually disk I/O or a full disk on the instance: check the instance's disk and `ECS_CONTAINER_*_TIMEOUT`, and update the agent; not a network path",
    )
    .reasons(&["cannotinspectcontainererror", "could not transition to inspecting"]),
    // moby's client when the engine's socket or named pipe does not answer
    // (client/request.go, client/errors.go): the agent talks to Docker through it.
    explain_row(
        "agent.docker_unreachable",
        &[],
        Fail,
        "the ECS agent could not reach the Docker engine on the container instance",
        "the Docker service on the instance stopped or hung (on Windows often after the engine ran out of memory): restart Docker and then the agent (`systemctl restart docker ecs`; on Windows `Restart-Service docker; Restart-Service AmazonECS`) and read both logs; not a network path",
    )
    // ecs-init's own wait for Docker at boot (aws/amazon-ecs-agent@8dfceca6 ecs-init/
    // docker/dependencies.go "Error connecting to docker, backing off for %s, error:
    // %s") and its load of the agent's image into a Docker that broke ("could not load
    // Amazon Elastic Container Service Agent into Docker", ecs-init/engine/engine.go).
    .reasons(&[
        "error during connect",
        "cannot connect to the docker daemon",
        "error connecting to docker",
        "could not load amazon elastic container service agent into docker",
    ]),
    // moby's image store (daemon/images/image.go ErrImageDoesNotExist "No such image:
    // <ref>"): on EC2 the agent goes on to create a container after its pull failed.
    explain_row(
        "image.not_pulled",
        &[],
        Fail,
        "the container was created from an image the instance does not have: the pull before it failed, or the image was removed",
        "the pull's own error is in the ECS agent's log (`/var/log/ecs/ecs-agent.log`, `CannotPullContainerError`): explain that line, and run the probe with `--image` to test the pull from the subnet; with `ECS_IMAGE_PULL_BEHAVIOR=prefer-cached` or `once` the agent's image cleanup may have removed it",
    )
    .reasons(&["no such image"]),
    // SOCI (awslabs/soci-snapshotter docs/pull-modes.md): with a SOCI index an image's
    // indexed layers are FUSE mounts that fetch from the registry while the container
    // runs, and a read the fetch cannot serve fails as EIO, which runc's exec of the
    // entrypoint prints as "exec <path>: input/output error".
    explain_row(
        "image.lazy_load",
        &[],
        Fail,
        "a file of the image could not be read as the container started: with a SOCI index (lazy loading, on Fargate), the image's layers are fetched from ECR and S3 on demand after the start, and a fetch that fails reads as an input/output error; without one, the disk under the image failed",
        "if the image has a SOCI index, the task keeps needing the pull's path (ecr.dkr and the S3 gateway endpoint, their policies) after it starts: test it with the probe's `--image`; to pull the whole image at start instead, delete the SOCI index (and its image index) from the repository. Without SOCI, replace the container instance",
    )
    .reasons(&["exec *: input/output error"]),
    explain_row(
        "instance.disk_full",
        &[],
        Fail,
        "the disk the image is unpacked to filled up: the container instance's Docker volume, or a Fargate task's ephemeral storage",
        "free or grow the instance's Docker volume (image cleanup, log rotation, a larger volume), raise a Fargate task's `ephemeralStorage` (Linux; Windows tasks have a fixed size), or use a smaller image; not a network path",
    )
    .reasons(&["no space left on device", "thin pool has", "not enough space on the disk"]),
    explain_row(
        "image.layers_mismatch",
        &[],
        Fail,
        "the image's layers do not match its configuration (diffIDs): a broken build or push, not the network",
        "rebuild and push the image with one layer compression (all gzip or all zstd) and a current builder, then pull it again by its new digest",
    )
    .reasons(&[
        "diffids don't match",
        "mismatched image rootfs and manifest layers",
        "unexpected commit digest",
    ]),
    // Windows unpacking a layer on the container instance (hcsshim's ImportLayer and
    // ProcessUtilityVMImage inside moby's "failed to register layer: re-exec error:
    // exit status 1: output: …", moby/moby#32814 on ECS, aws/amazon-ecs-agent#1392):
    // the instance's Windows, its Docker engine or its layer store, not the path. A
    // full disk says so in its own words ("There is not enough space on the disk").
    explain_row(
        "image.windows_layer",
        &[],
        Fail,
        "Windows on the container instance could not import one of the image's layers (hcsshim ImportLayer or ProcessUtilityVMImage): an image for a newer Windows Server build than the host's, a Docker engine too old for the image, antivirus holding the files, or a damaged layer store (C:\\ProgramData\\docker\\windowsfilter)",
        "use an image whose Windows Server version matches the instance's AMI (ltsc2019 or ltsc2022) and the ECS-optimized Windows AMI's Docker engine; exclude the Docker data directory from antivirus scans; otherwise replace the instance, whose layer store is damaged; not a network path",
    )
    .reasons(&[
        "hcsshim::importlayer failed in win32",
        "processutilityvmimage",
    ]),
    explain_row(
        "image.unsupported_media_type",
        &[],
        Fail,
        "the image's index or manifest holds a media type the runtime does not take: an attestation (in-toto provenance or SBOM) manifest, an OCI artifact, or a format newer than the runtime; the registry answered, the network is not involved",
        "push the image without attestations (`docker buildx build --provenance=false --sbom=false`) or as a plain image manifest, and on EC2 update the ECS agent and container runtime",
    )
    .reasons(&[
        "unsupported media type",
        "unexpected media type",
        "application/vnd.in-toto+json",
    ]),
    explain_row(
        "image.bad_reference",
        &[],
        Fail,
        "the task definition's `image` is not a valid image reference (upper case in the repository, a digest without its repository, a stray character), so no registry was asked for it",
        "write `image` as `<registry>/<repository>:<tag>` or `<registry>/<repository>@sha256:<digest>`, the repository in lower case (for ECR: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`)",
    )
    .reasons(&[
        "invalid reference format",
        // Fargate's words for a reference that docker's normalisation
        // (distribution/reference ParseNormalizedNamed) refuses: "InternalError:
        // failed to create container model: failed to normalize image reference
        // \":<tag>\"" (an image with no repository, aws/copilot-cli#5032).
        "normalize image reference",
        "repository name must be lowercase",
        "library/sha256:",
    ]),
    explain_row(
        "config.ipv4_only_endpoint",
        &[],
        Fail,
        "an IPv6-only task dialled an IPv4 address: the standard ECR names have no IPv6 address",
        "use ECR's dual-stack names (`ecr.<region>.api.aws`, `<account>.dkr-ecr.<region>.on.aws`) with IPv6 egress — they are not served by PrivateLink — or give the subnet IPv4",
    )
    .reasons(&["connect: network is unreachable"])
    .change(Placement),
    row(
        "secrets.version_missing",
        SERVICE,
        Fail,
        "the secret exists, but DescribeSecret lists no version with the version stage or version id that `valueFrom` names",
        "fix the stage or version id in `valueFrom` (`arn:…:secret:<name>:<json-key>:<version-stage>:<version-id>`), or move the stage onto a version (`aws secretsmanager update-secret-version-stage`); a secret created without a value has no `AWSCURRENT` version at all: put one (`aws secretsmanager put-secret-value`)",
    )
    // Secrets Manager's ResourceNotFoundException for a stage or id no version has
    // ("…can't find the specified secret value for VersionStage: X", "…for staging
    // label: X", "…for VersionId: X"): its words begin as the missing secret's do, so
    // explain asks this row before service.not_found.
    .reasons(&["specified secret value for"]),
    explain_row(
        "secrets.not_json",
        &[],
        Fail,
        "`valueFrom` names a JSON key, but the secret's value is not JSON",
        "store the secret as a JSON object holding that key, or drop the `:<json-key>::` part of `valueFrom` to inject the whole value",
    )
    .reasons(&["looking for beginning of value", "invalid character", "cannot unmarshal"]),
    explain_row(
        "secrets.json_key_missing",
        &[],
        Fail,
        "the secret exists, but not the JSON key that `valueFrom` names, or `valueFrom`'s fields are out of place (a JSON key where the version id goes)",
        "compare `valueFrom` (`arn:…:secret:<name>:<json-key>:<version-stage>:<version-id>`) with the secret's keys and stages (`aws secretsmanager get-secret-value --secret-id <arn>`)",
    )
    // The agent's own words (agent/asm/asm.go), and the SDK's client-side validation of
    // a version field that got another field's value (GetSecretValueInput.VersionId
    // shorter than 32 characters): valueFrom's colons, not a version the secret lacks.
    .reasons(&[
        "did not contain json key",
        "json key",
        "getsecretvalueinput.version",
    ]),
    // GetSecretValue's InvalidRequestException on a secret scheduled for deletion (its
    // message: "You can't perform this operation on the secret because it was marked
    // for deletion."): it exists and is readable until its recovery window ends, so
    // the fix is a restore, not a create.
    explain_row(
        "secrets.pending_deletion",
        &[],
        Fail,
        "the secret `valueFrom` names is scheduled for deletion: Secrets Manager refuses to read it until it is restored",
        "restore it within its recovery window (`aws secretsmanager restore-secret --secret-id <arn>`), or point `valueFrom` at a live secret",
    )
    .reasons(&["marked for deletion"]),
    // The agent holds no execution-role credentials for the task when a resource that
    // needs them is created (agent/taskresource/asmsecret, ssmsecret, envFiles:
    // "… resource: unable to find execution role credentials"; firelens_unix.go:
    // "unable to get execution role credentials").
    explain_row(
        "config.execution_role_missing",
        &[],
        Fail,
        "the ECS agent had no task execution role credentials for the task when it fetched secrets, environment files, a FireLens configuration file or an FSx volume's credentials",
        "set `executionRoleArn` in the task definition to a role whose trust policy trusts `ecs-tasks.amazonaws.com`; on EC2 check the agent's log (`/var/log/ecs/ecs-agent.log`) for why it got no credentials for the task",
    )
    .reasons(&["unable to find execution role credentials", "unable to get execution role credentials"])
    .change(Credentials),
    explain_row(
        "secrets.bad_registry_credentials",
        &[],
        Fail,
        "the `repositoryCredentials` secret is not `{\"username\": …, \"password\": …}`",
        "store the private registry's credentials as a JSON object with `username` and `password` in the secret that `repositoryCredentials.credentialsParameter` names",
    )
    .reasons(&[
        "invalid schema",
        "authorizationdata is malformed",
        "empty secrets value",
    ]),
    // Probed by the HeadObject of each environment file (hop/calls/head_object.rs), and
    // read from a stoppedReason by explain.
    row(
        "envfile.denied",
        SERVICE,
        Fail,
        "S3 refused the environment file (403 on HeadObject or GetObject)",
        "check that the file exists at that key (S3 answers 403, not 404, for a missing key when the role may not `s3:ListBucket`); allow `s3:GetObject` on the file and `s3:GetBucketLocation` on the bucket for the task execution role; check the bucket policy, the S3 gateway endpoint's policy, and `kms:Decrypt` when the file uses SSE-KMS",
    )
    .reasons(&["api error forbidden", "forbidden: forbidden", "statuscode: 403", "status code: 403"])
    .change(Change::Policy),
    row(
        "envfile.not_found",
        SERVICE,
        Fail,
        "the environment file's bucket or key does not exist as `environmentFiles` names it",
        "fix the `environmentFiles` ARN (`arn:aws:s3:::<bucket>/<key>`), or upload the file",
    )
    // aws-sdk-go-v2 feature/s3/manager GetBucketRegion answers a 404 on HeadBucket with
    // "bucket not found" (the agent asks it for the bucket's region first).
    .reasons(&["nosuchkey", "nosuchbucket", "notfound: not found", "bucket not found", "statuscode: 404"]),
    row(
        "envfile.other_region",
        SERVICE,
        Fail,
        "S3 says the environment file's bucket is in another region (`x-amz-bucket-region`): the S3 gateway endpoint serves only its own region's buckets",
        "keep the environment file in a bucket in the task's region, or give the subnet a NAT",
    )
    // S3's answers to a request sent to another region's endpoint: a 301 (a HEAD has no
    // body: "api error MovedPermanently"), PermanentRedirect, or a signature scoped to
    // the wrong region (AuthorizationHeaderMalformed "the region 'x' is wrong").
    .reasons(&[
        "permanentredirect",
        "movedpermanently",
        "statuscode: 301",
        "status code: 301",
        "authorizationheadermalformed",
        "the region '*' is wrong",
    ]),
    // EFS volumes: efs-utils' own words (aws/efs-utils src/mount_efs/__init__.py, from
    // 3.0 src/efs_utils_common/), reached through Fargate's "failed to invoke EFS utils
    // commands" or, on EC2, the ECS volume plugin (aws/amazon-ecs-init
    // ecs-init/volumes/ecs_volume_driver.go "mounting volume failed: <stderr>").
    explain_row(
        "efs.dns_failed",
        &[],
        Fail,
        "the file system's name `fs-….efs.<region>.amazonaws.com` did not resolve in the task's VPC",
        "create a mount target in the task's Availability Zone (and wait until it is available), and turn on the VPC's DNS resolution and DNS hostnames",
    )
    .reasons(&[
        "failed to resolve",
        "attempting to lookup mount target ip address",
        "mount target ip address cannot be found",
    ]),
    explain_row(
        "efs.unreachable",
        &[],
        Fail,
        "the NFS connection to the mount target (TCP 2049) timed out or was reset",
        "allow inbound TCP 2049 from the task's security group (on EC2, the instance's) on the mount target's security group, 2049 out in the task's security group and the subnets' NACLs, and a mount target in the task's Availability Zone; a reset that passes on the next try is efs-utils' TLS tunnel: update amazon-efs-utils on the instance",
    )
    .reasons(&[
        "connection reset by peer",
        "connection timed out",
        "tcp port 2049",
        "cannot connect to file system mount target",
        "failed due to timeout after",
        "volumedriver.create*context deadline exceeded",
    ]),
    // A missing root directory is its own: the server answered, so the path is open and
    // no policy refused; only the directory (or the access point's path) is missing.
    explain_row(
        "efs.path_missing",
        &[],
        Fail,
        "the EFS server answered that the volume's root directory (or its access point's path) does not exist on the file system",
        "create the `rootDirectory` on the file system, or mount through an access point whose `rootDirectory.creationInfo` creates it (with an access point the volume's `rootDirectory` must be `/` or unset); not a network path",
    )
    .reasons(&["reason given by server: no such file or directory"]),
    explain_row(
        "efs.mount_refused",
        &[],
        Fail,
        "the EFS server refused the mount (access denied): the file system policy, IAM authorization without the rights or the task role's credentials, or the access point",
        "with IAM authorization (`authorizationConfig.iam: ENABLED`), give the task a `taskRoleArn` whose role may `elasticfilesystem:ClientMount` (and `ClientWrite` for a writable volume) on the file system; a file system policy that requires IAM needs that option on; check the policy's conditions and that the access point belongs to this file system; not a network path",
    )
    .reasons(&[
        "access denied by server",
        "aws security credentials",
        "secret access key are not found",
        "reason given by server",
    ]),
    explain_row(
        "efs.utils_config",
        &[],
        Fail,
        "efs-utils on the container instance could not prepare the mount from its own set-up: no region (none in efs-utils.conf and the instance metadata did not answer), a setting missing from efs-utils.conf, the EFS or NFS client not installed, or no free local TLS port",
        "on the instance: set `region = <region>` in /etc/amazon/efs/efs-utils.conf (or let it read the instance metadata: IMDS on, hop limit), install or update amazon-efs-utils and nfs-utils (the ECS-optimized AMI has both) so its efs-utils.conf carries every setting, and widen the TLS port range if many volumes are mounted; not the task's network path",
    )
    .reasons(&[
        "error retrieving region",
        "error retrieving config",
        "unknown filesystem type 'efs'",
        "failed to locate",
    ]),
    explain_row(
        "efs.tls_tunnel",
        &[],
        Fail,
        "efs-utils' local TLS tunnel (stunnel, or efs-proxy from efs-utils 2.0) exited before the mount: the tunnel, not the path to the mount target",
        "read /var/log/amazon/efs/mount.log on the instance; update amazon-efs-utils (and stunnel with OCSP and hostname checking, for efs-utils before 2.0); on Fargate the tunnel is the platform's: retry, and report it to AWS Support if it stays",
    )
    // "Failed to initialize TLS tunnel for <fs>" before efs-utils 2.0 (0c5b52d), "Failed
    // to initialize tunnel for <fs>" since.
    .reasons(&["failed to initialize*tunnel for"]),
    explain_row(
        "efs.volume_plugin",
        &[],
        Fail,
        "Docker on the container instance has no running ECS volume plugin (`amazon-ecs-volume-plugin`), which mounts EC2 tasks' EFS volumes; no mount was tried",
        "install and start the plugin on the instance (it comes with ecs-init on the ECS-optimized AMI: `systemctl enable --now amazon-ecs-volume-plugin`); a custom or Elastic Beanstalk AMI needs ecs-init's volume plugin and amazon-efs-utils; not a network path",
    )
    .reasons(&[
        "error looking up volume plugin",
        "amazon-ecs-volume-plugin.sock: connect",
    ]),
    // FSx for Windows File Server volumes, mounted by the agent on a Windows container
    // instance (aws/amazon-ecs-agent@8dfceca6 agent/taskresource/fsxwindowsfileserver/
    // fsxwindowsfileserver_windows.go): it reads the credentials (a Secrets Manager
    // secret or an SSM parameter holding `username` and `password`) with the execution
    // role, then maps the share with New-SmbGlobalMapping and checks the mapping.
    explain_row(
        "fsx.credentials",
        &[],
        Fail,
        "the FSx for Windows File Server volume's credentials could not be used: `authorizationConfig.credentialsParameter` is not a Secrets Manager secret or SSM parameter ARN, or what it holds is not a JSON object with `username` and `password`",
        "set `credentialsParameter` to the ARN of a secret or parameter whose value is a JSON object with `username` (a user of the file system's Active Directory domain) and `password`, readable by the execution role; not a network path",
    )
    .reasons(&[
        "unsupported credentialsparameter",
        "invalid credentials for mounting fsxwindowsfileserver",
        "expected fsx credential ssm arn",
    ]),
    explain_row(
        "fsx.mapping",
        &[],
        Fail,
        "the container instance could not map the FSx for Windows File Server share: the instance is not joined to the file system's Active Directory domain, SMB (TCP 445) from the instance to the file system is blocked, or the domain, user or password is wrong",
        "join the Windows container instance to the file system's domain (`domain` in `authorizationConfig`), allow TCP 445 from the instance's security group to the file system's, and check the credentials; the agent's log names the mapping error; no hop of the probe tests SMB",
    )
    .reasons(&[
        "fsxwindowsfileserver resource map",
        "map fsxwindowsfileserver resource",
    ]),
    // ECS-managed EBS volumes (volumeConfigurations at RunTask, CreateService or
    // UpdateService): ECS's control plane creates and attaches the volume with the
    // infrastructure role the configuration names, and the agent (EC2) or Fargate
    // stages it through the EBS CSI driver. The status reasons are AWS's "Status reasons
    // for Amazon EBS volume attachment to Amazon ECS tasks"
    // (developerguide/troubleshoot-ebs-volumes-scenarios.html); the staging errors are
    // the agent's (aws/amazon-ecs-agent@8dfceca6 agent/ebs/watcher.go,
    // ecs-agent/csiclient/csi_client.go, ecs-agent/api/attachment/resource/
    // ebs_discovery*.go). No step of the task's network path is involved.
    explain_row(
        "ebs.infrastructure_role",
        &[],
        Fail,
        "ECS could not assume the infrastructure role the EBS volume's configuration names (`roleArn`): its trust policy, the caller's iam:PassRole or the role's permissions",
        "the role's trust policy must let `ecs.amazonaws.com` assume it (sts:AssumeRole), whoever runs the task or updates the service needs iam:PassRole on it, and the role needs the managed policy of the feature it serves: AmazonECSInfrastructureRolePolicyForVolumes for EBS volumes (AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity for Service Connect TLS, AmazonECSInfrastructureRolePolicyForVpcLattice for VPC Lattice); a role created minutes ago may not have propagated yet: run again after a few minutes; not a network path",
    )
    .reasons(&["unable to assume the configured ecs infrastructure role"]),
    explain_row(
        "ebs.kms_key",
        &[],
        Fail,
        "ECS could not create the encrypted EBS volume: the KMS key (`kmsKeyId`) is not a valid key, ID or alias, or its key policy does not let the infrastructure role use it (EC2 answers IdempotentParameterMismatch when the key is checked, after the task seemed to launch)",
        "name an existing key in the task's region in the volume configuration's `kmsKeyId`, and let the infrastructure role use it in its key policy (as the example key policy of ECS's \"Data encryption for Amazon EBS volumes\" does); EventBridge's EBS volume events name the key's error; not a network path",
    )
    .reasons(&["idempotentparametermismatch"]),
    // "ECS failed to set up the EBS volume. Encountered <EC2 error>" for any other
    // answer of EC2's CreateVolume than the KMS key's.
    explain_row(
        "ebs.create_failed",
        &[],
        Fail,
        "ECS could not create the EBS volume: EC2's CreateVolume refused it (the error after \"Encountered\" says why: a snapshot that does not exist or is not shared with the account, the account's EBS volume or storage quota, no capacity for the volume type in the Availability Zone, a size, IOPS or throughput the volume type does not allow)",
        "fix the volume configuration the error names (`snapshotId`, `volumeType`, `sizeInGiB`, `iops`, `throughput`), raise the EBS quota in Service Quotas, or run in another Availability Zone or with another volume type; not a network path",
    )
    .reasons(&["failed to set up the ebs volume"]),
    explain_row(
        "ebs.filesystem",
        &[],
        Fail,
        "the EBS volume's file system does not fit: `filesystemType` is not one the task's operating system mounts, or a volume from a snapshot was given another type than the snapshot's",
        "set `filesystemType` in the volume configuration to the snapshot's own file system (ext3, ext4 or xfs on Linux; xfs when unset), or leave the snapshot out; on EC2 the agent's log (/var/log/ecs/ecs-agent.log) names the mount error; not a network path",
    )
    .reasons(&[
        "timed out while configuring the ebs volume attachment",
        "invalid fstype",
    ]),
    explain_row(
        "ebs.csi",
        &[],
        Fail,
        "the ECS agent on the container instance could not take the attached EBS volume: it could not read the attachment ECS sent, its EBS CSI driver did not answer, the device was not found under its volume ID, or formatting or mounting it failed",
        "read /var/log/ecs/ecs-agent.log on the instance; update the ECS agent and the ECS-optimized AMI (the agent runs the CSI driver as a managed daemon and must know the attachment ECS sends), and use an instance type with free EBS attachment slots; a device found with another volume ID is the instance's device naming (NVMe): update the agent; not a network path",
    )
    .reasons(&[
        "unable to parse and validate ebs volume",
        "timed out waiting for ebs ack",
        "failed to stage volume via csi driver",
        "failed to establish csi connection",
        "ebs volume ids do not match",
        "cannot find ebs volume with device name",
        "failed to initialize ebs volume",
    ]),
    // ---- the run
    row(
        "probe.deadline",
        UNDER_DEADLINE,
        Fail,
        "the run's `--deadline` passed first",
        "a slow path: see the hops that finished, or raise `--deadline`",
    ),
    row(
        "probe.internal",
        EVERY_HOP,
        Fail,
        "the probe itself failed (a bug); the report may be incomplete",
        "report it with the JSON report; run again",
    ),
    row(
        "probe.resources",
        TCP_AND_HTTP,
        Fail,
        "the probe ran out of a local resource (file descriptors): nothing about the network",
        "raise the task's nofile ulimit, or report it if the probe opened too many connections",
    ),
];

/// The rows as the Markdown table of `docs/report-schema.md`'s "Cause codes" section.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| code | hop | severity | meaning | generic fix | stoppedReason patterns (`explain`) |\n|---|---|---|---|---|---|\n",
    );
    for c in CATALOGUE {
        let mut hops: Vec<&str> = c.hops.iter().map(|k| k.as_str()).collect();
        if !c.probed {
            hops.push("(explain only)");
        }
        let patterns: Vec<String> = c.stopped_reasons.iter().map(|p| format!("`{p}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.code,
            hops.join(", "),
            c.severity.as_str(),
            c.meaning,
            c.fix,
            patterns.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A denial by a policy is a family of its own: every denial row the readers
    /// (crate::denial) emit for a policy, and no other row.
    #[test]
    fn the_policy_family_is_the_policy_denials() {
        let policy: Vec<&str> = CATALOGUE
            .iter()
            .filter(|c| c.family == Family::Policy)
            .map(|c| c.code)
            .collect();
        assert_eq!(
            policy,
            [
                "auth.denied_identity_policy",
                "auth.denied_endpoint_policy",
                "auth.denied_explicit",
                "auth.denied_scp",
                "auth.denied_rcp",
                "auth.denied_boundary",
                "auth.denied_session_policy",
                "auth.denied_resource_policy",
                "auth.denied",
                "registry.denied",
                "logs.denied_endpoint_policy",
            ]
        );
    }

    /// `diff` reads the `change` column: every meaning but the default must come from
    /// some row, so a row that lost its column shows here, not as a vaguer diff.
    #[test]
    fn every_change_but_the_default_has_a_row() {
        use Change as C;
        for c in [
            C::PrivateDns,
            C::Resolver,
            C::Name,
            C::ConnectTimeout,
            C::ConnectRefused,
            C::SecurityGroup,
            C::S3Route,
            C::Interception,
            C::Policy,
            C::Credentials,
            C::Image,
            C::Placement,
        ] {
            assert!(CATALOGUE.iter().any(|r| r.change == c), "{c:?} has no row");
        }
        assert_eq!(code!("tcp.timeout").info().change, C::ConnectTimeout);
        assert_eq!(code!("layer.access_denied").info().change, C::Policy);
    }

    #[test]
    fn rows_are_well_formed() {
        for c in CATALOGUE {
            let (group, name) = c.code.split_once('.').unwrap_or_default();
            let word = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            };
            assert!(word(group) && word(name), "{}: not group.name", c.code);
            assert!(!c.hops.is_empty() || !c.probed, "{}: no hop kind", c.code);
            for text in [c.meaning, c.fix] {
                assert!(!text.is_empty(), "{}: empty text", c.code);
                // One table cell each: a pipe or newline would break the doc's table.
                assert!(!text.contains(['|', '\n']), "{}: {text:?}", c.code);
            }
            assert_eq!(Code::lookup(c.code).map(Code::as_str), Some(c.code));
        }
        assert_eq!(Code::lookup("dns.no_such_code"), None);
    }

    #[test]
    fn the_macro_yields_the_row() {
        let c = code!("dns.public_address");
        assert_eq!(c, "dns.public_address");
        assert_eq!(c.to_string(), "dns.public_address");
        assert_eq!(c.info().severity, Severity::Fail);
        assert_eq!(c.info().hops, &[HopKind::Dns]);
    }

    /// A row nothing emits would send `explain` and the doc's readers looking for a
    /// cause the probe never reports.
    #[test]
    fn every_row_is_emitted_somewhere() {
        let mut source = String::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("causes.rs")
                {
                    source.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let unused: Vec<&str> = CATALOGUE
            .iter()
            .map(|c| c.code)
            .filter(|c| !source.contains(&format!("code!(\"{c}\")")))
            .collect();
        assert!(unused.is_empty(), "rows no code!() emits: {unused:?}");
    }
}
