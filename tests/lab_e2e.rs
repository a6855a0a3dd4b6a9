//! End-to-end tests against the "VPC in a box" lab (tests/lab/lab.sh).
//!
//! One lab is brought up per process (name `vpl<pid % 10000>`), every scenario of
//! tests/lab/scenarios/scenarios.json is run serially (faults are lab-global), and the
//! lab is torn down on every exit path: a Drop guard (which also runs while a panic
//! unwinds) plus a watcher started by `lab.sh up` that runs `down` once this process
//! is gone (Ctrl-C, kill).
//!
//! Each scenario runs the probe inside the subnet namespace with a cleared
//! environment, parses its JSON report and checks exit code, overall verdict, the
//! expected failing/warning hop and cause, the hops that must still pass, that it ended
//! within its deadline, and that no secret (registry password/token, task credentials,
//! presigned URL parts) appears in stdout or stderr.
//!
//! Needs root (network namespaces); without it the target prints a skip notice and
//! `0 passed, 0 failed`. `VPCE_LAB_SKIP=1` skips too. Positional arguments filter
//! scenarios by substring: `cargo test --test lab_e2e -- tls dns`.
//! The binary under test: `$VPCE_PROBE_BIN`, else the one Cargo built.
//! Full outputs of each run are kept under `$CARGO_TARGET_TMPDIR/lab-e2e/`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

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
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if std::env::var_os("VPCE_LAB_SKIP").is_some_and(|v| !v.is_empty() && v != "0") {
        println!("lab tests skipped (VPCE_LAB_SKIP set)");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    if !is_root() {
        println!("lab tests need root (network namespaces); skipped");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    let bin = std::env::var("VPCE_PROBE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_vpce-probe").to_string());
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lab-e2e");
    let _ = std::fs::create_dir_all(&out_dir);

    let all = match load_scenarios() {
        Ok(s) => s,
        Err(e) => {
            println!("cannot read {SCENARIOS}: {e}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let selected: Vec<&Value> = all
        .iter()
        .filter(|s| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|f| s["name"].as_str().unwrap_or("").contains(f.as_str()))
        })
        .collect();

    if selected.is_empty() {
        println!("no lab scenario matches {filters:?}");
        println!("0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }

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
    );

    let (mut passed, mut failed) = (0usize, 0usize);
    for sc in selected {
        let name = sc["name"].as_str().unwrap_or("?").to_string();
        // a panic inside one scenario must neither skip the others nor leak the lab
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_scenario(&lab, &bin, sc, &out_dir)
        }));
        match result {
            Ok(Ok(took)) => {
                passed += 1;
                println!("ok   {name} ({:.1} s)", took.as_secs_f64());
            }
            Ok(Err(report)) => {
                failed += 1;
                println!("FAIL {name}\n{}", indent(&report));
            }
            Err(_) => {
                failed += 1;
                println!("FAIL {name}: panicked");
            }
        }
    }
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

fn load_scenarios() -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(SCENARIOS).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["scenarios"]
        .as_array()
        .cloned()
        .ok_or_else(|| "no \"scenarios\" array".to_string())
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
    }

    /// Strings that must never appear in the probe's output.
    fn secrets(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            "LAB_PASSWORD",
            "LAB_TOKEN",
            "LAB_SECRET_ACCESS_KEY",
            "LAB_SESSION_TOKEN",
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

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    killed: bool,
}

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

fn parse_secs(s: &str) -> u64 {
    s.trim_end_matches('s')
        .parse()
        .unwrap_or(DEFAULT_DEADLINE_S)
}

