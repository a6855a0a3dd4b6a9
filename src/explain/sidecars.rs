//! Images that AWS features add to a task or that AWS documents as sidecars, kept in
//! AWS's own registries: a pull of one fails for reasons the user's own images do not
//! have (another account's repository, ECR Public), and AWS documents what each needs.
//! Matched by repository name, since the owner account differs by Region.

/// Where an AWS sidecar's image lives: in an AWS account's ECR private repository of
/// this name (the account differs by Region), or at this exact repository outside ECR.
enum Home {
    /// This repository name in any account's ECR: GuardDuty injects its agent itself
    /// (no user names that image), and its owner account differs by Region.
    Ecr(&'static str),
    /// This repository name in one of AWS's accounts only: users also copy App Mesh's
    /// Envoy into their own repositories.
    EcrOf(&'static str, &'static [&'static str]),
    Outside(&'static str),
}

/// Each AWS image and what its feature needs to be pulled, from AWS's pages.
const SIDECARS: &[(Home, &str)] = &[
    // GuardDuty's "Amazon ECR repository hosting GuardDuty agent for AWS Fargate" and
    // ECS's Runtime Monitoring prerequisites (the task execution role pulls it; tasks
    // need a path to ECR), and ECR's VPC endpoint page (the layer bucket).
    (
        Home::Ecr("aws-guardduty-agent-fargate"),
        "The image is GuardDuty Runtime Monitoring's security agent, which GuardDuty adds as a sidecar to new Fargate tasks, in GuardDuty's own ECR account for the Region: the task execution role pulls it (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, not limited to this account's repositories), and without a NAT the subnet needs the ecr.api and ecr.dkr interface endpoints and the S3 gateway endpoint, whose policies must allow GuardDuty's repository and the Region's starport layer bucket (ECS's Runtime Monitoring troubleshooting: \"What happens when there is no connection Amazon ECR?\")",
    ),
    // App Mesh's Envoy image page: "If you use IAM policies that limit access to
    // specific Amazon ECR resources, make sure to verify that you allow access to the
    // Region specific Amazon Resource Name (ARN) that identifies the
    // aws-appmesh-envoy repository".
    // The accounts are the Envoy image page's: 840364872350 and the opt-in Regions'.
    (
        Home::EcrOf(
            "aws-appmesh-envoy",
            &[
                "840364872350",
                "772975370895",
                "856666278305",
                "909464085924",
                "422531588944",
                "924023996002",
            ],
        ),
        "The image is App Mesh's Envoy, in App Mesh's own ECR account (840364872350 in most Regions): the task execution role needs ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability on `arn:aws:ecr:<region>:<that account>:repository/aws-appmesh-envoy` (and ecr:GetAuthorizationToken on `*`), and an ECR endpoint policy must allow that repository; Envoy then needs the appmesh-envoy-management endpoint and the task role's appmesh:StreamAggregatedResources",
    ),
    // aws-for-fluent-bit's README and ECS's FireLens pages: the Region's copy in ECR
    // private is named by the SSM parameter /aws/service/aws-for-fluent-bit/stable.
    (
        Home::Outside("public.ecr.aws/aws-observability/aws-for-fluent-bit"),
        FLUENT_BIT,
    ),
    (Home::Outside("amazon/aws-for-fluent-bit"), FLUENT_BIT),
    (
        Home::Outside("docker.io/amazon/aws-for-fluent-bit"),
        FLUENT_BIT,
    ),
];

const FLUENT_BIT: &str = "The image is FireLens's log router from a registry outside ECR private, which no VPC endpoint serves: without a NAT use the Region's copy in ECR private, whose URI `aws ssm get-parameter --name /aws/service/aws-for-fluent-bit/stable` gives, through the ecr.api, ecr.dkr and S3 gateway endpoints";

/// What the feature whose image `image` is needs, when it is one of AWS's sidecars.
pub fn note(image: &str) -> Option<&'static str> {
    let image = image.to_ascii_lowercase();
    // The repository without its tag or digest (a tag follows the last '/').
    let repository = image.split('@').next().unwrap_or_default();
    let repository = match repository.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repository,
    };
    // An ECR private repository's account and path, read once.
    let ecr = repository.split_once('/').and_then(|(host, path)| {
        host.split_once(".dkr.ecr.")
            .map(|(account, _)| (account, path))
    });
    SIDECARS
        .iter()
        .find(|(home, _)| match home {
            Home::Ecr(name) => ecr.is_some_and(|(_, path)| path == *name),
            Home::EcrOf(name, accounts) => {
                ecr.is_some_and(|(account, path)| path == *name && accounts.contains(&account))
            }
            Home::Outside(path) => repository == *path,
        })
        .map(|(_, words)| *words)
}

#[cfg(test)]
mod tests {
    use super::note;

    #[test]
    fn aws_images_by_repository_name_whatever_the_account() {
        assert!(
            note("593207742271.dkr.ecr.us-east-1.amazonaws.com/aws-guardduty-agent-fargate:v1.8.0-Fg_x86_64")
                .is_some_and(|n| n.contains("GuardDuty"))
        );
        assert!(
            note("733349766148.dkr.ecr.us-west-2.amazonaws.com/aws-guardduty-agent-fargate")
                .is_some_and(|n| n.contains("GuardDuty"))
        );
        assert!(
            note("840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.0.0-prod")
                .is_some_and(|n| n.contains("App Mesh"))
        );
        assert!(
            note("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable")
                .is_some_and(|n| n.contains("/aws/service/aws-for-fluent-bit/stable"))
        );
        assert!(note("amazon/aws-for-fluent-bit:2.31.12").is_some());
    }

    #[test]
    fn a_user_s_own_repository_of_a_similar_name_is_not_aws_s() {
        assert_eq!(
            note("111122223333.dkr.ecr.eu-west-1.amazonaws.com/aws-appmesh-envoy-fork:1"),
            None
        );
        // A copy of Envoy in the user's own account is theirs.
        assert_eq!(
            note("111122223333.dkr.ecr.eu-west-1.amazonaws.com/aws-appmesh-envoy:v1.27.0.0-prod"),
            None
        );
        assert_eq!(note("myorg/amazon/aws-for-fluent-bit:1"), None);
        assert_eq!(
            note("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:latest"),
            None
        );
        // The Region's copy of aws-for-fluent-bit in ECR private is the fix, not a cause.
        assert_eq!(
            note("906394416424.dkr.ecr.eu-west-1.amazonaws.com/aws-for-fluent-bit:stable"),
            None
        );
    }
}
