//! `vpce-probe explain`, the real binary, offline: real stoppedReasons from
//! tests/fixtures/explain/corpus.json as TEXT, on stdin, and inside an
//! `aws ecs describe-tasks` answer; the JSON output against its schema; every confirm
//! command is one the probe's own parser accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use clap::Parser;
use common::probe::BIN;
use serde_json::{Value, json};
use vpce_probe::report::explain::ExplainReport;

const CORPUS: &str = include_str!("fixtures/explain/corpus.json");
const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/explain.schema.json");

fn corpus() -> Vec<Value> {
    serde_json::from_str(CORPUS).unwrap()
}

/// Run `vpce-probe explain ARGS` with `stdin`; (exit code, stdout, stderr).
fn explain(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .arg("explain")
        .args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn schema_valid(report: &Value) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn checked_in_schema_matches_the_types() {
    let fresh = format!(
        "{}\n",
        serde_json::to_string_pretty(&schemars::schema_for!(ExplainReport)).unwrap()
    );
    if std::env::var_os("VPCE_UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_PATH, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "docs/explain.schema.json is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test explain` and review the diff"
    );
}

/// Every real reason, one per line on stdin, in one run: each result has the cause the
/// corpus records (the unit test checks the same pure function; this checks the binary).
#[test]
fn the_whole_corpus_through_the_binary() {
    let cases = corpus();
    let lines: Vec<String> = cases
        .iter()
        .map(|c| c["text"].as_str().unwrap().replace('\n', " "))
        .collect();
    let (code, stdout, stderr) = explain(&["--output", "json"], &lines.join("\n"));
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());
    for (c, r) in cases.iter().zip(results) {
        let want = &c["expect"]["code"];
        let got = r["causes"]
            .get(0)
            .map(|x| x["code"].clone())
            .unwrap_or(Value::Null);
        assert_eq!(&got, want, "{}", c["id"]);
        assert_eq!(
            r["need"].clone(),
            c["expect"]["need"].clone(),
            "{}",
            c["id"]
        );
        assert_eq!(r["recognised"], !want.is_null(), "{}", c["id"]);
    }
}

/// The describe-tasks answer: each stopped task's stoppedReason and each container's
/// reason, labelled with the task id and the container name.
#[test]
fn a_describe_tasks_answer() {
    let text = |id: &str| {
        corpus()
            .into_iter()
            .find(|c| c["id"] == id)
            .and_then(|c| c["text"].as_str().map(str::to_string))
            .unwrap()
    };
    let doc = json!({
        "tasks": [{
            "taskArn": "arn:aws:ecs:eu-west-2:111122223333:task/prod/0123456789abcdef0123456789abcdef",
            "lastStatus": "STOPPED",
            "stoppedReason": text("copilot-4504-ssm-denied-wrong-parameter-name"),
            "containers": [
                {"name": "app", "reason": text("refarch-cd-manifest-latest-not-found")},
                {"name": "sidecar"}
            ]
        }],
        "failures": []
    });
    let (code, stdout, _) = explain(&["--output", "json"], &doc.to_string());
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0]["source"],
        "task 0123456789abcdef0123456789abcdef"
    );
    assert_eq!(
        results[0]["causes"][0]["code"],
        "auth.denied_identity_policy"
    );
    assert_eq!(results[0]["causes"][0]["need"], "secrets");
    assert_eq!(
        results[1]["source"],
        "task 0123456789abcdef0123456789abcdef container app"
    );
    assert_eq!(results[1]["causes"][0]["code"], "registry.manifest_unknown");
}

/// Every confirm command the corpus produces parses with the probe's own command line,
/// so explain cannot advise a flag the probe lacks.
#[test]
fn every_confirm_command_is_a_valid_probe_command_line() {
    let lines: Vec<String> = corpus()
        .iter()
        .map(|c| c["text"].as_str().unwrap().replace('\n', " "))
        .collect();
    let (_, stdout, _) = explain(&["--output", "json"], &lines.join("\n"));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let mut seen = 0;
    for r in report["results"].as_array().unwrap() {
        for c in r["causes"].as_array().unwrap() {
            let mut argv = vec!["vpce-probe".to_string()];
            argv.extend(
                c["confirm_args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string()),
            );
            vpce_probe::cli::Args::try_parse_from(&argv)
                .unwrap_or_else(|e| panic!("{argv:?} does not parse: {e}"));
            assert!(c["confirm"].as_str().unwrap().starts_with("vpce-probe "));
            seen += 1;
        }
    }
    assert!(seen >= 30, "{seen} confirm commands");
}

#[test]
fn human_output_plain_and_bounded() {
    let (code, stdout, _) = explain(
        &[
            "--output",
            "human",
            "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("cause    agent.docker_timeout"), "{stdout}");
    assert!(stdout.contains("confirm  vpce-probe "), "{stdout}");
    // Nothing recognised is said plainly, with exit 1.
    let (code, stdout, _) = explain(
        &[
            "--output",
            "human",
            "OutOfMemoryError: Container killed due to memory usage",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(stdout.contains("not recognised"), "{stdout}");
    // Escape sequences in the input never reach the terminal.
    let (_, stdout, _) = explain(
        &[
            "--output",
            "human",
            "CannotPullContainerError: \u{1b}[2J\u{1b}[31mPASS",
        ],
        "",
    );
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
}

#[test]
fn no_reason_is_a_usage_error() {
    let (code, _, stderr) = explain(&["--output", "json"], "");
    assert_eq!(code, 2);
    let err: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(err["error"]["code"], "usage.no_reason");
}
