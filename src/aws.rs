//! The AWS vocabulary the probe speaks: the services it talks to, their host names and
//! VPC endpoint services, regions and partitions, and the names ECR's data plane uses.
//! Pure data and pure functions: no I/O, no configuration.
//!
//! Adding an AWS service endpoint check starts here: a [`Service`] variant and its row
//! in [`Service::spec`]; the plan builds its dns → tcp → tls chain (and its API call
//! when the row names one) from that row.

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
    /// (`needs.rs`'s sidecar table): the chain proves them; no call yet.
    Xray,
    Monitoring,
    Firehose,
    Kinesis,
    AppMeshEnvoy,
}

/// The signed, read-only call that proves an interface endpoint serves (see
/// docs/aws-facts.md: an AWS-shaped answer, even AccessDenied, proves the path).
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
        }
    }

    /// The IAM action, as AccessDenied messages and hints name it.
    pub fn action(self) -> &'static str {
        match self {
            Call::GetAuthorizationToken => "ecr:GetAuthorizationToken",
            Call::DescribeLogGroups => "logs:DescribeLogGroups",
            Call::DescribeSecret => "secretsmanager:DescribeSecret",
            Call::DescribeParameters => "ssm:DescribeParameters",
            Call::DescribeKey => "kms:DescribeKey",
            Call::DiscoverPollEndpoint => "ecs:DiscoverPollEndpoint",
            Call::GetCallerIdentity => "sts:GetCallerIdentity",
        }
    }

    /// The JSON 1.1 `X-Amz-Target`, or None for the Query protocol (STS).
    pub fn json_target(self) -> Option<&'static str> {
        match self {
            Call::GetAuthorizationToken => {
                Some("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")
            }
            Call::DescribeLogGroups => Some("Logs_20140328.DescribeLogGroups"),
            Call::DescribeSecret => Some("secretsmanager.DescribeSecret"),
            Call::DescribeParameters => Some("AmazonSSM.DescribeParameters"),
            Call::DescribeKey => Some("TrentService.DescribeKey"),
            Call::DiscoverPollEndpoint => {
                Some("AmazonEC2ContainerServiceV20141113.DiscoverPollEndpoint")
            }
            Call::GetCallerIdentity => None,
        }
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
}

