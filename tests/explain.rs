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
    let mut cmd = Command::new(BIN);
    cmd.arg("explain").args(args);
    run(cmd, stdin)
}

/// Run `cmd` with `stdin` written from another thread (the probe may stop reading
/// early; a closed pipe is fine); (exit code, stdout, stderr).
fn run(mut cmd: Command, stdin: &str) -> (i32, String, String) {
    let mut child = cmd
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// 200 000 short distinct lines (issue 20's input).
fn many_lines() -> String {
    (0..200_000)
        .map(|i| format!("CannotPullContainerError: API error (404) {i}\n"))
        .collect()
}

fn schema_valid(report: &Value) {
    common::schema::assert_valid(SCHEMA_PATH, report);
}

/// `explain --output json` on `stdin` that recognises everything: its results, the
/// report checked against the schema.
fn explained(stdin: &str) -> Vec<Value> {
    let (code, stdout, stderr) = explain(&["--output", "json"], stdin);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    report["results"].as_array().unwrap().clone()
}

#[test]
fn checked_in_schema_matches_the_types() {
    let fresh = format!(
        "{}\n",
        serde_json::to_string_pretty(&schemars::schema_for!(ExplainReport)).unwrap()
    );
    common::schema::matches_checked_in(
        SCHEMA_PATH,
        &fresh,
        "docs/explain.schema.json is stale: run `VPCE_UPDATE_SCHEMA=1 cargo test --profile suite --test explain` and review the diff",
    );
}

/// Every real reason, one per line on stdin, in one run: each result has the cause the
/// corpus records (the unit test checks the same pure function; this checks the binary).
#[test]
fn the_whole_corpus_through_the_binary() {
    // Identical reasons are explained once (with a count): one case per distinct text.
    let mut seen = std::collections::HashSet::new();
    let cases: Vec<Value> = corpus()
        .into_iter()
        .filter(|c| seen.insert(c["text"].as_str().unwrap().trim().replace('\n', " ")))
        .collect();
    let lines: Vec<String> = cases
        .iter()
        .map(|c| c["text"].as_str().unwrap().replace('\n', " "))
        .collect();
    // A blank line between reasons: some real ones are fragments (efs-utils' "Attempting
    // to lookup mount target…", a CI log's "#4 ERROR: …") that on the next line would
    // continue the reason above, as a wrapped line does.
    let (code, stdout, stderr) = explain(&["--output", "json"], &lines.join("\n\n"));
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());
    for (c, r) in cases.iter().zip(results) {
        assert_eq!(r["text"].as_str().map(|t| !t.is_empty()), Some(true));
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
    let results = explained(&doc.to_string());
    assert_eq!(results.len(), 2, "{results:?}");
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

/// EventBridge's "ECS Task State Change" events (the shape of AWS's "Amazon ECS task
/// state change events" page), one per line as a log export or `jq -c` holds them: the
/// task in `detail` is read like a describe-tasks answer's.
#[test]
fn eventbridge_task_state_change_events() {
    let event = |id: &str, reason: &str| {
        json!({
            "version": "0",
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "account": "111122223333",
            "region": "eu-west-1",
            "resources": [format!("arn:aws:ecs:eu-west-1:111122223333:task/prod/{id}")],
            "detail": {
                "clusterArn": "arn:aws:ecs:eu-west-1:111122223333:cluster/prod",
                "containers": [{"name": "web", "lastStatus": "STOPPED", "reason": reason}],
                "lastStatus": "STOPPED",
                "stopCode": "TaskFailedToStart",
                "stoppedReason": "Task failed to start",
                "taskArn": format!("arn:aws:ecs:eu-west-1:111122223333:task/prod/{id}")
            }
        })
        .to_string()
    };
    let timeout = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1: failed to do request: Head \"https://111122223333.dkr.ecr.eu-west-1.amazonaws.com/v2/web/manifests/1\": dial tcp 10.0.1.9:443: i/o timeout";
    let input = format!("{}\n{}\n", event("aaaa", timeout), event("bbbb", timeout));
    let results = explained(&input);
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0]["source"], "task aaaa");
    assert_eq!(results[0]["stop"], "service_event");
    assert_eq!(results[1]["source"], "task aaaa container web");
    assert_eq!(results[1]["count"], 2);
    assert_eq!(results[1]["need"], "image_pull");
    assert_eq!(results[1]["causes"][0]["code"], "tcp.timeout");
}

