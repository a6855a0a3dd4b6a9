//! The plan of a run, as data: the hosts to probe ([`Target`]) and the table of
//! [`Step`]s — what each step does, on which target, which steps it waits for and what
//! it hands on. Built once, before any hop, from the configuration and what the run
//! observed (`facts.rs`); run by the generic executor in `exec.rs`.
//! `vpce-probe --explain-plan` prints it (`render.rs`).
//!
//! Its parts: which hosts ([`targets`]), which steps on them ([`table`]), the table as
//! text ([`render`]). Adding an endpoint check is a row: a service in `aws.rs` becomes a
//! [`Target`] here, which gets its dns → tcp → tls chain, and its API call step when
//! the service has one.

pub mod render;
pub mod table;
pub mod targets;

use std::net::SocketAddr;

use ipnet::IpNet;

use crate::aws::{Call, Service};
use crate::config::Config;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::LaunchType;
use crate::provenance::EndpointSource;

use crate::hop_kind::HopKind;
pub use render::render;

/// A host the probe resolves, connects to and handshakes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: Service,
    /// Which endpoint of the service this is (see [`Target::name`]).
    pub role: Role,
    pub host: String,
    pub port: u16,
    /// The region whose endpoint this is.
    pub region: String,
    /// Interface endpoint names must resolve inside the VPC; S3 with a gateway
    /// endpoint keeps its public addresses (docs/aws-facts.md#s3-gateway-public-dns).
    pub expect_private: bool,
    /// The chain ends with a TLS handshake (not for NFS).
    pub tls: bool,
    /// The signed call that proves the endpoint serves, when there is one.
    pub call: Option<Call>,
    /// What the call names: secret ARNs, parameter names, a key id, a cluster.
    pub call_args: Vec<String>,
    pub source: EndpointSource,
}

/// Which endpoint of its service a target is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// The service's endpoint where the run looks for it: the pull's region for ECR
    /// and S3, the task's region for the others (`api`, `logs`, `ssm`).
    Endpoint,
    /// The service's endpoint in another region than the task's (`logs@eu-west-1`).
    Region(String),
    /// One instance of the service: another account's registry (`dkr@<account>`), an
    /// environment file's bucket (`s3:<bucket>`), a file system (`efs:<id>`).
    Instance(String),
    /// The bucket ECR's blob redirects point at (`s3_layer_bucket`).
    LayerBucket,
}

/// The inputs the plan is built from: what the run found before any hop.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub image: ImageRef,
    pub region: String,
    pub logs_region: String,
    pub dns_suffix: String,
    pub dns_servers: Vec<SocketAddr>,
    pub vpc_cidrs: Vec<IpNet>,
    pub custom_resolver: bool,
    /// The task definition's other private ECR images (any region; the plan keeps
    /// the distinct repositories of the pull's region).
    pub other_images: Vec<ImageRef>,
    /// From ECS task metadata: `EC2` or `FARGATE`, and the cluster.
    pub metadata_launch_type: Option<String>,
    pub cluster: Option<String>,
}

/// Everything the steps need, decided before any packet goes to AWS.
#[derive(Debug, Clone)]
pub struct Plan {
    /// None when the image cannot be pulled through ECR private endpoints at all.
    pub image: Option<ImageRef>,
    /// Every repository whose pull path is probed: `image` first, then the task
    /// definition's other private ECR repositories of the same region.
    pub images: Vec<ImageRef>,
    pub region: String,
    pub dns_suffix: String,
    pub dns_servers: Vec<SocketAddr>,
    pub vpc_cidrs: Vec<IpNet>,
    pub custom_resolver: bool,
    /// CloudWatch Logs is the task's own region's (awslogs-region), not the image's.
    pub logs_region: String,
    pub targets: Vec<Target>,
    /// The host ECR's blob redirect is expected to point at.
    pub bucket_host: String,
    /// FARGATE, EC2 or EXTERNAL when known (flag, task definition, task metadata).
    pub launch_type: Option<LaunchType>,
    pub steps: Vec<Step>,
}

impl Target {
    /// `https://host[:port]`: what the SDK calls and the report names.
    pub fn url(&self) -> String {
        crate::config::Endpoint {
            host: self.host.clone(),
            port: self.port,
        }
        .url()
    }

    /// The target's name in step labels and the report (`context.endpoints[].service`):
    /// the service's name, with the region or instance when the role has one.
    pub fn name(&self) -> String {
        match &self.role {
            Role::LayerBucket => "s3_layer_bucket".to_string(),
            _ => format!("{}{}", self.service.name(), self.suffix()),
        }
    }

