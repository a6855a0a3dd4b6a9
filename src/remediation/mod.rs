//! Remediation as code: for a failing or warning cause, the AWS change that repairs it,
//! as the AWS CLI command(s), a CloudFormation snippet, a Terraform snippet and, for
//! policy causes, the whole policy document.
//!
//! Keyed by cause code ([`table`]), not a column of the catalogue: every catalogue row
//! is either in [`table::ENTRIES`] with a generator or listed there as
//! [`Entry::NoAwsChange`] with the reason (a test walks the catalogue). The generators
//! fill in what the report knows ([`Facts`]: region, endpoint service, principal, denied
//! action and resource, port, subnet CIDR) and leave named placeholders (`<vpc-id>`,
//! `<endpoint-sg-id>`, …) for what it cannot know.
//!
//! The probe never runs these and never needs the permissions they need. A value from
//! the network (an ARN in an AccessDenied message, a host) goes into a command only
//! when it is made of the characters such identifiers use (see [`facts::safe`]):
//! anything else leaves the placeholder, so a hostile server cannot write shell.
//! Validity (the AWS CLI accepts each command, cfn-lint each snippet, HCL parses) is
//! tested in tests/remediation.rs with tests/remediation/validate.py.

pub mod facts;
mod snippets;
pub mod table;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use facts::Facts;
pub use table::{Entry, entry};

pub use crate::report::wire::RemedyKind;

/// One piece of remediation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Remedy {
    pub kind: RemedyKind,
    /// What it does, in a few words (e.g. `create the interface endpoint`).
    pub title: String,
    pub text: String,
    /// The placeholders left in `text` (`<vpc-id>`, …), in order of first use.
    pub placeholders: Vec<String>,
}

impl Remedy {
    fn new(kind: RemedyKind, title: &str, text: String) -> Remedy {
        let placeholders = placeholders_in(&text);
        Remedy {
            kind,
            title: title.to_string(),
            text,
            placeholders,
        }
    }
}

/// Every `<name>` in `text` whose name is lower-case letters, digits and dashes.
pub fn placeholders_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let name = &rest[..close];
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            let p = format!("<{name}>");
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// The remediation for `code` with what `facts` knows; empty when no AWS change
/// repairs it (or the code is not in the table).
pub fn for_cause(code: &str, facts: &Facts) -> Vec<Remedy> {
    match entry(code) {
        Some(Entry::Fix(f)) => f(facts),
        _ => Vec::new(),
    }
}

impl From<&Remedy> for crate::report::wire::Remediation {
    fn from(r: &Remedy) -> Self {
        crate::report::wire::Remediation {
            kind: r.kind,
            title: r.title.clone(),
            text: r.text.clone(),
            placeholders: r.placeholders.clone(),
        }
    }
}

/// The report with [`attach`] done: what the runner returns.
pub fn attached(mut report: crate::report::Report) -> crate::report::Report {
    attach(&mut report);
    report
}

/// `explain`'s hook: each cause it read gets the remediation of its code, filled with
/// what the reason names (region, service, dialled address, AccessDenied principal,
/// action and resource). Results and explanations are in the same order.
pub fn fill_explain(
    report: &mut crate::report::explain::ExplainReport,
    explanations: &[crate::explain::Explanation],
) {
    for (r, e) in report.results.iter_mut().zip(explanations) {
        for c in &mut r.causes {
            let facts = facts::of_reason(
                e.region.as_deref(),
                c.service.as_deref().or(e.service),
                e.address.as_deref(),
                &e.text,
            );
            c.remediation = for_cause(&c.code, &facts).iter().map(Into::into).collect();
        }
    }
}

/// Fill `remediation` of every warn and fail hop of a report. The context hop gets
/// the remediation of each of its findings, most severe first.
pub fn attach(report: &mut crate::report::Report) {
    use crate::hop::Verdict;
    use crate::report::wire::Remediation;
    let ctx = report.context.clone();
    let principal = report.principal.clone();
    for hop in &mut report.hops {
        if !matches!(hop.verdict, Verdict::Fail | Verdict::Warn) {
            continue;
        }
        let facts = facts::of_hop(&ctx, principal.as_ref(), hop);
        let mut codes: Vec<String> = hop
            .evidence
            .findings
            .iter()
            .map(|f| f.cause.clone())
            .collect();
        if let Some(c) = &hop.cause
            && !codes.contains(c)
        {
            codes.insert(0, c.clone());
        }
        let mut all: Vec<Remediation> = Vec::new();
        for code in codes {
            for r in for_cause(&code, &facts) {
                let r = Remediation::from(&r);
                if !all.contains(&r) {
                    all.push(r);
                }
            }
        }
        hop.remediation = all;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_fit_a_narrow_terminal() {
        for (code, e) in table::ENTRIES {
            if let Entry::Fix(f) = e {
                for r in f(&Facts::default()) {
                    assert!(r.title.chars().count() <= 90, "{code}: {}", r.title);
                }
            }
        }
    }

    #[test]
    fn placeholders_are_found_once_in_order() {
        let p = placeholders_in("aws x --a <vpc-id> --b <b-2> <vpc-id> '<NotOne>' a<b c>");
        assert_eq!(p, vec!["<vpc-id>", "<b-2>"]);
    }
}
