//! The validated configuration: plain data built from [`Args`] and a snapshot of the
//! environment, with every value checked and every error naming what to type instead.
//!
//! Nothing here touches the network. What can only be known at run time (the task's
//! own image and region from ECS task metadata) is resolved by the context hop.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::cli::{Args, OutputFormat};
use crate::error::ConfigError;
use crate::image_ref::ImageRef;
use crate::provenance::{EndpointSource, TaskRegionSource};

pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// The environment variables the probe reads, captured once so that configuration is a
/// pure function of its inputs (and testable without touching the process environment).
#[derive(Debug, Clone, Default)]
pub struct Env(BTreeMap<String, String>);

impl Env {
    pub fn from_process() -> Self {
        Env(std::env::vars().collect())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Env(pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    /// A non-empty value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The first non-empty value among `names` (e.g. HTTPS_PROXY, https_proxy).
    pub fn first(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A service the probe talks to, as named on `--endpoint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Api,
    Dkr,
    S3,
    Logs,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Api => "api",
            Service::Dkr => "dkr",
            Service::S3 => "s3",
            Service::Logs => "logs",
        }
    }

    /// The VPC endpoint service that serves this name, for hints.
    pub fn endpoint_service(self, region: &str) -> String {
        match self {
            Service::Api => format!("com.amazonaws.{region}.ecr.api"),
            Service::Dkr => format!("com.amazonaws.{region}.ecr.dkr"),
            Service::S3 => format!("com.amazonaws.{region}.s3"),
            Service::Logs => format!("com.amazonaws.{region}.logs"),
        }
    }
}

/// An `https://host[:port]` endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub fn url(&self) -> String {
        if self.port == 443 {
            format!("https://{}", self.host)
        } else {
            format!("https://{}:{}", self.host, self.port)
        }
    }

    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("https://")
            .ok_or("the URL must start with https://")?;
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err("expected https://host[:port]".into());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
                h.trim_start_matches('[').trim_end_matches(']'),
                p.parse::<u16>()
                    .map_err(|_| format!("invalid port {p:?}"))?,
            ),
            _ => (authority, 443),
        };
        if host.is_empty() {
            return Err("expected https://host[:port]".into());
        }
        Ok(Endpoint {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

#[derive(Debug, Clone)]
pub struct CaBundle {
    pub path: PathBuf,
    pub pem: Vec<u8>,
    pub certs: Vec<CertificateDer<'static>>,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// None: the task's own image, from ECS task metadata.
    pub image: Option<ImageRef>,
    /// From --region or AWS_REGION/AWS_DEFAULT_REGION, with where it came from.
    pub region: Option<(String, TaskRegionSource)>,
    pub platform: Platform,
    pub vpc_cidrs: Vec<IpNet>,
    /// None: read the resolvers from `resolv_conf`.
    pub dns_servers: Option<Vec<SocketAddr>>,
    pub resolv_conf: PathBuf,
    pub endpoints: BTreeMap<Service, (Endpoint, EndpointSource)>,
    pub ca_bundle: Option<CaBundle>,
    pub timeout: Duration,
    pub deadline: Duration,
    pub max_layer_bytes: u64,
    pub skip_logs: bool,
    pub label: Option<String>,
    pub output: OutputFormat,
    pub env: Env,
}

impl Config {
    pub fn from_args(args: Args, env: Env, stdout_is_tty: bool) -> Result<Self, ConfigError> {
        let image = match args
            .image
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(ImageRef::parse(s).map_err(|reason| ConfigError::Image {
                reference: s.to_string(),
                reason,
            })?),
            None if env.get("ECS_CONTAINER_METADATA_URI_V4").is_some() => None,
            None => return Err(ConfigError::NoImage),
        };
        let region = match args.region.as_deref().filter(|s| !s.is_empty()) {
            Some(r) => Some((validate_region(r, "--region")?, TaskRegionSource::Flag)),
            None => match env.first(&["AWS_REGION", "AWS_DEFAULT_REGION"]) {
                Some(r) => Some((
                    validate_region(r, "AWS_REGION / AWS_DEFAULT_REGION")?,
                    TaskRegionSource::Environment,
                )),
                None => None,
            },
        };
        let timeout = parse_duration("--timeout", &args.timeout)?;
        let deadline = parse_duration("--deadline", &args.deadline)?;
        if timeout > deadline {
            return Err(ConfigError::Value {
                flag: "--timeout",
                value: args.timeout,
                reason: format!("longer than --deadline {}", args.deadline),
            });
        }
        let ca_path = args
            .ca_bundle
            .or_else(|| env.get("AWS_CA_BUNDLE").map(PathBuf::from));
        Ok(Config {
            image,
            region,
            platform: parse_platform(&args.platform)?,
            vpc_cidrs: args
                .vpc_cidrs
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_cidr(s))
                .collect::<Result<_, _>>()?,
            dns_servers: if args.dns_servers.is_empty() {
                None
            } else {
                Some(
                    args.dns_servers
                        .iter()
                        .map(|s| parse_dns_server(s))
                        .collect::<Result<_, _>>()?,
                )
            },
            resolv_conf: PathBuf::from(RESOLV_CONF),
            endpoints: parse_endpoints(&args.endpoints, &env)?,
            ca_bundle: ca_path.map(load_ca_bundle).transpose()?,
            timeout,
            deadline,
            max_layer_bytes: parse_size("--max-layer-bytes", &args.max_layer_bytes)?,
            skip_logs: args.skip_logs,
            label: args.label.filter(|l| !l.is_empty()),
            output: args.output.unwrap_or(if stdout_is_tty {
                OutputFormat::Human
            } else {
                OutputFormat::Json
            }),
            env,
        })
    }
}

pub fn validate_region(r: &str, from: &'static str) -> Result<String, ConfigError> {
    let parts: Vec<&str> = r.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(r.to_string())
    } else {
        Err(ConfigError::Region {
            value: r.to_string(),
            from,
        })
    }
}