    /// What a step of this target adds to its service's or call's name: `@<region>`,
    /// `@<account>` (another registry), `:<instance>`, or nothing.
    pub fn suffix(&self) -> String {
        match (&self.role, self.service) {
            (Role::Endpoint | Role::LayerBucket, _) => String::new(),
            (Role::Region(region), _) => format!("@{region}"),
            (Role::Instance(account), Service::Dkr) => format!("@{account}"),
            (Role::Instance(id), _) => format!(":{id}"),
        }
    }

    /// The service's own endpoint (not another region's or an instance).
    pub fn is_endpoint_of(&self, service: Service) -> bool {
        self.service == service && self.role == Role::Endpoint
    }
}

impl Plan {
    /// The hop ids of the chains of the targets `pick` chooses and (with `calls`) their
    /// call steps.
    pub fn hop_ids_of(&self, calls: bool, pick: impl Fn(&Target) -> bool) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| self.chain_target(s, calls).is_some_and(&pick))
            .map(|s| s.hop_id.clone())
            .collect()
    }

    /// The target whose chain `step` belongs to: its dns, tcp or tls step and (with
    /// `calls`) its call step.
    pub fn chain_target(&self, step: &Step, calls: bool) -> Option<&Target> {
        let i = match step.action {
            Action::Dns(i) | Action::Tcp(i) | Action::Tls(i) => i,
            Action::Call(i, _) if calls => i,
            _ => return None,
        };
        self.targets.get(i)
    }

    /// The target of `service` in `role`.
    pub fn target(&self, service: Service, role: &Role) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.service == service && t.role == *role)
    }
}

/// A step's index in [`Plan::steps`]; a step waits only for steps before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId(pub usize);

/// What a step does. Target-bound actions carry the index into [`Plan::targets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run before the plan existed; passes when the image can be pulled through ECR
    /// at all.
    Context,
    Credentials,
    Dns(usize),
    /// One connect per address the dns step found.
    Tcp(usize),
    Tls(usize),
    /// A signed AWS API call through the target's endpoint.
    Call(usize, Call),
    Registry(usize),
    /// The pull steps of [`Plan::images`]`[k]` through dkr target `i`: `(i, k)`.
    Manifest(usize, usize),
    LayerRedirect(usize, usize),
    Layer(usize, usize),
}

/// What a step hands to the steps that wait for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// A pullable image (context).
    Image,
    Credentials,
    /// Addresses a name resolved to.
    Addresses,
    /// The addresses that accepted a TCP connection.
    Reachable,
    /// The address a TLS handshake with the right certificate succeeded on.
    Session,
    /// The registry's Basic credentials.
    Token,
    /// Proof that an endpoint serves; nothing to hand on.
    Answer,
    /// The layer the layer hops fetch.
    Layer,
    /// Where the layer's bytes are (the checked redirect target).
    LayerSource,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Image => "image",
            Product::Credentials => "credentials",
            Product::Addresses => "addresses",
            Product::Reachable => "reachable",
            Product::Session => "session",
            Product::Token => "token",
            Product::Answer => "answer",
            Product::Layer => "layer",
            Product::LayerSource => "layer_source",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    /// Short name for the plan table: `dns:api`, `ecr_token`.
    pub label: String,
    pub kind: HopKind,
    /// The id of the hop it records (a fan-out step's hops add `@address`).
    pub hop_id: String,
    /// What a skipped or cut-off hop of this step names as its target.
    pub target: String,
    /// The steps whose products this step takes, in the order it takes them.
    pub waits_for: Vec<StepId>,
    pub produces: Product,
    /// Position among the hops of its kind in the report: the target's index.
    pub order: usize,
}

impl Step {
    /// A fan-out step records one hop per input item, so nothing when skipped, and
    /// bounds each of its hops by the deadline itself.
    pub fn fans_out(&self) -> bool {
        matches!(self.action, Action::Tcp(_))
    }
}

