//! The task-definition reader: the JSON of `aws ecs describe-task-definition` (wrapped in
//! `{"taskDefinition": …}`), the bare definition (`register-task-definition
//! --cli-input-json`), or the bare container-definitions array (Terraform's
//! `container_definitions`), read into the few fields that decide what a task needs from
//! the network before its first container starts. Everything else in the document is
//! ignored, so new ECS fields never break the reader; an explicit `null` (which exports
//! write for absent lists and objects) is an absent value.
//!
//! Secret *values* are never in a task definition (only where they live: `valueFrom`),
//! and nothing here fetches one. What the fields mean for the probe is `needs.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The read cap: a pretty-printed `describe-task-definition` export of a definition at
/// ECS's own limit is several times [`ECS_MAX_BYTES`]; anything larger is not one.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// ECS refuses to register a definition longer than this ("Actual length: '66420'. Max
/// allowed length is '65536' bytes.", awsdocs/amazon-ecs-developer-guide#149), counted
/// here as compact JSON without the fields ECS adds on registration.
pub const ECS_MAX_BYTES: usize = 65_536;

/// "Containers per task definition: 10, not adjustable" (ECS service quotas).
pub const ECS_MAX_CONTAINERS: usize = 10;

/// What `describe-task-definition` adds to what was registered; not counted in the size.
const REGISTRATION_FIELDS: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
];

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
    pub proxy_configuration: Option<ProxyConfiguration>,
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
    /// ECS's default is `true`; `"true"`/`"false"` as text (templates) are read too.
    #[serde(deserialize_with = "lenient_bool")]
    pub essential: Option<bool>,
    pub secrets: Vec<SecretRef>,
    pub repository_credentials: Option<RepositoryCredentials>,
    pub log_configuration: Option<LogConfiguration>,
    pub firelens_configuration: Option<serde_json::Value>,
    pub depends_on: Vec<Dependency>,
    pub environment_files: Vec<EnvironmentFile>,
    /// Kept as JSON: only the aws-for-fluent-bit init image's variables are read
    /// (`needs.rs`), and a template's odd value must not refuse the whole definition.
    pub environment: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentFile {
    /// The object's ARN, `arn:aws:s3:::bucket/key.env`.
    pub value: String,
    /// `s3`, the only type ECS knows.
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Dependency {
    pub container_name: String,
    /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
    pub condition: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProxyConfiguration {
    /// `APPMESH`.
    #[serde(rename = "type")]
    pub kind: String,
    pub container_name: String,
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

fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None => Ok(None),
        Some(serde_json::Value::Bool(b)) => Ok(Some(b)),
        Some(serde_json::Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            "" => Ok(None),
            _ => Err(D::Error::custom(format!(
                "expected true or false, found {s:?}"
            ))),
        },
        Some(other) => Err(D::Error::custom(format!(
            "expected a boolean, found {}",
            json_type(&other)
        ))),
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
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
        "no containerDefinitions: expected the output of `aws ecs describe-task-definition`, a register-task-definition --cli-input-json document or a container-definitions array"
    )]
    NoContainers,
    /// A field the probe reads has the wrong JSON type.
    #[error("{at}: {reason}")]
    Field { at: String, reason: String },
    #[error(
        "{0} container definitions: ECS allows at most {ECS_MAX_CONTAINERS} per task definition (a quota that cannot be raised), so this is not a task definition ECS would register"
    )]
    TooManyContainers(usize),
    #[error(
        "{0} bytes as compact JSON: ECS refuses a task definition longer than {ECS_MAX_BYTES} bytes, so this is not one it would register"
    )]
    OverEcsSize(usize),
}