/// The services that start ECS tasks for others pass the task's reasons on in their
/// own shapes: AWS Batch's describe-jobs (API reference: JobDetail.statusReason,
/// AttemptDetail.statusReason, AttemptContainerDetail.reason, whose `taskArn` makes it
/// look like a task with no reason) and Step Functions' `runTask.sync` failure, whose
/// `Cause` is the task as a string in the Java SDK's PascalCase (as LocalStack's
/// snapshots recorded from AWS show its output).
#[test]
fn batch_jobs_and_step_functions_causes() {
    let auth = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.1.1:443: i/o timeout";
    let jobs = json!({"jobs": [{
        "jobArn": "arn:aws:batch:us-east-1:111122223333:job/0f1e2d3c",
        "jobId": "0f1e2d3c", "jobName": "nightly", "status": "FAILED",
        "statusReason": "Task failed to start",
        "attempts": [{"container": {"taskArn": "arn:aws:ecs:us-east-1:111122223333:task/b/t1", "reason": auth}, "statusReason": "Task failed to start"}],
        "container": {"image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/nightly:1", "reason": auth}
    }]});
    let results = explained(&jobs.to_string());
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0]["source"], "job 0f1e2d3c container");
    assert_eq!(results[0]["count"], 2);
    assert_eq!(results[0]["need"], "registry_auth");
    assert_eq!(results[0]["causes"][0]["code"], "tcp.timeout");
    assert_eq!(results[1]["stop"], "service_event");

    let task = json!({
        "Containers": [{"Name": "app", "LastStatus": "STOPPED", "Reason": "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1: not found", "TaskArn": "arn:aws:ecs:us-east-1:111122223333:task/c/abc"}],
        "LastStatus": "STOPPED", "StartedBy": "AWS Step Functions", "StopCode": "TaskFailedToStart",
        "StoppedReason": "Task failed to start", "TaskArn": "arn:aws:ecs:us-east-1:111122223333:task/c/abc"
    });
    let failure = json!({"Error": "States.TaskFailed", "Cause": task.to_string()});
    let results = explained(&failure.to_string());
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[1]["source"], "task abc container app");
    assert_eq!(results[1]["need"], "image_pull");
    assert_eq!(results[1]["causes"][0]["code"], "registry.manifest_unknown");
}

