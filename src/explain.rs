//! `vpce-probe explain`: what an ECS `stoppedReason` (or a container's `reason`) says,
//! offline, in the probe's own terms: the need that failed (image pull, registry auth,
//! secrets, env files, logs, agent), the hop that would show it, the cause code from the
//! one catalogue (src/causes.rs, whose rows hold the patterns), the fix, and the
//! `vpce-probe` command that confirms it from the subnet.
//!
//! The agent's wordings (docker-era and containerd/Fargate 1.4) wrap the cause in
//! prefixes ("ResourceInitializationError: unable to pull secrets or registry auth: …
//! service call has been retried 5 time(s): …") and the console cuts the string; the
//! prefix names the need, the innermost words the cause (tests/fixtures/explain/).

use std::net::IpAddr;

use crate::causes::{CATALOGUE, Code};
use crate::code;
use crate::denial;
use crate::diagnose::{self, Scope};
use crate::plan::HopKind;
use crate::value_set::value_set;

value_set! {
    /// What the task needed when it stopped.
    pub enum Need {
        /// Pulling the image (manifest, layers) from its registry.
        ImagePull = "image_pull",
        /// `ecr:GetAuthorizationToken` before the pull (Fargate 1.4.0+ does it itself).
        RegistryAuth = "registry_auth",
        /// `secrets` from Secrets Manager or Parameter Store.
        Secrets = "secrets",
        /// `environmentFiles` from S3.
        EnvFiles = "env_files",
        /// The log driver (awslogs, firelens).
        Logs = "logs",
        /// The ECS agent's own state changes.
        Agent = "agent",
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
    /// The text ends cut (the console's "…", or the agent's 1024-byte limit).
    pub truncated: bool,
    pub need: Option<Need>,
    pub service: Option<&'static str>,
    pub host: Option<String>,
    pub address: Option<String>,
    pub image: Option<String>,
    pub region: Option<String>,
    /// Empty: nothing recognised (the text says so, not a guess).
    pub findings: Vec<Finding>,
}

/// Input texts are cut here: real reasons are at most 1024 bytes (the agent's limit);
/// pasted logs may be longer, but a cause is not past this.
const MAX_TEXT: usize = 16 * 1024;

/// Every reason in `input`: the JSON of `aws ecs describe-tasks` (each task's
/// `stoppedReason` and each container's `reason`), or plain text, one reason per
/// non-empty line.
pub fn explain_input(input: &str) -> Vec<Explanation> {
    let input = cut(input, 1024 * 1024);
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(input)
        && let Some(tasks) = doc.get("tasks").and_then(|t| t.as_array())
    {
        let mut out = Vec::new();
        for t in tasks {
            let id = t["taskArn"]
                .as_str()
                .and_then(|a| a.rsplit('/').next())
                .unwrap_or("?")
                .to_string();
            if let Some(r) = t["stoppedReason"].as_str() {
                out.push(explain(&format!("task {id}"), r));
            }
            for c in t["containers"].as_array().into_iter().flatten() {
                if let Some(r) = c["reason"].as_str() {
                    let name = c["name"].as_str().unwrap_or("?");
                    out.push(explain(&format!("task {id} container {name}"), r));
                }
            }
        }
        return out;
    }
    input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| explain("text", l))
        .collect()
}

pub fn explain(source: &str, raw: &str) -> Explanation {
    let text = cut(raw.trim(), MAX_TEXT);
    let lower = text.to_ascii_lowercase();
    let truncated = is_truncated(text);
    let facts = Facts::read(text);
    let need = need_of(&lower, &facts);
    let service = need.map(|n| service_of(n, &lower, &facts));
    let mut e = Explanation {
        source: source.to_string(),
        text: crate::secret::scrub_reason(text, 1024),
        truncated,
        need,
        service,
        host: facts.host.clone(),
        address: facts.address.map(|a| a.to_string()),
        image: facts.image.clone(),
        region: facts.region.clone(),
        findings: Vec::new(),
    };
    let Some(need) = need else {
        return e;
    };
    if let Some(code) = symptom(&lower, need, &facts) {
        let finding = finding(code, need, service.unwrap_or("ecr.dkr"), text, &facts);
        e.findings.push(finding);
    }
    e
}

