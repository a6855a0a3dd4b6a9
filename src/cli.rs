//! The command line, and nothing else: clap types live here and stop here.
//!
//! House rules: every option has a one-line summary, a paragraph with an example when
//! the value has a shape, and a `VPCE_PROBE_*` environment variable so an ECS task
//! definition can configure the probe without a command override. Values are checked
//! in `config.rs`, not here, so the errors can name AWS concepts. `--help` names each
//! variable but never shows its value (`hide_env_values`): a task's environment may
//! hold an endpoint URL with credentials in it, and help output lands in logs.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
HOPS (each is reported with a verdict: pass, warn, fail or skipped):
  context         region, resolvers (VPC resolver or custom DNS?), proxies, ECS task metadata
  dns             api.ecr, <account>.dkr.ecr, s3 + the layer bucket host, logs: private or public?
  tcp             port 443 on every resolved address (one per endpoint ENI / AZ)
  tls             handshake with SNI: version, cipher, certificate, issuer, verification
  credentials     which source the AWS default chain used; never the keys
  ecr_token       ecr:GetAuthorizationToken through the api endpoint
  registry        GET /v2/ without credentials (401 proves the dkr endpoint serves)
  manifest        the image manifest, index resolved to --platform
  layer_redirect  the blob GET; ECR answers with a redirect to S3 (not followed blindly)
  layer           the S3 layer through the gateway endpoint, SHA-256 checked
  logs            an AWS answer from the CloudWatch Logs endpoint (for awslogs)
  service         one read-only signed call to another service endpoint (secretsmanager,
                  ssm, kms, ecs, sts, firehose, kinesis, xray, monitoring; s3 HeadObject
                  on each environment file); never a call that returns a secret's value
                  or a file's content

EXIT STATUS:
  0  every hop passed (warnings allowed), or only hops of needs the task starts
     without failed (a FireLens output: it starts degraded, with warnings)
  1  at least one hop failed that the task cannot start without: the report
     names the hop, the cause and the fix
  2  usage or configuration error: nothing was probed
  3  the probe could not run

Nothing secret is printed: not the token, not the Authorization header, not the
presigned URL's query.

Examples (inside the subnet, e.g. as a one-off Fargate task):
  vpce-probe --image 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1
  aws ecs describe-task-definition --task-definition app > app.json
  vpce-probe --task-definition app.json      # everything the task needs to start
  vpce-probe diff works.json broken.json     # where two runs' paths part, and why";

