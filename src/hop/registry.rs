//! The registry hops on the dkr endpoint (`com.amazonaws.<region>.ecr.dkr`):
//! - `registry`: `GET /v2/` without credentials. A 401 with a Basic challenge proves
//!   the endpoint and the registry behind it answer, before any credential is involved.
//! - `manifest`: the manifest with the token, resolving an index / manifest list to
//!   `--platform`, verifying the digest when pulled by digest, and picking the layer
//!   the layer hops fetch.

use std::time::Instant;

use http::{HeaderValue, header};

use crate::aws::Service;
use crate::causes::code;
use crate::diagnose::{self, Cause};
use crate::hop::calls::Token;
use crate::hop::{HopResult, http_error_cause};
use crate::image_ref::{ImageRef, Reference};
use crate::net::http::{Client, HttpError, Request, Response};
use crate::net::registry::Platform;
use crate::net::registry::{
    self, ACCEPT, DOCKER_MANIFEST, MANIFEST_LIMIT, ManifestDoc, OCI_MANIFEST, is_foreign,
    select_platform, sha256_digest,
};
use crate::plan::{Plan, Target};
// The layer hops share these with the manifest hop.
use crate::hop::evidence::ForeignLayer;
use crate::hop_kind::HopKind;
use crate::net::registry::{ERROR_BODY_LIMIT, basic_auth};
use crate::net::url::{HttpsUrl, host_of};

pub const PING_ID: &str = "registry";
pub const MANIFEST_ID: &str = "manifest";

/// The blob the layer hops fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerChoice {
    pub digest: String,
    pub size: u64,
    pub media_type: String,
    /// The blob is a single-platform image's config, whose `os`/`architecture` the
    /// layer hop checks against this platform once its digest holds.
    pub check_platform: Option<Platform>,
}

/// A config larger than this is not read for its platform (real ones are a few KiB).
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

pub async fn ping(client: &Client, dkr: &Target, plan: &Plan) -> HopResult {
    let t0 = Instant::now();
    let req = Request::get(on(dkr, "/v2/"));
    let mut hop = HopResult::new(HopKind::Registry, PING_ID, req.display_url());
    hop.evidence.url = Some(req.display_url());
    let resp = match client.send(&req).await {
        Ok(r) => r,
        Err(e) => {
            let cause =
                http_error_cause(&e, &dkr.host, Service::Dkr, plan, code!("registry.timeout"));
            return hop.fail(cause).message(e.to_string()).timed(t0);
        }
    };
    record_answer(&mut hop, &resp);
    hop.evidence.timings = Some(resp.timings.clone());
    hop.evidence.registry().www_authenticate = resp.header("www-authenticate").map(str::to_string);
    hop.evidence.registry().api_version = resp
        .header("docker-distribution-api-version")
        .map(str::to_string);
    let status = resp.status;
    let challenge = hop
        .evidence
        .registry()
        .www_authenticate
        .clone()
        .unwrap_or_default();
    let scheme = registry::parse_challenge(&challenge).map(|c| c.scheme);
    resp.release().await;
    match status {
        401 if scheme.as_deref() == Some("basic") => hop.timed(t0),
        401 => hop
            .warn(Cause::new(
                code!("registry.unexpected_challenge"),
                format!("the registry asks for {challenge:?} authentication, not ECR's Basic: something other than the ecr.dkr endpoint may be answering"),
            ))
            .timed(t0),
        200 => hop.message("the registry answered without asking for credentials").timed(t0),
        s => hop
            .fail(Cause::new(
                code!("registry.unexpected_status"),
                format!("GET /v2/ answered HTTP {s}, not 401: something other than the ECR registry answers at {} (a proxy, TLS inspection, or another service)", dkr.host),
            ))
            .timed(t0),
    }
}

/// An error answer's status and body, read up to the cap (what did not arrive is
/// judged as an empty body).
pub async fn error_body(resp: Response) -> (u16, bytes::Bytes) {
    let status = resp.status;
    let body = resp
        .bytes(ERROR_BODY_LIMIT)
        .await
        .map(|(b, _)| b)
        .unwrap_or_default();
    (status, body)
}