/// The order in which symptoms are tried: the specific before the generic (a KMS denial
/// is an AccessDenied too; a 403 from S3 is not the registry's).
fn symptom(lower: &str, need: Need, facts: &Facts) -> Option<Code> {
    let order: &[Code] = &[
        code!("secrets.kms_denied"),
        code!("logs.bad_region"),
        code!("logs.driver_config"),
        code!("logs.group_not_found"),
        code!("registry.too_many_requests"),
        code!("layer.access_denied"),
        code!("auth.denied"),
        code!("registry.manifest_unknown"),
        code!("registry.name_unknown"),
        code!("registry.denied"),
        code!("agent.docker_timeout"),
        code!("dns.nxdomain"),
        code!("tcp.refused"),
        code!("tls.untrusted"),
        code!("tcp.timeout"),
    ];
    // A registry other than ECR, where ECR's path was never involved: without a NAT it
    // cannot work at all, whatever else the text says, except a throttle.
    let throttled = shows(lower, code!("registry.too_many_requests"));
    if matches!(need, Need::ImagePull) && facts.foreign_registry && !throttled {
        return Some(code!("config.not_ecr"));
    }
    let hit = order.iter().copied().find(|c| shows(lower, *c))?;
    Some(refine(hit, lower))
}

/// Whether any of the catalogue row's patterns occurs in `lower`.
fn shows(lower: &str, code: Code) -> bool {
    code.info().stopped_reasons.iter().any(|p| glob(lower, p))
}

/// An AccessDenied is read by the same reader the hops use; an S3 403 that is not the
/// registry's stays the layer's.
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

fn need_of(lower: &str, facts: &Facts) -> Option<Need> {
    const NEEDS: &[(&str, Need)] = &[
        ("unable to retrieve ecr registry auth", Need::RegistryAuth),
        ("pull registry auth from amazon ecr", Need::RegistryAuth),
        ("cannotpullecrcontainererror", Need::RegistryAuth),
        ("unable to retrieve secret from asm", Need::Secrets),
        ("unable to retrieve secrets from ssm", Need::Secrets),
        ("fetching secret data from", Need::Secrets),
        ("failed to download env files", Need::EnvFiles),
        ("failed to validate logger args", Need::Logs),
        ("logging driver", Need::Logs),
        ("cloudwatch log", Need::Logs),
        ("dockertimeouterror", Need::Agent),
        ("cannotpullcontainererror", Need::ImagePull),
        ("the task cannot pull", Need::ImagePull),
        ("pull image manifest", Need::ImagePull),
        ("error pulling image", Need::ImagePull),
    ];
    NEEDS
        .iter()
        .find(|(p, _)| lower.contains(p))
        .map(|(_, n)| *n)
        .or_else(|| facts.host.as_ref().map(|_| Need::ImagePull))
}

fn service_of(need: Need, lower: &str, facts: &Facts) -> &'static str {
    match need {
        Need::RegistryAuth => "ecr.api",
        Need::Secrets if lower.contains("ssm") => "ssm",
        Need::Secrets => "secretsmanager",
        Need::EnvFiles => "s3",
        Need::Logs => "logs",
        Need::Agent => "ecs",
        Need::ImagePull if facts.s3_host => "s3",
        Need::ImagePull => "ecr.dkr",
    }
}

/// What the text names: the first AWS or registry host, the dialled address, an image
/// reference, the region.
#[derive(Debug, Default)]
struct Facts {
    host: Option<String>,
    address: Option<IpAddr>,
    image: Option<String>,
    region: Option<String>,
    account: Option<String>,
    s3_host: bool,
    foreign_registry: bool,
}

/// A registry other than ECR private: the hosts are `config.not_ecr`'s patterns.
fn is_foreign_registry(host: &str) -> bool {
    code!("config.not_ecr")
        .info()
        .stopped_reasons
        .iter()
        .any(|p| host == *p || host.strip_suffix(p).is_some_and(|h| h.ends_with('.')))
}

