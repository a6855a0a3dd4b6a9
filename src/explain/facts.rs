//! What a reason names besides its words: the first AWS or registry host, the dialled
//! address, an image reference, the region, the secret ARNs and parameter names, an
//! EFS file system id.

use std::net::IpAddr;

use crate::causes::code;

#[derive(Debug, Default)]
pub struct Facts {
    pub host: Option<String>,
    pub address: Option<IpAddr>,
    pub image: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub s3_host: bool,
    pub foreign_registry: bool,
    /// `arn:aws:secretsmanager:…` as written (cut at the end of the ARN).
    pub secret_arns: Vec<String>,
    /// The version stage and version id a secret's `valueFrom` or Secrets Manager's
    /// "can't find the specified secret value for VersionStage: X" names.
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
    /// SSM parameter names, from ARNs or from "invalid parameters: a,b".
    pub parameters: Vec<String>,
    pub file_system: Option<String>,
    /// ECR's dual-stack names (`<account>.dkr-ecr.<region>.on.aws`,
    /// `ecr.<region>.api.aws`): not served by PrivateLink.
    pub dual_stack: bool,
    /// The text names Fargate's outer step "unable to pull secrets or registry auth"
    /// and no step inside it.
    pub combined_step: bool,
    /// An ECR registry host whose domain is a typo of `amazonaws.com`
    /// (`<account>.dkr.ecr.<region>.amazonawss.com`): not ECR at all.
    pub misspelled_ecr: Option<String>,
    /// Go's "proxyconnect tcp: dial tcp <addr>": the address dialled is an HTTP proxy's.
    pub proxy: bool,
    /// Read once by `explain` from the whole text (each finding's hint needs them): a
    /// finding of AWS Support's runbook, what an AWS sidecar image's feature needs,
    /// software in the task without the task role's credentials.
    pub runbook: Option<super::runbook::Finding>,
    pub sidecar: Option<&'static str>,
    pub credentials_not_taken: bool,
}

/// A registry other than ECR private: the hosts are `config.not_ecr`'s patterns.
fn is_foreign_registry(host: &str) -> bool {
    code!("config.not_ecr")
        .info()
        .stopped_reasons
        .iter()
        .any(|p| host == *p || host.strip_suffix(p).is_some_and(|h| h.ends_with('.')))
}

/// The first component of a reference is a registry host only when a path follows it
/// and it looks like one (docker's rule: a dot, a port, or localhost).
fn registry_of(reference: &str) -> Option<&str> {
    reference
        .split_once('/')
        .map(|(h, _)| h)
        .filter(|h| h.contains('.') || h.contains(':') || *h == "localhost")
}

/// A reference whose first component is the poster's stand-in for something they
/// hid (`<ECR repository>/app`, `<redacted>/app`, `####/app`, `xxxx/app`): the
/// registry is unknown, not Docker Hub, whatever docker's rule would make of it.
fn redacted_registry(reference: &str) -> bool {
    // A stand-in with a space in it ("<ECR repository>/app") reaches here cut at
    // the space: its first word is enough.
    let first = reference.split('/').next().unwrap_or(reference);
    let lower = first.to_ascii_lowercase();
    first.contains(['<', '>', '#', '*', '$', '{', '[', '…'])
        || lower.contains("redacted")
        || lower.contains("xxx")
        || lower.contains("...")
}

/// A reference with no registry in it that is no poster's stand-in: docker and
/// containerd ask Docker Hub for it.
pub(super) fn names_no_registry(reference: &str) -> bool {
    registry_of(reference).is_none() && !redacted_registry(reference)
}

/// The domain of an ECR name (`<account>.dkr.ecr.<region>.<domain>`,
/// `api.ecr.<region>.<domain>`) when it is one or two letters away from
/// `amazonaws.com`: a typo in the image URI. Other partitions' domains are further
/// away and are left alone.
fn misspelled_ecr_domain(host: &str) -> Option<&str> {
    let (_, rest) = host
        .split_once(".dkr.ecr.")
        .or_else(|| host.strip_prefix("api.ecr.").map(|r| ("", r)))?;
    let (_, domain) = rest.split_once('.')?;
    let d = edit_distance(domain, "amazonaws.com");
    (1..=2).contains(&d).then_some(domain)
}

