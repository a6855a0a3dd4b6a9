//! The `launch` scenarios (issue 22): `vpce-probe launch` run OUTSIDE the subnets (the
//! host namespace, as on a laptop) against tests/lab/ecs_control.py, the lab's stand-in
//! for the ECS control plane, which runs each probe task in its subnet's namespace
//! (the lab's subnet, 10.0.1.0/24, us-east-1a, and its second one, 10.0.2.0/24,
//! us-east-1b), after pulling the probe image from that subnet through the dkr endpoint
//! and the S3 gateway. The service `app` of cluster `lab` (in moto, through the
//! stand-in) runs the lab's fargate-secrets task definition in both subnets.
//!
//! The stand-in runs the probe binary itself, not one unpacked from the image (the
//! image scenarios do that); the pulled image (lab/single's content pushed as
//! lab/vpce-probe:launch) stands for it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Lab;

const CONTROL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lab/ecs_control.py");
pub const SUBNET_A: &str = "subnet-0a0000000000000a1";
pub const SUBNET_B: &str = "subnet-0b0000000000000b2";
const PROBE_REPO: &str = "lab/vpce-probe";
const PROBE_TAG: &str = "launch";
/// A launch still going after this is killed (its --wait is at most 60 s).
const KILL_AFTER: Duration = Duration::from_secs(150);

