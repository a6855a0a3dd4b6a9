//! The layer hops: the blob GET on the dkr endpoint, which ECR answers with a redirect
//! to a presigned S3 URL (`layer_redirect`), and the fetch of that URL through the S3
//! gateway endpoint (`layer`), hashed with SHA-256 and compared with the digest.
//!
//! The redirect is checked before it is followed: only https to an S3 host, at most
//! [`MAX_REDIRECTS`] times ([`Client::send_following`], which also keeps the registry's
//! `Authorization` from S3: S3 rejects a presigned URL that also carries it, "Only one
//! auth mechanism allowed"). The presigned URL is a [`Secret`]: only its scheme, host
//! and path reach the report.

use std::time::Instant;

use http::{HeaderValue, header};
use sha2::{Digest, Sha256};

use crate::aws::Service;
use crate::causes::code;
use crate::denial::DeniedBy;
use crate::diagnose::{self, Cause};
use crate::hop::registry::{LayerChoice, Registry, error_body, error_response, on, record_answer};
use crate::hop::{HopResult, http_error_cause};
use crate::hop_kind::HopKind;
use crate::image_ref::ImageRef;
use crate::net::http::{FollowError, FollowFailure, HttpError, Request, Response, Timings};
use crate::net::registry::hex;
use crate::net::url::HttpsUrl;
use crate::net::url::redact as redact_url;
use crate::plan::{Plan, Target};
use crate::provenance::EndpointSource;
use crate::secret::Secret;

pub const REDIRECT_ID: &str = "layer_redirect";
pub const LAYER_ID: &str = "layer";
pub const MAX_REDIRECTS: usize = 3;

/// Where the layer bytes are fetched from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A redirect target, fetched without the registry's credentials.
    Redirect(Secret<HttpsUrl>),
    /// The registry served the blob itself; fetched from it with the token.
    Registry,
}

/// Is `url` a target the probe may follow? (That it is https without user info, the
/// type already says.)
fn check_target(url: &HttpsUrl, plan: &Plan) -> Result<(), String> {
    let host = url.host();
    let s3 = plan.target(crate::aws::Service::S3, &crate::plan::Role::Endpoint);
    let s3_override = s3
        .filter(|t| t.source != EndpointSource::Default)
        .map(|t| t.host.as_str());
    // S3 serves on 443; an --endpoint for s3 names the one other port it may use.
    let port = s3.map_or(443, |t| t.port);
    if !(crate::aws::is_s3_host(host, &plan.dns_suffix)
        || s3_override == Some(host)
        || host == plan.bucket_host)
    {
        Err(format!("{host} is not an Amazon S3 host"))
    } else if url.port() != port {
        Err(format!("port {} is not the S3 port {port}", url.port()))
    } else {
        Ok(())
    }
}

fn not_https(location: &str) -> String {
    format!("not an https URL: {}", redact_url(location))
}

pub async fn redirect(
    reg: &Registry<'_>,
    image: &ImageRef,
    layer: &LayerChoice,
) -> (HopResult, Option<Source>) {
    let t0 = Instant::now();
    let plan = reg.plan;
    let req = reg.get(blob_url(reg.dkr, image, layer));
    let mut hop = HopResult::new(HopKind::LayerRedirect, REDIRECT_ID, req.display_url());
    hop.evidence.url = Some(req.display_url());
    hop.evidence.layer().digest = Some(layer.digest.clone());
    hop.evidence.layer().size_bytes = Some(layer.size);
    hop.evidence.layer().expected_host = Some(plan.bucket_host.clone());
    let resp = match reg.client.send(&req).await {
        Ok(r) => r,
        Err(e) => {
            let cause = reg.unanswered(&e);
            return (hop.fail(cause).message(e.to_string()).timed(t0), None);
        }
    };
    record_answer(&mut hop, &resp);
    hop.evidence.timings = Some(resp.timings.clone());
    let status = resp.status;
    let location = resp.header("location").map(str::to_string);
    let (hop, source) = match (status, location) {
        (300..=399, Some(loc)) => {
            drop(resp);
            located(hop, &req.url, &loc, plan)
        }
        (300..=399, None) => (
            hop.fail(Cause::new(
                code!("layer.unexpected_redirect"),
                "the registry answered with a redirect without a Location",
            )),
            None,
        ),
        (200, _) => {
            drop(resp);
            (
                hop.warn(Cause::new(
                    code!("layer.no_redirect"),
                    "the registry served the layer itself instead of redirecting to S3, which ECR does not do: something other than ECR answers, and the S3 path was not tested",
                )),
                Some(Source::Registry),
            )
        }
        (_, _) => {
            let (cause, msg) = error_response(resp, &mut hop, "layer", &plan.region).await;
            (hop.fail(cause).message(msg), None)
        }
    };
    (hop.timed(t0), source)
}

