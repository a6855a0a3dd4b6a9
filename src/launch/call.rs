//! One AWS call's failure, as data: which API, whether it is a missing permission (and
//! which), and AWS's own words. `launch` never panics on an answer and never turns a
//! failed step into an `Err` of the process: the step and its failure are reported.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;

use crate::net::sdk::{error_chain, slow_body, too_large};

/// A call that did not give what `launch` needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CallFailure {
    /// The IAM action of the call, e.g. `ecs:RunTask`.
    pub action: String,
    /// AWS's error code (`AccessDeniedException`, `ClusterNotFoundException`, ...), or
    /// `timeout` / `connect` / `other` when no answer came.
    pub code: String,
    pub message: String,
    /// The permission the caller lacks, when AWS said so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_permission: Option<String>,
}

impl CallFailure {
    pub fn new(action: &str, code: &str, message: impl Into<String>) -> Self {
        CallFailure {
            action: action.to_string(),
            code: code.to_string(),
            message: crate::escape::clean(&message.into()),
            missing_permission: None,
        }
    }

    /// One line for a person: the action, the missing permission when known.
    pub fn line(&self) -> String {
        match &self.missing_permission {
            Some(p) => format!(
                "{}: missing permission {p} ({}: {})",
                self.action, self.code, self.message
            ),
            None => format!("{}: {}: {}", self.action, self.code, self.message),
        }
    }
}

/// Error codes AWS answers a missing IAM permission with (ECS, ECR and Logs use the
/// first; the others come from older or query-protocol services).
const DENIED_CODES: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnauthorizedException",
];

/// The action AWS names in "... is not authorized to perform: ecs:RunTask on resource
/// ...", if it names one.
fn named_action(message: &str) -> Option<String> {
    let rest = message.split("not authorized to perform: ").nth(1)?;
    let action: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
        .collect();
    action.contains(':').then_some(action)
}

/// The SDK's error for `action`, classified.
pub fn from_sdk<E>(
    action: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> CallFailure
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let text = error_chain(err);
    if let Some(limit) = too_large(err) {
        return CallFailure::new(
            action,
            "too_large",
            format!("the answer was larger than {limit} bytes"),
        );
    }
    if slow_body(err) {
        return CallFailure::new(action, "timeout", text);
    }
    match err {
        SdkError::ServiceError(ctx) => {
            let code = ctx.err().code().unwrap_or("Unknown").to_string();
            let message = ctx.err().message().unwrap_or_default().to_string();
            let mut f = CallFailure::new(action, &code, message.clone());
            let denied = DENIED_CODES.contains(&code.as_str())
                || message.contains("is not authorized to perform");
            if denied {
                f.missing_permission = Some(named_action(&message).unwrap_or(action.to_string()));
            }
            f
        }
        SdkError::TimeoutError(_) => CallFailure::new(action, "timeout", text),
        SdkError::DispatchFailure(d) if d.is_timeout() => CallFailure::new(action, "timeout", text),
        SdkError::DispatchFailure(d) if d.is_io() => CallFailure::new(action, "connect", text),
        _ => CallFailure::new(action, "other", text),
    }
}

/// `call`, bounded by `timeout`; its SDK error classified as `action`'s.
pub async fn bounded<T, E, F>(action: &str, timeout: Duration, call: F) -> Result<T, CallFailure>
where
    F: Future<
        Output = Result<
            T,
            aws_smithy_runtime_api::client::result::SdkError<
                E,
                aws_smithy_runtime_api::http::Response,
            >,
        >,
    >,
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(from_sdk(action, &e)),
        Err(_) => Err(CallFailure::new(
            action,
            "timeout",
            format!("no answer within {}", humantime::format_duration(timeout)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_denied_action_is_read_from_aws_words() {
        let m = "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/x:1 because no identity-based policy allows the ecs:RunTask action";
        assert_eq!(named_action(m).as_deref(), Some("ecs:RunTask"));
        assert_eq!(named_action("Access denied"), None);
    }
}
