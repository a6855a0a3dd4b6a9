//! The AWS vocabulary the probe speaks: the services it talks to, their host names and
//! VPC endpoint services, regions and partitions, and the names ECR's data plane uses.
//! Pure data and pure functions: no I/O, no configuration.
//!
//! Adding an AWS service endpoint check starts here: a [`Service`] variant and its row
//! in [`Service::spec`] (built from defaults); the plan builds its dns → tcp → tls chain
//! from that row, and its API call when the row names a [`Call`], whose request and
//! answer reader are the call's own file in `hop/calls/`. The `--help` lists, the
//! README's and docs' tables and the lab's hosts are checked against this table
//! (tests/offline.rs).

/// A service the probe talks to, as named on `--endpoint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Api,
    Dkr,
    S3,
    Logs,
    SecretsManager,
    Ssm,
    Kms,
    SsmMessages,
    Ecs,
    EcsAgent,
    EcsTelemetry,
    Sts,
    Efs,
    /// Telemetry and mesh endpoints of well-known sidecars and FireLens outputs
    /// (`needs.rs`'s sidecar table): the chain and a read-only call prove them, but
    /// App Mesh's Envoy management endpoint, whose only API is Envoy's xDS stream
    /// (gRPC over HTTP/2): its TLS handshake is the proof.
    Xray,
    Monitoring,
    Firehose,
    Kinesis,
    AppMeshEnvoy,
}

/// The signed, read-only call that proves an interface endpoint serves (see
/// docs/aws-facts.md: an AWS-shaped answer, even AccessDenied, proves the path). Each
/// is one file in `hop/calls/` (its request, answer reader, denial and start-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `ecr:GetAuthorizationToken`: also the registry credentials of the pull.
    GetAuthorizationToken,
    /// `logs:DescribeLogGroups` with limit 1.
    DescribeLogGroups,
    /// `secretsmanager:DescribeSecret` on the task's secret: metadata, never the value.
    DescribeSecret,
    /// `ssm:DescribeParameters` filtered to the task's parameter names: metadata only.
    DescribeParameters,
    /// `kms:DescribeKey` on the key asked for, else `alias/aws/secretsmanager`.
    DescribeKey,
    /// `ecs:DiscoverPollEndpoint`: the agent's ACS and TCS hosts.
    DiscoverPollEndpoint,
    /// `sts:GetCallerIdentity`: which principal signs (needs no permission).
    GetCallerIdentity,
    /// `firehose:DescribeDeliveryStream`: a FireLens Firehose output's endpoint.
    DescribeDeliveryStream,
    /// `kinesis:DescribeStreamSummary`: a FireLens Kinesis Data Streams output's endpoint.
    DescribeStreamSummary,
    /// `s3:HeadObject` on an environment file: its metadata, never its content.
    HeadObject,
    /// `xray:GetSamplingRules`: an X-Ray daemon's (or ADOT collector's) endpoint.
    GetSamplingRules,
    /// `cloudwatch:ListMetrics` of a namespace no agent writes: a CloudWatch agent's
    /// (or ADOT collector's) metrics endpoint.
    ListMetrics,
}

/// The API calls that return a secret's or parameter's value, or decrypt: the probe
/// never makes them (a test checks the service table against this list).
pub const VALUE_RETURNING_APIS: &[&str] = &[
    "secretsmanager.GetSecretValue",
    "secretsmanager.BatchGetSecretValue",
    "AmazonSSM.GetParameter",
    "AmazonSSM.GetParameters",
    "AmazonSSM.GetParametersByPath",
    "TrentService.Decrypt",
    "TrentService.GenerateDataKey",
];

/// Which region's endpoint a service is probed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionOf {
    /// Where the pull goes: the image's registry region (ECR, S3).
    Image,
    /// Where the task runs (CloudWatch Logs for awslogs, and the task's own services).
    Task,
}

