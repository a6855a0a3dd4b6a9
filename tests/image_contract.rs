//! Contract between the `vpce-probe` binary and the deployment files in
//! `probe-image/` (Dockerfile, task-definition.json, canary.yaml, README.md).
//!
//! Those files configure the probe through `VPCE_PROBE_*` environment
//! variables. A typo or a renamed flag there is not caught by anything else:
//! clap ignores unknown environment variables, so a stale name silently falls
//! back to a default inside a Fargate task nobody watches. This test asks clap
//! for the binary's options (`Args::command()`, the definition `--help` is
//! printed from) and checks the files against their environment variables:
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
//! * canary.yaml deploys as a service-managed StackSet (no transform, no account
//!   id or Region in it, subnets from SSM), its six subnet slots are identical but
//!   for their index, and its dashboard and saved Logs Insights query name the
//!   metrics, dimension sets and members the probe's EMF lines really carry;
//! * every `<PLACEHOLDER>` in task-definition.json is explained in the README.
//!
//! canary.yaml is checked as text (it is also linted by cfn-lint in
//! `probe-image/lint.sh`). Nothing here touches the network.

// A test that cannot read its inputs should stop with the reason; the crate's
// clippy warnings on unwrap/expect are meant for the probe's own code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;

use clap::CommandFactory;
use common::probe::Probe;
use serde_json::Value;
use vpce_probe::cli::Args;

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

/// Runs the binary in the tests' clean environment plus `env`, so no
/// `VPCE_PROBE_*` of the developer's shell leaks into parsing.
fn run_bin(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    Probe::new()
        .args(args)
        .envs(env)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", common::probe::BIN))
}

/// One option of the command line.
#[derive(Debug, Clone)]
struct Opt {
    /// `--long` name, with the dashes.
    long: String,
    takes_value: bool,
}

/// `VPCE_PROBE_*` env var name → the option it belongs to, as clap defines them.
fn env_vars() -> &'static BTreeMap<String, Opt> {
    static CELL: OnceLock<BTreeMap<String, Opt>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut map = BTreeMap::new();
        for arg in Args::command().get_arguments() {
            let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else {
                continue;
            };
            let env = env.to_string_lossy().into_owned();
            if env.starts_with("VPCE_PROBE_") {
                let opt = Opt {
                    long: format!("--{long}"),
                    takes_value: arg.get_action().takes_values(),
                };
                map.insert(env, opt);
            }
        }
        assert!(
            !map.is_empty(),
            "no option has a VPCE_PROBE_* env var; is clap's `env` feature on?"
        );
        map
    })
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

/// The RunTask overrides JSON of every per-subnet schedule in canary.yaml (the
/// line after each `Input: !Sub`), with `${SubnetId}` filled in.
fn canary_overrides_all(subnet: &str) -> Vec<Value> {
    let canary = read("probe-image/canary.yaml");
    let lines: Vec<&str> = canary.lines().map(str::trim).collect();
    let found: Vec<Value> = lines
        .windows(2)
        .filter(|w| w[0] == "Input: !Sub")
        .map(|w| {
            let json = w[1]
                .strip_prefix("- '")
                .and_then(|s| s.strip_suffix('\''))
                .expect("canary.yaml: an Input's template must be one single-quoted line");
            let json = json.replace("${SubnetId}", subnet);
            serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("canary.yaml Input is not JSON: {e}\n{json}"))
        })
        .collect();
    assert!(
        !found.is_empty(),
        "canary.yaml: no `Input: !Sub` (the RunTask overrides of the schedules)"
    );
    found
}

/// The first schedule's overrides; [`canary_slots_are_uniform`] checks the others
/// are the same.
fn canary_overrides(subnet: &str) -> Value {
    canary_overrides_all(subnet).remove(0)
}

#[test]
fn help_lists_the_documented_env_vars() {
    // The interface the deployment files are written against. A rename here is
    // a breaking change for every deployed task definition and schedule.
    let env = env_vars();
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
            "no option has the env var {name}; the options have {:?}",
            env.keys()
        );
    }
}

/// The house rule of src/cli.rs: a task definition can set every option without a
/// command override.
#[test]
fn every_option_has_an_env_var() {
    for arg in Args::command().get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if ["help", "version"].contains(&long) {
            continue;
        }
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        assert_eq!(
            env.as_deref(),
            Some(format!("VPCE_PROBE_{}", long.to_uppercase().replace('-', "_")).as_str()),
            "--{long}: its env var must be VPCE_PROBE_ and the option's name"
        );
    }
}

