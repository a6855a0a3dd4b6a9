//! End-to-end tests against the "VPC in a box" lab (tests/lab/lab.sh).
//!
//! One lab is brought up per process (name `vpl<pid % 10000>`), every scenario of
//! tests/lab/scenarios/scenarios.json is run serially (faults are lab-global), and the
//! lab is torn down on every exit path: a Drop guard (which also runs while a panic
//! unwinds) plus a watcher started by `lab.sh up` that runs `down` once this process
//! is gone (Ctrl-C, kill).
//!
//! Scenarios are read into typed structs that reject unknown keys, so a typo in
//! scenarios.json fails the suite (naming the scenario and the key) instead of
//! silently weakening a check; that file is checked first, even without root.
//!
//! Each scenario runs the probe inside the subnet namespace with the tests' clean
//! environment (tests/common/probe.rs), parses its JSON report and checks exit code,
//! overall verdict, the
//! expected failing/warning hop and cause, the hops that must still pass, that it ended
//! within its deadline, and that no secret (registry password/token, task credentials,
//! presigned URL parts) appears in stdout or stderr.
//!
//! Then the image scenarios (tests/lab_e2e/image.rs): the container image built with
//! buildah from the static binary, pushed and pulled back through the lab's dkr and S3
//! endpoints, and run with an OCI runtime in the subnet as ECS runs a task.
//!
//! Needs root (network namespaces); without it the target prints a skip notice and
//! `0 passed, 0 failed`. `VPCE_LAB_SKIP=1` skips too. Positional arguments filter
//! scenarios by substring: `cargo test --test lab_e2e -- tls dns`; with `--exact`, by
//! whole name (as libtest's own flag): `-- --exact sg-drop-dkr` runs that one scenario
//! and not `image-canary-sg-drop-dkr`, which would start the static image build.
//! The binary under test: `$VPCE_PROBE_BIN`, else the one Cargo built.
//! Full outputs of each run are kept under `$CARGO_TARGET_TMPDIR/lab-e2e/`.

mod common;
// A file of its own (one job: the image scenarios), not a test target of its own.
#[path = "lab_e2e/image.rs"]
mod image;
#[path = "lab_e2e/image_judge.rs"]
mod image_judge;
#[path = "lab_e2e/launch.rs"]
mod launch;
#[path = "lab_e2e/oci_spec.rs"]
mod oci_spec;
#[path = "lab_e2e/remedy.rs"]
mod remedy;

use common::probe::{Finished, Probe};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

