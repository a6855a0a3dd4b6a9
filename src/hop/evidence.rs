//! What the hops observed, in domain types: durations, the net layer's timings and
//! certificates, typed value sets, causes. `report/from_hop.rs` turns each into its
//! wire twin; nothing here knows the wire format.

use crate::denial::Denial;
use crate::diagnose::{DnsExpectation, ResolverKind, Scope};
use crate::hop::Verdict;
use crate::net::metadata::TaskMetadata;
use crate::provenance::{
    CredentialSource, EndpointSource, ImageSource, RegionSource, ResolversSource, TaskRegionSource,
};

/// Evidence of a hop: what every kind shares (where it talked, what the server said
/// back in general terms), and one type per kind for the rest (the shape trippy gives
/// its responses). `report/from_hop.rs` flattens it into the wire's one `Evidence`
/// object, whose fields stay where they always were.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// dns, tcp: addresses with their classification.
    pub addresses: Vec<Address>,
    /// tcp, tls, http hops: the address connected to.
    pub remote_address: Option<String>,
    /// tcp, tls: the port.
    pub port: Option<u16>,
    /// http hops: the URL requested, without query.
    pub url: Option<String>,
    /// http hops and signed calls: the status code of the last response.
    pub http_status: Option<u16>,
    /// http hops: per-phase times of the request.
    pub timings: Option<crate::net::http::Timings>,
    /// Every hop that got an HTTP answer from AWS: its `Date` header minus the local
    /// clock, in milliseconds (positive: the server is ahead).
    pub clock_skew_ms: Option<i64>,
    /// manifest, layer_redirect: the registry's error code (e.g. `MANIFEST_UNKNOWN`).
    pub registry_error: Option<String>,
    /// Signed calls, registry and layer hops: the error message from AWS / the registry / S3.
    pub error_message: Option<String>,
    /// An answer the probe could not read as the AWS API's document
    /// (`http.unreadable_answer`): the start of its body, one line, credentials
    /// redacted, control characters escaped.
    pub answer_prefix: Option<String>,
    /// Any hop AWS can deny: what the AccessDenied message said.
    pub denial: Option<Denial>,
    /// What only this hop's kind observes.
    pub kind: KindEvidence,
}

/// The evidence only one kind of hop has. A hop fills its own kind's type through the
/// accessor of that name (`hop.evidence.dns()`), which makes the evidence that kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum KindEvidence {
    /// Hops that observe nothing of their own (a skipped hop, a failure before any answer).
    #[default]
    None,
    Context(Findings),
    Dns(Dns),
    Tcp(Tcp),
    Tls(Tls),
    Credentials(Credentials),
    Registry(Registry),
    Manifest(Manifest),
    Layer(Layer),
    Call(Call),
}

/// The context hop's evidence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Every pre-flight finding, most severe first.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dns {
    /// The server that answered (or was asked last), `ip:port`.
    pub server: Option<String>,
    /// One entry per record type asked (A, AAAA).
    pub queries: Vec<DnsQuery>,
    /// What the name must resolve to: `private` (interface endpoint) or `any`
    /// (S3 with a gateway endpoint keeps public addresses).
    pub expected: Option<DnsExpectation>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tcp {
    /// Time to establish the connection.
    pub connect: Option<std::time::Duration>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tls {
    /// The server name sent (SNI).
    pub sni: Option<String>,
    /// e.g. `TLSv1_3`.
    pub tls_version: Option<String>,
    /// The negotiated cipher suite.
    pub cipher_suite: Option<String>,
    /// The negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// Handshake time.
    pub handshake: Option<std::time::Duration>,
    /// The server's leaf certificate (also when verification failed).
    pub certificate: Option<crate::net::tls::CertificateInfo>,
    /// `ok`, or why verification failed.
    pub verification: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credentials {
    /// `container`, `environment`, `profile`, `web_identity`, `imds`, `unknown`.
    pub source: Option<CredentialSource>,
    /// The SDK provider's own name.
    pub provider: Option<String>,
    /// The role the container credentials belong to (ECS), when known.
    pub role_arn: Option<String>,
    /// Whether the keys are temporary (have a session token).
    pub temporary: Option<bool>,
    /// When the credentials expire, RFC 3339.
    pub expires_at: Option<String>,
}

/// The registry ping (`GET /v2/`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registry {
    /// The `Www-Authenticate` challenge.
    pub www_authenticate: Option<String>,
    /// The `Docker-Distribution-Api-Version` header.
    pub api_version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// Media type of the manifest finally used.
    pub media_type: Option<String>,
    /// Digest of the manifest finally used.
    pub digest: Option<String>,
    /// Media type and digest of the index / manifest list, when there was one.
    pub index_media_type: Option<String>,
    pub index_digest: Option<String>,
    /// The platform selected from an index.
    pub platform: Option<String>,
    /// Platforms an index offers.
    pub platforms_available: Vec<String>,
    /// Number of layers.
    pub layer_count: Option<u32>,
    /// Total compressed size of the layers.
    pub image_size_bytes: Option<u64>,
    /// Layers that are not in ECR (Windows foreign layers) and where they come from.
    pub foreign_layers: Vec<ForeignLayer>,
}

/// The layer redirect and the layer fetch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layer {
    /// The blob digest.
    pub digest: Option<String>,
    /// Size of the blob according to the manifest.
    pub size_bytes: Option<u64>,
    /// layer: the platform a single-platform image's config names, when a platform
    /// was asked for.
    pub platform: Option<String>,
    /// layer_redirect: where the registry redirected to, without query.
    pub location: Option<String>,
    /// layer_redirect: the host of the redirect target.
    pub location_host: Option<String>,
    /// layer_redirect: the host ECR redirects to in this region.
    pub expected_host: Option<String>,
    /// layer: bytes read.
    pub bytes_read: Option<u64>,
    /// layer: whether the SHA-256 of the bytes was compared with the digest.
    pub digest_checked: Option<bool>,
    /// layer: the SHA-256 of the bytes read, when they were the whole blob.
    pub digest_actual: Option<String>,
    /// layer: the S3 error code from the XML body, e.g. `AccessDenied`.
    pub s3_error_code: Option<String>,
}

