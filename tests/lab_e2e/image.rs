//! The image scenarios: the probe as users deploy it, an image, pulled and run the way
//! ECS runs a task, inside the lab's subnet.
//!
//! [`Image::build`] (before the lab is up): the static binary of
//! `probe-image/build-static.sh` (or `$VPCE_IMAGE_BIN`) and a Debian CA bundle go into
//! a build context, and buildah (vfs storage in a temporary directory) builds
//! `probe-image/Dockerfile` with `--build-arg BINARY=prebuilt`: scratch, the two files,
//! the Dockerfile's ENV, USER and ENTRYPOINT. No daemon, no base image to pull.
//!
//! `image-pull`: skopeo pushes it from the subnet namespace through the lab's dkr
//! endpoint (ECR's data plane there) as `lab/vpce-probe:e2e` and pulls it back the way
//! the ECS agent does, manifest from dkr and every blob through the 307 to the S3
//! gateway (the access log must show both), and umoci unpacks it. The rootfs must hold
//! the binary and the bundle only (no shell), the config uid 65532 and the entry point.
//!
//! The runs: the OCI runtime (crun; runc where crun cannot run containers, e.g. on a
//! host with hybrid cgroups) starts the unpacked image in the subnet's network
//! namespace (by its path, as awsvpc gives a task the subnet's ENI) with what
//! `probe-image/task-definition.json` asks for: read-only root file system, its user,
//! every capability dropped, and its environment with the lab's values for the
//! placeholders. On top, what ECS provides (region, the credential and metadata
//! endpoints: the lab's stand-ins on the subnet's loopback, resolv.conf, /etc/hosts)
//! and what a user adds for a private CA (the lab CA mounted read-only,
//! `VPCE_PROBE_CA_BUNDLE`). The container's stdout is the report.
//!
//! Everything lives in one temporary directory (storage, layouts, bundles, runtime
//! state), removed on drop; containers are deleted by id after each run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Lab;
use crate::common::probe::Probe;
use crate::image_judge::judge;
use crate::oci_spec::{apply_task_definition, container_spec, push_mount};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const TAG: &str = "e2e";
/// The repository lab.sh serves without seeding it (`PUSHED_REPOS`).
const REPOSITORY: &str = "lab/vpce-probe";
/// The Debian ca-certificates bundle, what the Dockerfile's builder stage copies.
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Where the lab CA is mounted in the container.
const LAB_CA_IN_CONTAINER: &str = "/etc/vpce-probe/lab-ca.pem";
/// The canary's label: a subnet id, as the schedule's override sets it.
pub const SUBNET_LABEL: &str = "subnet-0e2e0000000000001";
/// The app whose pull path the task probes, and its task definition (lab.sh's copy).
const TARGET_REPOSITORY: &str = "lab/single";
const TARGET_TAG: &str = "v1";
const APP_TASK_DEFINITION: &str = "fargate-secrets.json";
/// The role the ECS stand-in's credentials belong to (tests/lab/task-definitions).
const APP_EXECUTION_ROLE: &str = "probe-exec";
/// A run still going after this is killed (the task definition's deadline is 30 s).
pub const RUN_LIMIT: Duration = Duration::from_secs(90);
const TOOLS: [&str; 4] = ["buildah", "skopeo", "umoci", "crun"];

/// How one image scenario runs the container and what its output must show.
pub struct Scenario {
    pub name: &'static str,
    pub why: &'static str,
    pub fault: Option<&'static str>,
    /// The canary's environment (emf, label) instead of the one-off task's (json).
    pub canary: bool,
    pub exit: i32,
    pub verdict: &'static str,
    /// A hop that must fail with this cause, and the EMF hop kind that says so.
    pub failing: Option<(&'static str, &'static str, &'static str)>,
}

/// `image-pull` first: the runs need its rootfs.
pub const PULL: &str = "image-pull";

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "image-task-definition",
        why: "the image run as task-definition.json runs it: a healthy subnet passes",
        fault: None,
        canary: false,
        exit: 0,
        verdict: "pass",
        failing: None,
    },
    Scenario {
        name: "image-canary",
        why: "the image run as canary.yaml runs it (emf, label): ProbeFailed=0",
        fault: None,
        canary: true,
        exit: 0,
        verdict: "pass",
        failing: None,
    },
    Scenario {
        name: "image-canary-sg-drop-dkr",
        why: "the canary in a subnet the dkr endpoint's security group does not admit",
        fault: Some("sg-drop-dkr"),
        canary: true,
        exit: 1,
        verdict: "fail",
        failing: Some(("tcp:{dkr}@10.0.1.102", "tcp.timeout", "tcp")),
    },
];

