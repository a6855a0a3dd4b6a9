//! The words the agent and Fargate use, taken from where they are written (cited in
//! tests/fixtures/explain/agent-wordings.md): the error names and what start-up step
//! each belongs to, the operations that name a need, the stops that are not start-up
//! failures at all, and the causes to suspect, most likely first, when the text was cut.

use super::{Need, Stop};
use crate::causes::Code;
use crate::causes::code;

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
    // The agent's task network set-up on the instance (agent/engine/errors.go).
    ("containernetworkingerror", Some(Need::Agent)),
    // Fargate 1.4.0+'s name for the same timeout (AWS's "Stopped tasks error codes" page).
    ("containerruntimetimeouterror", Some(Need::Agent)),
    ("cannotinspectcontainererror", Some(Need::Agent)),
    ("cannotdescribecontainererror", Some(Need::Agent)),
    // A volume the agent could not create is EFS only when the text says so (an
    // operation below): a Docker volume, a plugin or the image's VOLUME instructions
    // are no network need (agent/engine/docker_task_engine.go wraps any volume error).
    ("cannotcreatevolumeerror", None),
    ("cannotinspectvolumeerror", None),
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
    // asmauth.go's resource: "asm resource: unable to find execution role credentials".
    ("asm resource:", Need::RegistryAuth, "secretsmanager"),
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
    // the agent's own words for a ResourceNotFoundException from GetSecretValue
    // (agent/asm/asm.go augmentErrMsg: "The task can't retrieve the secret with ARN '…'
    // from AWS Secrets Manager. Check whether the secret exists in the specified Region").
    (
        "retrieve the secret with arn",
        Need::Secrets,
        "secretsmanager",
    ),
    // older agents' Secrets Manager wording (mirrors the SSM one above, "fetching secret
    // data from SSM Parameter Store in <region>"), and asmsecret.go's per-secret error.
    (
        "fetching secret data from aws secrets manager",
        Need::Secrets,
        "secretsmanager",
    ),
    (
        "trying to retrieve secret with value",
        Need::Secrets,
        "secretsmanager",
    ),
    // environment files (agent/taskresource/envFiles/envfile.go).
    ("failed to download env files", Need::EnvFiles, "s3"),
    ("unable to download env file", Need::EnvFiles, "s3"),
    ("environment file resource", Need::EnvFiles, "s3"),
    ("environmentfile", Need::EnvFiles, "s3"),
    // the directory the agent keeps a task's downloaded files in (envfile.go
    // envFileDirPath "envfiles", under /var/lib/ecs/data/envfiles/<cluster>/<task>/).
    ("/envfiles/", Need::EnvFiles, "s3"),
    // logs: Fargate "failed to validate logger args", docker's awslogs driver.
    ("failed to validate logger args", Need::Logs, "logs"),
    ("failed to initialize logging driver", Need::Logs, "logs"),
    ("logging driver", Need::Logs, "logs"),
    ("cloudwatch log", Need::Logs, "logs"),
    ("fluentd log", Need::Logs, "logs"),
    ("awslogs-", Need::Logs, "logs"),
    ("log opt", Need::Logs, "logs"),
    // moby's awslogs driver: "unknown log opt '…' for awslogs log driver", "cannot
    // determine region for awslogs driver", "unsupported log format '…'" (awslogs-format).
    ("log driver", Need::Logs, "logs"),
    ("awslogs driver", Need::Logs, "logs"),
    ("unsupported log format", Need::Logs, "logs"),
    // EFS volumes: Fargate's efs-utils invocation.
    ("failed to invoke efs utils", Need::Volumes, "efs"),
    ("efs utils command", Need::Volumes, "efs"),
    ("mount.nfs", Need::Volumes, "efs"),
    ("amazon-efs-utils", Need::Volumes, "efs"),
    (".efs.", Need::Volumes, "efs"),
    // EC2's EFS volumes go through the ECS volume plugin (agent/taskresource/volume/
    // dockervolume_efs.go names it; ecs-init/volumes/ecs_volume_driver.go answers Docker's
    // VolumeDriver.Create with "mounting volume failed: <efs-utils' words>").
    (
        "volumedriver.create: mounting volume failed",
        Need::Volumes,
        "efs",
    ),
    ("amazon-ecs-volume-plugin", Need::Volumes, "efs"),
    // efs-utils' own words name their configuration ("… in the efs-utils configuration
    // file", "… in efs-utils.conf") and its retry loop ("Mount attempt 1/3 failed due to
    // …": aws/efs-utils mount_efs call_nfs_mount_command_with_retry_succeed).
    ("efs-utils", Need::Volumes, "efs"),
    ("mount attempt 1/", Need::Volumes, "efs"),
    // ECS-managed EBS volumes, by their failures only (the same volume is named in
    // success, metrics and clean-up lines, and a paste may mention it beside another
    // failure): the status reasons AWS lists ("ECS was unable to assume the configured
    // ECS Infrastructure Role …", "ECS failed to set up the EBS volume. Encountered …",
    // "ECS timed out while configuring the EBS volume attachment …") and the agent's
    // staging errors on EC2 (aws/amazon-ecs-agent@8dfceca6 agent/ebs/watcher.go "Failed
    // to initialize EBS volume ID: …", "Timed out waiting for EBS ack", ecs-agent/
    // csiclient "failed to stage volume via CSI driver", "NodeStageVolume: failed to
    // establish CSI connection", attachment/resource/ebs_discovery*.go, the task's
    // "unable to parse and validate EBS volume"). Its own service: ECS's control plane
    // and the instance, no endpoint of the task's.
    (
        "unable to assume the configured ecs infrastructure role",
        Need::Volumes,
        EBS,
    ),
    ("failed to set up the ebs volume", Need::Volumes, EBS),
    ("configuring the ebs volume attachment", Need::Volumes, EBS),
    ("failed to initialize ebs volume", Need::Volumes, EBS),
    ("timed out waiting for ebs ack", Need::Volumes, EBS),
    ("failed to stage volume via csi driver", Need::Volumes, EBS),
    (
        "nodestagevolume: failed to establish csi connection",
        Need::Volumes,
        EBS,
    ),
    ("ebs volume ids do not match", Need::Volumes, EBS),
    (
        "cannot find ebs volume with device name",
        Need::Volumes,
        EBS,
    ),
    (
        "unable to parse and validate ebs volume",
        Need::Volumes,
        EBS,
    ),
    // FSx for Windows File Server volumes, the agent's resource on Windows (aws/amazon-
    // ecs-agent@8dfceca6 agent/taskresource/fsxwindowsfileserver/
    // fsxwindowsfileserver_windows.go: "fsxwindowsfileserver resource: …", "unsupported
    // credentialsParameter, only ssm/secretsmanager ARNs are valid", "… expected fsx
    // credential ssm arn …"; agent/fsx/fsx.go "fsx describing filesystem(s) from the
    // service for …").
    // Its failures only: the same name is in its debug and clean-up lines.
    ("fsxwindowsfileserver resource:", Need::Volumes, FSX),
    ("mounting fsxwindowsfileserver volume", Need::Volumes, FSX),
    ("fsxwindowsfileserver resource map", Need::Volumes, FSX),
    ("map fsxwindowsfileserver resource", Need::Volumes, FSX),
    ("fsx describing filesystem", Need::Volumes, FSX),
    ("fsx credential", Need::Volumes, FSX),
    ("unsupported credentialsparameter", Need::Volumes, FSX),
    // The agent's own connection to ECS (AWS's service event and stopped-task pages).
    ("encountered error \"agent\"", Need::Agent, "ecs"),
    ("encountered error 'agent'", Need::Agent, "ecs"),
    ("have the agent connected", Need::Agent, "ecs"),
    ("taskfailedtostart: agent", Need::Agent, "ecs"),
    // FireLens's configuration file in S3 (agent/taskresource/firelens/firelens_unix.go
    // "unable to download s3 config %s from bucket %s", wrapped by the task engine as
    // "Unable to download firelens s3 config file"): S3, for the log router.
    ("firelens s3 config", Need::Logs, "s3"),
    ("unable to download s3 config", Need::Logs, "s3"),
    ("unable to generate firelens config", Need::Logs, "logs"),
    // The log router's own start: aws-for-fluent-bit's init process (init/
    // fluent_bit_init_process.go, "[FluentBit Init Process] …", which downloads the
    // S3 config files with the task role) and Fluent Bit's configuration loader
    // ("[config] section … tried to instance a plugin name that don't exists",
    // "could not open parser configuration file, aborting.", the main file's path).
    ("fluentbit init process", Need::Logs, "s3"),
    ("fluent-bit.conf", Need::Logs, "logs"),
    ("parser configuration file", Need::Logs, "logs"),
    ("] [config] ", Need::Logs, "logs"),
    // The log router's own CloudWatch Logs output, in Fluent Bit's log (flb_plg_error's
    // "[output:<plugin>:<instance>]" before flb_aws_print_error's "<API> API responded
    // with error='…', message='…'"): signed with the task role, not the execution role.
    ("output:cloudwatch_logs", Need::Logs, "logs"),
    // Fluent Bit's main loader giving up on its file (fluent/fluent-bit src/fluent-bit.c
    // "Configuration file contain errors. Aborting").
    ("configuration file contain errors", Need::Logs, "logs"),
    // The log router's own resource and container (firelens_unix.go "error parsing
    // firelens options", task.go "unable to initialize firelens resource", "… because
    // there's no firelens container", firelensconfig_unix.go "… for firelens
    // configuration of type …").
    ("unable to initialize firelens resource", Need::Logs, "logs"),
    ("error parsing firelens options", Need::Logs, "logs"),
    ("firelens configuration", Need::Logs, "logs"),
    ("firelens container", Need::Logs, "logs"),
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
    // Fargate's 2024 wording names the service the secrets come from; the longer
    // pattern wins at the same place over "the task cannot pull" (the image's).
    (
        "the task cannot pull secrets from aws systems manager",
        Need::Secrets,
        "ssm",
    ),
    (
        "the task cannot pull secrets from aws secrets manager",
        Need::Secrets,
        "secretsmanager",
    ),
    (
        "connection issue between the task and aws systems manager",
        Need::Secrets,
        "ssm",
    ),
    (
        "connection issue between the task and aws secrets manager",
        Need::Secrets,
        "secretsmanager",
    ),
    (
        "connection issue between the task and amazon cloudwatch",
        Need::Logs,
        "logs",
    ),
    ("the task can’t pull the image", Need::ImagePull, "ecr.dkr"),
    // A registry's own throttle, in the distribution spec's error code (TOOMANYREQUESTS,
    // written lower-case by docker and containerd) or Docker Hub's wording: only an image
    // fetch gets it, so the bare forms a CI log or a TaskFailedToStart line carries
    // without an error name still name the pull.
    ("toomanyrequests", Need::ImagePull, "ecr.dkr"),
    ("pull rate limit", Need::ImagePull, "ecr.dkr"),
    // the agent's own state machine (dockerapi/errors.go DockerTimeoutError template).
    ("could not transition to", Need::Agent, "ecs"),
    // The same timeout in the pull's phases names the pull (docker_client.go gives
    // DockerTimeoutError the transitions "pullBegin", "MANIFEST_PULLED" and "pulled";
    // the longer pattern wins over the one above at the same place).
    ("could not transition to pull", Need::ImagePull, "ecr.dkr"),
    (
        "could not transition to manifest_pulled",
        Need::ImagePull,
        "ecr.dkr",
    ),
    // The agent reaching the Docker engine on the instance: moby's client
    // (client/request.go "error during connect: …", on Windows "in the default daemon
    // configuration on Windows, the docker client must be run with elevated privileges
    // to connect"; client/errors.go "Cannot connect to the Docker daemon at %s. Is the
    // docker daemon running?"). Whatever step it was doing, the engine was not there.
    ("error during connect", Need::Agent, DOCKER),
    ("cannot connect to the docker daemon", Need::Agent, DOCKER),
    // The container credentials endpoint (169.254.170.2, served by the agent) as an SDK
    // words its failure without the address: botocore's ContainerProvider
    // (METHOD 'container-role', CredentialRetrievalError "Error when retrieving
    // credentials from container-role: …") and ContainerMetadataFetcher ("Received non
    // 200 response … from container metadata", older "from ECS metadata").
    ("credentials from container-role", Need::Agent, CREDENTIALS),
    ("from container metadata", Need::Agent, CREDENTIALS),
    ("from ecs metadata", Need::Agent, CREDENTIALS),
];