/// A signed call (ecr_token, logs, service): the one file per call in `hop/calls/`
/// fills its own answer's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Call {
    /// The endpoint URL called.
    pub endpoint: Option<String>,
    /// The AWS error code (e.g. `AccessDeniedException`).
    pub aws_error_code: Option<String>,
    /// The request id AWS returned.
    pub request_id: Option<String>,
    /// service: the service whose endpoint was called, e.g. `ssm`, `secretsmanager`. Added in schema 1, probe 0.2.
    pub service: Option<String>,
    /// service: the IAM action of the read-only call, e.g. `ssm:DescribeParameters`. Added in schema 1, probe 0.2.
    pub call: Option<String>,
    /// service: what the call named (secret ARNs, parameter names, a key id, a cluster): identifiers, never values. Added in schema 1, probe 0.2.
    pub resources: Vec<String>,
    /// service (ssm): how many of the named parameters exist. Added in schema 1, probe 0.2.
    pub found: Option<u32>,
    /// service (sts): the ARN of the principal that signed (`GetCallerIdentity`). Added in schema 1, probe 0.2.
    pub caller_arn: Option<String>,
    /// service (ecs): the ACS endpoint `DiscoverPollEndpoint` named for the agent. Added in schema 1, probe 0.2.
    pub poll_endpoint: Option<String>,
    /// service (ecs): the TCS endpoint `DiscoverPollEndpoint` named. Added in schema 1, probe 0.2.
    pub telemetry_endpoint: Option<String>,
    /// service (secretsmanager, ssm): the KMS key of the secret or of a named SecureString parameter, when one is not AWS managed (secretsmanager: as DescribeSecret names it). Added in schema 1, probe 0.2.
    pub kms_key_id: Option<String>,
    /// ecr_token: the registry endpoint the token is for.
    pub proxy_endpoint: Option<String>,
    /// ecr_token: when the token expires, RFC 3339.
    pub expires_at: Option<String>,
}

/// `fn dns(&mut self) -> &mut Dns`: this hop's evidence of that kind, made that kind
/// first when it was not (a hop has one kind, so nothing of another is lost).
macro_rules! kind_accessor {
    ($($fn_name:ident => $variant:ident($ty:ty);)*) => {
        impl Evidence {
            $(
                pub fn $fn_name(&mut self) -> &mut $ty {
                    if !matches!(self.kind, KindEvidence::$variant(_)) {
                        self.kind = KindEvidence::$variant(<$ty>::default());
                    }
                    match &mut self.kind {
                        KindEvidence::$variant(v) => v,
                        _ => unreachable!("the kind was set just above"),
                    }
                }
            )*
        }
    };
}

kind_accessor! {
    context => Context(Findings);
    dns => Dns(Dns);
    tcp => Tcp(Tcp);
    tls => Tls(Tls);
    credentials => Credentials(Credentials);
    registry => Registry(Registry);
    manifest => Manifest(Manifest);
    layer => Layer(Layer);
    call => Call(Call);
}

impl Evidence {
    /// What an AccessDenied message said, in the evidence every deniable hop shares.
    pub fn record_denial(&mut self, d: &Denial) {
        self.denial = Some(d.clone());
    }

