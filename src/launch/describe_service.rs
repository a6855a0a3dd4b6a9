//! `ecs:DescribeServices`: the service's subnets, security groups, public-IP setting,
//! launch type or capacity provider strategy, platform version and task definition.

use std::time::Duration;

use super::call::{CallFailure, bounded};
use super::target::{CapacityItem, Placement};

pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    service: &str,
    timeout: Duration,
) -> Result<(Placement, String), CallFailure> {
    const ACTION: &str = "ecs:DescribeServices";
    let out = bounded(
        ACTION,
        timeout,
        ecs.describe_services()
            .cluster(cluster)
            .services(service)
            .send(),
    )
    .await?;
    let Some(svc) = out.services().first() else {
        let why = out
            .failures()
            .first()
            .map(|f| {
                format!(
                    "{} ({})",
                    f.reason().unwrap_or("no reason given"),
                    f.arn().unwrap_or(service)
                )
            })
            .unwrap_or_else(|| "no such service".to_string());
        return Err(CallFailure::new(
            ACTION,
            "ServiceNotFound",
            format!("service {service:?} in cluster {cluster:?}: {why}"),
        ));
    };
    let vpc = svc
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration());
    let Some(vpc) = vpc else {
        return Err(CallFailure::new(
            ACTION,
            "NotAwsvpc",
            format!(
                "service {service:?} has no awsvpc network configuration: its tasks use the \
                 host's network (bridge or host mode), so there is no subnet to run the probe in; \
                 use --task-definition with --subnets and --security-groups"
            ),
        ));
    };
    let placement = Placement {
        subnets: vpc.subnets().to_vec(),
        security_groups: vpc.security_groups().to_vec(),
        assign_public_ip: vpc
            .assign_public_ip()
            .map(|a| a.as_str().to_string())
            .unwrap_or_else(|| "DISABLED".to_string()),
        launch_type: svc.launch_type().map(|l| l.as_str().to_string()),
        capacity_provider_strategy: svc
            .capacity_provider_strategy()
            .iter()
            .map(|c| CapacityItem {
                capacity_provider: c.capacity_provider().to_string(),
                weight: c.weight(),
                base: c.base(),
            })
            .collect(),
        platform_version: svc.platform_version().map(str::to_string),
        task_definition: svc.task_definition().unwrap_or_default().to_string(),
    };
    if placement.subnets.is_empty() {
        return Err(CallFailure::new(
            ACTION,
            "NoSubnets",
            format!("service {service:?} names no subnet"),
        ));
    }
    let arn = svc.service_arn().unwrap_or_default().to_string();
    Ok((placement, arn))
}
