//! The one way the tests start the `vpce-probe` binary.
//!
//! A [`Probe`] is a [`Command`] (it derefs to one) whose environment is cleared, so
//! nothing of the developer's shell (`VPCE_PROBE_*`, `AWS_*`, `~/.aws`) changes a run,
//! and then holds only:
//! - `PATH`: [`PATH`], the same on every machine;
//! - `HOME`: a fresh temporary directory, removed when the `Probe` is dropped (no
//!   `~/.aws` config or credentials file is ever read);
//! - `AWS_EC2_METADATA_DISABLED=true`: the SDK's credential chain would otherwise ask
//!   the instance metadata service at 169.254.169.254, outside loopback and the lab.
//!
//! Callers add their arguments and variables; [`Probe::run_within`] bounds a run.

// Each test binary includes this module and uses a different part of it; and a test
// that cannot make a temporary HOME can only stop, with the reason.
#![allow(dead_code, clippy::expect_used)]

use std::ffi::OsStr;
use std::io::Read;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary Cargo built for this test run.
pub const BIN: &str = env!("CARGO_BIN_EXE_vpce-probe");
/// A fixed search path: what the host's shell has must not matter.
pub const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// An ECR image reference; the tests that use it never reach a registry.
pub const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1";

pub struct Probe {
    cmd: Command,
    home: tempfile::TempDir,
}

impl Probe {
    /// The binary Cargo built.
    pub fn new() -> Probe {
        Probe::wrapped(&[], BIN)
    }

    /// `bin` started through `wrapper` (e.g. `ip netns exec <ns>`); the wrapper gets
    /// the clean environment and passes it on.
    pub fn wrapped(wrapper: &[&str], bin: &str) -> Probe {
        let home = tempfile::tempdir().expect("temporary HOME");
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        cmd.env_clear()
            .env("PATH", PATH)
            .env("HOME", home.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null());
        Probe { cmd, home }
    }

    /// A run whose every network hop fails fast without leaving loopback: the DNS
    /// server is a loopback port where nothing listens, so no name resolves and
    /// nothing is connected to. Exercises failures and skips in every output format.
    pub fn failing_run() -> Probe {
        let mut p = Probe::new();
        p.args([
            "--image",
            IMAGE,
            "--dns-server",
            "127.0.0.1:9",
            "--timeout",
            "300ms",
            "--deadline",
            "5s",
        ]);
        p
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Run to the end with stdout and stderr captured; the process is killed once it
    /// has run for `limit` (then `killed` is set), so a hung probe cannot hang the suite.
    pub fn run_within(&mut self, limit: Duration) -> std::io::Result<Finished> {
        let t0 = Instant::now();
        let mut child = self
            .cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // Both pipes are drained while the child runs: a full pipe would block it.
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let mut killed = false;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if t0.elapsed() > limit {
                let _ = child.kill();
                killed = true;
                break child.wait()?;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = t0.elapsed();
        Ok(Finished {
            code: status.code(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
            took,
            killed,
        })
    }

    /// The command as a shell would run it (`env -i K=V … program args…`), for logs a
    /// person can copy to reproduce a run.
    pub fn shell_line(&self) -> String {
        let env = self
            .cmd
            .get_envs()
            .filter_map(|(k, v)| v.map(|v| format!("{}={}", lossy(k), lossy(v))));
        let program = std::iter::once(lossy(self.cmd.get_program()));
        let args = self.cmd.get_args().map(lossy);
        std::iter::once("env -i".to_string())
            .chain(env)
            .chain(program)
            .chain(args)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Deref for Probe {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.cmd
    }
}

impl DerefMut for Probe {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.cmd
    }
}

/// How a bounded run ended.
pub struct Finished {
    /// None when a signal ended it (also after a kill).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
    pub killed: bool,
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn lossy(s: &OsStr) -> String {
    s.to_string_lossy().into_owned()
}
