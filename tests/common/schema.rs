//! The checked-in JSON Schemas (report, explain, diff): each is generated from its wire
//! types and must match them, and real output must validate against it.

#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;

/// `fresh` (the schema generated now) must be what `path` holds; with
/// `VPCE_UPDATE_SCHEMA` set it is written there first. `stale` says how to regenerate.
pub fn matches_checked_in(path: &str, fresh: &str, stale: &str) {
    if std::env::var_os("VPCE_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(on_disk == fresh, "{stale}");
}

/// `value` validates against the schema at `path`; the errors name where.
pub fn assert_valid(path: &str, value: &Value) {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
