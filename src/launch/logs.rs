//! The probe's report from its awslogs stream (`logs:GetLogEvents`), and the log group
//! `launch` creates when the app has no awslogs group in the region
//! (`logs:CreateLogGroup`).

use std::time::Duration;

use super::call::{CallFailure, bounded};
use super::register::{CONTAINER, STREAM_PREFIX};

/// The group `launch` creates when the app logs elsewhere (or nowhere).
pub const OWN_GROUP: &str = "/vpce-probe/launch";

/// awslogs' stream name: `<prefix>/<container>/<task id>`.
pub fn stream_of(task_arn: &str) -> String {
    let id = task_arn.rsplit('/').next().unwrap_or(task_arn);
    format!("{STREAM_PREFIX}/{CONTAINER}/{id}")
}

pub async fn ensure_group(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    timeout: Duration,
) -> Result<(), CallFailure> {
    match bounded(
        "logs:CreateLogGroup",
        timeout,
        logs.create_log_group().log_group_name(group).send(),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(f) if f.code == "ResourceAlreadyExistsException" => Ok(()),
        Err(f) => Err(f),
    }
}

/// The stream's messages, oldest first (at most a few pages: the probe writes one
/// report, plus what it says on stderr).
pub async fn read(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    timeout: Duration,
) -> Result<Vec<String>, CallFailure> {
    const PAGES: usize = 5;
    let mut messages = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..PAGES {
        let out = bounded(
            "logs:GetLogEvents",
            timeout,
            logs.get_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .start_from_head(true)
                .set_next_token(token.clone())
                .send(),
        )
        .await?;
        let before = messages.len();
        messages.extend(
            out.events()
                .iter()
                .filter_map(|e| e.message().map(str::to_string)),
        );
        let next = out.next_forward_token().map(str::to_string);
        // The forward token repeats at the end of the stream.
        if messages.len() == before || next == token {
            break;
        }
        token = next;
    }
    Ok(messages)
}