const LAB_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/lab.sh");
const SCENARIOS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/lab/scenarios/scenarios.json"
);
const DEFAULT_DEADLINE_S: u64 = 20;
/// Slack on top of --deadline before a run counts as late (no tight timing asserts).
const DEADLINE_SLACK: Duration = Duration::from_secs(5);
/// A run still going this long after its deadline is killed (bounds the suite).
const KILL_AFTER: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let exact = std::env::args().any(|a| a == "--exact");
    let matches = |name: &str, f: &String| {
        if exact {
            name == f.as_str()
        } else {
            name.contains(f.as_str())
        }
    };
    if std::env::var_os("VPCE_LAB_SKIP").is_some_and(|v| !v.is_empty() && v != "0") {
        println!("lab tests skipped (VPCE_LAB_SKIP set)");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    // The data file first: a typo in it is a failure on every machine.
    let all = match load_scenarios() {
        Ok(s) => s,
        Err(e) => {
            println!("FAIL {SCENARIOS}: {e}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = typos_are_rejected() {
        println!("FAIL unknown keys in scenarios.json: {e}");
        println!("0 passed, 1 failed");
        return ExitCode::FAILURE;
    }
    if !is_root() {
        println!("lab tests need root (network namespaces); skipped");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    let bin = std::env::var("VPCE_PROBE_BIN").unwrap_or_else(|_| common::probe::BIN.to_string());
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lab-e2e");
    let _ = std::fs::create_dir_all(&out_dir);

    let selected: Vec<&Scenario> = all
        .iter()
        .filter(|s| filters.is_empty() || filters.iter().any(|f| matches(&s.name, f)))
        .collect();

    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| matches(name, f));
    let image_runs: Vec<&image::Scenario> =
        image::SCENARIOS.iter().filter(|s| wanted(s.name)).collect();
    let with_image = wanted(image::PULL) || !image_runs.is_empty();
    let launch_runs: Vec<&launch::Scenario> = launch::SCENARIOS
        .iter()
        .filter(|s| wanted(s.name))
        .collect();
    // Only when asked for by name: it prints figures and proves nothing new.
    let with_overhead = filters.iter().any(|f| f == launch::OVERHEAD);
    let with_ctrl_c = wanted(launch::CTRL_C);
    let with_canary = wanted(launch::CANARY);

    if selected.is_empty()
        && !with_image
        && launch_runs.is_empty()
        && !with_overhead
        && !with_ctrl_c
        && !with_canary
    {
        println!("no lab scenario matches {filters:?}");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    // Built before the lab is up: it may mean a static build of some minutes.
    let mut built = with_image.then(image::Image::build);

    // A lab of the same name can only be a leftover of an earlier process with a
    // colliding PID; rather than touch it, use another name.
    let base = format!("vpl{}", std::process::id() % 10000);
    let mut lab = Err(String::new());
    for suffix in ["", "a", "b", "c"] {
        lab = Lab::up(&format!("{base}{suffix}"));
        if !matches!(&lab, Err(e) if e.contains("exists")) {
            break;
        }
    }
    let lab = match lab {
        Ok(l) => l,
        Err(e) => {
            println!("lab up failed: {e}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "lab {} up; probe {bin}; {} scenario(s)",
        lab.name,
        selected.len()
            + usize::from(with_image)
            + image_runs.len()
            + launch_runs.len()
            + usize::from(with_ctrl_c)
            + usize::from(with_canary)
    );

    let (mut passed, mut failed) = (0usize, 0usize);
    let mut tally =
        |name: &str, why: &str, result: std::thread::Result<Result<Duration, String>>| match result
        {
            Ok(Ok(took)) => {
                passed += 1;
                println!("ok   {name} ({:.1} s)", took.as_secs_f64());
            }
            Ok(Err(report)) => {
                failed += 1;
                println!("FAIL {name} ({why})\n{}", indent(&report));
            }
            Err(_) => {
                failed += 1;
                println!("FAIL {name}: panicked");
            }
        };
    for sc in selected {
        // a panic inside one scenario must neither skip the others nor leak the lab
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_scenario(&lab, &bin, sc, &out_dir)
        }));
        tally(&sc.name, &sc.why, result);
    }
    if let Some(built) = built.as_mut() {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let t0 = std::time::Instant::now();
            match built {
                Ok(img) => img.pull(&lab).map(|()| t0.elapsed()),
                Err(e) => Err(format!("building the image: {e}")),
            }
        }));
        tally(
            image::PULL,
            "the image, pushed and pulled back through the endpoints",
            result,
        );
        for sc in image_runs {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match built {
                Ok(img) => img.run(&lab, sc, &out_dir),
                Err(_) => Err("no image (see image-pull)".to_string()),
            }));
            tally(sc.name, sc.why, result);
        }
    }
    if !launch_runs.is_empty() || with_overhead || with_ctrl_c || with_canary {
        match launch::Control::start(&lab, &bin) {
            Ok(control) => {
                for sc in launch_runs {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        launch::run(&lab, &control, &bin, sc, &out_dir)
                    }));
                    tally(sc.name, sc.why, result);
                }
                if with_ctrl_c {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        launch::ctrl_c(&lab, &control, &bin, &out_dir)
                    }));
                    tally(
                        launch::CTRL_C,
                        "Ctrl-C: tasks stopped, definition cleaned up",
                        result,
                    );
                }
                if with_canary {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        launch::canary(&lab, &control)
                    }));
                    tally(
                        launch::CANARY,
                        "canary.yaml deployed, its task run as the schedule would",
                        result,
                    );
                }
                if with_overhead {
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        launch::overhead(&lab, &control, &bin, 5)
                    }));
                    tally(launch::OVERHEAD, "launch's own time, printed", result);
                }
            }
            Err(e) => {
                for sc in launch_runs {
                    tally(
                        sc.name,
                        sc.why,
                        Ok(Err(format!("control plane stand-in: {e}"))),
                    );
                }
            }
        }
    }
    drop(built);
    drop(lab);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

