//! The one URL type of the probe: every https URL it builds, reads from the
//! configuration or gets back in a `Location` header is an [`HttpsUrl`].
//!
//! Built on `http::Uri` (what hyper and hyper-util's proxy matcher consume) rather than
//! the `url` crate: RFC 3986 parsing is strict (no WHATWG repairs of backslashes, tabs
//! or missing slashes, which a probe judging redirect targets must not make), and it
//! adds no dependency. On top of it: host validation, lower-casing, IPv6 literals kept
//! bracketed, no user info, and reference resolution for relative `Location`s.

use std::fmt;
use std::net::Ipv6Addr;

use http::Uri;

/// What may be shown of a value that does not parse as a URL: nothing of it.
pub const UNPARSEABLE: &str = "<unparseable URL>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    NotHttps,
    UserInfo,
    Host,
    Port,
    Invalid,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::NotHttps => "the URL must start with https://",
            UrlError::UserInfo => "the URL must not carry user info (user:password@)",
            UrlError::Host => "expected https://host[:port]",
            UrlError::Port => "invalid port",
            UrlError::Invalid => "not a valid URL",
        })
    }
}

impl std::error::Error for UrlError {}

/// Scheme, host and port: what decides whether credentials may be sent along.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    host: String,
    port: u16,
}

impl Origin {
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "https://{}",
            authority("https", &self.host, Some(self.port))
        )
    }
}

/// An absolute https URL without user info, host lower-cased. The fragment is dropped:
/// it is never sent.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpsUrl {
    origin: Origin,
    /// As written: empty when the URL had no path (`https://host`).
    path: String,
    query: Option<String>,
}

/// Presigned URLs carry their signature in the query: `Debug` shows only [`HttpsUrl::display`].
impl fmt::Debug for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpsUrl({})", self.display())
    }
}

impl HttpsUrl {
    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let parts = split(raw.trim())?;
        if parts.scheme != "https" {
            return Err(UrlError::NotHttps);
        }
        // An `@` before the query is user info whose password held a `/`, `?` or `#`
        // (the authority then ends early and the rest of the password looks like a
        // path): refused, so no part of it is shown or sent.
        let before_query = raw.split(['?', '#']).next().unwrap_or_default();
        if parts.userinfo || before_query.contains('@') {
            return Err(UrlError::UserInfo);
        }
        Ok(HttpsUrl {
            origin: Origin {
                host: parts.host,
                port: parts.port.unwrap_or(443),
            },
            path: parts.path,
            query: parts.query,
        })
    }

    /// A URL from parts the configuration already validated (a target's host and port,
    /// a path the hop built). Not re-validated here: a bad value fails when sent, as an
    /// `HttpError`, like any other unreachable host.
    pub fn new(host: &str, port: u16, path_and_query: &str) -> Self {
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (path_and_query, None),
        };
        HttpsUrl {
            origin: Origin {
                host: host.to_ascii_lowercase(),
                port,
            },
            path: path.to_string(),
            query,
        }
    }

    /// The host to resolve and to name in SNI: lower-case, IPv6 without brackets.
    pub fn host(&self) -> &str {
        &self.origin.host
    }

    pub fn port(&self) -> u16 {
        self.origin.port
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The `Host` header: host (IPv6 bracketed), and the port unless it is 443.
    pub fn host_header(&self) -> String {
        authority("https", &self.origin.host, Some(self.origin.port))
    }

    /// The request target of the request line: path (at least `/`) and query.
    pub fn path_and_query(&self) -> String {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        match &self.query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        }
    }

    /// The URL without query: what may appear in a report.
    pub fn display(&self) -> String {
        format!("{}{}", self.origin, self.path)
    }

    /// Resolve a `Location` (absolute, scheme-relative, absolute-path, relative-path or
    /// query-only, RFC 3986 §5.2) against this URL. The result is again an https URL
    /// without user info, or an error: an `http://` target is an error, not a URL.
    pub fn resolve(&self, location: &str) -> Result<HttpsUrl, UrlError> {
        let loc = location.trim();
        let loc = loc.split('#').next().unwrap_or_default();
        let absolute = if has_scheme(loc) {
            loc.to_string()
        } else if loc.starts_with("//") {
            format!("https:{loc}")
        } else if loc.is_empty() {
            format!("{}{}", self.origin, self.path_and_query())
        } else if let Some(query) = loc.strip_prefix('?') {
            let path = if self.path.is_empty() {
                "/"
            } else {
                &self.path
            };
            format!("{}{path}?{query}", self.origin)
        } else {
            let (path, query) = match loc.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (loc, None),
            };
            let merged = if path.starts_with('/') {
                path.to_string()
            } else {
                let base = self.path.rsplit_once('/').map_or("", |(dir, _)| dir);
                format!("{base}/{path}")
            };
            let path = remove_dot_segments(&merged);
            match query {
                Some(q) => format!("{}{path}?{q}", self.origin),
                None => format!("{}{path}", self.origin),
            }
        };
        HttpsUrl::parse(&absolute)
    }

    /// For APIs that take an `http::Uri` (the proxy matcher).
    pub fn to_uri(&self) -> Result<Uri, UrlError> {
        format!("{}{}", self.origin, self.path_and_query())
            .parse()
            .map_err(|_| UrlError::Invalid)
    }
}

