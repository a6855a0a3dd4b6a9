//! Cause code → remediation. Every catalogue row (src/causes.rs) has exactly one entry
//! here: a generator, or the reason no AWS change the probe can write repairs it
//! (the fix is in the image, the task definition, a client, a middlebox, or a policy
//! whose offending statement the report cannot see). `every_cause_is_decided` below
//! fails when a row is added to the catalogue without an entry.

use super::facts::Facts;
use super::snippets::{self as s, or};
use super::{Remedy, RemedyKind};

/// What the table says about one cause.
#[derive(Clone, Copy)]
pub enum Entry {
    Fix(fn(&Facts) -> Vec<Remedy>),
    /// No AWS change repairs it (or none the report knows enough to write): why.
    NoAwsChange(&'static str),
}

pub fn entry(code: &str) -> Option<Entry> {
    ENTRIES.iter().find(|(c, _)| *c == code).map(|(_, e)| *e)
}

use Entry::{Fix, NoAwsChange as No};

const MIDDLEBOX: &str = "something in the path (a proxy, firewall or TLS inspection) answers or rewrites instead of AWS: find and fix it; no AWS resource changes that";
const CLIENT: &str = "a client or task-definition setting, not an AWS resource";
const IMAGE: &str = "the image or its name: push or name it correctly";
const READ: &str = "the message says what failed; nothing in the report names an AWS change";

pub const ENTRIES: &[(&str, Entry)] = &[
    ("config.cross_region", Fix(cross_region)),
    ("config.custom_resolver", Fix(custom_resolver)),
    ("config.dual_stack", No(CLIENT)),
    ("config.fips", No(CLIENT)),
    ("config.ecr_public", Fix(pull_through)),
    ("config.not_ecr", Fix(pull_through)),
    (
        "config.pull_through_cache",
        No(
            "the first pull of each cached image needs a network with NAT; once cached, the VPC endpoints serve it",
        ),
    ),
    (
        "config.dkr_override",
        Fix(|f| s::private_dns_on(&or(&f.region, "<region>"), "ecr.dkr")),
    ),
    ("config.malformed_region", No(CLIENT)),
    (
        "config.logs_cross_region",
        No(
            "the task definition's `awslogs-region`: VPC endpoints do not serve another region, so set it to the task's region (or give the subnet a NAT)",
        ),
    ),
    (
        "config.firelens_destination",
        No(
            "the destination is the log router's plugin configuration; which endpoint it needs depends on the plugin",
        ),
    ),
    ("config.refused_at_register", No(CLIENT)),
    ("config.malformed_value", No(CLIENT)),
    (
        "config.cross_account_secret",
        No(
            "the other account's secret resource policy and KMS key policy: the report names the role, not those policies' current statements",
        ),
    ),
    (
        "config.firelens_role_arn",
        No(
            "the task role's sts:AssumeRole and the role's trust policy, in IAM: the probe never assumes the role, so it cannot tell which is missing",
        ),
    ),
    (
        "config.old_platform",
        No(
            "nothing is broken on platform 1.3.0 and earlier; moving to 1.4.0 needs the ecr.api endpoint, which the dns hop checks",
        ),
    ),
    ("config.need_not_probed", No(CLIENT)),
    (
        "config.image_not_probed",
        No("a probe setting: run it again with that image"),
    ),
    ("config.foreign_image", Fix(pull_through)),
    ("dns.public_address", Fix(public_address)),
    (
        "dns.cross_region_endpoint",
        No(
            "another region's endpoint is reached through peering or a transit gateway and a private hosted zone, or the resource moves to the task's region: which one is the network's design",
        ),
    ),
    (
        "dns.nxdomain",
        No(
            "the name does not exist: the region or account in the image name is wrong, or a resolver answers for amazonaws.com itself (see config.custom_resolver)",
        ),
    ),
    (
        "dns.no_records",
        No("a private hosted zone shadows the name: which zone is not in the report"),
    ),
    (
        "dns.timeout",
        Fix(|f| s::dns_support(&or(&f.region, "<region>"))),
    ),
    ("dns.servfail", Fix(custom_resolver)),
    ("dns.refused", Fix(custom_resolver)),
    ("dns.error", No(READ)),
    ("tcp.timeout", Fix(tcp_timeout)),
    ("tcp.refused", No(MIDDLEBOX)),
    ("tcp.unreachable", Fix(unreachable)),
    (
        "tcp.no_ipv6_route",
        No("nothing breaks while IPv4 works; an IPv6 route is a choice, not a repair"),
    ),
    ("tls.untrusted", No(MIDDLEBOX)),
    ("tls.name_mismatch", No(MIDDLEBOX)),
    (
        "tls.expired",
        No("the local clock or the TLS inspection device's certificate"),
    ),
    (
        "tls.not_yet_valid",
        No("the local clock or the TLS inspection device's certificate"),
    ),
    ("tls.timeout", No(MIDDLEBOX)),
    (
        "tls.connect_failed",
        No("a flapping or overloaded endpoint: run again"),
    ),
    ("tls.handshake_failed", No(MIDDLEBOX)),
    (
        "auth.no_credentials",
        No("the task's taskRoleArn (a task-definition setting) or the host's credentials"),
    ),
    (
        "auth.credentials_error",
        No("the task's credentials source; the report does not name what is wrong with it"),
    ),
    (
        "auth.credentials_timeout",
        No("NO_PROXY in the container's environment must list 169.254.170.2"),
    ),
    (
        "auth.credentials_expiring",
        No("the credentials provider refreshes them; check the clock"),
    ),
    (
        "auth.principal_mismatch",
        No("how the probe runs: give it the execution role as its task role"),
    ),
    ("auth.denied_identity_policy", Fix(identity)),
    ("auth.denied_endpoint_policy", Fix(endpoint)),
    (
        "auth.denied_explicit",
        No(
            "an explicit Deny: its policy and statement are not in AWS's message, so the statement to narrow is unknown",
        ),
    ),
    (
        "auth.denied_scp",
        No(
            "a service control policy lives in AWS Organizations; its Deny statement is not in the report (AWS's message may name the policy's ARN)",
        ),
    ),
    (
        "auth.denied_rcp",
        No(
            "a resource control policy lives in AWS Organizations; its statement is not in the report",
        ),
    ),
    ("auth.denied_boundary", Fix(boundary)),
    (
        "auth.denied_session_policy",
        No("the session policy is passed by whoever assumes the role, in their code"),
    ),
    ("auth.denied_resource_policy", Fix(resource_policy)),
    (
        "auth.denied",
        No("AWS's message does not say which policy denied: see auth.denied_* for each"),
    ),
    ("auth.timeout", Fix(|f| unreachable_interface(f, "ecr.api"))),
    (
        "auth.connect_failed",
        Fix(|f| unreachable_interface(f, "ecr.api")),
    ),
    ("auth.invalid_credentials", No("the credentials themselves")),
    (
        "auth.expired_credentials",
        No("the credentials provider refreshes them; check the clock"),
    ),
    ("auth.bad_response", No(MIDDLEBOX)),
    ("auth.error", No(READ)),
    ("registry.unauthorized", No(MIDDLEBOX)),
    ("registry.denied", Fix(denied_by_whatever)),
    ("registry.name_unknown", No(IMAGE)),
    ("registry.manifest_unknown", No(IMAGE)),
    ("registry.blob_unknown", No(IMAGE)),
    (
        "registry.too_many_requests",
        No("throttling: retry with backoff and stagger task starts"),
    ),
    ("registry.unexpected_status", No(MIDDLEBOX)),
    (
        "agent.pause_image",
        No("the agent's set-up on the instance: not an AWS change"),
    ),
    (
        "auth.instance_role_used",
        No("the software in the container and the task's role: not a change of the path"),
    ),
    (
        "agent.task_network",
        No("the agent's own set-up on the instance: update the agent, replace the instance"),
    ),
    (
        "logs.router_start",
        No("the log router's own files or configuration: not an AWS change"),
    ),
    (
        "service.server_error",
        No("an outage of the AWS service: retry; not the network path"),
    ),
    (
        "service.throttled",
        No("throttling: stagger task starts or raise the call's quota in Service Quotas"),
    ),
    (
        "registry.server_error",
        No(
            "the registry's own outage: retry, or pull through an ECR pull-through cache so a public registry's uptime no longer decides",
        ),
    ),
    ("registry.unexpected_challenge", No(MIDDLEBOX)),
    ("registry.platform_missing", No(IMAGE)),
    ("registry.manifest_too_large", No(MIDDLEBOX)),
    ("registry.manifest_invalid", No(MIDDLEBOX)),
    ("registry.unsupported_manifest", No(IMAGE)),
    ("registry.digest_mismatch", No(MIDDLEBOX)),
    (
        "registry.no_layers",
        No("nothing to repair: the image has no layers to fetch"),
    ),
    ("registry.timeout", Fix(|f| sg_for(f, "ecr.dkr"))),
    (
        "layer.foreign",
        No(
            "push the image with --allow-nondistributable-artifacts, or give the subnet a NAT: foreign layers never come from ECR",
        ),
    ),
    ("layer.unexpected_redirect", No(MIDDLEBOX)),
    ("layer.no_redirect", No(MIDDLEBOX)),
    ("layer.too_many_redirects", No(MIDDLEBOX)),
    (
        "layer.timeout",
        Fix(|f| s::s3_gateway(&or(&f.region, "<region>"))),
    ),
    ("layer.access_denied", Fix(s3_endpoint_policy)),
    ("layer.s3_rejected", No(MIDDLEBOX)),
    (
        "layer.s3_error",
        No("the clock (skew) or a proxy altering the request"),
    ),
    (
        "layer.url_expired",
        No("a slow path or a far-off clock between the redirect and S3"),
    ),
    ("layer.signature_mismatch", No(MIDDLEBOX)),
    ("layer.url_credentials_rejected", No(MIDDLEBOX)),
    ("layer.not_found", No(IMAGE)),
    ("layer.unexpected_status", No(MIDDLEBOX)),
    ("layer.truncated", No(MIDDLEBOX)),
    ("layer.size_mismatch", No(MIDDLEBOX)),
    ("layer.digest_mismatch", No(MIDDLEBOX)),
    (
        "layer.digest_not_checked",
        No("a probe setting: raise --max-layer-bytes"),
    ),
    (
        "logs.unreachable",
        Fix(|f| unreachable_interface(f, "logs")),
    ),
    ("logs.denied_endpoint_policy", Fix(logs_endpoint_policy)),
    ("logs.error", No(READ)),
    (
        "clock.skew",
        No("the host's clock: sync it (Amazon Time Sync Service)"),
    ),
    (
        "service.unreachable",
        Fix(|f| unreachable_interface(f, "<service>")),
    ),
    (
        "service.not_found",
        No("the secret or parameter, or the ARN that names it: the report does not have its value"),
    ),
    (
        "service.kms_needed",
        Fix(|f| s::interface_endpoint(&or(&f.region, "<region>"), "kms")),
    ),
    ("service.unexpected_answer", No(MIDDLEBOX)),
    ("service.error", No(READ)),
    ("http.protocol_error", No(MIDDLEBOX)),
    ("http.too_large", No(MIDDLEBOX)),
    ("http.truncated", No(MIDDLEBOX)),
    (
        "logs.group_not_found",
        Fix(|f| s::log_group(&or(&f.region, "<region>"))),
    ),
    ("logs.bad_region", No(CLIENT)),
    ("logs.driver_config", No(CLIENT)),
    ("logs.bad_option", No(CLIENT)),
    ("logs.firelens_config", No(CLIENT)),
    (
        "logs.collector_unreachable",
        No(
            "a log collector on the instance or in the task that was not listening yet: start it first; no AWS resource is involved",
        ),
    ),
    (
        "logs.firelens_s3_region",
        No(
            "the ECS agent's version and the bucket's region: update the agent, keep the FireLens file in the task's region",
        ),
    ),
    ("secrets.kms_denied", Fix(kms_denied)),
    (
        "agent.docker_timeout",
        No(
            "a start-up dependency that never answered: the report of a run with the task definition names which",
        ),
    ),
    (
        "probe.deadline",
        No("a probe setting or a slow path: see the hops that finished"),
    ),
    ("probe.internal", No("a bug in the probe")),
    ("probe.resources", No("the task's nofile ulimit")),
    ("config.env_file", No(CLIENT)),
    ("config.firelens_s3_config_on_fargate", No(CLIENT)),
    ("http.unreadable_answer", No(MIDDLEBOX)),
    (
        "http.slow_answer",
        No(
            "the endpoint answered, then stalled: something in the path slows it (a proxy or an overloaded middlebox); no AWS resource is missing",
        ),
    ),
    (
        "agent.disconnected",
        No(
            "the container instance's agent and its connection to ECS; the endpoints it needs are checked with --check ecs,ecs-agent,ecs-telemetry",
        ),
    ),
    (
        "agent.inspect_timeout",
        No("the container instance's Docker daemon was too busy to answer: not an AWS resource"),
    ),
    (
        "agent.docker_unreachable",
        No("the container instance's Docker engine: restart it and the agent; not an AWS resource"),
    ),
    (
        "image.not_pulled",
        No("the pull before it failed: its own reason (in the agent's log) names what to fix"),
    ),
    (
        "image.lazy_load",
        No(
            "the image's SOCI index or the path it keeps using: the pull's own endpoints and policies",
        ),
    ),
    (
        "instance.disk_full",
        No("the container instance's disk: free space or give it a larger volume"),
    ),
    ("image.layers_mismatch", No(IMAGE)),
    (
        "image.windows_layer",
        No(
            "the image's Windows version or the container instance's Windows and Docker: an image or AMI choice",
        ),
    ),
    ("image.unsupported_media_type", No(IMAGE)),
    ("image.bad_reference", No(IMAGE)),
    (
        "config.ipv4_only_endpoint",
        No(
            "the task's subnet addressing (an IPv6-only subnet) against an endpoint that serves IPv4: give the subnet IPv4, or use a dual-stack endpoint name the service offers",
        ),
    ),
    ("secrets.version_missing", No(CLIENT)),
    (
        "secrets.pending_deletion",
        No(
            "the secret's state: restore it (aws secretsmanager restore-secret) or name a live secret",
        ),
    ),
    (
        "config.execution_role_missing",
        No(
            "the task definition's executionRoleArn and the role's trust policy; no endpoint or policy the report sees",
        ),
    ),
    (
        "secrets.not_json",
        No(
            "the secret's value or the valueFrom's JSON key: store JSON, or name the secret without a key",
        ),
    ),
    (
        "secrets.json_key_missing",
        No(
            "the secret's content, or the JSON key, version stage or version id the valueFrom names",
        ),
    ),
    (
        "secrets.bad_registry_credentials",
        No(
            "the repositoryCredentials secret's content: a JSON document with username and password",
        ),
    ),
    ("envfile.denied", Fix(envfile_denied)),
    (
        "envfile.not_found",
        No("the environment file's S3 object: upload it, or correct the ARN in environmentFiles"),
    ),
    (
        "envfile.other_region",
        No(
            "where the environment file lives: copy it to a bucket in the task's region and point environmentFiles at it",
        ),
    ),
    ("efs.dns_failed", Fix(|f| s::dns_support(&region(f)))),
    (
        "efs.unreachable",
        Fix(|f| s::sg_ingress(&region(f), 2049, f.subnet_cidr.as_deref())),
    ),
    (
        "efs.mount_refused",
        No(
            "the file system policy, the task role's elasticfilesystem:ClientMount/ClientWrite or the access point: the message says which",
        ),
    ),
    (
        "efs.path_missing",
        No("a directory on the file system: create it, or use an access point that creates it"),
    ),
    (
        "efs.utils_config",
        No(
            "efs-utils' set-up on the container instance (efs-utils.conf, the installed packages), not an AWS resource",
        ),
    ),
    (
        "efs.tls_tunnel",
        No("efs-utils' local TLS tunnel on the instance: update amazon-efs-utils"),
    ),
    (
        "efs.volume_plugin",
        No("software on the container instance: install and start amazon-ecs-volume-plugin"),
    ),
    (
        "ebs.infrastructure_role",
        Fix(|f| s::infrastructure_role(&or(&f.role_name, "<role-name>"))),
    ),
    (
        "ebs.kms_key",
        No(
            "the EBS volume configuration's `kmsKeyId` and its key policy: the key the reason names is not in the report",
        ),
    ),
    (
        "agent.instance_metadata",
        No(
            "the container instance's metadata options and how the agent runs: instance settings the report cannot see",
        ),
    ),
    (
        "agent.not_starting",
        No("the agent's own log says why it exits: read it on the instance"),
    ),
    (
        "logs.router_pipeline",
        No("the log router's Fluent Bit configuration and its containers' mount points"),
    ),
    (
        "gmsa.execution_role",
        No(
            "the task definition's `executionRoleArn` and that role's policies for the credential spec",
        ),
    ),
    (
        "gmsa.bad_spec",
        No("the task definition's `credentialSpecs` value and the spec's JSON"),
    ),
    (
        "gmsa.domainless_user",
        No("the domainless user's secret value: a secret's content, not a setting the report sees"),
    ),
    (
        "gmsa.daemon",
        No("the credentials-fetcher daemon and Active Directory on the instance's side"),
    ),
    (
        "agent.task_metadata",
        No(
            "the ECS agent on the instance, or Fargate's host: nothing a task definition or network setting fixes",
        ),
    ),
    (
        "agent.cluster_missing",
        No(
            "the instance's /etc/ecs/ecs.config and the cluster's name: settings of the instance the report cannot see",
        ),
    ),
    (
        "agent.long_arn_format",
        No(
            "an ECS account setting of the instance role or the account: not a task-definition or network setting",
        ),
    ),
    (
        "agent.instance_type_changed",
        No("the instance's type and the agent's checkpoint on it: nothing in a task definition"),
    ),
    (
        "agent.ssm_activation",
        No(
            "a new SSM activation and the install script run again on the instance: no task-definition or network setting",
        ),
    ),
    (
        "fsx.credentials",
        No(
            "the volume's `credentialsParameter` and the secret's value: a task-definition and secret setting",
        ),
    ),
    (
        "fsx.mapping",
        No(
            "the Windows instance's domain membership and its SMB path to the file system: the report cannot see either",
        ),
    ),
    (
        "ebs.create_failed",
        No(
            "the EBS volume configuration or the account's EBS quota: the error EC2 gave names which",
        ),
    ),
    (
        "ebs.filesystem",
        No("the EBS volume configuration's `filesystemType`: a run-task or service setting"),
    ),
    (
        "ebs.csi",
        No("the container instance's ECS agent and AMI: update them"),
    ),
];

fn region(f: &Facts) -> String {
    or(&f.region, "<region>")
}

fn service(f: &Facts, default: &str) -> String {
    f.service.clone().unwrap_or_else(|| default.to_string())
}

/// A name that should resolve to an interface endpoint resolved publicly: the
/// endpoint is missing, or its private DNS is off; S3 with a public answer was
/// expected to be an S3 interface endpoint.
fn public_address(f: &Facts) -> Vec<Remedy> {
    let mut v = s::interface_endpoint(&region(f), &service(f, "<service>"));
    if f.custom_resolver.is_some() {
        v.extend(custom_resolver(f));
    }
    v
}

/// A connect that timed out: to an address inside the VPC, the endpoint's security
/// group; to a public one, the endpoint (S3: the gateway endpoint's route) is missing.
fn tcp_timeout(f: &Facts) -> Vec<Remedy> {
    let svc = service(f, "<service>");
    match (f.private_target, svc.as_str()) {
        (Some(false), "s3") => s::s3_gateway(&region(f)),
        (Some(false), _) => s::interface_endpoint(&region(f), &svc),
        _ => sg_for(f, &svc),
    }
}

fn unreachable(f: &Facts) -> Vec<Remedy> {
    match (f.private_target, f.service.as_deref()) {
        (Some(false), Some("s3")) => s::s3_gateway(&region(f)),
        (Some(false), Some(svc)) => s::interface_endpoint(&region(f), svc),
        _ => Vec::new(),
    }
}

fn sg_for(f: &Facts, _service: &str) -> Vec<Remedy> {
    s::sg_ingress(&region(f), f.port.unwrap_or(443), f.subnet_cidr.as_deref())
}

/// The service's endpoint is missing, and when it exists, its security group.
fn unreachable_interface(f: &Facts, default: &str) -> Vec<Remedy> {
    let svc = if default == "<service>" {
        service(f, default)
    } else {
        default.to_string()
    };
    let mut v = s::interface_endpoint(&region(f), &svc);
    v.extend(sg_for(f, &svc));
    v
}

fn custom_resolver(f: &Facts) -> Vec<Remedy> {
    s::resolver(&region(f), &or(&f.custom_resolver, "<custom-dns-ip>"))
}

fn actions(f: &Facts, defaults: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = defaults.iter().map(|s| s.to_string()).collect();
    if let Some(x) = &f.action
        && !a.contains(x)
    {
        a.insert(0, x.clone());
    }
    a
}

/// The actions a pull needs from the service at hand (the denied one first).
fn pull_actions(f: &Facts) -> Vec<String> {
    match f.service.as_deref() {
        Some("ecr.api") | Some("ecr.dkr") => actions(
            f,
            &[
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
        ),
        Some("logs") => actions(f, &["logs:CreateLogStream", "logs:PutLogEvents"]),
        // The sidecars' own calls, which the probe's read-only one stands in for.
        Some("xray") => actions(
            f,
            &[
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
            ],
        ),
        Some("monitoring") => actions(f, &["cloudwatch:PutMetricData"]),
        Some("kinesis-firehose") => actions(f, &["firehose:PutRecordBatch"]),
        Some("kinesis-streams") => actions(f, &["kinesis:PutRecords"]),
        _ => vec![or(&f.action, "<action>")],
    }
}

/// ECR's GetAuthorizationToken is on `*`; the other actions on the resource at hand.
fn resource(f: &Facts) -> String {
    match f.action.as_deref() {
        Some("ecr:GetAuthorizationToken") => "*".to_string(),
        _ => f.resource.clone().unwrap_or_else(|| "*".to_string()),
    }
}

fn endpoint(f: &Facts) -> Vec<Remedy> {
    let acts = pull_actions(f);
    // ECR's three pull actions together: one is on `*`, so the statement is too.
    let res = if acts.iter().any(|a| a == "ecr:GetAuthorizationToken") {
        "*".to_string()
    } else {
        resource(f)
    };
    s::endpoint_policy(
        &region(f),
        &service(f, "<service>"),
        &or(&f.role_arn, "<principal-arn>"),
        &acts,
        &res,
    )
}

fn identity(f: &Facts) -> Vec<Remedy> {
    let role = or(&f.role_name, "<role-name>");
    let acts = pull_actions(f);
    let res = if acts.iter().any(|a| a == "ecr:GetAuthorizationToken") {
        "*".to_string()
    } else {
        resource(f)
    };
    let mut v = s::role_policy(&role, &acts, &res);
    if f.service.as_deref().is_some_and(|s| s.starts_with("ecr")) {
        v.extend(s::attach_execution_policy(&role));
    }
    v
}

fn boundary(f: &Facts) -> Vec<Remedy> {
    s::boundary(&pull_actions(f), &resource(f))
}

fn resource_policy(f: &Facts) -> Vec<Remedy> {
    match f.service.as_deref() {
        Some("ecr.dkr") | Some("ecr.api") => s::repository_policy(
            &or(&f.image_region, "<region>"),
            &or(&f.repository, "<repository>"),
            &or(&f.role_arn, "<principal-arn>"),
        ),
        _ => Vec::new(),
    }
}

/// registry.denied: by the policy type AWS named, else the two usual gates.
fn denied_by_whatever(f: &Facts) -> Vec<Remedy> {
    match f.denied_by.as_deref() {
        Some("vpc_endpoint_policy") => endpoint(f),
        Some("identity_policy") => identity(f),
        Some("resource_policy") => resource_policy(f),
        Some("permissions_boundary") => boundary(f),
        _ => {
            let mut v = identity(f);
            v.extend(endpoint(f));
            v
        }
    }
}

fn s3_endpoint_policy(f: &Facts) -> Vec<Remedy> {
    let r = region(f);
    // ECR presigns the layer URL with its own principal: `*`, not the task's role.
    s::endpoint_policy(
        &r,
        "s3",
        "*",
        &["s3:GetObject".to_string()],
        &format!("arn:aws:s3:::prod-{r}-starport-layer-bucket/*"),
    )
}

fn logs_endpoint_policy(f: &Facts) -> Vec<Remedy> {
    let f = Facts {
        service: Some("logs".to_string()),
        ..f.clone()
    };
    endpoint(&f)
}

/// The execution role reads `environmentFiles` itself (s3:GetObject, and
/// s3:GetBucketLocation for the bucket's region), before any container starts.
fn envfile_denied(f: &Facts) -> Vec<Remedy> {
    s::role_policy(
        &or(&f.role_name, "<execution-role-name>"),
        &[
            "s3:GetObject".to_string(),
            "s3:GetBucketLocation".to_string(),
        ],
        &or(&f.resource, "<env-file-arn>"),
    )
}

fn kms_denied(f: &Facts) -> Vec<Remedy> {
    s::role_policy(
        &or(&f.role_name, "<execution-role-name>"),
        &["kms:Decrypt".to_string()],
        &or(&f.kms_key, "<kms-key-arn>"),
    )
}

fn cross_region(f: &Facts) -> Vec<Remedy> {
    let task = or(&f.task_region, "<task-region>");
    let mut v = s::replication(
        &or(&f.image_region, "<image-region>"),
        &task,
        &or(&f.account, "<account-id>"),
    );
    v.extend(
        s::pull_through_cache(
            &task,
            &format!(
                "{}.dkr.ecr.{}.amazonaws.com",
                or(&f.account, "<account-id>"),
                or(&f.image_region, "<image-region>")
            ),
            "<ecr-repository-prefix>",
        )
        .into_iter()
        .map(|mut r| {
            r.title = format!("or {}", r.title);
            r
        }),
    );
    v
}

fn pull_through(f: &Facts) -> Vec<Remedy> {
    let upstream = match f.upstream_registry.as_deref() {
        Some("docker.io") | Some("index.docker.io") => Some("registry-1.docker.io".to_string()),
        other => other.map(str::to_string),
    };
    let prefix = match upstream.as_deref() {
        Some("public.ecr.aws") => "ecr-public",
        Some("registry-1.docker.io") => "docker-hub",
        Some("quay.io") => "quay",
        Some("ghcr.io") => "github",
        Some("registry.k8s.io") => "k8s",
        Some("registry.gitlab.com") => "gitlab",
        _ => "<ecr-repository-prefix>",
    };
    s::pull_through_cache(
        &or(&f.task_region.clone().or(f.region.clone()), "<region>"),
        &or(&upstream, "<upstream-registry-url>"),
        prefix,
    )
}

/// Kinds a list of remedies holds, for tests and docs.
pub fn kinds(v: &[Remedy]) -> Vec<RemedyKind> {
    let mut k: Vec<RemedyKind> = v.iter().map(|r| r.kind).collect();
    k.dedup();
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::causes::CATALOGUE;

    #[test]
    fn every_cause_is_decided() {
        for c in CATALOGUE {
            match entry(c.code) {
                Some(Entry::NoAwsChange(why)) => assert!(why.len() > 10, "{}", c.code),
                Some(Entry::Fix(_)) => {}
                None => panic!(
                    "{}: add it to src/remediation/table.rs, with a generator or the reason no AWS change repairs it",
                    c.code
                ),
            }
        }
        for (code, _) in ENTRIES {
            assert!(
                crate::causes::Code::lookup(code).is_some(),
                "{code} is not in the catalogue"
            );
        }
    }

    #[test]
    fn every_fix_gives_cli_and_both_templates() {
        for (code, e) in ENTRIES {
            if let Entry::Fix(f) = e {
                let v = f(&Facts {
                    region: Some("us-east-1".into()),
                    service: Some("ecr.dkr".into()),
                    private_target: Some(false),
                    ..Facts::default()
                });
                let k = kinds(&v);
                for want in [
                    RemedyKind::Cli,
                    RemedyKind::Cloudformation,
                    RemedyKind::Terraform,
                ] {
                    assert!(k.contains(&want), "{code}: no {want}");
                }
            }
        }
    }
}
