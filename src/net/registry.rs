//! The OCI distribution (Docker Registry HTTP API v2) protocol as ECR's dkr endpoint
//! speaks it: request paths, media types, the Basic authorization header, the error
//! document, manifests and indexes, digests. Both the manifest and the layer hops use
//! it; what a response *means* for the pull is theirs to judge.

use http::HeaderValue;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// Manifests are small; the OCI distribution spec recommends registries accept ≤ 4 MiB.
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;
/// Error documents are smaller still.
pub const ERROR_BODY_LIMIT: u64 = 64 * 1024;

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Every manifest shape ECR can serve, indexes first, as container runtimes ask.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// An OCI platform (`os/architecture[/variant]`), as an index's entries name it.
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

pub fn manifest_path(repository: &str, reference: &str) -> String {
    format!("/v2/{repository}/manifests/{reference}")
}

pub fn blob_path(repository: &str, digest: &str) -> String {
    format!("/v2/{repository}/blobs/{digest}")
}

/// `Authorization: Basic <token>`: the ECR token is already base64 of `AWS:<password>`
/// and is sent whole.
pub fn basic_auth(token: &Secret<String>) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Basic {}", token.expose())).ok()?;
    // Keeps the value out of hyper's and any tracing's header dumps.
    v.set_sensitive(true);
    Some(v)
}

/// A `WWW-Authenticate` challenge: its scheme (lower-cased) and realm, as far as they
/// can be read. Servers are free to send anything here; nothing of it is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub realm: Option<String>,
}

/// The first challenge of a `WWW-Authenticate` value (RFC 9110 §11.6.1): the scheme
/// token, then `realm=` as a token or a quoted string. None when there is no scheme.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let header = header.trim_start();
    let end = header.find(|c: char| !tchar(c)).unwrap_or(header.len());
    if end == 0 {
        return None;
    }
    let scheme = header[..end].to_ascii_lowercase();
    let params = &header[end..];
    let realm = params
        .char_indices()
        .filter(|(_, c)| *c == 'r' || *c == 'R')
        .map(|(i, _)| &params[i..])
        .find(|p| p.get(..6).is_some_and(|k| k.eq_ignore_ascii_case("realm=")))
        .map(|p| {
            let v = p.get(6..).unwrap_or_default();
            match v.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or_default().to_string(),
                None => v.split([',', ' ']).next().unwrap_or_default().to_string(),
            }
        });
    Some(Challenge { scheme, realm })
}

#[derive(Debug, Deserialize)]
struct ErrorDoc {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Debug, Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// A registry error document (`{"errors":[{"code","message"}]}`): its first code and
/// message.
pub fn parse_error(body: &[u8]) -> Option<(String, String)> {
    let doc: ErrorDoc = serde_json::from_slice(body).ok()?;
    doc.errors.into_iter().next().map(|e| (e.code, e.message))
}

/// A manifest or an index: the fields the probe reads of either.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ManifestDoc {
    pub media_type: Option<String>,
    pub schema_version: Option<u32>,
    pub manifests: Vec<IndexEntry>,
    /// Every image manifest has one; an index has none.
    pub config: Option<Descriptor>,
    pub layers: Vec<Descriptor>,
}

