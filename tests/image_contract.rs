//! Contract between the `vpce-probe` binary and the deployment files in
//! `probe-image/` (Dockerfile, task-definition.json, canary.yaml, README.md).
//!
//! Those files configure the probe through `VPCE_PROBE_*` environment
//! variables. A typo or a renamed flag there is not caught by anything else:
//! clap ignores unknown environment variables, so a stale name silently falls
//! back to a default inside a Fargate task nobody watches. This test reads
//! the binary's own `--help` (clap prints `[env: NAME=]` for every option that
//! has one) and checks the files against it:
//!
//! * every `VPCE_PROBE_*` name in the files is an env var of some option;
//! * every literal value the files give (e.g. `VPCE_PROBE_OUTPUT=emf`) is
//!   accepted by that option's parser (`--opt VALUE --help` exits 0; clap runs
//!   value parsers before it acts on `--help`);
//! * the task definition keeps its invariants: Fargate, awsvpc, 256 CPU units /
//!   512 MiB, x86_64, read-only root filesystem, numeric non-root user equal to
//!   the Dockerfile's `USER`, all capabilities dropped, awslogs, no shell
//!   entry point or health check (the image has no shell);
//! * canary.yaml and task-definition.json agree on the container name, and the
//!   per-subnet RunTask override sets `VPCE_PROBE_LABEL`;
//! * every `<PLACEHOLDER>` in task-definition.json is explained in the README.
//!
//! Only std and serde_json: canary.yaml is checked as text (it is also linted
//! by cfn-lint in `probe-image/lint.sh`). Nothing here touches the network.

// A test that cannot read its inputs should stop with the reason; the crate's
// clippy warnings on unwrap/expect are meant for the probe's own code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_vpce-probe");

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read(rel: &str) -> String {
    let path = repo_path(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn task_definition() -> Value {
    serde_json::from_str(&read("probe-image/task-definition.json"))
        .unwrap_or_else(|e| panic!("probe-image/task-definition.json is not JSON: {e}"))
}

/// Runs the binary with a clean environment, so no `VPCE_PROBE_*` of the
/// developer's shell leaks into `[env: NAME=value]` or into parsing.
fn run_bin(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .output()
        .unwrap_or_else(|e| panic!("running {BIN}: {e}"))
}

/// Runs the binary with exactly `env` as its environment.
fn run_bin_with_env(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env)
        .output()
        .unwrap_or_else(|e| panic!("running {BIN}: {e}"))
}

/// One option as `--help` shows it.
#[derive(Debug, Clone)]
struct Opt {
    /// `--long` name, with the dashes.
    long: String,
    /// Whether the header shows a `<VALUE>` placeholder.
    takes_value: bool,
}

/// The binary's `--help`, run once.
fn help_text() -> &'static str {
    static CELL: OnceLock<String> = OnceLock::new();
    CELL.get_or_init(|| {
        let out = run_bin(&["--help"]);
        assert!(
            out.status.success(),
            "`vpce-probe --help` failed: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("--help prints UTF-8")
    })
}

/// `VPCE_PROBE_*` env var name → the option it belongs to, read from `--help`.
fn help_env_vars() -> &'static BTreeMap<String, Opt> {
    static CELL: OnceLock<BTreeMap<String, Opt>> = OnceLock::new();
    CELL.get_or_init(|| {
        let help = help_text();
        let map = parse_help(help);
        assert!(
            !map.is_empty(),
            "`vpce-probe --help` shows no `[env: VPCE_PROBE_...]`; is clap's `env` feature on?\n{help}"
        );
        map
    })
}