/// The registry's redirect `loc` (relative to `from`), checked before anything follows
/// it: an S3 host on S3's port, and the layer bucket of the region, or a warning.
fn located(
    mut hop: HopResult,
    from: &HttpsUrl,
    loc: &str,
    plan: &Plan,
) -> (HopResult, Option<Source>) {
    let target = from.resolve(loc);
    hop.evidence.layer().location = Some(match &target {
        Ok(u) => u.display(),
        Err(_) => redact_url(loc),
    });
    hop.evidence.layer().location_host = target.as_ref().ok().map(|u| u.host().to_string());
    let checked = match target {
        Ok(u) => check_target(&u, plan).map(|()| u),
        Err(_) => Err(not_https(loc)),
    };
    let url = match checked {
        Ok(url) => url,
        Err(why) => {
            return (
                hop.fail(Cause::new(
                    code!("layer.unexpected_redirect"),
                    format!("the registry redirected the layer to somewhere ECR never does ({why}); not followed. Something in the path rewrites responses, or the name is not served by ECR"),
                ))
                .message(why),
                None,
            );
        }
    };
    let host = url.host();
    if host != plan.bucket_host
        && crate::aws::is_starport_bucket_host(host, &plan.region, &plan.dns_suffix)
    {
        hop = hop.message(format!(
            "{host} is the legacy global name of the layer bucket {}: the same bucket, reached through the same S3 gateway endpoint",
            plan.bucket_host
        ));
    } else if host != plan.bucket_host {
        hop = hop.warn(Cause::new(
            code!("layer.unexpected_redirect"),
            format!("the layer redirect points at {host}, not {}: make sure the S3 gateway endpoint policy allows s3:GetObject on that bucket too", plan.bucket_host),
        ));
    }
    (hop, Some(Source::Redirect(Secret::new(url))))
}

/// The layer GET: through S3 after the registry's redirect (or from the registry that
/// served it itself), its bytes hashed and counted against the manifest's digest and
/// size, a single-platform config checked for its platform.
pub async fn fetch(
    reg: &Registry<'_>,
    source: &Source,
    image: &ImageRef,
    layer: &LayerChoice,
    max_bytes: u64,
) -> HopResult {
    let t0 = Instant::now();
    let plan = reg.plan;
    let url = match source {
        Source::Redirect(u) => u.expose().clone(),
        Source::Registry => blob_url(reg.dkr, image, layer),
    };
    let mut hop = HopResult::new(HopKind::Layer, LAYER_ID, url.display());
    hop.evidence.layer().digest = Some(layer.digest.clone());
    hop.evidence.layer().size_bytes = Some(layer.size);
    hop.evidence.url = Some(url.display());
    // Past the cap, read a bounded range: enough to prove the path, not the digest.
    let ranged = layer.size > max_bytes;
    let req = layer_request(reg, url, ranged.then_some(max_bytes));
    let followed = reg
        .client
        .send_following(req, MAX_REDIRECTS, |next| check_target(next, plan))
        .await;
    let resp = match followed {
        Ok(r) => r,
        Err(e) => return not_followed(hop, e, plan).timed(t0),
    };
    hop.evidence.url = Some(resp.url.display());
    hop.target = resp.url.display();
    record_answer(&mut hop, &resp);
    hop.evidence.timings = Some(resp.timings.clone());
    let status = resp.status;
    if status != 200 && status != 206 {
        return refused(hop, resp, plan).await.timed(t0);
    }
    // One byte past the declared size is enough to know the layer is longer than the
    // manifest says: no need to read on to --max-layer-bytes.
    let limit = if ranged {
        max_bytes
    } else {
        layer.size.saturating_add(1)
    };
    // A config checked for its platform is kept (it is at most a few KiB).
    let keep = layer.check_platform.is_some();
    let (read, streamed) = stream(resp, limit, keep).await;
    hop.evidence.layer().bytes_read = Some(read.bytes);
    match streamed {
        Ok(timings) => hop.evidence.timings = Some(timings),
        Err(e) => return cut(hop, e, read.bytes, layer.size, plan).timed(t0),
    }
    judge_bytes(hop, &read, layer, ranged.then_some(max_bytes)).timed(t0)
}

