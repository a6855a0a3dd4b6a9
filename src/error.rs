//! Errors that stop the probe before or outside the hops. A hop that fails is *not* an
//! error: it is data in the report. These are for "the probe could not run" (exit 3)
//! and "the configuration is wrong" (exit 2).

use std::path::PathBuf;

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no image to probe: pass --image <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> (or run inside an ECS task, where the task's own image is the default)"
    )]
    NoImage,
    #[error(
        "invalid image reference {}: {reason}",
        crate::image_ref::shown(reference)
    )]
    Image { reference: String, reason: String },
    #[error(
        "no region: pass --region, set AWS_REGION, or probe an image whose host names its region"
    )]
    NoRegion,
    #[error("invalid region {value:?} (from {from}): expected a name such as us-east-1")]
    Region { value: String, from: &'static str },
    #[error("invalid --platform {0:?}: expected os/arch or os/arch/variant, e.g. linux/amd64")]
    Platform(String),
    #[error("invalid --endpoint {value:?}: {reason}")]
    Endpoint { value: String, reason: String },
    #[error(
        "invalid --dns-server {0:?}: expected an IP address, optionally with :port (IPv6 as [addr]:port)"
    )]
    DnsServer(String),
    #[error("cannot read the resolver configuration {path}: {reason}")]
    ResolvConf { path: PathBuf, reason: String },
    #[error("no DNS server: {path} lists none and --dns-server was not given")]
    NoDnsServer { path: PathBuf },
    #[error("cannot use CA bundle {path}: {reason}")]
    CaBundle { path: PathBuf, reason: String },
    #[error(
        "nothing to explain: give the stoppedReason as TEXT (vpce-probe explain '<reason>') or on standard input"
    )]
    NoReason,
    #[error("cannot read standard input: {0}")]
    Stdin(String),
    #[error("cannot use task definition {path}: {reason}")]
    TaskDefinition { path: PathBuf, reason: String },
    #[error("invalid --check {value:?}: {reason}")]
    Check { value: String, reason: String },
    #[error("cannot compare {path:?}: {reason}")]
    DiffInput { path: PathBuf, reason: String },
    #[error("invalid {flag} {value:?}: {reason}")]
    Value {
        flag: &'static str,
        value: String,
        reason: String,
    },
}

impl From<crate::net::dns::ResolvConfError> for ConfigError {
    fn from(e: crate::net::dns::ResolvConfError) -> Self {
        use crate::net::dns::ResolvConfError as E;
        match e {
            E::Unreadable { path, reason } => ConfigError::ResolvConf { path, reason },
            E::NoServer { path } => ConfigError::NoDnsServer { path },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error("cannot build the TLS configuration")]
    Tls(#[source] rustls::Error),
    #[error("cannot write the report")]
    Output(#[source] std::io::Error),
    #[error("cannot set up the DNS client")]
    Dns(#[source] hickory_resolver::net::NetError),
    #[error(
        "no --image given and the ECS task metadata that names the task's own image could not be read: {0}"
    )]
    Metadata(String),
    #[error("cannot set up the AWS SDK's HTTP client: {0}")]
    Sdk(String),
    #[error("the --deadline passed while reading the task context (ECS task metadata)")]
    Deadline,
    #[error(
        "this run would probe {count} {what}, more than the {cap} one run probes (so that a report fits one CloudWatch Logs event): split the checks over several runs"
    )]
    TooMuchWork {
        what: &'static str,
        count: usize,
        cap: usize,
    },
}

impl ConfigError {
    /// A stable code for `{"error": {"code": …}}` on stderr.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::NoImage => "usage.no_image",
            ConfigError::Image { .. } => "usage.image",
            ConfigError::NoRegion => "usage.no_region",
            ConfigError::Region { .. } => "usage.region",
            ConfigError::Platform(_) => "usage.platform",
            ConfigError::Endpoint { .. } => "usage.endpoint",
            ConfigError::DnsServer(_) => "usage.dns_server",
            ConfigError::ResolvConf { .. } => "usage.resolv_conf",
            ConfigError::NoDnsServer { .. } => "usage.no_dns_server",
            ConfigError::CaBundle { .. } => "usage.ca_bundle",
            ConfigError::Value { .. } => "usage.value",
            ConfigError::NoReason => "usage.no_reason",
            ConfigError::Stdin(_) => "usage.stdin",
            ConfigError::TaskDefinition { .. } => "usage.task_definition",
            ConfigError::Check { .. } => "usage.check",
            ConfigError::DiffInput { .. } => "usage.diff_input",
        }
    }
}

impl RunError {
    /// A stable code for `{"error": {"code": …}}` on stderr.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Config(c) => c.code(),
            RunError::Runtime(_) => "run.runtime",
            RunError::Tls(_) => "run.tls",
            RunError::Output(_) => "run.output",
            RunError::Dns(_) => "run.dns",
            RunError::Metadata(_) => "run.task_metadata",
            RunError::Sdk(_) => "run.sdk",
            RunError::Deadline => "run.deadline",
            RunError::TooMuchWork { .. } => "usage.too_much_work",
        }
    }

    /// The one mapping from errors to the documented exit codes.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Config(_) | RunError::TooMuchWork { .. } => exit::USAGE,
            RunError::Runtime(_)
            | RunError::Tls(_)
            | RunError::Output(_)
            | RunError::Dns(_)
            | RunError::Metadata(_)
            | RunError::Sdk(_)
            | RunError::Deadline => exit::COULD_NOT_RUN,
        }
    }
}

/// The error as one JSON object on one line, for `--output json|ndjson|emf`: the
/// consumer of stdout is a program, and so is the reader of stderr.
pub fn render_json(err: &RunError) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let line = serde_json::json!({
        "error": {"code": err.code(), "message": message, "exit_code": err.exit_code()}
    })
    .to_string();
    crate::escape::json_line(&line)
}

/// Render an error and its sources as "error: … \n  caused by: …", the way users read
/// chains, without repeating a source inside its parent's message.
pub fn render_chain(err: &(dyn std::error::Error + 'static)) -> String {
    use crate::escape::clean;
    let mut out = format!("error: {}", clean(&err.to_string()));
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(&format!("\n  caused by: {}", clean(&s.to_string())));
        source = s.source();
    }
    out
}