impl ManifestDoc {
    pub fn is_index(&self, media_type: &str) -> bool {
        media_type == DOCKER_LIST || media_type == OCI_INDEX || !self.manifests.is_empty()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IndexEntry {
    pub media_type: String,
    pub digest: String,
    pub platform: Option<PlatformDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlatformDoc {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    pub urls: Vec<String>,
}

/// The index entry for `want`: an exact variant match first, then any variant when
/// none was asked for; attestation manifests are never an image.
pub fn select_platform<'a>(entries: &'a [IndexEntry], want: &Platform) -> Option<&'a IndexEntry> {
    let matches = |e: &&IndexEntry, strict_variant: bool| {
        e.platform.as_ref().is_some_and(|p| {
            p.os == want.os
                && p.architecture == want.architecture
                && match (&want.variant, strict_variant) {
                    (Some(v), _) => p.variant.as_deref() == Some(v.as_str()),
                    (None, true) => p.variant.is_none(),
                    (None, false) => true,
                }
        }) && !e.media_type.contains("attestation")
    };
    entries
        .iter()
        .find(|e| matches(e, true))
        .or_else(|| entries.iter().find(|e| matches(e, false)))
}

/// A digest a registry could have computed: `sha256:` with 64, or `sha512:` with 128,
/// lower-case hex digits. Digests from a manifest become request paths that carry the
/// token, so anything else (`../`, `?`, upper case, other algorithms) is refused.
pub fn is_digest(d: &str) -> bool {
    let hex = |h: &str, n: usize| {
        h.len() == n
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match d.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// Windows base layers and other non-distributable layers live outside the registry.
pub fn is_foreign(media_type: &str) -> bool {
    media_type.contains("foreign") || media_type.contains("nondistributable")
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(os: &str, arch: &str, variant: Option<&str>, digest: &str) -> IndexEntry {
        IndexEntry {
            media_type: OCI_MANIFEST.into(),
            digest: digest.into(),
            platform: Some(PlatformDoc {
                os: os.into(),
                architecture: arch.into(),
                variant: variant.map(Into::into),
            }),
        }
    }

    fn plat(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.into(),
            architecture: arch.into(),
            variant: variant.map(Into::into),
        }
    }

    #[test]
    fn selects_the_platform() {
        let idx = vec![
            entry("linux", "amd64", None, "a"),
            entry("linux", "arm64", Some("v8"), "b"),
            entry("linux", "arm", Some("v7"), "c"),
        ];
        let pick = |p| select_platform(&idx, &p).map(|e| e.digest.as_str());
        assert_eq!(pick(plat("linux", "amd64", None)), Some("a"));
        assert_eq!(pick(plat("linux", "arm64", None)), Some("b"));
        assert_eq!(pick(plat("linux", "arm", Some("v7"))), Some("c"));
        assert_eq!(pick(plat("windows", "amd64", None)), None);
        assert_eq!(pick(plat("linux", "arm", Some("v6"))), None);
    }

    #[test]
    fn error_documents_paths_digests() {
        let body =
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"Requested image not found"}]}"#;
        assert_eq!(
            parse_error(body),
            Some((
                "MANIFEST_UNKNOWN".into(),
                "Requested image not found".into()
            ))
        );
        assert_eq!(parse_error(b"<html>"), None);
        assert_eq!(manifest_path("lab/app", "v1"), "/v2/lab/app/manifests/v1");
        assert_eq!(blob_path("app", "sha256:ab"), "/v2/app/blobs/sha256:ab");
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(is_foreign(
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
        ));
        assert!(is_foreign(
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        ));
        assert!(!is_foreign("application/vnd.oci.image.layer.v1.tar+gzip"));
    }

    #[test]
    fn digests() {
        let ok = format!("sha256:{}", "0a".repeat(32));
        assert!(is_digest(&ok));
        assert!(is_digest(&format!("sha512:{}", "f".repeat(128))));
        for bad in [
            format!("sha256:{}", "0A".repeat(32)),
            format!("sha256:{}", "0".repeat(63)),
            format!("sha256:../../{}", "0".repeat(58)),
            format!("md5:{}", "0".repeat(32)),
            "sha256".to_string(),
        ] {
            assert!(!is_digest(&bad), "{bad}");
        }
    }

    #[test]
    fn challenges() {
        let c = parse_challenge(r#"Basic realm="https://r.example/",service="ecr.amazonaws.com""#);
        assert_eq!(
            c,
            Some(Challenge {
                scheme: "basic".into(),
                realm: Some("https://r.example/".into())
            })
        );
        let c = parse_challenge("Bearer realm=x,scope=y").unwrap();
        assert_eq!(
            (c.scheme.as_str(), c.realm.as_deref()),
            ("bearer", Some("x"))
        );
        assert_eq!(parse_challenge("  "), None);
        assert_eq!(parse_challenge("Negotiate").unwrap().realm, None);
    }

    #[test]
    fn auth_header_is_sensitive() {
        let v = basic_auth(&Secret::new("QVdTOnB3".into())).unwrap();
        assert!(v.is_sensitive());
    }
}