/// Build the plan: targets from the configuration and what the run found, steps from
/// the targets. Pure: nothing is read, nothing is sent.
pub fn build(cfg: &Config, input: PlanInput) -> Plan {
    let launch_type = cfg
        .launch_type
        .or_else(|| cfg.task.as_ref().and_then(|t| t.needs.launch_type()))
        .or_else(|| {
            input
                .metadata_launch_type
                .as_deref()
                .and_then(LaunchType::parse)
        });
    let pullable = matches!(input.image.registry, RegistryKind::Private { .. });
    let images: Vec<ImageRef> = match pullable {
        true => targets::pull_images(&input),
        false => Vec::new(),
    };
    let bucket_host = crate::aws::starport_bucket_host(&input.region, &input.dns_suffix);
    // Without a region (an image ECR cannot serve, and no task region) there are no
    // endpoint names to probe: only the context hop is reported.
    let (targets, steps) = match input.region.is_empty() {
        true => (Vec::new(), Vec::new()),
        false => {
            let targets = targets::resolve(cfg, &input, &images, launch_type);
            let steps = table::build(&targets, &input.image, &images, &bucket_host);
            (targets, steps)
        }
    };
    Plan {
        image: pullable.then_some(input.image),
        images,
        region: input.region,
        dns_suffix: input.dns_suffix,
        dns_servers: input.dns_servers,
        vpc_cidrs: input.vpc_cidrs,
        custom_resolver: input.custom_resolver,
        logs_region: input.logs_region,
        targets,
        bucket_host,
        launch_type,
        steps,
    }
}

