//! Property tests of every parser that reads bytes the probe does not control: image
//! references, manifests and indexes, registry and S3 error bodies, AccessDenied
//! messages, `WWW-Authenticate`, URLs and their redaction, task metadata, and the
//! renderers' text handling. Each must never panic and stay bounded on any input, and
//! keep its promise where it makes one (a redacted URL holds no password, a parsed
//! reference prints back to itself, cleaned text holds no control character).
//!
//! Case counts are modest (the suite runs on 2 cores); a failing case is printed
//! shrunk, and can be pinned as a unit test next to the parser.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use vpce_probe::image_ref::ImageRef;
use vpce_probe::net::registry::{self, ManifestDoc, Platform};
use vpce_probe::net::url::{HttpsUrl, UNPARSEABLE, redact};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text a hostile server or a typo could produce: any Unicode, weighted towards the
/// characters that delimit URLs, references and JSON.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    let delimiter = prop::sample::select(vec![
        ":",
        "/",
        "@",
        "?",
        "#",
        "[",
        "]",
        ".",
        "-",
        "_",
        "%",
        "\"",
        "\\",
        "{",
        "}",
        ",",
        " ",
        "\n",
        "\r",
        "\t",
        "\u{1b}",
        "\u{0}",
        "\u{9b}",
        "\u{202e}",
        "é",
        "€",
        "𝄞",
        "sha256:",
        "https://",
        "realm=",
        "<Code>",
        "</Code>",
        "perform: ",
    ])
    .prop_map(str::to_string);
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        "[a-z0-9]{1,8}",
        delimiter
    ];
    prop::collection::vec(piece, 0..max).prop_map(|v| v.concat())
}