/// The value with user info, query and fragment removed, for messages and reports:
/// presigned S3 URLs carry `X-Amz-Signature` and `X-Amz-Security-Token` in the query,
/// proxy variables carry passwords in the user info. Any scheme, and none: proxy
/// variables are often written `user:pw@proxy:3128`. What does not parse is not shown.
pub fn redact(raw: &str) -> String {
    match lenient(raw) {
        Some((Some(_), parts)) => parts.display(),
        Some((None, parts)) => {
            let shown = parts.display();
            shown
                .strip_prefix("http://")
                .map(str::to_string)
                .unwrap_or(shown)
        }
        None => UNPARSEABLE.to_string(),
    }
}

/// The host of a URL of any scheme, user info ignored (foreign layers' `urls`).
pub fn host_of(raw: &str) -> Option<String> {
    lenient(raw).map(|(_, p)| p.host)
}

/// Parse after cutting everything up to the last `@`: a password may contain `/`, `?`
/// or `#` (users do not percent-encode them), so any `@` may end the user info. An
/// `@` in a path or query then cuts the shown URL short, which is harmless; showing a
/// piece of a password would not be. Returns the scheme as written, if any.
fn lenient(raw: &str) -> Option<(Option<String>, Parts)> {
    let raw = raw.trim();
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, raw),
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
    let parts = split(&format!("{}://{rest}", scheme.as_deref().unwrap_or("http"))).ok()?;
    Some((scheme, parts))
}

struct Parts {
    scheme: String,
    userinfo: bool,
    host: String,
    /// As written; `None` when the URL names none.
    port: Option<u16>,
    path: String,
    query: Option<String>,
}

impl Parts {
    fn display(&self) -> String {
        let authority = authority(&self.scheme, &self.host, self.port);
        format!("{}://{authority}{}", self.scheme, self.path)
    }
}

fn split(raw: &str) -> Result<Parts, UrlError> {
    if !raw.contains("://") {
        return Err(UrlError::NotHttps);
    }
    let uri: Uri = raw.parse().map_err(|_| UrlError::Invalid)?;
    let scheme = uri
        .scheme_str()
        .ok_or(UrlError::NotHttps)?
        .to_ascii_lowercase();
    let auth = uri.authority().ok_or(UrlError::Host)?;
    let (userinfo, host_port) = match auth.as_str().rsplit_once('@') {
        Some((_, hp)) => (true, hp),
        None => (false, auth.as_str()),
    };
    let host = auth.host();
    let port = match host_port[host.len()..].strip_prefix(':') {
        Some(_) => Some(auth.port_u16().ok_or(UrlError::Port)?),
        None => None,
    };
    let host = valid_host(host).ok_or(UrlError::Host)?;
    // `http::Uri` reports `/` for a URL without a path; the report shows it as written.
    let after_authority = raw
        .find("://")
        .map(|i| &raw[i + 3 + auth.as_str().len()..])
        .unwrap_or_default();
    let path = if after_authority.starts_with('/') {
        uri.path().to_string()
    } else {
        String::new()
    };
    Ok(Parts {
        scheme,
        userinfo,
        host,
        port,
        path,
        query: uri.query().map(str::to_string),
    })
}