impl TaskDefinition {
    /// Parse any of the three shapes. Only the shape, the JSON types of the fields read
    /// and ECS's own limits are checked here; values are judged by `needs`.
    pub fn parse(text: &str) -> Result<Self, ReadError> {
        use serde_json::Value;
        let mut doc: Value =
            serde_json::from_str(text).map_err(|e| ReadError::Json(e.to_string()))?;
        // describe-task-definition wraps it (next to "tags").
        if let Some(inner) = doc.get_mut("taskDefinition").map(Value::take) {
            doc = inner;
        }
        if doc.is_array() {
            doc = serde_json::json!({ "containerDefinitions": doc });
        }
        drop_nulls(&mut doc);
        let Value::Object(mut top) = doc else {
            return Err(ReadError::Field {
                at: "the document".into(),
                reason: format!(
                    "expected a task definition object, found {}",
                    json_type(&doc)
                ),
            });
        };
        let containers = match top.remove("containerDefinitions") {
            None => Vec::new(),
            Some(Value::Array(list)) => list,
            Some(other) => {
                return Err(ReadError::Field {
                    at: "containerDefinitions".into(),
                    reason: format!("expected an array, found {}", json_type(&other)),
                });
            }
        };
        if containers.is_empty() {
            return Err(ReadError::NoContainers);
        }
        if containers.len() > ECS_MAX_CONTAINERS {
            return Err(ReadError::TooManyContainers(containers.len()));
        }
        let size = {
            let registered: serde_json::Map<String, Value> = top
                .iter()
                .filter(|(k, _)| !REGISTRATION_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            compact_len(&registered)
                + compact_len(&containers)
                + r#","containerDefinitions":"#.len()
        };
        if size > ECS_MAX_BYTES {
            return Err(ReadError::OverEcsSize(size));
        }
        let mut td: TaskDefinition = typed(Value::Object(top), "the task definition")?;
        for (i, c) in containers.into_iter().enumerate() {
            let name = c.get("name").and_then(Value::as_str).map_or_else(
                || format!("containerDefinitions[{i}]"),
                |n| format!("container {n:?}"),
            );
            td.container_definitions.push(typed(c, &name)?);
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

/// An explicit `null` anywhere is an absent value: exports write `"secrets": null`.
fn drop_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(list) => {
            list.retain(|x| !x.is_null());
            list.iter_mut().for_each(drop_nulls);
        }
        _ => {}
    }
}

/// Deserialize `v`; on a wrong type, name the field (the first one that fails alone)
/// and where it is, instead of serde's position-less message.
fn typed<T: serde::de::DeserializeOwned>(v: serde_json::Value, at: &str) -> Result<T, ReadError> {
    let whole = match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => return Ok(t),
        Err(e) => e.to_string(),
    };
    let blame = v.as_object().and_then(|map| {
        map.iter().find_map(|(k, x)| {
            let alone = serde_json::Value::Object([(k.clone(), x.clone())].into_iter().collect());
            serde_json::from_value::<T>(alone)
                .err()
                .map(|e| (format!("{k} ({})", json_type(x)), e.to_string()))
        })
    });
    Err(match blame {
        Some((field, reason)) => ReadError::Field {
            at: format!("{at}, field {field}"),
            reason,
        },
        None => ReadError::Field {
            at: at.to_string(),
            reason: whole,
        },
    })
}

/// The compact JSON length of a value, as ECS counts a registered definition.
fn compact_len(v: &impl serde::Serialize) -> usize {
    serde_json::to_vec(v).map_or(usize::MAX, |v| v.len())
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
    fn real_exports_nulls_bare_arrays_and_typed_errors() {
        // describe-task-definition and console exports write null for absent values.
        let td = TaskDefinition::parse(
            r#"{"taskDefinition":{"family":"f","runtimePlatform":null,"volumes":null,"containerDefinitions":[{"name":"a","image":"x","essential":null,"secrets":null,"environmentFiles":null,"mountPoints":null,"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-region":"us-east-1","x":null},"secretOptions":null}}]}}"#,
        )
        .unwrap();
        let c = &td.container_definitions[0];
        assert!(c.is_essential() && c.secrets.is_empty());
        assert_eq!(
            c.log_configuration.as_ref().unwrap().options["awslogs-region"],
            "us-east-1"
        );
        // Terraform's container_definitions: the bare array.
        let bare =
            TaskDefinition::parse(r#"[{"name":"a","image":"x","essential":"false"}]"#).unwrap();
        assert_eq!(bare.container_definitions.len(), 1);
        assert!(!bare.container_definitions[0].is_essential());
        // A wrong type names the container (or the definition) and the field.
        for (doc, says) in [
            (
                r#"{"containerDefinitions":[{"name":"web","image":"x","secrets":{"name":"A"}}]}"#,
                r#"container "web", field secrets (an object): invalid type: map"#,
            ),
            (
                r#"{"containerDefinitions":[{"image":5}]}"#,
                "containerDefinitions[0], field image (a number):",
            ),
            (
                r#"{"executionRoleArn":7,"containerDefinitions":[{}]}"#,
                "the task definition, field executionRoleArn (a number):",
            ),
        ] {
            let e = TaskDefinition::parse(doc).unwrap_err().to_string();
            assert!(e.starts_with(says), "{e}");
        }
        assert!(matches!(
            TaskDefinition::parse(r#"{"containerDefinitions":"[]"}"#),
            Err(ReadError::Field { .. })
        ));
    }

    #[test]
    fn beyond_ecs_limits_is_refused() {
        let c = r#"{"name":"a","image":"x"}"#;
        let eleven = format!("[{}]", [c; 11].join(","));
        assert_eq!(
            TaskDefinition::parse(&eleven),
            Err(ReadError::TooManyContainers(11))
        );
        let ten = format!("[{}]", [c; 10].join(","));
        assert!(TaskDefinition::parse(&ten).is_ok());
        let env: Vec<String> = (0..3000)
            .map(|i| format!(r#"{{"name":"V{i}","value":"xxxxxxxxxx"}}"#))
            .collect();
        let big = format!(
            r#"{{"containerDefinitions":[{{"name":"a","image":"x","environment":[{}]}}]}}"#,
            env.join(",")
        );
        assert!(matches!(
            TaskDefinition::parse(&big),
            Err(ReadError::OverEcsSize(n)) if n > ECS_MAX_BYTES
        ));
        // Whitespace and describe's own fields do not count.
        let padded = format!(
            r#"{{"taskDefinition":{{"requiresAttributes":[{}],"containerDefinitions":[{c}]}}}}{}"#,
            vec![r#"{"name":"com.amazonaws.ecs.capability.logging-driver.awslogs"}"#; 2000]
                .join(","),
            " ".repeat(100_000)
        );
        assert!(TaskDefinition::parse(&padded).is_ok());
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

#[cfg(test)]
mod corpus {
    use super::*;

    /// The development part of the real-task-definition corpus
    /// (tests/fixtures/task-definitions/corpus/README.md): every one is read.
    #[test]
    fn every_dev_definition_is_read() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/task-definitions/corpus/dev"
        );
        // ECS itself would refuse these: the docs' logConfiguration written as an array,
        // and a CloudFormation template (PascalCase properties, not an ECS document).
        let refused = [
            "docs-secrets-logconfig-1.json",
            "docs-specifying-sensitive-data-secrets-11.json",
            "docs-creating-resources-with-cloudformation-4.json",
        ];
        let mut wrong = Vec::new();
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            n += 1;
            match (
                TaskDefinition::read(&path),
                refused.contains(&name.as_str()),
            ) {
                (Ok(_), false) | (Err(_), true) => {}
                (r, _) => wrong.push(format!("{name}: {r:?}")),
            }
        }
        assert!(n >= 50, "{n}");
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
