//! From a stopped probe task to a result: its report from the log stream, or, when the
//! probe never ran, `explain` of why ECS stopped it. The probe's own pull failing is the
//! diagnosis of the pull path (the probe and the app pull through the same endpoints
//! with the same execution role), and the result says so.

use super::tasks::TaskState;
use super::wire::{Outcome, SubnetResult};
use crate::report::wire::RunVerdict;

/// The probe's report among its log events: one event (the probe writes one line), or,
/// if a log shipper split it, the events from the first `{` line to the last `}` line.
pub fn find_report(messages: &[String]) -> Option<serde_json::Value> {
    let parse = |text: &str| -> Option<serde_json::Value> {
        crate::diff::input::parse(text.as_bytes()).ok()?;
        serde_json::from_str(text).ok()
    };
    if let Some(v) = messages.iter().rev().find_map(|m| parse(m.trim())) {
        return Some(v);
    }
    let first = messages
        .iter()
        .position(|m| m.trim_start().starts_with('{'))?;
    let last = messages.iter().rposition(|m| m.trim_end().ends_with('}'))?;
    (first <= last)
        .then(|| messages[first..=last].join("\n"))
        .and_then(|t| parse(&t))
}

/// Fills `r` from the task's final state and its log messages (`None`: not readable).
pub fn judge(r: &mut SubnetResult, state: &TaskState, messages: Option<&[String]>) {
    r.last_status = Some(state.last_status.clone());
    r.availability_zone = state
        .availability_zone
        .clone()
        .or(r.availability_zone.take());
    r.exit_code = state.exit_code;
    r.stop_code = state.stop_code.clone();
    r.stopped_reason = state.stopped_reason.clone();
    r.container_reason = state.container_reason.clone();
    if let Some(report) = messages.and_then(find_report) {
        let verdict = report
            .get("verdict")
            .cloned()
            .and_then(|v| serde_json::from_value::<RunVerdict>(v).ok());
        let first = report
            .pointer("/summary/first_failure")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let cause = report
            .pointer("/summary/first_failure_cause")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        (r.outcome, r.summary) = match verdict {
            Some(RunVerdict::Pass) => (Outcome::Pass, "the probe ran: every hop passed".into()),
            Some(RunVerdict::Warn) => {
                (Outcome::Pass, "the probe ran: passed, with warnings".into())
            }
            Some(RunVerdict::Fail) => (
                Outcome::Fail,
                format!(
                    "the probe ran: {} failed{}",
                    first.as_deref().unwrap_or("a hop"),
                    cause.map(|c| format!(" ({c})")).unwrap_or_default()
                ),
            ),
            None => (Outcome::Unknown, "the probe's report has no verdict".into()),
        };
        r.report = Some(report);
        return;
    }
    // Stopped by launch itself (the wait ran out, Ctrl-C): its own words, nothing to explain.
    if let Some(ours) = state
        .stopped_reason
        .as_deref()
        .filter(|r| r.starts_with(super::OWN_STOP_PREFIX))
    {
        r.outcome = Outcome::Unknown;
        r.summary = format!(
            "stopped before the probe reported ({}): nothing learned",
            ours.trim_start_matches(super::OWN_STOP_PREFIX)
        );
        return;
    }
    // No report: did ECS say why the task stopped before the probe could run?
    let reasons: Vec<&str> = [
        state.container_reason.as_deref(),
        state.stopped_reason.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    let mut text = String::new();
    for (i, reason) in reasons.iter().enumerate() {
        if i > 0 && reasons[0] == *reason {
            continue;
        }
        text.push_str(reason);
        text.push('\n');
    }
    let explanations = if text.is_empty() {
        Vec::new()
    } else {
        crate::explain::explain_input(&text)
    };
    let recognised = explanations.iter().any(|e| !e.findings.is_empty());
    if !explanations.is_empty() {
        let mut report = crate::report::explain::build(&explanations);
        crate::remediation::fill_explain(&mut report, &explanations);
        r.explained = serde_json::to_value(&report).ok();
    }
    let never_ran = state.exit_code.is_none();
    (r.outcome, r.summary) = if never_ran && recognised {
        (
            Outcome::Fail,
            "the probe never ran: ECS could not start its task, and that is the answer: \
             the probe's image is pulled through the same endpoints, with the same \
             execution role, as the app's (the reason, explained, below)"
                .into(),
        )
    } else if never_ran && !reasons.is_empty() {
        (
            Outcome::Unknown,
            "the probe never ran, for a reason that names no start-up cause (below)".into(),
        )
    } else if let Some(code) = state.exit_code {
        (
            Outcome::Unknown,
            format!(
                "the probe exited {code} but no report was found in its log stream{}",
                if messages.is_none() {
                    " (the stream could not be read)"
                } else {
                    ""
                }
            ),
        )
    } else {
        (
            Outcome::Unknown,
            "the task stopped with no exit code, no reason and no report".into(),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_failure_is_a_diagnosis() {
        let mut r = SubnetResult::new("subnet-b");
        let state = TaskState {
            arn: "arn:aws:ecs:us-east-1:123456789012:task/c/abc".into(),
            last_status: "STOPPED".into(),
            stopped_reason: Some("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/vpce-probe:0.1.0: failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/vpce-probe/manifests/0.1.0\": dial tcp 10.0.1.102:443: i/o timeout".into()),
            ..Default::default()
        };
        judge(&mut r, &state, None);
        assert_eq!(r.outcome, Outcome::Fail, "{}", r.summary);
        assert!(r.explained.is_some());
    }

    #[test]
    fn nothing_said_is_unknown() {
        let mut r = SubnetResult::new("subnet-b");
        let state = TaskState {
            last_status: "STOPPED".into(),
            exit_code: Some(0),
            ..Default::default()
        };
        judge(&mut r, &state, Some(&["not a report".to_string()]));
        assert_eq!(r.outcome, Outcome::Unknown);
    }
}