fn parse_platform(s: &str) -> Result<Platform, ConfigError> {
    let parts: Vec<&str> = s.split('/').collect();
    let valid =
        |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match parts.as_slice() {
        [os, arch] if valid(os) && valid(arch) => Ok(Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: None,
        }),
        [os, arch, variant] if valid(os) && valid(arch) && valid(variant) => Ok(Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: Some(variant.to_string()),
        }),
        _ => Err(ConfigError::Platform(s.to_string())),
    }
}

fn parse_cidr(s: &str) -> Result<IpNet, ConfigError> {
    s.trim().parse::<IpNet>().map_err(|e| ConfigError::Value {
        flag: "--vpc-cidr",
        value: s.to_string(),
        reason: e.to_string(),
    })
}

pub fn parse_dns_server(s: &str) -> Result<SocketAddr, ConfigError> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    s.parse::<SocketAddr>()
        .map_err(|_| ConfigError::DnsServer(s.to_string()))
}

fn parse_endpoints(
    flags: &[String],
    env: &Env,
) -> Result<BTreeMap<Service, (Endpoint, EndpointSource)>, ConfigError> {
    let mut out = BTreeMap::new();
    // The SDK's own variables first, so that an explicit flag wins over them.
    for (var, service) in [
        ("AWS_ENDPOINT_URL", Service::Api),
        ("AWS_ENDPOINT_URL", Service::Logs),
        ("AWS_ENDPOINT_URL_ECR", Service::Api),
        ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", Service::Logs),
    ] {
        if let Some(url) = env.get(var) {
            let ep = Endpoint::parse(url).map_err(|reason| ConfigError::Endpoint {
                value: format!("{var}={}", crate::secret::redact_url(url)),
                reason,
            })?;
            out.insert(service, (ep, EndpointSource::Environment));
        }
    }
    for raw in flags.iter().filter(|s| !s.trim().is_empty()) {
        // A URL may carry user info; an error message must not echo it.
        let err = |reason: String| ConfigError::Endpoint {
            value: match raw.split_once('=') {
                Some((name, url)) => format!("{name}={}", crate::secret::redact_url(url)),
                None => raw.clone(),
            },
            reason,
        };
        let (name, url) = raw
            .split_once('=')
            .ok_or_else(|| err("expected SERVICE=URL, e.g. api=https://vpce-….api.ecr.us-east-1.vpce.amazonaws.com".into()))?;
        let service = match name.trim() {
            "api" | "ecr" | "ecr.api" => Service::Api,
            "dkr" | "ecr.dkr" => Service::Dkr,
            "s3" => Service::S3,
            "logs" => Service::Logs,
            other => {
                return Err(err(format!(
                    "unknown service {other:?}; expected api, dkr, s3 or logs"
                )));
            }
        };
        out.insert(
            service,
            (
                Endpoint::parse(url.trim()).map_err(err)?,
                EndpointSource::Flag,
            ),
        );
    }
    Ok(out)
}