const SPECS: &[ServiceSpec] = &[
    ServiceSpec {
        service: Service::Api,
        name: "api",
        aliases: &["ecr", "ecr.api"],
        endpoint_service: "ecr.api",
        host_prefix: Some("api.ecr"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_ECR"),
        region: RegionOf::Image,
        call: Some(Call::GetAuthorizationToken),
        port: 443,
        tls: true,
        signing_name: "ecr",
        always: true,
    },
    ServiceSpec {
        service: Service::Dkr,
        name: "dkr",
        aliases: &["ecr.dkr"],
        endpoint_service: "ecr.dkr",
        host_prefix: None,
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Image,
        call: None,
        port: 443,
        tls: true,
        signing_name: "ecr",
        always: true,
    },
    ServiceSpec {
        service: Service::S3,
        name: "s3",
        aliases: &[],
        endpoint_service: "s3",
        host_prefix: Some("s3"),
        expect_private: false,
        endpoint_env: None,
        region: RegionOf::Image,
        call: None,
        port: 443,
        tls: true,
        signing_name: "s3",
        always: true,
    },
    ServiceSpec {
        service: Service::Logs,
        name: "logs",
        aliases: &[],
        endpoint_service: "logs",
        host_prefix: Some("logs"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"),
        region: RegionOf::Task,
        call: Some(Call::DescribeLogGroups),
        port: 443,
        tls: true,
        signing_name: "logs",
        always: true,
    },
    ServiceSpec {
        service: Service::SecretsManager,
        name: "secretsmanager",
        aliases: &["secrets-manager", "asm"],
        endpoint_service: "secretsmanager",
        host_prefix: Some("secretsmanager"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
        region: RegionOf::Task,
        call: Some(Call::DescribeSecret),
        port: 443,
        tls: true,
        signing_name: "secretsmanager",
        always: false,
    },
    ServiceSpec {
        service: Service::Ssm,
        name: "ssm",
        aliases: &["parameter-store"],
        endpoint_service: "ssm",
        host_prefix: Some("ssm"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_SSM"),
        region: RegionOf::Task,
        call: Some(Call::DescribeParameters),
        port: 443,
        tls: true,
        signing_name: "ssm",
        always: false,
    },
    ServiceSpec {
        service: Service::Kms,
        name: "kms",
        aliases: &[],
        endpoint_service: "kms",
        host_prefix: Some("kms"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_KMS"),
        region: RegionOf::Task,
        call: Some(Call::DescribeKey),
        port: 443,
        tls: true,
        signing_name: "kms",
        always: false,
    },
    ServiceSpec {
        service: Service::SsmMessages,
        name: "ssmmessages",
        aliases: &["ecs-exec"],
        endpoint_service: "ssmmessages",
        host_prefix: Some("ssmmessages"),
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "ssmmessages",
        always: false,
    },
    ServiceSpec {
        service: Service::Ecs,
        name: "ecs",
        aliases: &[],
        endpoint_service: "ecs",
        host_prefix: Some("ecs"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_ECS"),
        region: RegionOf::Task,
        call: Some(Call::DiscoverPollEndpoint),
        port: 443,
        tls: true,
        signing_name: "ecs",
        always: false,
    },
    ServiceSpec {
        service: Service::EcsAgent,
        name: "ecs-agent",
        aliases: &["acs"],
        endpoint_service: "ecs-agent",
        host_prefix: Some("ecs-a-1"),
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "ecs",
        always: false,
    },
    ServiceSpec {
        service: Service::EcsTelemetry,
        name: "ecs-telemetry",
        aliases: &["tcs"],
        endpoint_service: "ecs-telemetry",
        host_prefix: Some("ecs-t-1"),
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "ecs",
        always: false,
    },
    ServiceSpec {
        service: Service::Sts,
        name: "sts",
        aliases: &[],
        endpoint_service: "sts",
        host_prefix: Some("sts"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_STS"),
        region: RegionOf::Task,
        call: Some(Call::GetCallerIdentity),
        port: 443,
        tls: true,
        signing_name: "sts",
        always: false,
    },
    ServiceSpec {
        service: Service::Efs,
        name: "efs",
        aliases: &["nfs"],
        endpoint_service: "elasticfilesystem",
        host_prefix: None,
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 2049,
        tls: false,
        signing_name: "elasticfilesystem",
        always: false,
    },
    ServiceSpec {
        service: Service::Xray,
        name: "xray",
        aliases: &["x-ray"],
        endpoint_service: "xray",
        host_prefix: Some("xray"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_XRAY"),
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "xray",
        always: false,
    },
    ServiceSpec {
        service: Service::Monitoring,
        name: "monitoring",
        aliases: &["cloudwatch"],
        endpoint_service: "monitoring",
        host_prefix: Some("monitoring"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_CLOUDWATCH"),
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "monitoring",
        always: false,
    },
    ServiceSpec {
        service: Service::Firehose,
        name: "firehose",
        aliases: &["kinesis-firehose"],
        endpoint_service: "kinesis-firehose",
        host_prefix: Some("firehose"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_FIREHOSE"),
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "firehose",
        always: false,
    },
    ServiceSpec {
        service: Service::Kinesis,
        name: "kinesis",
        aliases: &["kinesis-streams"],
        endpoint_service: "kinesis-streams",
        host_prefix: Some("kinesis"),
        expect_private: true,
        endpoint_env: Some("AWS_ENDPOINT_URL_KINESIS"),
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "kinesis",
        always: false,
    },
    ServiceSpec {
        service: Service::AppMeshEnvoy,
        name: "appmesh-envoy-management",
        aliases: &["appmesh"],
        endpoint_service: "appmesh-envoy-management",
        host_prefix: Some("appmesh-envoy-management"),
        expect_private: true,
        endpoint_env: None,
        region: RegionOf::Task,
        call: None,
        port: 443,
        tls: true,
        signing_name: "appmesh",
        always: false,
    },
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
    fn every_service_has_one_row() {
        for s in SPECS.iter().map(|r| r.service) {
            assert_eq!(SPECS.iter().filter(|r| r.service == s).count(), 1, "{s:?}");
            assert_eq!(
                SPECS[s as usize].service, s,
                "rows must be in variant order"
            );
            assert_eq!(s.spec().service, s);
            assert_eq!(Service::from_name(s.name()), Some(s));
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

    /// The probe's calls read metadata only: none is a value-returning API, and every
    /// service that keeps secrets has a call of its own (docs/aws-facts.md#harmless-calls).
    #[test]
    fn no_call_returns_a_secret() {
        for spec in SPECS {
            if let Some(target) = spec.call.and_then(Call::json_target) {
                assert!(!VALUE_RETURNING_APIS.contains(&target), "{target}");
                assert!(!target.contains("GetSecretValue") && !target.contains("GetParameter"));
            }
        }
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
