//! The one escape of everything the probe prints for people or log viewers: text a
//! server, a file or an argument supplied is shown, never obeyed. A module of its own at
//! the bottom of the layers (it imports nothing), so the renderers (`report::text`
//! re-exports it), the hops' evidence and the error chain all call the same function.

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
