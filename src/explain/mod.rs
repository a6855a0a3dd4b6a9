//! `vpce-probe explain`: what an ECS `stoppedReason` (or a container's `reason`) says,
//! offline, in the probe's own terms: the need that failed (image pull, registry auth,
//! secrets, env files, logs, volumes, agent), the hop that would show it, the cause code
//! from the one catalogue (src/causes.rs, whose rows hold the innermost errors' words),
//! the fix, and the `vpce-probe` command that confirms it from the subnet.
//!
//! A reason is parsed, not matched whole ([`grammar`]): the innermost operation names
//! the need ([`vocabulary`]), the innermost error the cause; an AccessDenied goes
//! through the same reader as the probe's hops (crate::denial). A reason that is no
//! start-up failure (an application exit, a health check, a Spot interruption) is
//! named as the kind of stop it is, never given a hop. A reason cut before its cause
//! gets the candidates, most likely first.

mod facts;
pub mod grammar;
pub mod input;
mod runbook;
mod sidecars;
mod vocabulary;

use crate::causes::{CATALOGUE, Code, code};
use crate::denial;
use crate::diagnose::{self, Scope};
use crate::hop_kind::HopKind;
use crate::value_set::value_set;
use facts::Facts;
pub use input::{MAX_REASONS, Reading};

value_set! {
    /// What the task needed when it stopped.
    pub enum Need {
        /// Pulling the image (manifest, layers) from its registry.
        ImagePull = "image_pull",
        /// `ecr:GetAuthorizationToken` before the pull (Fargate 1.4.0+ does it itself),
        /// or `repositoryCredentials` from Secrets Manager.
        RegistryAuth = "registry_auth",
        /// `secrets` from Secrets Manager or Parameter Store.
        Secrets = "secrets",
        /// `environmentFiles` from S3.
        EnvFiles = "env_files",
        /// The log driver (awslogs, firelens).
        Logs = "logs",
        /// The ECS agent's own state changes.
        Agent = "agent",
        /// EFS volumes (NFS to a mount target).
        Volumes = "volumes",
        /// A gMSA credential spec (`credentialSpecs`) the agent fetches with the
        /// execution role from S3, SSM or Secrets Manager, and the host's
        /// credentials-fetcher daemon it hands it to.
        CredentialSpec = "credential_spec",
    }
}

value_set! {
    /// A stop that is not a start-up step failing: no network hop is to blame.
    pub enum Stop {
        /// The essential container's own process exited.
        ApplicationExit = "application_exit",
        /// The container hit its memory limit.
        OutOfMemory = "out_of_memory",
        /// A load balancer's or the container's health check failed.
        HealthCheck = "health_check",
        /// Service auto scaling removed the task.
        Scaling = "scaling",
        /// Fargate Spot took the capacity back.
        SpotInterruption = "spot_interruption",
        /// A deployment, its circuit breaker or a user stopped the task.
        Deployment = "deployment",
        /// The entrypoint cannot run: another CPU architecture, or no such executable.
        Entrypoint = "entrypoint",
        /// The image has no such user (`user` in the task definition, `/etc/passwd`).
        User = "user",
        /// A disk filled up, not while pulling.
        DiskFull = "disk_full",
        /// A service event or the generic TaskFailedToStart: the cause is in the tasks.
        ServiceEvent = "service_event",
        /// The container instance went away.
        Instance = "instance",
        /// A Docker volume of the task could not be created (not EFS).
        Volume = "volume",
        /// ECS found no container instance to place the task on (capacity, ports,
        /// attributes): nothing started.
        Placement = "placement",
        /// The API refused the task definition or the request (a ClientException):
        /// nothing started.
        ApiRefused = "api_refused",
        /// The task's own network interface (awsvpc) could not be created or
        /// attached: the subnet's or the instance's capacity, not a path.
        NetworkInterface = "network_interface",
        /// AWS stopped the task to retire or patch what it ran on (Fargate task
        /// retirement): nothing of the task's failed.
        Maintenance = "maintenance",
        /// An AWS call the container's own code made failed (botocore's wording, or
        /// a request to the EC2 instance metadata for anything but credentials): the
        /// task role's permissions or the software's set-up, after the task started.
        ContainerCall = "container_call",
        /// ECS Exec's managed agent could not start or connect: the task runs on, no
        /// start-up step is involved.
        Exec = "exec",
        /// The agent could not set up the task's Service Connect (its configuration,
        /// ports or platform): no start-up step of the probe's is involved.
        ServiceConnect = "service_connect",
        /// The container runtime (Docker, containerd) failed or stalled stopping,
        /// inspecting or keeping track of a container, or AWS's platform did
        /// (ContainerRuntimeError, InternalError): no start-up step's path.
        ContainerRuntime = "container_runtime",
        /// A static host port the container maps is already taken on the instance.
        HostPort = "host_port",
        /// Docker or runc refused a container setting the instance cannot honour
        /// (ulimits, CPU or memory limits, devices, a GPU runtime, dependsOn).
        ContainerConfig = "container_config",
        /// The service could not register its tasks with its load balancer's target
        /// group (another VPC, the target type, a group with no load balancer).
        LoadBalancer = "load_balancer",
    }
}

impl Stop {
    /// What it is and where to look, in one line.
    pub fn look(self) -> &'static str {
        match self {
            Stop::ApplicationExit => {
                "the essential container exited by itself: read its exitCode and reason (describe-tasks containers[]) and its log stream"
            }
            Stop::OutOfMemory => {
                "the container was killed at its memory limit: raise `memory` in the task definition or find the leak in the container's metrics and logs"
            }
            Stop::HealthCheck => {
                "a health check failed after the task started: the target group's health check settings and the container's logs, not the start-up path"
            }
            Stop::Scaling => {
                "service auto scaling or a deployment stopped a healthy task on purpose: the service's events and scaling activity"
            }
            Stop::SpotInterruption => {
                "Fargate Spot reclaimed the capacity: expected with Spot; use a FARGATE capacity provider base for tasks that must stay"
            }
            Stop::Deployment => {
                "stopped on purpose (a deployment, its circuit breaker, or StopTask): the service's events and deployments"
            }
            Stop::Entrypoint => {
                "the image started but its entrypoint cannot run: an image built for another CPU architecture (`runtimePlatform.cpuArchitecture`) or a command not in the image; on Windows, an image built for another Windows Server version than the host's (process isolation needs the same build: match the image's tag, ltsc2019 or ltsc2022, to the AMI or `runtimePlatform.operatingSystemFamily`)"
            }
            Stop::User => {
                "the image has no such user: the task definition's `user` must exist in the image's /etc/passwd (or be numeric)"
            }
            Stop::DiskFull => {
                "a disk filled up, whatever was writing (a pull unpacking layers, a container starting): the container instance's Docker volume (free or grow it: image cleanup, log rotation, a larger volume) or a Fargate task's ephemeral storage (raise `ephemeralStorage` on Linux, or use a smaller image); not a network path"
            }
            Stop::ServiceEvent => {
                "the text only says tasks failed to start (a service event, or the stop code TaskFailedToStart alone): explain the stopped tasks' own reasons (`aws ecs describe-tasks … | vpce-probe explain`)"
            }
            Stop::Instance => {
                "the container instance stopped, was terminated, drained or deregistered (ECS Managed Instances drain their instances when replacing them): its Auto Scaling group or capacity provider and EC2 events; a service starts the tasks elsewhere"
            }
            Stop::Placement => {
                "ECS could not place the task: on EC2 no container instance could take it (memory, CPU, ports, ENIs, attributes or placement constraints, an instance DRAINING or in another Availability Zone than the subnets: the cluster's capacity and the service's events); on Fargate an account quota (tasks, vCPUs, CPU or memory \"above your limit\": Service Quotas) or capacity in the Availability Zone (\"Internal error\" for a subnet in a zone Fargate does not serve: pick other subnets). Not the start-up path"
            }
            Stop::ApiRefused => {
                "the API refused the task definition or the request before any task started: fix the field its message names and register or run again; no network path is involved"
            }
            Stop::NetworkInterface => {
                "the task's network interface (awsvpc) could not be provisioned or attached: free IP addresses in the subnets, the account's network interface quota, an instance's ENI slots (`awsvpcTrunking`); run again in another subnet or Availability Zone. Not the path to AWS's endpoints (no hop of the probe runs before the interface exists)"
            }
            Stop::ContainerCall => {
                "an AWS call made by the container's own code failed after the task started: botocore's \"An error occurred (…) when calling the … operation\" (ECS's start-up steps are the agent's and Fargate's Go code, never Python), where the code in parentheses is the cause, a denial the task role's (`taskRoleArn`) to fix, a clock or token error the container's; or a request to the EC2 instance metadata (169.254.169.254) for something other than credentials, such as the instance identity document, which Fargate tasks cannot reach: software set up for EC2 must be given those values or not ask; or a request to the task metadata endpoint (169.254.170.2/v2/metadata, `$ECS_CONTAINER_METADATA_URI_V4`) or the agent's introspection API (port 51678 on the instance), which a monitoring sidecar reads: v2 serves only awsvpc tasks (bridge and host tasks read the v4 URI the agent sets in every container), a 404 is a path the endpoint does not have (the client's version), and introspection is the instance's, reachable from host-mode containers only. No start-up step failed"
            }
            Stop::Maintenance => {
                "AWS stopped the task to retire or patch the infrastructure under it (Fargate task retirement, stopCode ServiceSchedulerInitiated): a service replaces it, a standalone RunTask task must be started again; `fargateTaskRetirementWaitPeriod` sets the notice. Nothing of the task failed"
            }
            Stop::Exec => {
                "ECS Exec could not reach the container (its managed agent, ExecuteCommandAgent, which ECS mounts into every container of a task run with `enableExecuteCommand`): the task is not stopped by it and no start-up step failed. The SSM agent in the container calls Session Manager: the task role (`taskRoleArn`, not the execution role) needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, the subnet the interface endpoint com.amazonaws.<region>.ssmmessages (or a NAT), and the root filesystem must be writable; a task started without `--enable-execute-command` must be started again; on EC2 \"no valid versions were found\" means the instance's agent has no SSM binaries (update the ECS agent or AMI). Confirm the path from the subnet with `vpce-probe --check ssmmessages`, as a one-off task with the app's task role"
            }
            Stop::ServiceConnect => {
                "the ECS agent could not set up the task's Service Connect before it started: the service's `serviceConnectConfiguration` (each `portName` must name a `portMappings` entry of the task definition, no two listeners on one port, networkMode awsvpc or bridge), free ports on the instance, a Linux container instance (Windows has none), or an agent too old for the configuration ECS sent: fix the service's configuration or update the ECS agent and AMI; not the path to AWS's endpoints"
            }
            Stop::ContainerRuntime => {
                "the container runtime failed or stalled while the agent stopped, inspected or tracked a container (CannotStopContainerError, a stop that timed out, a container removed behind the agent's back or a leftover of the same name, an overlay mount), or AWS's platform did (ContainerRuntimeError, InternalError): on EC2 read the Docker daemon's and the agent's logs (`journalctl -u docker`, /var/log/ecs/ecs-agent.log) and the instance's disk and memory pressure, then restart Docker and the agent or replace the instance; on Fargate run the task again (AWS's side; AWS Support if it repeats). Not a network path"
            }
            Stop::HostPort => {
                "a static host port the container maps is already taken on the container instance (another task of the same definition, another service, or a process ECS does not know): use dynamic host ports (`hostPort` 0 in bridge mode, with the target group's dynamic port mapping) or networkMode awsvpc, or keep such tasks apart (`distinctInstance`); find the holder with `ss -ltnp` or `docker ps` on the instance. Not a network path"
            }
            Stop::ContainerConfig => {
                "Docker or runc refused a container setting this instance cannot honour: `ulimits` above the instance's hard limits, a container's `cpu` above the task's, `memory` or `memoryReservation` below Docker's 6 MiB, a `linuxParameters.devices` path not on the instance, a GPU task on an instance without the NVIDIA runtime (use the ECS GPU-optimized AMI with ECS_ENABLE_GPU_SUPPORT), or `dependsOn` that cannot be met: fix the task definition field or the instance. Not a network path"
            }
            Stop::LoadBalancer => {
                "the service could not register its tasks with its target group: the target group must be in the tasks' VPC, of target type `ip` for awsvpc tasks (`instance` for bridge and host), and attached to a load balancer listener; fix the service's `loadBalancers` or the target group. Not the start-up path"
            }
            Stop::Volume => {
                "a volume of the task could not be created or filled: the image's VOLUME instructions (not supported on Windows Fargate), a Docker volume driver or plugin, or copying the image's files into it; not a network path"
            }
        }
    }
}

/// One recognised failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub need: Need,
    /// The endpoint service the need goes to (`ecr.api`, `ssm`, …), when known.
    pub service: Option<&'static str>,
    /// The hop that shows it when the probe runs.
    pub hop: Option<HopKind>,
    pub code: Code,
    pub hint: String,
    /// The `vpce-probe` arguments that confirm it from the subnet (without the binary).
    pub confirm: Vec<String>,
}

/// What one reason text says.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Where the text came from: `text`, or `task <id>` / `task <id> container <name>`.
    pub source: String,
    /// The text as read, scrubbed of anything credential-like, at most 1024 characters.
    pub text: String,
    /// How often this reason occurred in the input.
    pub count: u64,
    /// The text ends cut (the console's "…", the agent's limits, an empty tail).
    pub truncated: bool,
    pub need: Option<Need>,
    pub service: Option<&'static str>,
    pub host: Option<String>,
    pub address: Option<String>,
    pub image: Option<String>,
    pub region: Option<String>,
    /// Not a start-up failure: what kind of stop it is.
    pub stop: Option<Stop>,
    /// Empty: no cause recognised (the text says so, not a guess).
    pub findings: Vec<Finding>,
    /// When the need is known but its cause is not (cut off, or words explain does not
    /// know): the causes to suspect, most likely first.
    pub candidates: Vec<Finding>,
}

/// Input texts are cut here: real reasons are at most 1024 bytes (the agent's limit);
/// pasted logs may be longer, but a cause is not past this.
const MAX_TEXT: usize = 16 * 1024;

/// Every reason in `input` (see [`input::read`]), explained.
pub fn explain_input(input: &str) -> Vec<Explanation> {
    explain_reading(&input::read(input))
}

pub fn explain_reading(reading: &Reading) -> Vec<Explanation> {
    reading
        .reasons
        .iter()
        .map(|r| {
            let mut e = explain(&r.source, &r.text);
            e.count = r.count;
            e
        })
        .collect()
}

pub fn explain(source: &str, raw: &str) -> Explanation {
    let text = cut(raw.trim(), MAX_TEXT);
    let lower = text.to_ascii_lowercase();
    let chain = grammar::parse(text);
    let mut facts = Facts::read(text);
    facts.runbook = runbook_of(&lower);
    facts.sidecar = facts.image.as_deref().and_then(sidecars::note);
    // The stop the text words, read once: it also keeps a text from being the
    // container's credentials.
    let worded_stop = stop_of(&lower);
    facts.credentials_not_taken = credentials_not_taken(&lower, worded_stop.is_some());
    let truncated = is_truncated(text) || chain.empty_tail || chain.open_quote;
    let stop = if refused_by_api(&lower) && !agent_registration(&lower) {
        Some(Stop::ApiRefused)
    } else {
        worded_stop.or_else(|| {
            ((is_container_call(&lower) && !facts.credentials_not_taken)
                || asks_instance_metadata(&lower))
            .then_some(Stop::ContainerCall)
        })
    };
    // The API's refusal starts nothing; a full disk stops the pull, but no step's path:
    // the issue's "not a start-up path failure", named as its kind of stop with where
    // to look, whatever step was writing when it filled.
    let (need, service) = if matches!(
        stop,
        Some(Stop::ApiRefused | Stop::DiskFull | Stop::ContainerCall | Stop::Exec)
    ) || (matches!(
        stop,
        Some(Stop::ContainerRuntime | Stop::HostPort | Stop::ContainerConfig)
    ) && !names_a_start_up_step(&lower))
    {
        (None, None)
    } else if let Some(f) = facts.runbook.filter(|_| stop.is_none()) {
        (Some(f.need), Some(f.service))
    } else {
        need_of(&lower, &chain, &facts, stop)
    };
    facts.combined_step = need == Some(Need::RegistryAuth)
        && lower.contains(vocabulary::SECRETS_OR_REGISTRY_AUTH)
        && !names_a_step(&lower);
    let mut e = Explanation {
        source: source.to_string(),
        text: crate::secret::scrub_reason(text, 1024),
        count: 1,
        truncated,
        need,
        service,
        host: facts.host.clone(),
        address: facts.address.map(|a| a.to_string()),
        image: facts.image.clone(),
        region: facts.region.clone(),
        stop: None,
        findings: Vec::new(),
        candidates: Vec::new(),
    };
    let Some(need) = need else {
        e.stop = stop;
        return e;
    };
    let mut service = service.unwrap_or("ecr.dkr");
    let mut need = need;
    let mut signs = vocabulary::Signs {
        combined: facts.combined_step,
        retries: chain.retries,
        answered: lower.contains("unexpected status")
            || lower.contains("check whether the secret exists")
            || (facts.foreign_registry && registry_answered(&lower)),
        blob: lower.contains("httpreadseeker") || lower.contains("httpreaderseeker"),
        exit_status: exit_status(&lower),
        unpack: [
            "failed to register layer",
            "applylayer",
            "failed to extract layer",
        ]
        .iter()
        .any(|w| lower.contains(w)),
        foreign: facts.foreign_registry,
        aws_image: facts.sidecar.is_some(),
    };
    let refused = ecr_refused_pull(&lower, &facts);
    if refused {
        (need, service, signs.answered) = (Need::RegistryAuth, "ecr.api", true);
        e.need = Some(need);
        e.service = Some(service);
    }
    let hit = if let Some(f) = facts.runbook {
        Some(runbook::code(f))
    } else if refused && facts.dual_stack {
        // An agent that predates ECR's dual-stack names sends no token to them.
        Some(code!("config.dual_stack"))
    } else if refused {
        Some(code!("registry.unauthorized")).filter(|c| shows(&lower, *c))
    } else {
        symptom(&lower, &chain, need, service, &facts)
    };
    match hit {
        Some(code) => e.findings.push(finding(code, need, service, text, &facts)),
        None if signs.combined => {
            e.candidates = vocabulary::COMBINED
                .iter()
                .map(|(need, service, code)| finding(*code, *need, service, text, &facts))
                .collect();
        }
        None => {
            e.candidates = vocabulary::candidates(need, service, signs)
                .into_iter()
                .map(|c| finding(c, need, service, text, &facts))
                .collect();
        }
    }
    if facts.foreign_registry || facts.image_outside_ecr() {
        // No VPC endpoint serves a registry outside ECR private: the pull has no
        // endpoint service to name (its hints still say where the path must go).
        let ecr = |s: Option<&'static str>| s.filter(|s| *s != "ecr.dkr");
        e.service = ecr(e.service);
        for f in e.findings.iter_mut().chain(e.candidates.iter_mut()) {
            f.service = ecr(f.service);
        }
    }
    e
}