// ------------------------------------------------------------------ scenarios.json

/// The file: its `_doc` (the field reference) and the scenarios, nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(rename = "_doc")]
    _doc: Vec<String>,
    /// Read one by one, so an error can name its scenario.
    scenarios: Vec<Value>,
}

/// One probe run and what its report must show; the fields `_doc` describes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    /// What the scenario models; printed when it fails.
    #[serde(default)]
    why: String,
    /// `lab.sh fault` names, each possibly with an argument (`latency 20`).
    #[serde(default)]
    faults: OneOrMany<String>,
    #[serde(default = "default_image")]
    image: String,
    /// Extra flags, placeholders filled.
    #[serde(default)]
    args: OneOrMany<String>,
    /// Pass `--dns-server <the lab resolver>`.
    #[serde(default = "yes")]
    dns_server: bool,
    /// Variables taken out of the run's environment.
    #[serde(default)]
    env_remove: OneOrMany<String>,
    /// `--deadline`, as whole seconds (`"20s"`).
    #[serde(default, deserialize_with = "seconds")]
    deadline: Option<u64>,
    /// Allowed exit codes; empty: any.
    #[serde(default)]
    exit: OneOrMany<i32>,
    /// Allowed overall verdicts; empty: any.
    #[serde(default)]
    verdict: OneOrMany<String>,
    /// Whether stdout is a JSON report to judge.
    #[serde(default = "yes")]
    json: bool,
    #[serde(default)]
    expect: Vec<Expect>,
    /// Hop ids that must pass.
    #[serde(default)]
    pass: OneOrMany<String>,
    /// Hop ids that must be skipped.
    #[serde(default)]
    skipped: OneOrMany<String>,
    /// Needs of the report (`report.needs`) whose subject starts with `subject`.
    #[serde(default)]
    needs: Vec<ExpectNeed>,
    /// `vpce-probe diff` of this scenario's healthy run (the same arguments, run in the
    /// lab just before its faults are switched on) and this one must say this (issue 21).
    #[serde(default)]
    diff: Option<ExpectDiff>,
    /// What the lab's servers must have seen during the run (`lab.sh counters`):
    /// `tcp_syn_443`, `tls_client_hello`, `dns_queries`, `ecs_requests`, each a total.
    #[serde(default)]
    counts: std::collections::BTreeMap<String, u64>,
}

/// What `vpce-probe diff <healthy> <this>` must say.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectDiff {
    /// The `first_difference` hop id (placeholders filled), or alternatives: hops to
    /// two ENIs come in the order DNS answered. Empty: there must be none.
    #[serde(default)]
    first: OneOrMany<String>,
    /// The `meaning.code`; absent: there must be none.
    #[serde(default)]
    meaning: Option<String>,
    /// Allowed exit codes of `diff` (0: same verdicts, 1: they differ).
    #[serde(default = "verdicts_differ")]
    exit: OneOrMany<i32>,
    /// Whether some hop must (true) or no hop may (false) differ in a timing far
    /// apart (a `*_ms` field); absent: either.
    #[serde(default)]
    far_apart: Option<bool>,
    /// What the healthy run does differently when the fault is not a lab fault but
    /// the scenario's own input (a missing tag, an unset variable).
    #[serde(default)]
    healthy: Healthy,
}

/// Overrides for the healthy run of a `diff` expectation; the rest is the scenario's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Healthy {
    image: Option<String>,
    env_remove: Option<OneOrMany<String>>,
}

fn verdicts_differ() -> OneOrMany<i32> {
    OneOrMany(vec![1])
}

/// A need the report must list, with one of the verdicts (and causes) given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectNeed {
    subject: String,
    #[serde(default)]
    verdict: OneOrMany<String>,
    #[serde(default)]
    cause: OneOrMany<String>,
    /// Texts the need's hint must each contain (the other account a denial names).
    #[serde(default)]
    hint: OneOrMany<String>,
    /// `stops_task` or `degrades`; absent: either.
    #[serde(default)]
    impact: Option<String>,
}