/// Levenshtein distance, for short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The text after the first `marker` (lower case) in it, as written: `lower` is the
/// text in ASCII lower case, so its offsets are the text's.
fn after<'a>(text: &'a str, lower: &str, marker: &str) -> Option<&'a str> {
    lower.find(marker).map(|at| &text[at + marker.len()..])
}

const MAX_NAMES: usize = 8;

impl Facts {
    pub fn read(text: &str) -> Facts {
        let mut f = Facts::default();
        for word in text.split(|c: char| c.is_whitespace() || "\"'()[]<>,".contains(c)) {
            let w = word
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            let host = w.split(['/', '?']).next().unwrap_or("");
            let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
            if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
                f.note_aws_host(host, w);
            } else if let Some(domain) = misspelled_ecr_domain(host) {
                f.host.get_or_insert_with(|| host.to_string());
                f.misspelled_ecr.get_or_insert_with(|| domain.to_string());
            } else if let Some(region) = dual_stack_region(host) {
                f.dual_stack = true;
                f.host.get_or_insert_with(|| host.to_string());
                if let Some(region) = region {
                    f.region.get_or_insert_with(|| region.to_string());
                }
            } else if is_foreign_registry(host) {
                f.foreign_registry = true;
                f.host.get_or_insert_with(|| host.to_string());
                if w.contains('/') {
                    f.image
                        .get_or_insert_with(|| w.trim_end_matches(':').to_string());
                }
            }
            if w.starts_with("arn:") {
                f.note_arn(w);
            }
            // The layer bucket named in an ARN (an S3 denial of a layer GET), not a host.
            if w.starts_with("arn:aws:s3:::prod-") && w.contains("-starport-layer-bucket") {
                f.s3_host = true;
            }
            if f.file_system.is_none()
                && let Some(at) = w.find("fs-")
            {
                let id: String = w[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if id.len() > 3 && id[3..].chars().all(|c| c.is_ascii_hexdigit()) {
                    f.file_system = Some(id);
                }
            }
        }
        f.address = dialled(text);
        let lower = text.to_ascii_lowercase();
        f.proxy = lower.contains("proxyconnect tcp");
        // The agent replaces a starport (S3 layer bucket) URL by "REDACTED ECR URL
        // related to <image>" (agent-wordings.md §3): the failing fetch is S3's.
        if let Some(rest) = after(text, &lower, "redacted ecr url related to ") {
            f.s3_host = true;
            if let Some(image) = rest.split_whitespace().next() {
                f.image = Some(image.trim_end_matches(':').to_string());
            }
        }
        // containerd's blob fetch fails as Go's url.Error, `failed to do request: Get
        // "<url>": …`; Fargate puts the image where the layer's presigned S3 URL was
        // (it carries a signature): a Get of something that is no URL is that fetch.
        if let Some(rest) = after(text, &lower, "failed to do request: get ") {
            let target = rest
                .trim_start_matches('"')
                .split_whitespace()
                .next()
                .unwrap_or("");
            if !target.is_empty() && !target.contains("://") {
                f.s3_host = true;
                f.image
                    .get_or_insert_with(|| target.trim_end_matches([':', '"']).to_string());
            }
        }
        // agent/ssm/ssm.go: "invalid parameters: a,b" (Fargate: "invalid ssm parameters: …").
        for marker in ["invalid ssm parameters: ", "invalid parameters: "] {
            if let Some(rest) = after(text, &lower, marker) {
                let names = rest.split([' ', ';']).next().unwrap_or("");
                for n in names.split(',').map(|n| n.trim_end_matches(['.', ':'])) {
                    if !n.is_empty() && f.parameters.len() < MAX_NAMES {
                        f.parameters.push(n.to_string());
                    }
                }
                break;
            }
        }
        // Secrets Manager's ResourceNotFoundException for a version: "… secret value for
        // VersionStage: X" (older "for staging label: X"), "… for VersionId: X".
        for (marker, id) in [
            ("versionstage: ", false),
            ("staging label: ", false),
            ("versionid: ", true),
        ] {
            if let Some(rest) = after(text, &lower, marker) {
                let value: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
                    .take(64)
                    .collect();
                let slot = if id {
                    &mut f.version_id
                } else {
                    &mut f.version_stage
                };
                if !value.is_empty() {
                    *slot = Some(value);
                }
            }
        }
        // "manifest for nginx:<tag> not found", "pull access denied for app,": a
        // reference without a registry host is Docker Hub's. Not docker's older "Error:
        // image <name> not found": it prints the repository's path without its registry
        // (moby 53dad9f027^ distribution/pull_v1.go, reference.Path), so it names none.
        for marker in ["manifest for ", "pull access denied for "] {
            if let Some(rest) = after(text, &lower, marker)
                && let Some(reference) = rest
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .next()
                    .filter(|r| !r.is_empty())
            {
                if names_no_registry(reference) {
                    f.foreign_registry = true;
                    f.image.get_or_insert_with(|| reference.to_string());
                } else if f.image.is_none() {
                    f.image = Some(reference.to_string());
                }
            }
        }
        f
    }