pub struct Scenario {
    pub name: &'static str,
    pub why: &'static str,
    fault: Option<&'static str>,
    /// IAM actions the caller lacks.
    deny: &'static [&'static str],
    /// The stand-in holds new tasks in PROVISIONING (capacity slow to come).
    hold: bool,
    probe_tag: &'static str,
    wait: &'static str,
    exit: i32,
    check: fn(&Value, &str, &str) -> Vec<String>,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "launch-healthy",
        why: "a healthy service over two subnets: both pass, cleaned up",
        fault: None,
        deny: &[],
        hold: false,
        probe_tag: PROBE_TAG,
        wait: "90s",
        exit: 0,
        check: |v, _, reqs| {
            let mut bad = outcomes(v, &["pass", "pass"]);
            bad.extend(cleaned_up(reqs));
            bad.extend(azs(v));
            bad
        },
    },
    Scenario {
        name: "launch-subnet2-ssm",
        why: "the ssm endpoint admits only subnet A: A passes, B fails at ssm's tcp hop",
        fault: Some("subnet2-sg-drop-ssm"),
        deny: &[],
        hold: false,
        probe_tag: PROBE_TAG,
        wait: "90s",
        exit: 1,
        check: |v, human, reqs| {
            let mut bad = outcomes(v, &["pass", "fail"]);
            let first = v
                .pointer("/results/1/report/summary/first_failure")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !(first.starts_with("tcp:ssm.") || first.contains("ssm.us-east-1")) {
                bad.push(format!(
                    "subnet B's first failure {first:?}, want ssm's tcp hop"
                ));
            }
            if v.pointer("/results/0/report/verdict") != Some(&json!("pass")) {
                bad.push("subnet A's report is not a pass".into());
            }
            bad.extend(cleaned_up(reqs));
            let _ = human;
            bad
        },
    },
    Scenario {
        name: "launch-probe-pull-fails",
        why: "the dkr endpoint admits only subnet A: B's probe cannot be pulled, its stoppedReason explained",
        fault: Some("subnet2-sg-drop-dkr"),
        deny: &[],
        hold: false,
        probe_tag: PROBE_TAG,
        wait: "90s",
        exit: 1,
        check: |v, _, reqs| {
            let mut bad = outcomes(v, &["pass", "fail"]);
            let reason = v
                .pointer("/results/1/stopped_reason")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !reason.starts_with("CannotPullContainerError") || !reason.contains("i/o timeout") {
                bad.push(format!("subnet B's stopped reason {reason:?}"));
            }
            let explained = v.pointer("/results/1/explained/results/0/recognised");
            if explained != Some(&json!(true)) {
                bad.push(format!("subnet B's reason not explained: {explained:?}"));
            }
            if v.pointer("/results/1/report").is_some() {
                bad.push("subnet B has a report, but its probe never ran".into());
            }
            bad.extend(cleaned_up(reqs));
            bad
        },
    },
    Scenario {
        name: "launch-probe-image-missing",
        why: "the probe image is not in ECR: how to put it there; no task started",
        fault: None,
        deny: &[],
        hold: false,
        probe_tag: "no-such-tag",
        wait: "90s",
        exit: 3,
        check: |v, human, reqs| {
            let mut bad = Vec::new();
            let failure = v
                .get("steps")
                .and_then(Value::as_array)
                .and_then(|s| s.iter().find_map(|st| st.get("failure")))
                .cloned()
                .unwrap_or(Value::Null);
            if failure.get("code") != Some(&json!("ProbeImageMissing")) {
                bad.push(format!("failure {failure}"));
            }
            let msg = failure.get("message").and_then(Value::as_str).unwrap_or("");
            for want in ["docker push", "replication", "pull-through cache"] {
                if !msg.contains(want) {
                    bad.push(format!("the message does not say {want:?}: {msg}"));
                }
            }
            if reqs.contains("RunTask") || reqs.contains("RegisterTaskDefinition") {
                bad.push("a task definition was registered or a task started".into());
            }
            let _ = human;
            bad
        },
    },
    Scenario {
        name: "launch-wait-expiry",
        why: "--wait runs out: the tasks are stopped, the definition cleaned up, exit 3",
        fault: Some("subnet2-sg-drop-ssm"),
        deny: &[],
        hold: true,
        probe_tag: PROBE_TAG,
        wait: "1s",
        exit: 3,
        check: |v, _, reqs| {
            let mut bad = outcomes(v, &["unknown", "unknown"]);
            let why = v.get("interrupted").and_then(Value::as_str).unwrap_or("");
            if !why.contains("--wait") {
                bad.push(format!("interrupted {why:?}"));
            }
            // Two launches (json, then human), two tasks each.
            if reqs.matches(".StopTask 200").count() != 4 {
                bad.push(format!("want 4 StopTask calls:\n{reqs}"));
            }
            if v.pointer("/results/1/summary")
                .and_then(Value::as_str)
                .is_none_or(|s| !s.contains("nothing learned"))
            {
                bad.push("subnet B's summary does not say nothing was learned".into());
            }
            bad.extend(cleaned_up(reqs));
            bad
        },
    },
    Scenario {
        name: "launch-missing-permission",
        why: "the caller lacks ecs:RunTask: named; the registered definition still cleaned up",
        fault: None,
        deny: &["ecs:RunTask"],
        hold: false,
        probe_tag: PROBE_TAG,
        wait: "90s",
        exit: 3,
        check: |v, human, reqs| {
            let mut bad = Vec::new();
            let named = v
                .get("steps")
                .and_then(Value::as_array)
                .map(|s| {
                    s.iter()
                        .filter_map(|st| st.pointer("/failure/missing_permission"))
                        .any(|p| p == "ecs:RunTask")
                })
                .unwrap_or(false);
            if !named {
                bad.push("no step names the missing permission ecs:RunTask".into());
            }
            if !human.contains("missing permission ecs:RunTask") {
                bad.push("the human output does not name ecs:RunTask".into());
            }
            bad.extend(cleaned_up(reqs));
            bad
        },
    },
];

/// Ctrl-C while the tasks are provisioning: launch stops both, deregisters and deletes
/// its task definition, and exits 3 (nothing learned).
pub const CTRL_C: &str = "launch-ctrl-c";

