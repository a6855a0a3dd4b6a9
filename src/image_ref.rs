//! Parsing an image reference and recognising which kind of ECR registry it names.
//!
//! The registry host carries facts the probe needs before any packet is sent: the
//! account and region (private ECR), and whether the name is one that VPC endpoints
//! cannot serve at all (dual-stack `*.on.aws`, FIPS `ecr-fips`, ECR Public).

use std::fmt;

/// A parsed `registry/repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Host name of the registry, lower-cased, without port.
    pub host: String,
    /// Port when the reference names one (only test set-ups do).
    pub port: Option<u16>,
    pub repository: String,
    pub reference: Reference,
    pub registry: RegistryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(String),
}

impl Reference {
    pub fn as_str(&self) -> &str {
        match self {
            Reference::Tag(t) | Reference::Digest(t) => t,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryKind {
    /// `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` or the dual-stack
    /// `<account>.dkr-ecr.<region>.on.aws`.
    Private {
        account: String,
        region: String,
        fips: bool,
        dual_stack: bool,
        /// `amazonaws.com` or `amazonaws.com.cn`: the suffix for the other service names.
        dns_suffix: String,
    },
    /// `public.ecr.aws`: not reachable through VPC endpoints at all.
    Public,
    /// Anything else: not ECR.
    Other,
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An IPv6 literal is kept without brackets, as URLs keep it; shown with them.
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "/{}", self.repository)?;
        match &self.reference {
            Reference::Tag(t) => write!(f, ":{t}"),
            Reference::Digest(d) => write!(f, "@{d}"),
        }
    }
}

impl ImageRef {
    pub fn account(&self) -> Option<&str> {
        match &self.registry {
            RegistryKind::Private { account, .. } => Some(account),
            _ => None,
        }
    }

    pub fn region(&self) -> Option<&str> {
        match &self.registry {
            RegistryKind::Private { region, .. } => Some(region),
            _ => None,
        }
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("docker://"))
            .unwrap_or(s);
        let (authority, rest) = s
            .split_once('/')
            .ok_or("expected <registry>/<repository>[:tag|@digest]")?;
        if !(authority.contains('.') || authority.contains(':')) {
            return Err("the first part must be a registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com".into());
        }
        let (host, port) = split_port(authority)?;
        let host = crate::net::url::valid_host(host).ok_or_else(|| {
            format!(
                "the registry host {} is not a DNS name or IP address",
                shown(host)
            )
        })?;
        let (name_and_tag, digest) = match rest.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (rest, None),
        };
        // A ':' after the last '/' separates the tag.
        let (repository, tag) = match name_and_tag.rfind(':') {
            Some(i) if !name_and_tag[i..].contains('/') => {
                (&name_and_tag[..i], Some(&name_and_tag[i + 1..]))
            }
            _ => (name_and_tag, None),
        };
        validate_repository(repository)?;
        let reference = match (digest, tag) {
            (Some(d), _) => {
                validate_digest(d)?;
                Reference::Digest(d.to_string())
            }
            (None, Some(t)) => {
                validate_tag(t)?;
                Reference::Tag(t.to_string())
            }
            (None, None) => Reference::Tag("latest".to_string()),
        };
        let registry = classify_registry(&host)?;
        Ok(ImageRef {
            host,
            port,
            repository: repository.to_string(),
            reference,
            registry,
        })
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    match authority.rsplit_once(':') {
        Some((h, p)) => p
            .parse::<u16>()
            .map(|p| (h, Some(p)))
            .map_err(|_| format!("invalid port {}", shown(p))),
        None => Ok((authority, None)),
    }
}

fn validate_repository(repo: &str) -> Result<(), String> {
    let ok = !repo.is_empty()
        && repo.len() <= 256
        && repo.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid repository name {} (lower-case letters, digits, '.', '_', '-', separated by '/')",
            shown(repo)
        ))
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid tag {} (letters, digits, '.', '_', '-'; at most 128)",
            shown(tag)
        ))
    }
}

fn validate_digest(d: &str) -> Result<(), String> {
    if is_sha256_digest(d) {
        Ok(())
    } else {
        Err(format!(
            "invalid digest {} (expected sha256:<64 lower-case hex digits>)",
            shown(d)
        ))
    }
}

/// `sha256:` and 64 lower-case hex digits: the only form a registry computes and the
/// OCI image spec allows for sha256 (upper case would never match the computed digest).
pub fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A part of the input for an error message: quoted, and cut when long, so that a long
/// reference is not echoed again inside the reason.
pub fn shown(part: &str) -> String {
    const MAX: usize = 40;
    if part.chars().count() <= MAX {
        format!("{part:?}")
    } else {
        let head: String = part.chars().take(MAX).collect();
        format!("{:?}…", head)
    }
}

