//! The validated configuration: plain data built from [`Args`] and a snapshot of the
//! environment, with every value checked and every error naming what to type instead.
//!
//! Nothing here touches the network. What can only be known at run time (the task's
//! own image and region from ECS task metadata) is decided with the run's facts (`facts/`).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::cli::{Args, OutputFormat};
use crate::error::ConfigError;
use crate::image_ref::{ImageRef, RegistryKind};
use crate::needs::{LaunchType, Needs};
use crate::net::url::HttpsUrl;
use crate::provenance::{EndpointSource, TaskRegionSource};
use crate::secret::Secret;

pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// An environment variable the probe reads. Every one is named in [`vars`]: that list
/// is the one answer to "which variables does it read" (the AWS SDK's credential chain
/// reads its own, from the process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Var(pub &'static str);

/// A variable whose value may carry a credential (a proxy URL with a password, an
/// authorization token): held as a [`Secret`], so `Debug` of the configuration never
/// shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretVar(pub &'static str);

pub mod vars {
    use super::{SecretVar, Var};

    pub const AWS_REGION: Var = Var("AWS_REGION");
    pub const AWS_DEFAULT_REGION: Var = Var("AWS_DEFAULT_REGION");
    pub const AWS_CA_BUNDLE: Var = Var("AWS_CA_BUNDLE");
    pub const AWS_EXECUTION_ENV: Var = Var("AWS_EXECUTION_ENV");
    pub const AWS_USE_FIPS_ENDPOINT: Var = Var("AWS_USE_FIPS_ENDPOINT");
    pub const AWS_USE_DUALSTACK_ENDPOINT: Var = Var("AWS_USE_DUALSTACK_ENDPOINT");
    pub const ECS_CONTAINER_METADATA_URI_V4: Var = Var("ECS_CONTAINER_METADATA_URI_V4");
    pub const AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: Var =
        Var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    pub const AWS_CONTAINER_CREDENTIALS_FULL_URI: Var = Var("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    pub const AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: Var =
        Var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    /// Read only to know which source the SDK's chain will use; never the key itself.
    pub const AWS_ACCESS_KEY_ID: Var = Var("AWS_ACCESS_KEY_ID");
    pub const AWS_PROFILE: Var = Var("AWS_PROFILE");
    pub const AWS_WEB_IDENTITY_TOKEN_FILE: Var = Var("AWS_WEB_IDENTITY_TOKEN_FILE");
    pub const NO_PROXY: Var = Var("NO_PROXY");
    pub const NO_PROXY_LOWER: Var = Var("no_proxy");
    pub const NO_COLOR: Var = Var("NO_COLOR");

    pub const AWS_CONTAINER_AUTHORIZATION_TOKEN: SecretVar =
        SecretVar("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    pub const HTTPS_PROXY: SecretVar = SecretVar("HTTPS_PROXY");
    pub const HTTPS_PROXY_LOWER: SecretVar = SecretVar("https_proxy");
    pub const HTTP_PROXY: SecretVar = SecretVar("HTTP_PROXY");
    pub const HTTP_PROXY_LOWER: SecretVar = SecretVar("http_proxy");
    /// Endpoint URLs may carry user info; errors print them redacted.
    pub const AWS_ENDPOINT_URL: SecretVar = SecretVar("AWS_ENDPOINT_URL");

    pub const PLAIN: &[Var] = &[
        AWS_REGION,
        AWS_DEFAULT_REGION,
        AWS_CA_BUNDLE,
        AWS_EXECUTION_ENV,
        AWS_USE_FIPS_ENDPOINT,
        AWS_USE_DUALSTACK_ENDPOINT,
        ECS_CONTAINER_METADATA_URI_V4,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
        AWS_CONTAINER_CREDENTIALS_FULL_URI,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
        AWS_ACCESS_KEY_ID,
        AWS_PROFILE,
        AWS_WEB_IDENTITY_TOKEN_FILE,
        NO_PROXY,
        NO_PROXY_LOWER,
        NO_COLOR,
    ];
    pub const SECRET: &[SecretVar] = &[
        AWS_CONTAINER_AUTHORIZATION_TOKEN,
        HTTPS_PROXY,
        HTTPS_PROXY_LOWER,
        HTTP_PROXY,
        HTTP_PROXY_LOWER,
        AWS_ENDPOINT_URL,
    ];
}

/// The service-specific endpoint variables (`AWS_ENDPOINT_URL_ECR`, …) come from the
/// service table; they are secret-kept like `AWS_ENDPOINT_URL`.
fn endpoint_vars() -> impl Iterator<Item = SecretVar> {
    crate::aws::Service::all().filter_map(|s| s.endpoint_env.map(SecretVar))
}

/// A snapshot of the variables in [`vars`], taken once, so that configuration is a
/// pure function of its inputs (and testable without touching the process environment).
/// Other variables are never captured.
#[derive(Debug, Clone, Default)]
pub struct Env {
    plain: BTreeMap<&'static str, String>,
    secret: BTreeMap<&'static str, Secret<String>>,
}

impl Env {
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// For tests: the given pairs, of which only the probe's variables are kept.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let pairs: BTreeMap<&str, &str> = pairs.into_iter().collect();
        Self::from_lookup(|name| pairs.get(name).map(|v| v.to_string()))
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut env = Env::default();
        for v in vars::PLAIN {
            if let Some(value) = lookup(v.0) {
                env.plain.insert(v.0, value);
            }
        }
        for v in vars::SECRET.iter().copied().chain(endpoint_vars()) {
            if let Some(value) = lookup(v.0) {
                env.secret.insert(v.0, Secret::new(value));
            }
        }
        env
    }

    /// A non-empty value of `var`.
    pub fn get(&self, var: Var) -> Option<&str> {
        self.plain
            .get(var.0)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The first non-empty value among `vars` (e.g. NO_PROXY, no_proxy).
    pub fn first(&self, vars: &[Var]) -> Option<&str> {
        vars.iter().find_map(|v| self.get(*v))
    }

    /// A non-empty value of a secret variable, still wrapped.
    pub fn secret(&self, var: SecretVar) -> Option<&Secret<String>> {
        self.secret.get(var.0).filter(|v| !v.expose().is_empty())
    }

    pub fn first_secret(&self, vars: &[SecretVar]) -> Option<&Secret<String>> {
        vars.iter().find_map(|v| self.secret(*v))
    }
}

use crate::aws::Service;
use crate::net::registry::Platform;

/// An `https://host[:port]` endpoint: the origin of an [`HttpsUrl`] (a path is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Lower-case; an IPv6 literal without brackets.
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    /// `https://host[:port]`, an IPv6 literal bracketed: what the AWS SDK is given.
    pub fn url(&self) -> String {
        HttpsUrl::new(&self.host, self.port, "")
            .origin()
            .to_string()
    }

    pub fn parse(url: &str) -> Result<Self, String> {
        let url = HttpsUrl::parse(url).map_err(|e| e.to_string())?;
        Ok(Endpoint {
            host: url.host().to_string(),
            port: url.port(),
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
    /// Where `platform` comes from: a platform asked for (not the default) is also
    /// checked in a single-platform image's config.
    pub platform_from: PlatformFrom,
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
    /// `--quiet`: the human format leaves out what passed; the others ignore it.
    pub quiet: bool,
    /// Print the plan instead of running it.
    pub explain_plan: bool,
    pub label: Option<String>,
    pub output: OutputFormat,
    pub env: Env,
    /// `--task-definition`: what the task needs; None without one.
    pub task: Option<GivenTaskDefinition>,
    /// `--check`: services to probe beyond the pull path, with their argument.
    pub checks: Vec<(Service, Option<String>)>,
    /// `--launch-type`.
    pub launch_type: Option<LaunchType>,
    /// `--platform-version`, as given (`1.4.0`, `LATEST`).
    pub platform_version: Option<String>,
    /// `--expect-role`.
    pub expect_role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformFrom {
    Default,
    Flag,
    /// `runtimePlatform` (or a Windows `operatingSystemFamily`).
    TaskDefinition,
}

/// A task definition given with `--task-definition`: where it came from and what the
/// task needs from the network ([`Needs`]).
#[derive(Debug, Clone)]
pub struct GivenTaskDefinition {
    pub path: PathBuf,
    pub needs: Needs,
    /// The image chosen for the pull path came from it (no `--image`).
    pub image_chosen: bool,
}

impl Config {
    pub fn from_args(args: Args, env: Env, stdout_is_tty: bool) -> Result<Self, ConfigError> {
        let mut task = args
            .task_definition
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|path| {
                // The JSON itself (an ECS task's environment cannot hold a file).
                let inline = path
                    .to_str()
                    .map(str::trim)
                    .filter(|t| t.starts_with('{') || t.starts_with('['));
                match inline {
                    Some(text) if text.len() as u64 <= crate::taskdef::MAX_BYTES => {
                        crate::taskdef::TaskDefinition::parse(text)
                    }
                    Some(_) => Err(crate::taskdef::ReadError::TooLarge),
                    None => crate::taskdef::TaskDefinition::read(path),
                }
                .map(|td| GivenTaskDefinition {
                    path: match inline {
                        Some(_) => PathBuf::from("(inline JSON)"),
                        None => path.clone(),
                    },
                    needs: Needs::of(&td),
                    image_chosen: false,
                })
                .map_err(|e| ConfigError::TaskDefinition {
                    path: match inline {
                        Some(_) => PathBuf::from("(inline JSON)"),
                        None => path.clone(),
                    },
                    reason: e.to_string(),
                })
            })
            .transpose()?;
        let flag_image = args
            .image
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        // --image wins; else the task definition's pull image; else the task's own.
        let image = match flag_image {
            Some(s) => Some(ImageRef::parse(s).map_err(|reason| ConfigError::Image {
                reference: s.to_string(),
                reason,
            })?),
            None => match task.as_mut().and_then(pull_image) {
                Some(image) => Some(image),
                None if env.get(vars::ECS_CONTAINER_METADATA_URI_V4).is_some() => None,
                None => {
                    return Err(task
                        .as_ref()
                        .and_then(no_pullable_image)
                        .unwrap_or(ConfigError::NoImage));
                }
            },
        };
        let launch_type = args
            .launch_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                LaunchType::parse(s).ok_or_else(|| ConfigError::Value {
                    flag: "--launch-type",
                    value: s.to_string(),
                    reason: "expected FARGATE, EC2 or EXTERNAL".into(),
                })
            })
            .transpose()?;
        let region = match args.region.as_deref().filter(|s| !s.is_empty()) {
            Some(r) => Some((validate_region(r, "--region")?, TaskRegionSource::Flag)),
            None => match env.first(&[vars::AWS_REGION, vars::AWS_DEFAULT_REGION]) {
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
        // --platform wins; else the task definition's runtimePlatform (a Windows family
        // pulls the windows image of an index); else linux/amd64.
        let task_platform = task
            .as_ref()
            .and_then(|t| t.needs.platform.clone())
            .transpose()
            .map_err(|reason| ConfigError::TaskDefinition {
                path: task.as_ref().map(|t| t.path.clone()).unwrap_or_default(),
                reason,
            })?;
        let flag_platform = args
            .platform
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let (platform, platform_from) = match (flag_platform, task_platform.as_deref()) {
            (Some(p), _) => (p, PlatformFrom::Flag),
            (None, Some(p)) => (p, PlatformFrom::TaskDefinition),
            (None, None) => ("linux/amd64", PlatformFrom::Default),
        };
        let ca_path = args
            .ca_bundle
            .or_else(|| env.get(vars::AWS_CA_BUNDLE).map(PathBuf::from));
        Ok(Config {
            image,
            region,
            platform: parse_platform(platform)?,
            platform_from,
            vpc_cidrs: args
                .vpc_cidrs
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_cidr(s))
                .collect::<Result<_, _>>()?,
            dns_servers: {
                let given: Vec<&String> = args
                    .dns_servers
                    .iter()
                    .filter(|s| !s.trim().is_empty())
                    .collect();
                if given.is_empty() {
                    None
                } else {
                    Some(
                        given
                            .into_iter()
                            .map(|s| parse_dns_server(s))
                            .collect::<Result<_, _>>()?,
                    )
                }
            },
            resolv_conf: PathBuf::from(RESOLV_CONF),
            endpoints: parse_endpoints(&args.endpoints, &env)?,
            ca_bundle: ca_path.map(load_ca_bundle).transpose()?,
            timeout,
            deadline,
            max_layer_bytes: parse_size("--max-layer-bytes", &args.max_layer_bytes)?,
            skip_logs: args.skip_logs,
            quiet: args.quiet,
            explain_plan: args.explain_plan,
            label: args.label.filter(|l| !l.is_empty()),
            output: args.output.unwrap_or(if stdout_is_tty {
                OutputFormat::Human
            } else {
                OutputFormat::Json
            }),
            env,
            task,
            checks: parse_checks(&args.checks)?,
            launch_type,
            platform_version: args
                .platform_version
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
            expect_role: args
                .expect_role
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
        })
    }
}

/// The image whose pull path is probed when only a task definition names images: the
/// first essential container's private ECR image, else any container's.
fn pull_image(t: &mut GivenTaskDefinition) -> Option<ImageRef> {
    let private = |i: &&crate::needs::ImageNeed| {
        matches!(
            i.image,
            Ok(ImageRef {
                registry: RegistryKind::Private { .. },
                ..
            })
        )
    };
    let imgs = &t.needs.images;
    let pick = imgs
        .iter()
        .filter(|i| i.essential)
        .find(private)
        .or_else(|| imgs.iter().find(private))
        .or_else(|| imgs.iter().find(|i| i.image.is_ok()))?;
    let image = pick.image.clone().ok()?;
    t.image_chosen = true;
    Some(image)
}

/// A task definition names images but none is a reference a registry could serve
/// (a template's `${image}`, `{{image}}`): say which and why, not "pass --image", so
/// the user sees that the file is not rendered yet.
fn no_pullable_image(t: &GivenTaskDefinition) -> Option<ConfigError> {
    let images = &t.needs.images;
    if images.is_empty() || images.iter().any(|i| i.image.is_ok()) {
        return None;
    }
    let each: Vec<String> = images
        .iter()
        .filter_map(|i| {
            let why = i.image.as_ref().err()?;
            Some(format!(
                "container {:?}: image {:?} ({why})",
                i.container, i.reference
            ))
        })
        .collect();
    Some(ConfigError::TaskDefinition {
        path: t.path.clone(),
        reason: format!(
            "no container's image is a reference a registry can serve: {}; a template must be rendered first (ECS refuses such an image at registration); or pass --image to check the rest of its needs with that image's pull path",
            each.join("; ")
        ),
    })
}

/// `--check SERVICE[=ARG]`: any service of the table by name or alias.
fn parse_checks(raw: &[String]) -> Result<Vec<(Service, Option<String>)>, ConfigError> {
    let mut out: Vec<(Service, Option<String>)> = Vec::new();
    for item in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let (name, arg) = match item.split_once('=') {
            Some((n, a)) => (
                n.trim(),
                Some(a.trim().to_string()).filter(|a| !a.is_empty()),
            ),
            None => (item, None),
        };
        let err = |reason: String| ConfigError::Check {
            value: item.to_string(),
            reason,
        };
        let service = Service::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
            let known: Vec<&str> = Service::all().map(|s| s.name).collect();
            err(format!(
                "unknown service; expected one of {}",
                known.join(", ")
            ))
        })?;
        if matches!(service, Service::Api | Service::Dkr | Service::S3) {
            return Err(err("the pull path's endpoints are always checked".into()));
        }
        if service == Service::Efs && arg.is_none() {
            return Err(err(
                "efs needs the file system id, e.g. efs=fs-0123456789abcdef0".into(),
            ));
        }
        if let Some(a) = &arg
            && (a.len() > 2048 || a.chars().any(char::is_control))
        {
            return Err(err(
                "the argument is too long or has control characters".into()
            ));
        }
        if !out.iter().any(|(s, a)| *s == service && *a == arg) {
            out.push((service, arg));
        }
    }
    Ok(out)
}