/// Docker's "pull access denied for <repo>, repository does not exist or may require
/// 'docker login'" is its answer to a registry that refused the request (`denied`,
/// `unauthorized` or `name unknown`); newer daemons append the registry's own words
/// after a colon (tests/fixtures/explain/agent-wordings.md §9). For
/// an ECR private repository with nothing after it, the pull carried no token ECR took:
/// the agent's GetAuthorizationToken path, not a public registry and not the network.
fn ecr_refused_pull(lower: &str, facts: &Facts) -> bool {
    // docker's words, and containerd's ("pull access denied, repository does not exist
    // or may require authorization: <the registry's answer>", remotes/docker).
    let (marker, end) = if lower.contains("pull access denied for ") {
        ("pull access denied for ", "docker login'")
    } else {
        ("pull access denied, ", "may require authorization")
    };
    let Some(at) = lower.find(marker) else {
        return false;
    };
    let ecr = facts.dual_stack
        || facts
            .image
            .as_deref()
            .or(facts.host.as_deref())
            .is_some_and(|h| h.contains(".dkr.ecr."));
    let tail = lower[at..]
        .split_once(end)
        .map(|(_, t)| t.trim_matches(|c: char| c.is_whitespace() || ":.\"'".contains(c)))
        // containerd's own lead-in to the registry's answer, which may be cut.
        .map(|t| {
            t.strip_prefix("authorization failed")
                .map_or(t, |r| r.trim_start_matches([':', ' ']))
        })
        .map(|t| if t.starts_with("no basic au") { "" } else { t });
    // ECR's own words for a token it no longer takes ("denied: Your authorization token
    // has expired. Reauthenticate and try again.") are the same path, named.
    let token = tail.is_some_and(|t| t.is_empty() || shows(t, code!("registry.unauthorized")));
    ecr && !facts.foreign_registry && token
}

/// The innermost operation the vocabulary knows names the need; else the error name;
/// else a registry host in the text means an image pull.
fn need_of(
    lower: &str,
    chain: &grammar::Chain,
    facts: &Facts,
    stop: Option<Stop>,
) -> (Option<Need>, Option<&'static str>) {
    let innermost = |words: &[(&str, Need, &'static str)]| {
        words
            .iter()
            .filter_map(|(p, need, svc)| lower.rfind(p).map(|at| (at, p.len(), *need, *svc)))
            .max_by_key(|(at, len, ..)| (*at, *len))
    };
    // The agent's own pause image (for the awsvpc network namespace, pidMode/ipcMode
    // namespaces, Service Connect) is loaded from the agent's tarball, never pulled: a
    // pull or create of it is the agent's, whatever the pull words say. A stop (its
    // network interface, an exit) keeps its own kind.
    if stop.is_none() && shows(lower, code!("agent.pause_image")) {
        return (Some(Need::Agent), Some(vocabulary::DOCKER));
    }
    if let Some((_, _, need, svc)) = innermost(vocabulary::OPERATIONS) {
        let svc = if need == Need::ImagePull && facts.s3_host {
            "s3"
        } else if need == Need::Logs {
            router_destination(facts).unwrap_or(svc)
        } else {
            svc
        };
        return (Some(need), Some(svc));
    }
    // The agent's own lines, a gMSA credential spec's and a log router's, only where
    // nothing else is named.
    if stop.is_none() {
        if let Some((.., svc)) = innermost(vocabulary::CREDENTIAL_SPEC)
            && credential_spec_failed(lower)
        {
            // The row's own service when it says one (the daemon, the domainless user's
            // secret, the SSM parameter); the agent's other words, by what they name.
            let svc = if svc == "s3" {
                credential_spec_service(lower, facts)
            } else {
                svc
            };
            return (Some(Need::CredentialSpec), Some(svc));
        }
        if let Some((_, _, need, svc)) = innermost(vocabulary::AGENT_LINES) {
            return (Some(need), Some(svc));
        }
        // Fluent Bit's errors and warnings, not its debug lines (a keepalive dropped);
        // its Go output plugins log through logrus.
        let serious = [
            "[error] ",
            "[ warn] ",
            "[warn] ",
            "level=error",
            "level=warn",
            "level=fatal",
        ]
        .iter()
        .any(|l| lower.contains(l));
        let router = vocabulary::ROUTER_LINES.iter().any(|w| lower.contains(w));
        if serious
            && router
            && let Some(svc) = router_output(lower, facts)
        {
            return (Some(Need::Logs), Some(svc));
        }
        if serious && let Some(svc) = go_output_plugin(lower) {
            return (Some(Need::Logs), Some(svc));
        }
        // Its pipeline's plugins failing: the cause row's own words.
        if serious && shows(lower, code!("logs.router_pipeline")) {
            return (
                Some(Need::Logs),
                Some(router_output(lower, facts).unwrap_or("logs")),
            );
        }
    }
    // RunTask's and StartTask's `failures[].reason` for a container instance whose
    // agent is not connected is the bare word (AWS's "API failure reasons" page).
    if lower.trim() == "agent" {
        return (Some(Need::Agent), Some("ecs"));
    }
    if stop.is_none() && facts.credentials_not_taken {
        return (Some(Need::Agent), Some(vocabulary::CREDENTIALS));
    }
    // The task metadata endpoint that did not answer (an answer is the container's own
    // call, read as a stop before this): the agent that serves it.
    if stop.is_none() && asks_task_metadata(lower) {
        return (Some(Need::Agent), Some(vocabulary::METADATA));
    }
    if let Some((_, _, need, svc)) = innermost(vocabulary::CALLS) {
        return (Some(need), Some(svc));
    }
    // Fargate's outer step alone (the console cuts here): it fetches the registry token
    // for every ECR image and the secrets only when the task has some, so registry auth
    // is the need every such task has; the confirm runs the whole task definition.
    if lower.contains(vocabulary::SECRETS_OR_REGISTRY_AUTH) {
        return (Some(Need::RegistryAuth), Some("ecr.api"));
    }
    // The agent's per-secret error on EC2 names the secret and the SDK's error, no step
    // ("secret arn:aws:secretsmanager:…: InvalidRequestException: …", asm.go).
    if !facts.secret_arns.is_empty() {
        return (Some(Need::Secrets), Some("secretsmanager"));
    }
    let by_name = chain.error_name.and_then(|n| {
        let n = n.to_ascii_lowercase();
        vocabulary::ERROR_NAMES
            .iter()
            .find(|(name, _)| *name == n)
            .and_then(|(_, need)| *need)
    });
    if let Some(need) = by_name {
        return (Some(need), Some(default_service(need, facts)));
    }
    // What the text names says which step it was: a host's or an ARN's service.
    // The layer bucket, named by a host, an ARN or Fargate's redaction of its URL.
    if facts.s3_host {
        return (Some(Need::ImagePull), Some("s3"));
    }
    if let Some((need, svc)) = facts.host.as_deref().and_then(|h| by_host(h, facts)) {
        return (Some(need), Some(svc));
    }
    if let Some((need, svc)) = by_arn(lower) {
        return (Some(need), Some(svc));
    }
    let need = stop.is_none().then(|| by_cause(lower)).flatten();
    (need, need.map(|n| default_service(n, facts)))
}

/// The agent's own line about ECS (its registration, its poll endpoint): ECS's
/// ClientException there is the agent's need, not a caller's request refused.
fn agent_registration(lower: &str) -> bool {
    vocabulary::AGENT_LINES
        .iter()
        .filter(|(_, need, svc)| *need == Need::Agent && *svc == "ecs")
        .any(|(p, ..)| lower.contains(p))
}

/// The API's refusal, as a whole word (the Java SDK's `SdkClientException` is no
/// ClientException of ECS's).
fn refused_by_api(lower: &str) -> bool {
    // The caller's own SDK refusing a task definition before sending it (aws-sdk-js v2's
    // ParamValidator: "UnexpectedParameter: Unexpected key '%s' found in %s"; botocore's
    // ParamValidationError: "Parameter validation failed: Unknown parameter in …"): an
    // SDK older than the field. The same words from an application's own call are not.
    let sdk_refused = ["unexpectedparameter", "parameter validation failed"]
        .iter()
        .any(|w| lower.contains(w))
        && ["containerdefinitions", "taskdefinition", "task definition"]
            .iter()
            .any(|w| lower.contains(w));
    sdk_refused
        || vocabulary::API_REFUSED.iter().any(|w| {
            lower.match_indices(w).any(|(at, _)| {
                !lower[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
            })
        })
}

/// The step a host belongs to, by its service: the ECS agent's own endpoints
/// (`ecs-a-*` for ACS, `ecs-t-*` for telemetry, `ecs.<region>`), the secrets' and logs'
/// services, ECR's API; an image's registry otherwise.
fn by_host(host: &str, facts: &Facts) -> Option<(Need, &'static str)> {
    let first = host.split('.').next().unwrap_or("");
    Some(match first {
        "secretsmanager" => (Need::Secrets, "secretsmanager"),
        "ssm" => (Need::Secrets, "ssm"),
        "logs" => (Need::Logs, "logs"),
        "api" if host.starts_with("api.ecr.") || host.starts_with("api.ecr-fips.") => {
            (Need::RegistryAuth, "ecr.api")
        }
        "ecr" if host.ends_with(".api.aws") => (Need::RegistryAuth, "ecr.api"),
        "ecs" => (Need::Agent, "ecs"),
        _ if first.starts_with("ecs-a-") || first.starts_with("ecs-t-") => (Need::Agent, "ecs"),
        _ if host.contains(".efs.") || host.contains(".efs-fips.") => (Need::Volumes, "efs"),
        // Another AWS service's endpoint (STS, IAM, KMS, CloudWatch, …) is no start-up
        // step's and no registry's.
        _ if OTHER_SERVICES.contains(&first) && is_aws_host(host) => return None,
        _ => (Need::ImagePull, default_service(Need::ImagePull, facts)),
    })
}

/// The AWS service a log router's line is about: its AWS output plugin
/// (`[output:kinesis_firehose:…]`, …) or the AWS endpoint it dialled. `None` for any
/// other destination (a fluentd aggregator, an OpenTelemetry collector, Elasticsearch):
/// no VPC endpoint serves those.
fn router_output(lower: &str, facts: &Facts) -> Option<&'static str> {
    let plugins = [
        ("output:kinesis_firehose", "firehose"),
        ("output:firehose", "firehose"),
        ("output:kinesis_streams", "kinesis"),
        ("output:kinesis", "kinesis"),
        ("output:s3", "s3"),
        ("output:cloudwatch_logs", "logs"),
        ("output:cloudwatch", "logs"),
    ];
    plugins
        .iter()
        .find(|(p, _)| lower.contains(p))
        .map(|(_, s)| *s)
        .or_else(|| router_destination(facts))
        .or_else(|| {
            let host = facts.host.as_deref()?;
            (host.starts_with("logs.") && is_aws_host(host)).then_some("logs")
        })
}

/// The AWS service of aws-for-fluent-bit's Go output plugins, by the tag each puts
/// before its messages (aws/amazon-kinesis-firehose-for-fluent-bit "[firehose %d] …",
/// amazon-kinesis-streams-for-fluent-bit "[kinesis %d] …",
/// amazon-cloudwatch-logs-for-fluent-bit "[cloudwatch %d] …", the plugin's instance
/// number; "[firehose] …" before it had one): the FireLens router's call to that
/// service with the task role.
fn go_output_plugin(lower: &str) -> Option<&'static str> {
    [
        ("[firehose", "firehose"),
        ("[kinesis", "kinesis"),
        ("[cloudwatch", "logs"),
    ]
    .into_iter()
    .find(|(tag, _)| {
        lower.match_indices(tag).any(|(at, _)| {
            let rest = &lower[at + tag.len()..];
            rest.starts_with("] ")
                || rest
                    .strip_prefix(' ')
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        })
    })
    // The plugins' own calls and their give-up, so an application's "[kinesis]" tag is
    // not one (amazon-kinesis-*-for-fluent-bit, amazon-cloudwatch-logs-for-fluent-bit).
    .filter(|_| {
        [
            "putrecordbatch",
            "putrecords",
            "putlogevents",
            "createlogstream",
            "createloggroup",
            "describelogstreams",
            "timeout threshold reached",
        ]
        .iter()
        .any(|w| lower.contains(w))
    })
    .map(|(_, svc)| svc)
}

/// The AWS service a log router's output dialled, when the text names its endpoint
/// (Fluent Bit's `kinesis_streams`, `kinesis_firehose` and `s3` outputs): a missing
/// endpoint or a dropped 443 is that service's, not CloudWatch Logs'.
fn router_destination(facts: &Facts) -> Option<&'static str> {
    let host = facts.host.as_deref().filter(|h| is_aws_host(h))?;
    match host.split('.').next()? {
        "kinesis" => Some("kinesis"),
        "firehose" => Some("firehose"),
        "s3" => Some("s3"),
        _ => None,
    }
}

/// AWS services whose endpoint names (`<service>.<region>.amazonaws.com`) no start-up
/// step calls: the container's own calls.
const OTHER_SERVICES: &[&str] = &[
    "sts",
    "iam",
    "kms",
    "monitoring",
    "sns",
    "sqs",
    "dynamodb",
    "lambda",
    "events",
    "states",
    "ec2",
    "elasticloadbalancing",
    "autoscaling",
    "cloudformation",
    "route53",
    "xray",
    "ssmmessages",
    "ec2messages",
    "firehose",
    "kinesis",
    // App Mesh's Envoy management service and Cloud Map: the Envoy sidecar's and
    // Service Connect's calls after the start, no start-up step's.
    "appmesh-envoy-management",
    "appmesh",
    "servicediscovery",
    "data-servicediscovery",
];

/// A name in AWS's own domains.
fn is_aws_host(host: &str) -> bool {
    [".amazonaws.com", ".amazonaws.com.cn", ".api.aws"]
        .iter()
        .any(|d| host.ends_with(d))
}

/// The step an ARN in the text belongs to, when nothing else named one: a log group,
/// an SSM parameter, an ECR repository, an EFS file system.
fn by_arn(lower: &str) -> Option<(Need, &'static str)> {
    [
        ("arn:aws:logs:", Need::Logs, "logs"),
        ("arn:aws:ssm:", Need::Secrets, "ssm"),
        ("arn:aws:ecr:", Need::ImagePull, "ecr.dkr"),
        ("arn:aws:elasticfilesystem:", Need::Volumes, "efs"),
    ]
    .into_iter()
    .find(|(arn, ..)| lower.contains(arn))
    .map(|(_, need, svc)| (need, svc))
}

/// The last resort: a cause only one step produces names that step (the caller asks
/// only when the text is no stop of its own kind).
fn by_cause(lower: &str) -> Option<Need> {
    vocabulary::BY_CAUSE
        .iter()
        .find(|(code, _)| shows(lower, *code))
        .map(|(_, need)| *need)
}

fn default_service(need: Need, facts: &Facts) -> &'static str {
    match need {
        Need::RegistryAuth => "ecr.api",
        Need::Secrets => "secretsmanager",
        Need::EnvFiles => "s3",
        Need::Logs => "logs",
        Need::Agent => "ecs",
        Need::Volumes => "efs",
        Need::ImagePull if facts.s3_host => "s3",
        Need::ImagePull => "ecr.dkr",
        Need::CredentialSpec => "s3",
    }
}

