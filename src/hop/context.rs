//! The context hop: reports what the run's facts (`facts/`) already know to be
//! wrong before any packet goes to AWS (cross-region pulls, names VPC endpoints never
//! serve, a custom resolver). It decides nothing and reads nothing: its findings are
//! given.

use std::time::Duration;

use crate::diagnose::Cause;
use crate::hop::evidence::Finding;
use crate::hop::{HopResult, Verdict};
use crate::hop_kind::HopKind;

/// The context hop on `target` (the image), its findings most severe first: the first
/// is the hop's own cause. `metadata_error` says why ECS task metadata could not be
/// read; `took` is how long gathering the facts took.
pub fn report(
    target: &str,
    findings: &[(Verdict, Cause)],
    metadata_error: Option<&str>,
    took: Duration,
) -> HopResult {
    let mut hop = HopResult::new(HopKind::Context, "context", target);
    if let Some((severity, cause)) = findings.first() {
        hop = match severity {
            Verdict::Fail => hop.fail(cause.clone()),
            _ => hop.warn(cause.clone()),
        };
    }
    if let Some(err) = metadata_error {
        hop = hop.message(format!("ECS task metadata could not be read: {err}"));
    }
    hop.evidence.context().findings = findings
        .iter()
        .map(|(severity, cause)| Finding {
            severity: *severity,
            cause: cause.clone(),
        })
        .collect();
    hop.duration = took;
    hop
}