/// Can a container in this subnet pull its image from Amazon ECR without a NAT?
/// If not, which hop breaks, and why.
#[derive(Debug, Parser)]
#[command(
    name = "vpce-probe",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The image to pull, as <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> or @sha256:<digest>.
    ///
    /// Defaults to this container's own image when ECS task metadata is available.
    #[arg(
        long,
        env = "VPCE_PROBE_IMAGE",
        hide_env_values = true,
        value_name = "REF"
    )]
    pub image: Option<String>,

    /// A task definition: probe everything this task needs to start (FILE, - for stdin, or the JSON).
    ///
    /// The JSON of `aws ecs describe-task-definition` or a register-task-definition
    /// --cli-input-json document; a value starting with `{` is the JSON itself (for
    /// VPCE_PROBE_TASK_DEFINITION in a task's environment). Its images, awslogs regions, secrets (Secrets Manager,
    /// SSM), ECS Exec, EFS volumes and launch type become checks, and its
    /// executionRoleArn is compared with the principal that signs. No secret value is
    /// ever requested.
    #[arg(
        long = "task-definition",
        env = "VPCE_PROBE_TASK_DEFINITION",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub task_definition: Option<PathBuf>,

    /// More service endpoints to check: SERVICE or SERVICE=ARG (repeatable).
    ///
    /// secretsmanager[=SECRET-ARN], ssm[=PARAMETER-NAME], kms[=KEY-ID], ssmmessages,
    /// ecs[=CLUSTER], ecs-agent, ecs-telemetry, sts, logs, efs=FILE-SYSTEM-ID, xray,
    /// monitoring, firehose, kinesis, appmesh-envoy-management. Each gets dns → tcp →
    /// tls and, where one exists, one read-only signed call (DescribeSecret,
    /// DescribeParameters, DescribeKey, DiscoverPollEndpoint, GetCallerIdentity,
    /// DescribeDeliveryStream, DescribeStreamSummary, GetSamplingRules, ListMetrics).
    #[arg(
        long = "check",
        env = "VPCE_PROBE_CHECK",
        hide_env_values = true,
        value_name = "SERVICE[=ARG]",
        value_delimiter = ','
    )]
    pub checks: Vec<String>,

    /// The launch type: FARGATE, EC2 or EXTERNAL; EC2 adds the ecs, ecs-agent and ecs-telemetry endpoints.
    ///
    /// Defaults to the task definition's only requiresCompatibilities entry, then ECS task metadata.
    #[arg(
        long = "launch-type",
        env = "VPCE_PROBE_LAUNCH_TYPE",
        hide_env_values = true,
        value_name = "TYPE"
    )]
    pub launch_type: Option<String>,

    /// The Fargate platform version the task runs on, e.g. 1.4.0 or LATEST.
    ///
    /// 1.3.0 and earlier fetch registry auth without ecr.api: its failure is then a warning.
    #[arg(
        long = "platform-version",
        env = "VPCE_PROBE_PLATFORM_VERSION",
        hide_env_values = true,
        value_name = "VERSION"
    )]
    pub platform_version: Option<String>,

    /// The role the start-up really uses, compared with the principal that signed.
    ///
    /// Defaults to the task definition's executionRoleArn.
    #[arg(
        long = "expect-role",
        env = "VPCE_PROBE_EXPECT_ROLE",
        hide_env_values = true,
        value_name = "ROLE-ARN"
    )]
    pub expect_role: Option<String>,

    /// The region the task runs in (for the logs endpoint and the cross-region check).
    ///
    /// Defaults to AWS_REGION, then the ECS task's region. The ECR endpoints probed are
    /// always those of the image's own region, where the pull goes.
    #[arg(
        long,
        env = "VPCE_PROBE_REGION",
        hide_env_values = true,
        value_name = "REGION"
    )]
    pub region: Option<String>,

    /// The platform every image must have [default: the task definition's
    /// runtimePlatform, else linux/amd64].
    ///
    /// Picked from a multi-arch image index; given here or by a task definition's
    /// runtimePlatform, a single-platform image's config is checked against it too.
    #[arg(
        long,
        env = "VPCE_PROBE_PLATFORM",
        hide_env_values = true,
        value_name = "OS/ARCH[/VARIANT]"
    )]
    pub platform: Option<String>,

    /// A VPC CIDR whose addresses count as private (repeatable).
    ///
    /// RFC 1918, 100.64.0.0/10 and the task's subnet are always private; add a VPC that
    /// uses public space, e.g. --vpc-cidr 20.10.0.0/16.
    #[arg(
        long = "vpc-cidr",
        env = "VPCE_PROBE_VPC_CIDR",
        hide_env_values = true,
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub vpc_cidrs: Vec<String>,

    /// The DNS server to ask, instead of those in /etc/resolv.conf (repeatable).
    ///
    /// Example: --dns-server 169.254.169.253 (the Route 53 Resolver) to compare its
    /// answers with a custom DNS server's.
    #[arg(
        long = "dns-server",
        env = "VPCE_PROBE_DNS_SERVER",
        hide_env_values = true,
        value_name = "IP[:PORT]",
        value_delimiter = ','
    )]
    pub dns_servers: Vec<String>,

    /// An endpoint-specific URL for a service: api, dkr, s3, logs, ssm, … (repeatable).
    ///
    /// For an interface endpoint without private DNS, e.g.
    /// --endpoint api=https://vpce-0abc-1234.api.ecr.us-east-1.vpce.amazonaws.com.
    /// AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL_SSM, … are
    /// honoured too.
    #[arg(
        long = "endpoint",
        env = "VPCE_PROBE_ENDPOINT",
        hide_env_values = true,
        value_name = "SERVICE=URL",
        value_delimiter = ','
    )]
    pub endpoints: Vec<String>,

    /// A PEM file of extra trust anchors, added to the public roots for every hop.
    ///
    /// AWS_CA_BUNDLE is used when this is not given.
    #[arg(
        long = "ca-bundle",
        env = "VPCE_PROBE_CA_BUNDLE",
        hide_env_values = true,
        value_name = "PEM"
    )]
    pub ca_bundle: Option<PathBuf>,

    /// The timeout of each network operation (connect, handshake, request, body).
    #[arg(
        long,
        env = "VPCE_PROBE_TIMEOUT",
        hide_env_values = true,
        value_name = "DURATION",
        default_value = "3s"
    )]
    pub timeout: String,

    /// The deadline of the whole run; hops still running then fail with probe.deadline.
    #[arg(
        long,
        env = "VPCE_PROBE_DEADLINE",
        hide_env_values = true,
        value_name = "DURATION",
        default_value = "30s"
    )]
    pub deadline: String,

    /// The most layer bytes fetched; a larger layer is sampled and its digest not checked.
    ///
    /// Accepts a number of bytes or a size such as 64MiB or 500KiB.
    #[arg(
        long = "max-layer-bytes",
        env = "VPCE_PROBE_MAX_LAYER_BYTES",
        hide_env_values = true,
        value_name = "BYTES",
        default_value = "64MiB"
    )]
    pub max_layer_bytes: String,

    /// Do not probe the CloudWatch Logs endpoint (the task does not use awslogs).
    #[arg(
        long = "skip-logs",
        env = "VPCE_PROBE_SKIP_LOGS",
        hide_env_values = true,
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    pub skip_logs: bool,

    /// Human output for log readers: only failing and warning hops, the verdict and the fixes.
    ///
    /// Passing and skipped hops (and needs) are left out; the other formats (json,
    /// ndjson, emf) are always complete, whatever this says.
    #[arg(
        long,
        env = "VPCE_PROBE_QUIET",
        hide_env_values = true,
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    pub quiet: bool,

    /// A label for this run, e.g. the subnet id; it becomes an EMF dimension and a report field.
    #[arg(
        long,
        env = "VPCE_PROBE_LABEL",
        hide_env_values = true,
        value_name = "TEXT"
    )]
    pub label: Option<String>,

    /// Print the plan (every step, its target and what it waits for) and exit.
    ///
    /// Nothing is sent to AWS: only the context is read (ECS task metadata, resolv.conf).
    #[arg(
        long = "explain-plan",
        env = "VPCE_PROBE_EXPLAIN_PLAN",
        hide_env_values = true,
        action = ArgAction::SetTrue,
        value_parser = BoolishValueParser::new()
    )]
    pub explain_plan: bool,

    /// The output format; human on a terminal, json otherwise.
    ///
    /// ndjson streams one hop per line as each finishes, then the whole report; emf
    /// writes CloudWatch Embedded Metric Format lines, then the JSON report.
    #[arg(
        long,
        env = "VPCE_PROBE_OUTPUT",
        hide_env_values = true,
        value_enum,
        value_name = "FORMAT"
    )]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain an ECS stoppedReason offline: the need, the hop, the cause and the fix.
    ///
    /// Reads TEXT, or standard input: reasons one per line (a line that does not start
    /// a reason continues the one before, so pasted line wraps stay one reason, a
    /// renderer's padded column wrap is glued back mid-word, and console headers, list
    /// markers, quotes and Markdown table rows are not read as reasons; a stop code
    /// alone on its line opens the next; a blank line always ends one; a log line (its
    /// time, a journal's date or a logfmt key first) under a reason that is no log line
    /// is a record of its own), or JSON holding ECS tasks: `aws ecs describe-tasks`, a single
    /// task, EventBridge "ECS Task State Change" events (one document or one per line,
    /// also as a log export's messages), a `--query` of the reasons alone (each
    /// stopped task's stoppedReason and each container's reason), AWS Batch's
    /// describe-jobs, or a Step Functions runTask.sync failure. Identical reasons are
    /// explained once, with a count. A stop that is no start-up failure (an application
    /// exit, OOM, a health check, scaling, Spot, a full disk, placement, the task's
    /// network interface, Fargate's maintenance, an AWS call of the container's own
    /// code, ECS Exec's agent, the agent's Service Connect set-up, the container
    /// runtime after the start, a host port taken, a container setting the instance
    /// refuses, a target group; a stop code alone) is named with where to look; a
    /// reason cut before its
    /// cause gets the candidate causes, most likely first (a "retried 1 time(s)" puts refusals before the network, a status
    /// the server sent rules the network out). Reads at most 4 MiB and 200 distinct
    /// reasons, and says what it left. Sends nothing anywhere. Exit status 0 when a
    /// cause or a stop was recognised and nothing was dropped, 1 when none was or input
    /// was dropped, 2 for a usage error.
    #[command(after_help = EXPLAIN_AFTER_HELP)]
    Explain(ExplainArgs),
    /// Compare two reports of the same check from two places, hop by hop.
    ///
    /// A and B are files written by `--output json` (or `ndjson`; `-` reads one from
    /// standard input): two subnets, two AZs, before and after a change. Names the
    /// first hop where the paths part and what that usually means, then every hop that
    /// differs (verdict, cause, address scope, resolver, the ENI that answered, TLS
    /// issuer, timings far apart). Offline: sends nothing anywhere.
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// Run the probe from here as one task per subnet of a service, and show the results side by side.
    ///
    /// Reads the service (or a task definition with --subnets), registers a probe task
    /// definition with the app's execution role as its task and execution role and the
    /// app's task definition as its input, runs it in every subnet with the service's
    /// security groups, public-IP setting, platform version and launch type, waits
    /// (progress on stderr), reads each report from CloudWatch Logs or explains why the
    /// task stopped, then deregisters and deletes its task definition. Uses the AWS
    /// default credential chain; nothing of the service is changed.
    #[command(after_help = LAUNCH_AFTER_HELP)]
    Launch(Box<LaunchArgs>),
}