/// The layer GET: with the token only to the registry itself (the client drops it on
/// a redirect elsewhere), and for a layer over the cap, a range of `cap` bytes.
fn layer_request(reg: &Registry<'_>, url: HttpsUrl, cap: Option<u64>) -> Request {
    let mut req = if url.origin() == reg.url("").origin() {
        reg.get(url)
    } else {
        Request::get(url)
    };
    if let Some(cap) = cap
        && let Ok(v) = HeaderValue::from_str(&format!("bytes=0-{}", cap - 1))
    {
        req.headers.insert(header::RANGE, v);
    }
    req
}

/// The layer GET ended without an answer to judge: it failed to send, or a redirect
/// after the registry's was not followed.
fn not_followed(mut hop: HopResult, e: FollowError<String>, plan: &Plan) -> HopResult {
    hop.evidence.url = Some(e.url.display());
    hop.target = e.url.display();
    if let Some(last) = &e.last {
        hop.evidence.remote_address = Some(last.remote.to_string());
        hop.evidence.http_status = Some(last.status);
        hop.evidence.timings = Some(last.timings.clone());
    }
    let not_s3 = |why: String| {
        Cause::new(
            code!("layer.unexpected_redirect"),
            format!("S3 redirected further to somewhere that is not S3 ({why}); not followed"),
        )
    };
    let cause = match e.failure {
        FollowFailure::Send(err) => {
            let cause = http_error_cause(
                &err,
                e.url.host(),
                Service::S3,
                plan,
                code!("layer.timeout"),
            );
            return hop.fail(cause).message(err.to_string());
        }
        FollowFailure::NoLocation => Cause::new(
            code!("layer.unexpected_redirect"),
            "a redirect without a Location",
        ),
        FollowFailure::TooMany { max } => Cause::new(
            code!("layer.too_many_redirects"),
            format!(
                "more than {max} redirects after the registry's: a loop, or a proxy in the path"
            ),
        ),
        FollowFailure::NotHttps { location, .. } => not_s3(not_https(&location)),
        FollowFailure::Rejected { reason, .. } => not_s3(reason),
    };
    hop.fail(cause)
}

/// S3 (or the registry) answered the layer GET with an error status: judged from its
/// XML error document, which only S3 sends.
async fn refused(mut hop: HopResult, resp: Response, plan: &Plan) -> HopResult {
    let (status, body) = error_body(resp).await;
    let (code, message) = parse_s3_error(&body);
    if code.is_none() && !body.is_empty() {
        // S3 answers a GET's error with its XML document; anything else is not
        // S3's word (a proxy's "403 Forbidden" page is no endpoint policy).
        return crate::hop::unreadable_answer(
            hop,
            "S3 (the layer GET)",
            status,
            &body,
            "an error without S3's XML error document",
        );
    }
    hop.evidence.layer().s3_error_code = code.clone();
    hop.evidence.error_message = message.clone();
    let cause = s3_rejection(status, code.as_deref(), message.as_deref(), &mut hop, plan);
    let msg = match (&code, &message) {
        (Some(c), Some(m)) => format!("HTTP {status} {c}: {m}"),
        _ => format!("HTTP {status}"),
    };
    hop.fail(cause).message(msg)
}

/// What arrived of the layer.
struct Read {
    bytes: u64,
    /// `sha256:<hex>` of those bytes.
    digest: String,
    /// The bytes themselves, when kept (a config checked for its platform).
    kept: Vec<u8>,
}

/// Read the layer's body up to `limit` bytes, hashing as it comes.
async fn stream(resp: Response, limit: u64, keep: bool) -> (Read, Result<Timings, HttpError>) {
    let mut hasher = Sha256::new();
    let mut read: u64 = 0;
    let mut kept: Vec<u8> = Vec::new();
    let streamed = resp
        .stream(|chunk| {
            let room = limit.saturating_sub(read);
            let take = (chunk.len() as u64).min(room) as usize;
            hasher.update(&chunk[..take]);
            if keep {
                kept.extend_from_slice(&chunk[..take]);
            }
            read += take as u64;
            read < limit
        })
        .await;
    let read = Read {
        bytes: read,
        digest: format!("sha256:{}", hex(&hasher.finalize())),
        kept,
    };
    (read, streamed.map(|(timings, _complete)| timings))
}