/// Every confirm command the corpus and the templates produce parses with the probe's
/// own command line, so explain cannot advise a flag the probe lacks.
#[test]
fn every_confirm_command_is_a_valid_probe_command_line() {
    let templates: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/explain/templates.json")).unwrap();
    let lines: Vec<String> = corpus()
        .iter()
        .chain(&templates)
        .map(|c| c["text"].as_str().unwrap().replace('\n', " "))
        .collect();
    // A blank line always ends a reason: a template that reads as a continuation stays
    // its own reason.
    let (_, stdout, _) = explain(&["--output", "json"], &lines.join("\n\n"));
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
    // A stop that is no start-up failure is named as such, never given a hop.
    let (code, stdout, _) = explain(
        &[
            "--output",
            "human",
            "OutOfMemoryError: Container killed due to memory usage",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("stop     out_of_memory"), "{stdout}");
    assert!(!stdout.contains("(hop "), "{stdout}");
    // Nothing recognised is said plainly, with exit 1.
    let (code, stdout, _) = explain(&["--output", "human", "the cat sat on the mat"], "");
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
    // Nor bidi controls or line separators (issue 20).
    let (_, stdout, _) = explain(
        &[
            "--output",
            "human",
            "CannotPullContainerError: \u{202e}gnp.exe\u{2028}\u{2066}x",
        ],
        "",
    );
    for c in ['\u{202e}', '\u{2028}', '\u{2066}'] {
        assert!(!stdout.contains(c), "{stdout:?}");
    }
}

/// Negative controls (not start-up failures, AWS's stopped-task pages) never get a
/// network hop or a cause; they say what kind of stop they are and where to look.
#[test]
fn negative_controls_never_get_a_hop() {
    let texts = [
        "Essential container in task exited",
        "OutOfMemoryError: Container killed due to memory usage",
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef)",
        "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        "Your Spot Task was interrupted.",
        "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"/app/server\": exec format error: unknown",
        "CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"node\": executable file not found in $PATH: unknown",
        "CannotStartContainerError: Error response from daemon: unable to find user app: no matching entries in passwd file",
        "Task failed container health checks",
    ];
    let (_, stdout, _) = explain(&["--output", "json"], &texts.join("\n"));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), texts.len(), "{stdout}");
    for r in results {
        assert!(r["causes"].as_array().unwrap().is_empty(), "{r}");
        assert!(r.get("need").is_none(), "{r}");
        assert!(r["stop"].is_string(), "{r}");
        assert!(r["look"].as_str().is_some_and(|l| !l.is_empty()), "{r}");
    }
}

/// A reason pasted with line wraps is one reason; identical reasons are explained once
/// with their count.
#[test]
fn wrapped_and_repeated_reasons() {
    let wrapped = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource\n    retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s):\n    RequestError: send request failed caused by: Post \"https://api.ecr.eu-west-1.amazonaws.com/\": dial tcp\n    52.94.1.2:443: i/o timeout\n";
    let input = format!("{wrapped}{wrapped}{wrapped}");
    let results = explained(&input);
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["count"], 3);
    assert_eq!(results[0]["need"], "registry_auth");
    assert_eq!(results[0]["causes"][0]["code"], "tcp.timeout");
    assert_eq!(results[0]["address"], "52.94.1.2");
}

/// 200 000 short distinct lines: output and work bounded by the cap, and what was
/// dropped is said in the output and the exit status.
#[test]
fn huge_input_is_bounded_and_says_what_it_dropped() {
    let input = many_lines();
    let (code, stdout, _) = explain(&["--output", "json"], &input);
    assert_eq!(code, 1, "dropping input is not a whole answer");
    assert!(
        stdout.len() < 2 * 1024 * 1024,
        "{} bytes of output",
        stdout.len()
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), vpce_probe::explain::MAX_REASONS);
    let inp = &report["input"];
    assert_eq!(inp["bytes_read"], 4 * 1024 * 1024);
    assert!(inp["bytes_left"].as_u64().unwrap() > 0, "{inp}");
    assert!(inp["reasons_dropped"].as_u64().unwrap() > 0, "{inp}");
    let (_, human, _) = explain(&["--output", "human"], &input);
    assert!(
        human.contains("dropped: read 4194304 bytes"),
        "{}",
        &human[human.len().saturating_sub(400)..]
    );
}

/// A reason cut before its cause names the need, says it was cut, and lists the
/// candidates with a confirming command.
#[test]
fn a_cut_reason_gets_candidates() {
    let (code, stdout, _) = explain(
        &["--output", "json"],
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): ",
    );
    assert_eq!(code, 1, "nothing recognised");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    schema_valid(&report);
    let r = &report["results"][0];
    assert_eq!(r["need"], "secrets");
    assert_eq!(r["truncated"], true);
    let cands = r["candidates"].as_array().unwrap();
    assert!(cands.len() >= 3, "{r}");
    assert_eq!(cands[0]["code"], "tcp.timeout");
    assert!(
        cands[0]["confirm"]
            .as_str()
            .unwrap()
            .contains("--check secretsmanager")
    );
}

