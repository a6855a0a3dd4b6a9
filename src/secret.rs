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

/// Drop the query string and any user info from a URL, keeping scheme, host, port and
/// path: presigned S3 URLs carry `X-Amz-Signature`, `X-Amz-Credential` and
/// `X-Amz-Security-Token` in the query, proxies may carry passwords in the user info.
/// Parsed with the probe's one URL parser; a value that does not parse is not shown.
pub fn redact_url(url: &str) -> String {
    crate::net::url::redact(url)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn redact_url_drops_query_and_userinfo() {
        let u = "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a/b?X-Amz-Security-Token=SECRET&X-Amz-Signature=abc";
        assert_eq!(
            redact_url(u),
            "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a/b"
        );
        assert_eq!(redact_url("http://user:pw@proxy:3128"), "http://proxy:3128");
        assert_eq!(
            redact_url("http://proxy:3128/x#frag"),
            "http://proxy:3128/x"
        );
        assert!(!redact_url(u).contains("SECRET"));
        assert_eq!(
            redact_url("http://user:p/w#?@proxy:3128"),
            "http://proxy:3128"
        );
        assert_eq!(redact_url("https://h/ x?SECRET"), "<unparseable URL>");
    }
}