/// Judge a registry error response: its error document goes into the hop's evidence,
/// and the cause and a one-line message come back.
pub async fn error_response(
    resp: Response,
    hop: &mut HopResult,
    what: &str,
    region: &str,
) -> (Cause, String) {
    let (status, body) = error_body(resp).await;
    let parsed = registry::parse_error(&body);
    // The registry answers a GET's error with its `{"errors": [...]}` document; a body
    // without one is not the registry's word (a proxy's 403 page is no policy denial,
    // its 404 no missing tag). Except ECR's own 401, plain-text "Not Authorized"
    // (tests/real_artifacts.rs), and throttling, which is throttling whoever says it.
    if parsed.is_none() && !body.is_empty() && status != 401 && status != 429 {
        hop.evidence.answer_prefix = crate::hop::answer_prefix(&body);
        let cause = crate::hop::unreadable_cause(
            &format!("the registry ({what})"),
            status,
            "an error without the registry's JSON error document",
        );
        return (cause, format!("HTTP {status}"));
    }
    hop.evidence.registry_error = parsed.as_ref().map(|(c, _)| c.clone());
    hop.evidence.error_message = parsed.as_ref().map(|(_, m)| m.clone());
    if let Some((code, m)) = &parsed
        && (status == 403 || code == "DENIED")
    {
        hop.evidence.record_denial(&crate::denial::read(m));
    }
    let cause = diagnose::registry_error(
        status,
        parsed.as_ref().map(|(c, _)| c.as_str()),
        parsed.as_ref().map(|(_, m)| m.as_str()),
        what,
        region,
    );
    let msg = match parsed {
        Some((c, m)) => format!("HTTP {status} {c}: {m}"),
        None => format!("HTTP {status}"),
    };
    (cause, msg)
}

/// A URL on the registry endpoint.
pub fn on(dkr: &Target, path_and_query: &str) -> HttpsUrl {
    HttpsUrl::new(&dkr.host, dkr.port, path_and_query)
}

/// The registry as the pull hops speak to it: the run's client, the image's dkr
/// endpoint, the token it takes and the plan its answers are judged against.
pub struct Registry<'a> {
    pub client: &'a Client,
    pub dkr: &'a Target,
    pub token: &'a Token,
    pub plan: &'a Plan,
}

impl Registry<'_> {
    /// A URL on the registry endpoint.
    pub fn url(&self, path_and_query: &str) -> HttpsUrl {
        on(self.dkr, path_and_query)
    }

    /// A GET of `url` that carries the token.
    pub fn get(&self, url: HttpsUrl) -> Request {
        let mut req = Request::get(url);
        if let Some(v) = basic_auth(self.token) {
            req.headers.insert(header::AUTHORIZATION, v);
        }
        req
    }

    /// The cause of a request to the registry that got no answer (or lost it).
    pub fn unanswered(&self, e: &HttpError) -> Cause {
        http_error_cause(
            e,
            &self.dkr.host,
            Service::Dkr,
            self.plan,
            code!("registry.timeout"),
        )
    }
}

/// What an answer says of the path, whatever its status.
pub fn record_answer(hop: &mut HopResult, resp: &Response) {
    hop.evidence.http_status = Some(resp.status);
    hop.evidence.clock_skew_ms = crate::net::clock::skew_now(resp.header("date"));
    hop.evidence.remote_address = Some(resp.remote.to_string());
}

struct Fetched {
    media_type: String,
    digest: String,
    doc: ManifestDoc,
}

enum FetchError {
    /// Already judged; the hop is final.
    Hop(Box<HopResult>),
}

impl FetchError {
    fn failed(hop: HopResult, cause: Cause) -> FetchError {
        FetchError::Hop(Box::new(hop.fail(cause)))
    }
}