/// What kind of registry `host` is. A name shaped like a private ECR registry whose
/// account or region is malformed is an error: probing it would only report that DNS
/// failed, for what is a typo.
fn classify_registry(host: &str) -> Result<RegistryKind, String> {
    let kind = classify_host(host);
    let labels: Vec<&str> = host.split('.').collect();
    let looks_private = matches!(labels.get(1..3), Some(["dkr", "ecr" | "ecr-fips"]))
        || labels.get(1) == Some(&"dkr-ecr");
    match &kind {
        RegistryKind::Private { region, .. } if !crate::aws::is_region(region) => Err(format!(
            "the registry host names the region {}, which is not a region name such as us-east-1",
            shown(region)
        )),
        RegistryKind::Other if looks_private => Err(
            "the registry host looks like a private ECR registry but is not <12-digit account>.dkr.ecr.<region>.amazonaws.com".into(),
        ),
        _ => Ok(kind),
    }
}

fn classify_host(host: &str) -> RegistryKind {
    if host == "public.ecr.aws" {
        return RegistryKind::Public;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let is_account = |s: &str| s.len() == 12 && s.chars().all(|c| c.is_ascii_digit());
    match labels.as_slice() {
        [
            account,
            "dkr",
            ecr @ ("ecr" | "ecr-fips"),
            region,
            rest @ ..,
        ] if is_account(account)
            && (rest == ["amazonaws", "com"] || rest == ["amazonaws", "com", "cn"]) =>
        {
            RegistryKind::Private {
                account: account.to_string(),
                region: region.to_string(),
                fips: *ecr == "ecr-fips",
                dual_stack: false,
                dns_suffix: rest.join("."),
            }
        }
        [account, "dkr-ecr", region, "on", "aws"] if is_account(account) => RegistryKind::Private {
            account: account.to_string(),
            region: region.to_string(),
            fips: false,
            dual_stack: true,
            dns_suffix: "amazonaws.com".to_string(),
        },
        _ => RegistryKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(account: &str, region: &str) -> RegistryKind {
        RegistryKind::Private {
            account: account.into(),
            region: region.into(),
            fips: false,
            dual_stack: false,
            dns_suffix: "amazonaws.com".into(),
        }
    }

    #[test]
    fn parses_tag_and_digest_forms() {
        let r =
            ImageRef::parse("111122223333.dkr.ecr.us-west-2.amazonaws.com/team/app:v1.2").unwrap();
        assert_eq!(r.host, "111122223333.dkr.ecr.us-west-2.amazonaws.com");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.reference, Reference::Tag("v1.2".into()));
        assert_eq!(r.registry, private("111122223333", "us-west-2"));

        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:v1@{d}"
        ))
        .unwrap();
        assert_eq!(r.reference, Reference::Digest(d.clone()));
        assert_eq!(
            r.to_string(),
            format!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@{d}")
        );

        let r = ImageRef::parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app").unwrap();
        assert_eq!(r.reference, Reference::Tag("latest".into()));
    }

    #[test]
    fn recognises_registry_kinds() {
        let fips =
            ImageRef::parse("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/a:b").unwrap();
        assert!(matches!(
            fips.registry,
            RegistryKind::Private { fips: true, .. }
        ));
        let ds = ImageRef::parse("111122223333.dkr-ecr.us-east-1.on.aws/a:b").unwrap();
        assert!(matches!(
            ds.registry,
            RegistryKind::Private {
                dual_stack: true,
                ..
            }
        ));
        let cn = ImageRef::parse("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/a:b").unwrap();
        assert!(
            matches!(&cn.registry, RegistryKind::Private { dns_suffix, .. } if dns_suffix == "amazonaws.com.cn")
        );
        let public = ImageRef::parse("public.ecr.aws/nginx/nginx:latest").unwrap();
        assert_eq!(public.registry, RegistryKind::Public);
        let hub = ImageRef::parse("docker.io/library/nginx:1").unwrap();
        assert_eq!(hub.registry, RegistryKind::Other);
        let port =
            ImageRef::parse("111122223333.dkr.ecr.us-east-1.amazonaws.com:8443/a:b").unwrap();
        assert_eq!(port.port, Some(8443));
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "nginx:latest",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/App:v1",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/a@sha256:xyz",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/a:t@g",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com:99999/a",
            "111122223333.dkr.ecr.us-east1.amazonaws.com/a:b",
            "11112222333.dkr.ecr.us-east-1.amazonaws.com/a:b",
            "111122223333.dkr.ecr..amazonaws.com/a:b",
            "bad_host.example/a:b",
            "[::1/a:b",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad} should be rejected");
        }
        let upper = format!(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/a@sha256:{}",
            "A".repeat(64)
        );
        let e = ImageRef::parse(&upper).unwrap_err();
        assert!(e.contains("lower-case"), "{e}");
        let long = format!(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/{}",
            "X".repeat(500)
        );
        assert!(ImageRef::parse(&long).unwrap_err().len() < 200);
    }
}