fn run_scenario(lab: &Lab, bin: &str, sc: &Value, out_dir: &Path) -> Result<Duration, String> {
    let name = sc["name"].as_str().unwrap_or("?");
    let deadline = sc["deadline"]
        .as_str()
        .map(parse_secs)
        .unwrap_or(DEFAULT_DEADLINE_S);

    let mut guard = FaultsOn { lab, on: vec![] };
    for f in strs(&sc["faults"]) {
        lab.fault(&f, true)?;
        guard.on.push(f);
    }

    let image = lab.subst(sc["image"].as_str().unwrap_or("{dkr}/lab/single:v1"));
    let mut args: Vec<String> = vec![
        "--image".into(),
        image,
        "--ca-bundle".into(),
        lab.var("LAB_CA").into(),
        "--timeout".into(),
        "2s".into(),
        "--deadline".into(),
        format!("{deadline}s"),
        "--output".into(),
        "json".into(),
    ];
    if sc["dns_server"].as_bool().unwrap_or(true) {
        args.extend(["--dns-server".into(), lab.var("LAB_RESOLVER").into()]);
    }
    args.extend(strs(&sc["args"]).iter().map(|a| lab.subst(a)));

    let mut env: BTreeMap<&str, String> = BTreeMap::new();
    env.insert("PATH", PATH.into());
    env.insert("AWS_REGION", lab.var("LAB_REGION").into());
    // The lab has no instance metadata service: without this, a run with no other
    // credentials would send the SDK's IMDS probe to 169.254.169.254, an address
    // outside the lab.
    env.insert("AWS_EC2_METADATA_DISABLED", "true".into());
    env.insert(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        lab.var("AWS_CONTAINER_CREDENTIALS_FULL_URI").into(),
    );
    env.insert(
        "ECS_CONTAINER_METADATA_URI_V4",
        lab.var("ECS_CONTAINER_METADATA_URI_V4").into(),
    );
    for k in strs(&sc["env_remove"]) {
        env.remove(k.as_str());
    }

    let run = run_probe(lab, bin, &args, &env, Duration::from_secs(deadline))?;
    drop(guard); // faults off before judging, so a failed check cannot leave one on

    let _ = std::fs::write(out_dir.join(format!("{name}.stdout")), &run.stdout);
    let _ = std::fs::write(out_dir.join(format!("{name}.stderr")), &run.stderr);
    let _ = std::fs::write(
        out_dir.join(format!("{name}.cmd")),
        format!(
            "ip netns exec {} env -i {} {bin} {}\n",
            lab.var("LAB_SUBNET_NS"),
            env.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            args.join(" ")
        ),
    );

    let problems = judge(lab, sc, &run, deadline);
    if problems.is_empty() {
        Ok(run.took)
    } else {
        Err(format!("{}\n{}", problems.join("\n"), describe(&run)))
    }
}

fn run_probe(
    lab: &Lab,
    bin: &str,
    args: &[String],
    env: &BTreeMap<&str, String>,
    deadline: Duration,
) -> Result<Run, String> {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", lab.var("LAB_SUBNET_NS"), bin])
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start probe: {e}"))?;
    let mut so = child.stdout.take().ok_or("no stdout")?;
    let mut se = child.stderr.take().ok_or("no stderr")?;
    let t_out = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let t_err = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let mut killed = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > deadline + KILL_AFTER => {
                let _ = child.kill();
                killed = true;
                break child.wait().map_err(|e| e.to_string())?;
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let took = start.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Ok(Run {
        code: status.code(),
        stdout,
        stderr,
        took,
        killed,
    })
}

fn judge(lab: &Lab, sc: &Value, run: &Run, deadline: u64) -> Vec<String> {
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

    let exits: Vec<i64> = sc["exit"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let code = run.code.map(i64::from);
    if !exits.is_empty() && !code.is_some_and(|c| exits.contains(&c)) {
        p.push(format!("exit code {code:?}, want one of {exits:?}"));
    }

    if !sc["json"].as_bool().unwrap_or(true) {
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
    let verdicts = strs(&sc["verdict"]);
    let verdict = report["verdict"].as_str().unwrap_or("<none>");
    if !verdicts.is_empty() && !verdicts.iter().any(|v| v == verdict) {
        p.push(format!("verdict {verdict}, want one of {verdicts:?}"));
    }
    let hops: Vec<Value> = report["hops"].as_array().cloned().unwrap_or_default();
    let hop = |id: &str| hops.iter().find(|h| h["id"] == id);

    for e in sc["expect"].as_array().cloned().unwrap_or_default() {
        let id = lab.subst(e["hop"].as_str().unwrap_or("*"));
        let want_v = strs(&e["verdict"]);
        let want_c = strs(&e["cause"]);
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
                Some(_) => {}
            }
        }
    }
    for id in strs(&sc["pass"]).iter().map(|s| lab.subst(s)) {
        match hop(&id) {
            None => p.push(format!("hop {id} missing (want pass)")),
            Some(h) if h["verdict"] != "pass" => p.push(format!(
                "hop {id}: verdict {} cause {}, want pass",
                h["verdict"], h["cause"]
            )),
            Some(_) => {}
        }
    }
    for id in strs(&sc["skipped"]).iter().map(|s| lab.subst(s)) {
        if !hop(&id).is_some_and(|h| h["verdict"] == "skipped") {
            p.push(format!("hop {id} not skipped"));
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

/// What the probe said, compactly: exit, verdict, every hop, stderr tail.
fn describe(run: &Run) -> String {
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