/// Splits clap's help into option blocks and maps each `[env: NAME` found in a
/// block to that block's option. An option header is a line indented by at most
/// six spaces that starts with `-` (`  -o, --output <FORMAT>`, `      --image <REF>`);
/// descriptions are indented further. Blocks are joined and whitespace-collapsed
/// before searching, so a `[env: ...]` wrapped over two lines is still found.
fn parse_help(help: &str) -> BTreeMap<String, Opt> {
    let mut blocks: Vec<(Opt, String)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if indent <= 6 && trimmed.starts_with('-') {
            let long = trimmed
                .split(|c: char| c.is_whitespace() || c == ',' || c == '=' || c == '<' || c == '[')
                .find(|t| t.starts_with("--") && t.len() > 2)
                .map(str::to_owned);
            if let Some(long) = long {
                // Only the header part (before the two-space gap to an
                // inline description) says whether the option takes a value.
                let header = trimmed.split("  ").next().unwrap_or(trimmed);
                let opt = Opt {
                    long,
                    takes_value: header.contains('<'),
                };
                blocks.push((opt, String::new()));
            }
        }
        if let Some((_, text)) = blocks.last_mut() {
            text.push(' ');
            text.push_str(trimmed);
        }
    }
    let mut map = BTreeMap::new();
    for (opt, text) in blocks {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut rest = text.as_str();
        while let Some(i) = rest.find("[env: ") {
            rest = &rest[i + "[env: ".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name.starts_with("VPCE_PROBE_") {
                map.insert(name, opt.clone());
            }
        }
    }
    map
}

