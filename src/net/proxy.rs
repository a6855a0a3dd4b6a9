//! Would a client honouring the proxy variables send an https request to this host
//! through the proxy? Answered by hyper-util's matcher (curl's NO_PROXY rules,
//! including IP addresses and CIDRs), fed explicit values: the probe reports what the
//! configuration says, and never reads the process environment here.

use hyper_util::client::proxy::matcher::Matcher;

use crate::net::url::HttpsUrl;

/// `https_proxy` is the value of HTTPS_PROXY, `no_proxy` that of NO_PROXY.
pub fn would_proxy(https_proxy: Option<&str>, no_proxy: Option<&str>, host: &str) -> bool {
    let Some(proxy) = https_proxy else {
        return false;
    };
    let matcher = Matcher::builder()
        .https(proxy.to_string())
        .no(no_proxy.unwrap_or_default().to_string())
        .build();
    HttpsUrl::new(host, 443, "/")
        .to_uri()
        .is_ok_and(|uri| matcher.intercept(&uri).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: Option<&str> = Some("http://proxy.internal:3128");

    fn bypasses(no_proxy: &str, host: &str) -> bool {
        !would_proxy(PROXY, Some(no_proxy), host)
    }

    #[test]
    fn no_proxy_rules() {
        assert!(bypasses("*", "anything"));
        assert!(bypasses(
            "localhost,.amazonaws.com",
            "api.ecr.us-east-1.amazonaws.com"
        ));
        assert!(bypasses("amazonaws.com", "s3.us-east-1.amazonaws.com"));
        assert!(bypasses("AMAZONAWS.com", "s3.us-east-1.amazonaws.com"));
        assert!(bypasses(
            "169.254.170.2, s3.us-east-1.amazonaws.com",
            "s3.us-east-1.amazonaws.com"
        ));
        assert!(!bypasses("example.com", "api.ecr.us-east-1.amazonaws.com"));
        assert!(!bypasses("zonaws.com", "api.ecr.us-east-1.amazonaws.com"));
        // IP literals and CIDRs, which the hand-made matcher did not know.
        assert!(bypasses("10.0.0.0/16", "10.0.3.7"));
        assert!(!bypasses("10.0.0.0/16", "10.1.3.7"));
        assert!(bypasses("::1", "::1"));
        assert!(bypasses("fd00::/8", "fd00::53"));
        // curl's rules: only a lone `*` is a wildcard, and an entry has no port.
        assert!(!bypasses("*.amazonaws.com", "s3.us-east-1.amazonaws.com"));
        assert!(!bypasses(
            "s3.us-east-1.amazonaws.com:443",
            "s3.us-east-1.amazonaws.com"
        ));
    }

    #[test]
    fn without_a_usable_https_proxy_nothing_is_proxied() {
        assert!(!would_proxy(None, None, "s3.us-east-1.amazonaws.com"));
        assert!(would_proxy(PROXY, None, "s3.us-east-1.amazonaws.com"));
        assert!(would_proxy(
            Some("user:pw@proxy.internal:3128"),
            None,
            "s3.us-east-1.amazonaws.com"
        ));
        assert!(!would_proxy(
            Some("ftp://proxy.internal:21"),
            None,
            "s3.us-east-1.amazonaws.com"
        ));
    }
}
