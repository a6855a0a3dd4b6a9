//! The words the agent and Fargate use, taken from where they are written (cited in
//! tests/fixtures/explain/agent-wordings.md): the error names and what start-up step
//! each belongs to, the operations that name a need, the stops that are not start-up
//! failures at all, and the causes to suspect, most likely first, when the text was cut.

use super::{Need, Stop};
use crate::causes::Code;
use crate::code;

/// Error names (aws/amazon-ecs-agent agent/dockerclient/dockerapi/errors.go,
/// ecs-agent/api/errors/errors.go) and the need each belongs to when no operation in
/// the text says more. `None`: the name alone does not say (a container that could not
/// start may have failed on its log driver, its user or its entrypoint).
pub const ERROR_NAMES: &[(&str, Option<Need>)] = &[
    ("cannotpullcontainererror", Some(Need::ImagePull)),
    ("cannotpullcontainer", Some(Need::ImagePull)),
    ("cannotpullimagemanifesterror", Some(Need::ImagePull)),
    ("cannotpullecrcontainererror", Some(Need::RegistryAuth)),
    ("cannotpullcontainerautherror", Some(Need::RegistryAuth)),
    ("dockertimeouterror", Some(Need::Agent)),
    ("cannotinspectcontainererror", Some(Need::Agent)),
    ("cannotdescribecontainererror", Some(Need::Agent)),
    ("cannotcreatevolumeerror", Some(Need::Volumes)),
    ("cannotinspectvolumeerror", Some(Need::Volumes)),
    ("cannotcreatecontainererror", None),
    ("cannotstartcontainererror", None),
    ("resourceinitializationerror", None),
    ("outofmemoryerror", None),
];

/// Operations, as the agent's and Fargate's templates word them, with the need and the
/// endpoint service they go to. The innermost one in a reason names its need.
pub const OPERATIONS: &[(&str, Need, &str)] = &[
    // registry auth: Fargate "unable to retrieve ecr registry auth", agent
    // docker_client.go CannotPullECRContainerError, 2024 wording.
    (
        "unable to retrieve ecr registry auth",
        Need::RegistryAuth,
        "ecr.api",
    ),
    (
        "pull registry auth from amazon ecr",
        Need::RegistryAuth,
        "ecr.api",
    ),
    ("ecr auth:", Need::RegistryAuth, "ecr.api"),
    ("getauthorizationtoken", Need::RegistryAuth, "ecr.api"),
    // repositoryCredentials through Secrets Manager (agent/asm/asm.go "asm fetching …").
    (
        "registry auth from asm",
        Need::RegistryAuth,
        "secretsmanager",
    ),
    ("asm fetching", Need::RegistryAuth, "secretsmanager"),
    // secrets (agent/taskresource/asmsecret, ssmsecret, agent/ssm/ssm.go).
    (
        "unable to retrieve secret from asm",
        Need::Secrets,
        "secretsmanager",
    ),
    (
        "unable to retrieve secrets from asm",
        Need::Secrets,
        "secretsmanager",
    ),
    ("from secrets manager", Need::Secrets, "secretsmanager"),
    ("asm secret resource", Need::Secrets, "secretsmanager"),
    ("secretsmanager secret", Need::Secrets, "secretsmanager"),
    ("unable to retrieve secrets from ssm", Need::Secrets, "ssm"),
    ("unable to retrieve secret from ssm", Need::Secrets, "ssm"),
    ("fetching secret data from ssm", Need::Secrets, "ssm"),
    ("ssm secret resource", Need::Secrets, "ssm"),
    ("invalid ssm parameters", Need::Secrets, "ssm"),
    ("invalid parameters:", Need::Secrets, "ssm"),
    // environment files (agent/taskresource/envFiles/envfile.go).
    ("failed to download env files", Need::EnvFiles, "s3"),
    ("unable to download env file", Need::EnvFiles, "s3"),
    ("environment file resource", Need::EnvFiles, "s3"),
    ("environmentfile", Need::EnvFiles, "s3"),
    // logs: Fargate "failed to validate logger args", docker's awslogs driver.
    ("failed to validate logger args", Need::Logs, "logs"),
    ("failed to initialize logging driver", Need::Logs, "logs"),
    ("logging driver", Need::Logs, "logs"),
    ("cloudwatch log", Need::Logs, "logs"),
    ("fluentd log", Need::Logs, "logs"),
    ("awslogs-", Need::Logs, "logs"),
    ("log opt", Need::Logs, "logs"),
    // EFS volumes: Fargate's efs-utils invocation.
    ("failed to invoke efs utils", Need::Volumes, "efs"),
    ("efs utils command", Need::Volumes, "efs"),
    ("mount.nfs", Need::Volumes, "efs"),
    // the image (docker daemon and containerd texts).
    ("pull image manifest", Need::ImagePull, "ecr.dkr"),
    ("inspect image", Need::ImagePull, "ecr.dkr"),
    ("ref pull", Need::ImagePull, "ecr.dkr"),
    ("failed to resolve ref", Need::ImagePull, "ecr.dkr"),
    ("error pulling image", Need::ImagePull, "ecr.dkr"),
    ("pull access denied", Need::ImagePull, "ecr.dkr"),
    ("failed to register layer", Need::ImagePull, "ecr.dkr"),
    ("getimageblob", Need::ImagePull, "ecr.dkr"),
    ("failed to unpack image", Need::ImagePull, "ecr.dkr"),
    ("manifest for ", Need::ImagePull, "ecr.dkr"),
    ("the task cannot pull", Need::ImagePull, "ecr.dkr"),
    ("the task can’t pull the image", Need::ImagePull, "ecr.dkr"),
    // the agent's own state machine (dockerapi/errors.go DockerTimeoutError template).
    ("could not transition to", Need::Agent, "ecs"),
];

