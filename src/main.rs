//! The binary: parse, validate, run, map to a documented exit code (see `exit.rs`).

use std::io::IsTerminal;
use std::process::ExitCode;

use vpce_probe::cli::{Command, ExplainFormat, OutputFormat};
use vpce_probe::config::{Config, Env};
use vpce_probe::error::{RunError, render_chain, render_json};

fn main() -> ExitCode {
    let mut args = vpce_probe::cli::parse();
    let tty = std::io::stdout().is_terminal();
    let format = |o: Option<ExplainFormat>| match o {
        Some(ExplainFormat::Json) => true,
        Some(ExplainFormat::Human) => false,
        None => !tty,
    };
    match args.command.take() {
        Some(Command::Explain(e)) => {
            let machine = format(e.output);
            return finish(vpce_probe::app::explain(e), machine);
        }
        Some(Command::Diff(d)) => {
            let machine = format(d.output);
            return finish(vpce_probe::app::diff(d), machine);
        }
        Some(Command::Launch(l)) => {
            let machine = format(l.output);
            return finish(vpce_probe::launch::execute(*l, machine), machine);
        }
        None => {}
    }
    // Known before validation, so even a configuration error is in the asked format.
    let machine = match args.output {
        Some(OutputFormat::Human) => false,
        Some(_) => true,
        None => !tty,
    };
    let result = Config::from_args(args, Env::from_process(), tty)
        .map_err(RunError::from)
        .and_then(vpce_probe::app::execute);
    finish(result, machine)
}

fn finish(result: Result<u8, RunError>, machine: bool) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if machine {
                eprintln!("{}", render_json(&e));
            } else {
                eprintln!("{}", render_chain(&e));
            }
            ExitCode::from(e.exit_code())
        }
    }
}