/// A gMSA credential spec (`credentialSpecs`) as the agent's credentialspec resource
/// words its failures (aws/amazon-ecs-agent@8dfceca6
/// agent/taskresource/credentialspec/credentialspec_linux.go and _windows.go:
/// "credentialspec resource: unable to find execution role credentials", "unsupported
/// credentialspec ARN, only s3/ssm ARNs are valid", "invalid credentialspec file
/// specification", "the provided SSM parameter:%s is in an invalid format", "failed to
/// retrieve credentials for domainless gMSA user %s", "failed to parse asmSecretData for
/// the gMSA AD user", "failed to connect with credentials fetcher daemon", "failed to
/// create kerberos tickets associated service account", "Unable to find execution role
/// credentials while setting registry key for task"). Its own phrases only, never the
/// bare words (a repository, a secret or a bucket may be named "gmsa-…"), and read only
/// when no other step or stop is named; the service is read from the text.
pub const CREDENTIAL_SPEC: &[(&str, Need, &str)] = &[
    ("credentialspec resource", Need::CredentialSpec, "s3"),
    ("credentialspec arn", Need::CredentialSpec, "s3"),
    ("credentialspec file", Need::CredentialSpec, "s3"),
    ("invalid credentialspec", Need::CredentialSpec, "s3"),
    ("unmarshalling credentialspec", Need::CredentialSpec, "s3"),
    (
        "for domainless gmsa user",
        Need::CredentialSpec,
        "secretsmanager",
    ),
    (
        "for the gmsa ad user",
        Need::CredentialSpec,
        "secretsmanager",
    ),
    (
        "credentials fetcher daemon",
        Need::CredentialSpec,
        GMSA_DAEMON,
    ),
    (
        "credentials_fetcher.sock",
        Need::CredentialSpec,
        GMSA_DAEMON,
    ),
    (
        "kerberos tickets associated",
        Need::CredentialSpec,
        GMSA_DAEMON,
    ),
    ("the provided ssm parameter:", Need::CredentialSpec, "ssm"),
    (
        "execution role credentials while setting registry key",
        Need::CredentialSpec,
        "s3",
    ),
];