/// Stops that are not a start-up step failing: what each is, found by words from
/// AWS's stopped-task pages and the agent's templates.
pub const STOPS: &[(&str, Stop)] = &[
    ("essential container in task exited", Stop::ApplicationExit),
    ("outofmemoryerror", Stop::OutOfMemory),
    ("container killed due to memory usage", Stop::OutOfMemory),
    ("oom-killed", Stop::OutOfMemory),
    ("oomkilled", Stop::OutOfMemory),
    ("elb health checks", Stop::HealthCheck),
    ("container health checks", Stop::HealthCheck),
    ("reason health checks failed", Stop::HealthCheck),
    ("scaling activity initiated by", Stop::Scaling),
    ("spot task was interrupted", Stop::SpotInterruption),
    ("spot interruption", Stop::SpotInterruption),
    ("deployment circuit breaker", Stop::Deployment),
    ("task stopped by user", Stop::Deployment),
    ("stopped by user", Stop::Deployment),
    ("exec format error", Stop::Entrypoint),
    ("executable file not found", Stop::Entrypoint),
    ("starting container process caused", Stop::Entrypoint),
    ("no matching entries in passwd file", Stop::User),
    ("unable to find user", Stop::User),
    ("no space left on device", Stop::DiskFull),
    ("unable to consistently start tasks", Stop::ServiceEvent),
    ("task failed to start", Stop::ServiceEvent),
    ("host ec2 (instance", Stop::Instance),
    ("instance was terminated", Stop::Instance),
];

/// The causes to suspect, most likely first, when the text names the need but its
/// cause was cut off (the order follows AWS's troubleshooting pages for each step:
/// network path first, then permissions, then a missing object).
pub fn candidates(need: Need, service: &str) -> &'static [Code] {
    match need {
        // The S3 layer fetch (a starport URL, often cut inside its query).
        Need::ImagePull if service == "s3" => &[
            code!("tcp.timeout"),
            code!("layer.access_denied"),
            code!("layer.url_expired"),
        ],
        Need::RegistryAuth => &[
            code!("tcp.timeout"),
            code!("auth.denied_identity_policy"),
            code!("auth.denied_endpoint_policy"),
        ],
        Need::ImagePull => &[
            code!("tcp.timeout"),
            code!("registry.manifest_unknown"),
            code!("registry.denied"),
            code!("layer.access_denied"),
        ],
        Need::Secrets => &[
            code!("tcp.timeout"),
            code!("auth.denied_identity_policy"),
            code!("service.not_found"),
            code!("secrets.kms_denied"),
        ],
        Need::EnvFiles => &[
            code!("tcp.timeout"),
            code!("auth.denied"),
            code!("envfile.not_found"),
        ],
        Need::Logs => &[
            code!("tcp.timeout"),
            code!("logs.group_not_found"),
            code!("auth.denied_identity_policy"),
        ],
        Need::Volumes => &[
            code!("efs.unreachable"),
            code!("efs.dns_failed"),
            code!("efs.mount_refused"),
        ],
        Need::Agent => &[code!("agent.docker_timeout")],
    }
}