/// A call step's label and hop id: the call's own (`ecr_token`, `logs`,
/// `service:ssm`), with the target's `@<region>` when it is another region's.
pub fn call_label(call: Call, tg: &Target) -> String {
    format!("{}{}", call.label(), tg.suffix())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::aws;
    use crate::needs::LaunchType;

    fn config(argv: &[&str]) -> Config {
        Config::from_args(
            crate::cli::Args::try_parse_from(argv).unwrap(),
            crate::config::Env::default(),
            false,
        )
        .unwrap()
    }

    /// What the run would find for `cfg`: the image's region (us-east-1 when it names
    /// none), the task definition's other images, no task metadata.
    fn facts(cfg: &Config) -> PlanInput {
        let image = cfg.image.clone().unwrap();
        let region = image.region().unwrap_or("us-east-1").to_string();
        let other_images = cfg
            .task
            .iter()
            .flat_map(|t| &t.needs.images)
            .filter_map(|i| i.image.clone().ok())
            .collect();
        PlanInput {
            image,
            logs_region: region.clone(),
            dns_suffix: aws::dns_suffix(&region).into(),
            region,
            dns_servers: vec![],
            vpc_cidrs: vec![],
            custom_resolver: false,
            other_images,
            metadata_launch_type: None,
            cluster: None,
        }
    }

    /// The target named `name` (as the report names it).
    fn named<'p>(plan: &'p Plan, name: &str) -> Option<&'p Target> {
        plan.targets.iter().find(|t| t.name() == name)
    }

    fn plan_for(image: &str, extra: &[&str]) -> Plan {
        let mut argv = vec!["vpce-probe", "--image", image];
        argv.extend_from_slice(extra);
        let cfg = config(&argv);
        build(&cfg, facts(&cfg))
    }

    fn waits_for(plan: &Plan, label: &str) -> Vec<String> {
        let step = plan.steps.iter().find(|s| s.label == label).unwrap();
        step.waits_for
            .iter()
            .map(|n| plan.steps[n.0].label.clone())
            .collect()
    }

    #[test]
    fn every_step_needs_only_earlier_steps_and_labels_are_unique() {
        let plan = plan_for("111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1", &[]);
        for (i, s) in plan.steps.iter().enumerate() {
            assert!(s.waits_for.iter().all(|n| n.0 < i), "{}", s.label);
            assert_eq!(
                plan.steps.iter().filter(|o| o.label == s.label).count(),
                1,
                "{}",
                s.label
            );
        }
        for t in ["api", "dkr", "s3", "s3_layer_bucket", "logs"] {
            assert_eq!(waits_for(&plan, &format!("tcp:{t}")), [format!("dns:{t}")]);
            assert_eq!(waits_for(&plan, &format!("tls:{t}")), [format!("tcp:{t}")]);
        }
        assert_eq!(waits_for(&plan, "ecr_token"), ["credentials", "tls:api"]);
        assert_eq!(waits_for(&plan, "registry"), ["context", "tls:dkr"]);
        assert_eq!(
            waits_for(&plan, "manifest"),
            ["context", "tls:dkr", "ecr_token"]
        );
        assert_eq!(waits_for(&plan, "logs"), ["credentials", "tls:logs"]);
    }

    #[test]
    fn a_task_definition_brings_its_endpoints_and_repositories() {
        let td = r#"{"requiresCompatibilities":["EC2"],"containerDefinitions":[
          {"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
           "secrets":[{"name":"S","valueFrom":"arn:aws:ssm:us-east-1:111122223333:parameter/a/b"},
                      {"name":"T","valueFrom":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:x-AbCdEf"}],
           "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-region":"eu-west-1"}}},
          {"name":"b","image":"444455556666.dkr.ecr.us-east-1.amazonaws.com/side:v2"},
          {"name":"c","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v9"}],
          "volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-0abc"}}]}"#;
        let cfg = config(&[
            "vpce-probe",
            "--task-definition",
            td,
            "--check",
            "sts",
            "--region",
            "us-east-1",
        ]);
        let plan = build(&cfg, facts(&cfg));
        let roles: Vec<String> = plan.targets.iter().map(Target::name).collect();
        for r in [
            "api",
            "dkr",
            "dkr@444455556666",
            "s3",
            "s3_layer_bucket",
            "logs@eu-west-1",
            "secretsmanager@eu-west-1",
            "ssm",
            "ecs",
            "ecs-agent",
            "ecs-telemetry",
            "sts",
            "efs:fs-0abc",
        ] {
            assert!(roles.iter().any(|n| n == r), "{r} not in {roles:?}");
        }
        assert!(
            !roles.iter().any(|n| n == "logs"),
            "only the task's awslogs region"
        );
        let efs = named(&plan, "efs:fs-0abc").unwrap();
        assert_eq!((efs.port, efs.tls), (2049, false));
        assert_eq!(efs.host, "fs-0abc.efs.us-east-1.amazonaws.com");
        assert!(plan.steps.iter().all(|s| s.label != "tls:efs:fs-0abc"));
        assert_eq!(named(&plan, "ssm").unwrap().call_args, ["/a/b"]);
        // Two repositories (the repeated one once), two registries.
        assert_eq!(plan.images.len(), 2);
        assert_eq!(
            waits_for(
                &plan,
                "manifest:444455556666.dkr.ecr.us-east-1.amazonaws.com/side"
            ),
            ["context", "tls:dkr@444455556666", "ecr_token"]
        );
        assert_eq!(
            waits_for(
                &plan,
                "registry:444455556666.dkr.ecr.us-east-1.amazonaws.com"
            ),
            ["context", "tls:dkr@444455556666"]
        );
        assert_eq!(
            waits_for(&plan, "service:secretsmanager@eu-west-1"),
            ["credentials", "tls:secretsmanager@eu-west-1"]
        );
        assert_eq!(plan.launch_type, Some(LaunchType::Ec2));
    }

    #[test]
    fn task_metadata_saying_ec2_adds_the_agents_endpoints() {
        let cfg = config(&[
            "vpce-probe",
            "--image",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1",
        ]);
        let facts = |lt: Option<&str>| PlanInput {
            metadata_launch_type: lt.map(String::from),
            cluster: Some("arn:aws:ecs:us-east-1:111122223333:cluster/c".into()),
            ..facts(&cfg)
        };
        let plan = build(&cfg, facts(Some("EC2")));
        let ecs = named(&plan, "ecs").unwrap();
        assert_eq!(ecs.call, Some(Call::DiscoverPollEndpoint));
        assert_eq!(
            ecs.call_args,
            ["arn:aws:ecs:us-east-1:111122223333:cluster/c"]
        );
        assert_eq!(
            named(&plan, "ecs-agent").unwrap().host,
            "ecs-a-1.us-east-1.amazonaws.com"
        );
        assert_eq!(
            named(&plan, "ecs-telemetry").unwrap().host,
            "ecs-t-1.us-east-1.amazonaws.com"
        );
        let plan = build(&cfg, facts(Some("FARGATE")));
        assert!(named(&plan, "ecs").is_none() && named(&plan, "ecs-agent").is_none());
    }

    #[test]
    fn images_ecr_cannot_serve_skip_the_pull_and_skip_logs_drops_its_chain() {
        let plan = plan_for("docker.io/library/nginx:1", &["--skip-logs"]);
        assert!(plan.image.is_none());
        assert!(named(&plan, "dkr").is_none() && named(&plan, "logs").is_none());
        assert_eq!(waits_for(&plan, "registry"), ["context"]);
        assert!(plan.steps.iter().all(|s| !s.label.ends_with(":logs")));
        assert!(render(&plan).lines().any(|l| l.starts_with("layer ")));
    }
}
