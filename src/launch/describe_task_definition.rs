//! `ecs:DescribeTaskDefinition` of the app: its execution role, compatibilities, log
//! group, and AWS's own JSON of it, kept byte for byte by an interceptor (the SDK's
//! types have no JSON form), to hand to the probe for the full preflight.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::call::{CallFailure, bounded};
use super::target::{AppTaskDefinition, handed_over};

/// The body of the answer (the connector hands the SDK an in-memory body).
#[derive(Debug, Clone, Default)]
struct RawBody(Arc<Mutex<Option<bytes::Bytes>>>);

impl Intercept for RawBody {
    fn name(&self) -> &'static str {
        "vpce-probe launch: raw describe-task-definition"
    }

    fn read_before_deserialization(
        &self,
        ctx: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(b), Ok(mut slot)) = (ctx.response().body().bytes(), self.0.lock()) {
            *slot = Some(bytes::Bytes::copy_from_slice(b));
        }
        Ok(())
    }
}

pub async fn describe(
    ecs: &aws_sdk_ecs::Client,
    task_definition: &str,
    region: &str,
    timeout: Duration,
) -> Result<AppTaskDefinition, CallFailure> {
    const ACTION: &str = "ecs:DescribeTaskDefinition";
    let raw = RawBody::default();
    let out = bounded(
        ACTION,
        timeout,
        ecs.describe_task_definition()
            .task_definition(task_definition)
            .customize()
            .config_override(aws_sdk_ecs::config::Config::builder().interceptor(raw.clone()))
            .send(),
    )
    .await?;
    let Some(td) = out.task_definition() else {
        return Err(CallFailure::new(
            ACTION,
            "NoTaskDefinition",
            format!("{task_definition}: the answer holds no task definition"),
        ));
    };
    let body = raw
        .0
        .lock()
        .ok()
        .and_then(|b| b.clone())
        .unwrap_or_default();
    let document = handed_over(&body).ok_or_else(|| {
        CallFailure::new(
            ACTION,
            "Unreadable",
            "the answer is not the JSON of a task definition",
        )
    })?;
    let awslogs_group = td.container_definitions().iter().find_map(|c| {
        let log = c.log_configuration()?;
        if log.log_driver().as_str() != "awslogs" {
            return None;
        }
        let opts = log.options()?;
        let same_region = opts.get("awslogs-region").is_none_or(|r| r == region);
        same_region
            .then(|| opts.get("awslogs-group").cloned())
            .flatten()
    });
    Ok(AppTaskDefinition {
        arn: td
            .task_definition_arn()
            .unwrap_or(task_definition)
            .to_string(),
        family: td.family().unwrap_or("app").to_string(),
        execution_role_arn: td.execution_role_arn().map(str::to_string),
        requires_compatibilities: td
            .requires_compatibilities()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        awslogs_group,
        document,
    })
}