/// A hop (`*`: any hop) whose verdict and cause must each be one of those listed
/// (an empty list allows any).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default = "any_hop")]
    hop: String,
    #[serde(default)]
    verdict: OneOrMany<String>,
    #[serde(default)]
    cause: OneOrMany<String>,
    /// Evidence the hop must show: a dotted path under `evidence`
    /// (`timings.reused_connection`) and its exact value (placeholders substituted), or
    /// `{"at_least": N}` for a number.
    #[serde(default)]
    evidence: std::collections::BTreeMap<String, Value>,
    /// Texts (placeholders filled) that the hop's `remediation[]` must contain, each in
    /// some item; the report's remediation must also pass tests/lab/remedy_check.py
    /// (the AWS CLI, cfn-lint, HCL, policy shape). Issue 21.
    #[serde(default)]
    remediation: OneOrMany<String>,
}

/// A value or a list of them: `"cause": "dns.nxdomain"` and `"cause": ["a", "b"]`.
#[derive(Debug, Deserialize)]
#[serde(from = "OneOrManyWire<T>")]
struct OneOrMany<T>(Vec<T>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrManyWire<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> From<OneOrManyWire<T>> for OneOrMany<T> {
    fn from(w: OneOrManyWire<T>) -> Self {
        match w {
            OneOrManyWire::One(v) => OneOrMany(vec![v]),
            OneOrManyWire::Many(v) => OneOrMany(v),
        }
    }
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<T> std::ops::Deref for OneOrMany<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

fn default_image() -> String {
    "{dkr}/lab/single:v1".into()
}

fn yes() -> bool {
    true
}

fn any_hop() -> String {
    "*".into()
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s = String::deserialize(d)?;
    s.strip_suffix('s')
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("deadline {s:?}: want whole seconds, e.g. \"20s\""))
        })
}

fn load_scenarios() -> Result<Vec<Scenario>, String> {
    let text = std::fs::read_to_string(SCENARIOS).map_err(|e| e.to_string())?;
    parse_scenarios(&text)
}

