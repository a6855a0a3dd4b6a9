//! The probe's image: by default the probe in the account's own private ECR in the
//! service's region, the one registry a subnet without NAT can pull from (through the
//! same endpoints as the app). `ecr:DescribeImages` first: a task that cannot pull its
//! image teaches nothing the check could not say, and costs minutes.

use std::time::Duration;

use crate::image_ref::{ImageRef, Reference, RegistryKind};

use super::call::{CallFailure, bounded};

/// The repository the default probe image lives in.
pub const REPOSITORY: &str = "vpce-probe";

pub fn default_ref(account: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!(
        "{account}.dkr.ecr.{region}.{suffix}/{REPOSITORY}:{}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Whether the image is there; when it is not, a failure that says how to put it there.
pub async fn check(
    ecr: &aws_sdk_ecr::Client,
    image: &str,
    timeout: Duration,
) -> Result<(), CallFailure> {
    const ACTION: &str = "ecr:DescribeImages";
    let parsed = ImageRef::parse(image)
        .map_err(|e| CallFailure::new(ACTION, "BadImageReference", format!("{image}: {e}")))?;
    let RegistryKind::Private {
        account, region, ..
    } = &parsed.registry
    else {
        // Not private ECR: nothing to ask ECR; the task's pull is the check.
        return Ok(());
    };
    let id = match &parsed.reference {
        Reference::Tag(t) => aws_sdk_ecr::types::ImageIdentifier::builder()
            .image_tag(t)
            .build(),
        Reference::Digest(d) => aws_sdk_ecr::types::ImageIdentifier::builder()
            .image_digest(d)
            .build(),
    };
    let asked = bounded(
        ACTION,
        timeout,
        ecr.describe_images()
            .registry_id(account)
            .repository_name(&parsed.repository)
            .image_ids(id)
            .send(),
    )
    .await;
    match asked {
        Ok(out) if !out.image_details().is_empty() => Ok(()),
        Ok(_) => Err(missing(
            image,
            &parsed,
            account,
            region,
            "ImageNotFoundException",
        )),
        Err(f) if f.code == "ImageNotFoundException" || f.code == "RepositoryNotFoundException" => {
            Err(missing(image, &parsed, account, region, &f.code.clone()))
        }
        Err(f) => Err(f),
    }
}

/// How to put the probe image where the subnet can pull it: each of the three ways
/// ECR offers, with the commands.
fn missing(image: &str, parsed: &ImageRef, account: &str, region: &str, code: &str) -> CallFailure {
    let repo = &parsed.repository;
    let host = &parsed.host;
    let tag = parsed.reference.as_str();
    let message = format!(
        "the probe image {image} is not in ECR ({code}); no task was started, it could not pull. \
         Put it there in one of three ways: \
         (1) push it: aws ecr create-repository --repository-name {repo} --region {region}; \
         aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {host}; \
         docker build -t {host}/{repo}:{tag} probe-image/ (or pull a published build) and docker push {host}/{repo}:{tag}; \
         (2) replication: if it is in another region or account, a replication rule \
         (aws ecr put-replication-configuration) copies it to {account} in {region}; \
         (3) a pull-through cache rule (aws ecr create-pull-through-cache-rule) for the upstream \
         registry that publishes it, then pass --probe-image {host}/<prefix>/<upstream path>:{tag}. \
         Or pass --probe-image with an image that is there."
    );
    CallFailure::new("ecr:DescribeImages", "ProbeImageMissing", message)
}