#[test]
fn deployment_files_use_only_env_vars_the_binary_knows() {
    let env = env_vars();
    for file in [
        "probe-image/task-definition.json",
        "probe-image/canary.yaml",
        "probe-image/Dockerfile",
        "probe-image/README.md",
    ] {
        for name in probe_env_names(&read(file)) {
            assert!(
                env.contains_key(&name),
                "{file} uses {name}, which is no option's env var \
                 (typo, or a renamed option?). Known: {:?}",
                env.keys()
            );
        }
    }
}

#[test]
fn literal_env_values_are_accepted_by_the_binary() {
    let env = env_vars();
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
            run_bin(&[&opt.long, &value, "--help"], &BTreeMap::new())
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
    // Values canary.yaml builds from its parameters (the target registry account,
    // repository and tag; TargetPlatform; VpcCidrs) and the schedule's override.
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
    let has_check_config = Args::command()
        .get_arguments()
        .any(|a| a.get_long() == Some("check-config"));
    if !has_check_config {
        eprintln!(
            "note: vpce-probe has no --check-config; deployment env values were only checked by clap \
             (literal_env_values_are_accepted_by_the_binary)"
        );
        return;
    }
    for (file, env) in deployment_environments() {
        let out = run_bin(&["--check-config"], &env);
        assert!(
            out.status.success(),
            "{file}: the probe rejects its configuration ({:?}):\n{}\nenvironment: {env:#?}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The subnet slots of canary.yaml are copies of one another but for their index:
/// a fix made to slot 1 only would leave five subnets on the old behaviour.
#[test]
fn canary_slots_are_uniform() {
    let canary = read("probe-image/canary.yaml");
    // A resource's text: its line and everything indented under it.
    let block = |name: &str| -> String {
        let start = canary
            .find(&format!("\n  {name}:\n"))
            .unwrap_or_else(|| panic!("canary.yaml has no resource {name}"))
            + 1;
        let mut out = String::new();
        for (i, l) in canary[start..].lines().enumerate() {
            let comment = l.trim_start().starts_with('#');
            let next = !l.is_empty() && !l.starts_with("   ") && !comment;
            if i > 0 && next {
                break;
            }
            out.push_str(l);
            out.push('\n');
        }
        out
    };
    for kind in ["Schedule", "Alarm"] {
        let first = block(&format!("{kind}1"));
        let pad = |i: usize| {
            format!(
                r#"!Select [{i}, !Split [",", !Join ["", [!Join [",", !Ref Subnets], ",,,,,"]]]]"#
            )
        };
        assert!(
            first.contains(&pad(0)),
            "{kind}1 does not select subnet 0:\n{first}"
        );
        for slot in 2..=6 {
            let this = block(&format!("{kind}{slot}"));
            let normalised = this
                .replace(&format!("{kind}{slot}:"), &format!("{kind}1:"))
                .replace(&format!("    Condition: HasSubnet{slot}\n"), "")
                .replace(&pad(slot - 1), &pad(0));
            let uncommented = |t: &str| {
                t.lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(
                uncommented(&normalised),
                uncommented(&first),
                "{kind}{slot} differs from {kind}1 beyond its index and condition"
            );
            assert!(this.contains(&format!("Condition: HasSubnet{slot}")));
        }
    }
    let all = canary_overrides_all("subnet-0123456789abcdef0");
    assert_eq!(all.len(), 6, "one RunTask override per slot");
    assert!(all.iter().all(|o| *o == all[0]));
}

/// A StackSet with service-managed permissions provisions with a default execution
/// role that can use neither transforms nor nested stacks, and one template serves
/// every account and Region: so no transform, no account id, no Region, and the
/// per-account subnets and security groups come from the account's SSM parameters.
#[test]
fn canary_deploys_as_a_service_managed_stackset() {
    // What the template says, not what its comments say about it.
    let canary: String = read("probe-image/canary.yaml")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    for banned in [
        "Transform:",
        "Fn::ForEach",
        "AWS::CloudFormation::Stack",
        "AWS::Serverless",
    ] {
        assert!(!canary.contains(banned), "canary.yaml uses {banned}");
    }
    let bytes = canary.as_bytes();
    for (i, w) in bytes.windows(12).enumerate() {
        let digits = w.iter().all(u8::is_ascii_digit);
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 12).is_none_or(|b| !b.is_ascii_digit());
        assert!(
            !(digits && bounded),
            "canary.yaml holds an account id: {}",
            String::from_utf8_lossy(w)
        );
    }
    for region in ["us-east-1", "eu-west-1", "us-west-2"] {
        assert!(
            !canary.contains(region),
            "canary.yaml names the Region {region}"
        );
    }
    for (param, ty) in [
        (
            "Subnets",
            "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
        ),
        (
            "SecurityGroups",
            "AWS::SSM::Parameter::Value<List<AWS::EC2::SecurityGroup::Id>>",
        ),
    ] {
        assert!(
            canary.contains(&format!("  {param}:\n    Type: {ty}\n")),
            "{param} must be read from SSM ({ty})"
        );
    }
}

/// The EMF lines of a real run of the binary, labelled as a canary run is, in which
/// every hop fails or is skipped without leaving loopback ([`Probe::failing_run`]).
fn binary_emf_lines() -> Vec<Value> {
    static CELL: OnceLock<Vec<Value>> = OnceLock::new();
    CELL.get_or_init(|| {
        let out = Probe::failing_run()
            .args(["--output", "emf", "--label", "subnet-0123456789abcdef0"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        lines.pop(); // the JSON report
        assert!(!lines.is_empty(), "no EMF lines: {text}");
        lines
    })
    .clone()
}

/// (metric name, its dimension sets) as the probe's EMF lines declare them.
fn emf_metrics(lines: &[Value]) -> Vec<(String, Vec<BTreeSet<String>>)> {
    let mut out = Vec::new();
    for l in lines {
        for d in l["_aws"]["CloudWatchMetrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let sets: Vec<BTreeSet<String>> = d["Dimensions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    s.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .collect();
            for m in d["Metrics"].as_array().into_iter().flatten() {
                out.push((m["Name"].as_str().unwrap().to_owned(), sets.clone()));
            }
        }
    }
    out
}

/// The dashboard graphs metrics the probe emits, with a dimension set it declares
/// (CloudWatch matches a metric by its full set of dimensions, and SEARCH's schema
/// `{Namespace,Dim,...}` likewise).
#[test]
fn canary_dashboard_reads_metrics_the_probe_emits() {
    let canary = read("probe-image/canary.yaml");
    let metrics = emf_metrics(&binary_emf_lines());
    let declared = |name: &str, dims: &[&str]| {
        let want: BTreeSet<String> = dims.iter().map(|d| d.to_string()).collect();
        metrics
            .iter()
            .any(|(n, sets)| n == name && sets.contains(&want))
    };
    let widgets: Vec<&str> = canary
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(r#""type":"metric""#))
        .collect();
    assert_eq!(widgets.len(), 6, "one widget per subnet slot");
    for w in &widgets {
        let body = w.trim_start_matches(',');
        let widget: Value = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("dashboard widget is not JSON ({e}): {body}"));
        for m in widget["properties"]["metrics"].as_array().unwrap() {
            let m = m.as_array().unwrap();
            if let Some(expr) = m[0]["expression"].as_str() {
                // SEARCH('{VpceProbe,HopKind,Label} MetricName="HopDurationMs" ...'
                let schema = expr
                    .split_once('{')
                    .and_then(|(_, r)| r.split_once('}'))
                    .map(|(s, _)| s)
                    .unwrap();
                let mut parts = schema.split(',');
                assert_eq!(parts.next(), Some("VpceProbe"));
                let dims: Vec<&str> = parts.collect();
                let name = expr
                    .split_once("MetricName=\"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map(|(n, _)| n)
                    .unwrap();
                assert!(declared(name, &dims), "{name} with {dims:?} is not emitted");
                assert_eq!(name, "HopDurationMs");
            } else {
                let strs: Vec<&str> = m.iter().filter_map(Value::as_str).collect();
                assert_eq!(strs[0], "VpceProbe");
                let dims: Vec<&str> = strs[2..].iter().step_by(2).copied().collect();
                assert!(
                    declared(strs[1], &dims),
                    "{} with {dims:?} is not emitted",
                    strs[1]
                );
                assert_eq!(strs[1], "ProbeFailed");
            }
        }
    }
}

/// The saved Logs Insights query filters and groups on members the probe's EMF
/// hop lines really carry, with the value they really have for a failed hop.
#[test]
fn canary_query_reads_fields_the_probe_emits() {
    let canary = read("probe-image/canary.yaml");
    let start = canary
        .find("      QueryString: |-\n")
        .expect("canary.yaml: a QueryString block");
    let query: String = canary[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("        "))
        .map(|l| format!("{}\n", l.trim()))
        .collect();
    assert!(query.contains(r#"filter HopVerdict = "fail""#), "{query}");
    let fields: BTreeSet<&str> = query
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
        .collect();
    for want in ["Label", "HopKind", "Hop", "Cause", "HopVerdict"] {
        assert!(
            fields.contains(want),
            "the query does not use {want}: {query}"
        );
    }
    let failed: Vec<Value> = binary_emf_lines()
        .into_iter()
        .filter(|l| l["HopVerdict"] == "fail")
        .collect();
    assert!(!failed.is_empty(), "the failing run has failed hops");
    for l in &failed {
        for f in &fields {
            assert!(l[*f].is_string(), "EMF hop line lacks {f}: {l}");
        }
        let hop = l["Hop"].as_str().unwrap();
        assert!(hop.starts_with(l["HopKind"].as_str().unwrap()), "{l}");
    }
}