/// The service name `explain` gives the host's credentials-fetcher daemon (Linux
/// gMSA): no endpoint, a local socket (/var/credentials-fetcher/socket).
pub const GMSA_DAEMON: &str = "credentials-fetcher";

/// What names a need only when no step of [`OPERATIONS`] does: the AWS call itself as
/// the SDKs word it ("operation error Secrets Manager: GetSecretValue", a denial of
/// "ssm:GetParameters"), an S3 helper more than one step uses, and the container
/// credentials endpoint. A step's words are the outer frame and decide: the agent's
/// FireLens step also initialises an S3 client for its bucket, and a logging driver's
/// failure to get credentials is the log driver's (it says "failed to load
/// credentials" too, inside "failed to initialize logging driver").
pub const CALLS: &[(&str, Need, &str)] = &[
    // agent/taskresource/envFiles/envfile.go "unable to initialize s3 client for bucket
    // %s, error: %v" (FireLens's own is inside "unable to download firelens s3 config").
    (
        "unable to initialize s3 client for bucket",
        Need::EnvFiles,
        "s3",
    ),
    ("getsecretvalue", Need::Secrets, "secretsmanager"),
    // Secrets Manager's DecryptionFailure message, its own words (KMS's refusals quoted
    // by other services name those services).
    (
        "access to kms is not allowed",
        Need::Secrets,
        "secretsmanager",
    ),
    ("secrets manager", Need::Secrets, "secretsmanager"),
    ("getparameter", Need::Secrets, "ssm"),
    // The container credentials endpoint as aws-sdk-go words it (aws/credentials/
    // endpointcreds: awserr "CredentialsEndpointError", "failed to load credentials")
    // and aws-sdk-go-v2 (credentials/endpointcreds Retrieve: "failed to load
    // credentials, %w", under aws.CredentialsCache's "failed to refresh cached
    // credentials"), or its address.
    ("credentialsendpointerror", Need::Agent, CREDENTIALS),
    ("failed to load credentials", Need::Agent, CREDENTIALS),
    ("169.254.170.2", Need::Agent, CREDENTIALS),
    // The agent's credentials handler, in its own log or its answer's message.
    ("credentialsv2request", Need::Agent, CREDENTIALS),
    ("credentialsv1request", Need::Agent, CREDENTIALS),
    // A container's own SDK whose default chain found nothing (auth.no_credentials'
    // words, cited there), or that fell through to the instance metadata (169.254.169.254,
    // which awsvpc and Fargate tasks cannot use for credentials): the task's credentials
    // come from the agent's endpoint, so the need is the same one, read from the
    // container's side. A step's words decide first (the awslogs driver's
    // NoCredentialProviders is the log driver's).
    ("nocredentialproviders", Need::Agent, CREDENTIALS),
    ("unable to locate credentials", Need::Agent, CREDENTIALS),
    (
        "unable to load aws credentials from any provider",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "unable to load credentials from any of the providers",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "could not load credentials from any providers",
        Need::Agent,
        CREDENTIALS,
    ),
    ("missing credentials in config", Need::Agent, CREDENTIALS),
    // The container providers of the PHP, Ruby, JavaScript v2 and .NET SDKs, the
    // container provider named with its variable missing, the .NET SDK's fall-back to
    // the instance metadata (their words are cited at the causes' rows).
    (
        "error retrieving credential from ecs",
        Need::Agent,
        CREDENTIALS,
    ),
    ("error retrieving ecs credentials", Need::Agent, CREDENTIALS),
    ("ecscredentialsproviderfailure", Need::Agent, CREDENTIALS),
    (
        "unable to reach credentials server",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "was specified as the credential_source, but",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "credentials from ec2 instance metadata service",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "defaultinstanceprofileawscredentials",
        Need::Agent,
        CREDENTIALS,
    ),
    ("no ec2 imds role found", Need::Agent, CREDENTIALS),
    // smithy-kotlin's CredentialsProviderChain, aws-config's (Rust) chain, the Java SDK
    // v1's EC2CredentialsFetcher (the container endpoint or the instance metadata), the
    // .NET SDK's RefreshingAWSCredentials whose refresh failed.
    (
        "no credentials could be loaded from the chain",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "no providers in chain provided credentials",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "unable to load credentials from service endpoint",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "the retrieved credentials have already expired",
        Need::Agent,
        CREDENTIALS,
    ),
    (
        "error response received from instance metadata service",
        Need::Agent,
        CREDENTIALS,
    ),
    ("couldn't find aws credentials", Need::Agent, CREDENTIALS),
    (
        "unable to sign request without credentials",
        Need::Agent,
        CREDENTIALS,
    ),
    ("169.254.169.254", Need::Agent, CREDENTIALS),
];

/// Fargate's outer start-up step, "unable to pull secrets or registry auth": when the
/// text stops there it names no inner step (the candidates span both, the confirm is the
/// whole task definition).
pub const SECRETS_OR_REGISTRY_AUTH: &str = "unable to pull secrets or registry auth";

/// Fargate's outer step cut before its inner one: the candidates of both inner steps,
/// each with its own need and service: the network first (both go the same way, to
/// ecr.api and to Secrets Manager or SSM), then the execution role's read of a secret,
/// a secret or parameter that is not there, the role's GetAuthorizationToken.
pub const COMBINED: &[(Need, &str, Code)] = &[
    (Need::RegistryAuth, "ecr.api", code!("tcp.timeout")),
    (
        Need::Secrets,
        "secretsmanager",
        code!("auth.denied_identity_policy"),
    ),
    (Need::Secrets, "secretsmanager", code!("service.not_found")),
    (
        Need::RegistryAuth,
        "ecr.api",
        code!("auth.denied_identity_policy"),
    ),
];

/// The awslogs driver with the agent's credentials endpoint failing, timed out or not.
const AWSLOGS_CREDENTIALS: &str = "the awslogs driver runs in the Docker daemon on the container instance and takes the task execution role's credentials from the agent's endpoint 169.254.170.2: check `executionRoleArn`, the instance's agent set-up (the ECS-optimized AMI, or on a custom AMI ecs-init's rules for 169.254.170.2 and `ECS_ENABLE_TASK_IAM_ROLE`), and `NO_PROXY=169.254.170.2` when the daemon uses an HTTP proxy; not the task's path to the logs endpoint";

