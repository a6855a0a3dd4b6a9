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
}
