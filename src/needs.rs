//! What a task needs from the network before its first container starts, derived from
//! its task definition: every container's image, where its logs go, where its secrets
//! live, ECS Exec, EFS file systems, and the launch type. Pure data; the plan turns
//! each need into targets and steps, the report names each need with its verdict.
//!
//! ECS does all of this with the task *execution* role (docs/aws-facts.md#principals),
//! which is why the definition's `executionRoleArn` is kept: the report compares it with
//! the principal that signed the probe's calls.

use crate::aws::Service;
use crate::image_ref::ImageRef;
use crate::taskdef::TaskDefinition;

/// Where a secret lives, by the shape of its `valueFrom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretStore {
    SecretsManager,
    /// SSM Parameter Store.
    Ssm,
}

/// What ECS does with the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUse {
    /// `secrets[]`: an environment variable of the container.
    Environment,
    /// `logConfiguration.secretOptions[]`: an option of the log driver.
    LogOption,
    /// `repositoryCredentials`: the registry's login, read before the pull.
    RegistryAuth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretNeed {
    pub container: String,
    /// The variable or option name; `repositoryCredentials` for registry auth.
    pub name: String,
    pub store: SecretStore,
    pub usage: SecretUse,
    /// What the probe's read-only call names: the secret's ARN without a JSON key or
    /// version suffix, or the parameter's name (hierarchical names keep their `/`).
    pub id: String,
    /// The region in the ARN; None for a bare name (the task's own region).
    pub region: Option<String>,
    /// The account in the ARN; None for a bare name (the task's own account).
    pub account: Option<String>,
    /// A Secrets Manager ARN's version stage and version id, as `valueFrom` names them
    /// (`arn:…:secret:<name>:<json-key>:<version-stage>:<version-id>`); empty: none.
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
}