/// What a cause means when a step's words carry it rather than the probe's hop: the
/// awslogs driver runs in the Docker daemon (the instance's credentials, not the
/// task's path), CloudWatch Logs throttles the driver's calls, a container's own SDK
/// takes the task role from the agent.
pub const HINTS: &[(Need, Code, &str)] = &[
    (
        Need::CredentialSpec,
        code!("service.not_found"),
        "the credential spec's SSM parameter, or the domainless gMSA user's secret it names, does not exist where the agent looked: create it in the task's account and Region, or fix the ARN in the task definition's `credentialSpecs` (or in the spec's `HostAccountConfig`)",
    ),
    (
        Need::Logs,
        code!("auth.no_credentials"),
        "the awslogs driver runs in the Docker daemon on the container instance and found no credentials at all: give the instance an instance profile that may write the logs and let the daemon reach the instance metadata (IMDSv2 hop limit 2; `NO_PROXY=169.254.169.254,169.254.170.2` when the daemon uses an HTTP proxy), or check that the agent serves the task execution role's credentials; not the task's path to the logs endpoint",
    ),
    (
        Need::Logs,
        code!("service.throttled"),
        "CloudWatch Logs throttled the log driver's calls (`ThrottlingException: Rate exceeded`, usually CreateLogStream when many tasks start at once): stagger the starts or raise the account's CreateLogStream quota (Service Quotas); the path to the logs endpoint works",
    ),
    (
        Need::Agent,
        code!("auth.no_credentials"),
        "an SDK in the container found no credentials anywhere in its chain: give the task a task role (`taskRoleArn`, trusted by `ecs-tasks.amazonaws.com`); the agent then serves its credentials at 169.254.170.2 and sets `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` in every container. A process started with a clean environment (su, sudo, cron, an init system) loses that variable; Fargate and awsvpc tasks have no instance role to fall back to",
    ),
    (
        Need::Logs,
        code!("auth.credentials_error"),
        AWSLOGS_CREDENTIALS,
    ),
    (
        Need::Logs,
        code!("auth.credentials_timeout"),
        AWSLOGS_CREDENTIALS,
    ),
];

/// The service name `explain` gives the container credentials endpoint: not a VPC
/// endpoint service, the agent's own address 169.254.170.2.
pub const CREDENTIALS: &str = "credentials";

/// The service name `explain` gives the task metadata endpoint (169.254.170.2's
/// /v2/metadata, `$ECS_CONTAINER_METADATA_URI_V4`): the agent's, like the credentials.
pub const METADATA: &str = "task_metadata";

/// The service name `explain` gives the Docker engine on a container instance: no
/// endpoint at all, the agent's own local socket or named pipe.
pub const DOCKER: &str = "docker";

/// The service name `explain` gives an ECS-managed EBS volume: ECS's control plane
/// creates and attaches it with the infrastructure role, and the instance (or Fargate)
/// stages it; no endpoint of the task's network is involved.
pub const EBS: &str = "ebs";

/// The service name `explain` gives an FSx for Windows File Server volume: the agent
/// on the Windows container instance reads its credentials and maps its share (SMB).
pub const FSX: &str = "fsx";

/// Causes whose words only one start-up step produces. A text that names no operation
/// and no error name (a docker-era line without the agent's prefix, an agent log line,
/// a console cell) still names its step through them: "No such image" is the image,
/// "manifest unknown" the pull, "the specified log group does not exist" the logs.
pub const BY_CAUSE: &[(Code, Need)] = &[
    (code!("image.not_pulled"), Need::ImagePull),
    (code!("image.lazy_load"), Need::ImagePull),
    (code!("registry.manifest_unknown"), Need::ImagePull),
    (code!("registry.name_unknown"), Need::ImagePull),
    (code!("registry.blob_unknown"), Need::ImagePull),
    (code!("registry.platform_missing"), Need::ImagePull),
    (code!("image.layers_mismatch"), Need::ImagePull),
    (code!("image.windows_layer"), Need::ImagePull),
    (code!("image.unsupported_media_type"), Need::ImagePull),
    (code!("image.bad_reference"), Need::ImagePull),
    (code!("layer.digest_mismatch"), Need::ImagePull),
    (code!("layer.truncated"), Need::ImagePull),
    (code!("agent.docker_unreachable"), Need::Agent),
    (code!("agent.disconnected"), Need::Agent),
    (code!("agent.task_network"), Need::Agent),
    (code!("logs.group_not_found"), Need::Logs),
    // Not efs.dns_failed's nor efs.mount_refused's words: "failed to resolve" and "aws
    // security credentials" are said of other things too.
    (code!("efs.path_missing"), Need::Volumes),
    (code!("efs.tls_tunnel"), Need::Volumes),
    (code!("efs.volume_plugin"), Need::Volumes),
];

/// The API's refusals of a task definition or a request (RegisterTaskDefinition's,
/// RunTask's ClientException, as the CLI, Terraform or CloudFormation print it): no
/// task started, so no step failed, whatever option the message names.
pub const API_REFUSED: &[&str] = &[
    "clientexception",
    "registertaskdefinition",
    "creating ecs task definition",
    "failed to register task definition",
];