/// A DNS name (RFC 1123 labels: 1 to 63 letters, digits or `-`, not at either end;
/// at most 253 characters) or an IP literal, lower-cased; IPv6 without its brackets.
pub fn valid_host(host: &str) -> Option<String> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|_| inner.to_ascii_lowercase());
    }
    let label = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let ok = host.len() <= 253 && host.split('.').all(label);
    ok.then(|| host.to_ascii_lowercase())
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// `host[:port]`, the port left out when it is the scheme's default.
fn authority(scheme: &str, host: &str, port: Option<u16>) -> String {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    match port {
        Some(port) if default_port(scheme) != Some(port) => format!("{host}:{port}"),
        _ => host,
    }
}

/// RFC 3986 §3.1: a scheme is a letter, then letters, digits, `+`, `-` or `.`, then `:`.
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// RFC 3986 §5.2.4, for a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => {
                out.push(s);
                continue;
            }
        }
        // A trailing `.` or `..` names the directory: keep the slash.
        if last {
            out.push("");
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> HttpsUrl {
        HttpsUrl::parse(s).unwrap()
    }

    #[test]
    fn parses_https_urls() {
        let u = url("https://Bucket.s3.us-east-1.amazonaws.com/a/b?X-Amz-Signature=1");
        assert_eq!(u.host(), "bucket.s3.us-east-1.amazonaws.com");
        assert_eq!(u.port(), 443);
        assert_eq!(u.path_and_query(), "/a/b?X-Amz-Signature=1");
        assert_eq!(u.display(), "https://bucket.s3.us-east-1.amazonaws.com/a/b");
        let u = url("https://h:8443");
        assert_eq!((u.host(), u.port()), ("h", 8443));
        assert_eq!(u.path_and_query(), "/");
        assert_eq!(u.display(), "https://h:8443");
        assert_eq!(u.host_header(), "h:8443");
        assert_eq!(
            url("HTTPS://H.example:443/").display(),
            "https://h.example/"
        );
    }

    #[test]
    fn query_and_fragment_never_reach_the_host() {
        let u = url("https://h.example?X-Amz-Signature=SECRET");
        assert_eq!(u.host(), "h.example");
        assert_eq!(u.path_and_query(), "/?X-Amz-Signature=SECRET");
        assert_eq!(u.display(), "https://h.example");
        let u = url("https://h.example/x#frag");
        assert_eq!(u.path_and_query(), "/x");
        assert_eq!(u.display(), "https://h.example/x");
    }

    #[test]
    fn ipv6_literals_stay_bracketed() {
        let u = url("https://[::1]:8443");
        assert_eq!(u.host(), "::1");
        assert_eq!(u.port(), 8443);
        assert_eq!(u.origin().to_string(), "https://[::1]:8443");
        assert_eq!(u.host_header(), "[::1]:8443");
        assert_eq!(u.display(), "https://[::1]:8443");
        let u = url("https://[FE80::1]/v2/");
        assert_eq!(u.host(), "fe80::1");
        assert_eq!(u.display(), "https://[fe80::1]/v2/");
        assert_eq!(u.host_header(), "[fe80::1]");
        let built = HttpsUrl::new("[::1]", 443, "/v2/");
        assert_eq!(built.host(), "::1");
        assert_eq!(built.display(), "https://[::1]/v2/");
        assert_eq!(HttpsUrl::parse("https://[::1/"), Err(UrlError::Invalid));
        assert_eq!(HttpsUrl::parse("https://[not-v6]/"), Err(UrlError::Host));
    }

    #[test]
    fn rejects_what_is_not_a_plain_https_url() {
        for (raw, why) in [
            ("http://h/", UrlError::NotHttps),
            ("ftp://h/", UrlError::NotHttps),
            ("h.example/x", UrlError::NotHttps),
            ("https://u:p@h/", UrlError::UserInfo),
            ("https://u@h/", UrlError::UserInfo),
            ("https://", UrlError::Invalid),
            ("https://bad host/", UrlError::Invalid),
            ("https://:443/", UrlError::Host),
            ("https://a_b.example/", UrlError::Host),
            ("https://-h.example/", UrlError::Host),
            ("https://h:99999/", UrlError::Port),
            ("https://h:/x", UrlError::Port),
            ("https://h:x/", UrlError::Port),
            ("https://u:1/pw@s3.example/p", UrlError::UserInfo),
            ("https://a..b/", UrlError::Host),
            ("https://h-.example/", UrlError::Host),
            ("https://::1", UrlError::Invalid),
        ] {
            assert_eq!(HttpsUrl::parse(raw), Err(why), "{raw}");
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            url("https://H.example/a").origin(),
            url("https://h.example:443/b?x").origin()
        );
        assert_ne!(
            url("https://h.example/").origin(),
            url("https://h.example:8443/").origin()
        );
        assert_ne!(
            url("https://h.example/").origin(),
            url("https://s3.example/").origin()
        );
    }

    #[test]
    fn resolves_locations() {
        let base = url("https://reg.example:8443/v2/repo/blobs/sha256:1?x=1");
        let reg = "https://reg.example:8443";
        for (location, want) in [
            ("/blob?x=1", format!("{reg}/blob?x=1")),
            (
                "https://B.s3.example/p?X-Amz-Signature=s",
                "https://b.s3.example/p?X-Amz-Signature=s".into(),
            ),
            ("//s3.example/p", "https://s3.example/p".into()),
            ("other", format!("{reg}/v2/repo/blobs/other")),
            ("../manifests/t", format!("{reg}/v2/repo/manifests/t")),
            ("../../../../x", format!("{reg}/x")),
            ("./", format!("{reg}/v2/repo/blobs/")),
            ("?y=2", format!("{reg}/v2/repo/blobs/sha256:1?y=2")),
            ("#f", format!("{reg}/v2/repo/blobs/sha256:1?x=1")),
        ] {
            let got = base
                .resolve(location)
                .map(|u| format!("{}{}", u.origin(), u.path_and_query()));
            assert_eq!(got, Ok(want), "{location}");
        }
        for (location, why) in [
            ("http://s3.example/p", UrlError::NotHttps),
            ("https://u:p@s3.example/p", UrlError::UserInfo),
            ("//u:p@s3.example/p", UrlError::UserInfo),
            ("javascript:alert(1)", UrlError::NotHttps),
            ("/a b", UrlError::Invalid),
        ] {
            assert_eq!(base.resolve(location), Err(why), "{location}");
        }
        let v6 = url("https://[::1]:8443/v2/x");
        assert_eq!(
            v6.resolve("/y").map(|u| u.display()).as_deref(),
            Ok("https://[::1]:8443/y")
        );
    }

    #[test]
    fn debug_hides_the_query() {
        let u = url("https://h.example/p?X-Amz-Signature=SECRET");
        assert_eq!(format!("{u:?}"), "HttpsUrl(https://h.example/p)");
    }

    #[test]
    fn redaction() {
        // The common cases are in `redact_drops_query_and_userinfo`.
        assert_eq!(redact("user:pw@proxy:3128"), "proxy:3128");
        assert_eq!(
            redact("socks5h://user:pw@proxy:1080"),
            "socks5h://proxy:1080"
        );
        assert_eq!(redact("https://[::1]:8443/p?q"), "https://[::1]:8443/p");
        // Passwords with the characters that end an authority.
        for raw in [
            "http://user:pa/ss@proxy:3128",
            "http://user:pa#ss@proxy:3128",
            "http://user:pa?ss@proxy:3128",
            "http://user:12/ss@proxy:3128",
            "http://user:p@ss@proxy:3128",
        ] {
            assert_eq!(redact(raw), "http://proxy:3128", "{raw}");
        }
        for raw in [
            "https://bad host/?sig=SECRET",
            "https://user:SECRET@",
            "::::",
            "https://[::1/SECRET",
        ] {
            assert_eq!(redact(raw), UNPARSEABLE, "{raw}");
        }
        assert_eq!(
            host_of("https://u:p@MCR.microsoft.com/v2/x"),
            Some("mcr.microsoft.com".into())
        );
    }

    #[test]
    fn dot_segments() {
        assert_eq!(remove_dot_segments("/a/b/../c"), "/a/c");
        assert_eq!(remove_dot_segments("/a/b/"), "/a/b/");
        assert_eq!(remove_dot_segments("/a/.."), "/");
        assert_eq!(remove_dot_segments("/.."), "/");
        assert_eq!(remove_dot_segments("/a/./b"), "/a/b");
    }

    #[test]
    fn redact_drops_query_and_userinfo() {
        let u = "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a/b?X-Amz-Security-Token=SECRET&X-Amz-Signature=abc";
        assert_eq!(
            redact(u),
            "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a/b"
        );
        assert_eq!(redact("http://user:pw@proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("http://proxy:3128/x#frag"), "http://proxy:3128/x");
        assert!(!redact(u).contains("SECRET"));
        assert_eq!(redact("http://user:p/w#?@proxy:3128"), "http://proxy:3128");
        assert_eq!(redact("https://h/ x?SECRET"), "<unparseable URL>");
    }
}
