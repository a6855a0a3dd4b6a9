//! A need's verdict from its pre-flight findings and the hops that probed it: the worst
//! of them, and the first finding or hop (in report order) with that verdict decides
//! the line's cause. A need whose every hop was skipped failed upstream.

use super::wire::{Hop, Need, Verdict};
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
    let (decided_by, cause, hint) = match decided {
        Some((by, c, h)) => (
            Some(by),
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
    }
}