pub struct Image {
    work: tempfile::TempDir,
    /// The built image, as an OCI layout `<dir>:e2e`.
    layout: PathBuf,
    /// Set by [`Image::pull`]: the unpacked rootfs and the runtime that can run it.
    pulled: Option<(PathBuf, &'static str)>,
}

impl Image {
    /// Builds the image; prints what it did on the way (the static build can take minutes).
    pub fn build() -> Result<Image, String> {
        let missing: Vec<&str> = TOOLS.iter().copied().filter(|t| !on_path(t)).collect();
        if !missing.is_empty() {
            return Err(format!(
                "missing {missing:?}: tests/lab/install.sh installs them"
            ));
        }
        let work = tempfile::Builder::new()
            .prefix("vpce-image-e2e.")
            .tempdir()
            .map_err(|e| format!("temporary directory: {e}"))?;
        let bin = static_binary()?;
        let ctx = work.path().join("ctx");
        let dist = ctx.join("probe-image/dist");
        std::fs::create_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
        copy(&bin, &dist.join("vpce-probe"))?;
        copy(Path::new(CA_BUNDLE), &dist.join("ca-certificates.crt"))?;

        let t0 = Instant::now();
        let name = format!("localhost/vpce-probe:{TAG}");
        let dockerfile = format!("{REPO}/probe-image/Dockerfile");
        let mut build = buildah(work.path());
        build
            .args(["build", "--quiet", "--build-arg", "BINARY=prebuilt"])
            .args(["-f", &dockerfile, "-t", &name])
            .arg(&ctx);
        run(&mut build)?;
        let layout = work.path().join("built");
        let mut push = buildah(work.path());
        push.args(["push", "--quiet", &name])
            .arg(format!("oci:{}:{TAG}", layout.display()));
        run(&mut push)?;
        println!(
            "image: built from {} in {:.1} s",
            bin.display(),
            t0.elapsed().as_secs_f64()
        );
        Ok(Image {
            work,
            layout,
            pulled: None,
        })
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    /// `image-pull`: push through dkr, pull back through dkr and S3, unpack, check.
    pub fn pull(&mut self, lab: &Lab) -> Result<(), String> {
        let certs = self.path("certs");
        std::fs::create_dir_all(&certs).map_err(|e| e.to_string())?;
        // skopeo's cert dirs take *.crt files as CAs.
        copy(Path::new(lab.var("LAB_CA")), &certs.join("lab-ca.crt"))?;
        let policy = self.path("policy.json");
        std::fs::write(
            &policy,
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        )
        .map_err(|e| e.to_string())?;
        let creds = format!("AWS:{}", lab.var("LAB_PASSWORD"));
        let remote = format!("docker://{}/{REPOSITORY}:{TAG}", lab.var("LAB_DKR_HOST"));
        let log = PathBuf::from(lab.var("LAB_DIR")).join("log/nginx-access.log");
        let log_before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);

        let skopeo = |args: &[&str]| {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", lab.var("LAB_SUBNET_NS"), "skopeo"])
                .arg("--policy")
                .arg(&policy)
                .arg("--tmpdir")
                .arg(self.work.path())
                .args(["copy", "--quiet"])
                .args(args);
            run(&mut c)
        };
        let certs = certs.display().to_string();
        skopeo(&[
            "--dest-cert-dir",
            &certs,
            "--dest-creds",
            &creds,
            &format!("oci:{}:{TAG}", self.layout.display()),
            &remote,
        ])?;
        let pulled = self.path("pulled");
        skopeo(&[
            "--src-cert-dir",
            &certs,
            "--src-creds",
            &creds,
            &remote,
            &format!("oci:{}:{TAG}", pulled.display()),
        ])?;
        pull_went_through_the_endpoints(&log, log_before)?;

        let bundle = self.path("unpacked");
        let mut unpack = Command::new("umoci");
        unpack
            .args(["unpack", "--image"])
            .arg(format!("{}:{TAG}", pulled.display()))
            .arg(&bundle);
        run(&mut unpack)?;
        let rootfs = bundle.join("rootfs");
        image_is_minimal(&bundle, &rootfs)?;
        let (runtime, passed_over) = self.pick_runtime(&rootfs)?;
        println!("image: pulled through dkr and S3, unpacked; runtime {runtime}{passed_over}");
        self.pulled = Some((rootfs, runtime));
        Ok(())
    }