/// Stops that are not a start-up step failing: what each is, found by words from
/// AWS's stopped-task pages and the agent's templates.
pub const STOPS: &[(&str, Stop)] = &[
    // An OOM kill stops the essential container too: the kill is the cause, the exit
    // its consequence, so it is read first.
    ("outofmemoryerror", Stop::OutOfMemory),
    ("container killed due to memory usage", Stop::OutOfMemory),
    ("oom-killed", Stop::OutOfMemory),
    // The agent's own log of the kill (agent/dockerclient/dockerapi/docker_client.go
    // "DockerGoClient: process within container %s died due to OOM").
    ("died due to oom", Stop::OutOfMemory),
    // docker inspect's State.OOMKilled, only when true ("OOMKilled false" is the
    // opposite).
    ("oomkilled: true", Stop::OutOfMemory),
    ("oomkilled\": true", Stop::OutOfMemory),
    ("oomkilled=true", Stop::OutOfMemory),
    ("essential container in task exited", Stop::ApplicationExit),
    // A static host port taken on the instance (moby's port mapper: "driver failed
    // programming external connectivity on endpoint …: Bind for 0.0.0.0:8080 failed:
    // port is already allocated", or its userland proxy's "listen tcp …: bind: address
    // already in use").
    ("port is already allocated", Stop::HostPort),
    (
        "driver failed programming external connectivity",
        Stop::HostPort,
    ),
    ("error starting userland proxy", Stop::HostPort),
    // Settings the daemon or runc refuse on this instance, before the entrypoint words
    // the same runc chain carries (moby daemon: "Minimum memory limit allowed is 6MB",
    // "unknown or invalid runtime name", "error gathering device information while
    // adding custom device"; runc: "error setting rlimit", "error setting cgroup
    // config", a prestart hook such as NVIDIA's failing; the agent's HostConfigError
    // "Runtime is not set for GPU containers" and TaskDependencyError).
    ("minimum memory limit allowed", Stop::ContainerConfig),
    ("minimum memory reservation allowed", Stop::ContainerConfig),
    ("unknown or invalid runtime name", Stop::ContainerConfig),
    ("runtime is not set for gpu", Stop::ContainerConfig),
    ("error gathering device information", Stop::ContainerConfig),
    ("error setting rlimit", Stop::ContainerConfig),
    ("error setting cgroup config", Stop::ContainerConfig),
    ("error running hook", Stop::ContainerConfig),
    (
        "task dependencies cannot be resolved",
        Stop::ContainerConfig,
    ),
    // A bind mount's host path (moby: "invalid mount config for type \"bind\": bind
    // source path does not exist"; its propagation under the daemon's root).
    ("bind source path does not exist", Stop::Volume),
    ("invalid mount config", Stop::Volume),
    // The agent's TaskStoppedBeforePullBeginError: stopped on request before the pull.
    ("stopped before image pull could begin", Stop::Deployment),
    // ECS Managed Instances replacing an instance.
    ("stopped during instance draining", Stop::Instance),
    // Fargate task retirement (AWS's "Task retirement and maintenance for AWS
    // Fargate": stopCode ServiceSchedulerInitiated).
    (
        "maintenance on the underlying infrastructure",
        Stop::Maintenance,
    ),
    // RunTask's and CreateService's InvalidParameterException for a task definition
    // that cannot be used: deregistered, or without the launch type in
    // requiresCompatibilities.
    ("taskdefinition is inactive", Stop::ApiRefused),
    ("task definition is inactive", Stop::ApiRefused),
    ("does not support launch_type", Stop::ApiRefused),
    // Windows: the image's Windows version is not the host's, at the container's
    // start (hcsshim's "The container operating system does not match the host
    // operating system"): the image or the AMI, like another CPU architecture.
    (
        "container operating system does not match the host",
        Stop::Entrypoint,
    ),
    // Older hcsshim's wording of the same, HCS_E_IMAGE_MISMATCH (0xc0370101: "The
    // operating system of the container does not match the operating system of the
    // host", moby/moby#35462).
    (
        "does not match the operating system of the host",
        Stop::Entrypoint,
    ),
    ("elb health checks", Stop::HealthCheck),
    ("container health checks", Stop::HealthCheck),
    ("reason health checks failed", Stop::HealthCheck),
    ("scaling activity initiated by", Stop::Scaling),
    ("spot task was interrupted", Stop::SpotInterruption),
    ("spot interruption", Stop::SpotInterruption),
    ("deployment circuit breaker", Stop::Deployment),
    ("task stopped by user", Stop::Deployment),
    ("stopped by user", Stop::Deployment),
    // runc mounting a bind mount or volume into the container (its "error during
    // container init: error mounting \"…\" to rootfs"): the task's mount points,
    // before the entrypoint words below that the same chain carries.
    ("error mounting", Stop::Volume),
    ("exec format error", Stop::Entrypoint),
    ("executable file not found", Stop::Entrypoint),
    // Docker 1.x's daemon: "Container command '<path>' not found or does not exist."
    ("container command '", Stop::Entrypoint),
    ("starting container process caused", Stop::Entrypoint),
    // runc 1.1+'s wording of the same ("unable to start container process: exec:
    // \"/app/start.sh\": permission denied").
    ("unable to start container process", Stop::Entrypoint),
    // Windows: the engine's hcsshim wrapper around CreateProcess (moby
    // daemon/libcontainerd, "encountered an error during hcs::System::CreateProcess").
    ("::system::createprocess", Stop::Entrypoint),
    ("no matching entries in passwd file", Stop::User),
    ("unable to find user", Stop::User),
    // runc's user lookup in an image without /etc/passwd.
    ("no users found", Stop::User),
    // Fargate's containerd looking the user up in an image without one (AWS's
    // CannotStartContainerError page: "mount callback failed on /tmp/containerd-mount…:
    // open …/etc/passwd: no such file or directory").
    ("/etc/passwd: no such file", Stop::User),
    ("no space left on device", Stop::DiskFull),
    // docker's devicemapper storage refusing to write below its free-space floor ("Thin
    // Pool has N free data blocks which is less than minimum required M": AWS's
    // CannotCreateContainerError page, agent-wordings.md §9).
    ("thin pool has", Stop::DiskFull),
    ("not enough space on the disk", Stop::DiskFull),
    // After the full disk: an overlay mount failing on a full disk is the disk.
    // The runtime failing the agent after the start, or AWS's platform (the agent's
    // CannotStopContainerError, DockerTimeoutError "Could not transition to stopped",
    // ContainerVanishedError "No container matching saved ID found",
    // ImpossibleStateTransitionError; moby's "tried to kill container, but did not
    // receive an exit event", a name "already in use by container", "error creating
    // overlay mount"; AWS's ContainerRuntimeError and InternalError stop codes).
    ("cannotstopcontainererror", Stop::ContainerRuntime),
    ("could not transition to stopped", Stop::ContainerRuntime),
    ("tried to kill container", Stop::ContainerRuntime),
    ("no container matching saved id", Stop::ContainerRuntime),
    ("containervanishederror", Stop::ContainerRuntime),
    ("impossiblestatetransitionerror", Stop::ContainerRuntime),
    (
        "could not describe previously known container",
        Stop::ContainerRuntime,
    ),
    ("is already in use by container", Stop::ContainerRuntime),
    ("error creating overlay mount", Stop::ContainerRuntime),
    ("containerruntimeerror", Stop::ContainerRuntime),
    // Only as the agent's inspect wraps it: the daemon says "No such container" in
    // its routine clean-up too.
    (
        "cannotinspectcontainererror: error response from daemon: no such container",
        Stop::ContainerRuntime,
    ),
    ("cannotcreatevolumeerror", Stop::Volume),
    ("cannotinspectvolumeerror", Stop::Volume),
    ("contains volume instruction", Stop::Volume),
    ("unable to consistently start tasks", Stop::ServiceEvent),
    ("task failed to start", Stop::ServiceEvent),
    ("host ec2 (instance", Stop::Instance),
    // The service scheduler's and RunTask's placement failures (AWS's "Service event
    // messages" and "API failure reasons" pages: RESOURCE:MEMORY, RESOURCE:CPU,
    // RESOURCE:PORTS, RESOURCE:ENI, ATTRIBUTE).
    ("was unable to place a task", Stop::Placement),
    ("resource:memory", Stop::Placement),
    ("resource:cpu", Stop::Placement),
    ("resource:ports", Stop::Placement),
    ("resource:eni", Stop::Placement),
    ("resource:gpu", Stop::Placement),
    ("no container instances were found", Stop::Placement),
    // DescribeTasks' "TaskFailedToStart: MemberOf placement constraint unsatisfied",
    // "EMPTY CAPACITY PROVIDER", the service events' "missing required attribute" and
    // Fargate's quotas and capacity ("The requested CPU configuration is above your
    // limit", "You've reached the limit on the number of tasks you can run
    // concurrently", "Capacity is unavailable at this time").
    ("placement constraint", Stop::Placement),
    ("empty capacity provider", Stop::Placement),
    ("missing required attribute", Stop::Placement),
    ("is above your limit", Stop::Placement),
    ("reached the limit on the number of", Stop::Placement),
    ("capacity is unavailable at this time", Stop::Placement),
    ("instance was terminated", Stop::Instance),
    // The service scheduler's other events (AWS's "Service event messages" page).
    ("is unhealthy in (", Stop::HealthCheck),
    // Registering with the target group (the service event's "failed to register
    // targets in (target-group …) with (error The following targets are not in the
    // target group VPC …)"; "does not have an associated load balancer").
    ("failed to register targets", Stop::LoadBalancer),
    ("not in the target group vpc", Stop::LoadBalancer),
    (
        "does not have an associated load balancer",
        Stop::LoadBalancer,
    ),
    // Task scale-in protection holding a service above its desired count.
    ("number of protected tasks", Stop::Scaling),
    (
        "was unable to stop or start tasks during a deployment",
        Stop::Deployment,
    ),
    ("operations are being throttled", Stop::ServiceEvent),
    // ECS could not assume the role the task definition names (its trust policy must
    // let ecs-tasks.amazonaws.com assume it, and the caller needs iam:PassRole): the
    // launch was refused, nothing started.
    ("unable to assume the role", Stop::ApiRefused),
    // The awsvpc network interface (AWS's stopped-task errors: "Timeout waiting for
    // network interface provisioning to complete", "failed to configure ENI").
    ("network interface provisioning", Stop::NetworkInterface),
    ("eni attachment", Stop::NetworkInterface),
    ("failed to configure eni", Stop::NetworkInterface),
    ("insufficient eni", Stop::NetworkInterface),
    // AWS's "Amazon ECS task failed to start errors" page: a subnet without a free
    // address ("Unexpected EC2 error while attempting to Create Network Interface with
    // public IP assignment enabled in subnet …") and an instance without a free ENI
    // slot ("Unable to attach network interface to unused device index").
    (
        "attempting to create network interface",
        Stop::NetworkInterface,
    ),
    (
        "attach network interface to unused device index",
        Stop::NetworkInterface,
    ),
    // The same page: a launch type or capacity provider the task definition's
    // requiresCompatibilities does not allow.
    (
        "not compatible with the selected compute strategy",
        Stop::ApiRefused,
    ),
    // Service Connect as the agent sets it up (aws/amazon-ecs-agent@8dfceca6
    // agent/api/serviceconnect/service_connect_validator.go "service connect config
    // validation failed: …", agent/api/task/task.go "error initializing ports for
    // Service Connect", "error injecting required env vars to Service Connect
    // container", agent/engine/serviceconnect "ServiceConnect is only supported on
    // linux", the attachment's "error parsing service connect config value").
    (
        "service connect config validation failed",
        Stop::ServiceConnect,
    ),
    ("parsing service connect config", Stop::ServiceConnect),
    ("unmarshal service connect attachment", Stop::ServiceConnect),
    (
        "error initializing ports for service connect",
        Stop::ServiceConnect,
    ),
    ("to service connect container", Stop::ServiceConnect),
    ("serviceconnect is only supported", Stop::ServiceConnect),
    ("port map with service connect", Stop::ServiceConnect),
    // ECS Exec: the agent's managed-agent reasons (agent/engine/execcmd: "unable to
    // start ExecuteCommandAgent [create|pre-start|inspect]: …", "ExecuteCommandAgent
    // process exited with exit code: N", "no valid versions were found in <the
    // execute-command bin dir>") and the ExecuteCommand API's answers when the agent
    // never connected (TargetNotConnectedException; InvalidParameterException's
    // "execute command was not enabled when the task was run or the execute command
    // agent isn't running"). The SSM agent is what ExecuteCommandAgent runs in the
    // container (ECS's "Monitor Amazon ECS containers with ECS Exec": its binaries are
    // bind-mounted), so its own start failing is ECS Exec's. ECS Exec never stops a
    // task: last, and it yields to any step or agent error the text names.
    ("unable to start executecommandagent", Stop::Exec),
    ("executecommandagent process exited", Stop::Exec),
    ("managed agent not found (executecommandagent)", Stop::Exec),
    ("execute-command/bin", Stop::Exec),
    ("targetnotconnectedexception", Stop::Exec),
    ("execute command was not enabled", Stop::Exec),
    ("error occurred when starting amazon-ssm-agent", Stop::Exec),
];