impl Facts {
    fn read(text: &str) -> Facts {
        let mut f = Facts::default();
        for word in text.split(|c: char| c.is_whitespace() || "\"'()[]<>,".contains(c)) {
            let w = word
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            let host = w.split(['/', '?']).next().unwrap_or("");
            let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
            if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
                f.note_aws_host(host, w);
            } else if is_foreign_registry(host) {
                f.foreign_registry = true;
                f.host.get_or_insert_with(|| host.to_string());
                if w.contains('/') {
                    f.image
                        .get_or_insert_with(|| w.trim_end_matches(':').to_string());
                }
            }
            // An ARN's fourth field, even when the poster cut or redacted what follows.
            if f.region.is_none()
                && w.starts_with("arn:")
                && let Some(r) = w.split(':').nth(3).filter(|r| crate::aws::is_region(r))
            {
                f.region = Some(r.to_string());
            }
        }
        f.address = dialled(text);
        // The agent replaces a starport (S3 layer bucket) URL by "REDACTED ECR URL
        // related to <image>" (agent-wordings.md §3): the failing fetch is S3's.
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.find("redacted ecr url related to ") {
            f.s3_host = true;
            let rest = &text[at + "redacted ecr url related to ".len()..];
            if let Some(image) = rest.split_whitespace().next() {
                f.image = Some(image.trim_end_matches(':').to_string());
            }
        }
        // "manifest for nginx:<tag> not found": a reference without a registry host is
        // Docker Hub's.
        if let Some(rest) = text.split("manifest for ").nth(1)
            && let Some(reference) = rest.split_whitespace().next()
        {
            // The first component is a registry host only when a path follows it and it
            // looks like one (docker's rule: a dot, a port, or localhost).
            let host = reference
                .split_once('/')
                .map(|(h, _)| h)
                .filter(|h| h.contains('.') || h.contains(':') || *h == "localhost");
            if host.is_none() {
                f.foreign_registry = true;
                f.image.get_or_insert_with(|| reference.to_string());
            } else if f.image.is_none() {
                f.image = Some(reference.to_string());
            }
        }
        f
    }

    fn note_aws_host(&mut self, host: &str, word: &str) {
        let labels: Vec<&str> = host.split('.').collect();
        let is_s3 = crate::aws::is_s3_host(host, "amazonaws.com")
            || crate::aws::is_s3_host(host, "amazonaws.com.cn");
        self.s3_host |= is_s3;
        if self.host.is_none() || (is_s3 && !self.s3_host_is_first()) {
            self.host = Some(host.to_string());
        }
        // <account>.dkr.ecr.<region>…, api.ecr.<region>…, <service>.<region>…
        if let Some(i) = labels.iter().position(|l| *l == "ecr") {
            if let Some(r) = labels.get(i + 1).filter(|r| crate::aws::is_region(r)) {
                self.region.get_or_insert_with(|| r.to_string());
            }
            if i >= 2 && labels[i - 1] == "dkr" {
                self.account
                    .get_or_insert_with(|| labels[i - 2].to_string());
                if word.contains('/') && self.image.is_none() {
                    let path = word.split(['?', ' ']).next().unwrap_or(word);
                    if !path.contains("/v2/") {
                        self.image = Some(path.trim_end_matches(':').to_string());
                    }
                }
            }
        } else if let Some(r) = labels.iter().find(|l| crate::aws::is_region(l)) {
            self.region.get_or_insert_with(|| r.to_string());
        } else if let Some(r) = labels
            .first()
            .and_then(|l| l.strip_prefix("prod-"))
            .and_then(|l| l.strip_suffix("-starport-layer-bucket"))
            .filter(|r| crate::aws::is_region(r))
        {
            self.region.get_or_insert_with(|| r.to_string());
        }
    }

    fn s3_host_is_first(&self) -> bool {
        self.host
            .as_deref()
            .is_some_and(|h| crate::aws::is_s3_host(h, "amazonaws.com"))
    }
}