impl Call {
    /// The step (and hop id) that makes this call.
    pub fn label(self) -> &'static str {
        match self {
            Call::GetAuthorizationToken => "ecr_token",
            Call::DescribeLogGroups => "logs",
            Call::DescribeSecret => "service:secretsmanager",
            Call::DescribeParameters => "service:ssm",
            Call::DescribeKey => "service:kms",
            Call::DiscoverPollEndpoint => "service:ecs",
            Call::GetCallerIdentity => "service:sts",
            Call::DescribeDeliveryStream => "service:firehose",
            Call::DescribeStreamSummary => "service:kinesis",
            Call::HeadObject => "service:s3",
            Call::GetSamplingRules => "service:xray",
            Call::ListMetrics => "service:monitoring",
        }
    }

    /// A call about a resource the task names (an object): made only where one is
    /// named, never on the pull path's own target of the service.
    pub fn needs_resource(self) -> bool {
        matches!(self, Call::HeadObject)
    }
}

/// One row of the service table.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    pub service: Service,
    /// The name on `--endpoint` and in `context.endpoints[].service`.
    pub name: &'static str,
    /// Other names accepted on `--endpoint`.
    pub aliases: &'static [&'static str],
    /// The VPC endpoint service's suffix: `com.amazonaws.<region>.<this>`.
    pub endpoint_service: &'static str,
    /// The default host, `<prefix>.<region>.<dns suffix>`; None when the host comes
    /// from elsewhere (the image names the dkr host).
    pub host_prefix: Option<&'static str>,
    /// Interface endpoint names must resolve inside the VPC; S3 with a gateway
    /// endpoint keeps its public addresses (docs/aws-facts.md#s3-gateway-public-dns).
    pub expect_private: bool,
    /// `AWS_ENDPOINT_URL_<X>` variable the SDK honours for this service.
    pub endpoint_env: Option<&'static str>,
    pub region: RegionOf,
    /// The signed call that proves the endpoint serves; None for data-plane services
    /// whose own hops prove it (the registry, S3) and for endpoints with no harmless
    /// call (ssmmessages, the agent's ACS/TCS: their handshake is the proof).
    pub call: Option<Call>,
    /// The port the task's traffic goes to: 443, or 2049 (NFS) for EFS.
    pub port: u16,
    /// Whether the chain ends with a TLS handshake (not for NFS).
    pub tls: bool,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    /// Probed in every run (the image pull path and awslogs); the others only when a
    /// task definition needs them or `--check` names them.
    pub always: bool,
    /// What the task (or its sidecar) must be allowed on this service, for the hint of
    /// a denial; `<region>` stands for the region at hand.
    pub actions: &'static str,
    /// Whether the task's own calls here are signed with the task role (a sidecar's or
    /// a FireLens output's), not the execution role (the pull, secrets, awslogs).
    pub by_task_role: bool,
}

/// A row for an interface endpoint with the common defaults: host `<name>.<region>…`,
/// private names, 443 with TLS, signed as `<name>`, the task's region, probed when a
/// task definition needs it or `--check` names it, no call. Builders below set the rest,
/// so a row says only what is particular to its service (as `causes.rs` builds rows).
const fn interface(
    service: Service,
    name: &'static str,
    endpoint_service: &'static str,
) -> ServiceSpec {
    ServiceSpec {
        service,
        name,
        aliases: &[],
        endpoint_service,
        host_prefix: Some(name),
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: name,
        always: false,
        actions: "",
        by_task_role: false,
    }
}

impl ServiceSpec {
    const fn actions(mut self, actions: &'static str) -> Self {
        self.actions = actions;
        self
    }
    /// The role the task's own calls through this endpoint are signed with.
    pub fn signing_role(&self) -> &'static str {
        if self.by_task_role {
            "the task role"
        } else {
            "the task execution role"
        }
    }
    const fn by_task_role(mut self) -> Self {
        self.by_task_role = true;
        self
    }
    const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    const fn host(mut self, prefix: Option<&'static str>) -> Self {
        self.host_prefix = prefix;
        self
    }
    const fn env(mut self, var: &'static str) -> Self {
        self.endpoint_env = Some(var);
        self
    }
    const fn call(mut self, call: Call) -> Self {
        self.call = Some(call);
        self
    }
    const fn signed_as(mut self, signing_name: &'static str) -> Self {
        self.signing_name = signing_name;
        self
    }
    /// Probed in the image's registry region (the pull path).
    const fn image_region(mut self) -> Self {
        self.region = RegionOf::Image;
        self
    }
    /// Probed in every run.
    const fn always(mut self) -> Self {
        self.always = true;
        self
    }
    /// A gateway endpoint: the names stay public (docs/aws-facts.md#s3-gateway-public-dns).
    const fn public_names(mut self) -> Self {
        self.expect_private = false;
        self
    }
    /// NFS on 2049, no TLS.
    const fn nfs(mut self) -> Self {
        self.port = 2049;
        self.tls = false;
        self
    }
}

