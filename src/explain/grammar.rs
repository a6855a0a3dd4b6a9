//! The shape every ECS agent and Fargate reason shares, parsed once into data.
//!
//! A reason is a chain (tests/fixtures/explain/agent-wordings.md §1, §6): an error
//! name (`CannotPullContainerError`, the agent's `DefaultNamedError` prefix), then
//! operations from the outside in ("unable to pull secrets or registry auth",
//! "unable to retrieve secret from asm"), often one "<operation> has been retried N
//! time(s)" wrapper, and an inner chain joined by ": " and "caused by:" down to the
//! innermost error (`dial tcp …: i/o timeout`, an AWS error code and message, an HTTP
//! status). Service events wrap a reason in "(service X) was unable to place a task.
//! Reason: …", and the console in "STOPPED (…)" or "Status reason: …".

/// One reason, parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chain<'a> {
    /// The reason without its service-event or console wrapper.
    pub body: &'a str,
    /// The leading error name as written (`CannotPullContainerError`), when there is one.
    pub error_name: Option<&'a str>,
    /// The links after the error name, outermost first.
    pub links: Vec<&'a str>,
    /// N of the first "has been retried N time(s)" / "retried N times".
    pub retries: Option<u32>,
    /// The chain stops on a separator or a retry wrapper with nothing after it: the
    /// innermost error was cut off.
    pub empty_tail: bool,
    /// A double quote opened and never closed: the text was cut inside a quoted name.
    pub open_quote: bool,
}

impl<'a> Chain<'a> {
    /// The innermost error: the last link that says something.
    pub fn innermost(&self) -> Option<&'a str> {
        self.links
            .iter()
            .rev()
            .copied()
            .find(|l| !l.trim().is_empty())
    }
}

/// Wrappers around a reason, as service events and the console show them; the part
/// after the marker is the reason.
const WRAPPERS: &[&str] = &[
    ") was unable to place a task. reason: ",
    "status reason: ",
    "stopped reason: ",
    "container message: ",
    "stoppedreason: ",
];

pub fn parse(text: &str) -> Chain<'_> {
    let mut body = text.trim();
    let lower = body.to_ascii_lowercase();
    // The innermost wrapper wins: a service event may quote a "Status reason: …".
    if let Some(at) = WRAPPERS
        .iter()
        .filter_map(|w| lower.rfind(w).map(|i| i + w.len()))
        .max()
        && body.is_char_boundary(at)
    {
        body = body[at..].trim();
    }
    if let Some(inner) = body
        .strip_prefix("STOPPED (")
        .or_else(|| body.strip_prefix("STOPPED("))
        .map(|b| b.strip_suffix(')').unwrap_or(b))
    {
        body = inner.trim();
    }
    // A reason pasted in parentheses, as a task list shows it: "(CannotCreateVolumeError: …)".
    if let Some(inner) = body.strip_prefix('(')
        && inner.split([':', ' ']).next().is_some_and(is_error_name)
    {
        body = inner.strip_suffix(')').unwrap_or(inner).trim();
    }
    let mut links = split_links(body);
    // A label before the error name ("Performance Hub: CannotPullContainerError: …", a
    // tool's or service's name in front of what it quotes): a few words and no error
    // name of their own.
    if links.len() > 1
        && links[0].split_whitespace().count() <= 4
        && !links[0].split_whitespace().any(is_error_name)
        && is_error_name(bare(links[1].split_whitespace().next().unwrap_or("")))
    {
        links.remove(0);
    }
    let mut error_name = None;
    if let Some(first) = links.first().copied() {
        // "CannotPullContainer AccessDenied": the console's short form puts the cause
        // after a space, not a colon; the agent's event log writes "[Name] cause".
        let (head, rest) = match first.split_once(char::is_whitespace) {
            Some((h, r)) if is_error_name(bare(h)) => (bare(h), Some(r.trim())),
            _ => (first, None),
        };
        if is_error_name(head) {
            error_name = Some(head);
            links.remove(0);
            if let Some(r) = rest.filter(|r| !r.is_empty()) {
                links.insert(0, r);
            }
        }
    }
    let trimmed = body.trim_end();
    let retries = retried(&body.to_ascii_lowercase());
    let last = links.last().map(|l| l.to_ascii_lowercase());
    let empty_tail = trimmed.ends_with(':')
        || last.as_deref().is_some_and(|l| {
            let l = l.trim_end_matches(['.', ' ']);
            l.ends_with("time(s)") || l.ends_with(" times") || l.ends_with("caused by")
        })
        // containerd's "unexpected status code <url>: <status>" (or "… from GET request
        // to <url>: <status>") with neither: the one fact that says what answered is gone.
        || last.as_deref().is_some_and(|l| {
            matches!(
                l.trim_end_matches(['.', ' ']),
                "unexpected status code" | "unexpected status"
            )
        })
        // containerd's "pulling from host <host> failed with status code <url>: <status>"
        // stopped after "failed": the status that says what answered is gone.
        || last.as_deref().is_some_and(|l| {
            let l = l.trim_end_matches(['.', ' ']);
            l.starts_with("pulling from host ") && l.ends_with(" failed")
        })
        // "failed to <verb> <object>: <error>" is an operation, never the innermost
        // error: a chain that ends on its first words was cut.
        || last.as_deref().is_some_and(|l| {
            (l.starts_with("failed to ") || l.starts_with("unable to "))
                && l.split_whitespace().count() <= 3
                && !trimmed.ends_with('.')
        });
    Chain {
        body,
        error_name,
        links,
        retries,
        empty_tail,
        open_quote: body.matches('"').count() % 2 == 1,
    }
}