fn load_ca_bundle(path: PathBuf) -> Result<CaBundle, ConfigError> {
    let err = |reason: String| ConfigError::CaBundle {
        path: path.clone(),
        reason,
    };
    // Size cap: a CA bundle is kilobytes; refuse to slurp an arbitrary large file.
    let meta = std::fs::metadata(&path).map_err(|e| err(e.to_string()))?;
    if meta.len() > 16 * 1024 * 1024 {
        return Err(err("larger than 16 MiB".into()));
    }
    let pem = std::fs::read(&path).map_err(|e| err(e.to_string()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(err("no PEM certificates in it".into()));
    }
    Ok(CaBundle { path, pem, certs })
}

pub fn parse_duration(flag: &'static str, s: &str) -> Result<Duration, ConfigError> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| ConfigError::Value {
        flag,
        value: s.to_string(),
        reason: format!("{e} (examples: 500ms, 3s, 1m)"),
    })?;
    if d.is_zero() || d > Duration::from_secs(3600) {
        return Err(ConfigError::Value {
            flag,
            value: s.to_string(),
            reason: "must be more than 0 and at most 1h".into(),
        });
    }
    Ok(d)
}

pub fn parse_size(flag: &'static str, s: &str) -> Result<u64, ConfigError> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1000 * 1000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1000 * 1000 * 1000,
        "gib" => 1024 * 1024 * 1024,
        _ => 0,
    };
    num.parse::<u64>()
        .ok()
        .filter(|_| mult > 0)
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| ConfigError::Value {
            flag,
            value: s.to_string(),
            reason: "expected a positive size such as 1048576, 500KiB or 64MiB".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> Args {
        let mut v = vec!["vpce-probe"];
        v.extend_from_slice(extra);
        Args::try_parse_from(v).unwrap()
    }

    const IMG: &str = "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1";

    #[test]
    fn defaults() {
        let c = Config::from_args(args(&["--image", IMG]), Env::default(), false).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(3));
        assert_eq!(c.deadline, Duration::from_secs(30));
        assert_eq!(c.max_layer_bytes, 64 * 1024 * 1024);
        assert_eq!(c.platform.to_string(), "linux/amd64");
        assert_eq!(c.output, OutputFormat::Json);
        assert!(c.region.is_none());
        let c = Config::from_args(args(&["--image", IMG]), Env::default(), true).unwrap();
        assert_eq!(c.output, OutputFormat::Human);
    }

    #[test]
    fn image_required_without_task_metadata() {
        let e = Config::from_args(args(&[]), Env::default(), false).unwrap_err();
        assert!(matches!(e, ConfigError::NoImage));
        let env = Env::from_pairs([("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/x")]);
        assert!(
            Config::from_args(args(&[]), env, false)
                .unwrap()
                .image
                .is_none()
        );
    }

    #[test]
    fn region_precedence() {
        let env = Env::from_pairs([
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
        ]);
        let c = Config::from_args(args(&["--image", IMG]), env.clone(), false).unwrap();
        assert_eq!(
            c.region,
            Some(("eu-west-1".into(), TaskRegionSource::Environment))
        );
        let c = Config::from_args(
            args(&["--image", IMG, "--region", "ap-south-1"]),
            env,
            false,
        )
        .unwrap();
        assert_eq!(
            c.region,
            Some(("ap-south-1".into(), TaskRegionSource::Flag))
        );
        assert!(
            Config::from_args(
                args(&["--image", IMG, "--region", "US_EAST"]),
                Env::default(),
                false
            )
            .is_err()
        );
    }

    #[test]
    fn usage_errors_never_echo_credentials_in_urls() {
        let e = Config::from_args(
            args(&[
                "--image",
                IMG,
                "--endpoint",
                "api=https://user:s3cret@h.example",
            ]),
            Env::default(),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        let env = Env::from_pairs([("AWS_ENDPOINT_URL_ECR", "https://user:s3cret@h.example")]);
        let e = Config::from_args(args(&["--image", IMG]), env, false)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        let env = Env::from_pairs([("AWS_REGION", "Not A Region")]);
        let e = Config::from_args(args(&["--image", IMG]), env, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AWS_REGION"), "{e}");
    }

    #[test]
    fn endpoints_and_env_overrides() {
        let env = Env::from_pairs([("AWS_ENDPOINT_URL_ECR", "https://from-env.example:8443")]);
        let c = Config::from_args(
            args(&[
                "--image",
                IMG,
                "--endpoint",
                "dkr=https://Reg.Example/",
                "--endpoint",
                "logs=https://l.example:444",
            ]),
            env.clone(),
            false,
        )
        .unwrap();
        assert_eq!(
            c.endpoints[&Service::Api].0,
            Endpoint {
                host: "from-env.example".into(),
                port: 8443
            }
        );
        assert_eq!(
            c.endpoints[&Service::Dkr].0,
            Endpoint {
                host: "reg.example".into(),
                port: 443
            }
        );
        assert_eq!(c.endpoints[&Service::Logs].0.port, 444);
        let c = Config::from_args(
            args(&["--image", IMG, "--endpoint", "api=https://flag.example"]),
            env,
            false,
        )
        .unwrap();
        assert_eq!(
            c.endpoints[&Service::Api],
            (
                Endpoint {
                    host: "flag.example".into(),
                    port: 443
                },
                EndpointSource::Flag
            )
        );
        for bad in ["api", "api=http://x", "sts=https://x", "api=https://"] {
            assert!(
                Config::from_args(
                    args(&["--image", IMG, "--endpoint", bad]),
                    Env::default(),
                    false
                )
                .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn values_are_checked() {
        assert_eq!(parse_size("x", "500KiB").unwrap(), 512_000);
        assert_eq!(parse_size("x", "1048576").unwrap(), 1_048_576);
        assert!(parse_size("x", "0").is_err());
        assert!(parse_size("x", "12parsecs").is_err());
        assert!(parse_duration("x", "0s").is_err());
        assert!(parse_duration("x", "soon").is_err());
        assert_eq!(
            parse_dns_server("10.0.0.2").unwrap(),
            "10.0.0.2:53".parse().unwrap()
        );
        assert_eq!(
            parse_dns_server("[::1]:5353").unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert!(parse_dns_server("resolver.local").is_err());
        assert!(
            Config::from_args(
                args(&["--image", IMG, "--timeout", "10s", "--deadline", "5s"]),
                Env::default(),
                false
            )
            .is_err()
        );
        assert!(
            Config::from_args(
                args(&["--image", IMG, "--platform", "linux"]),
                Env::default(),
                false
            )
            .is_err()
        );
        assert!(
            Config::from_args(
                args(&["--image", IMG, "--vpc-cidr", "10.0.0.0/33"]),
                Env::default(),
                false
            )
            .is_err()
        );
        let e = Config::from_args(
            args(&["--image", IMG, "--ca-bundle", "/nonexistent/ca.pem"]),
            Env::default(),
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("/nonexistent/ca.pem"));
    }
}
