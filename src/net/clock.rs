//! The server's clock against ours: every AWS answer carries a `Date` header (RFC 9110
//! IMF-fixdate, "Tue, 01 Dec 2026 10:00:00 GMT"), and SigV4 refuses requests whose time
//! is too far from AWS's (docs/aws-facts.md#sigv4-clock-skew). Comparing the two tells a
//! skewed clock from a denied request before the user chases policies.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::macros::format_description;

/// `date` minus `now`, in milliseconds (positive: the server is ahead). `None` for a
/// value that is not an IMF-fixdate: the header is the server's word, not ours.
pub fn skew_ms(date: &str, now: SystemTime) -> Option<i64> {
    let server = parse_http_date(date)?;
    let local = OffsetDateTime::from(now);
    let ms = (server - local).whole_milliseconds();
    i64::try_from(ms).ok()
}

/// [`skew_ms`] against the clock now, for an optional header.
pub fn skew_now(date: Option<&str>) -> Option<i64> {
    skew_ms(date?, SystemTime::now())
}

fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let fmt = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let s = s.trim();
    // Bounded input: a date is 29 bytes; anything much longer is not one.
    if s.len() > 64 {
        return None;
    }
    time::PrimitiveDateTime::parse(s, fmt)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reads_aws_dates_and_signs_the_skew() {
        // 2026-12-01T10:00:00Z
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_119_200);
        assert_eq!(skew_ms("Tue, 01 Dec 2026 10:00:00 GMT", now), Some(0));
        assert_eq!(skew_ms("Tue, 01 Dec 2026 10:07:30 GMT", now), Some(450_000));
        assert_eq!(skew_ms("Tue, 01 Dec 2026 09:59:59 GMT", now), Some(-1000));
        assert_eq!(skew_ms("yesterday", now), None);
        assert_eq!(skew_ms(&"x".repeat(10_000), now), None);
    }
}