/// Words of a failure in a line of a sidecar's or the agent's own log (a success or
/// start-up line names the same endpoints and files).
fn says_it_failed(lower: &str) -> bool {
    [
        "error",
        "fail",
        "unable",
        "could not",
        "cannot",
        "refused",
        "timeout",
        "timed out",
        "returned http status 4",
        "returned http status 5",
        "eof",
        "not found",
        "invalid",
        "unsupported",
        "no such",
        "not available",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A credential spec's words in a failure: the daemon's own start ("Server listening
/// on …credentials_fetcher.sock") is none, and an SSM parameter is the agent's only in
/// its own sentence ("… is in an invalid format").
fn credential_spec_failed(lower: &str) -> bool {
    let failed = says_it_failed(lower);
    let ssm_phrase = lower.contains("the provided ssm parameter:");
    failed && (!ssm_phrase || lower.contains("is in an invalid format"))
}

/// Where the agent fetched a gMSA credential spec from, by what the text names: an
/// SSM parameter, the domainless user's Secrets Manager secret, the host's daemon, or
/// (the default, the only other ARN the agent takes) an S3 object.
fn credential_spec_service(lower: &str, facts: &Facts) -> &'static str {
    let daemon = vocabulary::CREDENTIAL_SPEC
        .iter()
        .any(|(p, _, svc)| *svc == vocabulary::GMSA_DAEMON && lower.contains(p));
    if daemon {
        vocabulary::GMSA_DAEMON
    } else if lower.contains("arn:aws:ssm:")
        || lower.contains("ssm parameter")
        || lower.contains("operation error ssm")
    {
        "ssm"
    } else if !facts.secret_arns.is_empty()
        || lower.contains("gmsa user")
        || lower.contains("gmsa ad user")
    {
        "secretsmanager"
    } else {
        "s3"
    }
}

/// Whether the text names a start-up step other than the agent's own state changes
/// (an operation, or an error name that says its step): the runtime's and the host's
/// words beside it (a hook that carried the log driver's error, a container gone
/// while the pull failed) do not replace that step's need.
fn names_a_start_up_step(lower: &str) -> bool {
    vocabulary::OPERATIONS
        .iter()
        .any(|(p, need, _)| *need != Need::Agent && lower.contains(p))
        || vocabulary::ERROR_NAMES
            .iter()
            .any(|(name, need)| need.is_some_and(|n| n != Need::Agent) && lower.contains(name))
}

/// Whether the text names any start-up step the vocabulary knows.
fn names_a_step(lower: &str) -> bool {
    vocabulary::OPERATIONS
        .iter()
        .any(|(p, ..)| lower.contains(p))
}

/// Actions signed with an EC2 instance's role by something other than the task's
/// software: ECS's start-up steps on EC2 without an execution role (the pull, the
/// awslogs driver), the steps whose role a text may misname (secrets, env files and
/// layers from S3, EFS, KMS), the agent's own calls (ECS, EC2 tags), and the instance's
/// own daemons (the SSM agent, the CloudWatch agent's metrics).
const INSTANCE_ROLE_ACTIONS: &[&str] = &[
    "ecr:",
    "logs:",
    "ecs:",
    "ec2:",
    "ssm:updateinstanceinformation",
    "ssmmessages:",
    "ec2messages:",
    "cloudwatch:putmetricdata",
    "elasticfilesystem:",
    "s3:getobject",
    "secretsmanager:getsecretvalue",
    "ssm:getparameter",
    "kms:decrypt",
    "sts:getservicebearertoken",
];

/// The ECS agent's own start and its own calls on an EC2 instance ("Unable to
/// initialize new task engine", "Unable to register as a container instance", "Unable to
/// discover poll endpoint"), which read the instance's metadata and sign with the
/// instance's role themselves.
const AGENT_OWN: &[&str] = &[
    "container instance",
    "task engine",
    "ecs agent",
    "ecs-agent",
    "poll endpoint",
    "infer region",
];

/// Whether the text is software in the container that could not get the task role's
/// credentials, told by AWS's answer alone: a call signed by an EC2 instance's role
/// (its session is the instance id, `assumed-role/<role>/i-…`) — in botocore's words
/// for any action (Python is the container's), otherwise for an action nothing else
/// on the instance signs with that role — or a request AWS got unsigned
/// (MissingAuthenticationToken) or signed with keys it does not know
/// (InvalidClientTokenId). Never where the text names a step, an agent error, a stop,
/// or the agent's own start.
fn credentials_not_taken(lower: &str, worded_stop: bool) -> bool {
    // Start-up steps' words the step vocabulary does not hold (the awslogs driver's,
    // the ECR token's, a volume plugin's, the agent's per-secret form).
    let elsewhere = [
        "log events",
        "awslogs",
        "authorization token",
        "registry credentials",
        "volumedriver",
        "secret arn:",
    ];
    if names_a_failure(lower)
        || worded_stop
        || AGENT_OWN
            .iter()
            .chain(&elsewhere)
            .any(|w| lower.contains(w))
    {
        return false;
    }
    instance_role_call(lower)
        || lower.contains("missingauthenticationtoken")
        || lower.contains("invalidclienttokenid")
}

/// A call signed by an EC2 instance's role that only software in a task makes (see
/// [`credentials_not_taken`]).
fn instance_role_call(lower: &str) -> bool {
    let d = denial::read(lower);
    let instance = d
        .principal
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|session| session.strip_prefix("i-"))
        .is_some_and(|id| id.len() >= 7 && id.chars().all(|c| c.is_ascii_hexdigit() || c == 'x'));
    let python = lower.contains("an error occurred (") && lower.contains(" operation");
    // An action others sign with that role; none named leaves the text's own words
    // (the agent's and the daemons' are kept out by the caller).
    let others = d
        .action
        .as_deref()
        .is_some_and(|a| INSTANCE_ROLE_ACTIONS.iter().any(|p| a.starts_with(p)));
    instance && (python || !others)
}

/// A request to the EC2 instance metadata for anything but credentials (aws-sdk-go's
/// ec2metadata client: "EC2MetadataRequestError: failed to get EC2 instance identity
/// document", a GET of /latest/dynamic/instance-identity/document or of
/// /latest/meta-data/<item>) outside any step's words: the container's own software
/// asking about the instance; ECS's start-up steps never do.
fn asks_instance_metadata(lower: &str) -> bool {
    (lower.contains("169.254.169.254") || lower.contains("ec2metadata"))
        && [
            "instance-identity",
            "instance identity document",
            "/latest/meta-data/",
        ]
        .iter()
        .any(|w| lower.contains(w))
        && !lower.contains("credential")
        && !names_a_step(lower)
        // The agent's own start on EC2 reads the instance's metadata too ("Unable to
        // initialize new task engine", "Unable to register as a container instance").
        && !AGENT_OWN.iter().any(|w| lower.contains(w))
        || (asks_task_metadata(lower) && !unreached(lower))
}

/// No answer came back: a transport failure the text shows, or Go's EOF for a
/// connection closed before any response.
fn unreached(lower: &str) -> bool {
    TRANSPORT.iter().any(|c| shows(lower, *c))
        || lower.trim_end().ends_with(": eof")
        || ["connection error", "broken connection", "failed to connect"]
            .iter()
            .any(|w| lower.contains(w))
}

/// A request to the task metadata endpoint (169.254.170.2's /v2/metadata and
/// /v2/stats, `$ECS_CONTAINER_METADATA_URI` /v3 and /v4) or to the agent's introspection
/// API on the instance (port 51678, /v1/metadata): the container's software (a
/// monitoring sidecar) asking about its task after the start. ECS's start-up steps
/// take only credentials from 169.254.170.2 (/v2/credentials). An answer (a 404, a
/// body the client cannot parse) is the client's; no answer is the agent's, which
/// serves the endpoint (see [`need_of`]).
fn asks_task_metadata(lower: &str) -> bool {
    // The endpoints' addresses and paths are the cause row's words.
    let metadata = shows(lower, code!("agent.task_metadata"));
    // A line that fetched it is no failure.
    let failed = says_it_failed(lower);
    metadata && failed && !lower.contains("credential") && !names_a_step(lower)
}

/// botocore's ClientError ("An error occurred (<code>) when calling the <op>
/// operation: …") outside any start-up step's words: Python made the call, and ECS's
/// start-up steps are Go (the agent, Fargate; efs-utils' own Python calls come inside
/// its step's words). A call to ECS's own API is a caller's, not the container's.
fn is_container_call(lower: &str) -> bool {
    let Some(op) = lower
        .split_once("an error occurred (")
        .and_then(|(_, rest)| rest.split_once(" when calling the "))
        .and_then(|(_, rest)| rest.split_once(" operation"))
        .map(|(op, _)| op)
    else {
        return false;
    };
    // ECS's API operations (its API reference): an operator's or a tool's call.
    const ECS_API: &[&str] = &[
        "createcapacityprovider",
        "createcluster",
        "createservice",
        "createtaskset",
        "deleteaccountsetting",
        "deleteattributes",
        "deletecapacityprovider",
        "deletecluster",
        "deleteservice",
        "deletetaskdefinitions",
        "deletetaskset",
        "deregistercontainerinstance",
        "deregistertaskdefinition",
        "describecapacityproviders",
        "describeclusters",
        "describecontainerinstances",
        "describeservicedeployments",
        "describeservicerevisions",
        "describeservices",
        "describetaskdefinition",
        "describetasks",
        "describetasksets",
        "discoverpollendpoint",
        "executecommand",
        "gettaskprotection",
        "listaccountsettings",
        "listattributes",
        "listclusters",
        "listcontainerinstances",
        "listservicedeployments",
        "listservices",
        "listservicesbynamespace",
        "listtagsforresource",
        "listtaskdefinitionfamilies",
        "listtaskdefinitions",
        "listtasks",
        "putaccountsetting",
        "putaccountsettingdefault",
        "putattributes",
        "putclustercapacityproviders",
        "registercontainerinstance",
        "registertaskdefinition",
        "runtask",
        "starttask",
        "stopservicedeployment",
        "stoptask",
        "submitattachmentstatechanges",
        "submitcontainerstatechange",
        "submittaskstatechange",
        "tagresource",
        "untagresource",
        "updatecapacityprovider",
        "updatecluster",
        "updateclustersettings",
        "updatecontaineragent",
        "updatecontainerinstancesstate",
        "updateservice",
        "updateserviceprimarytaskset",
        "updatetaskprotection",
        "updatetaskset",
    ];
    !ECS_API.contains(&op) && !names_a_failure(lower)
}

fn stop_of(lower: &str) -> Option<Stop> {
    // runc before 1.1 words a task's mount from its rootfs set-up (rootfs_linux.go:
    // "mounting \"<src>\" to rootfs \"…\" at \"<dest>\" caused …") inside "starting
    // container process caused": the task's volume, before the entrypoint's words; its
    // own mounts (proc, sysfs, cgroups, devices, resolv.conf, ECS Exec's agent) are not.
    // The console cuts a reason at 255 characters, often inside the source's name,
    // before " to rootfs ": a source that is no runtime path (nor the start of one) is
    // the task's.
    if lower.contains("rootfs_linux.go")
        && mounted_source(lower).is_some_and(|src| !runtime_mount(src))
    {
        return Some(Stop::Volume);
    }
    // A wrapper that only says the task failed ("Task failed to start - <reason>", a
    // workflow engine's or Batch's words) yields to the agent's error or the step it
    // quotes; so does ECS Exec, which never stops a task.
    // The task's interface failing in the agent's bridge plugin (leaked veths, a name
    // in use) is the agent's set-up on the instance, not the subnet's capacity.
    // The runtime's and the host's words in a log line the agent or the daemon wrote
    // at info or debug level are its routine (a container already removed, a graceful
    // kill), no failure.
    let routine = ["level=info", "level=debug", "[info]", "[ info]", "[debug]"]
        .iter()
        .any(|w| lower.contains(w))
        && ![
            "level=error",
            "level=warn",
            "level=fatal",
            "[error]",
            "[warn]",
            "[critical]",
        ]
        .iter()
        .any(|w| lower.contains(w));
    let yields = |s: Stop| {
        (matches!(s, Stop::ServiceEvent | Stop::Exec) && names_a_failure(lower))
            || (s == Stop::NetworkInterface && shows(lower, code!("agent.task_network")))
            || (matches!(
                s,
                Stop::ContainerRuntime | Stop::HostPort | Stop::ContainerConfig
            ) && routine)
    };
    vocabulary::STOPS
        .iter()
        .filter(|(p, _)| lower.contains(p))
        .map(|(_, s)| *s)
        .find(|s| !yields(*s))
        .or_else(|| bare_code(lower))
}

/// The source runc's rootfs set-up was mounting ("mounting \"<src>\" to rootfs"), its
/// quotes and escapes off.
fn mounted_source(lower: &str) -> Option<&str> {
    let (_, rest) = lower.split_once("mounting ")?;
    let src = rest.trim_start_matches(['\\', '"']);
    src.split(['\\', '"', ' ']).next().filter(|s| !s.is_empty())
}

/// A mount runc or the engine makes for every container, whatever the task says.
fn runtime_mount(src: &str) -> bool {
    [
        "proc", "sysfs", "mqueue", "cgroup", "devpts", "tmpfs", "shm",
    ]
    .contains(&src)
        || [
            "/dev/",
            "/etc/resolv.conf",
            "/etc/hostname",
            "/etc/hosts",
            "/proc",
            "/sys",
        ]
        .iter()
        .any(|p| src.starts_with(p))
        // The engine's own files for the container (its resolv.conf, hosts), not its
        // named volumes (/var/lib/docker/volumes).
        || src.starts_with("/var/lib/docker/containers/")
        // A source cut inside one of those paths.
        || (src.len() >= 5
            && [
                "/etc/resolv.conf",
                "/etc/hostname",
                "/etc/hosts",
                "/var/lib/docker/containers/",
                "/var/lib/ecs/deps/execute-command",
            ]
            .iter()
            .any(|p| p.starts_with(src)))
        || src.contains("managed-agents")
        || src.contains("execute-command")
}

/// Whether the text names a start-up step or one of the agent's error names.
fn names_a_failure(lower: &str) -> bool {
    names_a_step(lower)
        || vocabulary::ERROR_NAMES
            .iter()
            .any(|(name, _)| lower.contains(name))
}

/// The runbook's finding, when the text is one of its findings and not a stopped
/// reason that merely sits beside one (a reason's step or error name is read first).
fn runbook_of(lower: &str) -> Option<runbook::Finding> {
    runbook::read(lower).filter(|_| !names_a_failure(lower))
}

/// A code alone, as a console column or an API field shows it: RunTask's
/// `failures[].reason` and DescribeTasks' "TaskFailedToStart: <reason>" for a task ECS
/// could not place (one code in capitals: `ATTRIBUTE`, `RESOURCE:…`, `LOCATION`, `NO
/// ACTIVE INSTANCES`; AWS's "API failure reasons" page; `AGENT` is the agent's own need,
/// which `need_of` reads), or a task's `stopCode` (the API's TaskStopCode enum; AWS's
/// task state change event pairs TerminationNotice with "Your Spot Task was
/// interrupted.").
fn bare_code(lower: &str) -> Option<Stop> {
    let code = lower.trim().trim_end_matches(':').trim();
    let code = code
        .strip_prefix("taskfailedtostart:")
        .unwrap_or(code)
        .trim();
    Some(match code {
        "attribute" | "no active instances" | "location" | "draining" => Stop::Placement,
        _ if code.starts_with("resource:") => Stop::Placement,
        // The container instance deregistered, or not found in the cluster named.
        "inactive" | "missing" => Stop::Instance,
        "spotinterruption" | "terminationnotice" => Stop::SpotInterruption,
        "serviceschedulerinitiated" | "userinitiated" => Stop::Deployment,
        "essentialcontainerexited" => Stop::ApplicationExit,
        "taskfailedtostart" => Stop::ServiceEvent,
        "internalerror" | "containerruntimeerror" => Stop::ContainerRuntime,
        _ => return None,
    })
}

/// The innermost error's code: first the words only this need's step produces, then
/// the network and registry words every step shares, the specific before the generic
/// (a KMS denial is an AccessDenied too; a 403 from S3 is not the registry's).
fn symptom(
    lower: &str,
    chain: &grammar::Chain,
    need: Need,
    service: &str,
    facts: &Facts,
) -> Option<Code> {
    if let Some(code) = structural(lower, chain, need, service, facts) {
        return Some(code);
    }
    // AWS's common errors about the signature itself (the credentials or the clock)
    // name their cause whichever service answered, before any step's status words (S3
    // sends RequestTimeTooSkewed with a 403).
    let signature = [
        code!("auth.invalid_credentials"),
        code!("auth.expired_credentials"),
        code!("clock.skew"),
    ];
    if let Some(hit) = signature.into_iter().find(|c| shows(lower, *c)) {
        return Some(hit);
    }
    let own = vocabulary::own(need, service);
    if let Some(hit) = own.iter().copied().find(|c| shows(lower, *c)) {
        return Some(hit);
    }
    // EFS speaks NFS, not HTTP, and an EBS volume is ECS's own: none of the shared
    // words below are theirs. FSx's are the agent's AWS calls (DescribeFileSystems, the
    // credentials' secret or parameter), read like any step's.
    if need == Need::Volumes && service != vocabulary::FSX {
        return None;
    }
    // A registry other than ECR, where ECR's path was never involved: without a NAT it
    // cannot work at all, whatever else the text says, except a throttle.
    // A throttle, or a certificate nobody trusts (TLS inspection in the path), says the
    // path reached something: those are the cause, not the registry's place.
    let throttled =
        shows(lower, code!("registry.too_many_requests")) || shows(lower, code!("tls.untrusted"));
    // A registry that answered was reached (through a NAT): its answer is the cause,
    // not where it is. ECR Public is the exception: its refusals (a stale login to
    // public.ecr.aws on the instance, its anonymous limits) are its own, and it is
    // never served by the VPC's endpoints, so where it is stays first.
    if matches!(need, Need::ImagePull) && facts.foreign_registry && !throttled {
        if facts.is_ecr_public() {
            return Some(code!("config.ecr_public"));
        }
        // The VPC's resolver answers public names with or without a NAT: a registry's
        // name that does not resolve is the DNS, before the route.
        if shows(lower, code!("dns.nxdomain")) && !facts.proxy {
            return Some(code!("dns.nxdomain"));
        }
        if !registry_answered(lower) {
            return Some(code!("config.not_ecr"));
        }
    }
    let shared: &[Code] = &[
        code!("config.execution_role_missing"),
        code!("registry.too_many_requests"),
        code!("service.server_error"),
        code!("layer.access_denied"),
        // Before the AccessDenied words: docker's "pull access denied for …" wraps the
        // registry's own answer, and a repository that is not there is that answer.
        code!("registry.name_unknown"),
        code!("auth.denied"),
        code!("registry.manifest_unknown"),
        code!("registry.unauthorized"),
        code!("registry.denied"),
        code!("agent.docker_timeout"),
    ];
    let hit = shared
        .iter()
        .chain(TRANSPORT)
        .copied()
        .find(|c| shows(lower, *c))?;
    // containerd's "failed to authorize: failed to fetch anonymous token: <err>" (and
    // "… oauth token") wraps the token request's own error (remotes/docker/auth
    // FetchToken): without a status it never got an answer, and the transport's
    // failure is the cause.
    if hit == code!("registry.unauthorized")
        && (lower.contains("failed to fetch anonymous token")
            || lower.contains("failed to fetch oauth token"))
        && !lower.contains("401")
        && !lower.contains("unauthorized")
        && let Some(transport) = TRANSPORT.iter().copied().find(|c| shows(lower, *c))
    {
        return Some(transport);
    }
    // ECR's and the registries' throttles are the registry's; the same ThrottlingException
    // from SSM, Secrets Manager, S3 or CloudWatch Logs is that service's quota.
    let registry_throttle =
        matches!(need, Need::ImagePull | Need::RegistryAuth) && service != "secretsmanager";
    if hit == code!("registry.too_many_requests") && !registry_throttle {
        return Some(code!("service.throttled"));
    }
    // The agent's endpoints are plain HTTP (169.254.170.2) or a socket: a cut
    // connection there is the credentials source failing, never a TLS handshake.
    if hit == code!("tls.handshake_failed") && need == Need::Agent {
        return (service == vocabulary::CREDENTIALS).then_some(code!("auth.credentials_error"));
    }
    // Docker's "pull access denied for …" from a registry outside ECR is that registry's
    // refusal (a private or missing repository), not an AWS policy.
    if facts.foreign_registry && hit.as_str().starts_with("auth.denied") {
        return Some(code!("registry.denied"));
    }
    // A dual-stack ECR name that does not answer: PrivateLink does not serve those
    // names, whatever endpoints the VPC has.
    let network = [
        code!("dns.nxdomain"),
        code!("tcp.timeout"),
        code!("tcp.unreachable"),
        code!("tcp.refused"),
    ];
    if facts.dual_stack && network.contains(&hit) {
        return Some(code!("config.dual_stack"));
    }
    // "network is unreachable" dialling an IPv4 address: the task has no IPv4 route
    // at all (an IPv6-only subnet); the same words for an IPv6 address are a route.
    if hit == code!("config.ipv4_only_endpoint") && !facts.address.is_some_and(|a| a.is_ipv4()) {
        return Some(code!("tcp.unreachable"));
    }
    Some(refine(hit, lower))
}

/// The failures of the way there (a name, a route, a connection, TLS), read after
/// every answer's words, the specific before the generic.
const TRANSPORT: &[Code] = &[
    code!("dns.nxdomain"),
    code!("dns.timeout"),
    code!("dns.servfail"),
    code!("tcp.refused"),
    code!("tls.untrusted"),
    code!("tls.name_mismatch"),
    code!("tls.expired"),
    code!("tls.timeout"),
    code!("config.ipv4_only_endpoint"),
    code!("tcp.unreachable"),
    // A connection cut after it opened, before "send request failed" reads as no
    // connection at all.
    code!("tls.handshake_failed"),
    code!("tcp.timeout"),
];

/// Causes read from the chain's shape or from what it names rather than from words:
/// - containerd's "failed to resolve ref <ref>: <ref>: not found" ends in a bare "not
///   found" after the reference: the registry has no such tag (a markdown paste can
///   double the reference past any word pattern's reach);
/// - a log driver that dials a unix socket or a loopback address dials a collector on
///   the host or in the task (docker's fluentd driver defaults to 127.0.0.1:24224 or
///   `unix:///var/run/fluent.sock`, FireLens uses the socket, syslog 127.0.0.1:514):
///   nothing listening there is no network path to AWS;
/// - the agent before aws/amazon-ecs-agent cc614eac9 (#4612, May 2025) checked that the
///   token's ProxyEndpoint prefixes the image and otherwise said "ecr auth:
///   AuthorizationData is malformed for <image>": a dual-stack image name
///   (`dkr-ecr.<region>.on.aws`) never matched the IPv4 endpoint's token.
fn structural(
    lower: &str,
    chain: &grammar::Chain,
    need: Need,
    service: &str,
    facts: &Facts,
) -> Option<Code> {
    if need == Need::Agent
        && service == vocabulary::CREDENTIALS
        && facts.credentials_not_taken
        && instance_role_call(lower)
    {
        return Some(code!("auth.instance_role_used"));
    }
    // mount.nfs's reset beside efs-utils' tunnel failure is the tunnel's onward
    // connection: stunnel takes the mount's connection on localhost, and when it cannot
    // reach the mount target on 2049 it closes that connection with the NFS request
    // unread, which mount.nfs sees as a reset. stunnel's own words are its own failure.
    if need == Need::Volumes
        && shows(lower, code!("efs.tls_tunnel"))
        && lower.contains(": connection reset by peer")
        && lower.contains("mount.nfs")
        && !lower.contains("stunnel")
    {
        return Some(code!("efs.unreachable"));
    }
    // An ECR name with a misspelled domain is no ECR name: whatever the dial did, the
    // image URI is the cause.
    if facts.misspelled_ecr.is_some() && matches!(need, Need::ImagePull | Need::RegistryAuth) {
        return Some(code!("image.bad_reference"));
    }
    // aws-sdk-go's chain error lists every provider's failure: its container
    // provider's CredentialsEndpointError says the task has a role (the agent set
    // AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and the request for it failed, whatever the
    // chain's headline ("NoCredentialProviders") says.
    let container_provider = [
        "credentialsendpointerror",
        "ecscredentialsproviderfailure",
        "error retrieving credential from ecs",
        "error retrieving ecs credentials",
    ];
    if matches!(need, Need::Agent | Need::Logs)
        && container_provider.iter().any(|w| lower.contains(w))
    {
        let timeout = code!("auth.credentials_timeout");
        return Some(if shows(lower, timeout) {
            timeout
        } else {
            code!("auth.credentials_error")
        });
    }
    match need {
        // The bare "not found" may be followed by a wrapper's own note ("… : not found
        // (logs: CloudWatch /ecs/app)"): the link, not the chain's last words.
        Need::ImagePull
            if lower.contains("failed to resolve ref")
                && chain.links.iter().any(|l| {
                    let l = l.trim().to_ascii_lowercase();
                    l == "not found" || l.starts_with("not found (")
                }) =>
        {
            Some(code!("registry.manifest_unknown"))
        }
        Need::Logs
            if shows(lower, code!("logs.collector_unreachable"))
                || facts.address.is_some_and(|a| a.is_loopback()) =>
        {
            Some(code!("logs.collector_unreachable"))
        }
        // A 403 from the layer bucket, whatever URL sits between containerd's words and
        // the status: S3 refused, not the registry.
        Need::ImagePull if service == "s3" && shows(lower, code!("registry.denied")) => {
            Some(code!("layer.access_denied"))
        }
        Need::Agent if service == "ecs" && lower.trim() == "agent" => {
            Some(code!("agent.disconnected"))
        }
        Need::RegistryAuth
            if service == "ecr.api" && lower.contains("authorizationdata is malformed for") =>
        {
            Some(if facts.dual_stack {
                code!("config.dual_stack")
            } else {
                code!("registry.unauthorized")
            })
        }
        _ => None,
    }
}

/// The mount command's exit status, as the ECS volume plugin ("mounting volume failed:
/// exit status 32", Go's exec.ExitError before aws/amazon-ecs-init#301) or Fargate
/// ("unsuccessful EFS utils command execution; code: 32") reports it. efs-utils exits 1
/// on its own fatal errors and passes mount.nfs's status on (32: the mount failed).
fn exit_status(lower: &str) -> Option<u32> {
    ["exit status ", "command execution; code: "]
        .iter()
        .filter_map(|m| lower.rfind(m).map(|at| &lower[at + m.len()..]))
        .find_map(|tail| {
            let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
}

/// Whether any of the catalogue row's patterns occurs in `lower`.
fn shows(lower: &str, code: Code) -> bool {
    if code == code!("image.lazy_load") {
        return lazy_load_eio(lower);
    }
    code.info().stopped_reasons.iter().any(|p| glob(lower, p))
}

/// runc's exec of the entrypoint failing with EIO ("exec <path>: input/output error",
/// the path one word) on no network file system: the image's own files, lazily loaded.
fn lazy_load_eio(lower: &str) -> bool {
    const EIO: &str = ": input/output error";
    let on_nfs = ["efs", "nfs", "/mnt/"].iter().any(|w| lower.contains(w));
    !on_nfs
        && lower.match_indices(EIO).any(|(at, _)| {
            lower[..at].rsplit_once("exec ").is_some_and(|(_, path)| {
                path.starts_with('/') && !path.contains(char::is_whitespace)
            })
        })
}

/// An AccessDenied is read by the same reader the hops use.
fn refine(code: Code, lower: &str) -> Code {
    if code == code!("auth.denied") {
        return diagnose::denial_code(denial::read(lower).by);
    }
    code
}

/// `*` matches a short run (at most 200 bytes) between parts.
fn glob(hay: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut at) = hay.find(first) else {
        return false;
    };
    at += first.len();
    for part in parts {
        let window = &hay[at..];
        match window.find(part) {
            Some(i) if i <= 200 => at += i + part.len(),
            _ => return false,
        }
    }
    true
}

/// What a registry answers about an image: true of any registry, the fix then is its.
const REGISTRY_ANSWERS: &[Code] = &[
    code!("registry.manifest_unknown"),
    code!("registry.name_unknown"),
    code!("registry.unauthorized"),
    code!("registry.denied"),
    code!("registry.unexpected_status"),
];

fn finding(code: Code, need: Need, service: &'static str, text: &str, facts: &Facts) -> Finding {
    let lower = text.to_ascii_lowercase();
    let hop = hop_of(code, need, service);
    let region = facts.region.as_deref().unwrap_or("<region>");
    let endpoint = format!("com.amazonaws.{region}.{service}");
    let mut hint = code
        .info()
        .fix
        .replace("<region>", region)
        .replace("<service>", service);
    if code == code!("tcp.timeout") {
        let endpoint = if facts.combined_step {
            format!(
                "{endpoint} (or com.amazonaws.{region}.secretsmanager / ssm, for the task's secrets)"
            )
        } else {
            endpoint
        };
        hint = timeout_hint(service, &endpoint, facts);
    } else if code == code!("tls.handshake_failed") {
        hint = "the connection opened and was then cut (a reset, or EOF before an answer): the route and the security groups let it through, so something in the path ended it: an AWS Network Firewall or proxy rule that rejects the endpoint's name (SNI), TLS inspection, or an HTTP proxy the agent, the Docker daemon or the task is set to use (HTTPS_PROXY without NO_PROXY for the VPC endpoints' names)".to_string();
    } else if code == code!("tls.untrusted") && facts.foreign_registry {
        hint = format!(
            "a certificate on the way to {} (the registry or its token service) is not from a CA the pulling side trusts: something in the path re-signs TLS (a proxy or firewall with TLS inspection): exempt the registry's names from inspection, or install the inspection CA on the container instance (Fargate cannot take one); the registry is outside ECR private, so without a NAT copy the image to ECR",
            facts.host.as_deref().unwrap_or("the registry")
        );
    } else if code == code!("secrets.kms_denied")
        && lower.contains("not encrypted with the current kms key")
    {
        // Secrets Manager's DecryptionFailure for a version that a key change left on
        // the previous key.
        hint = "the version read is still encrypted with the secret's previous KMS key (the key was changed and this version not re-encrypted): store the value again (`aws secretsmanager put-secret-value`) so the current version uses the new key, or let the task execution role `kms:Decrypt` with the previous key too; a secret read from another account needs a customer-managed key whose key policy allows that account".to_string();
    } else if code == code!("logs.firelens_config") && lower.contains("[config]") {
        hint = "Fluent Bit refused its configuration at start (its `[config]` line names the section or property): fix the file `config-file-value` names, or the options FireLens generates it from; when nothing of yours changed, a moving image tag (`stable`, `latest`) brought a new Fluent Bit: pin the log router's image to the version that worked. No network path is involved".to_string();
    } else if code == code!("auth.invalid_credentials") && need == Need::Agent {
        hint = "AWS does not know the credentials the container's software signed with: static keys (AWS_ACCESS_KEY_ID in the container's environment or files) that override the task role, or the task role's temporary credentials used without their session token (all three come from the agent at 169.254.170.2: an SDK or tool that drops `AWS_SESSION_TOKEN` signs with a key AWS rejects); a region the account has not enabled answers the same".to_string();
    } else if code == code!("auth.invalid_credentials") {
        hint = "AWS does not know the credentials the call was signed with: ECS signs the task's start-up calls with the execution role's credentials, so look for static keys that override them (AWS_ACCESS_KEY_ID in the agent's, the Docker daemon's or the task's environment, deleted or mistyped) and for a region the account has not enabled (an opt-in region)".to_string();
    } else if let Some((.., words)) = vocabulary::HINTS
        .iter()
        .find(|(n, c, _)| *n == need && *c == code)
    {
        hint = words.to_string();
    } else if code == code!("dns.nxdomain") && facts.foreign_registry {
        hint = format!(
            "{} does not resolve from where the pull ran: the VPC's own resolver (Route 53 Resolver) answers public names with or without a NAT, so the name or the DNS in the way is the cause: a typo in the name, DHCP options that name a resolver which cannot resolve it, a Route 53 Resolver rule, DNS Firewall or private hosted zone that shadows or blocks its domain, an instance's own /etc/resolv.conf. Once it resolves, a registry outside ECR private still needs a NAT or a public IP: copy the image to ECR or use an ECR pull-through cache rule to pull it through the VPC endpoints",
            looked_up(&lower)
                .or(facts.host.as_deref())
                .unwrap_or("the registry's name")
        );
    } else if code == code!("dns.nxdomain") && service != "ecr.dkr" {
        // The row's words are the image's; another service's name comes from elsewhere.
        hint = format!(
            "{} does not resolve from the task: check the region in the name (the ARN or log option that made it), that the VPC has DNS resolution and DNS hostnames enabled, and that the resolver is the VPC resolver or forwards `amazonaws.com` to it",
            facts.host.as_deref().unwrap_or("the service's name")
        );
    } else if code == code!("config.not_ecr") {
        hint = format!(
            "{} is not in ECR private: a subnet without NAT cannot reach it (and a name the registry does not know, or a private repository without `repositoryCredentials`, fails even with one). Copy it to ECR in {region}, or create an ECR pull-through cache rule for its registry and use {}",
            facts
                .image
                .as_deref()
                .or(facts.host.as_deref())
                .unwrap_or("the image"),
            through_cache(facts)
        );
    } else if code.as_str().starts_with("auth.denied") {
        // The same words the probe's hop would give, for this service and region.
        let mut d = denial::read(text);
        // A principal the poster redacted ("arn:aws:sts::<account id>…") is not one.
        d.principal = d.principal.filter(|p| !p.contains(['<', '*', '$', '[']));
        let svc = crate::aws::Service::all()
            .find(|s| s.name == service || s.aliases.contains(&service))
            .map(|s| s.service)
            .unwrap_or(crate::aws::Service::Api);
        hint = diagnose::denial_cause(&d, svc, region, "the call").hint;
        if d.by == denial::DeniedBy::Unknown && d.kind.is_none() {
            hint = format!("{hint}. {}", denial_advice(&d, svc, region));
        }
    } else if code == code!("registry.denied")
        && lower.contains("from head request")
        && !facts.foreign_registry
    {
        // A HEAD answer has no body: the registry's reason (DENIED, or no such image)
        // is not in the text, only its status.
        hint = format!(
            "{hint}. The 403 answered a HEAD request, which carries no body, so ECR's reason is lost: it is also what ECR answers for a tag or digest the repository does not have (check with `aws ecr describe-images --repository-name <repository> --image-ids imageTag=<tag>`), and for another account's repository whose policy does not allow this account"
        );
    } else if code == code!("auth.credentials_error")
        && lower.contains("169.254.170.2")
        && !lower.contains("169.254.170.23")
        && !lower.contains("/v2/credentials/")
        && (lower.contains("404 not found") || lower.contains("404 page not found"))
    {
        // The agent's endpoint answers 404 to a path that names no credentials: the
        // process asked without the task's relative URI.
        hint = "the credentials endpoint 169.254.170.2 answered 404 to a path that names no credentials: the process asked without the task's credential path, so `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is missing from its environment (php-fpm's `clear_env`, an IIS application pool, su, sudo, cron or an init system start processes with a clean environment: pass the variable on), or the task has no task role (`taskRoleArn`)".to_string();
    } else if code == code!("auth.credentials_error")
        && let Some(inner) = client_side_failure(text)
    {
        hint = format!(
            "the request to the credentials endpoint 169.254.170.2 failed inside the container, before any network word: \"{inner}\": the container's own HTTP client or its settings refused it (a policy against plain HTTP, a proxy without `NO_PROXY=169.254.170.2`); the endpoint is plain HTTP by design, so allow http://169.254.170.2 in that client"
        );
    } else if code == code!("registry.unauthorized") && facts.host.is_none() {
        hint = format!(
            "{hint}; a registry outside ECR that wants a login needs the container's `repositoryCredentials` (a Secrets Manager secret with username and password)"
        );
    }
    if facts.proxy && code.as_str().starts_with("tcp.") {
        hint = format!(
            "the connection that failed was to an HTTP proxy{} (Go's \"proxyconnect\"), not to AWS: the agent, the Docker daemon or the task is set to use it (HTTP_PROXY/HTTPS_PROXY); make the proxy reachable, or send AWS's names to the VPC endpoints directly with NO_PROXY (`.amazonaws.com`, 169.254.169.254, 169.254.170.2)",
            facts
                .address
                .map(|a| format!(" at {a}"))
                .unwrap_or_default()
        );
    }
    if code == code!("config.not_ecr") || code == code!("config.ecr_public") {
        hint = outside_ecr(hint, &lower, facts);
    } else if let Some(domain) = facts
        .misspelled_ecr
        .as_deref()
        .filter(|_| code == code!("image.bad_reference"))
    {
        hint = format!(
            "the image's registry is {}: its domain `{domain}` is not ECR's `amazonaws.com`, so the pull went to whatever that name resolves to (or nowhere). Fix the image URI to `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`",
            facts.host.as_deref().unwrap_or(domain)
        );
    } else if facts.foreign_registry && REGISTRY_ANSWERS.contains(&code) {
        hint = answered_outside_ecr(code, facts);
    } else if code == code!("registry.manifest_unknown")
        && facts.host.is_none()
        && let Some(image) = hostless_reference(text)
    {
        // docker's older "Error: image <path> not found" prints the path without the
        // registry it asked (agent-wordings.md §13): the task definition says which.
        hint = format!(
            "`{image}` names no registry: if the task definition's image names none either, it is Docker Hub's, which answers \"not found\" also for a private repository the pull did not log in to: give the container `repositoryCredentials` (on EC2 the agent's `ECS_ENGINE_AUTH_DATA`), or check the name and tag; Docker Hub is outside AWS, so without NAT copy the image to ECR. {hint}"
        );
    } else if code == code!("service.not_found")
        && let Some(arn) = facts.secret_arns.iter().find(|a| partial_secret_arn(a))
    {
        hint = format!(
            "{hint}. `{arn}` has no 6-character suffix after the name: a partial ARN. Secrets Manager finds a secret by a partial ARN only when nothing else could match it (a name with hyphens can read as a name plus a suffix): give `valueFrom` the full ARN (`aws secretsmanager describe-secret --secret-id <name> --query ARN`)"
        );
    }
    // RFC 6750's invalid_token: the registry refused the bearer token its own token
    // service had just issued; for an image pulled without credentials that is the
    // registry's side.
    if REGISTRY_ANSWERS.contains(&code) && lower.contains("invalid_token") {
        hint = format!(
            "the registry refused the token its own token service had just issued (`invalid_token`): for an image pulled without credentials that is the registry's side (an incident: check its status page, retry later); with `repositoryCredentials` or a login on the instance, those credentials were revoked or expired. {hint}"
        );
    }
    // The runbook said which rule or endpoint it found wanting: its fix, not the
    // cause's general one.
    if let Some(h) = facts.runbook.and_then(|f| runbook::hint(f, region)) {
        hint = h;
    }
    // AWS's own sidecar images need what their features' pages say (another account's
    // repository, a Region's copy of an ECR Public image).
    if matches!(need, Need::ImagePull | Need::RegistryAuth)
        && let Some(note) = facts.sidecar
    {
        hint = format!("{hint}. {}", note.replace("<region>", region));
    }
    Finding {
        need,
        service: Some(service),
        hop,
        code,
        hint,
        confirm: confirm(need, code, service, facts),
    }
}

/// The name a failed DNS lookup asked for (Go's "lookup <name>: no such host", "lookup
/// <name> on <server>: …").
fn looked_up(lower: &str) -> Option<&str> {
    let (_, rest) = lower.split_once("lookup ")?;
    rest.split([':', ' '])
        .next()
        .filter(|n| n.contains('.') && !n.is_empty())
}

/// An image outside ECR private: what the text says happened on the way leads the
/// fix. A dial that timed out is the route to the internet (a NAT or public IP, and
/// egress on 443); a connection cut after it opened is something in the path.
fn outside_ecr(hint: String, lower: &str, facts: &Facts) -> String {
    if shows(lower, code!("tcp.timeout")) || shows(lower, code!("dns.nxdomain")) {
        let to = facts
            .address
            .map(|a| format!(" to {a}"))
            .unwrap_or_default();
        return format!(
            "the connection{to} got no answer: a registry outside ECR private is on the internet, and no VPC endpoint serves it: the task needs a NAT gateway or a public IP with an internet gateway, and its security group and NACL must allow 443 out to the internet. {hint}"
        );
    }
    if [": eof", "connection reset by peer", "unexpected eof"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return format!(
            "the connection opened and was then cut (EOF, reset): the route exists, so a proxy or firewall in the path (TLS inspection, an egress allow-list without the registry's token and blob hosts) or the registry's own side ended it. {hint}"
        );
    }
    if registry_answered(lower) {
        return format!(
            "the registry answered, so the path to it works (through a NAT or a public IP): read its answer (a stale `docker login public.ecr.aws` on the instance gets a 403: `docker logout public.ecr.aws`). {hint}"
        );
    }
    hint
}

/// An implicit denial whose message names no policy (AWS's wording before 2021, and
/// services that still omit the clause): the role's own policies are where it is
/// most often missing, a condition in them (resource tags, `aws:SourceVpce`) next. A
/// principal whose session is an instance id is an EC2 instance's role: a task on EC2
/// without `executionRoleArn` pulls and fetches the token with it.
fn denial_advice(d: &denial::Denial, svc: crate::aws::Service, region: &str) -> String {
    use crate::aws::Service;
    // The action AWS named, else the ones this step needs.
    let needed = d
        .action
        .clone()
        .unwrap_or_else(|| svc.spec().actions.replace("<region>", region));
    let session = d
        .principal
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("");
    let instance = session
        .strip_prefix("i-")
        .is_some_and(|id| id.len() >= 8 && id.chars().all(|c| c.is_ascii_hexdigit()));
    let what = if needed.is_empty() {
        "the action".to_string()
    } else {
        needed
    };
    if instance {
        let fix = match svc {
            Service::Api | Service::Dkr => {
                "attach AmazonEC2ContainerRegistryReadOnly to it".to_string()
            }
            _ => format!("allow {what} in it"),
        };
        return format!(
            "The principal is an EC2 instance's role (its session is the instance id): a task on EC2 without `executionRoleArn` makes this call with the instance role, so {fix}, or give the task an execution role that may"
        );
    }
    let condition = match svc {
        Service::Ssm | Service::SecretsManager => {
            "a resource tag the parameter or secret lacks, aws:SourceVpce"
        }
        _ => "aws:SourceVpce, aws:SourceVpc",
    };
    format!(
        "Most often the role's own policies lack {what}, or an Allow holds a condition the request does not meet ({condition})"
    )
}

/// A secret's ARN as Secrets Manager writes it ends in the name, a hyphen and six
/// random characters ("Secret ARN" in its user guide); without them it is partial.
fn partial_secret_arn(arn: &str) -> bool {
    let mut fields = arn.split(':');
    let name = match (fields.nth(5), fields.next()) {
        (Some("secret"), Some(name)) => name,
        _ => return false,
    };
    // A poster's stand-in ("{name}", "<secret>") is no name at all.
    let real = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    real && !name.rsplit_once('-').is_some_and(|(base, suffix)| {
        !base.is_empty() && suffix.len() == 6 && suffix.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// The image reference docker's older "Error: image <ref> not found" or containerd's
/// "failed to resolve ref <ref>" names when it has no registry host in it
/// (`org/name:tag`). "manifest for <ref>" and "pull access denied for <ref>" are read
/// by `Facts::read`, which calls such a reference a foreign registry's.
fn hostless_reference(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    ["error: image ", "failed to resolve ref "]
        .iter()
        .filter_map(|m| lower.find(m).map(|at| &text[at + m.len()..]))
        .filter_map(|rest| {
            rest.split(|c: char| c.is_whitespace() || "\"'`,;()[]".contains(c))
                .next()
        })
        .map(|w| w.trim_end_matches([':', '.']))
        .find(|w| {
            let Some((first, rest)) = w.split_once('/') else {
                return false;
            };
            !first.is_empty()
                && !rest.is_empty()
                && first
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c))
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_./:@".contains(c))
                && facts::names_no_registry(w)
        })
}

/// An image outside ECR as an ECR pull-through cache serves it:
/// `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<the path in its registry>`.
fn through_cache(facts: &Facts) -> String {
    format!(
        "{}.dkr.ecr.{}.amazonaws.com/<prefix>/{}",
        facts.account.as_deref().unwrap_or("<account>"),
        facts.region.as_deref().unwrap_or("<region>"),
        facts
            .image
            .as_deref()
            .map(|i| i.split_once('/').map_or(i, |(_, rest)| rest))
            .unwrap_or("<repository>:<tag>")
    )
}

/// What Go's url.Error says after the credentials endpoint's URL (`Get
/// http://169.254.170.2/v2/credentials/…: <error>`) when it carries no network word:
/// the container refused its own request.
fn client_side_failure(text: &str) -> Option<&str> {
    let at = text.rfind("http://169.254.170.2/")?;
    let tail = &text[at..];
    let inner = tail.split_once(": ")?.1.trim();
    let lower = inner.to_ascii_lowercase();
    let network = [
        "timeout",
        "refused",
        "reset",
        "unreachable",
        "eof",
        "no route",
        "deadline",
        "canceled",
        "max retries",
        // An answer the agent sent, or a socket error: not the client's own refusal.
        "status code",
        "dial ",
        "read tcp",
        "write tcp",
        "permission denied",
        "malformed",
    ];
    let answered = inner.starts_with(|c: char| c.is_ascii_digit());
    (!inner.is_empty() && !answered && !network.iter().any(|w| lower.contains(w)))
        .then(|| cut(inner, 200))
}

/// Words only a registry's own answer carries (docker's "pull access denied", an
/// OCI error code, a status it sent): the path to it was open.
fn registry_answered(lower: &str) -> bool {
    [
        "pull access denied",
        "repository does not exist",
        "insufficient_scope",
        "requested access to the resource is denied",
        "no basic auth credentials",
        "authentication required",
        "unauthorized",
        // Not-found answers: docker's v2 "manifest for … not found" / "manifest unknown",
        // its v1 fallback's "Error: image … not found" and "Tag … not found in repository".
        "manifest unknown",
        "manifest for ",
        "error: image ",
        "not found in repository",
        // containerd's "unexpected status code …: 4xx" from the registry itself.
        "unexpected status",
        // A 400 (registry.unexpected_status): something at the registry's address
        // answered.
        "bad request",
    ]
    .iter()
    .any(|w| lower.contains(w))
        // An HTTP proxy's answer to CONNECT is the proxy's, not the registry's.
        && !lower.contains("proxyconnect")
}

/// The fix for what a registry outside ECR private answered: its name or its login,
/// not ECR's policies; and the way to pull it through VPC endpoints instead.
fn answered_outside_ecr(code: Code, facts: &Facts) -> String {
    let image = facts.image.as_deref().unwrap_or("the image");
    let what = if code == code!("registry.unexpected_status") {
        format!(
            "it, or a proxy or mirror in front of it, refused the request for {image} as malformed (400): a registry proxy that cannot serve the image (one without credentials for a private source registry), a `registry-mirrors` setting on the instance, or a reference the registry does not accept"
        )
    } else if code == code!("registry.unauthorized") || code == code!("registry.denied") {
        format!(
            "it refused the pull of {image}: the repository is private (or does not exist) and the pull carried no login it accepts: give the container `repositoryCredentials` (a Secrets Manager secret with `username` and `password`, readable by the execution role) or check the name"
        )
    } else {
        let hub = facts.image_names_no_registry()
            || [facts.image.as_deref(), facts.host.as_deref()]
                .into_iter()
                .flatten()
                .any(|n| n.contains("docker.io"));
        format!(
            "it has no {image}: check the repository name and the tag{}, or the repository is private and the pull carried no login (give the container `repositoryCredentials`)",
            if hub {
                " (Docker Hub's official images are `<name>:<tag>`, with no organisation)"
            } else {
                ""
            }
        )
    };
    let hub = if facts.image_names_no_registry() {
        format!(
            " The image names no registry, so Docker Hub was asked: an image in ECR is written in full, `<account>.dkr.ecr.<region>.amazonaws.com/{image}`."
        )
    } else {
        String::new()
    };
    format!(
        "the registry answered, so the path to it works (through a NAT or a public IP): {what}.{hub} It is outside ECR private: to pull it through VPC endpoints instead, copy it to ECR or use an ECR pull-through cache rule"
    )
}

fn timeout_hint(service: &str, endpoint: &str, facts: &Facts) -> String {
    let what = match facts.address.map(|a| diagnose::classify_ip(a, &[])) {
        Some(Scope::Public) => format!(
            "the name resolved to a public address ({}): there is no interface endpoint {endpoint} with private DNS in the VPC, so the task needs a NAT or a public IP and security-group egress on 443 — or create the endpoint",
            facts.address.map(|a| a.to_string()).unwrap_or_default()
        ),
        Some(_) => format!(
            "the name resolved to a private address ({}), the endpoint's: its security group must allow 443 from the task's subnet, and the subnet's NACL both ways",
            facts.address.map(|a| a.to_string()).unwrap_or_default()
        ),
        None => format!(
            "no connection: either there is no interface endpoint {endpoint} with private DNS (and no NAT), or a security group or NACL drops 443 between the task and it"
        ),
    };
    if service == "s3" {
        return format!(
            "the S3 fetch got no answer: associate the S3 gateway endpoint {endpoint} with the subnet's route table and allow egress to the S3 prefix list on 443 in the task's security group and NACL"
        );
    }
    if service == "ecr.dkr" && facts.host.is_none() {
        return format!(
            "{what}; the layers come from S3 too: the S3 gateway endpoint must be in the subnet's route table, with egress to its prefix list"
        );
    }
    what
}

/// The hop of this need's own call when the code is one it reports, else the first hop
/// of the code that another need's call does not own: a denial of logs:CreateLogGroup
/// is no ECR token hop's, and the probe's Logs hop (DescribeLogGroups, signed by the
/// probe's role) does not see the execution role's denial, so it has none.
fn hop_of(code: Code, need: Need, service: &str) -> Option<HopKind> {
    const PULL: &[HopKind] = &[
        HopKind::EcrToken,
        HopKind::Registry,
        HopKind::Manifest,
        HopKind::LayerRedirect,
        HopKind::Layer,
    ];
    let hops = code.info().hops;
    // A connection cut after it opened: the probe's TLS hop opens that connection
    // first and would fail the same way, before any HTTP hop.
    if code == code!("tls.handshake_failed") {
        return Some(HopKind::Tls);
    }
    let preferred = match need {
        Need::RegistryAuth => Some(HopKind::EcrToken),
        // The layer's own fetch from S3 (a starport host or its redaction).
        Need::ImagePull if service == "s3" => Some(HopKind::Layer),
        Need::ImagePull => Some(HopKind::Manifest),
        Need::Logs => Some(HopKind::Logs),
        Need::Secrets | Need::EnvFiles | Need::CredentialSpec => Some(HopKind::Service),
        _ => None,
    };
    let others_call = |h: &HopKind| match need {
        Need::ImagePull | Need::RegistryAuth => false,
        Need::Logs => PULL.contains(h) || *h == HopKind::Service,
        _ => PULL.contains(h),
    };
    match preferred {
        Some(p) if hops.contains(&p) => Some(p),
        _ => hops.iter().copied().find(|h| !others_call(h)),
    }
}

/// The probe's command line that tests this need from the subnet, with what the text
/// named: the image, the secret's ARN, the parameter names, the file system, the region.
fn confirm(need: Need, code: Code, service: &str, facts: &Facts) -> Vec<String> {
    let region = facts.region.clone();
    // An image outside ECR: the probe tests the path it would take through a
    // pull-through cache, the fix the hint names.
    let image = facts
        .image
        .clone()
        .map(|i| {
            if facts.foreign_registry {
                through_cache(facts)
            } else {
                i
            }
        })
        .unwrap_or_else(|| {
            format!(
                "{}.dkr.ecr.{}.amazonaws.com/<repository>:<tag>",
                facts.account.as_deref().unwrap_or("<account>"),
                region.as_deref().unwrap_or("<region>")
            )
        });
    let check = |v: String| ["--check".to_string(), v];
    let mut args: Vec<String> = match (need, service) {
        // Secrets or the registry token, the text does not say which: every need of the
        // task, from its definition.
        _ if facts.combined_step => {
            vec![
                "--task-definition".to_string(),
                "<task-definition.json>".to_string(),
            ]
        }
        (Need::Secrets | Need::RegistryAuth | Need::CredentialSpec, "secretsmanager") => {
            let arns = if facts.secret_arns.is_empty() {
                vec!["secretsmanager".to_string()]
            } else {
                // The stage or id the text names goes with the ARN as `valueFrom` writes
                // it (`<arn>:<json-key>:<stage>:<id>`): the probe's DescribeSecret then
                // checks that version (hop/calls/describe_secret.rs).
                let version = match (&facts.version_stage, &facts.version_id) {
                    (None, None) => String::new(),
                    (stage, id) => format!(
                        "::{}:{}",
                        stage.as_deref().unwrap_or_default(),
                        id.as_deref().unwrap_or_default()
                    ),
                };
                facts
                    .secret_arns
                    .iter()
                    .map(|a| format!("secretsmanager={a}{version}"))
                    .collect()
            };
            arns.into_iter().flat_map(check).collect()
        }
        (Need::Secrets, _) | (Need::CredentialSpec, "ssm") => {
            let names = if facts.parameters.is_empty() {
                vec!["ssm".to_string()]
            } else {
                facts
                    .parameters
                    .iter()
                    .map(|p| format!("ssm={p}"))
                    .collect()
            };
            names.into_iter().flat_map(check).collect()
        }
        // The credential spec's S3 object: every run of the probe tests the path to S3
        // (the pull's layers), which `--image` gives (the agent fetches the spec from
        // the instance's network). No hop reaches the host's daemon.
        (Need::CredentialSpec, "s3") if !code.as_str().starts_with("gmsa.") => {
            vec!["--image".to_string(), image]
        }
        // The agent's own endpoints, from the container instance's subnet: for a cause
        // on the path to ECS, not for ECS's answers or the instance's own set-up.
        (Need::Agent, "ecs")
            if code == code!("agent.disconnected") || TRANSPORT.contains(&code) =>
        {
            check("ecs,ecs-agent,ecs-telemetry".to_string()).to_vec()
        }
        (Need::CredentialSpec, _) => vec![
            "--task-definition".to_string(),
            "<task-definition.json>".to_string(),
        ],
        // A log router's Kinesis or Firehose output: the probe's signed call to it.
        (Need::Logs, svc @ ("kinesis" | "firehose")) => check(svc.to_string()).to_vec(),
        (Need::Logs, _) => check("logs".to_string()).to_vec(),
        // `--check` takes no S3 object (the pull path's S3 is always checked): the task
        // definition names the files, and the preflight asks HeadObject of each.
        (Need::EnvFiles, _) => vec![
            "--task-definition".to_string(),
            "<task-definition.json>".to_string(),
        ],
        // A read-only signed call made with the task's own credentials, which the probe
        // fetches from the container credentials endpoint first.
        // The task metadata endpoint is the same agent's at the same address: the
        // probe's credentials fetch from it comes first.
        (Need::Agent, vocabulary::CREDENTIALS | vocabulary::METADATA) => {
            check("sts".to_string()).to_vec()
        }
        // An ECS Anywhere instance registering with SSM: the probe's signed SSM call.
        (Need::Agent, "ssm") => check("ssm".to_string()).to_vec(),
        // No hop of the probe's reaches an EBS volume (ECS's control plane attaches it)
        // or an FSx share (SMB from the instance):
        // the task definition's run shows the rest of the task's start-up.
        (Need::Volumes, vocabulary::EBS | vocabulary::FSX) => vec![
            "--task-definition".to_string(),
            "<task-definition.json>".to_string(),
        ],
        (Need::Volumes, _) => check(format!(
            "efs={}",
            facts.file_system.as_deref().unwrap_or("<file-system-id>")
        ))
        .to_vec(),
        _ => vec!["--image".to_string(), image],
    };
    if code == code!("secrets.kms_denied") {
        args.extend(check("kms".to_string()));
    }
    if let Some(r) = region {
        args.extend(["--region".to_string(), r]);
    }
    args
}

/// Whether the text was cut: an ellipsis, one of the agent's limits (255 bytes before
/// agent 1.61.2, 1024 since: tests/fixtures/explain/agent-wordings.md), the console's
/// task list ("STOPPED (…)" cut at 60 bytes), or a URL that stops inside its query.
fn is_truncated(text: &str) -> bool {
    let t = text.trim_end();
    let last = t.rsplit(char::is_whitespace).next().unwrap_or("");
    let dangling_query = last.starts_with("http")
        && last.contains('?')
        && last.rsplit('&').next().is_some_and(|p| !p.contains('='));
    t.ends_with("...")
        || first_sentence_only(t)
        || t.ends_with('…')
        || t.ends_with("...)")
        || matches!(t.len(), 255 | 1024)
        || (t.starts_with("STOPPED (") && t.len() == 60)
        || dangling_query
}

/// Fargate's 2024 wordings are sentences: what the task cannot pull and from where,
/// then why ("There is a connection issue between the task and …", "Check that the
/// role has the permissions …") and the SDK's error. The first sentence alone is a
/// reason cut before its cause (a console cell, a README quoting the headline).
fn first_sentence_only(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    // The logs step's headline is no cause either: "The task cannot find the Amazon
    // CloudWatch log group defined in the task definition." is followed by why ("There
    // is a connection issue between the task and Amazon CloudWatch. …").
    let Some(at) = [
        "the task cannot pull ",
        "the task cannot find the amazon cloudwatch",
        "the task can't find the amazon cloudwatch",
    ]
    .iter()
    .filter_map(|h| lower.rfind(h))
    .max() else {
        return false;
    };
    let rest = t[at..].trim_end().trim_end_matches('.');
    !rest.contains(". ") && !rest.contains(": ")
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let end = (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[..end]
}

/// Every cause code `explain` can name, for the docs and the drift test.
pub fn codes() -> impl Iterator<Item = Code> {
    CATALOGUE
        .iter()
        .filter(|c| !c.stopped_reasons.is_empty())
        .filter_map(|c| Code::lookup(c.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_bounded() {
        assert!(glob(
            "repository app not found: x",
            "repository * not found"
        ));
        assert!(!glob("repository app", "repository * not found"));
        let far = format!("repository {} not found", "x".repeat(300));
        assert!(!glob(&far, "repository * not found"));
    }

    /// Reasons as the sources word them (AWS's stopped-task troubleshooting pages, the
    /// agent's templates: tests/fixtures/explain/agent-wordings.md), not from threads:
    /// each with the code the grammar and vocabulary must reach.
    pub(super) const FROM_THE_SOURCES: &[(&str, &str)] = &[
        (
            "CannotPullContainerError: Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::222233334444:assumed-role/ecsTaskExecutionRole/abc is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/app because no resource-based policy allows the ecr:BatchGetImage action",
            "auth.denied_resource_policy",
        ),
        (
            "CannotPullContainerError: Error response from daemon: Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: TLS handshake timeout",
            "tls.timeout",
        ),
        // docker's v1 fallback prints the repository's path without its registry: it
        // names no registry, so not Docker Hub's either.
        (
            "CannotPullContainerError: Error: image library/app:v9 not found",
            "registry.manifest_unknown",
        ),
        (
            "CannotPullContainerError: toomanyrequests: Rate exceeded",
            "registry.too_many_requests",
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): image Manifest does not contain descriptor matching platform 'linux/arm64'",
            "registry.platform_missing",
        ),
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to unpack image on snapshotter overlayfs: no match for platform in manifest: not found",
            "registry.platform_missing",
        ),
        (
            "CannotPullContainerError: Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries",
            "registry.platform_missing",
        ),
        (
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to extract layer: failed commit on ref \"layer-sha256:ab\": unexpected commit digest sha256:cd, expected sha256:ab: failed precondition",
            "image.layers_mismatch",
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref public.ecr.aws/nginx/nginx:latest: failed to do request: Head \"https://public.ecr.aws/v2/nginx/nginx/manifests/latest\": dial tcp 99.83.145.10:443: i/o timeout",
            "config.ecr_public",
        ),
        (
            "CannotPullContainerError: Error response from daemon: Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: no basic auth credentials",
            "registry.unauthorized",
        ),
        (
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref registry.example.com/app:1: failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized",
            "registry.unauthorized",
        ),
        (
            "CannotPullContainerError: inspect image has been retried 1 time(s): failed to resolve ref \"registry.example.com/app:1\": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized",
            "registry.unauthorized",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /prod/db-password,/prod/api-key",
            "service.not_found",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key password",
            "secrets.json_key_missing",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionStage: AWSPENDING",
            "secrets.version_missing",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf from secrets manager: ResourceNotFoundException: Secrets Manager can’t find the specified secret.",
            "service.not_found",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)",
            "secrets.kms_denied",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf from secrets manager: DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
            "secrets.kms_denied",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): KMSAccessDeniedException: key is disabled",
            "secrets.kms_denied",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): KMSInvalidStateException: key is pending deletion",
            "secrets.kms_denied",
        ),
        (
            "ResourceInitializationError: resource cannot be initialized for task arn:aws:ecs:us-east-1:111122223333:task/c/0123: fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /prod/db,/prod/api",
            "service.not_found",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): ParameterNotFound: /prod/x",
            "service.not_found",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): json: cannot unmarshal string into Go value of type map[string]interface {}",
            "secrets.not_json",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for dockerhub: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/exec/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: dockerhub because no identity-based policy allows the secretsmanager:GetSecretValue action",
            "auth.denied_identity_policy",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching authorization data: unable to unmarshal secret value, invalid schema",
            "secrets.bad_registry_credentials",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching username: AuthorizationData is malformed, empty field",
            "secrets.bad_registry_credentials",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching authorization data: empty secrets value",
            "secrets.bad_registry_credentials",
        ),
        (
            "ResourceInitializationError: failed to download env files: file download command: non empty error stream: operation error S3: HeadObject, https response error StatusCode: 403, RequestID: X, HostID: Y, api error Forbidden: Forbidden",
            "envfile.denied",
        ),
        (
            "ResourceInitializationError: failed to download env files: file download command: non empty error stream: operation error S3: HeadObject, https response error StatusCode: 404, RequestID: X, HostID: Y, api error NotFound: Not Found",
            "envfile.not_found",
        ),
        (
            "ResourceInitializationError: failed to download env files: file download command: non empty error stream: failed to download file prod.env: NoSuchBucket: The specified bucket does not exist",
            "envfile.not_found",
        ),
        (
            "ResourceInitializationError: failed to download env files: file download command: non empty error stream: failed to download file prod.env: NoSuchKey: The specified key does not exist.",
            "envfile.not_found",
        ),
        (
            "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: MissingRegion: could not find region configuration : exit status 1",
            "logs.bad_region",
        ),
        (
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32",
            "efs.unreachable",
        ),
        (
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful EFS utils command execution; code: 32",
            "efs.mount_refused",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. operation error ECR: GetAuthorizationToken, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 3.5.6.7:443: connect: network is unreachable",
            "config.ipv4_only_endpoint",
        ),
        (
            "CannotPullContainerError: Error response from daemon: Get https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/: dial tcp 10.0.0.5:443: connect: no route to host",
            "tcp.unreachable",
        ),
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: CredentialsEndpointError: failed to load credentials caused by: Get \"http://169.254.170.2/v2/credentials/x\": net/http: request canceled (Client.Timeout exceeded while awaiting headers)",
            "auth.credentials_timeout",
        ),
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: CredentialsEndpointError: failed to load credentials caused by: Get \"http://169.254.170.2/v2/credentials/x\": dial tcp 169.254.170.2:80: i/o timeout",
            "auth.credentials_timeout",
        ),
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: CredentialsEndpointError: failed to load credentials caused by: invalid response status 404",
            "auth.credentials_error",
        ),
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, api error MissingRegion",
            "logs.bad_region",
        ),
        // botocore's ContainerProvider on a timeout (exceptions.ConnectTimeoutError
        // "Connect timeout on endpoint URL: …" inside CredentialRetrievalError).
        (
            "botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials from container-role: Error retrieving metadata: Received error when attempting to retrieve container metadata: Connect timeout on endpoint URL: \"http://169.254.170.2/v2/credentials/x\"",
            "auth.credentials_timeout",
        ),
        // efs-utils when the name does not resolve and its botocore fallback finds no
        // mount target (mount_efs throw_dns_resolve_failure_with_fallback_message).
        (
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve \"fs-0123abcd.efs.eu-west-1.amazonaws.com\". The file system mount target ip address cannot be found, please pass mount target ip address via mount options. : unsuccessful EFS utils command execution; code: 1",
            "efs.dns_failed",
        ),
        // FireLens on Fargate: the app container's awsfirelens driver dials the log
        // router's socket before the router listens.
        (
            "CannotStartContainerError: failed to initialize logging driver: dial unix /var/run/fluent.sock: connect: connection refused",
            "logs.collector_unreachable",
        ),
        // docker's fluentd driver at its default address, nothing listening.
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: dial tcp 127.0.0.1:24224: connect: connection refused",
            "logs.collector_unreachable",
        ),
        (
            "ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 2m0s",
            "agent.docker_timeout",
        ),
        (
            "CannotPullECRContainerError: ecr auth: AuthorizationData is malformed for 111122223333.dkr-ecr.eu-west-1.on.aws/app:1",
            "config.dual_stack",
        ),
        (
            "CannotPullECRContainerError: ecr auth: AuthorizationData is malformed for 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            "registry.unauthorized",
        ),
    ];

    #[test]
    fn reasons_from_the_sources() {
        let mut wrong = Vec::new();
        for (text, code) in FROM_THE_SOURCES {
            let e = explain("text", text);
            let got = e.findings.first().map(|f| f.code.as_str());
            if got != Some(*code) {
                wrong.push(format!("{code}: got {got:?} need {:?} for {text}", e.need));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn reasons_the_corpus_lacks() {
        let cases = [
            (
                "CannotPullContainerError: Error response from daemon: Get https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/: dial tcp: lookup 123456789012.dkr.ecr.us-east-1.amazonaws.com: no such host",
                "dns.nxdomain",
            ),
            (
                "CannotPullContainerError: Get https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/: dial tcp 10.0.1.5:443: connect: connection refused",
                "tcp.refused",
            ),
            (
                "CannotPullContainerError: Get https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/: x509: certificate signed by unknown authority",
                "tls.untrusted",
            ),
        ];
        for (text, code) in cases {
            let e = explain("text", text);
            assert_eq!(
                e.findings.first().map(|f| f.code.as_str()),
                Some(code),
                "{text}"
            );
        }
    }

    #[test]
    fn registries_other_than_ecr() {
        for host in [
            "ghcr.io",
            "gcr.io",
            "registry.k8s.io",
            "mcr.microsoft.com",
            "public.ecr.aws",
        ] {
            let text = format!(
                "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {host}/org/app:1: failed to do request: Head \"https://{host}/v2/org/app/manifests/1\": dial tcp 140.82.1.2:443: i/o timeout"
            );
            let e = explain("text", &text);
            let want = if host == "public.ecr.aws" {
                "config.ecr_public"
            } else {
                "config.not_ecr"
            };
            assert_eq!(
                e.findings.first().map(|f| f.code.as_str()),
                Some(want),
                "{host}"
            );
        }
    }

    /// The docker-era agent's redaction of the layer URL, as its template reads
    /// (aws/amazon-ecs-agent agent/dockerclient/dockerapi/errors.go, redactEcrUrls).
    #[test]
    fn a_redacted_layer_url_is_the_s3_fetch() {
        let e = explain(
            "text",
            "CannotPullContainerError: error pulling image configuration: Get REDACTED ECR URL related to 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1: dial tcp 52.218.1.2:443: i/o timeout",
        );
        assert_eq!(e.service, Some("s3"));
        assert_eq!(
            e.image.as_deref(),
            Some("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1")
        );
        let f = &e.findings[0];
        assert_eq!(f.code.as_str(), "tcp.timeout");
        assert!(f.hint.contains("S3 gateway endpoint"), "{}", f.hint);
        assert_eq!(
            f.confirm,
            [
                "--image",
                "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1",
                "--region",
                "eu-west-1"
            ]
        );
    }

    fn candidate_codes(text: &str) -> Vec<&'static str> {
        let e = explain("text", text);
        assert!(e.findings.is_empty(), "{text}: {:?}", e.findings);
        e.candidates.iter().map(|f| f.code.as_str()).collect()
    }

    /// The order of a cut reason's candidates follows what the text still says: one
    /// try means a refusal, many tries the network, an answer rules the network out.
    #[test]
    fn candidates_follow_the_retry_count_and_the_answer() {
        let asm = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried";
        let cut = " failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf from secrets manager: ";
        let five = candidate_codes(&format!("{asm} 5 time(s):{cut}"));
        assert_eq!(five.first(), Some(&"tcp.timeout"), "{five:?}");
        let one = candidate_codes(&format!("{asm} 1 time(s):{cut}"));
        assert_eq!(one.first(), Some(&"auth.denied_identity_policy"), "{one:?}");
        assert_eq!(one.last(), Some(&"tcp.timeout"), "{one:?}");
        // Both name the secret in their confirm command, whatever the order.
        let e = explain("text", &format!("{asm} 1 time(s):{cut}"));
        assert!(
            e.candidates
                .iter()
                .all(|f| f.confirm.iter().any(|a| a.contains(":secret:db-AbCdEf"))),
            "{:?}",
            e.candidates
        );
        // Fargate's outer step alone (the console's cut): the need every such task has,
        // candidates from both inner steps, and the whole task definition to confirm.
        let e = explain(
            "text",
            "ResourceInitializationError: unable to pull secrets or registry auth: ",
        );
        assert_eq!((e.need, e.truncated), (Some(Need::RegistryAuth), true));
        let codes: Vec<(Need, &str)> = e
            .candidates
            .iter()
            .map(|f| (f.need, f.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                (Need::RegistryAuth, "tcp.timeout"),
                (Need::Secrets, "auth.denied_identity_policy"),
                (Need::Secrets, "service.not_found"),
                (Need::RegistryAuth, "auth.denied_identity_policy"),
            ]
        );
        assert!(
            e.candidates
                .iter()
                .all(|f| f.confirm == ["--task-definition", "<task-definition.json>"]),
            "{:?}",
            e.candidates
        );
        assert_eq!(
            e.candidates[0].confirm,
            ["--task-definition", "<task-definition.json>"]
        );
        assert!(
            e.candidates[0].hint.contains("secretsmanager"),
            "{}",
            e.candidates[0].hint
        );
        // The registry answered with a status the text lost: no timeout among them, and
        // a blob fetch (httpReadSeeker) suspects S3's refusal first.
        let answered = candidate_codes(
            "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker: failed open: unexpected status code",
        );
        assert!(!answered.contains(&"tcp.timeout"), "{answered:?}");
        assert_eq!(
            answered.first(),
            Some(&"layer.access_denied"),
            "{answered:?}"
        );
        // repositoryCredentials cut before its cause: the secret's own candidates.
        let asm_auth = candidate_codes(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): asm fetching secret from the service for dockerhub: ",
        );
        assert_eq!(
            asm_auth,
            [
                "auth.denied_identity_policy",
                "service.not_found",
                "secrets.bad_registry_credentials",
                "tcp.timeout"
            ]
        );
    }

    /// Docker's "pull access denied … docker login" with nothing after, for an ECR
    /// repository: the token path, candidates from what the registry refuses; for
    /// Docker Hub it stays the public registry it is (with ECR's own words after the
    /// colon, those decide: FROM_THE_SOURCES' first reason).
    #[test]
    fn pull_access_denied_by_registry() {
        const ECR: &str = "CannotPullContainerError: Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login'";
        let e = explain("text", ECR);
        assert_eq!(
            (e.need, e.service),
            (Some(Need::RegistryAuth), Some("ecr.api"))
        );
        assert_eq!(
            candidate_codes(ECR),
            [
                "registry.unauthorized",
                "registry.name_unknown",
                "registry.denied"
            ]
        );
        let hub = explain(
            "text",
            "CannotPullContainerError: Error response from daemon: pull access denied for myorg/app, repository does not exist or may require 'docker login'",
        );
        // Docker Hub answered: its refusal is the cause (the route works), and the fix
        // is the name or a login, then how to pull it through VPC endpoints instead.
        assert_eq!(hub.need, Some(Need::ImagePull));
        assert_eq!(hub.findings[0].code.as_str(), "registry.denied");
        assert!(hub.findings[0].hint.contains("repositoryCredentials"));
        assert!(hub.findings[0].hint.contains("pull-through cache"));
    }

    /// A poster's stand-in for the registry (`<redacted>/app`, `####/app`) hides it;
    /// it does not make the image Docker Hub's. An ECR name with a misspelled domain
    /// is no ECR name; another partition's domain is not a misspelling.
    #[test]
    fn redacted_and_misspelled_registries() {
        for stand_in in ["<redacted>", "<ECR repository>", "####", "xxxxxxxx"] {
            let e = explain(
                "text",
                &format!(
                    "CannotPullContainerError: Error response from daemon: manifest for {stand_in}/app:1 not found: manifest unknown: Requested image not found"
                ),
            );
            assert_eq!(
                e.findings[0].code.as_str(),
                "registry.manifest_unknown",
                "{stand_in}"
            );
            assert!(!e.findings[0].hint.contains("Docker Hub"), "{stand_in}");
        }
        let typo = explain(
            "text",
            "CannotPullContainerError: Error response from daemon: Get \"https://111122223333.dkr.ecr.us-west-2.amazonawss.com/v2/\": dial tcp 3.33.139.32:443: i/o timeout",
        );
        assert_eq!(typo.findings[0].code.as_str(), "image.bad_reference");
        assert!(typo.findings[0].hint.contains("amazonawss.com"));
        for fine in [
            "111122223333.dkr.ecr.us-iso-east-1.c2s.ic.gov",
            "111122223333.dkr.ecr.eusc-de-east-1.amazonaws.eu",
        ] {
            assert_eq!(
                super::facts::Facts::read(fine).misspelled_ecr,
                None,
                "{fine}"
            );
        }
    }

    /// Fargate puts the image where a layer's presigned S3 URL was: the blob fetch that
    /// timed out is S3's, through the gateway endpoint, not the registry's endpoint.
    #[test]
    fn fargate_s_layer_url_in_place_of_the_image_is_the_s3_fetch() {
        let e = explain(
            "text",
            "CannotPullContainerError: The task cannot pull 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1 from the registry 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1. There is a connection issue between the task and the registry. Check your task network configuration. : failed to copy: httpReadSeeker: failed open: failed to do request: Get 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1: dial tcp 52.218.1.1:443: i/o timeout",
        );
        assert_eq!(e.findings[0].code.as_str(), "tcp.timeout");
        assert_eq!(e.findings[0].service, Some("s3"));
        assert!(e.findings[0].hint.contains("S3 gateway endpoint"));
        // A real URL after Get is the host it names.
        let ecr = explain(
            "text",
            "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://111122223333.dkr.ecr.eu-west-1.amazonaws.com/v2/app/blobs/sha256:ab\": dial tcp 10.0.1.5:443: i/o timeout",
        );
        assert_eq!(ecr.findings[0].service, Some("ecr.dkr"));
    }

    /// A full devicemapper pool or a full disk is the instance's disk, during a pull
    /// as anywhere else: a stop with no need at all (issue 18 lists it among the stops
    /// that are no start-up path failure), never a hop.
    #[test]
    fn a_full_thin_pool_is_the_disk() {
        let text = "devmapper: Thin Pool has 10 free data blocks which is less than minimum required 4454 free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior";
        for other in [
            format!("CannotPullContainerError: failed to register layer: {text}"),
            format!("CannotCreateContainerError: API error (500): {text}"),
            text.to_string(),
            "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob1: no space left on device".to_string(),
        ] {
            let e = explain("text", &other);
            assert_eq!((e.need, e.stop), (None, Some(Stop::DiskFull)), "{other}");
            assert!(e.findings.is_empty() && e.candidates.is_empty());
        }
    }

    /// aws-sdk-go's chain error with its container provider's CredentialsEndpointError:
    /// the task has a role, the request for it failed. Without a network word after
    /// the endpoint's URL, the container refused its own request, and the hint quotes
    /// that error; with one, it does not.
    #[test]
    fn a_container_provider_that_failed_is_no_missing_role() {
        let chain = |inner: &str| {
            format!(
                "NoCredentialProviders: no valid providers in chain\ncaused by: EnvAccessKeyNotFound: failed to find credentials in the environment.\nCredentialsEndpointError: failed to load credentials\ncaused by: RequestError: send request failed\ncaused by: Get http://169.254.170.2/v2/credentials/0a1b2c3d: {inner}"
            )
        };
        let e = explain(
            "text",
            &chain("plain HTTP is disabled by this client's settings"),
        );
        assert_eq!(e.need, Some(Need::Agent));
        assert_eq!(e.findings[0].code.as_str(), "auth.credentials_error");
        assert!(
            e.findings[0]
                .hint
                .contains("\"plain HTTP is disabled by this client's settings\"")
        );
        let e = explain("text", &chain("dial tcp 169.254.170.2:80: i/o timeout"));
        assert_eq!(e.findings[0].code.as_str(), "auth.credentials_timeout");
        let e = explain(
            "text",
            &chain("dial tcp 169.254.170.2:80: connect: connection refused"),
        );
        assert_eq!(e.findings[0].code.as_str(), "auth.credentials_error");
        assert!(!e.findings[0].hint.contains("inside the container"));
        // A chain with no container provider at all still says no role.
        let e = explain(
            "text",
            "NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose messaging see aws.Config.CredentialsChainVerboseErrors",
        );
        assert_eq!(e.findings[0].code.as_str(), "auth.no_credentials");
    }

    /// The runtime's and the host's words (a hostile review's strings) do not replace a
    /// start-up step the text names, and a routine line naming them is no stop; a
    /// metadata line that fetched is no failure.
    #[test]
    fn the_runtime_s_words_keep_off_a_named_step() {
        for (text, need) in [
            (
                "CannotPullContainerError: failed to register layer: error creating overlay mount to /var/lib/docker/overlay2/0f3c/merged: invalid argument",
                Need::ImagePull,
            ),
            (
                "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post \"https://logs.us-east-1.amazonaws.com/\": dial tcp 10.0.2.15:443: i/o timeout; error running hook",
                Need::Logs,
            ),
            (
                "CannotPullContainerError: pull access denied for web, repository does not exist or may require 'docker login' (ContainerRuntimeError)",
                Need::ImagePull,
            ),
        ] {
            let e = explain("text", text);
            assert_eq!((e.need, e.stop), (Some(need), None), "{text}");
        }
        for text in [
            "level=info time=2024-01-15T10:00:00Z msg=\"Error removing container, container already removed\" error=\"tried to kill container\"",
            "level=error time=2024-01-15T10:00:00Z msg=\"Error Removing Container ID 6c3f - Error response from daemon: No such container: 6c3f\"",
            "level=info time=2024-01-15T10:00:00Z msg=\"Successfully fetched task metadata from http://169.254.170.2/v4/0a1b/task\"",
        ] {
            let e = explain("text", text);
            assert_eq!(e.stop, None, "{text}");
        }
        let e = explain(
            "text",
            "CannotStopContainerError: Error response from daemon: cannot stop container: 4b9c: tried to kill container, but did not receive an exit event",
        );
        assert_eq!((e.need, e.stop), (None, Some(Stop::ContainerRuntime)));
        // A full disk is the disk whatever failed on it; a mount source cut inside a
        // runtime path is the runtime's, a named volume the task's.
        for (text, stop) in [
            (
                "CannotCreateContainerError: Error response from daemon: error creating overlay mount to /var/lib/docker/overlay2/abc/merged: no space left on device",
                Stop::DiskFull,
            ),
            (
                "CannotStartContainerError: API error (500): starting container process caused \"rootfs_linux.go:53: mounting \\\"/var/lib/ecs/deps/execute-com",
                Stop::Entrypoint,
            ),
            (
                "CannotStartContainerError: API error (500): rootfs_linux.go:53: mounting \"/var/lib/docker/volumes/data/_data\" to rootfs \"/x\" at \"/data\" caused \"not a directory\"",
                Stop::Volume,
            ),
        ] {
            assert_eq!(explain("text", text).stop, Some(stop), "{text}");
        }
    }

    /// What the session's new readings must leave alone (a review's strings): the
    /// pause container failing for its network interface is that stop; a layer's tar
    /// stream ending early is the disk or the image; a reset at the agent's plain-HTTP
    /// endpoint is the credentials source; "OOMKilled false" is no OOM; a platform is no
    /// Docker Hub image; an operator's ECS call is no container's.
    #[test]
    fn new_readings_leave_their_neighbours_alone() {
        let e = explain(
            "text",
            "[ERROR] Managed task [arn:aws:ecs:us-east-1:111122223333:task/c/0a1b]: error transitioning container [~internal~ecs~pause] to [RESOURCES_PROVISIONED]: container resource provisioning: failed to setup network namespace: timed out waiting for ENI attachment",
        );
        assert_eq!((e.need, e.stop), (None, Some(Stop::NetworkInterface)));
        let e = explain(
            "text",
            "CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): unexpected EOF",
        );
        assert!(
            e.findings
                .iter()
                .chain(&e.candidates)
                .all(|f| f.code.as_str() != "tls.handshake_failed")
        );
        let e = explain(
            "text",
            "Get \"http://169.254.170.2/v2/credentials/0a1b2c3d\": read tcp 172.17.0.2:41234->169.254.170.2:80: read: connection reset by peer",
        );
        assert_eq!(e.findings[0].code.as_str(), "auth.credentials_error");
        assert_ne!(e.findings[0].hop, Some(HopKind::Tls));
        let e = explain(
            "text",
            "Essential container in task exited (exit code 137; OOMKilled false)",
        );
        assert_eq!(e.stop, Some(Stop::ApplicationExit));
        let e = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref for linux/amd64: app:v3: not found",
        );
        assert!(!e.findings[0].hint.contains("Docker Hub"));
        let e = explain(
            "text",
            "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error.",
        );
        assert_ne!(e.stop, Some(Stop::ContainerCall));
    }

    /// ECS Exec's failures (the agent's managed-agent reasons, the ExecuteCommand API's
    /// answers) are a running task's: a stop of their own kind, no start-up need, the
    /// Session Manager path and the task role in where to look.
    #[test]
    fn ecs_exec_is_a_running_task_s_not_a_start_up_step() {
        for text in [
            "unable to start ExecuteCommandAgent [pre-start]: no valid versions were found in /var/lib/ecs/deps/execute-command/bin",
            "ExecuteCommandAgent process exited with exit code: 1",
            "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later.",
            "An error occurred (InvalidParameterException) when calling the ExecuteCommand operation: The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running. Wait and try the command again or run a new task with execute command enabled and try again.",
        ] {
            let e = explain("text", text);
            assert_eq!((e.need, e.stop), (None, Some(Stop::Exec)), "{text}");
            assert!(e.findings.is_empty() && e.candidates.is_empty(), "{text}");
        }
        let look = Stop::Exec.look();
        assert!(look.contains("ssmmessages") && look.contains("taskRoleArn"));
    }

    /// The review of this session's readings (/work/review29): each new reading keeps
    /// off its neighbours. ECS Exec's and the runbook's words yield to a reason's step
    /// or error name; the agent's own metadata reads are the agent's; a KMS refusal
    /// quoted by another service is not Secrets Manager's; EIO on a network file system,
    /// an app's "[error] [config]" and stunnel's own failure keep their answers.
    #[test]
    fn the_session_s_new_readings_keep_off_their_neighbours() {
        let answer = |text: &str| {
            let e = explain("text", text);
            let code = e.findings.first().map(|f| f.code.as_str());
            (e.need, e.stop, code)
        };
        type Answer = (Option<Need>, Option<Stop>, Option<&'static str>);
        let cases: &[(&str, Answer)] = &[
            (
                "CannotPullContainerError: Error response from daemon: pull access denied for amazon/amazon-ssm-agent, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
                (Some(Need::ImagePull), None, Some("registry.name_unknown")),
            ),
            (
                "level=info time=2024-01-01T00:00:00Z msg=\"Managed agent ExecuteCommandAgent enabled for task\" task=\"abc\" level=error msg=\"Error transitioning container\" error=\"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1: failed to do request: dial tcp 10.0.1.5:443: i/o timeout\"",
                (Some(Need::ImagePull), None, Some("tcp.timeout")),
            ),
            (
                "Your Spot Task was interrupted. ExecuteCommandAgent",
                (None, Some(Stop::SpotInterruption), None),
            ),
            (
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed caused by: Post \"https://secretsmanager.eu-west-1.amazonaws.com/\": dial tcp 10.0.3.4:443: i/o timeout. The route table rtb-0a1b associated with Task Subnet subnet-0a1b does not have network access either via Internet Gateway or Nat Gateway.",
                (Some(Need::Secrets), None, Some("tcp.timeout")),
            ),
            (
                "The registry domain [ghcr.io] encountered socket connection failure for DNS Resolved IP(s) ['140.82.112.33'] with same network settings used by ECS / Fargate Agent.",
                (Some(Need::ImagePull), None, Some("config.not_ecr")),
            ),
            (
                "KMSAccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/abc is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/abc",
                (None, None, None),
            ),
            (
                "level=info msg=\"exec /bin/sh -c /usr/local/bin/backup.sh started\" level=error msg=\"backup failed\" error=\"write /mnt/efs/backup.tar: input/output error\"",
                (None, None, None),
            ),
            (
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to initialize TLS tunnel for fs-0123456789abcdef0. stunnel: Connection timed out (errno 110) connecting to 127.0.0.1:20049 : unsuccessful EFS utils command execution; code: 1",
                (Some(Need::Volumes), None, Some("efs.tls_tunnel")),
            ),
            (
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection reset by peer Failed to initialize TLS tunnel for fs-0123456789abcdef0 : unsuccessful EFS utils command execution; code: 32",
                (Some(Need::Volumes), None, Some("efs.unreachable")),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(answer(text), *want, "{text}");
        }
        let agent = explain(
            "text",
            "level=critical time=2024-01-01T00:00:00Z msg=\"Unable to initialize new task engine\" error=\"ec2metadata: failed to get instance identity document: Get http://169.254.169.254/latest/dynamic/instance-identity/document: dial tcp 169.254.169.254:80: i/o timeout\"",
        );
        assert_eq!((agent.need, agent.stop), (Some(Need::Agent), None));
        let app = explain(
            "text",
            "Essential container in task exited. app: 2024-01-01T00:00:00Z [error] [config] failed to load /etc/app/settings.yaml: no such key 'db'",
        );
        assert!(
            app.findings
                .iter()
                .all(|f| f.code != code!("logs.firelens_config"))
        );
    }

    /// A call signed by an EC2 instance's role (session `i-…`) is the container's
    /// software missing the task role, unless it is an action the instance role makes
    /// at start-up on EC2 (ECR's pull, the awslogs driver); a task role's own denial in
    /// botocore's words stays the container's call.
    #[test]
    fn an_instance_role_s_signature_is_the_task_role_not_taken() {
        let used = |text: &str| {
            let e = explain("text", text);
            (e.need, e.stop, e.findings.first().map(|f| f.code.as_str()))
        };
        let instance = (Some(Need::Agent), None, Some("auth.instance_role_used"));
        assert_eq!(
            used(
                "AccessDenied: User: arn:aws:sts::XXXXXXXXX:assumed-role/ecsInstanceRole/i-XXXXXXX is not authorized to perform: cloudwatch:ListMetrics"
            ),
            instance
        );
        assert_eq!(
            used(
                "An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::111122223333:assumed-role/app-EcsInstanceRole/i-081cc40f40abe42cd is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:111122223333:parameter/app/db"
            ),
            instance
        );
        assert_eq!(
            used(
                "An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::111122223333:assumed-role/app-task-role/0a1b2c3d is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-west-2:111122223333:parameter/app/db"
            ),
            (None, Some(Stop::ContainerCall), None)
        );
        let pull = explain(
            "text",
            "CannotPullContainerError: Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0abc12345678 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/app",
        );
        assert_eq!(pull.need, Some(Need::ImagePull));
        // The second review's neighbours (/work/review29b): a step, an error name or a
        // stop keeps its answer; the agent's and the instance's daemons' own calls are
        // not the container's software.
        let keeps: &[(&str, Option<Need>, Option<Stop>)] = &[
            (
                "CannotPullContainerError: Error response from daemon: Get \"https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/abc\": AccessDenied: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0abc1234567890def is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::prod-us-east-1-starport-layer-bucket/abc because no VPC endpoint policy allows the s3:GetObject action",
                Some(Need::ImagePull),
                None,
            ),
            (
                "CannotPullContainerError: Error response from daemon: Get \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/latest\": InvalidClientTokenId: The security token included in the request is invalid.",
                Some(Need::ImagePull),
                None,
            ),
            (
                "ResourceInitializationError: unable to pull secrets or registry auth: MissingAuthenticationToken: Request is missing Authentication Token",
                Some(Need::RegistryAuth),
                None,
            ),
            (
                "Essential container in task exited. An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0abc1234567890def is not authorized to perform: s3:PutObject",
                None,
                Some(Stop::ApplicationExit),
            ),
            (
                "AccessDenied: User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0abc12345678 is not authorized to perform: ecs:RegisterContainerInstance",
                None,
                None,
            ),
            // The agent's own connection to ECS (its need, service `ecs`), not the
            // container's credentials.
            (
                "level=error msg=\"Unable to discover poll endpoint\" error=\"MissingAuthenticationToken: Request is missing Authentication Token\"",
                Some(Need::Agent),
                None,
            ),
        ];
        for (text, need, stop) in keeps {
            let e = explain("text", text);
            assert_eq!((e.need, e.stop), (*need, *stop), "{text}");
            assert_ne!(e.service, Some(vocabulary::CREDENTIALS), "{text}");
        }
        let bridge = explain(
            "text",
            "ResourceInitializationError: failed to configure ENI: failed to setup network namespace: bridge ipam ADD: failed to execute plugin: ecs-bridge: unable to setup veth pair for interface: exchange full",
        );
        assert_eq!(bridge.findings[0].code, code!("agent.task_network"));
    }

    /// A pull of one of AWS's own sidecar images says what its feature needs, in each
    /// cause and candidate; the user's own images get no such words.
    #[test]
    fn aws_sidecar_images_say_what_their_feature_needs() {
        let envoy = explain(
            "text",
            "CannotPullContainerError: Error response from daemon: pull access denied for 840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy, repository does not exist or may require 'docker login'",
        );
        assert_eq!(envoy.need, Some(Need::RegistryAuth));
        assert!(!envoy.candidates.is_empty());
        assert!(envoy.candidates.iter().all(|c| {
            c.hint
                .contains("arn:aws:ecr:us-west-2:<that account>:repository/aws-appmesh-envoy")
        }));
        let guard = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 593207742271.dkr.ecr.us-east-1.amazonaws.com/aws-guardduty-agent-fargate:v1.8.0-Fg_x86_64: failed to do request: Head \"https://593207742271.dkr.ecr.us-east-1.amazonaws.com/v2/aws-guardduty-agent-fargate/manifests/v1.8.0-Fg_x86_64\": dial tcp 10.0.1.5:443: i/o timeout",
        );
        assert_eq!(guard.findings[0].code, code!("tcp.timeout"));
        assert!(
            guard.findings[0]
                .hint
                .contains("GuardDuty Runtime Monitoring")
        );
        let own = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/aws-guardduty-agent-fargate-copy:v1: failed to do request: Head \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/aws-guardduty-agent-fargate-copy/manifests/v1\": dial tcp 10.0.1.5:443: i/o timeout",
        );
        assert!(!own.findings[0].hint.contains("GuardDuty"));
    }

    /// A registry outside ECR private has no endpoint service: the answer names none,
    /// while ECR's own pulls keep theirs.
    #[test]
    fn a_registry_outside_ecr_names_no_endpoint_service() {
        let hub = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/nginx:latest: failed to do request: Head \"https://registry-1.docker.io/v2/library/nginx/manifests/latest\": dial tcp 54.236.113.205:443: i/o timeout",
        );
        assert_eq!((hub.need, hub.service), (Some(Need::ImagePull), None));
        assert!(hub.findings.iter().all(|f| f.service.is_none()));
        let ecr = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1: failed to do request: Head \"https://111122223333.dkr.ecr.eu-west-1.amazonaws.com/v2/app/manifests/v1\": dial tcp 10.0.1.5:443: i/o timeout",
        );
        assert_eq!(ecr.service, Some("ecr.dkr"));
    }

    /// botocore's ClientError is Python's: outside any step's words it is the
    /// container's own call (a stop, no need); a call to ECS's own API is a caller's
    /// refusal; efs-utils' own calls stay in their step.
    #[test]
    fn botocore_s_words_are_the_container_s_own_call() {
        let own = explain(
            "text",
            "An error occurred (AccessDeniedException) when calling the GetParameters operation: User: arn:aws:sts::111122223333:assumed-role/task-role/0a1b is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/app/db",
        );
        assert_eq!((own.need, own.stop), (None, Some(Stop::ContainerCall)));
        assert!(own.findings.is_empty() && own.candidates.is_empty());
        let api = explain(
            "text",
            "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Invalid arn syntax.",
        );
        assert_eq!(api.stop, Some(Stop::ApiRefused));
        let efs = explain(
            "text",
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: An error occurred (AccessDeniedException) when calling the DescribeMountTargets operation: User: arn:aws:sts::111122223333:assumed-role/task-role/0a1b is not authorized to perform: elasticfilesystem:DescribeMountTargets : unsuccessful EFS utils command execution; code: 1",
        );
        assert_eq!(efs.need, Some(Need::Volumes));
    }

    /// A Secrets Manager ARN without its 6-character suffix is partial, and the hint
    /// says so; a poster's stand-in is not judged. An image naming no registry is
    /// Docker Hub's, whose "not found" also hides a private repository.
    #[test]
    fn what_the_names_themselves_say() {
        let not_found = |arn: &str| {
            explain(
                "text",
                &format!(
                    "Fetching secret data from AWS Secrets Manager in region us-east-1: secret {arn}: ResourceNotFoundException: Secrets Manager can't find the specified secret. status code: 400"
                ),
            )
        };
        let partial =
            not_found("arn:aws:secretsmanager:us-east-1:111122223333:secret:my-name-with-dash");
        assert_eq!(partial.findings[0].code.as_str(), "service.not_found");
        assert!(partial.findings[0].hint.contains("a partial ARN"));
        for full in [
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:my-name-with-dash-Ab12Cd",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:{name}",
        ] {
            assert!(
                !not_found(full).findings[0].hint.contains("partial"),
                "{full}"
            );
        }
        let hub = explain(
            "text",
            "CannotPullContainerError: Error: image myorg/platform:latest not found",
        );
        assert!(
            hub.findings[0]
                .hint
                .contains("names no registry: if the task definition's")
        );
        let hidden = explain(
            "text",
            "CannotPullContainerError: Error: image xxxx/platform:latest not found",
        );
        assert!(!hidden.findings[0].hint.contains("Docker Hub"));
    }

    /// AWS's older AccessDenied wording names no policy: the role's own policies come
    /// first in the hint, and a session named by an instance id is the instance's role.
    #[test]
    fn a_denial_that_names_no_policy() {
        let old = |principal: &str| {
            format!(
                "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/{principal} is not authorized to perform: ecr:GetAuthorizationToken on resource: * status code: 400, request id: 0a1b"
            )
        };
        let e = explain("text", &old("shop-exec/4f2d1c9e"));
        assert_eq!(e.findings[0].code.as_str(), "auth.denied");
        assert!(
            e.findings[0]
                .hint
                .contains("Most often the role's own policies lack ecr:GetAuthorizationToken")
        );
        let e = explain("text", &old("ecsInstanceRole/i-0a1b2c3d4e5f60718"));
        assert!(
            e.findings[0]
                .hint
                .contains("AmazonEC2ContainerRegistryReadOnly to it")
        );
        // A message that names the policy keeps its own words only.
        let named = explain(
            "text",
            "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/shop-exec/1 is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no VPC endpoint policy allows the ecr:GetAuthorizationToken action",
        );
        assert!(!named.findings[0].hint.contains("Most often"));
    }

    /// A 403 to a HEAD request has no body: ECR's reason is not in the text, and a tag
    /// the repository lacks is among what it may be. A registry's `invalid_token`
    /// (RFC 6750) for a public image is the registry's side.
    #[test]
    fn what_a_bodiless_or_token_refusal_leaves_open() {
        let head = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v9: unexpected status from HEAD request to https://111122223333.dkr.ecr.eu-west-1.amazonaws.com/v2/app/manifests/v9: 403 Forbidden",
        );
        assert_eq!(head.findings[0].code.as_str(), "registry.denied");
        assert!(head.findings[0].hint.contains("describe-images"));
        let get = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v9: pull access denied, repository does not exist or may require authorization: server message: denied: User: arn:aws:sts::111122223333:assumed-role/exec/1 is not authorized to perform: ecr:BatchGetImage",
        );
        assert!(!get.findings[0].hint.contains("describe-images"));
        let hub = explain(
            "text",
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/library/nginx:1.27: pull access denied, repository does not exist or may require authorization: server message: invalid_token: authorization failed",
        );
        assert_eq!(hub.need, Some(Need::ImagePull));
        assert!(
            hub.findings[0].hint.starts_with(
                "the registry refused the token its own token service had just issued"
            )
        );
    }

    /// botocore's words for the container credentials endpoint name the agent's
    /// endpoint and confirm with a call signed by those credentials.
    #[test]
    fn botocore_container_role_failures() {
        let e = explain(
            "text",
            "botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials from container-role: Error retrieving metadata: Received non 200 response (400) from ECS metadata: {\"code\": \"InvalidIdInRequest\"}",
        );
        assert_eq!(e.need, Some(Need::Agent));
        assert_eq!(e.service, Some(vocabulary::CREDENTIALS));
        let f = &e.findings[0];
        assert_eq!(f.code.as_str(), "auth.credentials_error");
        assert_eq!(f.hop, Some(HopKind::Credentials));
        assert_eq!(f.confirm, ["--check", "sts"]);
    }

    /// Secrets Manager's ResourceNotFoundException for a version ("… secret value for
    /// VersionStage: X", "… staging label: X", "… VersionId: X") is the probe's own
    /// version_missing, with the version in the confirm so DescribeSecret checks it;
    /// the secret itself missing stays service.not_found, and the SDK's validation of a
    /// VersionId that got a JSON key (valueFrom's colons) stays json_key_missing.
    #[test]
    fn a_missing_version_is_not_a_missing_secret() {
        const ARN: &str = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf";
        let asm = format!(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {ARN} from secrets manager: "
        );
        for (tail, code, version) in [
            (
                "ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionStage: AWSPENDING",
                "secrets.version_missing",
                "::AWSPENDING:",
            ),
            (
                "ResourceNotFoundException: Secrets Manager can’t find the specified secret value for staging label: AWSCURRENT",
                "secrets.version_missing",
                "::AWSCURRENT:",
            ),
            (
                "ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionId: 0123abcd-0000-1111-2222-333344445555",
                "secrets.version_missing",
                ":::0123abcd-0000-1111-2222-333344445555",
            ),
            (
                "ResourceNotFoundException: Secrets Manager can't find the specified secret.",
                "service.not_found",
                "",
            ),
            (
                "InvalidParameter: 1 validation error(s) found. - minimum field size of 32, GetSecretValueInput.VersionId.",
                "secrets.json_key_missing",
                "",
            ),
            (
                "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.",
                "secrets.pending_deletion",
                "",
            ),
        ] {
            let e = explain("text", &format!("{asm}{tail}"));
            let f = &e.findings[0];
            assert_eq!(
                (e.need, f.code.as_str()),
                (Some(Need::Secrets), code),
                "{tail}"
            );
            assert_eq!(
                f.confirm[..2],
                [
                    "--check".to_string(),
                    format!("secretsmanager={ARN}{version}")
                ],
                "{tail}"
            );
        }
        // The version the probe checks is the one the message names, also when only
        // the valueFrom (with its JSON key, stage and id) is in the text.
        let e = explain(
            "text",
            &format!(
                "trying to retrieve secret with value {ARN}:password:AWSPREVIOUS: resulted in error: secret {ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionStage: AWSPREVIOUS"
            ),
        );
        assert_eq!(
            e.findings[0].confirm[1],
            format!("secretsmanager={ARN}::AWSPREVIOUS:")
        );
        // The probe's DescribeSecret reports it: the Service hop.
        assert_eq!(e.findings[0].hop, Some(HopKind::Service));
    }

    /// A step's words decide the need; the SDK's call and the credentials endpoint only
    /// when no step is named: a logging driver that cannot get credentials is the log
    /// driver's, an application's SDK call is the agent's endpoint, and the agent's
    /// per-secret error on EC2 (no step, an ARN and GetSecretValue) is the secret's.
    #[test]
    fn a_step_decides_the_need_before_the_call() {
        let refused = "get identity: get credentials: failed to refresh cached credentials, failed to load credentials, exceeded maximum number of attempts, 3, request send failed, Get \"http://169.254.170.2/v2/credentials/x\": dial tcp 169.254.170.2:80: connect: connection refused";
        let logs = explain(
            "text",
            &format!(
                "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, {refused}"
            ),
        );
        assert_eq!(
            (logs.need, logs.findings[0].code.as_str()),
            (Some(Need::Logs), "auth.credentials_error")
        );
        let app = explain("text", &format!("operation error S3: GetObject, {refused}"));
        assert_eq!(
            (app.need, app.service, app.findings[0].code.as_str()),
            (
                Some(Need::Agent),
                Some(vocabulary::CREDENTIALS),
                "auth.credentials_error"
            )
        );
        assert_eq!(app.findings[0].confirm, ["--check", "sts"]);
        // FireLens's S3 client for its own bucket stays FireLens's; the env file's is S3.
        let firelens = explain(
            "text",
            "Unable to download firelens s3 config file: unable to initialize s3 client for bucket logs-cfg: bucket not found",
        );
        assert_eq!(
            (firelens.need, firelens.service),
            (Some(Need::Logs), Some("s3"))
        );
        let env = explain(
            "text",
            "unable to initialize s3 client for bucket app-cfg, error: bucket not found",
        );
        assert_eq!(
            (env.need, env.findings[0].code.as_str()),
            (Some(Need::EnvFiles), "envfile.not_found")
        );
        assert_eq!(
            env.findings[0].confirm,
            ["--task-definition", "<task-definition.json>"]
        );
    }

    /// A denial of logs:CreateLogGroup is the execution role's: no hop of the pull
    /// path names it, and the probe's Logs hop (its own DescribeLogGroups) does not see it.
    #[test]
    fn a_logs_denial_names_no_pull_hop() {
        let e = explain(
            "text",
            "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log group: operation error CloudWatch Logs: CreateLogGroup, https response error StatusCode: 400, RequestID: x, api error AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/exec/abc is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app:log-stream: because no identity-based policy allows the logs:CreateLogGroup action",
        );
        let f = &e.findings[0];
        assert_eq!(f.code.as_str(), "auth.denied_identity_policy");
        assert_eq!(f.hop, None);
        assert_eq!(f.confirm, ["--check", "logs", "--region", "eu-west-1"]);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let long = "CannotPullContainerError: ".to_string() + &"x".repeat(2_000_000);
        let e = explain("text", &long);
        assert!(e.text.chars().count() <= 1025);
        assert!(explain_input(&long).len() == 1);
        assert!(explain("text", "\u{1b}[2J").findings.is_empty());
    }
}

