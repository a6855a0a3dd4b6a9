//! The task-definition reader: the JSON of `aws ecs describe-task-definition` (wrapped in
//! `{"taskDefinition": …}`) or the bare definition (`register-task-definition
//! --cli-input-json`), read into the few fields that decide what a task needs from the
//! network before its first container starts. Everything else in the document is
//! ignored, so new ECS fields never break the reader.
//!
//! Secret *values* are never in a task definition (only where they live: `valueFrom`),
//! and nothing here fetches one. What the fields mean for the probe is `needs.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// ECS caps a task definition at 64 KiB; anything much larger is not one.
pub const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TaskDefinition {
    pub family: Option<String>,
    pub task_definition_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub task_role_arn: Option<String>,
    pub network_mode: Option<String>,
    pub requires_compatibilities: Vec<String>,
    pub runtime_platform: Option<RuntimePlatform>,
    pub container_definitions: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// Not a task-definition field: `run-task` / `create-service` input and
    /// `describe-tasks` output carry it. Read when a document has it, so the JSON of
    /// a run-task input can be given as is.
    pub enable_execute_command: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RuntimePlatform {
    pub operating_system_family: Option<String>,
    pub cpu_architecture: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    /// ECS's default is `true`.
    pub essential: Option<bool>,
    pub secrets: Vec<SecretRef>,
    pub repository_credentials: Option<RepositoryCredentials>,
    pub log_configuration: Option<LogConfiguration>,
    pub firelens_configuration: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretRef {
    pub name: String,
    pub value_from: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RepositoryCredentials {
    pub credentials_parameter: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogConfiguration {
    pub log_driver: String,
    /// Option values are strings in ECS; a number or boolean is kept as its text.
    #[serde(deserialize_with = "string_map")]
    pub options: BTreeMap<String, String>,
    pub secret_options: Vec<SecretRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Volume {
    pub name: String,
    pub efs_volume_configuration: Option<EfsVolume>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EfsVolume {
    pub file_system_id: String,
    pub transit_encryption: Option<String>,
}

fn string_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, serde_json::Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect())
}

/// Why a document is not a task definition the probe can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read it: {0}")]
    Io(String),
    #[error("larger than {MAX_BYTES} bytes: not a task definition")]
    TooLarge,
    #[error("not JSON: {0}")]
    Json(String),
    #[error(
        "no containerDefinitions: expected the output of `aws ecs describe-task-definition` or a register-task-definition --cli-input-json document"
    )]
    NoContainers,
}

impl TaskDefinition {
    /// Parse either shape. Only the shape is checked here; values are judged by `needs`.
    pub fn parse(text: &str) -> Result<Self, ReadError> {
        let mut doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ReadError::Json(e.to_string()))?;
        // describe-task-definition wraps it (next to "tags").
        if let Some(inner) = doc.get_mut("taskDefinition").map(serde_json::Value::take) {
            doc = inner;
        }
        let td: TaskDefinition =
            serde_json::from_value(doc).map_err(|e| ReadError::Json(e.to_string()))?;
        if td.container_definitions.is_empty() {
            return Err(ReadError::NoContainers);
        }
        Ok(td)
    }

    /// Read a file, or standard input for `-`, through a size cap.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        use std::io::Read;
        let mut text = String::new();
        let cap = MAX_BYTES + 1;
        let read = if path == Path::new("-") {
            std::io::stdin().lock().take(cap).read_to_string(&mut text)
        } else {
            std::fs::File::open(path).and_then(|f| f.take(cap).read_to_string(&mut text))
        };
        read.map_err(|e| ReadError::Io(e.to_string()))?;
        if text.len() as u64 > MAX_BYTES {
            return Err(ReadError::TooLarge);
        }
        Self::parse(&text)
    }

    pub fn is_windows(&self) -> bool {
        self.runtime_platform
            .as_ref()
            .and_then(|p| p.operating_system_family.as_deref())
            .is_some_and(|f| f.to_ascii_uppercase().starts_with("WINDOWS"))
    }
}

impl Container {
    pub fn is_essential(&self) -> bool {
        self.essential.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_and_what_is_not_one() {
        let bare = r#"{"family":"f","containerDefinitions":[{"name":"a","image":"x"}]}"#;
        let wrapped = format!(r#"{{"taskDefinition":{bare},"tags":[]}}"#);
        assert_eq!(
            TaskDefinition::parse(bare).unwrap(),
            TaskDefinition::parse(&wrapped).unwrap()
        );
        assert_eq!(
            TaskDefinition::parse(r#"{"family":"f"}"#),
            Err(ReadError::NoContainers)
        );
        assert!(matches!(
            TaskDefinition::parse("not json"),
            Err(ReadError::Json(_))
        ));
        // Unknown fields are ignored; option values of other JSON types become text.
        let td = TaskDefinition::parse(
            r#"{"brandNew":1,"containerDefinitions":[{"name":"a","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-create-group":true}}}]}"#,
        )
        .unwrap();
        let opts = &td.container_definitions[0]
            .log_configuration
            .as_ref()
            .unwrap()
            .options;
        assert_eq!(opts["awslogs-create-group"], "true");
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; (MAX_BYTES + 10) as usize]).unwrap();
        assert_eq!(TaskDefinition::read(&path), Err(ReadError::TooLarge));
        assert!(matches!(
            TaskDefinition::read(&dir.path().join("missing.json")),
            Err(ReadError::Io(_))
        ));
    }
}