/// The ECS agent's own actions, on each of its endpoints.
const AGENT_ACTIONS: &str =
    "the ECS agent's actions (ecs:DiscoverPollEndpoint, ecs:Poll, ecs:StartTelemetrySession)";

const SPECS: &[ServiceSpec] = &[
    interface(Service::Api, "api", "ecr.api")
        .actions("ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer")
        .aliases(&["ecr", "ecr.api"])
        .host(Some("api.ecr"))
        .env("AWS_ENDPOINT_URL_ECR")
        .call(Call::GetAuthorizationToken)
        .signed_as("ecr")
        .image_region()
        .always(),
    // The image names the dkr host.
    interface(Service::Dkr, "dkr", "ecr.dkr")
        .actions("ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer")
        .aliases(&["ecr.dkr"])
        .host(None)
        .signed_as("ecr")
        .image_region()
        .always(),
    interface(Service::S3, "s3", "s3")
        .actions("s3:GetObject on arn:aws:s3:::prod-<region>-starport-layer-bucket/*")
        .call(Call::HeadObject)
        .public_names()
        .image_region()
        .always(),
    interface(Service::Logs, "logs", "logs")
        .actions("logs:CreateLogStream and logs:PutLogEvents")
        .env("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
        .call(Call::DescribeLogGroups)
        .always(),
    interface(Service::SecretsManager, "secretsmanager", "secretsmanager")
        .actions("secretsmanager:GetSecretValue on the task's secrets (and kms:Decrypt on a customer-managed key)")
        .aliases(&["secrets-manager", "asm"])
        .env("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .call(Call::DescribeSecret),
    interface(Service::Ssm, "ssm", "ssm")
        .actions("ssm:GetParameters on the task's parameters (and kms:Decrypt for SecureString)")
        .aliases(&["parameter-store"])
        .env("AWS_ENDPOINT_URL_SSM")
        .call(Call::DescribeParameters),
    interface(Service::Kms, "kms", "kms")
        .actions("kms:Decrypt on the key")
        .env("AWS_ENDPOINT_URL_KMS")
        .call(Call::DescribeKey),
    interface(Service::SsmMessages, "ssmmessages", "ssmmessages")
        .actions("the ssmmessages:* actions ECS Exec uses")
        .aliases(&["ecs-exec"]),
    interface(Service::Ecs, "ecs", "ecs")
        .actions(AGENT_ACTIONS)
        .env("AWS_ENDPOINT_URL_ECS")
        .call(Call::DiscoverPollEndpoint),
    interface(Service::EcsAgent, "ecs-agent", "ecs-agent")
        .actions(AGENT_ACTIONS)
        .aliases(&["acs"])
        .host(Some("ecs-a-1"))
        .signed_as("ecs"),
    interface(Service::EcsTelemetry, "ecs-telemetry", "ecs-telemetry")
        .actions(AGENT_ACTIONS)
        .aliases(&["tcs"])
        .host(Some("ecs-t-1"))
        .signed_as("ecs"),
    interface(Service::Sts, "sts", "sts")
        .actions("sts:GetCallerIdentity")
        .env("AWS_ENDPOINT_URL_STS")
        .call(Call::GetCallerIdentity),
    // The file system's own name (`<fs-id>.efs.<region>…`), not a service host.
    interface(Service::Efs, "efs", "elasticfilesystem")
        .actions("elasticfilesystem:ClientMount (and ClientWrite) on the file system")
        .aliases(&["nfs"])
        .host(None)
        .signed_as("elasticfilesystem")
        .nfs(),
    interface(Service::Xray, "xray", "xray")
        .actions("xray:PutTraceSegments (the X-Ray daemon or ADOT collector)")
        .by_task_role()
        .aliases(&["x-ray"])
        .env("AWS_ENDPOINT_URL_XRAY")
        .call(Call::GetSamplingRules),
    interface(Service::Monitoring, "monitoring", "monitoring")
        .actions("cloudwatch:PutMetricData (the CloudWatch agent or ADOT collector)")
        .by_task_role()
        .aliases(&["cloudwatch"])
        .env("AWS_ENDPOINT_URL_CLOUDWATCH")
        .call(Call::ListMetrics),
    interface(Service::Firehose, "firehose", "kinesis-firehose")
        .actions("firehose:PutRecordBatch (the FireLens output)")
        .by_task_role()
        .aliases(&["kinesis-firehose"])
        .env("AWS_ENDPOINT_URL_FIREHOSE")
        .call(Call::DescribeDeliveryStream),
    interface(Service::Kinesis, "kinesis", "kinesis-streams")
        .actions("kinesis:PutRecords (the FireLens output)")
        .by_task_role()
        .aliases(&["kinesis-streams"])
        .env("AWS_ENDPOINT_URL_KINESIS")
        .call(Call::DescribeStreamSummary),
    // No call: Envoy's only API here is the xDS stream (gRPC over HTTP/2,
    // appmesh:StreamAggregatedResources), which the probe's HTTP/1.1 client does not
    // speak and which returns the node's configuration rather than proving the path.
    interface(
        Service::AppMeshEnvoy,
        "appmesh-envoy-management",
        "appmesh-envoy-management",
    )
    .actions("appmesh:StreamAggregatedResources (the Envoy proxy)")
    .by_task_role()
    .aliases(&["appmesh"])
    .signed_as("appmesh"),
];

impl Service {
    pub fn all() -> impl Iterator<Item = &'static ServiceSpec> {
        SPECS.iter()
    }

    pub fn spec(self) -> &'static ServiceSpec {
        // Rows are in variant order; `every_service_has_one_row` keeps it so.
        &SPECS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The service named on `--endpoint`, by its name or an alias.
    pub fn from_name(name: &str) -> Option<Service> {
        SPECS
            .iter()
            .find(|s| s.name == name || s.aliases.contains(&name))
            .map(|s| s.service)
    }

    /// The VPC endpoint service that serves this name, for hints.
    pub fn endpoint_service(self, region: &str) -> String {
        format!("com.amazonaws.{region}.{}", self.spec().endpoint_service)
    }

    /// The standard host name of this service in `region`, when it has one.
    pub fn default_host(self, region: &str, dns_suffix: &str) -> Option<String> {
        self.spec()
            .host_prefix
            .map(|p| format!("{p}.{region}.{dns_suffix}"))
    }
}

/// The DNS suffix of the partition a region is in.
pub fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// Whether `r` has the shape of a region name (`us-east-1`, `us-gov-west-1`).
pub fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// The region field of an ARN, when it has one.
pub fn arn_region(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() >= 6 && parts[0] == "arn" && !parts[3].is_empty()).then(|| parts[3].to_string())
}