/// Log lines of what runs the tasks rather than of a task's step: the ECS agent's and
/// ecs-init's own start on the instance (aws/amazon-ecs-agent@8dfceca6 agent/config/
/// config.go "Unable to communicate with EC2 Metadata service to infer region: %v",
/// agent/app/agent.go "Error registering container instance", "Error re-registering
/// container instance", ecs-agent/acs/session "Unable to discover poll endpoint",
/// ecs-init/engine/engine.go "ECS Agent failed to start, retrying in %s", "could not
/// load Amazon Elastic Container Service Agent into Docker", ecs-init/docker/
/// dependencies.go "Error connecting to docker, backing off …"), and ECS Anywhere's
/// registration with SSM. Read only when no step
/// and no stop is named: pasted beside a stopped reason they are context, not its cause.
pub const AGENT_LINES: &[(&str, Need, &str)] = &[
    ("ec2 metadata service to infer region", Need::Agent, "ecs"),
    ("registering container instance", Need::Agent, "ecs"),
    ("discover poll endpoint", Need::Agent, "ecs"),
    ("ecs agent failed to start", Need::Agent, "ecs"),
    (
        "timed out waiting for ecs agent to start",
        Need::Agent,
        "ecs",
    ),
    // The agent's registration refused by ECS (ecs-agent/api/ecs/client "Unable to
    // register as a container instance with ECS"; agent/app/agent.go "Instance
    // registration attempt with …", "The current instance type does not match the
    // registered instance type"; ecs-agent/api/errors "Container instance type changes
    // are not supported.").
    ("register as a container instance", Need::Agent, "ecs"),
    ("unable to register container instance", Need::Agent, "ecs"),
    ("instance registration attempt", Need::Agent, "ecs"),
    ("instance re-registration attempt", Need::Agent, "ecs"),
    ("container instance type changes", Need::Agent, "ecs"),
    // The agent's websocket sessions with ECS (ecs-agent/wsclient/client.go "Error
    // creating a websocket client: %v"; ecs-agent/tcs/handler/handler.go "Error: lost
    // websocket connection with ECS Telemetry service (TCS): %v").
    ("error creating a websocket client", Need::Agent, "ecs"),
    ("lost websocket connection with ecs", Need::Agent, "ecs"),
    (
        "does not match the registered instance type",
        Need::Agent,
        "ecs",
    ),
    // The agent's task network set-up in its own log (agent/engine/task_manager.go,
    // docker_task_engine.go).
    ("container resource provisioning", Need::Agent, "ecs"),
    ("configure pause container namespace", Need::Agent, "ecs"),
    (
        "could not load amazon elastic container service agent",
        Need::Agent,
        DOCKER,
    ),
    ("error connecting to docker", Need::Agent, DOCKER),
    // The Docker daemon itself not starting on the instance (moby's "Error starting
    // daemon: error initializing graphdriver: …", a devicemapper pool that is gone).
    ("error initializing graphdriver", Need::Agent, DOCKER),
    // ECS Anywhere: the SSM agent registering the external instance with its hybrid
    // activation before the ECS agent can start (amazon-ssm-agent's registration:
    // "error registering the instance with AWS SSM. %v"): the instance's need of SSM.
    ("registering the instance with aws ssm", Need::Agent, "ssm"),
];

