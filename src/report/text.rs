//! Text that reaches a terminal: server-supplied strings (registry and S3 messages,
//! headers, certificate names) are shown, never obeyed. A registry message with an
//! escape sequence could clear the screen or recolour a line, a newline could forge a
//! "PASS" line; so the renderers pass every value through [`clean`] (human) or
//! [`json_line`] (EMF), and fit lines to a width without cutting what identifies a hop.

/// Characters a terminal or a reader may be fooled by besides C0/DEL/C1 (which
/// `char::is_control` covers): the bidirectional marks, embeddings, overrides and
/// isolates, which reorder what is shown (CVE-2021-42574); the Unicode line and
/// paragraph separators; and the other invisible format characters (Unicode category
/// Cf, plus the fillers that render as nothing), which hide text or join words that look
/// apart. Listed by hand: the crate has no Unicode property tables, and Cf changes
/// rarely (this list is Unicode 15's).
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Whether [`clean`] writes `c` as an escape: every control and invisible format
/// character. The property tests (tests/parsers.rs) hold every renderer to it.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible_control(c)
}

/// THE escape of every human renderer (the report's, `explain`'s, the error chain's):
/// one line of plain text, whitespace (newlines, tabs) collapsed to single spaces, and
/// every other control or invisible format character ([`needs_escape`]) shown as an
/// escape (`\x1b`, `\u{202e}`): shown, never obeyed.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && !is_invisible_control(c) {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if needs_escape(c) {
            let n = u32::from(c);
            if n < 0x100 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A serialized JSON line with the characters JSON allows raw in strings but a
/// terminal or log viewer may act on (DEL, C1 controls, bidi overrides, U+2028/9)
/// written as `\u` escapes: the same JSON value, safe to print.
pub fn json_line(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if needs_escape(c) && c != '\n' {
            // JSON's `\u` takes four hex digits: past U+FFFF, a UTF-16 surrogate pair.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` in at most `n` characters: when longer, its end gives way to `…` (a host's
/// distinctive part is its start: `123456789012.dkr.ecr.…`), except a tcp hop's
/// `@address`, which always stays whole.
pub fn fit(s: &str, n: usize) -> String {
    let len = s.chars().count();
    if len <= n {
        return s.to_string();
    }
    if n < 2 {
        return "…".chars().take(n).collect();
    }
    // The part after the last `@` is the address of a tcp hop: never cut.
    if let Some((head, tail)) = s.rsplit_once('@') {
        let tail_len = tail.chars().count() + 1;
        if tail_len + 4 <= n {
            return format!("{}@{tail}", fit(head, n - tail_len));
        }
    }
    let head: String = s.chars().take(n - 1).collect();
    format!("{head}…")
}

/// Word-wrap `text` into lines for `width` columns: the first line starts after
/// `first_len` columns already written, the others after an indent of `indent` (the
/// caller writes both). A word longer than a whole line is cut where the line ends.
pub fn wrap(text: &str, width: usize, first_len: usize, indent: usize) -> Vec<String> {
    let room = |first: bool| {
        width
            .saturating_sub(if first { first_len } else { indent })
            .max(10)
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut w: Vec<char> = word.chars().collect();
        loop {
            let room = room(lines.is_empty());
            let need = if len == 0 { w.len() } else { len + 1 + w.len() };
            if need <= room {
                if len > 0 {
                    line.push(' ');
                }
                line.extend(w.iter());
                len = need;
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            let rest = w.split_off(room);
            line.extend(w.iter());
            lines.push(std::mem::take(&mut line));
            w = rest;
            if w.is_empty() {
                break;
            }
        }
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(clean("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(clean("bad\n  PASS all good\r\n"), "bad PASS all good");
        assert_eq!(clean("\u{9b}31m"), "\\x9b31m");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean("tab\there"), "tab here");
        assert_eq!(
            json_line("{\"m\":\"\u{9b}\u{7f}\u{2028}ok\"}"),
            "{\"m\":\"\\u009b\\u007f\\u2028ok\"}"
        );
        let v: serde_json::Value =
            serde_json::from_str(&json_line("{\"m\":\"\u{9b}\"}")).unwrap_or_default();
        assert_eq!(v["m"], "\u{9b}");
    }

    #[test]
    fn fitting_keeps_the_start_and_the_address() {
        let tcp = "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com@127.0.0.1:443";
        let f = fit(tcp, 40);
        assert_eq!(f.chars().count(), 40);
        assert!(f.ends_with("@127.0.0.1:443"), "{f}");
        assert!(f.starts_with("prod-"), "{f}");
        assert_eq!(fit("short", 10), "short");
        assert_eq!(
            fit("api.ecr.us-east-1.amazonaws.com", 20),
            "api.ecr.us-east-1.a…"
        );
    }

    #[test]
    fn wrapping() {
        let lines = wrap("one two three four five six", 15, 5, 2);
        assert_eq!(lines, ["one two", "three four", "five six"]);
        for l in wrap(&"x".repeat(50), 20, 0, 4) {
            assert!(l.chars().count() <= 20, "{l}");
        }
        assert_eq!(wrap("", 20, 0, 0), [""]);
    }
}