/// Every scenario, or the first error, naming its scenario (or its position when
/// the name itself is missing).
fn parse_scenarios(text: &str) -> Result<Vec<Scenario>, String> {
    let file: ScenarioFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    file.scenarios
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let name = v["name"]
                .as_str()
                .map(|n| format!("scenario {n:?}"))
                .unwrap_or_else(|| format!("scenario #{}", i + 1));
            serde_json::from_value(v).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// The loader's own check: a misspelt key, at the top of a scenario and inside
/// `expect`, is an error that names the scenario and the key.
fn typos_are_rejected() -> Result<(), String> {
    for (name, key, doc) in [
        (
            "typo-top",
            "fualts",
            r#"{"name": "typo-top", "fualts": ["sg-drop-api"]}"#,
        ),
        (
            "typo-expect",
            "cuase",
            r#"{"name": "typo-expect", "expect": [{"hop": "layer", "cuase": "layer.timeout"}]}"#,
        ),
    ] {
        let text = format!(r#"{{"_doc": [], "scenarios": [{doc}]}}"#);
        match parse_scenarios(&text) {
            Ok(_) => return Err(format!("{doc} was accepted")),
            Err(e) if e.contains(name) && e.contains(&format!("`{key}`")) => {}
            Err(e) => {
                return Err(format!(
                    "{doc}: the error does not name {name} and {key}: {e}"
                ));
            }
        }
    }
    Ok(())
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("     {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ------------------------------------------------------------------ the lab

struct Lab {
    name: String,
    env: BTreeMap<String, String>,
}

impl Lab {
    fn up(name: &str) -> Result<Lab, String> {
        let out = Command::new("bash")
            .arg(LAB_SH)
            .args(["up", name])
            // lab.sh starts a watcher that runs `down` once this process has exited
            .env("LAB_OWNER_PID", std::process::id().to_string())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {LAB_SH}: {e}"))?;
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() && said.contains("exists") {
            return Err(said); // someone else's lab: not ours to tear down
        }
        // from here on the guard owns the (possibly half-built) lab
        let mut lab = Lab {
            name: name.to_string(),
            env: BTreeMap::new(),
        };
        if !out.status.success() {
            return Err(said);
        }
        let env = lab_sh(&["env", name])?;
        for line in env.lines() {
            if let Some((k, v)) = line.split_once('=') {
                lab.env
                    .insert(k.to_string(), v.trim_matches('\'').to_string());
            }
        }
        Ok(lab)
    }

    fn var(&self, k: &str) -> &str {
        self.env.get(k).map(String::as_str).unwrap_or("")
    }

    fn fault(&self, spec: &str, on: bool) -> Result<(), String> {
        let mut parts = spec.split_whitespace();
        let fault = parts.next().unwrap_or("");
        let mut args = vec![
            "fault",
            self.name.as_str(),
            fault,
            if on { "on" } else { "off" },
        ];
        if on {
            args.extend(parts);
        }
        lab_sh(&args).map(|_| ())
    }

    /// Fill the placeholders of scenarios.json.
    fn subst(&self, s: &str) -> String {
        s.replace("{api}", self.var("LAB_API_HOST"))
            .replace("{dkr}", self.var("LAB_DKR_HOST"))
            .replace("{logs}", self.var("LAB_LOGS_HOST"))
            .replace("{s3}", self.var("LAB_S3_HOST"))
            .replace("{ca}", self.var("LAB_CA"))
            .replace("{vpc_cidr}", self.var("LAB_VPC_CIDR"))
            .replace("{td}", self.var("LAB_TASK_DEFINITIONS"))
            .replace("{secret_arn}", self.var("LAB_SECRET_ARN"))
    }

    /// Strings that must never appear in the probe's output.
    fn secrets(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            "LAB_PASSWORD",
            "LAB_TOKEN",
            "LAB_SECRET_ACCESS_KEY",
            "LAB_SESSION_TOKEN",
            // served by moto for GetSecretValue / GetParameter(s): never asked for
            "LAB_SECRET_VALUE",
        ]
        .iter()
        .map(|k| self.var(k).to_string())
        .filter(|s| s.len() >= 8)
        .collect();
        v.extend(
            [
                "X-Amz-Signature",
                "X-Amz-Credential",
                "X-Amz-Security-Token",
            ]
            .map(String::from),
        );
        v
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = lab_sh(&["down", &self.name]);
    }
}

fn lab_sh(args: &[&str]) -> Result<String, String> {
    let out = Command::new("bash")
        .arg(LAB_SH)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run lab.sh: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "lab.sh {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

// ------------------------------------------------------------------ one scenario

/// The counts the lab's servers saw against the scenario's `counts`: connections,
/// handshakes and queries, which do not drift with the machine's load as times do.
fn judge_counts(sc: &Scenario, counted: &str) -> Vec<String> {
    let Ok(seen) = serde_json::from_str::<Value>(counted) else {
        return vec![format!("lab.sh counters gave no JSON: {counted}")];
    };
    sc.counts
        .iter()
        .filter_map(|(key, want)| {
            let got = &seen[key.as_str()]["total"];
            (got.as_u64() != Some(*want)).then(|| {
                format!(
                    "the lab counted {key} = {got}, want {want} ({})",
                    seen[key.as_str()]
                )
            })
        })
        .collect()
}

struct FaultsOn<'a> {
    lab: &'a Lab,
    on: Vec<String>,
}

impl Drop for FaultsOn<'_> {
    fn drop(&mut self) {
        for f in self.on.iter().rev() {
            if let Err(e) = self.lab.fault(f, false) {
                println!("     (could not switch fault {f} off: {e})");
            }
        }
    }
}

/// One probe run of `sc` in the subnet, with `image` and `env_remove` as given (the
/// scenario's own, or its healthy run's), written to `<stem>.stdout|stderr|cmd`.
fn run_probe(
    lab: &Lab,
    bin: &str,
    sc: &Scenario,
    image: &str,
    env_remove: &[String],
    out_dir: &Path,
    stem: &str,
) -> Result<Finished, String> {
    let deadline = sc.deadline.unwrap_or(DEFAULT_DEADLINE_S);
    let mut args: Vec<String> = vec![
        "--image".into(),
        lab.subst(image),
        "--ca-bundle".into(),
        lab.var("LAB_CA").into(),
        "--timeout".into(),
        "2s".into(),
        "--deadline".into(),
        format!("{deadline}s"),
        "--output".into(),
        "json".into(),
    ];
    if sc.dns_server {
        args.extend(["--dns-server".into(), lab.var("LAB_RESOLVER").into()]);
    }
    args.extend(sc.args.iter().map(|a| lab.subst(a)));

    let mut probe = Probe::wrapped(&["ip", "netns", "exec", lab.var("LAB_SUBNET_NS")], bin);
    probe
        .args(&args)
        .env("AWS_REGION", lab.var("LAB_REGION"))
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            lab.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        )
        .env(
            "ECS_CONTAINER_METADATA_URI_V4",
            lab.var("ECS_CONTAINER_METADATA_URI_V4"),
        );
    for k in env_remove {
        probe.env_remove(k);
    }
    let run = probe
        .run_within(Duration::from_secs(deadline) + KILL_AFTER)
        .map_err(|e| format!("cannot start probe: {e}"))?;
    let _ = std::fs::write(out_dir.join(format!("{stem}.stdout")), &run.stdout);
    let _ = std::fs::write(out_dir.join(format!("{stem}.stderr")), &run.stderr);
    let _ = std::fs::write(
        out_dir.join(format!("{stem}.cmd")),
        format!("{}\n", probe.shell_line()),
    );
    Ok(run)
}

fn run_scenario(lab: &Lab, bin: &str, sc: &Scenario, out_dir: &Path) -> Result<Duration, String> {
    let name = sc.name.as_str();
    let deadline = sc.deadline.unwrap_or(DEFAULT_DEADLINE_S);

    // The healthy side of a `diff`: the same run before any fault is on (the guard of
    // the scenario before switched its faults off), so the two differ by the fault
    // alone and not by arguments (a task definition, --check) that add hops.
    let healthy = match &sc.diff {
        Some(want) => {
            let image = want.healthy.image.as_deref().unwrap_or(&sc.image);
            let env_remove = want.healthy.env_remove.as_deref().unwrap_or(&sc.env_remove);
            let stem = format!("{name}.healthy");
            let run = run_probe(lab, bin, sc, image, env_remove, out_dir, &stem)?;
            Some((out_dir.join(format!("{stem}.stdout")), run))
        }
        None => None,
    };

    let mut guard = FaultsOn { lab, on: vec![] };
    for f in sc.faults.iter() {
        // Owned by the guard before it is switched on: a fault that fails half-way
        // (nginx reloaded, then a timeout) must still be switched off.
        guard.on.push(f.clone());
        lab.fault(f, true)?;
    }
    if !sc.counts.is_empty() {
        lab_sh(&["counters", &lab.name, "--reset"])?;
    }
    let run = run_probe(lab, bin, sc, &sc.image, &sc.env_remove, out_dir, name)?;
    let counted = if sc.counts.is_empty() {
        None
    } else {
        Some(lab_sh(&["counters", &lab.name])?)
    };
    drop(guard); // faults off before judging, so a failed check cannot leave one on

    let mut problems = judge(lab, sc, &run, deadline);
    if let Some(counted) = counted {
        problems.extend(judge_counts(sc, &counted));
    }
    if sc.expect.iter().any(|e| !e.remediation.is_empty()) {
        problems.extend(remedy::valid(&run.stdout));
    }
    if let (Some(want), Some((path, healthy))) = (&sc.diff, &healthy) {
        problems.extend(remedy::judge_healthy(lab, healthy));
        problems.extend(remedy::judge_diff(lab, bin, path, out_dir, name, want));
    }
    if problems.is_empty() {
        Ok(run.took)
    } else {
        Err(format!("{}\n{}", problems.join("\n"), describe(&run)))
    }
}

fn judge(lab: &Lab, sc: &Scenario, run: &Finished, deadline: u64) -> Vec<String> {
    let mut p = Vec::new();

    if run.killed {
        p.push(format!(
            "killed after {:.1} s (deadline {deadline} s)",
            run.took.as_secs_f64()
        ));
    } else if run.took > Duration::from_secs(deadline) + DEADLINE_SLACK {
        p.push(format!(
            "took {:.1} s, past --deadline {deadline}s",
            run.took.as_secs_f64()
        ));
    }

    let both = format!("{}\n{}", run.stdout, run.stderr);
    let lower = both.to_ascii_lowercase();
    for s in lab.secrets() {
        if lower.contains(&s.to_ascii_lowercase()) {
            let shown = if s.starts_with("X-Amz-") {
                s.clone()
            } else {
                format!("{}…", &s[..4.min(s.len())])
            };
            p.push(format!("output contains a secret: {shown}"));
        }
    }

    // No value-returning API was ever called through the lab's service endpoints.
    let calls = std::fs::read_to_string(lab.var("LAB_SERVICES_LOG")).unwrap_or_default();
    for api in crate_value_returning_apis() {
        if calls.contains(&format!("target={api} ")) {
            p.push(format!(
                "the probe called {api}, which returns a secret's value"
            ));
        }
    }

    let exits = &sc.exit;
    if !exits.is_empty() && !run.code.is_some_and(|c| exits.contains(&c)) {
        p.push(format!(
            "exit code {:?}, want one of {:?}",
            run.code, exits.0
        ));
    }

    if !sc.json {
        return p;
    }
    let report: Value = match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => {
            p.push(format!("stdout is not a JSON report: {e}"));
            return p;
        }
    };
    if report["schema_version"] != 1 {
        p.push(format!(
            "schema_version {}, want 1",
            report["schema_version"]
        ));
    }
    let verdicts = &sc.verdict;
    let verdict = report["verdict"].as_str().unwrap_or("<none>");
    if !verdicts.is_empty() && !verdicts.iter().any(|v| v == verdict) {
        p.push(format!("verdict {verdict}, want one of {:?}", verdicts.0));
    }
    let hops: Vec<Value> = report["hops"].as_array().cloned().unwrap_or_default();
    let hop = |id: &str| hops.iter().find(|h| h["id"] == id);

    for e in &sc.expect {
        let id = lab.subst(&e.hop);
        let (want_v, want_c) = (&e.verdict.0, &e.cause.0);
        let fits = |h: &Value| {
            (want_v.is_empty() || want_v.iter().any(|v| h["verdict"] == v.as_str()))
                && (want_c.is_empty() || want_c.iter().any(|c| h["cause"] == c.as_str()))
        };
        if id == "*" {
            if !hops.iter().any(fits) {
                p.push(format!(
                    "no hop with verdict {want_v:?} and cause {want_c:?}"
                ));
            }
        } else {
            match hop(&id) {
                None => p.push(format!("hop {id} missing (want {want_v:?} {want_c:?})")),
                Some(h) if !fits(h) => p.push(format!(
                    "hop {id}: verdict {} cause {}, want {want_v:?} {want_c:?}",
                    h["verdict"], h["cause"]
                )),
                Some(h) => {
                    let texts: Vec<&str> = h["remediation"]
                        .as_array()
                        .map(|v| v.iter().filter_map(|r| r["text"].as_str()).collect())
                        .unwrap_or_default();
                    for want in e.remediation.iter().map(|w| lab.subst(w)) {
                        if !texts.iter().any(|t| t.contains(&want)) {
                            p.push(format!(
                                "hop {id}: no remediation contains {want:?}; it has {texts:#?}"
                            ));
                        }
                    }
                    for (path, want) in &e.evidence {
                        let got = path.split('.').fold(&h["evidence"], |v, key| &v[key]);
                        // {"at_least": N}: a floor, for a figure the lab fixes from
                        // below (the relay's delay) and load can only raise.
                        if let Some(floor) = want.get("at_least").and_then(Value::as_f64) {
                            if !got.as_f64().is_some_and(|g| g >= floor) {
                                p.push(format!(
                                    "hop {id}: evidence.{path} is {got}, want at least {floor}"
                                ));
                            }
                            continue;
                        }
                        let want = match want {
                            Value::String(s) => Value::String(lab.subst(s)),
                            other => other.clone(),
                        };
                        if *got != want {
                            p.push(format!("hop {id}: evidence.{path} is {got}, want {want}"));
                        }
                    }
                }
            }
        }
    }
    for id in sc.pass.iter().map(|s| lab.subst(s)) {
        match hop(&id) {
            None => p.push(format!("hop {id} missing (want pass)")),
            Some(h) if h["verdict"] != "pass" => p.push(format!(
                "hop {id}: verdict {} cause {}, want pass",
                h["verdict"], h["cause"]
            )),
            Some(_) => {}
        }
    }
    for id in sc.skipped.iter().map(|s| lab.subst(s)) {
        if !hop(&id).is_some_and(|h| h["verdict"] == "skipped") {
            p.push(format!("hop {id} not skipped"));
        }
    }
    let needs: Vec<Value> = report["needs"].as_array().cloned().unwrap_or_default();
    for want in &sc.needs {
        let subject = lab.subst(&want.subject);
        let found = needs.iter().find(|n| {
            n["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with(&subject))
        });
        let ok = |n: &Value| {
            (want.verdict.is_empty() || want.verdict.iter().any(|v| n["verdict"] == v.as_str()))
                && (want.cause.is_empty() || want.cause.iter().any(|c| n["cause"] == c.as_str()))
                && want
                    .hint
                    .iter()
                    .all(|t| n["hint"].as_str().is_some_and(|h| h.contains(t.as_str())))
                && want
                    .impact
                    .as_ref()
                    .is_none_or(|i| n["impact"] == i.as_str())
        };
        match found {
            None => p.push(format!(
                "no need {subject:?} in {:?}",
                needs
                    .iter()
                    .map(|n| n["subject"].clone())
                    .collect::<Vec<_>>()
            )),
            Some(n) if !ok(n) => p.push(format!(
                "need {subject:?}: verdict {} cause {} impact {} hint {}, want {:?} {:?} {:?} {:?}",
                n["verdict"],
                n["cause"],
                n["impact"],
                n["hint"],
                want.verdict.0,
                want.cause.0,
                want.impact,
                want.hint.0
            )),
            Some(_) => {}
        }
    }
    // report invariants worth flagging whatever the scenario
    for h in &hops {
        let v = h["verdict"].as_str().unwrap_or("");
        if (v == "warn" || v == "fail") && h["cause"].as_str().is_none() {
            p.push(format!("hop {} is {v} without a cause", h["id"]));
        }
        if v == "skipped" && h["skipped_because"].as_str().is_none() {
            p.push(format!("hop {} skipped without skipped_because", h["id"]));
        }
    }
    p
}

/// The API calls that return a secret's value (the crate's own list).
fn crate_value_returning_apis() -> &'static [&'static str] {
    vpce_probe::aws::VALUE_RETURNING_APIS
}