/// Confirm commands carry what the text named.
#[test]
fn confirm_commands_carry_the_names() {
    let (_, stdout, _) = explain(
        &["--output", "json"],
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:111122223333:secret:db-AbCdEf from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: 400\nResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /prod/db,/prod/api\nResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out : unsuccessful EFS utils command execution; code: 32 fs-0123abcd",
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let confirm = |i: usize| {
        report["results"][i]["causes"][0]["confirm"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        confirm(0),
        "vpce-probe --check secretsmanager=arn:aws:secretsmanager:eu-central-1:111122223333:secret:db-AbCdEf --check kms --region eu-central-1"
    );
    assert_eq!(
        confirm(1),
        "vpce-probe --check ssm=/prod/db --check ssm=/prod/api"
    );
    assert_eq!(confirm(2), "vpce-probe --check efs=fs-0123abcd");
    for i in 0..3 {
        let argv: Vec<String> = std::iter::once("vpce-probe".to_string())
            .chain(
                report["results"][i]["causes"][0]["confirm_args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string()),
            )
            .collect();
        vpce_probe::cli::Args::try_parse_from(&argv).unwrap();
    }
}

/// ECS-managed EBS volumes (AWS's "Status reasons for Amazon EBS volume attachment to
/// Amazon ECS tasks") are the volumes need with no hop, the infrastructure role's fix
/// written for the role the reason names; the agent's Service Connect set-up is a stop.
#[test]
fn ebs_volumes_and_service_connect() {
    let results = explained(
        "ECS was unable to assume the configured ECS Infrastructure Role 'arn:aws:iam::111122223333:role/ecsInfrastructureRole'. Please verify that the role being passed has the proper trust relationship with Amazon ECS\n\
         ECS timed out while configuring the EBS volume attachment to your Task\n\
         UnrecogniedTaskError: Error loading task - service connect config validation failed: listener port collision detected in the ingress config with listener port=8080, and listener name=web",
    );
    assert_eq!(results.len(), 3, "{results:#?}");
    let role = &results[0];
    assert_eq!(role["need"], "volumes");
    assert_eq!(role["service"], "ebs");
    let cause = &role["causes"][0];
    assert_eq!(cause["code"], "ebs.infrastructure_role");
    assert!(cause["hop"].is_null() && cause["probed"] == false);
    let fixes: Vec<&str> = cause["remediation"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    assert!(
        fixes.iter().any(|t| t
            .contains("update-assume-role-policy --role-name ecsInfrastructureRole")
            && t.contains("ecs.amazonaws.com")),
        "{fixes:#?}"
    );
    assert!(
        fixes
            .iter()
            .any(|t| t.contains("AmazonECSInfrastructureRolePolicyForVolumes")),
        "{fixes:#?}"
    );
    assert_eq!(results[1]["causes"][0]["code"], "ebs.filesystem");
    assert!(results[1]["causes"][0]["hop"].is_null());
    let sc = &results[2];
    assert!(sc["need"].is_null() && sc["causes"].as_array().is_none_or(|c| c.is_empty()));
    assert_eq!(sc["stop"], "service_connect");
    assert!(
        sc["look"]
            .as_str()
            .unwrap()
            .contains("serviceConnectConfiguration")
    );
}

#[test]
fn no_reason_is_a_usage_error() {
    let (code, _, stderr) = explain(&["--output", "json"], "");
    assert_eq!(code, 2);
    let err: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(err["error"]["code"], "usage.no_reason");
}

mod never_panics {
    use proptest::prelude::*;

    /// Pieces of real reasons, recombined: the grammar sees every join of them.
    const PIECES: &[&str] = &[
        "CannotPullContainerError",
        "ResourceInitializationError",
        ": ",
        " caused by: ",
        "has been retried 5 time(s)",
        "unable to retrieve secret from asm",
        "failed to invoke EFS utils commands",
        "dial tcp 52.1.2.3:443: i/o timeout",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:us-east-1:1:parameter/",
        "invalid parameters: ",
        "fs-",
        "\"",
        "REDACTED ECR URL related to ",
        "manifest for ",
        "pull access denied for ",
        "(service x) was unable to place a task. Reason: ",
        "STOPPED (",
        "\n",
        "…",
        "\u{202e}",
        "é",
    ];

    proptest! {
        #[test]
        fn on_arbitrary_text(s in ".{0,400}") {
            let e = vpce_probe::explain::explain_input(&s);
            let r = vpce_probe::report::explain::build(&e);
            let mut out = Vec::new();
            vpce_probe::report::explain::write_human(&r, &mut out).unwrap();
        }

        #[test]
        fn on_recombined_pieces(ix in proptest::collection::vec(0..PIECES.len(), 0..40)) {
            let s: String = ix.iter().map(|i| PIECES[*i]).collect();
            let e = vpce_probe::explain::explain_input(&s);
            for x in &e {
                // A stop never carries a cause or a hop.
                if x.stop.is_some() {
                    prop_assert!(x.findings.is_empty());
                }
            }
            let r = vpce_probe::report::explain::build(&e);
            let mut out = Vec::new();
            vpce_probe::report::explain::write_json(&r, &mut out).unwrap();
        }
    }
}

/// The same 200 000 lines under a 64 MiB address-space limit (`ulimit -v`): explain's
/// memory is bounded by its caps, not by the input (issue 20 measured 104 MiB).
#[test]
fn huge_input_fits_in_64_mib() {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!(
        "ulimit -v 65536 && exec {BIN} explain --output json"
    ));
    let (code, stdout, stderr) = run(cmd, &many_lines());
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["results"].as_array().unwrap().len(),
        vpce_probe::explain::MAX_REASONS
    );
}

/// The agent's and Fargate's error templates, one data row each
/// (tests/fixtures/explain/templates.json: each filled with realistic values, its
/// source in `source` and in the fixture README): through the binary, every row gets
/// its need and its cause code (or first candidate for a cut text, or its kind of stop),
/// and a row that is no start-up failure never names a hop.
#[test]
fn every_agent_template_gets_its_need_and_cause() {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/explain/templates.json")).unwrap();
    assert!(rows.len() >= 50, "{} rows", rows.len());
    // In runs of 100: one run explains at most 200 distinct reasons.
    let mut results = Vec::new();
    for chunk in rows.chunks(100) {
        let input: Vec<&str> = chunk.iter().map(|r| r["text"].as_str().unwrap()).collect();
        let (_, stdout, stderr) = explain(&["--output", "json"], &input.join("\n\n"));
        let report: Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        schema_valid(&report);
        let got = report["results"].as_array().unwrap();
        assert_eq!(got.len(), chunk.len(), "one result a template");
        results.extend(got.iter().cloned());
    }
    let mut wrong = Vec::new();
    for (row, r) in rows.iter().zip(results) {
        assert!(!row["source"].as_str().unwrap_or("").is_empty());
        let code = |list: &str| r[list][0]["code"].clone();
        let got = json!({
            "need": r["need"],
            "code": code("causes"),
            "candidate": if row["candidate"].is_null() { Value::Null } else { code("candidates") },
            "stop": r["stop"],
        });
        let want = json!({
            "need": row["need"],
            "code": row["code"],
            "candidate": row["candidate"],
            "stop": row["stop"],
        });
        if got != want {
            wrong.push(format!("{}: got {got}, want {want}", row["family"]));
        }
        // Every cause says its hop, `null` included: "no hop would show it" is an
        // answer, not a missing field.
        let causes = r["causes"].as_array().into_iter().flatten();
        for c in causes.chain(r["candidates"].as_array().into_iter().flatten()) {
            assert!(
                c.get("hop").is_some(),
                "{}: no hop key in {c}",
                row["family"]
            );
        }
        if row["need"].is_null() {
            let hops = r["causes"]
                .as_array()
                .into_iter()
                .chain(r["candidates"].as_array())
                .flatten()
                .any(|c| !c["hop"].is_null());
            assert!(!hops, "{}: a hop for a stop: {r}", row["family"]);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
