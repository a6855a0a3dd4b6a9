//! What `net/` measures, in the report's terms: durations become the wire's `_ms`
//! numbers, certificates the wire's `Certificate`.

use std::time::Duration;

use crate::net::http::Timings as NetTimings;
use crate::net::tls::CertificateInfo;
use crate::report::wire::{Certificate, Timings};

/// Milliseconds with microsecond precision, the unit of every `_ms` field.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

impl From<&NetTimings> for Timings {
    fn from(t: &NetTimings) -> Self {
        Timings {
            dns_ms: t.dns.map(ms),
            connect_ms: t.connect.map(ms),
            tls_ms: t.tls.map(ms),
            ttfb_ms: t.ttfb.map(ms),
            body_ms: t.body.map(ms),
            reused_connection: t.reused.then_some(true),
        }
    }
}

impl From<&CertificateInfo> for Certificate {
    fn from(c: &CertificateInfo) -> Self {
        Certificate {
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            dns_names: c.dns_names.clone(),
            not_before: c.not_before.clone(),
            not_after: c.not_after.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_round_to_microseconds_and_keep_absent_phases_absent() {
        let t = NetTimings {
            dns: None,
            connect: Some(Duration::from_nanos(1_234_567)),
            tls: Some(Duration::from_nanos(1_500)),
            ttfb: Some(Duration::ZERO),
            body: None,
            reused: false,
        };
        let w = Timings::from(&t);
        assert_eq!(w.dns_ms, None);
        assert_eq!(w.connect_ms, Some(1.235));
        assert_eq!(w.tls_ms, Some(0.002));
        assert_eq!(w.ttfb_ms, Some(0.0));
        assert_eq!(
            serde_json::to_string(&w).ok().as_deref(),
            Some(r#"{"connect_ms":1.235,"tls_ms":0.002,"ttfb_ms":0.0}"#)
        );
    }
}