    /// crun, unless it cannot start a container on this host; then runc. Each is tried
    /// with the image's own `--version`, which needs no network. Also says why a
    /// runtime was passed over.
    fn pick_runtime(&self, rootfs: &Path) -> Result<(&'static str, String), String> {
        let mut said = Vec::new();
        for runtime in ["crun", "runc"] {
            if !on_path(runtime) {
                said.push(format!("{runtime}: not installed"));
                continue;
            }
            let spec = container_spec(rootfs, &["/vpce-probe", "--version"], &[], None)?;
            match self.run_container(runtime, "version", &spec) {
                Ok(r) if r.code == Some(0) && r.stdout.starts_with("vpce-probe ") => {
                    let why = if said.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", said.join("; "))
                    };
                    return Ok((runtime, why));
                }
                Ok(r) => said.push(format!("{runtime}: exit {:?}: {}", r.code, r.stderr.trim())),
                Err(e) => said.push(format!("{runtime}: {e}")),
            }
        }
        Err(format!(
            "no OCI runtime runs the image: {}",
            said.join("; ")
        ))
    }

    /// One container from `spec`, bounded by [`RUN_LIMIT`], deleted afterwards.
    fn run_container(
        &self,
        runtime: &str,
        name: &str,
        spec: &Value,
    ) -> Result<crate::common::probe::Finished, String> {
        let bundle = self.path(&format!("bundle-{name}"));
        std::fs::create_dir_all(&bundle).map_err(|e| e.to_string())?;
        let config = serde_json::to_string_pretty(spec).map_err(|e| e.to_string())?;
        std::fs::write(bundle.join("config.json"), config).map_err(|e| e.to_string())?;
        let state = self.path("runtime-state").display().to_string();
        let id = format!("vpce-e2e-{}-{name}", std::process::id());
        let bundle = bundle.display().to_string();
        // The runtime is started like the probe in the other scenarios (a clean
        // environment, bounded); the container's own environment is the spec's.
        let mut c = Probe::wrapped(
            &[
                runtime,
                "--root",
                state.as_str(),
                "run",
                "--bundle",
                bundle.as_str(),
            ],
            &id,
        );
        let finished = c
            .run_within(RUN_LIMIT)
            .map_err(|e| format!("{runtime}: {e}"));
        // Whatever happened: no container of ours stays behind.
        for args in [
            ["kill", id.as_str(), "KILL"],
            ["delete", "--force", id.as_str()],
        ] {
            let _ = Command::new(runtime)
                .args(["--root", &state])
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        finished
    }

    /// The container's environment: the image's ENV, overridden by the task
    /// definition's (the canary's two differences on top), and what ECS adds.
    fn environment(
        &self,
        lab: &Lab,
        sc: &Scenario,
        container: &Value,
    ) -> Result<Vec<String>, String> {
        let mut env = task_environment(lab, container)?;
        if sc.canary {
            // canary.yaml's container differs from the one-off task in its output (it
            // leaves VPCE_PROBE_MAX_LAYER_BYTES at the default, the same 64MiB), and
            // each schedule's RunTask override adds the label.
            env.insert("VPCE_PROBE_OUTPUT".into(), "emf".into());
            env.insert("VPCE_PROBE_LABEL".into(), SUBNET_LABEL.into());
        }
        // What ECS adds (the lab's stand-ins for the link-local endpoints), and the
        // private CA a user of this lab would configure.
        for (k, v) in [
            ("AWS_REGION", lab.var("LAB_REGION")),
            ("AWS_DEFAULT_REGION", lab.var("LAB_REGION")),
            ("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE"),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                lab.var("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            ),
            (
                "ECS_CONTAINER_METADATA_URI_V4",
                lab.var("ECS_CONTAINER_METADATA_URI_V4"),
            ),
            ("VPCE_PROBE_CA_BUNDLE", LAB_CA_IN_CONTAINER),
        ] {
            env.insert(k.into(), v.into());
        }
        let image_env = image_environment(&self.path("unpacked/config.json"))?;
        let image_env: Vec<(String, String)> = image_env
            .into_iter()
            .filter(|(k, _)| !env.contains_key(k))
            .collect();
        Ok(image_env
            .into_iter()
            .chain(env)
            .map(|(k, v)| format!("{k}={v}"))
            .collect())
    }

    /// One run of the task or the canary; the problems found, or how long it took.
    pub fn run(&self, lab: &Lab, sc: &Scenario, out_dir: &Path) -> Result<Duration, String> {
        let Some((rootfs, runtime)) = &self.pulled else {
            return Err(format!("{PULL} did not succeed: no image to run"));
        };
        let td: Value =
            serde_json::from_str(&read(&format!("{REPO}/probe-image/task-definition.json"))?)
                .map_err(|e| format!("task-definition.json: {e}"))?;
        let container = &td["containerDefinitions"][0];
        let env = self.environment(lab, sc, container)?;

        let hosts = self.path("hosts");
        std::fs::write(&hosts, "127.0.0.1 localhost\n").map_err(|e| e.to_string())?;
        let ns = lab.var("LAB_SUBNET_NS");
        let mounts = [
            (format!("/etc/netns/{ns}/resolv.conf"), "/etc/resolv.conf"),
            (hosts.display().to_string(), "/etc/hosts"),
            (lab.var("LAB_CA").to_string(), LAB_CA_IN_CONTAINER),
        ];
        let mut spec = container_spec(rootfs, &["/vpce-probe"], &env, Some(ns))?;
        apply_task_definition(&mut spec, container)?;
        for (src, dst) in &mounts {
            push_mount(&mut spec, src, dst);
        }

        let mut guard = crate::FaultsOn { lab, on: vec![] };
        if let Some(f) = sc.fault {
            guard.on.push(f.to_string());
            lab.fault(f, true)?;
        }
        let r = self.run_container(runtime, sc.name, &spec)?;
        drop(guard);
        let _ = std::fs::write(out_dir.join(format!("{}.stdout", sc.name)), &r.stdout);
        let _ = std::fs::write(out_dir.join(format!("{}.stderr", sc.name)), &r.stderr);
        let _ = std::fs::write(
            out_dir.join(format!("{}.config.json", sc.name)),
            serde_json::to_string_pretty(&spec).unwrap_or_default(),
        );

        let problems = judge(lab, sc, &r);
        if problems.is_empty() {
            Ok(r.took)
        } else {
            let tail: String = r
                .stderr
                .lines()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .join("\n");
            Err(format!(
                "{}\nexit {:?} after {:.1} s ({runtime}); stderr (last lines, newest first):\n{tail}",
                problems.join("\n"),
                r.code,
                r.took.as_secs_f64()
            ))
        }
    }
}

/// The container's `environment` with the lab's values for its placeholders.
fn task_environment(lab: &Lab, container: &Value) -> Result<BTreeMap<String, String>, String> {
    let td_path = PathBuf::from(lab.var("LAB_TASK_DEFINITIONS")).join(APP_TASK_DEFINITION);
    let app: Value = serde_json::from_str(&read(&td_path.display().to_string())?)
        .map_err(|e| format!("{}: {e}", td_path.display()))?;
    let account = lab.var("LAB_ACCOUNT");
    let fill = [
        ("<TARGET_ACCOUNT>", account.to_string()),
        ("<ACCOUNT>", account.to_string()),
        ("<REGION>", lab.var("LAB_REGION").to_string()),
        ("<PROBE_TAG>", TAG.to_string()),
        ("<TARGET_REPOSITORY>", TARGET_REPOSITORY.to_string()),
        ("<TARGET_TAG>", TARGET_TAG.to_string()),
        ("<VPC_CIDR>", lab.var("LAB_VPC_CIDR").to_string()),
        ("<APP_EXECUTION_ROLE>", APP_EXECUTION_ROLE.to_string()),
        ("<APP_TASK_DEFINITION_JSON>", app.to_string()),
    ];
    let mut env = BTreeMap::new();
    for e in container["environment"].as_array().into_iter().flatten() {
        let (Some(name), Some(value)) = (e["name"].as_str(), e["value"].as_str()) else {
            return Err(format!("task-definition.json: environment entry {e}"));
        };
        let value = fill
            .iter()
            .fold(value.to_string(), |v, (k, x)| v.replace(k, x));
        if value.contains('<') && !name.ends_with("TASK_DEFINITION") {
            return Err(format!(
                "task-definition.json: {name}={value}: a placeholder the test does not fill"
            ));
        }
        env.insert(name.to_string(), value);
    }
    Ok(env)
}

/// The image's own ENV, as umoci wrote it into the bundle it unpacked (without the
/// `TERM` umoci adds for a terminal, which ECS does not set).
fn image_environment(config: &Path) -> Result<Vec<(String, String)>, String> {
    let c: Value = serde_json::from_str(&read(&config.display().to_string())?)
        .map_err(|e| format!("{}: {e}", config.display()))?;
    Ok(c["process"]["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k != "TERM")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// Only the two files of the runtime stage: no shell, no libc, nothing else; and the
/// image's config runs the binary as uid 65532.
fn image_is_minimal(bundle: &Path, rootfs: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    let mut dirs = vec![rootfs.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let e = e.map_err(|e| e.to_string())?;
            let t = e.file_type().map_err(|e| e.to_string())?;
            if t.is_dir() {
                dirs.push(e.path());
            } else {
                let rel = e.path().strip_prefix(rootfs).map(Path::to_path_buf);
                files.push(rel.map_err(|e| e.to_string())?.display().to_string());
            }
        }
    }
    files.sort();
    let want = ["etc/ssl/certs/ca-certificates.crt", "vpce-probe"];
    if files != want {
        return Err(format!("the image holds {files:?}, want exactly {want:?}"));
    }
    let c: Value = serde_json::from_str(&read(&bundle.join("config.json").display().to_string())?)
        .map_err(|e| e.to_string())?;
    let process = &c["process"];
    if process["user"]["uid"] != 65532 || process["args"] != json!(["/vpce-probe"]) {
        return Err(format!(
            "image config: user {} args {}, want uid 65532 and [\"/vpce-probe\"]",
            process["user"], process["args"]
        ));
    }
    Ok(())
}

/// The pull's requests in the lab's access log: from the subnet, blobs through the
/// dkr endpoint's 307 and then from the S3 gateway's address.
fn pull_went_through_the_endpoints(log: &Path, from: u64) -> Result<(), String> {
    let text = std::fs::read(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let text = String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default());
    let blob_get = format!("\"GET /v2/{REPOSITORY}/blobs/sha256:");
    let redirected = text
        .lines()
        .filter(|l| l.starts_with("10.0.1.10 ") && l.contains(&blob_get) && l.contains("\" 307 "))
        .count();
    let from_s3 = text
        .lines()
        .filter(|l| {
            l.starts_with("10.0.1.10 -> 198.51.100.10:443 ")
                && l.contains("\"GET /docker/registry/v2/blobs/sha256/")
                && l.contains("\" 200 ")
        })
        .count();
    if redirected == 0 || from_s3 < redirected {
        return Err(format!(
            "the pull did not take dkr → 307 → S3 gateway: {redirected} redirected blob GETs, \
             {from_s3} S3 GETs from the subnet in {}",
            log.display()
        ));
    }
    Ok(())
}

/// The static binary: `$VPCE_IMAGE_BIN`, else what build-static.sh builds (a no-op
/// when .ci/run's static build step already ran and the sources did not change).
fn static_binary() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("VPCE_IMAGE_BIN").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let t0 = Instant::now();
    println!("image: probe-image/build-static.sh (a cold static build takes minutes)");
    let out = Command::new("bash")
        .arg(format!("{REPO}/probe-image/build-static.sh"))
        // Its own target directory, whatever this run's is: the outer cargo holds
        // the lock of that one while the tests run.
        .env("CARGO_TARGET_DIR", format!("{REPO}/target/static"))
        .env("BUILD_STATIC_SKIP_SMOKE", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("build-static.sh: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(15).collect();
        return Err(format!(
            "build-static.sh failed ({}):\n{}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let bin = stdout.lines().last().unwrap_or_default().trim().to_string();
    println!(
        "image: static binary {bin} ({:.0} s)",
        t0.elapsed().as_secs_f64()
    );
    Ok(PathBuf::from(bin))
}

/// buildah with its storage in `work` (vfs: no overlay mounts to undo), in a network
/// namespace of its own: a Dockerfile change that made it pull a base image fails
/// here instead of reaching a registry.
fn buildah(work: &Path) -> Command {
    let mut c = Command::new("unshare");
    c.args([
        "--net",
        "--",
        "buildah",
        "--storage-driver",
        "vfs",
        "--root",
    ])
    .arg(work.join("storage"))
    .arg("--runroot")
    .arg(work.join("run"))
    .env("BUILDAH_ISOLATION", "chroot")
    .env("TMPDIR", work)
    .stdin(Stdio::null());
    c
}

fn run(c: &mut Command) -> Result<(), String> {
    let shown = shown(c);
    let out = c.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The command line for a failure message, with the registry credentials left out
/// (the lab's secrets check holds the tests' own output to the probe's standard).
fn shown(c: &Command) -> String {
    let mut words = vec![c.get_program().to_string_lossy().into_owned()];
    let mut hide = false;
    for a in c.get_args() {
        let a = a.to_string_lossy();
        words.push(if hide { "…".into() } else { a.to_string() });
        hide = a.ends_with("-creds");
    }
    words.join(" ")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .any(|d| d.join(tool).is_file())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} → {}: {e}", from.display(), to.display()))
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}
