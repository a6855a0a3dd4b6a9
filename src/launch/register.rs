//! `ecs:RegisterTaskDefinition` of the probe: its own family, tagged, one container,
//! the app's execution role as both its task role (every signed call the probe makes
//! is the app's principal's) and its execution role (its own pull and its awslogs use
//! what ECS uses for the app), the app's task definition as its input, JSON output.

use std::time::Duration;

use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, KeyValuePair, LogConfiguration, LogDriver, NetworkMode, Tag,
};

use super::call::{CallFailure, bounded};

/// The container's name in the probe's task definition (and its log streams).
pub const CONTAINER: &str = "vpce-probe";
/// The awslogs stream prefix: streams are `vpce-probe/vpce-probe/<task id>`.
pub const STREAM_PREFIX: &str = "vpce-probe";
/// The tag on everything `launch` registers, so a leftover is easy to find.
pub const TAG_KEY: &str = "vpce-probe:launch";

pub struct ProbeDefinition<'a> {
    pub family: String,
    pub image: &'a str,
    pub task_role: &'a str,
    pub execution_role: &'a str,
    pub compatibilities: &'a [String],
    pub log_group: &'a str,
    pub region: &'a str,
    /// `VPCE_PROBE_TASK_DEFINITION`: the app's, as JSON.
    pub app_task_definition: String,
    /// The probe's own run deadline, inside the `--wait`.
    pub deadline: Duration,
    pub app_arn: &'a str,
}

/// A family name ECS accepts (letters, digits, `-`, `_`; at most 255) for `app`'s probe.
pub fn family_for(app_family: &str) -> String {
    let clean: String = app_family
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut family = format!("vpce-probe-{clean}");
    family.truncate(255);
    family
}

fn env(name: &str, value: &str) -> KeyValuePair {
    KeyValuePair::builder().name(name).value(value).build()
}

/// Registers it; the ARN of the new revision.
pub async fn register(
    ecs: &aws_sdk_ecs::Client,
    def: &ProbeDefinition<'_>,
    timeout: Duration,
) -> Result<String, CallFailure> {
    const ACTION: &str = "ecs:RegisterTaskDefinition";
    let log = LogConfiguration::builder()
        .log_driver(LogDriver::Awslogs)
        .options("awslogs-group", def.log_group)
        .options("awslogs-region", def.region)
        .options("awslogs-stream-prefix", STREAM_PREFIX)
        .build()
        .map_err(|e| CallFailure::new(ACTION, "BuildError", e.to_string()))?;
    let deadline = format!("{}s", def.deadline.as_secs().max(10));
    let container = ContainerDefinition::builder()
        .name(CONTAINER)
        .image(def.image)
        .essential(true)
        .readonly_root_filesystem(true)
        .environment(env("VPCE_PROBE_OUTPUT", "json"))
        .environment(env("VPCE_PROBE_DEADLINE", &deadline))
        .environment(env("VPCE_PROBE_REGION", def.region))
        .environment(env("VPCE_PROBE_TASK_DEFINITION", &def.app_task_definition))
        .log_configuration(log)
        .build();
    let mut req = ecs
        .register_task_definition()
        .family(&def.family)
        .task_role_arn(def.task_role)
        .execution_role_arn(def.execution_role)
        .network_mode(NetworkMode::Awsvpc)
        .cpu("256")
        .memory("512")
        .container_definitions(container)
        .tags(Tag::builder().key(TAG_KEY).value(def.app_arn).build());
    for c in def.compatibilities {
        req = req.requires_compatibilities(Compatibility::from(c.as_str()));
    }
    let out = bounded(ACTION, timeout, req.send()).await?;
    out.task_definition()
        .and_then(|t| t.task_definition_arn())
        .map(str::to_string)
        .ok_or_else(|| CallFailure::new(ACTION, "NoArn", "the answer holds no ARN"))
}

/// Deregisters the revision, then deletes it (ECS deletes an INACTIVE revision once no
/// task uses it). Each step's failure is reported, not fatal.
pub async fn clean_up(
    ecs: &aws_sdk_ecs::Client,
    arn: &str,
    timeout: Duration,
) -> Vec<(&'static str, Result<&'static str, CallFailure>)> {
    let mut done = Vec::new();
    done.push((
        "ecs:DeregisterTaskDefinition",
        bounded(
            "ecs:DeregisterTaskDefinition",
            timeout,
            ecs.deregister_task_definition().task_definition(arn).send(),
        )
        .await
        .map(|_| "deregistered"),
    ));
    let deleted = bounded(
        "ecs:DeleteTaskDefinitions",
        timeout,
        ecs.delete_task_definitions().task_definitions(arn).send(),
    )
    .await
    .and_then(|out| match out.failures().first() {
        None => Ok("deleted"),
        Some(f) => Err(CallFailure::new(
            "ecs:DeleteTaskDefinitions",
            "Failure",
            f.reason().unwrap_or("not deleted").to_string(),
        )),
    });
    done.push(("ecs:DeleteTaskDefinitions", deleted));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_are_ones_ecs_accepts() {
        assert_eq!(family_for("my.app"), "vpce-probe-my-app");
        assert!(family_for(&"x".repeat(400)).len() <= 255);
    }
}