/// Arbitrary JSON up to a small depth.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        hostile_text(12).prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop::sample::select(vec![
            "schemaVersion",
            "mediaType",
            "manifests",
            "layers",
            "config",
            "digest",
            "size",
            "urls",
            "platform",
            "os",
            "architecture",
            "variant",
            "errors",
            "code",
            "message",
            "Image",
            "ImageID",
            "Name",
            "Networks",
            "IPv4Addresses",
            "IPv4SubnetCIDRBlock",
            "DomainNameServers",
            "TaskARN",
            "Cluster",
            "AvailabilityZone",
            "LaunchType",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(config(256))]

    // ---------------------------------------------------------------- image references

    #[test]
    fn image_references_never_panic_and_print_back_to_themselves(s in hostile_text(40)) {
        if let Ok(r) = ImageRef::parse(&s) {
            let again = ImageRef::parse(&r.to_string()).unwrap();
            prop_assert_eq!(&again, &r);
            prop_assert!(vpce_probe::net::url::valid_host(&r.host).is_some() || r.host.contains(':'));
            if let vpce_probe::image_ref::Reference::Digest(d) = &r.reference {
                prop_assert!(vpce_probe::image_ref::is_sha256_digest(d));
            }
        }
    }

    #[test]
    fn well_formed_private_references_name_their_account_and_region(
        account in "[0-9]{12}",
        region in "(us|eu|ap)-(east|west|south)-[1-9]",
        repo in "[a-z0-9]{1,8}(/[a-z0-9._-]{1,8}){0,2}",
        tag in "[A-Za-z0-9_][A-Za-z0-9._-]{0,20}",
    ) {
        let s = format!("{account}.dkr.ecr.{region}.amazonaws.com/{repo}:{tag}");
        let r = ImageRef::parse(&s).unwrap();
        prop_assert_eq!(r.account(), Some(account.as_str()));
        prop_assert_eq!(r.region(), Some(region.as_str()));
        prop_assert_eq!(r.repository, repo);
    }

    #[test]
    fn usage_errors_stay_short_whatever_the_reference(s in hostile_text(400)) {
        if let Err(reason) = ImageRef::parse(&s) {
            prop_assert!(reason.chars().count() < 300, "{}", reason);
        }
    }

    // ---------------------------------------------------------------- manifests

    #[test]
    fn manifest_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(doc) = serde_json::from_slice::<ManifestDoc>(&bytes) {
            let _ = doc.is_index("");
        }
    }

    #[test]
    fn manifest_json_never_panics_and_platform_selection_is_total(v in json_value()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        if let Ok(doc) = serde_json::from_slice::<ManifestDoc>(&bytes) {
            let want = Platform { os: "linux".into(), architecture: "amd64".into(), variant: None };
            if let Some(e) = registry::select_platform(&doc.manifests, &want) {
                prop_assert!(doc.manifests.iter().any(|m| std::ptr::eq(m, e)));
            }
            for l in &doc.layers {
                let _ = registry::is_foreign(&l.media_type);
                let _ = registry::is_digest(&l.digest);
            }
            // The sum the manifest hop takes is checked, never wrapped.
            let _ = doc.layers.iter().try_fold(0u64, |a, l| a.checked_add(l.size));
        }
    }

    #[test]
    fn a_digest_that_passes_is_path_safe(s in hostile_text(80)) {
        if registry::is_digest(&s) {
            prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b':'));
        }
    }

    // ---------------------------------------------------------------- error bodies

    #[test]
    fn registry_error_bodies_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), v in json_value()) {
        let _ = registry::parse_error(&bytes);
        let _ = registry::parse_error(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn registry_error_documents_round_trip(code in hostile_text(12), message in hostile_text(40)) {
        let body = serde_json::to_vec(&serde_json::json!({"errors": [{"code": code, "message": message}]})).unwrap();
        prop_assert_eq!(registry::parse_error(&body), Some((code, message)));
    }

    #[test]
    fn s3_error_bodies_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), s in hostile_text(60)) {
        let _ = vpce_probe::hop::layer::parse_s3_error(&bytes);
        let _ = vpce_probe::hop::layer::parse_s3_error(s.as_bytes());
    }

    #[test]
    fn s3_error_documents_round_trip(code in "[A-Za-z]{1,20}", message in "[^<>]{0,40}") {
        let body = format!("<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>");
        let (c, m) = vpce_probe::hop::layer::parse_s3_error(body.as_bytes());
        prop_assert_eq!(c, Some(code));
        prop_assert_eq!(m, Some(message.trim().to_string()));
    }

    // ---------------------------------------------------------------- AccessDenied

    /// The one AccessDenied reader: never panics, and what it reads is in the message.
    #[test]
    fn access_denied_messages_never_panic(s in hostile_text(120)) {
        let d = vpce_probe::denial::read(&s);
        for part in [d.action, d.principal, d.policy_arn].into_iter().flatten() {
            prop_assert!(s.contains(&part), "{part:?} not in {s:?}");
        }
    }

    /// A real AccessDenied shape with hostile parts: the type is still read.
    #[test]
    fn access_denied_shapes_read_the_type(who in "[a-zA-Z0-9:/_-]{1,40}", action in "[a-z]{1,10}:[A-Za-z]{1,20}") {
        let m = format!("User: arn:aws:sts::111122223333:assumed-role/{who} is not authorized to perform: {action} with an explicit deny in a service control policy");
        let d = vpce_probe::denial::read(&m);
        prop_assert_eq!(d.by, vpce_probe::denial::DeniedBy::ServiceControlPolicy);
        prop_assert!(d.is_explicit());
        prop_assert_eq!(d.action.as_deref(), Some(action.as_str()));
    }

    // ---------------------------------------------------------------- explain input

    /// Any text, or any JSON, as `explain` input: no panic, and nothing printed is
    /// longer than the caps or carries a control character.
    #[test]
    fn explain_input_never_panics(s in hostile_text(300)) {
        for e in vpce_probe::explain::explain_input(&s) {
            prop_assert!(e.text.chars().count() <= 1025);
            prop_assert!(!e.text.chars().any(char::is_control));
        }
        let doc = format!("{{\"tasks\":[{{\"taskArn\":\"a/b\",\"stoppedReason\":{},\"containers\":[{{\"name\":\"c\",\"reason\":{}}}]}}]}}",
            serde_json::Value::String(s.clone()), serde_json::Value::String(s.clone()));
        // The two reasons are the same text: explained once, counted twice (issue 20);
        // an empty reason is no reason.
        let read = vpce_probe::explain::explain_input(&doc);
        if s.trim().is_empty() {
            prop_assert_eq!(read.len(), 0);
        } else {
            prop_assert_eq!(read.len(), 1);
            prop_assert_eq!(read[0].count, 2);
        }
    }

    // ---------------------------------------------------------------- WWW-Authenticate

    #[test]
    fn challenges_never_panic_and_the_scheme_is_a_token(s in hostile_text(60)) {
        if let Some(c) = registry::parse_challenge(&s) {
            prop_assert!(!c.scheme.is_empty());
            prop_assert!(c.scheme.chars().all(|ch| ch.is_ascii() && !ch.is_ascii_whitespace() && !ch.is_ascii_uppercase()));
        }
    }

    // ---------------------------------------------------------------- URLs

    #[test]
    fn urls_never_panic_and_a_parsed_one_has_no_user_info(s in hostile_text(60)) {
        if let Ok(u) = HttpsUrl::parse(&s) {
            let shown = u.display();
            prop_assert!(shown.starts_with("https://"));
            prop_assert!(!shown.contains('@'), "{}", shown);
            prop_assert!(!shown.contains('?'), "{}", shown);
            prop_assert!(vpce_probe::net::url::valid_host(u.host()).is_some() || u.host().contains(':'));
        }
        let _ = redact(&s);
        let _ = vpce_probe::net::url::host_of(&s);
    }

    #[test]
    fn locations_resolve_to_https_or_an_error(base in "https://[a-z]{1,8}\\.example(:[0-9]{1,4})?(/[a-z]{0,5}){0,3}", loc in hostile_text(50)) {
        let base = HttpsUrl::parse(&base).unwrap();
        if let Ok(u) = base.resolve(&loc) {
            prop_assert!(u.display().starts_with("https://"));
            prop_assert!(!u.display().contains('@'));
        }
    }

    #[test]
    fn redaction_never_shows_a_password(
        scheme in prop::sample::select(vec!["http://", "https://", "socks5h://", ""]),
        user in "[a-z]{1,6}",
        secret in "[/#?@:!$&'()*+,;=]{0,3}Zq9[A-Z0-9/#?@:]{0,6}",
        host in "[a-z]{1,8}(\\.[a-z]{1,5}){0,2}",
        rest in "(:[0-9]{2,4})?(/[a-z]{0,6})?(\\?[a-z]=[a-z]{0,4})?",
    ) {
        let raw = format!("{scheme}{user}:{secret}@{host}{rest}");
        let shown = redact(&raw);
        prop_assert!(!shown.contains("Zq9"), "{} -> {}", raw, shown);
        prop_assert!(!shown.contains('?'), "{} -> {}", raw, shown);
        prop_assert!(shown == UNPARSEABLE || shown.contains(host.as_str()), "{} -> {}", raw, shown);
    }

    // ---------------------------------------------------------------- task metadata

    #[test]
    fn task_metadata_never_panics(container in prop::collection::vec(any::<u8>(), 0..256), task in json_value()) {
        let task = serde_json::to_vec(&task).unwrap();
        let m = vpce_probe::net::metadata::from_json(&container, &task);
        let _ = m.task_arn.as_deref().and_then(vpce_probe::aws::arn_region);
    }

    #[test]
    fn task_metadata_documents_never_panic(container in json_value(), task in json_value()) {
        let c = serde_json::to_vec(&container).unwrap();
        let t = serde_json::to_vec(&task).unwrap();
        let m = vpce_probe::net::metadata::from_json(&c, &t);
        if let Some(image) = &m.container_image {
            let _ = ImageRef::parse(image);
        }
    }

    #[test]
    fn arns_never_panic(s in hostile_text(60)) {
        if let Some(r) = vpce_probe::aws::arn_region(&s) {
            prop_assert!(s.contains(&r));
        }
    }

    // ---------------------------------------------------------------- flags and variables

    #[test]
    fn option_values_never_panic(s in hostile_text(40)) {
        use vpce_probe::config;
        let _ = config::parse_cidr(&s);
        let _ = config::parse_dns_server(&s);
        let _ = config::parse_size("--max-layer-bytes", &s);
        let _ = config::parse_duration("--timeout", &s);
        let _ = config::validate_region(&s, "--region");
        if let Ok(e) = config::Endpoint::parse(&s) {
            prop_assert!(config::Endpoint::parse(&e.url()).is_ok_and(|again| again == e));
        }
    }

    // ---------------------------------------------------------------- what is shown

    #[test]
    fn cleaned_text_holds_no_control_character(s in hostile_text(80)) {
        let c = vpce_probe::report::text::clean(&s);
        prop_assert!(!c.chars().any(|ch| ch.is_control()), "{:?}", c);
        prop_assert!(!c.contains('\u{202e}'), "{:?}", c);
        let j = vpce_probe::report::text::json_line(&serde_json::to_string(&s).unwrap());
        prop_assert!(!j.chars().any(|ch| ch.is_control()));
        prop_assert_eq!(serde_json::from_str::<String>(&j).unwrap(), s);
    }

    #[test]
    fn fitted_and_wrapped_text_stays_in_its_columns(s in hostile_text(80), n in 0usize..60, width in 20usize..120) {
        let s = vpce_probe::report::text::clean(&s);
        prop_assert!(vpce_probe::report::text::fit(&s, n).chars().count() <= n);
        for line in vpce_probe::report::text::wrap(&s, width, 8, 4) {
            prop_assert!(line.chars().count() + 4 <= width, "{:?}", line);
        }
    }
}