/// Fluent Bit's network components in a log router's log (fluent/fluent-bit
/// src/flb_upstream.c "[upstream] connection #%i to %s:%i timed out after %i seconds",
/// src/flb_http_client.c "[http_client] broken connection to %s:%i", src/flb_network.c
/// "[net] getaddrinfo(host='%s', err=%d): …"): the logs need only when the line is about
/// an AWS destination (its host or an AWS output plugin), and like [`AGENT_LINES`] only
/// when no step or stop is named.
pub const ROUTER_LINES: &[&str] = &["] [upstream] ", "] [http_client] ", "] [net] getaddrinfo"];

/// What a reason says about how far its step got, besides the cause it lost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signs {
    /// Only Fargate's outer step is named: secrets or the registry token.
    pub combined: bool,
    /// N of "has been retried N time(s)".
    pub retries: Option<u32>,
    /// The server answered ("unexpected status …", docker's "pull access denied"): the
    /// path to it was open.
    pub answered: bool,
    /// The failing fetch is a layer blob: containerd's httpReadSeeker (the blob GET that
    /// ECR answers with a redirect to S3), or the S3 host itself.
    pub blob: bool,
    /// The EFS mount command's exit status (see `exit_status` in the module above).
    pub exit_status: Option<u32>,
    /// The pull got its layers and failed unpacking them on the instance (docker's
    /// "failed to register layer" / ApplyLayer, containerd's "failed to extract
    /// layer"): the disk or the image, not the path.
    pub unpack: bool,
    /// The image is outside ECR private (Docker Hub, another registry).
    pub foreign: bool,
    /// The image is one AWS adds or publishes for a feature (src/explain/sidecars.rs):
    /// AWS chose its tag, so a missing tag is the least likely of the pull's causes.
    pub aws_image: bool,
}

/// Causes that mean "no answer": the path, not the service.
const NETWORK: &[Code] = &[code!("tcp.timeout"), code!("efs.unreachable")];

