//! A value that must never reach the output: the ECR authorization token, the Basic
//! `Authorization` header built from it, presigned URLs.
//!
//! `Debug`, `Display` and `Serialize` all print `(redacted)`. There is deliberately no
//! `Deref`: the one place that needs the value calls [`Secret::expose`], which makes
//! every use greppable.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value itself. Call only where it is sent on the wire.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

const REDACTED: &str = "(redacted)";

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> serde::Serialize for Secret<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Server-supplied text made safe to print: one line of printable characters, at most
/// `max` of them, with every word that could be a credential replaced by `(redacted)`:
/// 32 or more of `A-Za-z0-9+/=_-` (session tokens, signatures), or 16 or more upper-case
/// letters and digits (access key ids). For error texts from endpoints that also serve
/// credentials; words such as "CredentialsV2Request" stay.
pub fn scrub(text: &str, max: usize) -> String {
    one_line(&redact_tokens(text, max), max)
}

/// Text the user gave (a stoppedReason) made safe to print: one line of printable
/// characters, at most `max`, with only what is certainly a credential removed: the
/// `X-Amz-Signature`, `X-Amz-Credential` and `X-Amz-Security-Token` values of a
/// presigned URL and access key ids. Names, tags and ARNs stay readable.
pub fn scrub_reason(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, word) in text.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let lower = word.to_ascii_lowercase();
        let signed = [
            "x-amz-signature=",
            "x-amz-credential=",
            "x-amz-security-token=",
        ]
        .iter()
        .find_map(|k| lower.find(k).map(|at| at + k.len()));
        match signed {
            Some(at) => {
                out.push_str(&word[..at]);
                out.push_str(REDACTED);
                // The value ends at the first character a URL value cannot hold.
                let rest = &word[at..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || "\"')".contains(c))
                    .unwrap_or(rest.len());
                out.push_str(&rest[end..]);
            }
            None => out.push_str(word),
        }
    }
    let ids: String = out
        .split_inclusive(|c: char| !c.is_ascii_alphanumeric())
        .map(|w| {
            let core = w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            let key_id = core.len() >= 16
                && (core.starts_with("AKIA") || core.starts_with("ASIA"))
                && core
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if key_id {
                format!("{REDACTED}{}", &w[core.len()..])
            } else {
                w.to_string()
            }
        })
        .collect();
    one_line(&ids, max)
}

fn redact_tokens(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let token_char = |c: char| c.is_ascii_alphanumeric() || "+/=_-".contains(c);
    let flush = |run: &mut String, out: &mut String| {
        let n = run.chars().count();
        let key_id = n >= 16
            && run
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if n >= 32 || key_id {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars().take(max.saturating_mul(4)) {
        if token_char(c) {
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        out.push(if c.is_control() { ' ' } else { c });
    }
    flush(&mut run, &mut out);
    out
}

fn one_line(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .take(max.saturating_mul(4))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max {
        let mut cut: String = one_line.chars().take(max).collect();
        cut.push('…');
        cut
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_reason_drops_only_credentials() {
        let url = "Get https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/x/y?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKE%2F20191103&X-Amz-Signature=5f1ee7c0ffee&X-A";
        assert_eq!(
            scrub_reason(url, 1024),
            "Get https://prod-us-east-1-starport-layer-bucket.s3.amazonaws.com/x/y?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=(redacted)&X-Amz-Signature=(redacted)&X-A"
        );
        assert_eq!(
            scrub_reason(
                "manifest for nginx:0f6b3cdf5e24f0da3dd932acd84fd90e9786a522 not found; key AKIAIOSFODNN7EXAMPLE.",
                1024
            ),
            "manifest for nginx:0f6b3cdf5e24f0da3dd932acd84fd90e9786a522 not found; key (redacted)."
        );
        assert_eq!(scrub_reason("a\u{1b}[2Jb\nc", 200), "a [2Jb c");
    }

    #[test]
    fn scrub_keeps_words_and_drops_tokens() {
        assert_eq!(
            scrub("CredentialsV2Request: Credentials not found", 200),
            "CredentialsV2Request: Credentials not found"
        );
        assert_eq!(
            scrub(
                "token IQoJb3JpZ2luX2VjEHkaCXVzLWVhc3QtMSJHMEUCIQ and\n\x1b[2Jmore",
                200
            ),
            "token (redacted) and [2Jmore"
        );
        assert_eq!(
            scrub(
                "key ASIAIOSFODNN7EXAMPLE; id 52b19262-e7aa-4f56-a1cd-b958dcde8f3b",
                200
            ),
            "key (redacted); id (redacted)"
        );
        assert_eq!(scrub("a\u{1b}[2Jb\nc", 200), "a [2Jb c");
        assert_eq!(scrub(&"word ".repeat(100), 12), "word word wo…");
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("QVdTOnBhc3N3b3Jk".to_string());
        assert_eq!(format!("{s:?}"), "(redacted)");
        assert_eq!(format!("{s}"), "(redacted)");
        assert_eq!(
            serde_json::to_string(&s).ok().as_deref(),
            Some("\"(redacted)\"")
        );
        assert_eq!(s.expose(), "QVdTOnBhc3N3b3Jk");
    }
}
