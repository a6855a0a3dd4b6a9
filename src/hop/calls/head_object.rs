//! `s3:HeadObject` on each environment file (`environmentFiles`, read by the task
//! execution role before any container starts), through the S3 gateway path to the
//! bucket's own host: the object's metadata only, its content is never read or shown.
//!
//! S3 answers a HEAD without a body (docs/aws-facts.md#s3-head-object): a 403 carries
//! no policy's words, so the denial reader has nothing to tell the gates apart, and the
//! cause names them in the order they are met in a VPC without a NAT: an S3 gateway
//! endpoint policy that allows only ECR's layer bucket, then the bucket policy, then
//! the role. A 404 is its own cause. A bucket in another region answers 301 or 400
//! with `x-amz-bucket-region`, which is named: the gateway endpoint serves only its
//! own region's buckets.

use crate::causes::code;
use crate::denial::Denial;
use crate::diagnose::Cause;
use crate::hop::HopResult;
use crate::hop::calls::{ApiCall, Cx, Request, Token};
use crate::net::aws_call::{Answer, Protocol};
use crate::plan::Target;

pub struct HeadObject;

const ACTION: &str = "s3:HeadObject";

impl ApiCall for HeadObject {
    fn action(&self) -> &'static str {
        ACTION
    }

    /// The bucket target's arguments are the bucket, then its files' ARNs; the first
    /// file is asked for (one bucket, one path and one set of policies).
    fn request(&self, t: &Target) -> Request {
        let arn = t.call_args.get(1).cloned().unwrap_or_default();
        let key = arn.split_once('/').map(|(_, k)| k).unwrap_or_default();
        Request {
            protocol: Protocol::S3Head,
            path: format!("/{}", encode_key(key)),
            body: String::new(),
            resources: vec![arn],
        }
    }

    fn start_up(&self) -> &'static str {
        "s3:GetObject on the file"
    }

    /// A HEAD success has no body to read.
    fn unreadable(&self, _: &[u8]) -> Option<&'static str> {
        None
    }

    fn answered(&self, hop: HopResult, _: &Answer, _: &Cx) -> (HopResult, Option<Token>) {
        (hop, None)
    }

    fn denied(&self, hop: HopResult, _: &Denial, cx: &Cx) -> HopResult {
        let file = file(cx.target);
        hop.fail(Cause::new(
            code!("envfile.denied"),
            format!(
                "S3 refused HeadObject on {file} (403, no reason given on a HEAD): first the S3 gateway endpoint's policy (one that allows only ECR's layer bucket arn:aws:s3:::prod-{}-starport-layer-bucket/* refuses every other bucket), then the bucket policy, then the task execution role's s3:GetObject on the file; ECS reads it before any container starts, so the task does not start",
                cx.target.region
            ),
        ))
    }

    fn error(&self, hop: HopResult, code: &str, _: &str, cx: &Cx) -> HopResult {
        let file = file(cx.target);
        match code {
            "NotFound" | "NoSuchKey" | "NoSuchBucket" => hop.fail(Cause::new(
                code!("envfile.not_found"),
                format!(
                    "S3 has no {file} (404): the bucket or the key does not exist as environmentFiles names it, so the task does not start"
                ),
            )),
            _ => crate::hop::calls::aws_error(hop, code, cx),
        }
    }

    /// S3 names the bucket's region on a 301 or 400 for another region's bucket.
    fn elsewhere(&self, a: &Answer, cx: &Cx) -> Option<Cause> {
        let asked = &cx.target.region;
        let region = a.bucket_region.as_deref().filter(|r| r != asked)?;
        Some(other_region(&file(cx.target), region, asked))
    }

    fn not_aws(&self, hop: HopResult, a: &Answer, cx: &Cx) -> HopResult {
        // A HEAD error has no document to read: its status is S3's word.
        let mut hop = hop;
        hop.evidence.answer_prefix = crate::hop::answer_prefix(&a.body);
        let t = cx.target;
        hop.fail(Cause::new(
            code!("service.unexpected_answer"),
            format!(
                "{} answered HEAD with HTTP {}, which S3 does not send for a missing, refused or moved object: a proxy or another server answers instead of S3",
                t.host, a.status
            ),
        ))
    }
}

fn other_region(file: &str, region: &str, asked: &str) -> Cause {
    Cause::new(
        code!("envfile.other_region"),
        format!(
            "S3 says the bucket of {file} is in {region}, not {asked}: the S3 gateway endpoint serves only buckets in its own region, so without a NAT ECS cannot read the file; keep the file in a bucket in {asked}"
        ),
    )
}

fn file(t: &Target) -> String {
    t.call_args.get(1).cloned().unwrap_or_default()
}

/// An S3 key as a URI path: every byte but the unreserved ones and `/` percent-encoded
/// (S3 signs the path as sent).
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_the_first_file_by_its_key() {
        let t = crate::hop::calls::tests::target(
            crate::aws::Service::S3,
            &[
                "lab-env-files",
                "arn:aws:s3:::lab-env-files/app/prod env.env",
            ],
        );
        let r = HeadObject.request(&t);
        assert_eq!(r.path, "/app/prod%20env.env");
        assert_eq!(r.resources, ["arn:aws:s3:::lab-env-files/app/prod env.env"]);
        assert_eq!(encode_key("a/ü"), "a/%C3%BC");
    }
}
