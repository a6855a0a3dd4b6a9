//! A need's verdict from its pre-flight findings and the hops that probed it: the worst
//! of them, and the first finding or hop (in report order) with that verdict decides
//! the line's cause. A need whose every hop was skipped failed upstream.

use super::wire::{Hop, Impact, Need};
use crate::hop::Verdict;
use crate::hop::evidence;

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Pass => 0,
        Verdict::Warn => 1,
        Verdict::Skipped => 2,
        Verdict::Fail => 3,
    }
}

pub fn judge(n: &evidence::Need, hops: &[Hop]) -> Need {
    let mine: Vec<&Hop> = hops
        .iter()
        .filter(|h| {
            n.hop_ids.iter().any(|id| {
                h.id == *id
                    || h.id
                        .strip_prefix(id.as_str())
                        .is_some_and(|r| r.starts_with('@'))
            })
        })
        .collect();
    let mut verdict = Verdict::Pass;
    let mut decided: Option<(String, String, String)> = None;
    for f in &n.findings {
        if rank(f.severity) > rank(verdict) {
            verdict = f.severity;
            decided = Some((
                "context".into(),
                f.cause.code.to_string(),
                f.cause.hint.clone(),
            ));
        }
    }
    for h in &mine {
        // A skipped hop names the failure that stopped it; that failure is counted
        // where it happened.
        if h.verdict != Verdict::Skipped && rank(h.verdict) > rank(verdict) {
            verdict = h.verdict;
            decided = Some((
                h.id.clone(),
                h.cause.clone().unwrap_or_default(),
                h.hint.clone().unwrap_or_default(),
            ));
        }
    }
    if !mine.is_empty() && mine.iter().all(|h| h.verdict == Verdict::Skipped) && decided.is_none() {
        verdict = Verdict::Skipped;
        decided = mine
            .first()
            .and_then(|h| h.skipped_because.clone())
            .map(|b| (b, String::new(), String::new()));
    }
    // Nothing probed it and nothing known decides it: not a pass (a run with no region
    // has no endpoint to try; an image outside ECR has its own finding instead).
    if mine.is_empty() && n.findings.is_empty() {
        verdict = Verdict::Skipped;
        decided = Some((
            String::new(),
            crate::causes::code!("config.need_not_probed").to_string(),
            "no hop of this run probed this need: run the probe where the task runs (its task metadata names the region), or with --region".into(),
        ));
    }
    // A need the task starts without is a warning at worst, and says what is lost.
    if n.degrades.is_some() && verdict == Verdict::Fail {
        verdict = Verdict::Warn;
    }
    let (decided_by, cause, hint) = match decided {
        Some((by, c, h)) => (
            Some(by).filter(|b| !b.is_empty()),
            Some(c).filter(|c| !c.is_empty()),
            Some(h).filter(|h| !h.is_empty()),
        ),
        None => (None, None, None),
    };
    Need {
        kind: n.kind.to_string(),
        subject: n.subject.clone(),
        verdict,
        hops: mine.iter().map(|h| h.id.clone()).collect(),
        decided_by,
        cause,
        hint,
        impact: match n.degrades {
            Some(_) => Impact::Degrades,
            None => Impact::StopsTask,
        },
        loses: n.degrades.clone(),
    }
}

/// The hops that only degraded needs own: their failure leaves the task able to start.
pub fn degraded_only(needs: &[Need]) -> std::collections::BTreeSet<&str> {
    let owned = |impact: Impact| {
        needs
            .iter()
            .filter(move |n| n.impact == impact)
            .flat_map(|n| n.hops.iter().map(String::as_str))
    };
    let stops: std::collections::BTreeSet<&str> = owned(Impact::StopsTask).collect();
    owned(Impact::Degrades)
        .filter(|h| !stops.contains(h))
        .collect()
}