pub async fn manifest(
    reg: &Registry<'_>,
    image: &ImageRef,
    platform: &Platform,
    check_config: bool,
) -> (HopResult, Option<LayerChoice>) {
    let t0 = Instant::now();
    let path = registry::manifest_path(&image.repository, image.reference.as_str());
    let url = reg.url(&path).display();
    let mut hop = HopResult::new(HopKind::Manifest, MANIFEST_ID, url.clone());
    hop.evidence.url = Some(url);
    let expect_digest = match &image.reference {
        Reference::Digest(d) => Some(d.clone()),
        Reference::Tag(_) => None,
    };
    let first = fetch(reg, &path, expect_digest.as_deref(), hop, "manifest").await;
    let (hop, fetched, from_index) = match first {
        Ok((h, f)) if f.doc.is_index(&f.media_type) => {
            match platform_manifest(reg, image, platform, h, f).await {
                Ok((h, f)) => (h, f, true),
                Err(FetchError::Hop(h)) => return (h.timed(t0), None),
            }
        }
        Ok((h, f)) => (h, f, false),
        Err(FetchError::Hop(h)) => return (h.timed(t0), None),
    };
    let (hop, choice) = layers(hop, &fetched, check_config && !from_index, platform);
    (hop.timed(t0), choice)
}

