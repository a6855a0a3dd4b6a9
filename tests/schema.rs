//! The report schema is a contract: `docs/report.schema.json` is generated from the wire
//! types and must match them (run with `VPCE_UPDATE_SCHEMA=1` to regenerate after an
//! additive change), real output of the binary must validate against it, and a report
//! written by schema version 1 must still deserialise into today's types. The cause
//! codes of `docs/report-schema.md` are generated from the catalogue the same way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::probe::Probe;
use vpce_probe::causes::{CATALOGUE, markdown_table};
use vpce_probe::report::wire::Report;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report.schema.json");
const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report-schema.md");
const README_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
const TABLE_BEGIN: &str = "<!-- cause codes: generated from src/causes.rs; edit the table there, then run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test schema` -->\n";
const TABLE_END: &str = "<!-- end of cause codes -->\n";

fn generated() -> String {
    let schema = schemars::schema_for!(Report);
    format!("{}\n", serde_json::to_string_pretty(&schema).unwrap())
}

#[test]
fn checked_in_schema_matches_the_types() {
    common::schema::matches_checked_in(
        SCHEMA_PATH,
        &generated(),
        "docs/report.schema.json is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test schema` and review the diff (fields may only be added)",
    );
}

/// The doc with its cause table replaced by the catalogue's.
fn doc_with_fresh_causes(doc: &str) -> String {
    let start = doc
        .find(TABLE_BEGIN)
        .map(|i| i + TABLE_BEGIN.len())
        .expect("docs/report-schema.md lost the cause table's begin marker");
    let end = doc[start..]
        .find(TABLE_END)
        .map(|i| i + start)
        .expect("docs/report-schema.md lost the cause table's end marker");
    // Blank lines around the table: the markers must not read as rows of it.
    format!("{}\n{}\n{}", &doc[..start], markdown_table(), &doc[end..])
}

/// Backquoted words that look like cause codes: `group.name` with a catalogue group.
fn codes_named_in(text: &str) -> BTreeSet<String> {
    let groups: BTreeSet<&str> = CATALOGUE
        .iter()
        .filter_map(|c| c.code.split_once('.').map(|(g, _)| g))
        .collect();
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            w.split_once('.').is_some_and(|(g, n)| {
                groups.contains(g)
                    && !n.is_empty()
                    && n.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn cause_codes_in_the_doc_are_the_catalogue() {
    let on_disk = std::fs::read_to_string(DOC_PATH).unwrap();
    let fresh = doc_with_fresh_causes(&on_disk);
    if std::env::var_os("VPCE_UPDATE_SCHEMA").is_some() {
        std::fs::write(DOC_PATH, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(DOC_PATH).unwrap();
    let table: BTreeSet<String> = CATALOGUE.iter().map(|c| c.code.to_string()).collect();
    let documented = codes_named_in(&on_disk);
    let missing: Vec<&String> = table.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&table).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/report-schema.md and src/causes.rs disagree: not in the doc {missing:?}, not in the catalogue {unknown:?}"
    );
    assert!(
        on_disk == fresh,
        "docs/report-schema.md's cause table is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test schema` and review the diff"
    );
}

#[test]
fn the_readme_names_only_catalogued_codes() {
    let readme = std::fs::read_to_string(README_PATH).unwrap();
    // The hop table's "typical causes" column; prose names files such as `config.rs`.
    let table: String = readme
        .lines()
        .filter(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    let unknown: Vec<String> = codes_named_in(&table)
        .into_iter()
        .filter(|c| !CATALOGUE.iter().any(|row| row.code == c))
        .collect();
    assert!(
        unknown.is_empty(),
        "README.md names codes src/causes.rs lacks: {unknown:?}"
    );
}

/// [`Probe::failing_run`]: failures and skips in every hop kind, nothing off loopback.
fn failing_run(format: &str) -> (i32, String, String) {
    let out = Probe::failing_run()
        .args(["--output", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn real_output_validates_against_the_schema() {
    let (code, stdout, stderr) = failing_run("json");
    assert_eq!(code, 1, "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    common::schema::assert_valid(SCHEMA_PATH, &report);
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["schema_version"], 1);
    assert!(
        report["hops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["cause"] == "dns.timeout")
    );

    // ndjson: each hop line and the final report validate too.
    let (_, stdout, _) = failing_run("ndjson");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "report");
    let mut report = last.clone();
    report.as_object_mut().unwrap().remove("type");
    common::schema::assert_valid(SCHEMA_PATH, &report);
    assert!(lines[..lines.len() - 1].iter().all(|l| l["type"] == "hop"));
}

#[test]
fn schema_v1_reports_still_deserialise() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/report-v1.json"
    ))
    .unwrap();
    let report: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(report.schema_version, 1);
    assert!(!report.hops.is_empty());
}