/// "dial tcp 52.94.1.2:443: i/o timeout" → the address.
fn dialled(text: &str) -> Option<IpAddr> {
    let rest = text.split("dial tcp ").nth(1)?;
    let addr = rest.split(|c: char| c.is_whitespace()).next()?;
    let addr = addr.trim_end_matches(':');
    addr.parse::<std::net::SocketAddr>()
        .map(|s| s.ip())
        .ok()
        .or_else(|| addr.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
}

fn finding(code: Code, need: Need, service: &'static str, text: &str, facts: &Facts) -> Finding {
    let hop = hop_of(code, need);
    let region = facts.region.as_deref().unwrap_or("<region>");
    let endpoint = format!("com.amazonaws.{region}.{service}");
    let mut hint = code
        .info()
        .fix
        .replace("<region>", region)
        .replace("<service>", service);
    if code == code!("tcp.timeout") {
        hint = timeout_hint(service, &endpoint, facts);
    } else if code == code!("config.not_ecr") {
        hint = format!(
            "{} is not in ECR private: a subnet without NAT cannot reach it. Copy it to ECR in {region}, or create an ECR pull-through cache rule for its registry and use <account>.dkr.ecr.{region}.amazonaws.com/<prefix>/{}",
            facts
                .image
                .as_deref()
                .or(facts.host.as_deref())
                .unwrap_or("the image"),
            facts
                .image
                .as_deref()
                .map(|i| i.split_once('/').map_or(i, |(_, rest)| rest))
                .unwrap_or("<repository>:<tag>")
        );
    } else if code.as_str().starts_with("auth.denied") {
        // The same words the probe's hop would give, for this service and region.
        let mut d = denial::read(text);
        // A principal the poster redacted ("arn:aws:sts::<account id>…") is not one.
        d.principal = d.principal.filter(|p| !p.contains(['<', '*', '$']));
        let svc = crate::aws::Service::all()
            .find(|s| s.name == service || s.aliases.contains(&service))
            .map(|s| s.service)
            .unwrap_or(crate::aws::Service::Api);
        hint = diagnose::denial_cause(&d, svc, region, "the call").hint;
    }
    Finding {
        need,
        service: Some(service),
        hop,
        code,
        hint,
        confirm: confirm(need, service, facts),
    }
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

fn hop_of(code: Code, need: Need) -> Option<HopKind> {
    let hops = code.info().hops;
    let preferred = match need {
        Need::RegistryAuth => Some(HopKind::EcrToken),
        Need::ImagePull => Some(HopKind::Manifest),
        Need::Logs => Some(HopKind::Logs),
        Need::Secrets => Some(HopKind::Service),
        _ => None,
    };
    match preferred {
        Some(p) if hops.contains(&p) => Some(p),
        _ => hops.first().copied(),
    }
}

/// The probe's command line that tests this need from the subnet.
fn confirm(need: Need, service: &str, facts: &Facts) -> Vec<String> {
    let region = facts.region.clone();
    let image = facts
        .image
        .clone()
        .filter(|_| !facts.foreign_registry)
        .unwrap_or_else(|| {
            format!(
                "{}.dkr.ecr.{}.amazonaws.com/<repository>:<tag>",
                facts.account.as_deref().unwrap_or("<account>"),
                region.as_deref().unwrap_or("<region>")
            )
        });
    let mut args = match need {
        Need::Secrets => vec!["--check".to_string(), service.to_string()],
        Need::Logs => vec!["--check".to_string(), "logs".to_string()],
        _ => vec!["--image".to_string(), image],
    };
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
        || t.ends_with('…')
        || t.ends_with("...)")
        || matches!(t.len(), 255 | 1024)
        || (t.starts_with("STOPPED (") && t.len() == 60)
        || dangling_query
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
            assert_eq!(
                e.findings.first().map(|f| f.code.as_str()),
                Some("config.not_ecr"),
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
        serde_json::from_str(include_str!("../tests/fixtures/explain/corpus.json")).unwrap()
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
            include_str!("../tests/fixtures/real/ecr/name-unknown.docker.txt"),
            include_str!("../tests/fixtures/real/ecr/manifest-unknown.docker.txt"),
            include_str!("../tests/fixtures/real/ecr/denied-batchgetimage-identity.docker.txt"),
        ] {
            texts.push(t.to_ascii_lowercase());
        }
        for row in CATALOGUE {
            for p in row.stopped_reasons {
                let used = texts.iter().any(|t| glob(t, p)) || extra.contains(p);
                assert!(used, "{}: pattern {p:?} matches no reason", row.code);
            }
        }
    }
}