const LAUNCH_AFTER_HELP: &str = "\
EXIT STATUS:
  0  the probe passed in every subnet
  1  it failed in at least one subnet (its report, or the reason ECS could not
     start it, says where and why)
  2  usage error
  3  nothing could be learned for some subnet and none failed: a call failed
     (a missing permission is named), the probe image is missing, the wait ran out

IAM permissions it needs (the caller): ecs:DescribeServices,
ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition, ecs:TagResource,
ecs:RunTask, ecs:DescribeTasks, ecs:StopTask, ecs:DeregisterTaskDefinition,
ecs:DeleteTaskDefinitions, iam:PassRole on the roles, ecr:DescribeImages,
logs:GetLogEvents, logs:CreateLogGroup (only when the app has no awslogs group).

Examples:
  vpce-probe launch --cluster prod --service api
  vpce-probe launch --cluster prod --task-definition api:42 \\
      --subnets subnet-0a1b,subnet-0c2d --security-groups sg-0e3f --output json";

/// `vpce-probe launch` (src/launch).
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["service", "task_definition"])))]
pub struct LaunchArgs {
    /// The ECS cluster (name or ARN).
    #[arg(long, value_name = "CLUSTER", default_value = "default")]
    pub cluster: String,
    /// The service whose subnets, security groups and roles the probe takes.
    #[arg(long, value_name = "SERVICE", conflicts_with = "task_definition")]
    pub service: Option<String>,
    /// A task definition (FAMILY[:REVISION] or ARN) instead of a service; needs --subnets and --security-groups.
    #[arg(long = "task-definition", value_name = "FAMILY[:REV]", requires_all = ["subnets", "security_groups"])]
    pub task_definition: Option<String>,
    /// With --task-definition: the subnets to probe, comma-separated.
    #[arg(long, value_name = "SUBNET,...", value_delimiter = ',')]
    pub subnets: Vec<String>,
    /// With --task-definition: the security groups of the tasks, comma-separated.
    #[arg(long = "security-groups", value_name = "SG,...", value_delimiter = ',')]
    pub security_groups: Vec<String>,
    /// With --task-definition: give the tasks a public IP (ENABLED or DISABLED, the default).
    #[arg(long = "assign-public-ip", value_name = "ENABLED|DISABLED")]
    pub assign_public_ip: Option<String>,
    /// The named profile of the AWS configuration files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The region of the cluster; defaults to the profile's or AWS_REGION.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// How long to wait for the tasks to stop before stopping them (e.g. 5m, 90s).
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub wait: humantime::Duration,
    /// The timeout of each AWS call.
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub timeout: humantime::Duration,
    /// Keep the probe task definition revision (it is deregistered and deleted by default).
    #[arg(long)]
    pub keep: bool,
    /// The probe image; default: <account>.dkr.ecr.<region>.amazonaws.com/vpce-probe:<this version>.
    #[arg(long = "probe-image", value_name = "REF")]
    pub probe_image: Option<String>,
    /// The probe's task role; default: the app's execution role (the principal ECS pulls with).
    #[arg(long = "task-role", value_name = "ROLE-ARN")]
    pub task_role: Option<String>,
    /// The probe's execution role; default: the app's.
    #[arg(long = "execution-role", value_name = "ROLE-ARN")]
    pub execution_role: Option<String>,
    /// human (default on a terminal), json (one document: every subnet's result and report).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<ExplainFormat>,
}