/// An image index resolved to `platform`: the index goes into the evidence, and the
/// platform's own manifest is fetched.
async fn platform_manifest(
    reg: &Registry<'_>,
    image: &ImageRef,
    platform: &Platform,
    mut hop: HopResult,
    index: Fetched,
) -> Result<(HopResult, Fetched), FetchError> {
    hop.evidence.manifest().index_media_type = Some(index.media_type.clone());
    hop.evidence.manifest().index_digest = Some(index.digest.clone());
    hop.evidence.manifest().platforms_available = index
        .doc
        .manifests
        .iter()
        .filter_map(|m| m.platform.as_ref())
        .map(|p| match &p.variant {
            Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
            None => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    let Some(entry) = select_platform(&index.doc.manifests, platform) else {
        let available = hop.evidence.manifest().platforms_available.join(", ");
        return Err(FetchError::failed(
            hop,
            Cause::new(
                code!("registry.platform_missing"),
                format!(
                    "the image index has no {platform} manifest (it has: {available}): a task on {platform} (its runtimePlatform, or --platform) cannot pull it (CannotPullContainerError); push an image for {platform}, or run the task on one the index has"
                ),
            ),
        ));
    };
    hop.evidence.manifest().platform = Some(platform.to_string());
    let digest = entry.digest.clone();
    if !registry::is_digest(&digest) {
        return Err(FetchError::failed(hop, not_a_digest("index entry")));
    }
    let path = registry::manifest_path(&image.repository, &digest);
    fetch(reg, &path, Some(&digest), hop, "platform manifest").await
}

/// The image manifest judged for its layers: pullable at all, foreign layers, and the
/// blob the layer hops fetch.
fn layers(
    mut hop: HopResult,
    fetched: &Fetched,
    check_config: bool,
    platform: &Platform,
) -> (HopResult, Option<LayerChoice>) {
    hop.evidence.manifest().media_type = Some(fetched.media_type.clone());
    hop.evidence.manifest().digest = Some(fetched.digest.clone());
    if let Some(cause) = unusable(fetched) {
        return (hop.fail(cause), None);
    }
    let layers = &fetched.doc.layers;
    hop.evidence.manifest().layer_count = Some(u32::try_from(layers.len()).unwrap_or(u32::MAX));
    // Sizes are the server's numbers: their sum may not fit.
    let Some(total) = layers
        .iter()
        .try_fold(0u64, |sum, l| sum.checked_add(l.size))
    else {
        return (
            hop.fail(Cause::new(
                code!("registry.manifest_invalid"),
                "the manifest's layer sizes add up to more than 2^64 bytes: not a manifest a registry computed",
            )),
            None,
        );
    };
    hop.evidence.manifest().image_size_bytes = Some(total);
    hop.evidence.manifest().foreign_layers = layers
        .iter()
        .filter(|l| is_foreign(&l.media_type) || !l.urls.is_empty())
        .map(|l| ForeignLayer {
            digest: l.digest.clone(),
            media_type: l.media_type.clone(),
            hosts: hosts_of(&l.urls),
        })
        .collect();
    let choice = layer_choice(&fetched.doc, check_config, platform);
    if !hop.evidence.manifest().foreign_layers.is_empty() {
        let cause = foreign_cause(&hop.evidence.manifest().foreign_layers);
        hop = hop.fail(cause);
    }
    if choice.is_none() && hop.passed() {
        hop = hop.warn(Cause::new(
            code!("registry.no_layers"),
            "the manifest lists no layer stored in ECR; the layer hops have nothing to fetch",
        ));
    }
    (hop, choice)
}

/// One manifest GET: its answer into the hop's evidence, its bytes checked against
/// the digest asked for (or the one the registry names) and parsed.
async fn fetch(
    reg: &Registry<'_>,
    path: &str,
    expect_digest: Option<&str>,
    mut hop: HopResult,
    what: &str,
) -> Result<(HopResult, Fetched), FetchError> {
    let mut req = reg.get(reg.url(path));
    req.headers
        .insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
    let fail = |hop: HopResult, cause: Cause, msg: String| {
        Err(FetchError::Hop(Box::new(hop.fail(cause).message(msg))))
    };
    let resp = match reg.client.send(&req).await {
        Ok(r) => r,
        Err(e) => return fail(hop, reg.unanswered(&e), e.to_string()),
    };
    record_answer(&mut hop, &resp);
    let status = resp.status;
    let content_type = resp
        .header("content-type")
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_string());
    let header_digest = resp.header("docker-content-digest").map(str::to_string);
    if status != 200 {
        let (cause, msg) = error_response(resp, &mut hop, what, &reg.plan.region).await;
        return fail(hop, cause, msg);
    }
    let (body, timings) = match resp.bytes(MANIFEST_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            let cause = unread(reg, e, what);
            return fail(hop, cause, format!("reading the {what} failed"));
        }
    };
    hop.evidence.timings = Some(timings);
    let digest = sha256_digest(&body);
    if let Some(want) = expect_digest.or(header_digest.as_deref())
        && want.starts_with("sha256:")
        && want != digest
    {
        hop.evidence.manifest().digest = Some(digest.clone());
        let cause = Cause::new(
            code!("registry.digest_mismatch"),
            format!(
                "the {what}'s bytes hash to {digest}, not {want}: the content was altered on the way (a proxy or TLS inspection rewriting it) or the registry is inconsistent"
            ),
        );
        return fail(hop, cause, "manifest digest mismatch".into());
    }
    match parse(&body, content_type, what) {
        Ok((doc, media_type)) => Ok((
            hop,
            Fetched {
                media_type,
                digest,
                doc,
            },
        )),
        Err((cause, msg)) => fail(hop, cause, msg),
    }
}

/// Why a manifest's body could not be read.
fn unread(reg: &Registry<'_>, e: HttpError, what: &str) -> Cause {
    match e {
        HttpError::TooLarge { limit } => Cause::new(
            code!("registry.manifest_too_large"),
            format!(
                "the {what} is larger than {limit} bytes: not a manifest a registry should serve; something other than ECR answers"
            ),
        ),
        other => reg.unanswered(&other),
    }
}

/// The manifest document and its media type: the `Content-Type` the registry sent
/// (parameters dropped), else the document's own `mediaType`.
fn parse(
    body: &[u8],
    content_type: Option<String>,
    what: &str,
) -> Result<(ManifestDoc, String), (Cause, String)> {
    let doc: ManifestDoc = serde_json::from_slice(body).map_err(|e| {
        let cause = Cause::new(
            code!("registry.manifest_invalid"),
            format!(
                "the {what} is not valid manifest JSON: something other than the registry answered"
            ),
        );
        (cause, e.to_string())
    })?;
    let media_type = content_type
        .filter(|c| !c.is_empty() && c != "application/json")
        .or_else(|| doc.media_type.clone())
        .unwrap_or_default();
    Ok((doc, media_type))
}