/// The body stopped before its end: cut by the other side, or failed.
fn cut(mut hop: HopResult, e: HttpError, read: u64, size: u64, plan: &Plan) -> HopResult {
    if let HttpError::Truncated { .. } = e {
        hop.evidence.layer().digest_checked = Some(false);
        return hop
            .fail(truncated(read, size))
            .message(format!("the connection closed after {read} bytes"));
    }
    let cause = http_error_cause(
        &e,
        &plan.bucket_host,
        Service::S3,
        plan,
        code!("layer.timeout"),
    );
    hop.fail(cause).message(format!("after {read} bytes: {e}"))
}

/// The bytes that arrived against the manifest: all of them (unless `cap` ranged the
/// GET), no more, with its digest; then a config's platform.
fn judge_bytes(
    mut hop: HopResult,
    read: &Read,
    layer: &LayerChoice,
    cap: Option<u64>,
) -> HopResult {
    let (bytes, actual) = (read.bytes, &read.digest);
    // Not ranged means the layer fits under the cap, so stopping at the cap still
    // hashed the whole declared size.
    if let Some(max_bytes) = cap {
        hop.evidence.layer().digest_checked = Some(false);
        return hop.warn(Cause::new(
            code!("layer.digest_not_checked"),
            format!("the layer is {} bytes, more than --max-layer-bytes {max_bytes}: the first {bytes} bytes arrived through S3, so the path works, but the digest was not checked; raise --max-layer-bytes to check it", layer.size),
        ));
    }
    if bytes < layer.size {
        hop.evidence.layer().digest_checked = Some(false);
        return hop.fail(truncated(bytes, layer.size));
    }
    if bytes > layer.size {
        hop.evidence.layer().digest_checked = Some(false);
        return hop.fail(Cause::new(
            code!("layer.size_mismatch"),
            format!("the layer is longer than the {} bytes the manifest says (more arrived; not read further): the content was altered on the way (a proxy or TLS inspection rewriting it) or the stored blob is corrupt", layer.size),
        ));
    }
    hop.evidence.layer().digest_checked = Some(true);
    hop.evidence.layer().digest_actual = Some(actual.clone());
    if *actual != layer.digest {
        return hop.fail(Cause::new(
            code!("layer.digest_mismatch"),
            format!("the layer's bytes hash to {actual}, not {}: the content was altered on the way (a proxy or TLS inspection rewriting it) or the stored blob is corrupt", layer.digest),
        ));
    }
    match &layer.check_platform {
        Some(want) => config_platform(hop, &read.kept, want),
        None => hop,
    }
}

/// A single-platform image's config against the platform the task runs on.
fn config_platform(
    mut hop: HopResult,
    config: &[u8],
    want: &crate::net::registry::Platform,
) -> HopResult {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Config {
        os: String,
        architecture: String,
        variant: Option<String>,
    }
    // Not a config the probe can read: the digest held, so the path is proven.
    let Ok(c) = serde_json::from_slice::<Config>(config) else {
        return hop;
    };
    if c.os.is_empty() || c.architecture.is_empty() {
        return hop;
    }
    let have = match &c.variant {
        Some(v) => format!("{}/{}/{v}", c.os, c.architecture),
        None => format!("{}/{}", c.os, c.architecture),
    };
    hop.evidence.layer().platform = Some(have.clone());
    let variant_ok = want.variant.is_none() || want.variant == c.variant;
    if c.os == want.os && c.architecture == want.architecture && variant_ok {
        return hop;
    }
    hop.fail(Cause::new(
        code!("registry.platform_missing"),
        format!("the image is single-platform {have} (its config says so), not {want} (the task's runtimePlatform, or --platform): a task on {want} cannot run it (its container fails to start: exec format error); push a {want} image or a multi-platform index with one"),
    ))
}

fn blob_url(dkr: &Target, image: &ImageRef, layer: &LayerChoice) -> HttpsUrl {
    on(
        dkr,
        &crate::net::registry::blob_path(&image.repository, &layer.digest),
    )
}

