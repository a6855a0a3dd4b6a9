//! Reading a report to compare: a file (or `-`), bounded, as the JSON of
//! `--output json` or the last `report` line of `--output ndjson`. Anything else is a
//! clear error naming the file and the place, never the content (a hostile file's
//! strings must not reach the terminal through an error message).

use std::io::Read;
use std::path::Path;

use crate::report::wire::{NdjsonLine, Report};

/// A report is kilobytes; a canary's ndjson with every hop line, some hundreds. More is
/// not a report.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error("cannot read it: {0}")]
    Read(String),
    #[error("it is larger than {MAX_BYTES} bytes: not a vpce-probe report")]
    TooLarge,
    #[error("it is not UTF-8 text: not a vpce-probe report")]
    NotText,
    #[error("it is not a vpce-probe report (JSON from --output json or ndjson): {0}")]
    NotReport(String),
}

pub fn read(path: &Path) -> Result<Report, InputError> {
    let bytes = if path == Path::new("-") {
        bounded(std::io::stdin().lock())?
    } else {
        let f = std::fs::File::open(path).map_err(|e| InputError::Read(e.kind().to_string()))?;
        bounded(f)?
    };
    parse(&bytes)
}

fn bounded(r: impl Read) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    r.take(MAX_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| InputError::Read(e.kind().to_string()))?;
    if buf.len() as u64 > MAX_BYTES {
        return Err(InputError::TooLarge);
    }
    Ok(buf)
}

/// Where serde stopped, without what it read there.
fn place(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "cannot read",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "JSON without the report's fields",
        serde_json::error::Category::Eof => "JSON cut short",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

pub fn parse(bytes: &[u8]) -> Result<Report, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|_| InputError::NotText)?;
    let first_err = match serde_json::from_str::<Report>(text) {
        Ok(r) => return Ok(r),
        Err(e) => e,
    };
    // ndjson: the report is the last line of type "report".
    for line in text.lines().rev().filter(|l| !l.trim().is_empty()) {
        if let Ok(NdjsonLine::Report(r)) = serde_json::from_str::<NdjsonLine>(line) {
            return Ok(*r);
        }
    }
    Err(InputError::NotReport(place(&first_err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_an_error_without_its_content() {
        for bad in [
            &b""[..],
            b"not json",
            b"{\"schema_version\": \"\\u001b[2J evil\"}",
            b"[1,2,3]",
            b"\xff\xfe",
            b"{\"hops\": []}",
        ] {
            let e = parse(bad).expect_err("not a report");
            let shown = e.to_string();
            assert!(
                !shown.contains("evil") && !shown.contains('\u{1b}'),
                "{shown}"
            );
        }
    }
}
