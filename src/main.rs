//! The binary: parse, validate, run, map to a documented exit code (see `exit.rs`).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use vpce_probe::cli::Args;
use vpce_probe::config::{Config, Env};
use vpce_probe::error::{RunError, render_chain};

fn main() -> ExitCode {
    let args = Args::parse();
    let result = Config::from_args(args, Env::from_process(), std::io::stdout().is_terminal())
        .map_err(RunError::from)
        .and_then(vpce_probe::app::execute);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", render_chain(&e));
            ExitCode::from(e.exit_code())
        }
    }
}