/// The corpus: real reasons users posted, each with its source and what explain must
/// say (tests/fixtures/explain/README.md).
#[cfg(test)]
mod corpus {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Expect {
        need: Option<Need>,
        code: Option<String>,
        truncated: bool,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        id: String,
        text: String,
        source: String,
        expect: Expect,
    }

    fn cases() -> Vec<Case> {
        serde_json::from_str(include_str!("../../tests/fixtures/explain/corpus.json")).unwrap()
    }

    #[test]
    fn every_real_reason_gets_the_threads_cause() {
        let cases = cases();
        assert!(cases.len() >= 30, "the corpus has {} strings", cases.len());
        let mut wrong = Vec::new();
        for c in &cases {
            assert!(c.source.starts_with("https://"), "{}: no source", c.id);
            let e = explain("text", &c.text);
            let got = (
                e.need,
                e.findings.first().map(|f| f.code.as_str().to_string()),
                e.truncated,
            );
            let want = (c.expect.need, c.expect.code.clone(), c.expect.truncated);
            if got != want {
                wrong.push(format!("{}: got {got:?}, want {want:?}", c.id));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Every pattern in the catalogue is used by a real reason or, for the few the
    /// corpus lacks, by `reasons_the_corpus_lacks`: no dead pattern.
    #[test]
    fn every_pattern_is_exercised() {
        let extra = [
            "no such host",
            "connection refused",
            "x509: certificate signed by unknown authority",
            "ghcr.io",
            "gcr.io",
            "registry.k8s.io",
            "mcr.microsoft.com",
            "public.ecr.aws",
        ];
        let mut texts: Vec<String> = cases()
            .iter()
            .map(|c| c.text.to_ascii_lowercase())
            .collect();
        // ECR's own error texts as the docker client renders them (tests/fixtures/real/ecr).
        for t in [
            include_str!("../../tests/fixtures/real/ecr/name-unknown.docker.txt"),
            include_str!("../../tests/fixtures/real/ecr/manifest-unknown.docker.txt"),
            include_str!("../../tests/fixtures/real/ecr/denied-batchgetimage-identity.docker.txt"),
        ] {
            texts.push(t.to_ascii_lowercase());
        }
        texts.extend(
            super::tests::FROM_THE_SOURCES
                .iter()
                .map(|(t, _)| t.to_ascii_lowercase()),
        );
        // The agent's and Fargate's templates, filled (tests/fixtures/explain/templates.json).
        let templates: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../tests/fixtures/explain/templates.json"))
                .unwrap();
        texts.extend(
            templates
                .iter()
                .filter_map(|t| t["text"].as_str())
                .map(str::to_ascii_lowercase),
        );
        let mut dead = Vec::new();
        for row in CATALOGUE {
            for p in row.stopped_reasons {
                let used = texts.iter().any(|t| glob(t, p)) || extra.contains(p);
                if !used {
                    dead.push(format!("{}: pattern {p:?} matches no reason", row.code));
                }
            }
        }
        assert!(dead.is_empty(), "{}", dead.join("\n"));
    }
}

/// The share answered on the corpus and on the part kept out of sight while the
/// grammar and vocabulary were written (tests/fixtures/explain/heldout.json). Prints
/// the figures only (`--nocapture`), not the strings, so running it does not show the
/// held-out texts; the corpus README records them.
#[cfg(test)]
mod measure {
    use super::*;

    fn share(json: &str) -> (usize, usize, usize) {
        let cases: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
        let (mut need, mut both) = (0, 0);
        for c in &cases {
            let e = explain("text", c["text"].as_str().unwrap_or(""));
            let want_need = c["expect"]["need"].as_str();
            let want_code = c["expect"]["code"].as_str();
            let got_need = e.need.map(|n| n.as_str());
            let got_code = e.findings.first().map(|f| f.code.as_str());
            if got_need == want_need {
                need += 1;
                if got_code == want_code {
                    both += 1;
                }
            }
        }
        (cases.len(), need, both)
    }

    #[test]
    fn dev_and_held_out_shares() {
        let dev = share(include_str!("../../tests/fixtures/explain/corpus.json"));
        let held = share(include_str!("../../tests/fixtures/explain/heldout.json"));
        let second = share(include_str!(
            "../../tests/fixtures/explain/heldout-second.json"
        ));
        let third = share(include_str!(
            "../../tests/fixtures/explain/heldout-third.json"
        ));
        println!(
            "held-out, third part: {} strings, need right {}, need+code right {}",
            third.0, third.1, third.2
        );
        println!(
            "held-out, second part: {} strings, need right {}, need+code right {}",
            second.0, second.1, second.2
        );
        println!(
            "dev: {} strings, need right {}, need+code right {}",
            dev.0, dev.1, dev.2
        );
        println!(
            "held-out: {} strings, need right {}, need+code right {}",
            held.0, held.1, held.2
        );
        assert_eq!(
            dev.0, dev.2,
            "every corpus string gets its thread's need and code"
        );
        assert!(held.0 >= 10);
    }
}

#[cfg(test)]
mod legacy_layer_host {
    use super::*;

    /// The S3 layer path on the legacy global host, its query cut off (the issue's
    /// wording): the need and the S3 service, cut, and the S3 candidates first.
    #[test]
    fn a_cut_starport_url_gets_the_s3_candidates() {
        let e = explain(
            "text",
            "CannotPullContainerError: error pulling image configuration: Get https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/6a1d-111122223333-2f9c/0123?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential",
        );
        assert_eq!(e.need, Some(Need::ImagePull));
        assert_eq!(e.service, Some("s3"));
        assert!(e.truncated);
        assert!(e.findings.is_empty());
        assert_eq!(e.region.as_deref(), Some("us-east-1"));
        let codes: Vec<&str> = e.candidates.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            ["tcp.timeout", "layer.access_denied", "layer.url_expired"]
        );
        assert!(
            e.candidates[0].hint.contains("S3 gateway endpoint"),
            "{}",
            e.candidates[0].hint
        );
    }
}

/// EFS volumes in every way their failure reaches a reason: Fargate's efs-utils
/// invocation and, on EC2, Docker's call to the ECS volume plugin; each from the
/// source that writes it (aws/efs-utils, aws/amazon-ecs-init, moby: templates.json).
#[cfg(test)]
mod efs_volumes {
    use super::*;

    const PLUGIN: &str = "Error response from daemon: create ecs-app-1-data-0a1b: VolumeDriver.Create: mounting volume failed: ";
    const FARGATE: &str = "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: ";

    fn one(text: &str) -> Finding {
        let e = explain("text", text);
        assert_eq!(e.need, Some(Need::Volumes), "{text}");
        assert_eq!(e.findings.len(), 1, "{text}: {:?}", e.candidates);
        e.findings[0].clone()
    }

    /// The same efs-utils words name the same cause through either carrier.
    #[test]
    fn efs_utils_words_through_both_carriers() {
        let cases = [
            (
                "Error retrieving region. Please set the \"region\" parameter in the efs-utils configuration file or specify it as a mount option.",
                "efs.utils_config",
            ),
            (
                "Failed to initialize tunnel for fs-0a1b2c3d, please check mount.log for the failure reason.",
                "efs.tls_tunnel",
            ),
            (
                "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
                "efs.mount_refused",
            ),
            (
                "b'mount.nfs4: mounting fs-0a1b2c3d.efs.eu-west-1.amazonaws.com:/data failed, reason given by server: No such file or directory'",
                "efs.path_missing",
            ),
            (
                "b'mount.nfs4: mounting fs-0a1b2c3d.efs.eu-west-1.amazonaws.com:/data failed, reason given by server: Permission denied'",
                "efs.mount_refused",
            ),
            (
                "Mount attempt 1/3 failed due to b'mount.nfs4: Connection reset by peer\\n', wait 1 sec before next attempt.",
                "efs.unreachable",
            ),
            (
                "Failed to resolve \"fs-0a1b2c3d.efs.eu-west-1.amazonaws.com\" - check that your file system ID is correct.",
                "efs.dns_failed",
            ),
        ];
        for (words, code) in cases {
            for carrier in [PLUGIN, FARGATE] {
                let text = format!("{carrier}{words}");
                let f = one(&text);
                assert_eq!(f.code.as_str(), code, "{text}");
                // EFS speaks NFS from the host or Fargate's platform: no hop of the
                // probe shows it, and no cause is one the probe reports.
                assert_eq!(f.hop, None, "{text}");
                assert!(!f.code.info().probed, "{text}");
            }
        }
    }

    /// The plugin missing or not running is software on the instance: its own cause,
    /// no hop, and no network candidate (the socket's "no such file or directory" is
    /// not a missing root directory).
    #[test]
    fn a_missing_plugin_is_no_network_hop() {
        for text in [
            "Error response from daemon: create ecs-app-1-data-0a1b: error looking up volume plugin amazon-ecs-volume-plugin: plugin \"amazon-ecs-volume-plugin\" not found",
            "Error response from daemon: create ecs-app-1-data-0a1b: Post \"http://%2Frun%2Fdocker%2Fplugins%2Famazon-ecs-volume-plugin.sock/VolumeDriver.Create\": dial unix /run/docker/plugins/amazon-ecs-volume-plugin.sock: connect: no such file or directory",
        ] {
            let e = explain("text", text);
            assert_eq!(e.need, Some(Need::Volumes), "{text}");
            assert!(e.candidates.is_empty(), "{text}");
            let f = &e.findings[0];
            assert_eq!((f.code.as_str(), f.hop), ("efs.volume_plugin", None));
        }
        // A plugin that answered too late hung on the mount: the path to 2049.
        let late = one(
            "Error response from daemon: create x: Post \"http://%2Frun%2Fdocker%2Fplugins%2Famazon-ecs-volume-plugin.sock/VolumeDriver.Create\": context deadline exceeded",
        );
        assert_eq!(late.code.as_str(), "efs.unreachable");
        // Another volume driver is not EFS at all.
        let legacy = explain(
            "text",
            "Error response from daemon: create vol: VolumeDriver.Create: docker-legacy: Create: vol: failed: error getting volume",
        );
        assert_eq!(legacy.need, None);
    }

    /// A bare exit status is the mount command's: 32 from mount.nfs (the name resolved,
    /// the server answered or not), 1 from efs-utils' own fatal errors (mount.nfs never
    /// ran): each keeps to its own candidates.
    #[test]
    fn a_bare_exit_status_orders_the_candidates() {
        let codes = |text: &str| -> Vec<&'static str> {
            let e = explain("text", text);
            assert_eq!(e.need, Some(Need::Volumes), "{text}");
            assert!(e.findings.is_empty(), "{text}: {:?}", e.findings);
            assert!(e.candidates.iter().all(|c| c.hop.is_none()));
            e.candidates.iter().map(|f| f.code.as_str()).collect()
        };
        let nfs = ["efs.unreachable", "efs.mount_refused", "efs.path_missing"];
        assert_eq!(codes(&format!("{PLUGIN}exit status 32")), nfs);
        assert_eq!(
            codes(&format!(
                "{FARGATE}: unsuccessful EFS utils command execution; code: 32"
            )),
            nfs
        );
        assert_eq!(
            codes(&format!("{PLUGIN}exit status 1")),
            ["efs.dns_failed", "efs.utils_config", "efs.tls_tunnel"]
        );
        // No status: every cause, the network first.
        assert_eq!(
            codes(FARGATE),
            [
                "efs.unreachable",
                "efs.dns_failed",
                "efs.mount_refused",
                "efs.path_missing"
            ]
        );
        assert_eq!(exit_status("code: 32"), None);
        assert_eq!(exit_status("exit status 32"), Some(32));
        assert_eq!(exit_status("exit status x"), None);
    }

    /// The confirm names the file system the text gave.
    #[test]
    fn the_confirm_names_the_file_system() {
        let f = one(&format!(
            "{FARGATE}b'mount.nfs4: mounting fs-0a1b2c3d.efs.eu-west-1.amazonaws.com:/data failed, reason given by server: No such file or directory'"
        ));
        assert_eq!(
            f.confirm,
            ["--check", "efs=fs-0a1b2c3d", "--region", "eu-west-1"]
        );
    }
}
