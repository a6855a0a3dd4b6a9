//! What the probe must run like: the service's (or the flags') network placement and
//! launch settings, and the app's task definition.

use serde::Serialize;

/// How the app's tasks are placed and launched; every probe task copies it.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Placement {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// `provider:weight:base` of each item of a capacity provider strategy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<CapacityItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// The app's task definition (ARN or FAMILY[:REV]).
    pub task_definition: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CapacityItem {
    pub capacity_provider: String,
    pub weight: i32,
    pub base: i32,
}

/// The app's task definition: what the probe needs from it.
#[derive(Debug, Clone, Default)]
pub struct AppTaskDefinition {
    pub arn: String,
    pub family: String,
    pub execution_role_arn: Option<String>,
    pub requires_compatibilities: Vec<String>,
    /// The first awslogs configuration in `region`: (group, whether ECS creates it).
    pub awslogs_group: Option<String>,
    /// The describe-task-definition document as AWS sent it, less what the probe must
    /// not carry (see [`handed_over`]).
    pub document: serde_json::Value,
}

/// The task definition as the probe gets it (`VPCE_PROBE_TASK_DEFINITION`): AWS's own
/// describe-task-definition JSON, with each container's `environment` values dropped
/// (the probe reads none of them, and they may hold what the app keeps out of its
/// repository: the probe's task definition is another registered revision) and the tags.
pub fn handed_over(raw: &[u8]) -> Option<serde_json::Value> {
    let mut doc: serde_json::Value = serde_json::from_slice(raw).ok()?;
    let mut td = doc.get_mut("taskDefinition")?.take();
    if let Some(containers) = td
        .get_mut("containerDefinitions")
        .and_then(|c| c.as_array_mut())
    {
        for c in containers {
            if let Some(obj) = c.as_object_mut() {
                obj.remove("environment");
            }
        }
    }
    Some(serde_json::json!({ "taskDefinition": td }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_stay_behind() {
        let raw = br#"{"taskDefinition":{"family":"app","containerDefinitions":[{"name":"a","image":"x","environment":[{"name":"DB_PASSWORD","value":"hunter2"}],"secrets":[{"name":"S","valueFrom":"arn:aws:ssm:us-east-1:123456789012:parameter/p"}]}]},"tags":[{"key":"k","value":"v"}]}"#;
        let td = handed_over(raw).unwrap_or_default();
        let text = td.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("arn:aws:ssm"), "{text}");
        assert!(!text.contains("\"tags\""), "{text}");
    }
}