/// Whether `a` has the shape of an account id: 12 digits.
pub fn is_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// The account field of an ARN, when it is an account id.
pub fn arn_account(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| is_account(a))
        .map(str::to_string)
}

/// The S3 host ECR's blob redirects point at in `region`
/// (docs/aws-facts.md#starport-bucket-redirect).
pub fn starport_bucket_host(region: &str, dns_suffix: &str) -> String {
    format!("prod-{region}-starport-layer-bucket.s3.{region}.{dns_suffix}")
}

/// Whether `host` names the region's starport layer bucket: its regional name, or the
/// legacy global one (`prod-<region>-starport-layer-bucket.s3.amazonaws.com`) that real
/// ECR redirects still use (docs/aws-facts.md#starport-legacy-host). S3 resolves the
/// global name to the bucket's own region, so the gateway endpoint covers both.
pub fn is_starport_bucket_host(host: &str, region: &str, dns_suffix: &str) -> bool {
    host == starport_bucket_host(region, dns_suffix)
        || host == format!("prod-{region}-starport-layer-bucket.s3.{dns_suffix}")
}

/// Whether a redirect target is an S3 host that could serve an ECR layer: any S3 name
/// under the AWS suffix (regional, legacy global, virtual-hosted). Anything else is not
/// followed: the registry credentials' realm must not send the probe to arbitrary hosts.
pub fn is_s3_host(host: &str, dns_suffix: &str) -> bool {
    let Some(prefix) = host
        .strip_suffix(dns_suffix)
        .and_then(|p| p.strip_suffix('.'))
    else {
        return false;
    };
    prefix == "s3"
        || prefix.ends_with(".s3")
        || prefix.starts_with("s3.")
        || prefix.contains(".s3.")
        || prefix.starts_with("s3-")
        || prefix.contains(".s3-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_arn() {
        assert_eq!(
            arn_account("arn:aws:ecs:us-east-1:123456789012:service/c/s").as_deref(),
            Some("123456789012")
        );
        assert_eq!(arn_account("app:3"), None);
    }

    #[test]
    fn every_service_has_one_row() {
        for s in SPECS.iter().map(|r| r.service) {
            assert_eq!(SPECS.iter().filter(|r| r.service == s).count(), 1, "{s:?}");
            assert_eq!(
                SPECS[s as usize].service, s,
                "rows must be in variant order"
            );
            assert_eq!(s.spec().service, s);
            assert_eq!(Service::from_name(s.name()), Some(s));
            // A denial's hint names what to allow: a row without it would print none.
            assert!(s.spec().actions.contains(':'), "{s:?} names no actions");
        }
        assert_eq!(Service::from_name("ecr.api"), Some(Service::Api));
        assert_eq!(Service::from_name("sts"), Some(Service::Sts));
        assert_eq!(Service::from_name("nosuch"), None);
        assert_eq!(SPECS.len(), Service::AppMeshEnvoy as usize + 1);
        assert_eq!(
            Service::Api.endpoint_service("eu-west-1"),
            "com.amazonaws.eu-west-1.ecr.api"
        );
        assert_eq!(
            Service::Logs.default_host("cn-north-1", dns_suffix("cn-north-1")),
            Some("logs.cn-north-1.amazonaws.com.cn".into())
        );
        assert_eq!(
            Service::Dkr.default_host("us-east-1", "amazonaws.com"),
            None
        );
    }

    #[test]
    fn rows_say_port_and_region() {
        assert_eq!(Service::Efs.spec().port, 2049);
        assert!(!Service::Efs.spec().tls);
        assert_eq!(Service::Api.spec().region, RegionOf::Image);
    }

    #[test]
    fn regions_and_arns() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("US_EAST"));
        assert!(!is_region("us-east"));
        assert_eq!(
            arn_region("arn:aws:ecs:us-west-2:111122223333:task/c/abc").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(arn_region("nonsense"), None);
    }

    #[test]
    fn s3_hosts() {
        let sfx = "amazonaws.com";
        assert_eq!(
            starport_bucket_host("us-east-1", sfx),
            "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com"
        );
        assert!(is_s3_host(
            "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com",
            sfx
        ));
        assert!(is_s3_host(
            "prod-us-east-1-starport-layer-bucket.s3.amazonaws.com",
            sfx
        ));
        assert!(is_s3_host("s3.us-east-1.amazonaws.com", sfx));
        assert!(is_s3_host("bucket.s3-us-west-2.amazonaws.com", sfx));
        assert!(!is_s3_host("evil.example.net", sfx));
        assert!(!is_s3_host("s3.us-east-1.amazonaws.com.evil.net", sfx));
        assert!(!is_s3_host("notamazonaws.com", sfx));
        assert!(!is_s3_host("api.ecr.us-east-1.amazonaws.com", sfx));
    }
}
