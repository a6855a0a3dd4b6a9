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

crate::value_set::value_set! {
    /// What a remediation's text is.
    pub enum RemedyKind {
        /// One AWS CLI command, on one line.
        Cli = "cli",
        /// CloudFormation resources (YAML), to go under a template's `Resources:`.
        Cloudformation = "cloudformation",
        /// Terraform resources (HCL).
        Terraform = "terraform",
        /// A whole IAM policy document (JSON).
        Policy = "policy",
    }
}

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

/// Fill `remediation` of every warn and fail hop of a report. The context hop gets
/// the remediation of each of its findings, most severe first.
pub fn attach(report: &mut crate::report::Report) {
    use crate::report::wire::{Remediation, Verdict};
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

/// The words of a one-line command, a single-quoted argument kept whole.
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A single-quoted JSON argument cut after each `,`, `{` or `[` outside JSON strings:
/// inside the shell's quotes a newline is part of the argument, and JSON allows one
/// between its tokens, so the pieces on separate lines are the same document.
fn json_pieces(word: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in word.chars() {
        cur.push(c);
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ',' | '{' | '[') {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces
}

/// A one-line AWS CLI command as lines of at most `width` characters that a POSIX
/// shell reads back as the same command: breaks between words end in ` \`, a long
/// quoted JSON document is cut inside its quotes between JSON tokens. A word longer
/// than `width` that is neither stays whole.
pub fn wrap_command(cmd: &str, width: usize) -> Vec<String> {
    let width = width.max(24);
    let len = |s: &str| s.chars().count();
    let mut lines = Vec::new();
    let mut cur = String::new();
    // A flag and its value stay on one line: `--port 443`, not `--port \` then `443`.
    let mut units: Vec<String> = Vec::new();
    for word in shell_words(cmd) {
        match units.last_mut() {
            Some(flag)
                if flag.starts_with("--") && !flag.contains(' ') && !word.starts_with("--") =>
            {
                flag.push(' ');
                flag.push_str(&word);
            }
            _ => units.push(word),
        }
    }
    for word in units {
        if cur.is_empty() {
        } else if len(&cur) + 1 + len(&word) + 2 <= width {
            cur.push(' ');
        } else {
            cur.push_str(" \\");
            lines.push(std::mem::take(&mut cur));
            cur.push_str("  ");
        }
        if len(&cur) + len(&word) <= width || !word.ends_with('\'') {
            cur.push_str(&word);
            continue;
        }
        for piece in json_pieces(&word) {
            if !cur.trim().is_empty() && len(&cur) + len(&piece) > width {
                lines.push(std::mem::take(&mut cur));
            }
            cur.push_str(&piece);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_command_reads_back_the_same() {
        let doc = r#"'{"Version":"2012-10-17","Statement":[{"Sid":"AllowPullPath","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app-exec"},"Action":["ecr:GetAuthorizationToken","ecr:BatchGetImage"],"Resource":"*"}]}'"#;
        let cmd = format!(
            "aws ec2 modify-vpc-endpoint --vpc-endpoint-id <vpc-endpoint-id> --policy-document {doc} --region us-east-1"
        );
        let lines = wrap_command(&cmd, 60);
        assert!(lines.len() > 2, "{lines:#?}");
        for l in &lines {
            assert!(l.chars().count() <= 60, "{l}");
        }
        // What the shell reads: ` \` + newline joins words; a newline in quotes stays.
        let read = lines.join("\n").replace(" \\\n  ", " ");
        let words = shell_words(&read.replace('\n', ""));
        assert_eq!(words, shell_words(&cmd));
        let arg = shell_words(&read.replace(" \\\n", " "))
            .into_iter()
            .find(|w| w.starts_with('\''))
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(arg.trim_matches('\'')).expect("the document is still JSON");
        assert_eq!(json["Statement"][0]["Effect"], "Allow");
        assert_eq!(wrap_command("aws s3 ls", 60), vec!["aws s3 ls"]);
    }

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
