//! `vpce-probe launch --output json`: one document, every subnet's result with the
//! probe's own report in it unchanged. Its own versioned contract (`launch_version`),
//! additive changes only, next to the report's (each subnet's `report` is a report of
//! schema 1, `explained` an explain document).

use serde::Serialize;

use super::call::CallFailure;
use super::target::Placement;

pub const LAUNCH_VERSION: u32 = 1;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LaunchReport {
    pub launch_version: u32,
    pub probe_version: String,
    pub cluster: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_task_definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_task_definition: Option<String>,
    /// Every AWS call `launch` made, in order, and how it went.
    pub steps: Vec<Step>,
    /// One per subnet, in the service's order.
    pub results: Vec<SubnetResult>,
    /// `pass`, `fail` (some subnet failed), or `unknown` (nothing learned somewhere).
    pub outcome: Outcome,
    /// The exit status: 0 every subnet passed, 1 some subnet failed, 3 nothing could
    /// be learned for some subnet (and none failed).
    pub exit: u8,
    /// Ctrl-C or the `--wait` ran out, when either did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// The IAM action (`ecs:RunTask`), which is also the permission it needs.
    pub action: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<CallFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Unknown,
    Fail,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SubnetResult {
    pub subnet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_reason: Option<String>,
    pub outcome: Outcome,
    /// What decided the outcome, in a sentence.
    pub summary: String,
    /// The probe's report, as it wrote it to its log stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
    /// When the probe never ran: `explain` of the stopped reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<CallFailure>,
}

impl SubnetResult {
    pub fn new(subnet: &str) -> Self {
        SubnetResult {
            subnet: subnet.to_string(),
            availability_zone: None,
            task_arn: None,
            last_status: None,
            exit_code: None,
            stop_code: None,
            stopped_reason: None,
            container_reason: None,
            outcome: Outcome::Unknown,
            summary: String::new(),
            report: None,
            explained: None,
            failure: None,
        }
    }
}