// ------------------------------------------------------------------ issue 20

use vpce_probe::net::clock;
use vpce_probe::report::text;

/// The three RFC 7231 forms of one instant, from its parts.
fn http_dates(secs: i64) -> [String; 3] {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    let wd = t.weekday();
    let short = &wd.to_string()[..3];
    let month = &t.month().to_string()[..3];
    let (d, y, h, m, s) = (t.day(), t.year(), t.hour(), t.minute(), t.second());
    [
        format!("{short}, {d:02} {month} {y:04} {h:02}:{m:02}:{s:02} GMT"),
        format!(
            "{wd}, {d:02}-{month}-{:02} {h:02}:{m:02}:{s:02} GMT",
            y % 100
        ),
        format!("{short} {month} {d:>2} {h:02}:{m:02}:{s:02} {y:04}"),
    ]
}

/// Characters the escape must never let through, and neighbours it must keep.
fn unicode_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\u{0}',
        '\u{7}',
        '\u{8}',
        '\t',
        '\n',
        '\r',
        '\u{1b}',
        '\u{7f}',
        '\u{85}',
        '\u{9b}',
        '\u{ad}',
        '\u{61c}',
        '\u{180e}',
        '\u{200b}',
        '\u{200d}',
        '\u{200e}',
        '\u{200f}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{202e}',
        '\u{2060}',
        '\u{2066}',
        '\u{2069}',
        '\u{feff}',
        '\u{fff9}',
        '\u{e0001}',
        '\u{e007f}',
        'é',
        '€',
        '𝄞',
        ' ',
        '\u{a0}',
    ]);
    prop::collection::vec(prop_oneof![any::<char>(), special], 0..200)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config(512))]

    /// Every instant from 1970 to 9999 reads back from each of its three forms (RFC
    /// 850's two-digit year only within the 50-year window RFC 7231 gives it).
    #[test]
    fn http_dates_read_back_in_every_form(secs in 0i64..253_402_300_799) {
        let [imf, rfc850, asc] = http_dates(secs);
        prop_assert_eq!(clock::parse_http_date(&imf).map(|d| d.unix_timestamp()), Some(secs), "{}", imf);
        prop_assert_eq!(clock::parse_http_date(&asc).map(|d| d.unix_timestamp()), Some(secs), "{}", asc);
        let this_year = time::OffsetDateTime::now_utc().year();
        let year = time::OffsetDateTime::from_unix_timestamp(secs).unwrap().year();
        if (this_year - 49..=this_year + 50).contains(&year) {
            prop_assert_eq!(clock::parse_http_date(&rfc850).map(|d| d.unix_timestamp()), Some(secs), "{}", rfc850);
        }
    }

    /// A date with anything added or cut is no date: no truncation, no sign, no junk.
    #[test]
    fn an_altered_http_date_is_no_date(
        secs in 0i64..4_102_444_800,
        junk in "[^ \t]{1,40}",
        cut in 1usize..28,
        pad in 0usize..80,
    ) {
        let [imf, ..] = http_dates(secs);
        let padded = format!("{imf}{}{junk}", " ".repeat(pad));
        prop_assert_eq!(clock::parse_http_date(&padded), None, "{:?}", padded);
        prop_assert_eq!(clock::parse_http_date(&imf[..imf.len() - cut]), None);
        let signed = imf.replacen(&format!(" {} ", &imf[12..16]), &format!(" -{} ", &imf[12..16]), 1);
        prop_assert_eq!(clock::parse_http_date(&signed), None, "{:?}", signed);
    }

    /// Any text: no panic, and a parsed date is a real one with a sane skew.
    #[test]
    fn any_text_is_a_date_or_not_without_panic(s in hostile_text(40)) {
        if let Some(d) = clock::parse_http_date(&s) {
            prop_assert!(d.year() >= 1970 && d.year() <= 9999);
            prop_assert!(s.trim().len() <= clock::MAX_DATE_LEN);
        }
        let _ = clock::skew_now(Some(&s));
    }

    /// THE escape: no character a terminal obeys survives, on one line, and every
    /// other character is kept in order.
    #[test]
    fn clean_leaves_no_control_and_keeps_the_rest(s in unicode_text()) {
        let out = text::clean(&s);
        prop_assert!(!out.chars().any(text::needs_escape), "{:?} -> {:?}", s, out);
        prop_assert!(!out.contains('\n'));
        let kept: String = s.chars().filter(|c| !text::needs_escape(*c) && !c.is_whitespace()).collect();
        let shown: String = out.chars().filter(|c| !c.is_whitespace()).collect();
        // What was not escaped is shown as it was (escapes add only ASCII `\x..`, `\u{..}`).
        let mut rest = shown.as_str();
        for c in kept.chars() {
            let at = rest.find(c);
            prop_assert!(at.is_some(), "{:?} lost {:?}: {:?}", s, c, out);
            rest = &rest[at.unwrap_or(0) + c.len_utf8()..];
        }
    }

    /// The JSON escape keeps the value and shows no control character either.
    #[test]
    fn json_line_keeps_the_value(s in unicode_text()) {
        let json = serde_json::to_string(&serde_json::json!({ "m": s })).unwrap();
        let line = text::json_line(&json);
        prop_assert!(!line.chars().any(text::needs_escape), "{:?}", line);
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        prop_assert_eq!(back["m"].as_str(), Some(s.as_str()));
    }
}
