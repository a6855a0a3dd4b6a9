//! The server's clock against ours: every AWS answer carries a `Date` header, and SigV4
//! refuses requests whose time is too far from AWS's (docs/aws-facts.md#sigv4-clock-skew).
//! Comparing the two tells a skewed clock from a denied request before the user chases
//! policies.
//!
//! The header is the server's word, and whoever answers may be a proxy or a hostile
//! server: only a whole HTTP-date of RFC 7231 §7.1.1.1 is read (the IMF-fixdate AWS
//! sends, and the two obsolete forms a recipient must accept), its weekday checked
//! against its date, nothing cut or guessed. Anything else is no date at all, so no
//! skew. Whether a skew is worth a warning is decided over the whole run
//! (`hop::judge_clock`): never from one odd header alone.

use std::time::SystemTime;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// The longest HTTP-date (RFC 850 with "Wednesday"); with the optional white space
/// around a header value, anything longer is not one.
pub const MAX_DATE_LEN: usize = 64;

/// `date` minus `now`, in milliseconds (positive: the server is ahead). `None` for a
/// value that is not an RFC 7231 HTTP-date.
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

/// A `Date` header value kept for later: whole, or not at all (a value longer than any
/// HTTP-date is not one, and a cut one could become another date).
pub fn keep(value: &str) -> Option<String> {
    (value.len() <= MAX_DATE_LEN).then(|| value.to_string())
}

/// An RFC 7231 HTTP-date, in UTC: `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate),
/// `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850), `Sun Nov  6 08:49:37 1994` (asctime).
/// Header white space (SP, HTAB) around it is allowed; nothing else.
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    if s.len() > MAX_DATE_LEN {
        return None;
    }
    let s = s.trim_matches(|c| c == ' ' || c == '\t');
    if !s.is_ascii() {
        return None;
    }
    imf_fixdate(s).or_else(|| rfc850(s)).or_else(|| asctime(s))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`: exactly 29 bytes.
fn imf_fixdate(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 29 || &s[3..5] != ", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' {
        return None;
    }
    if &s[25..] != " GMT" {
        return None;
    }
    let weekday = short_weekday(&s[..3])?;
    let day = digits(&s[5..7])?;
    let month = month(&s[8..11])?;
    let year = i32::try_from(digits(&s[12..16])?).ok()?;
    let time = time_of_day(&s[17..25])?;
    assemble(weekday, year, month, day, time)
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`: a two-digit year, read as RFC 7231 says: the
/// most recent year with those digits that is not more than 50 years in the future.
fn rfc850(s: &str) -> Option<OffsetDateTime> {
    let (day_name, rest) = s.split_once(", ")?;
    let weekday = long_weekday(day_name)?;
    let b = rest.as_bytes();
    if b.len() != 22 || b[2] != b'-' || b[6] != b'-' || b[9] != b' ' || &rest[18..] != " GMT" {
        return None;
    }
    let day = digits(&rest[..2])?;
    let month = month(&rest[3..6])?;
    let yy = i32::try_from(digits(&rest[7..9])?).ok()?;
    let time = time_of_day(&rest[10..18])?;
    let this_year = OffsetDateTime::now_utc().year();
    let mut year = this_year - this_year.rem_euclid(100) + yy;
    if year > this_year + 50 {
        year -= 100;
    }
    assemble(weekday, year, month, day, time)
}

/// `Sun Nov  6 08:49:37 1994`: the day is space-padded to two characters.
fn asctime(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 24 || b[3] != b' ' || b[7] != b' ' || b[10] != b' ' || b[19] != b' ' {
        return None;
    }
    let weekday = short_weekday(&s[..3])?;
    let month = month(&s[4..7])?;
    let day = match &s[8..10] {
        d if d.starts_with(' ') => digits(&d[1..])?,
        d => digits(d)?,
    };
    let time = time_of_day(&s[11..19])?;
    let year = i32::try_from(digits(&s[20..24])?).ok()?;
    assemble(weekday, year, month, day, time)
}

/// The date, if it exists and its weekday is the one written (a date whose weekday
/// is wrong is not a date any HTTP server sends).
fn assemble(
    weekday: Weekday,
    year: i32,
    month: Month,
    day: u32,
    (h, m, sec): (u8, u8, u8),
) -> Option<OffsetDateTime> {
    // A server with a Date before the Unix epoch is not a server's clock.
    if year < 1970 {
        return None;
    }
    let date = Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    if date.weekday() != weekday {
        return None;
    }
    // RFC 7231 allows second 60 (a leap second): the next instant, one second on.
    let leap = sec == 60;
    let time = Time::from_hms(h, m, if leap { 59 } else { sec }).ok()?;
    let at = PrimitiveDateTime::new(date, time).assume_utc();
    Some(if leap {
        at + time::Duration::seconds(1)
    } else {
        at
    })
}

/// `08:49:37`: hour 00-23, minute 00-59, second 00-60.
fn time_of_day(s: &str) -> Option<(u8, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let h = u8::try_from(digits(&s[..2])?).ok()?;
    let m = u8::try_from(digits(&s[3..5])?).ok()?;
    let sec = u8::try_from(digits(&s[6..])?).ok()?;
    (h < 24 && m < 60 && sec <= 60).then_some((h, m, sec))
}

/// A run of ASCII digits only (no sign, no space), as a number.
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

const MONTHS: [(&str, Month); 12] = [
    ("Jan", Month::January),
    ("Feb", Month::February),
    ("Mar", Month::March),
    ("Apr", Month::April),
    ("May", Month::May),
    ("Jun", Month::June),
    ("Jul", Month::July),
    ("Aug", Month::August),
    ("Sep", Month::September),
    ("Oct", Month::October),
    ("Nov", Month::November),
    ("Dec", Month::December),
];

/// RFC 7231 names are case-sensitive.
fn month(s: &str) -> Option<Month> {
    MONTHS.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
}

const WEEKDAYS: [(&str, &str, Weekday); 7] = [
    ("Mon", "Monday", Weekday::Monday),
    ("Tue", "Tuesday", Weekday::Tuesday),
    ("Wed", "Wednesday", Weekday::Wednesday),
    ("Thu", "Thursday", Weekday::Thursday),
    ("Fri", "Friday", Weekday::Friday),
    ("Sat", "Saturday", Weekday::Saturday),
    ("Sun", "Sunday", Weekday::Sunday),
];

fn short_weekday(s: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(n, _, _)| *n == s).map(|w| w.2)
}

fn long_weekday(s: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(_, n, _)| *n == s).map(|w| w.2)
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

    #[test]
    fn the_three_forms_and_nothing_else() {
        let at = |s: &str| parse_http_date(s).map(|d| d.unix_timestamp());
        let t = Some(784_111_777);
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT"), t);
        assert_eq!(at("Sun Nov  6 08:49:37 1994"), t);
        assert_eq!(at(" Sun, 06 Nov 1994 08:49:37 GMT\t"), t);
        assert_eq!(at("Tuesday, 01-Dec-26 10:00:00 GMT"), Some(1_796_119_200));
        // The two: a negative year, and a good date with junk after it.
        assert_eq!(at("Sun, 06 Dec -2026 10:00:00 GMT"), None);
        assert_eq!(
            at(&format!(
                "Tue, 01 Dec 2026 10:00:00 GMT{}junk",
                " ".repeat(40)
            )),
            None
        );
        for bad in [
            "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Thu, 01 Jan 1970 00:00:0  GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "",
        ] {
            assert_eq!(at(bad), None, "{bad:?}");
        }
        assert_eq!(keep(&"x".repeat(65)), None);
    }
}
