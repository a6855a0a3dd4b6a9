//! The last guard on a report's size: the canary ships one report as one CloudWatch
//! Logs event (docs/aws-facts.md#cloudwatch-logs-event-size). The run's own caps (hosts,
//! addresses, answers read, images, endpoints and needs per run) keep a report far below
//! that; this guard is for what they miss, and it says what it cut.
//!
//! In order, until the one-line JSON fits: every long string in the hops and needs is
//! shortened, every long list shortened from its end, then whole hops are dropped
//! (passed ones first, from the end of the plan). The verdict, the summary's counts and
//! the first failure stay those of the whole run.

use serde_json::Value;

use super::wire::{Cut, Report};
use crate::hop::Verdict;

/// The bound: one log event as every awslogs path takes it. PutLogEvents now takes
/// events of up to 1 MB, but for years took 256 KB (262 144 bytes, 26 of them the
/// event's overhead), and log drivers written then split a longer line: the smaller
/// bound holds on both. A normal report is 10-40 KB.
pub const MAX_REPORT_BYTES: usize = 262_144 - 26;
/// A string longer than this (in characters) is shortened, when the report is too large.
const MAX_STRING_CHARS: usize = 1024;
/// A list longer than this is shortened, when the report is too large.
const MAX_LIST_ENTRIES: usize = 32;

/// `report`, cut to fit [`MAX_REPORT_BYTES`] when it does not (see the module doc).
pub fn bound(report: Report) -> Report {
    bound_to(report, MAX_REPORT_BYTES)
}

fn size(report: &Report) -> usize {
    serde_json::to_vec(report).map_or(usize::MAX, |v| v.len())
}

fn bound_to(report: Report, limit: usize) -> Report {
    let before = size(&report);
    if before <= limit {
        return report;
    }
    let mut cut = Cut {
        bytes_before: before as u64,
        limit_bytes: limit as u64,
        ..Cut::default()
    };
    let mut out = shrink_parts(&report, &mut cut).unwrap_or(report);
    // Room for the `cut` object itself.
    let room = limit.saturating_sub(512);
    while size(&out) > room && !out.hops.is_empty() {
        let at = out
            .hops
            .iter()
            .rposition(|h| h.verdict == Verdict::Pass)
            .unwrap_or(out.hops.len() - 1);
        out.hops.remove(at);
        cut.hops_dropped += 1;
    }
    out.cut = Some(cut);
    out
}

/// The report with the long strings and lists of its hops and needs shortened; `None`
/// if the round trip through JSON fails (then only whole hops are dropped).
fn shrink_parts(report: &Report, cut: &mut Cut) -> Option<Report> {
    let mut v = serde_json::to_value(report).ok()?;
    for part in ["hops", "needs"] {
        if let Some(Value::Array(items)) = v.get_mut(part) {
            for item in items {
                shrink(item, cut);
            }
        }
    }
    serde_json::from_value(v).ok()
}

fn shrink(v: &mut Value, cut: &mut Cut) {
    match v {
        Value::String(s) if s.chars().count() > MAX_STRING_CHARS => {
            let mut short: String = s.chars().take(MAX_STRING_CHARS - 1).collect();
            short.push('…');
            *s = short;
            cut.strings_shortened += 1;
        }
        Value::Array(items) => {
            if items.len() > MAX_LIST_ENTRIES {
                cut.list_entries_dropped += (items.len() - MAX_LIST_ENTRIES) as u64;
                items.truncate(MAX_LIST_ENTRIES);
            }
            for item in items {
                shrink(item, cut);
            }
        }
        Value::Object(fields) => {
            for (_, item) in fields.iter_mut() {
                shrink(item, cut);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hop::HopResult;
    use crate::hop_kind::HopKind;
    use std::time::Duration;

    fn report(hops: usize, message_len: usize) -> Report {
        let results: Vec<HopResult> = (0..hops)
            .map(|i| {
                let h = HopResult::new(HopKind::Dns, format!("dns:{i}"), "x");
                let h = if i == 0 {
                    h.fail(crate::diagnose::Cause::new(
                        crate::causes::code!("dns.nxdomain"),
                        "no",
                    ))
                } else {
                    h
                };
                h.message("m".repeat(message_len))
            })
            .collect();
        crate::report::build(
            "2026-12-07T00:00:00Z".into(),
            Duration::ZERO,
            None,
            &Default::default(),
            &results,
            crate::report::Extras {
                needs: &[],
                principal: None,
            },
        )
    }

    #[test]
    fn a_report_that_fits_is_untouched() {
        let r = report(3, 100);
        assert_eq!(bound_to(r.clone(), 100_000), r);
    }

    #[test]
    fn long_strings_go_first_then_passed_hops_and_the_cut_is_said() {
        let r = report(40, 5000);
        let before = size(&r);
        let b = bound_to(r.clone(), 60_000);
        assert!(size(&b) <= 60_000, "{}", size(&b));
        let cut = b.cut.clone().unwrap_or_default();
        assert_eq!(cut.bytes_before, before as u64);
        assert_eq!(cut.strings_shortened, 40);
        assert_eq!(cut.hops_dropped, 0);
        assert_eq!(b.summary, r.summary);

        let b = bound_to(r.clone(), 20_000);
        assert!(size(&b) <= 20_000, "{}", size(&b));
        let cut = b.cut.clone().unwrap_or_default();
        assert!(cut.hops_dropped > 0);
        // The failed hop stays; the counts are the whole run's.
        assert_eq!(b.hops[0].id, "dns:0");
        assert_eq!(b.summary, r.summary);
        assert_eq!(b.verdict, r.verdict);
    }
}