pub fn validate_region(r: &str, from: &'static str) -> Result<String, ConfigError> {
    if crate::aws::is_region(r) {
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

/// A CIDR, with an error that says which half is wrong (ipnet's own error calls a bad
/// prefix length "invalid IP address syntax").
pub fn parse_cidr(s: &str) -> Result<IpNet, ConfigError> {
    let err = |reason: String| ConfigError::Value {
        flag: "--vpc-cidr",
        value: s.to_string(),
        reason,
    };
    let t = s.trim();
    let Some((addr, len)) = t.split_once('/') else {
        return Err(err("expected ADDRESS/PREFIX, e.g. 10.0.0.0/16".into()));
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| err(format!("{addr:?} is not an IP address")))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = len
        .parse::<u8>()
        .ok()
        .filter(|l| *l <= max)
        .ok_or_else(|| err(format!("the prefix length must be 0 to {max}")))?;
    IpNet::new(ip, len).map_err(|e| err(e.to_string()))
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
    // The global variable applies to every SDK-called service, a service's own wins.
    let sdk_vars = Service::all()
        .filter_map(|s| s.endpoint_env.map(|var| (s.service, var)))
        .flat_map(|(service, var)| [(vars::AWS_ENDPOINT_URL, service), (SecretVar(var), service)]);
    for (var, service) in sdk_vars {
        if let Some(url) = env.secret(var).map(|v| v.expose().as_str()) {
            let ep = Endpoint::parse(url).map_err(|reason| ConfigError::Endpoint {
                value: format!("{}={}", var.0, crate::net::url::redact(url)),
                reason,
            })?;
            out.insert(service, (ep, EndpointSource::Environment));
        }
    }
    for raw in flags.iter().filter(|s| !s.trim().is_empty()) {
        // A URL may carry user info; an error message must not echo it.
        // Only a known service name is echoed as typed: anything else may be part of
        // the URL (`https://u:pw@h` without `api=`, or a `=` inside a password).
        let err = |reason: String| ConfigError::Endpoint {
            value: match raw.split_once('=') {
                Some((name, url)) if Service::from_name(name.trim()).is_some() => {
                    format!("{name}={}", crate::net::url::redact(url))
                }
                _ => crate::net::url::redact(raw),
            },
            reason,
        };
        let (name, url) = raw
            .split_once('=')
            .ok_or_else(|| err("expected SERVICE=URL, e.g. api=https://vpce-….api.ecr.us-east-1.vpce.amazonaws.com".into()))?;
        let service = Service::from_name(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = Service::all().map(|s| s.name).collect();
            err(format!(
                "unknown service {:?}; expected one of {}",
                name.trim(),
                known.join(", ")
            ))
        })?;
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
    // A CA bundle is a regular file of kilobytes. A FIFO would block the read past any
    // deadline and a device (/dev/zero) never ends, so both are refused before opening,
    // and the read itself is capped (the file may grow or be swapped meanwhile).
    const LIMIT: u64 = 16 * 1024 * 1024;
    let meta = std::fs::metadata(&path).map_err(|e| err(e.to_string()))?;
    if !meta.is_file() {
        return Err(err("not a regular file".into()));
    }
    if meta.len() > LIMIT {
        return Err(err("larger than 16 MiB".into()));
    }
    let mut pem = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, LIMIT + 1), &mut pem))
        .map_err(|e| err(e.to_string()))?;
    if pem.len() as u64 > LIMIT {
        return Err(err("larger than 16 MiB".into()));
    }
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
    fn the_environment_snapshot_holds_only_the_probes_variables_and_hides_secrets() {
        let env = Env::from_pairs([
            ("AWS_SECRET_ACCESS_KEY", "topsecretkey"),
            ("HTTPS_PROXY", "http://u:pw123@proxy.internal:3128"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok456"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        assert!(env.secret(vars::HTTPS_PROXY).is_some());
        let c = Config::from_args(args(&["--image", IMG]), env, false).unwrap();
        let dbg = format!("{c:?}");
        for secret in ["topsecretkey", "pw123", "tok456", "AWS_SECRET_ACCESS_KEY"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert!(dbg.contains("eu-west-1"));
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
        let v6 = Endpoint::parse("https://[::1]:8443").unwrap();
        assert_eq!(
            v6,
            Endpoint {
                host: "::1".into(),
                port: 8443
            }
        );
        assert_eq!(v6.url(), "https://[::1]:8443");
        assert_eq!(
            Endpoint::parse("https://Vpce-1.Example/ignored/path")
                .unwrap()
                .url(),
            "https://vpce-1.example"
        );
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
        for bad in [
            "api",
            "api=http://x",
            "nosuch=https://x",
            "api=https://",
            "api=https://[::1",
            "api=https://h:99999",
            "api=https://u:p@h",
        ] {
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
    fn a_task_definition_names_the_image_checks_and_the_launch_type() {
        let td = r#"{"family":"f","requiresCompatibilities":["EC2"],"containerDefinitions":[
            {"name":"side","image":"datadog/agent:7","essential":false},
            {"name":"app","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v2"}]}"#;
        let c = Config::from_args(args(&["--task-definition", td]), Env::default(), false).unwrap();
        let t = c.task.as_ref().unwrap();
        assert!(t.image_chosen);
        assert_eq!(t.path, PathBuf::from("(inline JSON)"));
        assert_eq!(
            c.image.as_ref().map(|i| i.to_string()).as_deref(),
            Some("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v2")
        );
        assert_eq!(t.needs.launch_type(), Some(LaunchType::Ec2));
        // --image wins over the task definition's choice.
        let c = Config::from_args(
            args(&["--task-definition", td, "--image", IMG]),
            Env::default(),
            false,
        )
        .unwrap();
        assert!(!c.task.as_ref().unwrap().image_chosen);
        let e = Config::from_args(args(&["--task-definition", "{nope"]), Env::default(), false)
            .unwrap_err();
        assert_eq!(e.code(), "usage.task_definition");
        let c = Config::from_args(
            args(&[
                "--image",
                IMG,
                "--check",
                "ssm=/a/b,kms,SSM=/a/b",
                "--launch-type",
                "ec2",
            ]),
            Env::default(),
            false,
        )
        .unwrap();
        assert_eq!(
            c.checks,
            [(Service::Ssm, Some("/a/b".into())), (Service::Kms, None)]
        );
        assert_eq!(c.launch_type, Some(LaunchType::Ec2));
        for bad in ["dkr", "efs", "nosuch", "ssm=a\u{7}b"] {
            assert!(
                Config::from_args(
                    args(&["--image", IMG, "--check", bad]),
                    Env::default(),
                    false
                )
                .is_err(),
                "{bad}"
            );
        }
        assert!(
            Config::from_args(
                args(&["--image", IMG, "--launch-type", "lambda"]),
                Env::default(),
                false
            )
            .is_err()
        );
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