/// A word without the brackets an event log puts around an error name.
fn bare(word: &str) -> &str {
    word.strip_prefix('[')
        .and_then(|w| w.strip_suffix(']'))
        .unwrap_or(word)
}

/// An agent error name: one word ending in "Error", or the console's short form
/// `CannotPullContainer`.
pub fn is_error_name(word: &str) -> bool {
    let w = word.trim_end_matches(':');
    let lower = w.to_ascii_lowercase();
    w.len() > 5
        && w.chars().all(|c| c.is_ascii_alphanumeric())
        && w.starts_with(|c: char| c.is_ascii_alphabetic())
        && (lower.ends_with("error") || lower == "cannotpullcontainer")
}

/// Split on ": " and "caused by:" (the SDK's nesting), keeping the pieces' text.
fn split_links(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let lower = rest.to_ascii_lowercase();
        let colon = rest.find(": ").map(|i| (i, 2));
        let caused = lower.find("caused by:").map(|i| (i, "caused by:".len()));
        let next = match (colon, caused) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        match next {
            Some((i, len)) => {
                let piece = rest[..i].trim();
                if !piece.is_empty() {
                    out.push(piece);
                }
                rest = &rest[i + len..];
            }
            None => {
                let piece = rest.trim();
                if !piece.is_empty() {
                    out.push(piece);
                }
                return out;
            }
        }
    }
}

/// "… has been retried 5 time(s)", "… retried 7 times".
fn retried(lower: &str) -> Option<u32> {
    let at = lower.find("retried ")? + "retried ".len();
    let digits: String = lower[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label in front ("Performance Hub: …") or the event log's brackets ("[Name] …")
    /// still leave the error name; a label that is itself a reason's words stays.
    #[test]
    fn an_error_name_behind_a_label_or_in_brackets() {
        let tail =
            "a Windows version 10.0.18363-based image is incompatible with a 10.0.17763 host";
        for text in [
            format!("Performance Hub: CannotPullContainerError: {tail}"),
            format!("[CannotPullContainerError] {tail}"),
        ] {
            let c = parse(&text);
            assert_eq!(c.error_name, Some("CannotPullContainerError"), "{text}");
            assert_eq!(c.innermost(), Some(tail), "{text}");
        }
        let c =
            parse("failed to fetch secret arn from secrets manager now: AccessDeniedException: no");
        assert_eq!(c.error_name, None);
    }

    #[test]
    fn a_fargate_chain() {
        let c = parse(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-west-2:1:secret:x from secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded",
        );
        assert_eq!(c.error_name, Some("ResourceInitializationError"));
        assert_eq!(c.retries, Some(5));
        assert_eq!(c.innermost(), Some("context deadline exceeded"));
        assert!(!c.empty_tail);
    }

    #[test]
    fn wrappers_and_short_forms() {
        let c = parse(
            "(service web) was unable to place a task. Reason: CannotPullContainerError: pull image manifest has been retried 7 time(s): x",
        );
        assert_eq!(c.error_name, Some("CannotPullContainerError"));
        let c = parse("CannotPullContainer AccessDenied");
        assert_eq!(c.error_name, Some("CannotPullContainer"));
        assert_eq!(c.links, ["AccessDenied"]);
        let c = parse("STOPPED (CannotPullContainerError: Error response from daem)");
        assert_eq!(c.error_name, Some("CannotPullContainerError"));
        let c = parse("STOPPED(CannotPullContainerError: x)");
        assert_eq!(c.error_name, Some("CannotPullContainerError"));
        let c = parse("(CannotCreateVolumeError: unable to copy contents to volume on host)");
        assert_eq!(c.error_name, Some("CannotCreateVolumeError"));
    }

    #[test]
    fn cut_tails() {
        assert!(
            parse("CannotPullContainerError: inspect image has been retried 5 time(s): ")
                .empty_tail
        );
        assert!(
            parse("ResourceInitializationError: unable to pull secrets or registry auth: ")
                .empty_tail
        );
        assert!(parse("x: Failed to resolve \"fs-1.efs.").open_quote);
        assert!(!parse("CannotPullContainerError: API error (404)").empty_tail);
        assert!(parse("x: service call has been retried 5 time(s): failed to fetch ").empty_tail);
        assert!(!parse("x: failed to authorize: failed to fetch anonymous token.").empty_tail);
    }
}