    /// The image as the task definition wrote it names no registry (`nginx:1`,
    /// `myorg/app`): docker and containerd then ask Docker Hub.
    pub fn image_names_no_registry(&self) -> bool {
        self.image.as_deref().is_some_and(names_no_registry)
    }

    /// The image names a registry host that is not ECR private's (`<account>.dkr.ecr.…`
    /// or the dual-stack `….dkr-ecr.…`): a stand-in or no host at all is not outside.
    pub fn image_outside_ecr(&self) -> bool {
        self.image
            .as_deref()
            .filter(|i| !redacted_registry(i))
            .and_then(registry_of)
            .is_some_and(|h| !(h.contains(".dkr.ecr.") || h.contains(".dkr-ecr.")))
    }

    fn note_arn(&mut self, w: &str) {
        let fields: Vec<&str> = w.splitn(6, ':').collect();
        if self.region.is_none()
            && let Some(r) = fields.get(3).filter(|r| crate::aws::is_region(r))
        {
            self.region = Some(r.to_string());
        }
        let clean = |s: &str| {
            s.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || "/_-+=.@".contains(c)))
                .to_string()
        };
        match fields.get(2) {
            Some(&"secretsmanager") if self.secret_arns.len() < MAX_NAMES => {
                // arn:aws:secretsmanager:<r>:<a>:secret:<name>[:<json-key>:…]: the
                // secret is the first seven fields.
                let parts: Vec<&str> = w.split(':').collect();
                let arn = clean(&parts[..parts.len().min(7)].join(":"));
                if parts.len() >= 7 && !self.secret_arns.contains(&arn) {
                    self.secret_arns.push(arn);
                }
                // valueFrom's `:<json-key>:<version-stage>:<version-id>` after the ARN.
                let field = |i: usize| {
                    parts
                        .get(i)
                        .map(|p| clean(p))
                        .filter(|p| !p.is_empty() && !p.contains(['<', '*', '$']))
                };
                if self.version_stage.is_none() && self.version_id.is_none() {
                    self.version_stage = field(8);
                    self.version_id = field(9);
                }
            }
            Some(&"ssm") if self.parameters.len() < MAX_NAMES => {
                if let Some(name) = fields.get(5).and_then(|r| r.strip_prefix("parameter/")) {
                    let name = clean(name);
                    // A path parameter's name keeps its leading slash.
                    let name = if name.contains('/') {
                        format!("/{name}")
                    } else {
                        name
                    };
                    if !name.is_empty() {
                        self.parameters.push(name);
                    }
                }
            }
            _ => {}
        }
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

    pub fn is_ecr_public(&self) -> bool {
        self.host.as_deref() == Some("public.ecr.aws")
    }
}

/// An ECR dual-stack name, `<account>.dkr-ecr.<region>.on.aws` or
/// `ecr.<region>.api.aws` (ECR user guide, "Making requests to Amazon ECR registries"),
/// and its region when that label is one (posters redact it: `REDACTED.dkr-ecr.REDACTED.on.aws`).
fn dual_stack_region(host: &str) -> Option<Option<&str>> {
    let labels: Vec<&str> = host.split('.').collect();
    let region = match labels.as_slice() {
        [_, "dkr-ecr", r, "on", "aws"] | ["ecr", r, "api", "aws"] => *r,
        _ => return None,
    };
    Some(crate::aws::is_region(region).then_some(region))
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
