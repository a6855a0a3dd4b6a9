//! Text that reaches a terminal: server-supplied strings (registry and S3 messages,
//! headers, certificate names) are shown, never obeyed. A registry message with an
//! escape sequence could clear the screen or recolour a line, a newline could forge a
//! "PASS" line; so the renderers pass every value through [`clean`] (human) or
//! [`json_line`] (JSON, EMF), and fit lines to a width without cutting what identifies
//! a hop. The escapes themselves live in `crate::escape`, below every layer, so the
//! hops and the error renderer use the very same function.

pub use crate::escape::{clean, is_invisible_control, json_line, needs_escape};

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