/// What the probe said, compactly: exit, verdict, every hop, stderr tail.
fn describe(run: &Finished) -> String {
    let mut s = format!("exit {:?} after {:.1} s", run.code, run.took.as_secs_f64());
    match serde_json::from_str::<Value>(&run.stdout) {
        Ok(r) => {
            s.push_str(&format!("; verdict {}\n", r["verdict"]));
            for h in r["hops"].as_array().cloned().unwrap_or_default() {
                s.push_str(&format!(
                    "  {:<70} {:<8}",
                    h["id"].as_str().unwrap_or("?"),
                    h["verdict"].as_str().unwrap_or("?")
                ));
                if let Some(c) = h["cause"].as_str() {
                    s.push_str(&format!(" {c}"));
                }
                if let Some(b) = h["skipped_because"].as_str() {
                    s.push_str(&format!(" (after {b})"));
                }
                if let Some(hint) = h["hint"].as_str() {
                    s.push_str(&format!(
                        " — {}",
                        hint.chars().take(160).collect::<String>()
                    ));
                }
                s.push('\n');
            }
        }
        Err(_) => {
            s.push_str("\nstdout: ");
            s.push_str(&run.stdout.chars().take(600).collect::<String>());
            s.push('\n');
        }
    }
    let tail: Vec<&str> = run.stderr.lines().rev().take(8).collect();
    if !tail.is_empty() {
        s.push_str("stderr (last lines):\n");
        for l in tail.iter().rev() {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s
}