const DIFF_AFTER_HELP: &str = "\
EXIT STATUS:
  0  the runs have the same verdicts (overall and on every hop both have)
  1  the verdicts differ
  2  usage error, or A or B is not a vpce-probe report (or larger than 16 MiB)
  3  the diff could not be written

Timings count as far apart when the larger is at least 3x the smaller and 200 ms more.

Example:
  vpce-probe --output json > subnet-a.json      # in each subnet
  vpce-probe diff subnet-a.json subnet-b.json";

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The first report (e.g. where it works).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second report.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// human (default on a terminal) or json.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<ExplainFormat>,
}

const EXPLAIN_AFTER_HELP: &str = "\
Example:
  vpce-probe explain 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded'
  aws ecs describe-tasks --cluster prod --tasks 0123abcd | vpce-probe explain --output json";

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The reason text (several words are joined with spaces); standard input without it.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// human (default on a terminal) or json.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<ExplainFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Ndjson,
    Emf,
}

/// The arguments of this process, as [`Args::parse`] would give them, except that an
/// empty `VPCE_PROBE_*` variable counts as unset: task definitions and shells leave
/// variables empty to mean "not given", and clap would take `""` as the value.
pub fn parse() -> Args {
    let cmd = Args::command().mut_args(|arg| {
        let empty = arg
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|v| v.is_empty());
        if empty { arg.env(None) } else { arg }
    });
    let matches = cmd.get_matches();
    Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}