pub fn ctrl_c(lab: &Lab, control: &Control, bin: &str, out_dir: &Path) -> Result<Duration, String> {
    let t0 = Instant::now();
    let hold = control.dir.path().join("hold");
    let reqs_path = control.dir.path().join("requests.log");
    let _ = std::fs::remove_file(&reqs_path);
    std::fs::write(&hold, "").map_err(|e| e.to_string())?;
    let image = format!("{}/{PROBE_REPO}:{PROBE_TAG}", lab.var("LAB_DKR_HOST"));
    let child = launch_command(control, bin, &image, "90s", "json")?;
    let pid = child.id();
    // SIGINT once both tasks are started (the stand-in holds them in PROVISIONING).
    let started = |r: &str| r.matches(".RunTask 200").count() == 2;
    while !started(&std::fs::read_to_string(&reqs_path).unwrap_or_default()) {
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            let _ = std::fs::remove_file(&hold);
            return Err("the tasks were never started".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let run = finish(child);
    let _ = std::fs::remove_file(&hold);
    let (code, stdout, stderr) = run?;
    let _ = std::fs::write(out_dir.join("launch-ctrl-c.json"), &stdout);
    let reqs = control.requests();
    let v: Value =
        serde_json::from_str(&stdout).map_err(|e| format!("stdout ({e}): {stdout}\n{stderr}"))?;
    let mut bad = outcomes(&v, &["unknown", "unknown"]);
    if code != 3 {
        bad.push(format!("exit {code}, want 3"));
    }
    if v.get("interrupted").and_then(Value::as_str) != Some("interrupted (Ctrl-C)") {
        bad.push(format!("interrupted {:?}", v.get("interrupted")));
    }
    if reqs.matches(".StopTask 200").count() != 2 {
        bad.push("want 2 StopTask calls".into());
    }
    bad.extend(cleaned_up(&reqs));
    if bad.is_empty() {
        Ok(t0.elapsed())
    } else {
        Err(format!("{}\nstderr:\n{stderr}", bad.join("\n")))
    }
}

/// The canary as deployed: probe-image/canary.yaml created through the lab's
/// CloudFormation (moto creates the cluster, roles, log group, task definition and
/// dashboard; it accepts but does not model the schedules and alarms), then the task
/// definition that stack registered run by the control plane the way the stack's first
/// schedule would run it (its EcsParameters: FARGATE, LATEST, the first subnet, the
/// security groups, no public IP, the label override), its EMF lines in the stack's log
/// group.
pub const CANARY: &str = "launch-canary-stack";

pub fn canary(lab: &Lab, control: &Control) -> Result<Duration, String> {
    let t0 = Instant::now();
    let ssm = "AmazonSSM.PutParameter";
    for (name, value) in [
        ("/vpce-probe/subnets", format!("{SUBNET_A},{SUBNET_B}")),
        (
            "/vpce-probe/security-groups",
            "sg-0a1b2c3d4e5f60718".to_string(),
        ),
    ] {
        control.call(
            "ssm",
            ssm,
            &json!({"Name": name, "Type": "StringList", "Value": value, "Overwrite": true}),
        )?;
    }
    // CloudFormation speaks the query protocol: straight to moto, scoped to it.
    let template = concat!(env!("CARGO_MANIFEST_DIR"), "/probe-image/canary.yaml");
    let mut form: Vec<String> = vec![
        "Action=CreateStack".into(),
        "Version=2010-05-15".into(),
        "StackName=canary".into(),
        "Capabilities.member.1=CAPABILITY_NAMED_IAM".into(),
        format!("TemplateBody@{template}"),
    ];
    for (i, (k, v)) in [
        ("ProbeRepositoryName", PROBE_REPO),
        ("ProbeImageTag", PROBE_TAG),
        ("TargetRepositoryName", "lab/single"),
        ("TargetImageTag", "v1"),
    ]
    .iter()
    .enumerate()
    {
        form.push(format!("Parameters.member.{}.ParameterKey={k}", i + 1));
        form.push(format!("Parameters.member.{}.ParameterValue={v}", i + 1));
    }
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", lab.var("LAB_AWS_NS"), "curl", "-s", "-f", "-S"])
        .arg("http://127.0.0.1:5000/")
        .args(["-H", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABSEED/20240101/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=0000"]);
    for f in &form {
        cmd.args(["--data-urlencode", f]);
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("StackId") {
        return Err(format!(
            "CreateStack: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let ecs = "AmazonEC2ContainerServiceV20141113";
    let tds = control.call(
        "ecs",
        &format!("{ecs}.ListTaskDefinitions"),
        &json!({"familyPrefix": "canary-vpce-probe"}),
    )?;
    let td = tds["taskDefinitionArns"][0]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let clusters = control.call("ecs", &format!("{ecs}.ListClusters"), &json!({}))?;
    let cluster = clusters["clusterArns"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .filter_map(Value::as_str)
                .find(|a| a.contains("canary-ProbeCluster"))
        })
        .unwrap_or_default()
        .to_string();
    if td.is_empty() || cluster.is_empty() {
        return Err(format!(
            "the stack registered no task definition or cluster: {tds} {clusters}"
        ));
    }
    let run = control.call(
        "ecs",
        &format!("{ecs}.RunTask"),
        &json!({
            "cluster": cluster, "taskDefinition": td, "launchType": "FARGATE",
            "platformVersion": "LATEST", "count": 1,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": [SUBNET_A],
                "securityGroups": ["sg-0a1b2c3d4e5f60718"], "assignPublicIp": "DISABLED"}},
            "overrides": {"containerOverrides": [{"name": "vpce-probe",
                "environment": [{"name": "VPCE_PROBE_LABEL", "value": SUBNET_A}]}]}
        }),
    )?;
    let arn = run["tasks"][0]["taskArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut task = Value::Null;
    while t0.elapsed() < Duration::from_secs(120) {
        let d = control.call(
            "ecs",
            &format!("{ecs}.DescribeTasks"),
            &json!({"cluster": cluster, "tasks": [arn]}),
        )?;
        task = d["tasks"][0].clone();
        if task["lastStatus"] == "STOPPED" {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let mut bad = Vec::new();
    if task["containers"][0]["exitCode"] != json!(0) {
        bad.push(format!("the canary task: {task}"));
    }
    let id = arn.rsplit('/').next().unwrap_or_default();
    let events = control.call(
        "logs",
        "Logs_20140328.GetLogEvents",
        &json!({"logGroupName": "/vpce-probe/canary", "logStreamName": format!("probe/vpce-probe/{id}"), "startFromHead": true}),
    )
    .map_err(|e| format!("{e}\nthe task: {task}"))?;
    let lines: Vec<Value> = events["events"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|ev| ev["message"].as_str())
                .filter_map(|m| serde_json::from_str::<Value>(m).ok())
                .filter(|v| v.get("_aws").is_some())
                .collect()
        })
        .unwrap_or_default();
    match lines.iter().find(|l| l.get("ProbeFailed").is_some()) {
        None => bad.push(format!(
            "no EMF line with ProbeFailed in /vpce-probe/canary: {events}"
        )),
        Some(l) => {
            if l["ProbeFailed"].as_f64() != Some(0.0) || l["Label"] != SUBNET_A {
                bad.push(format!("EMF line {l}"));
            }
        }
    }
    if bad.is_empty() {
        Ok(t0.elapsed())
    } else {
        Err(bad.join("\n"))
    }
}

/// `launch-overhead` (tests/lab/launch_overhead.sh): the healthy launch `runs` times,
/// each run's wall time next to its tasks' run time (RunTask to STOPPED, as the
/// stand-in recorded it); printed, never asserted (the machine is shared and noisy).
pub const OVERHEAD: &str = "launch-overhead";

pub fn overhead(lab: &Lab, control: &Control, bin: &str, runs: usize) -> Result<Duration, String> {
    let t_all = Instant::now();
    let image = format!("{}/{PROBE_REPO}:{PROBE_TAG}", lab.var("LAB_DKR_HOST"));
    let tasks_log = control.dir.path().join("tasks.log");
    println!("     run   launch wall   tasks (RunTask..STOPPED, longest)   overhead");
    let mut overheads = Vec::new();
    for i in 1..=runs {
        let _ = std::fs::remove_file(&tasks_log);
        let t0 = Instant::now();
        let (code, _, err) = launch(control, bin, &image, "90s", "json")?;
        let wall = t0.elapsed().as_secs_f64();
        if code != 0 {
            return Err(format!("run {i}: exit {code}\n{err}"));
        }
        let longest = std::fs::read_to_string(&tasks_log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let f: Vec<f64> = l
                    .split(' ')
                    .skip(1)
                    .filter_map(|x| x.parse().ok())
                    .collect();
                (f.len() == 2).then(|| f[1] - f[0])
            })
            .fold(0.0_f64, f64::max);
        overheads.push(wall - longest);
        println!(
            "     {i:>3}   {wall:>9.2} s   {longest:>9.2} s{:>27.2} s",
            wall - longest
        );
    }
    overheads.sort_by(f64::total_cmp);
    if let Some(median) = overheads.get(overheads.len() / 2) {
        println!(
            "     median overhead {median:.2} s over {runs} runs (2 subnets, polling every 2 s)"
        );
    }
    Ok(t_all.elapsed())
}

/// Where `v` breaks docs/launch.schema.json (none: it validates).
fn schema_errors(v: &Value) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/launch.schema.json");
    let schema: Value = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => return vec![format!("{path}: {e}")],
    };
    match jsonschema::validator_for(&schema) {
        Ok(validator) => validator
            .iter_errors(v)
            .map(|e| format!("schema: {e} at {}", e.instance_path))
            .collect(),
        Err(e) => vec![format!("{path}: {e}")],
    }
}

fn outcomes(v: &Value, want: &[&str]) -> Vec<String> {
    let got: Vec<String> = v
        .get("results")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .map(|x| {
                    x.get("outcome")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    let subnets: Vec<&str> = v
        .get("results")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.get("subnet").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut bad = Vec::new();
    if got != want {
        bad.push(format!("outcomes {got:?}, want {want:?}"));
    }
    if subnets != [SUBNET_A, SUBNET_B] {
        bad.push(format!("subnets {subnets:?}"));
    }
    bad
}

fn azs(v: &Value) -> Vec<String> {
    let got: Vec<&str> = v
        .get("results")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|x| x.get("availability_zone").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if got == ["us-east-1a", "us-east-1b"] {
        Vec::new()
    } else {
        vec![format!("availability zones {got:?}")]
    }
}

fn cleaned_up(reqs: &str) -> Vec<String> {
    let mut bad = Vec::new();
    for call in ["DeregisterTaskDefinition 200", "DeleteTaskDefinitions 200"] {
        if !reqs.contains(call) {
            bad.push(format!("no {call} in the control plane's log:\n{reqs}"));
        }
    }
    bad
}

/// The control-plane stand-in of one lab, stopped (and its tasks killed) on drop.
pub struct Control {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for Control {
    fn drop(&mut self) {
        // SIGTERM by PID: the stand-in kills its tasks' process groups, then exits.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn venv_python() -> String {
    std::env::var("VPCE_LAB_VENV").unwrap_or_else(|_| "/opt/vpce-lab/venv".into()) + "/bin/python3"
}

impl Control {
    pub fn start(lab: &Lab, bin: &str) -> Result<Control, String> {
        let dir = tempfile::Builder::new()
            .prefix("vpce-launch-e2e.")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let port_file = dir.path().join("port");
        let cfg = json!({
            "dir": dir.path(),
            "port_file": port_file,
            "aws_ns": lab.var("LAB_AWS_NS"),
            "lab_dir": lab.var("LAB_DIR"),
            "probe_bin": bin,
            "registry_password": lab.var("LAB_PASSWORD"),
            "python": "python3",
            "subnets": {
                SUBNET_A: {"ns": lab.var("LAB_SUBNET_NS"), "az": "us-east-1a", "ip": "10.0.1.10", "cidr": "10.0.1.0/24"},
                SUBNET_B: {"ns": lab.var("LAB_SUBNET2_NS"), "az": "us-east-1b", "ip": "10.0.2.10", "cidr": "10.0.2.0/24"},
            },
            "extra_env": {"VPCE_PROBE_CA_BUNDLE": lab.var("LAB_CA"), "VPCE_PROBE_TIMEOUT": "2s"},
        });
        let cfg_path = dir.path().join("config.json");
        std::fs::write(&cfg_path, cfg.to_string()).map_err(|e| e.to_string())?;
        let log =
            std::fs::File::create(dir.path().join("control.log")).map_err(|e| e.to_string())?;
        let child = Command::new(venv_python())
            .arg(CONTROL)
            .arg(&cfg_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{CONTROL}: {e}"))?;
        let mut control = Control {
            child,
            port: 0,
            dir,
        };
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                control.port = p.trim().parse().map_err(|e| format!("port: {e}"))?;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if control.port == 0 {
            return Err("the control plane stand-in did not start".into());
        }
        control.seed(lab)?;
        Ok(control)
    }

    /// One JSON-1.1 call, as the CLI would make it (the scope routes it in moto).
    pub fn call(&self, service: &str, target: &str, body: &Value) -> Result<Value, String> {
        let out = Command::new("curl")
            .args(["-s", "-f", "-S"])
            .arg(format!("http://127.0.0.1:{}/", self.port))
            .args(["-H", &format!("X-Amz-Target: {target}")])
            .args(["-H", "Content-Type: application/x-amz-json-1.1"])
            .args(["-H", &format!("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7LABSEED/20240101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0000")])
            .args(["-d", &body.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "{target}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{target}: {e}"))
    }

    /// The cluster, the app's task definition and its service over both subnets; the
    /// probe image pushed to the registry the subnets pull from.
    fn seed(&self, lab: &Lab) -> Result<(), String> {
        let ecs = "AmazonEC2ContainerServiceV20141113";
        self.call(
            "ecs",
            &format!("{ecs}.CreateCluster"),
            &json!({"clusterName": "lab"}),
        )?;
        let td_path = Path::new(lab.var("LAB_TASK_DEFINITIONS")).join("fargate-secrets.json");
        let td: Value = serde_json::from_str(
            &std::fs::read_to_string(&td_path)
                .map_err(|e| format!("{}: {e}", td_path.display()))?,
        )
        .map_err(|e| e.to_string())?;
        self.call("ecs", &format!("{ecs}.RegisterTaskDefinition"), &td)?;
        self.call(
            "ecs",
            &format!("{ecs}.CreateService"),
            &json!({
                "cluster": "lab", "serviceName": "app", "taskDefinition": td["family"],
                "desiredCount": 0, "launchType": "FARGATE", "platformVersion": "1.4.0",
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": [SUBNET_A, SUBNET_B], "securityGroups": ["sg-0a1b2c3d4e5f60718"],
                    "assignPublicIp": "DISABLED"}}
            }),
        )?;
        let creds = format!("AWS:{}", lab.var("LAB_PASSWORD"));
        let policy = Path::new(lab.var("LAB_DIR")).join("images/policy.json");
        let out = Command::new("ip")
            .args(["netns", "exec", lab.var("LAB_AWS_NS"), "skopeo"])
            .arg("--policy")
            .arg(&policy)
            .args([
                "copy",
                "--quiet",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
            ])
            .args(["--src-creds", &creds, "--dest-creds", &creds])
            .arg("docker://127.0.0.1:5001/lab/single:v1")
            .arg(format!("docker://127.0.0.1:5001/{PROBE_REPO}:{PROBE_TAG}"))
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "pushing the probe image: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    fn requests(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("requests.log")).unwrap_or_default()
    }
}

pub fn run(
    lab: &Lab,
    control: &Control,
    bin: &str,
    sc: &Scenario,
    out_dir: &Path,
) -> Result<Duration, String> {
    let t0 = Instant::now();
    let _ = std::fs::remove_file(control.dir.path().join("requests.log"));
    let deny = control.dir.path().join("deny");
    if sc.deny.is_empty() {
        let _ = std::fs::remove_file(&deny);
    } else {
        std::fs::write(&deny, sc.deny.join("\n")).map_err(|e| e.to_string())?;
    }
    let hold = control.dir.path().join("hold");
    if sc.hold {
        std::fs::write(&hold, "").map_err(|e| e.to_string())?;
    }
    if let Some(f) = sc.fault {
        lab.fault(f, true)?;
    }
    let image = format!("{}/{PROBE_REPO}:{}", lab.var("LAB_DKR_HOST"), sc.probe_tag);
    let mut results = Vec::new();
    for output in ["json", "human"] {
        results.push(launch(control, bin, &image, sc.wait, output));
    }
    if let Some(f) = sc.fault {
        lab.fault(f, false)?;
    }
    let _ = std::fs::remove_file(&deny);
    let _ = std::fs::remove_file(&hold);
    let human = results.pop().unwrap_or_else(|| Err("no run".into()))?;
    let json_run = results.pop().unwrap_or_else(|| Err("no run".into()))?;
    let reqs = control.requests();
    let _ = std::fs::write(out_dir.join(format!("{}.json", sc.name)), &json_run.1);
    let _ = std::fs::write(
        out_dir.join(format!("{}.txt", sc.name)),
        format!("{}\n---\n{}", human.1, human.2),
    );
    let v: Value = serde_json::from_str(&json_run.1)
        .map_err(|e| format!("stdout is not JSON ({e}):\n{}\n{}", json_run.1, json_run.2))?;
    let mut bad = schema_errors(&v);
    if json_run.0 != sc.exit || human.0 != sc.exit {
        bad.push(format!(
            "exit {} (json) / {} (human), want {}",
            json_run.0, human.0, sc.exit
        ));
    }
    bad.extend((sc.check)(&v, &human.1, &reqs));
    for secret in lab.secrets() {
        if json_run.1.contains(&secret) || human.1.contains(&secret) || json_run.2.contains(&secret)
        {
            bad.push("a secret is in the output".into());
        }
    }
    if bad.is_empty() {
        Ok(t0.elapsed())
    } else {
        Err(format!(
            "{}\nstderr:\n{}\nhuman:\n{}",
            bad.join("\n"),
            json_run.2,
            human.1
        ))
    }
}

/// One `vpce-probe launch` from the host namespace: (exit, stdout, stderr).
fn launch(
    control: &Control,
    bin: &str,
    image: &str,
    wait: &str,
    output: &str,
) -> Result<(i32, String, String), String> {
    finish(launch_command(control, bin, image, wait, output)?)
}

fn launch_command(
    control: &Control,
    bin: &str,
    image: &str,
    wait: &str,
    output: &str,
) -> Result<Child, String> {
    let home = control.dir.path().join("home");
    let _ = std::fs::create_dir_all(&home);
    Command::new(bin)
        .args([
            "launch",
            "--cluster",
            "lab",
            "--service",
            "app",
            "--probe-image",
            image,
        ])
        .args(["--wait", wait, "--timeout", "20s", "--output", output])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7LABDEV01")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "lab-dev-secret-key-not-checked-by-moto",
        )
        .env("AWS_REGION", "us-east-1")
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", control.port),
        )
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{bin}: {e}"))
}

/// Its exit and output; killed by PID if it runs past [`KILL_AFTER`].
fn finish(child: Child) -> Result<(i32, String, String), String> {
    // Read by a thread, so a full pipe never stalls it.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(KILL_AFTER) {
        Ok(r) => r.map_err(|e| e.to_string())?,
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            return Err(format!("launch still running after {KILL_AFTER:?}: killed"));
        }
    };
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}
