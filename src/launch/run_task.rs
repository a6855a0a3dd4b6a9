//! `ecs:RunTask`: one probe task in one subnet, placed and launched as the app's tasks
//! are (security groups, public IP, platform version, launch type or capacity provider
//! strategy), `startedBy` set so it is easy to find.

use std::time::Duration;

use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem, ContainerOverride,
    KeyValuePair, LaunchType, NetworkConfiguration, TaskOverride,
};

use super::call::{CallFailure, bounded};
use super::register::CONTAINER;
use super::target::Placement;

/// `startedBy` of every probe task (letters, digits, `-`, `_`, `/`: what ECS accepts).
pub const STARTED_BY: &str = "vpce-probe/launch";

/// The started task's ARN.
pub async fn run(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    task_definition: &str,
    placement: &Placement,
    subnet: &str,
    timeout: Duration,
) -> Result<String, CallFailure> {
    const ACTION: &str = "ecs:RunTask";
    let vpc = AwsVpcConfiguration::builder()
        .subnets(subnet)
        .set_security_groups(Some(placement.security_groups.clone()))
        .assign_public_ip(AssignPublicIp::from(placement.assign_public_ip.as_str()))
        .build()
        .map_err(|e| CallFailure::new(ACTION, "BuildError", e.to_string()))?;
    let label = ContainerOverride::builder()
        .name(CONTAINER)
        .environment(
            KeyValuePair::builder()
                .name("VPCE_PROBE_LABEL")
                .value(subnet)
                .build(),
        )
        .build();
    let mut req = ecs
        .run_task()
        .cluster(cluster)
        .task_definition(task_definition)
        .count(1)
        .started_by(STARTED_BY)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(vpc)
                .build(),
        )
        .overrides(TaskOverride::builder().container_overrides(label).build());
    if let Some(pv) = &placement.platform_version {
        req = req.platform_version(pv);
    }
    if placement.capacity_provider_strategy.is_empty() {
        if let Some(lt) = &placement.launch_type {
            req = req.launch_type(LaunchType::from(lt.as_str()));
        }
    } else {
        for c in &placement.capacity_provider_strategy {
            let item = CapacityProviderStrategyItem::builder()
                .capacity_provider(&c.capacity_provider)
                .weight(c.weight)
                .base(c.base)
                .build()
                .map_err(|e| CallFailure::new(ACTION, "BuildError", e.to_string()))?;
            req = req.capacity_provider_strategy(item);
        }
    }
    let out = bounded(ACTION, timeout, req.send())
        .await
        .map_err(role_hint)?;
    if let Some(arn) = out.tasks().first().and_then(|t| t.task_arn()) {
        return Ok(arn.to_string());
    }
    let why = out
        .failures()
        .first()
        .map(|f| {
            format!(
                "{}{}",
                f.reason().unwrap_or("no reason given"),
                f.detail().map(|d| format!(": {d}")).unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "no task and no failure in the answer".to_string());
    Err(CallFailure::new(ACTION, "NotStarted", why))
}

/// ECS refuses a task role it cannot assume at RunTask ("ECS was unable to assume the
/// role '<arn>' that was provided for this task. Please verify that the role being
/// passed has the proper trust relationship and permissions ...", the wording users
/// quote, e.g. aws-samples/aws-modern-application-workshop#149,
/// telia-oss/terraform-aws-ecs-fargate#58): when the role is the
/// app's execution role standing in as the task role, its trust policy does not admit
/// ecs-tasks.amazonaws.com as a task role (a condition on it, say), and --task-role is
/// the way out.
fn role_hint(mut f: CallFailure) -> CallFailure {
    if f.message.contains("unable to assume the role") {
        f.message.push_str(
            " (vpce-probe launch: the probe runs as the app's execution role so that its calls \
             are the app's principal's; when that role's trust policy does not let ECS use it as \
             a task role, pass --task-role with a role that has ecr:GetAuthorizationToken, \
             ecr:BatchGetImage and ecr:GetDownloadUrlForLayer, and read the principal hop \
             knowing it is not the app's)",
        );
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unassumable_task_role_points_at_task_role() {
        let f = CallFailure::new(
            "ecs:RunTask",
            "InvalidParameterException",
            "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/app-exec' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.",
        );
        assert!(role_hint(f).message.contains("--task-role"));
        let other = CallFailure::new(
            "ecs:RunTask",
            "ClusterNotFoundException",
            "Cluster not found.",
        );
        assert!(!role_hint(other).message.contains("--task-role"));
    }
}