/// The causes to suspect, most likely first, when the text names the need but its
/// cause was cut off. The start is the step's own list (AWS's troubleshooting page for
/// it: network path, then permissions, then a missing object); then what the text
/// still says reorders it:
/// - the server answered (a status, docker's "pull access denied"): the path was open,
///   so a timeout is no candidate at all;
/// - "retried 1 time(s)": the retry loops that produce the wrapper end at once on an
///   error that is not retriable (ecs-agent/utils/retry/retry.go honours
///   `Retriable.Retry() == false`; the SDKs retry only connection errors, timeouts,
///   throttles and 5xx), so one try means a refusal or a missing object, and the
///   network goes last. Of the corpus's reasons that say "retried 1 time(s)" and
///   show their cause, 19 of 20 end in a permission, a missing object or a setting;
///   of those retried more often, most end in a timeout or a throttle;
/// - retried more often, or no count: the network stays first.
///
/// What the text names (the image, the secret's ARN, the parameter names) goes into
/// each candidate's confirm command rather than the order: the same name is printed
/// whether the call timed out or was refused.
pub fn candidates(need: Need, service: &str, signs: Signs) -> Vec<Code> {
    let base: &[Code] = match need {
        // The pull reached the registry, which said no: the token it carried (none,
        // expired, another registry's), no such repository, or the role's pull rights.
        Need::RegistryAuth if signs.answered => &[
            code!("registry.unauthorized"),
            code!("registry.name_unknown"),
            code!("registry.denied"),
        ],
        // A registry outside ECR answered with a status the text lost: Docker Hub's
        // pull limits first (AWS's "CannotPullContainer task errors" page, "You have
        // reached your pull rate limit"), then no such tag, then a private repository.
        Need::ImagePull if signs.foreign && signs.answered => &[
            code!("registry.too_many_requests"),
            code!("registry.manifest_unknown"),
            code!("registry.denied"),
        ],
        Need::ImagePull if signs.unpack => {
            &[code!("instance.disk_full"), code!("image.layers_mismatch")]
        }
        // The S3 layer fetch (a starport URL, often cut inside its query), or a blob
        // GET that ECR answers by redirecting to S3: its refusals are S3's.
        Need::ImagePull if service == "s3" || signs.blob => &[
            code!("tcp.timeout"),
            code!("layer.access_denied"),
            code!("layer.url_expired"),
        ],
        // `repositoryCredentials`: the execution role's GetSecretValue on the secret, the
        // secret itself, then its shape (AWS's "Private registry authentication" page).
        Need::RegistryAuth if service == "secretsmanager" => &[
            code!("tcp.timeout"),
            code!("auth.denied_identity_policy"),
            code!("service.not_found"),
            code!("secrets.bad_registry_credentials"),
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
        // Fargate's "… Check whether the secret exists in the specified Region." (AWS's
        // ResourceInitializationError page: the ARN does not exist, or the execution
        // role may not read it): Secrets Manager answered, the path was open.
        Need::Secrets if signs.answered => &[
            code!("service.not_found"),
            code!("auth.denied_identity_policy"),
            code!("secrets.kms_denied"),
        ],
        Need::Secrets => &[
            code!("tcp.timeout"),
            code!("auth.denied_identity_policy"),
            code!("service.not_found"),
            code!("secrets.kms_denied"),
        ],
        // The env file's own refusals (envfile.denied names the S3 gateway endpoint's
        // policy, the bucket's and the role's, and SSE-KMS), then the object, then a
        // bucket in another region, which the gateway endpoint does not serve.
        Need::EnvFiles => &[
            code!("tcp.timeout"),
            code!("envfile.denied"),
            code!("envfile.not_found"),
            code!("envfile.other_region"),
        ],
        // FireLens's configuration file from S3: the S3 path, the execution role's
        // read, the bucket's region.
        Need::Logs if service == "s3" => &[
            code!("tcp.timeout"),
            code!("auth.denied"),
            code!("logs.firelens_s3_region"),
        ],
        Need::Logs => &[
            code!("tcp.timeout"),
            code!("logs.group_not_found"),
            code!("auth.denied_identity_policy"),
        ],
        // efs-utils passes mount.nfs's own status on (32, "mount failure"): the name
        // resolved and the command ran, so what is left is the server's answer or none
        // (aws/efs-utils src/mount_efs/__init__.py, mount_nfs: fatal_error(err, message,
        // proc.returncode)). The network first: a hung or reset connection is what AWS's
        // EFS troubleshooting pages meet most, then a refusal, then a missing directory.
        // The share mapped on the instance (the domain, SMB to the file system), the
        // credentials, the execution role's read of them.
        Need::Volumes if service == FSX => &[
            code!("fsx.mapping"),
            code!("fsx.credentials"),
            code!("auth.denied_identity_policy"),
        ],
        // The three status reasons AWS's EBS troubleshooting page lists, in its order.
        Need::Volumes if service == EBS => &[
            code!("ebs.infrastructure_role"),
            code!("ebs.kms_key"),
            code!("ebs.filesystem"),
        ],
        Need::Volumes if signs.exit_status == Some(32) => &[
            code!("efs.unreachable"),
            code!("efs.mount_refused"),
            code!("efs.path_missing"),
        ],
        // efs-utils' own fatal errors exit 1 (fatal_error's default): the name, its own
        // set-up, its TLS tunnel; mount.nfs never ran, so no NFS answer is a candidate.
        Need::Volumes if signs.exit_status == Some(1) => &[
            code!("efs.dns_failed"),
            code!("efs.utils_config"),
            code!("efs.tls_tunnel"),
        ],
        Need::Volumes => &[
            code!("efs.unreachable"),
            code!("efs.dns_failed"),
            code!("efs.mount_refused"),
            code!("efs.path_missing"),
        ],
        Need::Agent if service == CREDENTIALS => &[
            code!("auth.credentials_timeout"),
            code!("auth.credentials_error"),
        ],
        Need::Agent if service == "ecs" => &[code!("agent.disconnected")],
        Need::Agent if service == DOCKER => &[code!("agent.docker_unreachable")],
        Need::Agent if service == "ssm" => &[code!("tcp.timeout"), code!("agent.ssm_activation")],
        Need::Agent if service == METADATA => &[code!("agent.task_metadata")],
        Need::Agent => &[code!("agent.docker_timeout")],
        Need::CredentialSpec if service == GMSA_DAEMON => &[code!("gmsa.daemon")],
        Need::CredentialSpec => &[
            code!("tcp.timeout"),
            code!("gmsa.execution_role"),
            code!("auth.denied_identity_policy"),
            code!("service.not_found"),
            code!("gmsa.bad_spec"),
        ],
    };
    let (network, rest): (Vec<Code>, Vec<Code>) =
        base.iter().copied().partition(|c| NETWORK.contains(c));
    let ordered: Vec<Code> = if signs.answered {
        rest
    } else if signs.retries == Some(1) && !rest.is_empty() {
        rest.into_iter().chain(network).collect()
    } else {
        base.to_vec()
    };
    if signs.aws_image {
        let (missing, others): (Vec<Code>, Vec<Code>) = ordered
            .into_iter()
            .partition(|c| *c == code!("registry.manifest_unknown"));
        others.into_iter().chain(missing).collect()
    } else {
        ordered
    }
}

/// The words only this need's step produces, to read before the network and registry
/// words every step shares, the specific before the generic (a KMS denial is an
/// AccessDenied too; a 403 from S3 is not the registry's).
pub fn own(need: Need, service: &str) -> &'static [Code] {
    match need {
        // efs-utils' own set-up and the plugin first: their words carry no network
        // word, but a missing plugin's socket does ("… .sock: connect: no such file or
        // directory"); then the name, then what the server answered (a missing directory
        // before a generic refusal), then no answer at all.
        Need::Volumes if service == EBS => &[
            code!("ebs.infrastructure_role"),
            code!("ebs.kms_key"),
            code!("ebs.filesystem"),
            code!("ebs.csi"),
            code!("ebs.create_failed"),
        ],
        // Its credentials' shape, the share's mapping, a file system that is not
        // there, then the execution role's words the shared list reads.
        Need::Volumes if service == FSX => &[
            code!("fsx.credentials"),
            code!("fsx.mapping"),
            code!("service.not_found"),
        ],
        Need::Volumes => &[
            code!("efs.utils_config"),
            code!("efs.volume_plugin"),
            code!("efs.tls_tunnel"),
            code!("efs.dns_failed"),
            code!("efs.path_missing"),
            code!("efs.mount_refused"),
            code!("efs.unreachable"),
        ],
        // The innermost AWS error decides; where one's words contain another's, the
        // longer comes first: Secrets Manager's "can't find the specified secret value
        // for VersionStage: X" begins as its "can't find the specified secret" does, and
        // both are ResourceNotFoundException.
        Need::Secrets => &[
            code!("secrets.kms_denied"),
            code!("secrets.not_json"),
            code!("secrets.json_key_missing"),
            code!("secrets.version_missing"),
            code!("secrets.pending_deletion"),
            code!("config.malformed_value"),
            code!("service.not_found"),
        ],
        Need::RegistryAuth if service == "secretsmanager" => &[
            code!("secrets.kms_denied"),
            code!("secrets.bad_registry_credentials"),
            code!("secrets.pending_deletion"),
            code!("service.not_found"),
        ],
        Need::EnvFiles => &[
            code!("config.env_file"),
            code!("envfile.denied"),
            code!("envfile.other_region"),
            code!("envfile.not_found"),
        ],
        // FireLens's S3 configuration file: MissingRegion is the bucket's, not awslogs'.
        Need::Logs if service == "s3" => &[
            code!("logs.router_start"),
            code!("logs.firelens_s3_region"),
            code!("config.malformed_value"),
        ],
        Need::Logs => &[
            code!("logs.router_start"),
            code!("logs.router_pipeline"),
            code!("auth.no_credentials"),
            code!("logs.bad_region"),
            code!("logs.bad_option"),
            code!("logs.firelens_config"),
            code!("logs.driver_config"),
            code!("logs.group_not_found"),
            code!("auth.credentials_timeout"),
            code!("auth.credentials_error"),
        ],
        // What the image or its name is, or what the registry answered about it: true
        // whatever registry serves it, so these come before the registry's place.
        Need::ImagePull => &[
            code!("image.lazy_load"),
            code!("image.not_pulled"),
            code!("instance.disk_full"),
            code!("image.layers_mismatch"),
            code!("image.windows_layer"),
            code!("registry.platform_missing"),
            code!("image.bad_reference"),
            code!("image.unsupported_media_type"),
            code!("registry.blob_unknown"),
            code!("registry.server_error"),
            code!("layer.digest_mismatch"),
            code!("layer.truncated"),
            code!("registry.unexpected_status"),
        ],
        Need::Agent if service == CREDENTIALS => &[
            code!("auth.no_credentials"),
            code!("auth.credentials_timeout"),
            code!("auth.credentials_error"),
        ],
        // The agent's credentialspec resource: its own refusals before any call, then
        // the daemon's.
        // Then what SSM or Secrets Manager answered about the parameter or the
        // domainless user's secret, as for a task's secrets.
        Need::CredentialSpec => &[
            code!("gmsa.execution_role"),
            code!("gmsa.bad_spec"),
            code!("gmsa.domainless_user"),
            code!("gmsa.daemon"),
            code!("secrets.kms_denied"),
            code!("secrets.pending_deletion"),
            code!("service.not_found"),
        ],
        // ECS Anywhere's registration with SSM: SSM's answer about the activation.
        Need::Agent if service == "ssm" => &[code!("agent.ssm_activation")],
        Need::Agent if service == METADATA => &[code!("agent.task_metadata")],
        Need::Agent => &[
            code!("agent.long_arn_format"),
            code!("agent.instance_type_changed"),
            code!("agent.cluster_missing"),
            code!("agent.instance_metadata"),
            code!("agent.not_starting"),
            code!("agent.task_network"),
            code!("agent.pause_image"),
            code!("agent.docker_unreachable"),
            code!("agent.disconnected"),
            code!("agent.inspect_timeout"),
            code!("agent.docker_timeout"),
        ],
        Need::RegistryAuth => &[],
    }
}