fn truncated(read: u64, size: u64) -> Cause {
    Cause::new(
        code!("layer.truncated"),
        format!(
            "the layer ended after {read} of {size} bytes: the connection was cut (a proxy or firewall with a size or time limit in the path)"
        ),
    )
}

/// Code and message of an S3 XML error (`<Error><Code>…</Code><Message>…</Message>`).
/// A few tags are all we need, so no XML parser: tolerant, bounded by the body cap.
/// Why S3 refused the presigned layer URL, from its error document. Only a policy
/// denial is the gateway endpoint's business; an expired URL, a signature or credentials
/// S3 does not accept, and a skewed clock each have their own cause.
fn s3_rejection(
    status: u16,
    code: Option<&str>,
    message: Option<&str>,
    hop: &mut HopResult,
    plan: &Plan,
) -> Cause {
    let region = &plan.region;
    let bucket = &plan.bucket_host;
    let msg = message.unwrap_or_default();
    let lower = msg.to_ascii_lowercase();
    match (status, code) {
        (_, Some(c)) if diagnose::says_clock_skew(c, msg) => {
            diagnose::clock_skew(hop.evidence.clock_skew_ms)
        }
        (_, Some("AccessDenied")) if lower.contains("request has expired") => Cause::new(
            code!("layer.url_expired"),
            "S3 says the presigned layer URL has expired: ECR signs it for a short time, and it was used too late (a slow or stalled path after the redirect, a cache or proxy replaying an old redirect, or a clock far off)",
        ),
        (403, Some("AccessDenied")) | (403, None) => {
            let denial = crate::denial::read(msg);
            if code.is_some() {
                hop.evidence.record_denial(&denial);
            }
            if denial.by == DeniedBy::Unknown {
                // S3 names no policy for another account's bucket (the layer bucket is
                // AWS's): the gateway endpoint policy is what this subnet controls.
                Cause::new(
                    code!("layer.access_denied"),
                    format!(
                        "S3 denied the layer fetch through the gateway endpoint: the policy of the S3 gateway endpoint com.amazonaws.{region}.s3 must allow s3:GetObject on arn:aws:s3:::prod-{region}-starport-layer-bucket/* (without own-account conditions such as aws:PrincipalAccount or s3:ResourceAccount: the bucket belongs to AWS)"
                    ),
                )
            } else {
                diagnose::denial_cause(&denial, Service::S3, region, "s3:GetObject")
            }
        }
        (_, Some("SignatureDoesNotMatch")) => Cause::new(
            code!("layer.signature_mismatch"),
            format!(
                "S3 says the presigned URL's signature does not match the request to {bucket}: something in the path altered it (a proxy re-encoding the query or adding signed headers); send S3 traffic through the gateway endpoint without a proxy"
            ),
        ),
        (
            _,
            Some("InvalidAccessKeyId" | "ExpiredToken" | "InvalidToken" | "TokenRefreshRequired"),
        ) => Cause::new(
            code!("layer.url_credentials_rejected"),
            format!(
                "S3 at {bucket} rejected the credentials in the presigned URL ({}): the request reached an S3 that does not know ECR's signing credentials (another partition, or a stand-in answering for S3), or the URL outlived ECR's credentials",
                code.unwrap_or_default()
            ),
        ),
        (400, Some("InvalidArgument")) => Cause::new(
            code!("layer.s3_rejected"),
            format!("S3 rejected the request to {bucket}: {msg}"),
        ),
        (403 | 400, Some(c)) => Cause::new(
            code!("layer.s3_error"),
            format!("S3 answered {c}: the presigned URL was refused ({msg})"),
        ),
        (404, _) => Cause::new(
            code!("layer.not_found"),
            "S3 does not have the layer the registry pointed at: the registry's storage is inconsistent",
        ),
        (s, _) => Cause::new(
            code!("layer.unexpected_status"),
            format!("S3 answered HTTP {s} for the layer"),
        ),
    }
}

pub fn parse_s3_error(body: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&close)? + start;
        Some(text[start..end].trim().to_string())
    };
    (tag("Code"), tag("Message"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_errors() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>X</RequestId></Error>"#;
        assert_eq!(
            parse_s3_error(body),
            (Some("AccessDenied".into()), Some("Access Denied".into()))
        );
        assert_eq!(parse_s3_error(b"nothing"), (None, None));
    }
}