/// Every `VPCE_PROBE_[A-Z0-9_]+` token in `text` (whole identifiers only).
fn probe_env_names(text: &str) -> BTreeSet<String> {
    const PREFIX: &str = "VPCE_PROBE_";
    let bytes = text.as_bytes();
    let mut names = BTreeSet::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(PREFIX) {
        let start = from + i;
        let boundary = start == 0 || {
            let b = bytes[start - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        let end = start
            + text[start..]
                .bytes()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
                .count();
        if boundary && end > start + PREFIX.len() {
            names.insert(text[start..end].to_owned());
        }
        from = end.max(start + 1);
    }
    names
}

/// Literal env values the deployment files set: (file, name, value).
fn literal_env_values() -> Vec<(&'static str, String, String)> {
    let mut values = Vec::new();

    let td = task_definition();
    for c in containers(&td) {
        for e in c["environment"].as_array().into_iter().flatten() {
            let (Some(n), Some(v)) = (e["name"].as_str(), e["value"].as_str()) else {
                panic!("task-definition.json: environment entry without name/value: {e}");
            };
            values.push(("task-definition.json", n.to_owned(), v.to_owned()));
        }
    }

    // canary.yaml: `- Name: VPCE_PROBE_X` followed by `Value: literal`.
    // Values given by an intrinsic (`!Ref ...`) are parameters, not literals.
    let canary = read("probe-image/canary.yaml");
    let lines: Vec<&str> = canary.lines().map(str::trim).collect();
    for pair in lines.windows(2) {
        if let (Some(n), Some(v)) = (
            pair[0].strip_prefix("- Name: "),
            pair[1].strip_prefix("Value: "),
        ) && n.starts_with("VPCE_PROBE_")
            && !v.starts_with('!')
        {
            values.push(("canary.yaml", n.to_owned(), v.trim_matches('"').to_owned()));
        }
    }

    // Dockerfile: ENV NAME=value (possibly continued over several lines).
    let dockerfile = read("probe-image/Dockerfile");
    for token in dockerfile.split_whitespace() {
        if let Some((n, v)) = token.split_once('=')
            && n.starts_with("VPCE_PROBE_")
        {
            values.push(("Dockerfile", n.to_owned(), v.trim_matches('"').to_owned()));
        }
    }
    values
}

fn containers(td: &Value) -> &Vec<Value> {
    td["containerDefinitions"]
        .as_array()
        .expect("task-definition.json: containerDefinitions must be an array")
}

/// The RunTask overrides JSON of the per-subnet schedule in canary.yaml, with
/// `${SubnetId}` filled in.
fn canary_overrides(subnet: &str) -> Value {
    let canary = read("probe-image/canary.yaml");
    let line = canary
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Input: !Sub '"))
        .expect("canary.yaml: no `Input: !Sub '...'` line (the RunTask overrides of the schedule)");
    let json = line
        .strip_prefix("Input: !Sub '")
        .and_then(|s| s.strip_suffix('\''))
        .expect("canary.yaml: Input must be one single-quoted line");
    let json = json.replace("${SubnetId}", subnet);
    serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("canary.yaml Input is not JSON: {e}\n{json}"))
}

#[test]
fn help_lists_the_documented_env_vars() {
    // The interface the deployment files are written against. A rename here is
    // a breaking change for every deployed task definition and schedule.
    let env = help_env_vars();
    for name in [
        "VPCE_PROBE_IMAGE",
        "VPCE_PROBE_REGION",
        "VPCE_PROBE_PLATFORM",
        "VPCE_PROBE_VPC_CIDR",
        "VPCE_PROBE_DNS_SERVER",
        "VPCE_PROBE_ENDPOINT",
        "VPCE_PROBE_CA_BUNDLE",
        "VPCE_PROBE_TIMEOUT",
        "VPCE_PROBE_DEADLINE",
        "VPCE_PROBE_MAX_LAYER_BYTES",
        "VPCE_PROBE_OUTPUT",
        "VPCE_PROBE_SKIP_LOGS",
        "VPCE_PROBE_LABEL",
    ] {
        assert!(
            env.contains_key(name),
            "--help shows no `[env: {name}=]`; it shows {:?}",
            env.keys()
        );
    }
}

#[test]
fn deployment_files_use_only_env_vars_the_binary_knows() {
    let env = help_env_vars();
    for file in [
        "probe-image/task-definition.json",
        "probe-image/canary.yaml",
        "probe-image/Dockerfile",
        "probe-image/README.md",
    ] {
        for name in probe_env_names(&read(file)) {
            assert!(
                env.contains_key(&name),
                "{file} uses {name}, which `vpce-probe --help` does not list as an env var \
                 (typo, or a renamed option?). Known: {:?}",
                env.keys()
            );
        }
    }
}

#[test]
fn literal_env_values_are_accepted_by_the_binary() {
    let env = help_env_vars();
    let mut label_seen = false;
    let mut checked = Vec::new();
    let mut values = literal_env_values();
    // The label each schedule passes (a subnet id) must parse too.
    for e in canary_overrides("subnet-0123456789abcdef0")["containerOverrides"][0]["environment"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let (Some(n), Some(v)) = (e["name"].as_str(), e["value"].as_str()) {
            label_seen |= n == "VPCE_PROBE_LABEL";
            values.push(("canary.yaml Input", n.to_owned(), v.to_owned()));
        }
    }
    assert!(
        label_seen,
        "canary.yaml: the schedule's overrides must set VPCE_PROBE_LABEL"
    );

    for (file, name, value) in values {
        if value.contains('<') {
            continue; // a <PLACEHOLDER> the user fills in
        }
        let Some(opt) = env.get(&name) else {
            panic!("{file}: {name} is not an env var of the binary");
        };
        let out = if opt.takes_value {
            run_bin(&[&opt.long, &value, "--help"])
        } else {
            // A switch: clap's env parsing for flags accepts true/false and the like.
            assert!(
                ["true", "false", "1", "0", "yes", "no", "on", "off"].contains(&value.as_str()),
                "{file}: {name}={value:?} for the switch {}",
                opt.long
            );
            continue;
        };
        assert!(
            out.status.success(),
            "{file}: {name}={value:?} is rejected by `{} {value:?}`:\n{}",
            opt.long,
            String::from_utf8_lossy(&out.stderr)
        );
        checked.push(name);
    }
    assert!(
        checked.iter().any(|n| n == "VPCE_PROBE_OUTPUT"),
        "no VPCE_PROBE_OUTPUT value was checked"
    );
}

#[test]
fn task_definition_invariants() {
    let td = task_definition();
    assert_eq!(
        td["requiresCompatibilities"],
        serde_json::json!(["FARGATE"]),
        "Fargate only"
    );
    assert_eq!(
        td["networkMode"], "awsvpc",
        "Fargate requires awsvpc; the probe needs the task's own ENI"
    );
    // Strings, as the ECS API documents them; 256 CPU units / 512 MiB is the
    // smallest Fargate size and ample for the probe.
    assert_eq!(td["cpu"], "256");
    assert_eq!(td["memory"], "512");
    assert_eq!(td["runtimePlatform"]["operatingSystemFamily"], "LINUX");
    assert_eq!(
        td["runtimePlatform"]["cpuArchitecture"], "X86_64",
        "the image is built for x86_64 only"
    );

    let exec = td["executionRoleArn"].as_str().expect("executionRoleArn");
    let task = td["taskRoleArn"]
        .as_str()
        .expect("taskRoleArn: the probe's calls run with the task role");
    assert!(exec.starts_with("arn:aws:iam::") && task.starts_with("arn:aws:iam::"));
    assert_ne!(
        exec, task,
        "execution role (pull + logs) and task role (the probe's calls) must be separate"
    );

    let cs = containers(&td);
    assert_eq!(cs.len(), 1, "one container: the probe");
    let c = &cs[0];
    assert_eq!(c["essential"], true);
    assert_eq!(c["readonlyRootFilesystem"], true);
    assert_ne!(c["privileged"], true);
    let drop = c["linuxParameters"]["capabilities"]["drop"]
        .as_array()
        .expect("capabilities.drop");
    assert!(
        drop.iter().any(|d| d == "ALL"),
        "drop all capabilities: the probe only makes outbound connections"
    );
    // The image is `scratch` + one static binary: no shell for an entryPoint,
    // command wrapper or CMD-SHELL health check to run.
    for key in ["entryPoint", "command", "healthCheck"] {
        assert!(
            c.get(key).is_none(),
            "container must not set {key}: the image has no shell; ENTRYPOINT is /vpce-probe"
        );
    }

    let user = c["user"]
        .as_str()
        .expect("container user must be set (numeric, non-root)");
    let uid = user.split(':').next().unwrap_or_default();
    let uid: u32 = uid
        .parse()
        .unwrap_or_else(|_| panic!("user {user:?} must be numeric: scratch has no /etc/passwd"));
    assert_ne!(uid, 0, "the probe must not run as root");
    assert_eq!(
        Some(user),
        dockerfile_user().as_deref(),
        "task definition user and the Dockerfile's final USER must agree"
    );

    let image = c["image"].as_str().expect("image");
    assert!(
        image.contains(".dkr.ecr.") && image.contains(".amazonaws.com/"),
        "the probe image must come from private ECR: without NAT nothing else can be pulled ({image})"
    );

    let log = &c["logConfiguration"];
    assert_eq!(log["logDriver"], "awslogs");
    for key in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
        assert!(
            log["options"][key].is_string(),
            "awslogs option {key} missing"
        );
    }
    assert!(
        log["options"].get("awslogs-create-group").is_none(),
        "awslogs-create-group needs logs:CreateLogGroup on the execution role; create the group beforehand"
    );

    let env = c["environment"].as_array().expect("environment");
    let mut names = BTreeSet::new();
    for e in env {
        let n = e["name"].as_str().expect("environment name");
        assert!(names.insert(n), "environment variable {n} set twice");
    }
    for required in [
        "VPCE_PROBE_IMAGE",
        "VPCE_PROBE_OUTPUT",
        "VPCE_PROBE_TIMEOUT",
        "VPCE_PROBE_DEADLINE",
    ] {
        assert!(
            names.contains(required),
            "task definition must set {required}"
        );
    }
}