impl SecretNeed {
    /// What the describe call is given: the ARN with its version stage and id (the
    /// call names only the secret; the reader checks the versions), or the id.
    pub fn call_arg(&self) -> String {
        match (&self.version_stage, &self.version_id) {
            (None, None) => self.id.clone(),
            (stage, id) => format!(
                "{}::{}:{}",
                self.id,
                stage.as_deref().unwrap_or_default(),
                id.as_deref().unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageNeed {
    pub container: String,
    pub reference: String,
    /// The parsed reference, or why it does not parse.
    pub image: Result<ImageRef, String>,
    pub essential: bool,
    /// The container logs in to its registry with a Secrets Manager secret.
    pub registry_auth: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogDriver {
    Awslogs,
    /// FireLens: the output plugin's `Name` option, when given.
    Firelens {
        plugin: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogNeed {
    pub container: String,
    pub driver: LogDriver,
    /// `awslogs-region`, or a FireLens CloudWatch plugin's `region`, as written.
    pub region: Option<String>,
    pub group: Option<String>,
    /// `awslogs-create-group` is true: the execution role also calls CreateLogGroup.
    pub create_group: bool,
}

/// A well-known sidecar: the endpoints its agent sends to. One row per agent, cited
/// from AWS's documentation of it; the next sidecar is one more row.
pub struct Sidecar {
    /// The image repository's last path component (any registry, any tag).
    pub image: &'static str,
    pub what: &'static str,
    pub services: &'static [Service],
    /// What the task loses when they fail (it starts without them).
    pub loses: &'static str,
    pub source: &'static str,
}

pub const SIDECARS: &[Sidecar] = &[
    Sidecar {
        image: "aws-xray-daemon",
        what: "X-Ray daemon",
        services: &[Service::Xray],
        loses: "the task starts; its traces are dropped",
        source: "https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-ecs.html",
    },
    Sidecar {
        image: "aws-otel-collector",
        what: "AWS Distro for OpenTelemetry collector",
        services: &[Service::Xray, Service::Monitoring, Service::Logs],
        loses: "the task starts; its traces, metrics and collector logs are dropped",
        source: "https://aws-otel.github.io/docs/setup/ecs",
    },
    Sidecar {
        image: "cloudwatch-agent",
        what: "CloudWatch agent",
        services: &[Service::Monitoring, Service::Logs],
        loses: "the task starts; its metrics and agent logs are dropped",
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy_servicelens_CloudWatch_agent_deploy_ECS.html",
    },
    Sidecar {
        image: "aws-appmesh-envoy",
        what: "App Mesh Envoy",
        services: &[Service::AppMeshEnvoy],
        loses: "the task starts; the mesh does not route its traffic (Envoy gets no configuration)",
        source: "https://docs.aws.amazon.com/app-mesh/latest/userguide/vpc-endpoints.html",
    },
];

/// A sidecar or FireLens output's endpoints, or a destination outside AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryNeed {
    pub container: String,
    /// `X-Ray daemon`, `FireLens firehose output`.
    pub what: String,
    pub services: Vec<Service>,
    /// As written (`region` of a FireLens output); None: the task's region.
    pub region: Option<String>,
    /// A destination no VPC endpoint serves (Datadog, Splunk, an HTTP host).
    pub outside: Option<String>,
    /// The task cannot start without it (an Envoy the app `dependsOn` HEALTHY).
    pub stops_task: bool,
    pub loses: String,
    /// The IAM role a FireLens output assumes (`role_arn`) before it sends: an STS need.
    pub assumes_role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfsNeed {
    pub volume: String,
    pub file_system_id: String,
    pub transit_encryption: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LaunchType {
    Fargate,
    Ec2,
    External,
}

impl LaunchType {
    /// `FARGATE`, `EC2` or `EXTERNAL`, as ECS spells it (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "FARGATE" => Some(LaunchType::Fargate),
            "EC2" => Some(LaunchType::Ec2),
            "EXTERNAL" => Some(LaunchType::External),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
            LaunchType::External => "EXTERNAL",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub family: Option<String>,
    pub execution_role_arn: Option<String>,
    pub task_role_arn: Option<String>,
    pub network_mode: Option<String>,
    /// `requiresCompatibilities`, the values ECS knows.
    pub compatibilities: Vec<LaunchType>,
    /// `requiresCompatibilities` values ECS does not know (a template's `{{launchtype}}`).
    pub unknown_compatibilities: Vec<String>,
    pub windows: bool,
    /// The OCI platform (`linux/arm64`) every image must have, from `runtimePlatform`;
    /// Err names a value ECS does not know.
    pub platform: Option<Result<String, String>>,
    pub images: Vec<ImageNeed>,
    pub logs: Vec<LogNeed>,
    pub secrets: Vec<SecretNeed>,
    pub exec: bool,
    pub efs: Vec<EfsNeed>,
    pub telemetry: Vec<TelemetryNeed>,
    pub env_files: Vec<EnvFileNeed>,
}

/// An S3 object ECS reads with the execution role before the container starts: an
/// `environmentFiles` entry, or a FireLens configuration file (`config-file-type: s3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileNeed {
    pub container: String,
    pub arn: String,
    /// None when the ARN is not an S3 object's.
    pub bucket: Option<String>,
    pub kind: S3Read,
}

/// Why ECS reads an object from S3 at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Read {
    EnvironmentFile,
    /// `firelensConfiguration.options`: `config-file-type: s3`. The agent fetches it on
    /// EC2; Fargate supports only `file` (ECS API reference, FirelensConfiguration).
    FirelensConfig,
    /// An `aws_fluent_bit_init_s3_<N>` variable of an aws-for-fluent-bit `init-*` image:
    /// its init process downloads the file with the task role before Fluent Bit starts
    /// (aws/aws-for-fluent-bit, use_cases/init-process-for-fluent-bit/README.md).
    FluentBitInit,
}

impl S3Read {
    pub fn label(self) -> &'static str {
        match self {
            S3Read::EnvironmentFile => "environment file",
            S3Read::FirelensConfig => "FireLens configuration file",
            S3Read::FluentBitInit => "Fluent Bit init configuration file",
        }
    }
}

impl Needs {
    pub fn of(td: &TaskDefinition) -> Self {
        let mut n = Needs {
            family: td.family.clone(),
            execution_role_arn: td.execution_role_arn.clone(),
            task_role_arn: td.task_role_arn.clone(),
            network_mode: td.network_mode.clone(),
            compatibilities: td
                .requires_compatibilities
                .iter()
                .filter_map(|c| LaunchType::parse(c))
                .collect(),
            unknown_compatibilities: td
                .requires_compatibilities
                .iter()
                .map(|c| c.trim())
                .filter(|c| LaunchType::parse(c).is_none() && *c != "MANAGED_INSTANCES")
                .map(str::to_string)
                .collect(),
            windows: td.is_windows(),
            platform: oci_platform(td.runtime_platform.as_ref()),
            exec: td.enable_execute_command,
            ..Default::default()
        };
        for c in &td.container_definitions {
            if let Some(reference) = c.image.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                n.images.push(ImageNeed {
                    container: c.name.clone(),
                    reference: reference.to_string(),
                    image: ImageRef::parse(&qualified(reference)),
                    essential: c.is_essential(),
                    registry_auth: c.repository_credentials.is_some(),
                });
            }
            for s in &c.secrets {
                n.secrets.extend(secret(
                    &c.name,
                    &s.name,
                    &s.value_from,
                    SecretUse::Environment,
                ));
            }
            if let Some(rc) = &c.repository_credentials {
                n.secrets.extend(secret(
                    &c.name,
                    "repositoryCredentials",
                    &rc.credentials_parameter,
                    SecretUse::RegistryAuth,
                ));
            }
            if let Some(lc) = &c.log_configuration {
                for s in &lc.secret_options {
                    n.secrets.extend(secret(
                        &c.name,
                        &s.name,
                        &s.value_from,
                        SecretUse::LogOption,
                    ));
                }
                n.logs.extend(log(&c.name, lc));
            }
        }
        n.telemetry = telemetry(td);
        for c in &td.container_definitions {
            let files = c
                .environment_files
                .iter()
                .map(|f| (f.value.trim(), S3Read::EnvironmentFile))
                .chain(firelens_s3_config(c).map(|v| (v, S3Read::FirelensConfig)))
                .chain(
                    fluent_bit_init_s3(c)
                        .into_iter()
                        .map(|v| (v, S3Read::FluentBitInit)),
                )
                .filter(|(v, _)| !v.is_empty());
            for (arn, kind) in files {
                n.env_files.push(EnvFileNeed {
                    container: c.name.clone(),
                    arn: arn.to_string(),
                    bucket: s3_object_bucket(arn),
                    kind,
                });
            }
        }
        for v in &td.volumes {
            if let Some(efs) = &v.efs_volume_configuration
                && !efs.file_system_id.trim().is_empty()
            {
                n.efs.push(EfsNeed {
                    volume: v.name.clone(),
                    file_system_id: efs.file_system_id.trim().to_string(),
                    transit_encryption: efs
                        .transit_encryption
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case("ENABLED")),
                });
            }
        }
        n
    }

    /// The launch type the definition alone implies: one compatibility, or none.
    pub fn launch_type(&self) -> Option<LaunchType> {
        match self.compatibilities.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// `runtimePlatform` as the OCI platform an image index is searched for. ECS knows
/// `X86_64` and `ARM64`, `LINUX` and the `WINDOWS_SERVER_*` families; an absent half is
/// ECS's default (Linux, x86-64).
fn oci_platform(rp: Option<&crate::taskdef::RuntimePlatform>) -> Option<Result<String, String>> {
    let rp = rp?;
    let field = |v: &Option<String>| {
        v.as_deref()
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
    };
    let (family, cpu) = (
        field(&rp.operating_system_family),
        field(&rp.cpu_architecture),
    );
    if family.is_none() && cpu.is_none() {
        return None;
    }
    let os = match family.as_deref() {
        None | Some("LINUX") => "linux",
        Some(f) if f.starts_with("WINDOWS_SERVER_") => "windows",
        Some(f) => {
            return Some(Err(format!(
                "runtimePlatform.operatingSystemFamily {f:?} is not one ECS knows (LINUX, WINDOWS_SERVER_…)"
            )));
        }
    };
    let arch = match cpu.as_deref() {
        None | Some("X86_64") => "amd64",
        Some("ARM64") => "arm64",
        Some(c) => {
            return Some(Err(format!(
                "runtimePlatform.cpuArchitecture {c:?} is not one ECS knows (X86_64, ARM64)"
            )));
        }
    };
    Some(Ok(format!("{os}/{arch}")))
}

/// A reference as the container runtime reads it: a first component that is not a host
/// (no `.` or `:`, not `localhost`) means Docker Hub, one component `library/`.
/// `httpd:2.4` is `docker.io/library/httpd:2.4`.
pub fn qualified(reference: &str) -> String {
    let first = reference.split('/').next().unwrap_or_default();
    // Without a '/', a ':' is the tag's.
    let is_host = reference.contains('/') && (first.contains(['.', ':']) || first == "localhost");
    match (is_host, reference.contains('/')) {
        (true, _) => reference.to_string(),
        (false, true) => format!("docker.io/{reference}"),
        (false, false) => format!("docker.io/library/{reference}"),
    }
}

fn log(container: &str, lc: &crate::taskdef::LogConfiguration) -> Option<LogNeed> {
    let opt = |k: &str| {
        lc.options
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let driver = match lc.log_driver.as_str() {
        "awslogs" => LogDriver::Awslogs,
        // Fluent Bit names its output plugin `Name`, Fluentd `@type`.
        "awsfirelens" => LogDriver::Firelens {
            plugin: opt("Name").or_else(|| opt("@type")),
        },
        // Other drivers (splunk, fluentd, gelf…) send to hosts the task names itself.
        _ => return None,
    };
    let (region, group, create_group) = match driver {
        LogDriver::Awslogs => (
            opt("awslogs-region"),
            opt("awslogs-group"),
            opt("awslogs-create-group").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        ),
        LogDriver::Firelens { .. } => (
            opt("region"),
            opt("log_group_name"),
            opt("auto_create_group").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        ),
    };
    Some(LogNeed {
        container: container.to_string(),
        driver,
        region,
        group,
        create_group,
    })
}

/// The well-known sidecars (by image, and App Mesh by `proxyConfiguration`) and the
/// FireLens outputs other than CloudWatch Logs (which is a logs need).
fn telemetry(td: &TaskDefinition) -> Vec<TelemetryNeed> {
    let mut out = Vec::new();
    let proxy = td
        .proxy_configuration
        .as_ref()
        .filter(|p| p.kind.eq_ignore_ascii_case("APPMESH"))
        .map(|p| p.container_name.trim())
        // The console's template leaves it "": no container is the proxy then.
        .filter(|name| !name.is_empty());
    for c in &td.container_definitions {
        let repo_name = c
            .image
            .as_deref()
            .map(|i| i.split(['@']).next().unwrap_or(i))
            .and_then(|i| i.rsplit('/').next())
            .map(|last| last.split(':').next().unwrap_or(last))
            .unwrap_or_default();
        let by_image = SIDECARS.iter().find(|s| s.image == repo_name);
        let by_proxy = (proxy == Some(c.name.as_str()))
            .then(|| {
                SIDECARS
                    .iter()
                    .find(|s| s.services == [Service::AppMeshEnvoy])
            })
            .flatten();
        if let Some(s) = by_image.or(by_proxy) {
            // The app waits for a HEALTHY Envoy, which needs its configuration first.
            let waited_for = td.container_definitions.iter().any(|o| {
                o.depends_on.iter().any(|d| {
                    d.container_name == c.name && d.condition.eq_ignore_ascii_case("HEALTHY")
                })
            });
            let stops_task = s.services == [Service::AppMeshEnvoy] && waited_for;
            out.push(TelemetryNeed {
                container: c.name.clone(),
                what: s.what.to_string(),
                services: s.services.to_vec(),
                region: None,
                outside: None,
                stops_task,
                loses: match stops_task {
                    true => String::new(),
                    false => s.loses.to_string(),
                },
                assumes_role: None,
            });
        }
        let Some(lc) = c
            .log_configuration
            .as_ref()
            .filter(|l| l.log_driver == "awsfirelens")
        else {
            continue;
        };
        let opt = |k: &str| {
            lc.options
                .get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(plugin) = opt("Name").or_else(|| opt("@type")) else {
            continue;
        };
        if let Some(role) = output_role(&plugin, opt("role_arn")) {
            out.push(TelemetryNeed {
                container: c.name.clone(),
                what: format!("FireLens {plugin} output's role_arn"),
                services: vec![Service::Sts],
                region: opt("region"),
                outside: None,
                stops_task: false,
                loses: format!(
                    "the task starts; without {role} the logs {} sends through FireLens to {plugin} are dropped",
                    c.name
                ),
                assumes_role: Some(role),
            });
        }
        let service = match plugin.to_ascii_lowercase().as_str() {
            p if p.starts_with("cloudwatch") => continue,
            "firehose" | "kinesis_firehose" => Some(Service::Firehose),
            "kinesis" | "kinesis_streams" => Some(Service::Kinesis),
            "s3" => Some(Service::S3),
            _ => None,
        };
        let host = opt("Host").or_else(|| opt("host"));
        let outside = match (service, plugin.to_ascii_lowercase().as_str()) {
            (Some(_), _) => None,
            (None, "es" | "opensearch") => Some(format!(
                "the OpenSearch domain {}: reachable only if it is a VPC domain in this VPC (or through a NAT)",
                host.as_deref().unwrap_or("named by Host")
            )),
            (None, p) => Some(format!(
                "{p}{}: outside AWS's VPC endpoints, it needs a NAT or a PrivateLink service of its own",
                host.map(|h| format!(" ({h})")).unwrap_or_default()
            )),
        };
        out.push(TelemetryNeed {
            container: c.name.clone(),
            what: format!("FireLens {plugin} output"),
            services: service.into_iter().collect(),
            region: opt("region"),
            outside,
            stops_task: false,
            loses: format!(
                "the task starts; the logs {} sends through FireLens are dropped",
                c.name
            ),
            assumes_role: None,
        });
    }
    out
}

/// The role an AWS output of Fluent Bit assumes before it sends (`role_arn` of the
/// cloudwatch, cloudwatch_logs, firehose, kinesis_firehose, kinesis, kinesis_streams
/// and s3 outputs, aws/aws-for-fluent-bit's plugin docs): an STS call with the task
/// role's credentials at the output's region.
fn output_role(plugin: &str, role_arn: Option<String>) -> Option<String> {
    let aws_output = matches!(
        plugin.to_ascii_lowercase().as_str(),
        "cloudwatch"
            | "cloudwatch_logs"
            | "firehose"
            | "kinesis_firehose"
            | "kinesis"
            | "kinesis_streams"
            | "s3"
    );
    role_arn.filter(|_| aws_output)
}

/// The bucket of an S3 object ARN in any partition; None for anything else.
fn s3_object_bucket(arn: &str) -> Option<String> {
    ["arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"]
        .iter()
        .find_map(|p| arn.strip_prefix(p))
        .and_then(|rest| rest.split_once('/'))
        .map(|(b, _)| b.to_string())
        .filter(|b| !b.is_empty())
}

/// `config-file-value` when `config-file-type` is exactly `s3`: the docs' own template
/// (`"s3 | file"`) is a placeholder, not a choice.
fn firelens_s3_config(c: &crate::taskdef::Container) -> Option<&str> {
    let options = c.firelens_configuration.as_ref()?.get("options")?;
    let kind = options.get("config-file-type")?.as_str()?.trim();
    kind.eq_ignore_ascii_case("s3")
        .then(|| options.get("config-file-value")?.as_str())
        .flatten()
        .map(str::trim)
}

/// The S3 configuration files an aws-for-fluent-bit `init-*` image downloads at start:
/// its `aws_fluent_bit_init_s3_<N>` variables, in `N` order. Other images ignore them.
fn fluent_bit_init_s3(c: &crate::taskdef::Container) -> Vec<&str> {
    let image = c.image.as_deref().unwrap_or_default();
    let last = image.rsplit('/').next().unwrap_or_default();
    let is_init = last
        .split_once(':')
        .is_some_and(|(repo, tag)| repo == "aws-for-fluent-bit" && tag.starts_with("init"));
    if !is_init {
        return Vec::new();
    }
    let mut files: Vec<(u64, &str)> = c
        .environment
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.get("name")?.as_str()?.trim();
            let n = name.strip_prefix("aws_fluent_bit_init_s3_")?.parse().ok()?;
            Some((n, e.get("value")?.as_str()?.trim()))
        })
        .collect();
    files.sort_by_key(|(n, _)| *n);
    files.into_iter().map(|(_, v)| v).collect()
}

/// A `valueFrom` read by its shape (docs/aws-facts.md#secret-references). A bare name
/// is a Parameter Store parameter of the task's region, except for registry
/// credentials, which are always Secrets Manager.
fn secret(container: &str, name: &str, value_from: &str, usage: SecretUse) -> Option<SecretNeed> {
    let v = value_from.trim();
    if v.is_empty() {
        return None;
    }
    let parts: Vec<&str> = v.split(':').collect();
    let (store, id, region) = match parts.as_slice() {
        ["arn", _, "secretsmanager", region, _, "secret", _, ..] => (
            SecretStore::SecretsManager,
            parts[..7].join(":"),
            Some(region.to_string()),
        ),
        ["arn", _, "ssm", region, _, rest] if rest.starts_with("parameter/") => {
            let path = &rest["parameter/".len()..];
            // Hierarchical names start with '/', which the ARN drops.
            let name = if path.contains('/') {
                format!("/{path}")
            } else {
                path.to_string()
            };
            (SecretStore::Ssm, name, Some(region.to_string()))
        }
        _ if usage == SecretUse::RegistryAuth => (SecretStore::SecretsManager, v.to_string(), None),
        _ => (SecretStore::Ssm, v.to_string(), None),
    };
    let is_arn = parts.first() == Some(&"arn");
    // `…:secret:<name>:<json-key>:<version-stage>:<version-id>`: the suffix after the name.
    let part = |i: usize| {
        (store == SecretStore::SecretsManager && is_arn)
            .then(|| parts.get(i))
            .flatten()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
    };
    Some(SecretNeed {
        container: container.to_string(),
        name: name.to_string(),
        store,
        usage,
        id,
        region: region.filter(|r| !r.is_empty()),
        account: is_arn
            .then(|| parts.get(4).map(|a| a.to_string()))
            .flatten()
            .filter(|a| !a.is_empty()),
        version_stage: part(8),
        version_id: part(9),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Needs {
        let path = format!(
            "{}/tests/fixtures/task-definitions/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        Needs::of(&TaskDefinition::read(std::path::Path::new(&path)).unwrap())
    }

    fn registries(n: &Needs) -> Vec<String> {
        n.images
            .iter()
            .map(|i| match &i.image {
                Ok(img) => format!("{}:{:?}", i.container, img.registry),
                Err(e) => format!("{}: {e}", i.container),
            })
            .collect()
    }

    #[test]
    fn fargate_webserver_from_docker_hub_with_awslogs() {
        let n = fixture("aws-docs-fargate-webserver.json");
        assert_eq!(n.launch_type(), Some(LaunchType::Fargate));
        assert_eq!(
            n.execution_role_arn.as_deref(),
            Some("arn:aws:iam::012345678910:role/ecsTaskExecutionRole")
        );
        assert_eq!(n.images.len(), 1);
        assert_eq!(n.images[0].reference, "httpd:2.4");
        assert_eq!(registries(&n), ["sample-fargate-app:Other"]);
        assert_eq!(n.logs.len(), 1);
        assert_eq!(n.logs[0].driver, LogDriver::Awslogs);
        assert_eq!(n.logs[0].region.as_deref(), Some("us-east-1"));
        assert!(!n.logs[0].create_group && !n.windows && !n.exec);
        assert!(n.secrets.is_empty() && n.efs.is_empty());
    }

    #[test]
    fn windows_on_fargate() {
        let n = fixture("aws-docs-fargate-windows-iis.json");
        assert!(n.windows);
        assert_eq!(
            n.images[0].reference,
            "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019"
        );
    }

    #[test]
    fn private_ecr_image_without_compatibilities() {
        let n = fixture("aws-docs-ecr-image-task-role.json");
        assert_eq!(n.launch_type(), None);
        let img = n.images[0].image.as_ref().unwrap();
        assert_eq!(img.region(), Some("us-west-2"));
        assert_eq!(img.repository, "aws-nodejs-sample");
        assert_eq!(n.execution_role_arn, None);
        assert_eq!(
            n.task_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/AmazonECSTaskS3BucketRole")
        );
    }

    #[test]
    fn two_containers_one_with_a_placeholder_region() {
        let n = fixture("aws-docs-container-dependency.json");
        assert_eq!(n.images.len(), 2);
        // "application_image" is a Docker Hub name; the envoy image's host has the
        // docs' placeholder "region-code", which is no ECR private host.
        assert_eq!(registries(&n)[0], "app:Other");
        assert_eq!(
            n.images[1].reference,
            "840364872350.dkr.ecr.region-code.amazonaws.com/aws-appmesh-envoy:v1.15.1.0-prod"
        );
    }

    #[test]
    fn a_secrets_manager_secret_with_a_placeholder_region() {
        let n = fixture("aws-docs-secrets-tutorial.json");
        assert_eq!(n.secrets.len(), 1);
        let s = &n.secrets[0];
        assert_eq!(s.store, SecretStore::SecretsManager);
        assert_eq!(s.usage, SecretUse::Environment);
        assert_eq!(s.name, "username_value");
        assert_eq!(
            s.id,
            "arn:aws:secretsmanager:region:aws_account_id:secret:username_value-u9bH6K"
        );
        assert_eq!(s.region.as_deref(), Some("region"));
    }

    #[test]
    fn ecs_exec_example_lists_both_launch_types() {
        let n = fixture("aws-docs-ecs-exec.json");
        assert_eq!(n.compatibilities, [LaunchType::Ec2, LaunchType::Fargate]);
        assert_eq!(n.launch_type(), None);
        // The docs' example sets initProcessEnabled; enableExecuteCommand is a run-task
        // parameter, so ECS Exec is asked for with --check ssmmessages.
        assert!(!n.exec);
        assert_eq!(
            n.execution_role_arn.as_deref(),
            Some("ecsTaskExecutionRole")
        );
    }

    #[test]
    fn efs_volume() {
        let n = fixture("aws-docs-efs-tutorial.json");
        assert_eq!(
            n.efs,
            [EfsNeed {
                volume: "efs-html".into(),
                file_system_id: "fs-1324abcd".into(),
                transit_encryption: true,
            }]
        );
    }

    #[test]
    fn describe_output_is_unwrapped() {
        let n = fixture("aws-docs-describe-sleep360.json");
        assert_eq!(n.family.as_deref(), Some("sleep360"));
        assert_eq!(n.images[0].reference, "busybox");
    }

    #[test]
    fn firelens_router_and_app() {
        let n = fixture("aws-docs-firelens-cloudwatch.json");
        assert_eq!(n.logs.len(), 2);
        assert_eq!(n.logs[0].driver, LogDriver::Awslogs);
        assert!(n.logs[0].create_group);
        assert_eq!(
            n.logs[1].driver,
            LogDriver::Firelens {
                plugin: Some("cloudwatch".into())
            }
        );
        assert_eq!(n.logs[1].region.as_deref(), Some("us-west-2"));
        let img = n.images[0].image.as_ref().unwrap();
        assert_eq!(img.region(), Some("us-west-2"));
    }

    #[test]
    fn ec2_bridge_and_fargate_samples() {
        let n = fixture("aws-samples-nginx-ec2.json");
        assert_eq!(n.launch_type(), Some(LaunchType::Ec2));
        assert_eq!(n.network_mode.as_deref(), Some("bridge"));
        assert_eq!(n.logs[0].region.as_deref(), Some("us-east-2"));
        let n = fixture("aws-samples-tomcat-fargate.json");
        assert_eq!(n.launch_type(), Some(LaunchType::Fargate));
        assert_eq!(registries(&n), ["tomcat-webserver:Other"]);
    }

    #[test]
    fn value_from_shapes() {
        let s = |v: &str, u| secret("c", "N", v, u).unwrap();
        let a = s(
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:password:AWSCURRENT:",
            SecretUse::Environment,
        );
        assert_eq!(
            (a.store, a.id.as_str(), a.region.as_deref()),
            (
                SecretStore::SecretsManager,
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf",
                Some("eu-west-1")
            )
        );
        assert_eq!(
            (
                a.account.as_deref(),
                a.version_stage.as_deref(),
                a.version_id.as_deref()
            ),
            (Some("111122223333"), Some("AWSCURRENT"), None)
        );
        assert_eq!(
            a.call_arg(),
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf::AWSCURRENT:"
        );
        let v = s(
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:::v-1",
            SecretUse::Environment,
        );
        assert_eq!(
            (v.version_stage, v.version_id.as_deref()),
            (None, Some("v-1"))
        );
        let p = s(
            "arn:aws:ssm:us-east-1:111122223333:parameter/app/db/url",
            SecretUse::Environment,
        );
        assert_eq!((p.store, p.id.as_str()), (SecretStore::Ssm, "/app/db/url"));
        let p = s(
            "arn:aws:ssm:us-east-1:111122223333:parameter/flat",
            SecretUse::Environment,
        );
        assert_eq!(p.id, "flat");
        let bare = s("/app/token", SecretUse::Environment);
        assert_eq!((bare.store, bare.region), (SecretStore::Ssm, None));
        let rc = s("my-registry-login", SecretUse::RegistryAuth);
        assert_eq!(rc.store, SecretStore::SecretsManager);
        assert!(secret("c", "N", "  ", SecretUse::Environment).is_none());
    }

    #[test]
    fn runtime_platform_is_the_oci_platform() {
        let p = |os: Option<&str>, cpu: Option<&str>| {
            oci_platform(Some(&crate::taskdef::RuntimePlatform {
                operating_system_family: os.map(String::from),
                cpu_architecture: cpu.map(String::from),
            }))
        };
        assert_eq!(
            p(Some("LINUX"), Some("ARM64")),
            Some(Ok("linux/arm64".into()))
        );
        assert_eq!(p(None, Some("x86_64")), Some(Ok("linux/amd64".into())));
        assert_eq!(
            p(Some("WINDOWS_SERVER_2019_CORE"), None),
            Some(Ok("windows/amd64".into()))
        );
        assert_eq!(p(None, None), None);
        assert_eq!(p(Some(""), Some(" ")), None);
        assert!(
            p(None, Some("RISCV"))
                .unwrap()
                .unwrap_err()
                .contains("cpuArchitecture")
        );
        let n = fixture("corpus/dev/docs-ecs-arm64-3.json");
        assert_eq!(n.platform, Some(Ok("linux/arm64".into())));
    }

    #[test]
    fn firelens_config_from_s3_is_an_object_read_at_start() {
        // aws-samples/amazon-ecs-firelens-examples, multi-destination with an S3 config;
        // the docs' template `"s3 | file"` is a placeholder and names no object.
        let td = TaskDefinition::parse(
            r#"{"containerDefinitions":[
              {"name":"log_router","image":"amazon/aws-for-fluent-bit:stable",
               "firelensConfiguration":{"type":"fluentbit","options":{"config-file-type":"s3","config-file-value":"arn:aws:s3:::yourbucket/yourdirectory/extra.conf"}}},
              {"name":"docs","image":"b","firelensConfiguration":{"type":"fluentbit","options":{"config-file-type":"s3 | file","config-file-value":"arn:aws:s3:::mybucket/fluent.conf | filepath"}}},
              {"name":"file","image":"c","firelensConfiguration":{"type":"fluentbit","options":{"config-file-type":"file","config-file-value":"/extra.conf"}}}]}"#,
        )
        .unwrap();
        let n = Needs::of(&td);
        assert_eq!(
            n.env_files,
            [EnvFileNeed {
                container: "log_router".into(),
                arn: "arn:aws:s3:::yourbucket/yourdirectory/extra.conf".into(),
                bucket: Some("yourbucket".into()),
                kind: S3Read::FirelensConfig,
            }]
        );
    }

    #[test]
    fn fluent_bit_init_images_read_their_s3_configs_at_start() {
        // aws-samples/amazon-ecs-firelens-examples, multi-config-support: only the init
        // image reads aws_fluent_bit_init_s3_<N>; its files are S3 reads at start.
        let td = TaskDefinition::parse(
            r#"{"containerDefinitions":[
              {"name":"log_router","image":"public.ecr.aws/aws-observability/aws-for-fluent-bit:init-latest",
               "environment":[{"name":"aws_fluent_bit_init_s3_2","value":"arn:aws:s3:::your-bucket/b.conf"},
                              {"name":"aws_fluent_bit_init_file_1","value":"/ecs/s3.conf"},
                              {"name":"aws_fluent_bit_init_s3_1","value":"arn:aws:s3:::your-bucket/a.conf"},
                              {"name":"OTHER","value":7}]},
              {"name":"stable","image":"amazon/aws-for-fluent-bit:stable",
               "environment":[{"name":"aws_fluent_bit_init_s3_1","value":"arn:aws:s3:::x/y.conf"}]},
              {"name":"odd","image":"x","environment":{"not":"a list"}}]}"#,
        )
        .unwrap();
        let n = Needs::of(&td);
        let files: Vec<(&str, &str, S3Read)> = n
            .env_files
            .iter()
            .map(|f| (f.container.as_str(), f.arn.as_str(), f.kind))
            .collect();
        assert_eq!(
            files,
            [
                (
                    "log_router",
                    "arn:aws:s3:::your-bucket/a.conf",
                    S3Read::FluentBitInit
                ),
                (
                    "log_router",
                    "arn:aws:s3:::your-bucket/b.conf",
                    S3Read::FluentBitInit
                ),
            ]
        );
    }

    #[test]
    fn a_firelens_output_role_is_an_sts_need() {
        let td = TaskDefinition::parse(
            r#"{"containerDefinitions":[{"name":"app","image":"a","logConfiguration":{"logDriver":"awsfirelens",
               "options":{"Name":"cloudwatch","region":"us-west-2","role_arn":"arn:aws:iam::222222222222:role/r"}}},
               {"name":"dd","image":"b","logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"datadog","role_arn":"x"}}}]}"#,
        )
        .unwrap();
        let t = Needs::of(&td).telemetry;
        assert_eq!(t[0].services, [Service::Sts]);
        assert_eq!(t[0].region.as_deref(), Some("us-west-2"));
        assert_eq!(
            t[0].assumes_role.as_deref(),
            Some("arn:aws:iam::222222222222:role/r")
        );
        assert!(!t[0].stops_task);
        // A third-party output's role_arn is not an AWS role it assumes.
        assert!(t.iter().skip(1).all(|t| t.assumes_role.is_none()));
    }

    #[test]
    fn sidecars_by_image_and_by_proxy_configuration() {
        let td = TaskDefinition::parse(
            r#"{"proxyConfiguration":{"type":"APPMESH","containerName":"envoy"},"containerDefinitions":[
              {"name":"app","image":"a","dependsOn":[{"containerName":"envoy","condition":"HEALTHY"}],
               "logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"kinesis_streams","region":"eu-west-1"}}},
              {"name":"envoy","image":"840364872350.dkr.ecr.us-west-2.amazonaws.com/my-envoy:v1"},
              {"name":"x","image":"public.ecr.aws/xray/aws-xray-daemon:3.x"},
              {"name":"dd","image":"b","logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"datadog","Host":"http-intake.logs.datadoghq.com"}}}]}"#,
        )
        .unwrap();
        let t = Needs::of(&td).telemetry;
        let what: Vec<(&str, &str, bool)> = t
            .iter()
            .map(|t| (t.container.as_str(), t.what.as_str(), t.stops_task))
            .collect();
        assert_eq!(
            what,
            [
                ("app", "FireLens kinesis_streams output", false),
                ("envoy", "App Mesh Envoy", true),
                ("x", "X-Ray daemon", false),
                ("dd", "FireLens datadog output", false),
            ]
        );
        assert_eq!(t[0].services, [Service::Kinesis]);
        assert_eq!(t[0].region.as_deref(), Some("eu-west-1"));
        assert!(t[3].services.is_empty());
        assert!(
            t[3].outside
                .as_deref()
                .unwrap()
                .contains("http-intake.logs.datadoghq.com")
        );
        // An empty proxy container name (the console's template) names no container.
        let td = TaskDefinition::parse(
            r#"{"proxyConfiguration":{"type":"APPMESH","containerName":""},"containerDefinitions":[{"name":"","image":"x"}]}"#,
        )
        .unwrap();
        assert!(Needs::of(&td).telemetry.is_empty());
    }

    #[test]
    fn short_names_are_docker_hub() {
        assert_eq!(qualified("httpd:2.4"), "docker.io/library/httpd:2.4");
        assert_eq!(qualified("datadog/agent:7"), "docker.io/datadog/agent:7");
        assert_eq!(qualified("ghcr.io/o/i:1"), "ghcr.io/o/i:1");
        assert_eq!(qualified("localhost/x"), "localhost/x");
        assert_eq!(qualified("reg:5000/x"), "reg:5000/x");
    }
}

#[cfg(test)]
mod corpus_figures {
    use super::*;

    /// Prints one JSON line per corpus definition with the needs found, for the
    /// measurement in tests/fixtures/task-definitions/corpus/measure.py (run with
    /// `--ignored --nocapture`); asserts nothing.
    #[test]
    #[ignore]
    fn print_needs_of_the_corpus() {
        for part in ["dev", "held-out"] {
            let dir = format!(
                "{}/tests/fixtures/task-definitions/corpus/{part}",
                env!("CARGO_MANIFEST_DIR")
            );
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for p in paths {
                let file = p.file_name().unwrap().to_string_lossy().to_string();
                let line = match TaskDefinition::read(&p) {
                    Err(e) => {
                        serde_json::json!({"part": part, "file": file, "error": e.to_string()})
                    }
                    Ok(td) => {
                        let n = Needs::of(&td);
                        serde_json::json!({
                            "part": part, "file": file,
                            "images": n.images.len(),
                            "awslogs": n.logs.iter().filter(|l| l.driver == LogDriver::Awslogs).count(),
                            "firelens_cloudwatch": n.logs.iter().filter(|l| matches!(&l.driver, LogDriver::Firelens { plugin: Some(p) } if p.starts_with("cloudwatch"))).count(),
                            "secrets": n.secrets.len(),
                            "efs": n.efs.len(),
                            "envfiles": n.env_files.len(),
                            "platform": n.platform.clone().map(|p| p.unwrap_or_else(|e| e)),
                            "telemetry": n.telemetry.iter().map(|t| format!("{}:{}", t.container, t.what)).collect::<Vec<_>>(),
                        })
                    }
                };
                println!("NEEDS {line}");
            }
        }
    }
}