/// Why a fetched manifest cannot be pulled as it is, if it cannot: the checks before
/// its layers are read.
fn unusable(fetched: &Fetched) -> Option<Cause> {
    if fetched.doc.is_index(&fetched.media_type) {
        return Some(Cause::new(
            code!("registry.unsupported_manifest"),
            "the platform's entry in the image index is another index: container runtimes do not resolve nested indexes, so this image cannot be pulled",
        ));
    }
    if fetched.media_type != DOCKER_MANIFEST
        && fetched.media_type != OCI_MANIFEST
        && fetched.doc.schema_version != Some(2)
    {
        return Some(Cause::new(
            code!("registry.unsupported_manifest"),
            format!(
                "the registry returned a {} manifest; ECR serves Docker v2 schema 2 and OCI manifests to clients that accept them",
                fetched.media_type
            ),
        ));
    }
    if fetched.doc.config.is_none() {
        return Some(Cause::new(
            code!("registry.manifest_invalid"),
            "the answer is JSON but not an image manifest (it names no config): something other than the registry answered",
        ));
    }
    if fetched
        .doc
        .layers
        .iter()
        .any(|l| !registry::is_digest(&l.digest))
    {
        return Some(not_a_digest("layer"));
    }
    None
}

/// The blob the layer hops fetch: the smallest layer stored in ECR, or, when a
/// single-platform image's platform must be checked, its config.
fn layer_choice(doc: &ManifestDoc, check_config: bool, platform: &Platform) -> Option<LayerChoice> {
    let choice = doc
        .layers
        .iter()
        .filter(|l| !is_foreign(&l.media_type) && l.urls.is_empty())
        .min_by_key(|l| l.size)
        .map(|l| LayerChoice {
            digest: l.digest.clone(),
            size: l.size,
            media_type: l.media_type.clone(),
            check_platform: None,
        });
    // A single-platform image names its platform only in its config: when a platform is
    // asked for, the layer hops fetch the config (a blob on the same path) and check it.
    match &doc.config {
        Some(c) if check_config && c.size <= MAX_CONFIG_BYTES && registry::is_digest(&c.digest) => {
            Some(LayerChoice {
                digest: c.digest.clone(),
                size: c.size,
                media_type: c.media_type.clone(),
                check_platform: Some(platform.clone()),
            })
        }
        _ => choice,
    }
}

/// Foreign layers (Windows base layers) come from outside ECR, where VPC endpoints
/// cannot reach.
fn foreign_cause(foreign: &[ForeignLayer]) -> Cause {
    let hosts: Vec<String> = foreign
        .iter()
        .flat_map(|f| f.hosts.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let hosts = if hosts.is_empty() {
        "hosts outside AWS".to_string()
    } else {
        hosts.join(", ")
    };
    let n = foreign.len();
    Cause::new(
        code!("layer.foreign"),
        format!(
            "{n} layer(s) are foreign (Windows base layers): they are not in ECR and come from {hosts}, which VPC endpoints cannot reach; push the image with --allow-nondistributable-artifacts (so ECR stores them), or give the subnet a NAT"
        ),
    )
}

/// A digest in the manifest that no registry computes; it would become a request
/// path that carries the token.
fn not_a_digest(what: &str) -> Cause {
    Cause::new(
        code!("registry.manifest_invalid"),
        format!(
            "a {what} digest in the manifest is not sha256:<64 lower-case hex digits>: something other than the registry answered; not requested"
        ),
    )
}

fn hosts_of(urls: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = urls.iter().filter_map(|u| host_of(u)).collect();
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.clone()));
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_layer_hosts() {
        assert_eq!(
            hosts_of(&[
                "https://mcr.microsoft.com/v2/x/blobs/sha256:1".into(),
                "https://mcr.microsoft.com/y".into()
            ]),
            ["mcr.microsoft.com"]
        );
    }
}