    /// The signed call's evidence, when this hop made one.
    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            KindEvidence::Call(c) => Some(c),
            _ => None,
        }
    }

    /// The credentials hop's evidence.
    pub fn as_credentials(&self) -> Option<&Credentials> {
        match &self.kind {
            KindEvidence::Credentials(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DnsQuery {
    /// `A` or `AAAA`.
    pub record_type: String,
    /// `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, …; absent on timeout or network error.
    pub rcode: Option<String>,
    pub answers: Vec<String>,
    /// Lowest TTL of the answers, seconds.
    pub ttl: Option<u32>,
    pub elapsed: std::time::Duration,
    /// Why there is no answer: `timeout`, `no records`, or the error text.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub address: String,
    /// `private`, `vpc` (inside --vpc-cidr or the task subnet), `shared` (100.64/10),
    /// `link_local`, `loopback` or `public`.
    pub scope: Scope,
    /// Whether the address is inside the VPC (anything but `public`).
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForeignLayer {
    pub digest: String,
    pub media_type: String,
    /// Hosts of the layer's `urls` (where the runtime fetches it from).
    pub hosts: Vec<String>,
}

/// A pre-flight finding of the context hop.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `warn` or `fail`.
    pub severity: Verdict,
    pub cause: crate::diagnose::Cause,
}

/// One thing the task needs before its first container starts, and the hops that
/// probe it (`--task-definition`, `--check`, the launch type).
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// `image`, `logs`, `secrets`, `exec`, `efs`, `ecs_agent`, `check`, `telemetry` or
    /// `env_file`.
    pub kind: &'static str,
    /// What the task needs, e.g. `image app 1234….dkr.ecr…/app:v1`.
    pub subject: String,
    /// The hops that decide it: an id, or the prefix of a fan-out step's ids (`tcp:host`
    /// matches `tcp:host@10.0.1.5`).
    pub hop_ids: Vec<String>,
    /// What is known before any packet (a foreign registry, a malformed region).
    pub findings: Vec<Finding>,
    /// None: the task cannot start without it. Some: it starts, and this is what the
    /// user loses when the need fails ("the task starts; its logs … are dropped").
    pub degrades: Option<String>,
}

/// What was probed, from where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The image reference probed.
    pub image: Option<String>,
    /// `flag` or `task_metadata`.
    pub image_source: Option<ImageSource>,
    pub registry_account: Option<String>,
    /// The region whose ECR endpoints are probed: the image's registry region (the
    /// pull goes there whatever region the task runs in).
    pub region: Option<String>,
    /// `image` (a private ECR image's own region), or for other images `flag`,
    /// `environment` or `task_metadata`.
    pub region_source: Option<RegionSource>,
    /// The region the task runs in (`--region`, `AWS_REGION`, or the task ARN), when
    /// known; the logs endpoint is this region's.
    pub task_region: Option<String>,
    /// `flag`, `environment` or `task_metadata`.
    pub task_region_source: Option<TaskRegionSource>,
    /// The platform asked for from an index.
    pub platform: Option<String>,
    /// The DNS servers asked, in order.
    pub resolvers: Vec<Resolver>,
    /// `resolv.conf` or `flag`.
    pub resolvers_source: Option<ResolversSource>,
    /// CIDRs whose addresses count as inside the VPC.
    pub vpc_cidrs: Vec<String>,
    /// Service endpoints probed: service name → URL.
    pub endpoints: Vec<ServiceEndpoint>,
    /// Proxy settings in the environment (user info removed) and what they would route.
    pub proxy: Option<Proxy>,
    /// ECS task metadata, when the probe runs in an ECS task.
    pub task: Option<TaskMetadata>,
    /// `AWS_EXECUTION_ENV`, e.g. `AWS_ECS_FARGATE`.
    pub execution_env: Option<String>,
    /// The `--task-definition` file read.
    pub task_definition: Option<String>,
    pub task_family: Option<String>,
    /// FARGATE, EC2 or EXTERNAL, when known.
    pub launch_type: Option<String>,
    pub timeout_ms: u64,
    pub deadline_ms: u64,
    pub max_layer_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolver {
    /// `ip:port`.
    pub address: String,
    /// `vpc_resolver` (169.254.169.253, fd00:ec2::253 or VPC base + 2), `likely_vpc_resolver`
    /// (a private address ending in .2), `local_stub`, or `custom`.
    pub kind: ResolverKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEndpoint {
    /// `api`, `dkr`, `s3`, `s3_layer_bucket`, `logs`.
    pub service: String,
    pub url: String,
    /// `default`, `image`, `flag` or `environment`.
    pub source: EndpointSource,
    /// The VPC endpoint service that serves it, e.g. `com.amazonaws.us-east-1.ecr.api`.
    pub vpc_endpoint_service: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proxy {
    pub https_proxy: Option<String>,
    pub http_proxy: Option<String>,
    pub no_proxy: Option<String>,
    /// Probed hosts an HTTPS client honouring these variables would send to the proxy.
    /// The probe itself always connects directly, as the container runtime's pull does.
    pub proxied_hosts: Vec<String>,
}