/// The last `USER` instruction of the Dockerfile (the runtime stage's).
fn dockerfile_user() -> Option<String> {
    read("probe-image/Dockerfile")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("USER "))
        .next_back()
        .map(|u| u.trim().to_owned())
}

#[test]
fn dockerfile_runtime_stage_is_minimal_and_non_root() {
    let dockerfile = read("probe-image/Dockerfile");
    let last_from = dockerfile
        .lines()
        .rfind(|l| l.trim_start().starts_with("FROM "))
        .expect("Dockerfile has FROM");
    assert!(
        last_from.contains("scratch") || last_from.contains("distroless/static"),
        "runtime stage must be scratch or distroless/static: {last_from}"
    );
    assert!(
        dockerfile.contains("+crt-static"),
        "the binary must be linked statically for that base"
    );
    assert!(dockerfile.contains(r#"ENTRYPOINT ["/vpce-probe"]"#));
    let user = dockerfile_user().expect("Dockerfile sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .unwrap_or_default()
        .parse()
        .expect("numeric USER");
    assert_ne!(uid, 0);
}

#[test]
fn canary_agrees_with_the_task_definition() {
    let td = task_definition();
    let name = containers(&td)[0]["name"].as_str().expect("container name");
    let canary = read("probe-image/canary.yaml");
    assert!(
        canary
            .lines()
            .any(|l| l.trim() == format!("- Name: {name}")),
        "canary.yaml's container must be named {name:?}, like task-definition.json's"
    );
    let overrides = canary_overrides("subnet-0123456789abcdef0");
    assert_eq!(
        overrides["containerOverrides"][0]["name"], name,
        "the schedule's override must name the container, or RunTask rejects it"
    );
    for needle in [
        "Cpu: \"256\"",
        "Memory: \"512\"",
        "ReadonlyRootFilesystem: true",
        "User: \"65532:65532\"",
        "LogDriver: awslogs",
        "AssignPublicIp: DISABLED",
        // The alarm selects the metric the probe's EMF output must carry.
        "Namespace: VpceProbe",
        "MetricName: ProbeFailed",
        "- Name: Label",
        "TreatMissingData: breaching",
    ] {
        assert!(canary.contains(needle), "canary.yaml lacks `{needle}`");
    }
}

#[test]
fn task_definition_placeholders_are_documented() {
    let text = read("probe-image/task-definition.json");
    let readme = read("probe-image/README.md");
    let mut rest = text.as_str();
    let mut seen = BTreeSet::new();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find('>') else { break };
        let inner = &rest[..j];
        if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            seen.insert(format!("<{inner}>"));
        }
    }
    assert!(
        !seen.is_empty(),
        "task-definition.json is expected to have <PLACEHOLDER>s"
    );
    for p in seen {
        assert!(
            readme.contains(&p),
            "probe-image/README.md does not explain the placeholder {p}"
        );
    }
}

#[test]
fn parse_help_reads_clap_layouts() {
    // Both clap layouts: short help on one line, long help over several, and
    // an `[env: ...]` wrapped across a line break.
    let help = "\
Usage: vpce-probe [OPTIONS]

Options:
      --image <REF>  Image to probe [env: VPCE_PROBE_IMAGE=]
  -o, --output <FORMAT>
          Output format

          [env: VPCE_PROBE_OUTPUT=json]
          [default: human]
          [possible values: human, json]
      --skip-logs
          Skip the logs hop [env:
          VPCE_PROBE_SKIP_LOGS=]
  -h, --help
          Print help (see --output for formats)
";
    let map = parse_help(help);
    assert_eq!(map.len(), 3, "{map:?}");
    assert_eq!(map["VPCE_PROBE_IMAGE"].long, "--image");
    assert!(map["VPCE_PROBE_IMAGE"].takes_value);
    assert_eq!(map["VPCE_PROBE_OUTPUT"].long, "--output");
    assert_eq!(map["VPCE_PROBE_SKIP_LOGS"].long, "--skip-logs");
    assert!(!map["VPCE_PROBE_SKIP_LOGS"].takes_value);
}

#[test]
fn probe_env_names_finds_whole_identifiers() {
    let names = probe_env_names(
        "x VPCE_PROBE_A=1 \"VPCE_PROBE_B_2\" MY_VPCE_PROBE_C VPCE_PROBE_ VPCE_PROBE_D",
    );
    let expected: BTreeSet<String> = ["VPCE_PROBE_A", "VPCE_PROBE_B_2", "VPCE_PROBE_D"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(names, expected);
}

/// Sample values for the `<PLACEHOLDER>`s of task-definition.json and for the
/// canary's parameters, shaped like what a user fills in.
fn fill_placeholders(value: &str) -> String {
    value
        .replace("<TARGET_ACCOUNT>", "111122223333")
        .replace("<ACCOUNT>", "111122223333")
        .replace("<REGION>", "eu-west-1")
        .replace("<PROBE_TAG>", "0.1.0")
        .replace("<TARGET_REPOSITORY>", "team/my-app")
        .replace("<TARGET_TAG>", "latest")
        .replace("<VPC_CIDR>", "10.0.0.0/16")
}

/// The whole environment the probe sees in each deployment: the image's ENV,
/// overlaid by the task definition's (or the canary's) environment, plus what
/// Fargate injects. Returned per deployment, placeholders filled.
fn deployment_environments() -> Vec<(&'static str, BTreeMap<String, String>)> {
    let mut base = BTreeMap::new();
    base.insert("AWS_REGION".to_owned(), "eu-west-1".to_owned());
    for (file, name, value) in literal_env_values() {
        if file == "Dockerfile" {
            base.insert(name, value);
        }
    }

    let mut one_off = base.clone();
    for c in containers(&task_definition()) {
        for e in c["environment"].as_array().into_iter().flatten() {
            if let (Some(n), Some(v)) = (e["name"].as_str(), e["value"].as_str()) {
                one_off.insert(n.to_owned(), fill_placeholders(v));
            }
        }
    }

    let mut canary = base;
    for (file, name, value) in literal_env_values() {
        if file == "canary.yaml" {
            canary.insert(name, value);
        }
    }
    // Values canary.yaml takes from its parameters (TargetImage, TargetPlatform,
    // VpcCidrs) and from the schedule's override.
    for (name, value) in [
        (
            "VPCE_PROBE_IMAGE",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/my-app:latest",
        ),
        ("VPCE_PROBE_PLATFORM", "linux/amd64"),
        ("VPCE_PROBE_VPC_CIDR", "10.0.0.0/16,10.1.0.0/16"),
        ("VPCE_PROBE_LABEL", "subnet-0123456789abcdef0"),
    ] {
        canary.insert(name.to_owned(), value.to_owned());
    }
    vec![("task-definition.json", one_off), ("canary.yaml", canary)]
}

/// With a `--check-config` option (validate every option and env var exactly
/// as a run would, then exit 0, or 2 with the usual message, without touching
/// the network), each deployment's whole environment is checked by the real
/// configuration code, not only by clap. Without that option this test only
/// says so: clap alone cannot see that, say, `VPCE_PROBE_TIMEOUT=3 s` is wrong.
#[test]
fn deployment_environments_pass_config_validation() {
    if !help_text().contains("--check-config") {
        eprintln!(
            "note: vpce-probe has no --check-config; deployment env values were only checked by clap \
             (literal_env_values_are_accepted_by_the_binary)"
        );
        return;
    }
    for (file, env) in deployment_environments() {
        let out = run_bin_with_env(&["--check-config"], &env);
        assert!(
            out.status.success(),
            "{file}: the probe rejects its configuration ({:?}):\n{}\nenvironment: {env:#?}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
