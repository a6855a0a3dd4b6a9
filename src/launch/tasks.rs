//! `ecs:DescribeTasks` while the probe tasks run, and `ecs:StopTask` for the ones still
//! running when `--wait` runs out or the user presses Ctrl-C.

use std::time::Duration;

use super::call::{CallFailure, bounded};
use super::register::CONTAINER;

/// What DescribeTasks says of one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskState {
    pub arn: String,
    pub last_status: String,
    pub availability_zone: Option<String>,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    /// The probe container's exit code and reason.
    pub exit_code: Option<i32>,
    pub container_reason: Option<String>,
}

impl TaskState {
    pub fn stopped(&self) -> bool {
        self.last_status == "STOPPED"
    }
}

/// DescribeTasks accepts at most 100 tasks per call.
const PER_CALL: usize = 100;

pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    arns: &[String],
    timeout: Duration,
) -> Result<Vec<TaskState>, CallFailure> {
    let mut states = Vec::new();
    for chunk in arns.chunks(PER_CALL) {
        let out = bounded(
            "ecs:DescribeTasks",
            timeout,
            ecs.describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send(),
        )
        .await?;
        for t in out.tasks() {
            let probe = t
                .containers()
                .iter()
                .find(|c| c.name() == Some(CONTAINER))
                .or_else(|| t.containers().first());
            states.push(TaskState {
                arn: t.task_arn().unwrap_or_default().to_string(),
                last_status: t.last_status().unwrap_or("UNKNOWN").to_string(),
                availability_zone: t.availability_zone().map(str::to_string),
                stopped_reason: t.stopped_reason().map(str::to_string),
                stop_code: t.stop_code().map(|c| c.as_str().to_string()),
                exit_code: probe.and_then(|c| c.exit_code()),
                container_reason: probe.and_then(|c| c.reason()).map(str::to_string),
            });
        }
    }
    Ok(states)
}

pub async fn stop(
    ecs: &aws_sdk_ecs::Client,
    cluster: &str,
    arn: &str,
    reason: &str,
    timeout: Duration,
) -> Result<(), CallFailure> {
    bounded(
        "ecs:StopTask",
        timeout,
        ecs.stop_task()
            .cluster(cluster)
            .task(arn)
            .reason(reason)
            .send(),
    )
    .await
    .map(|_| ())
}
