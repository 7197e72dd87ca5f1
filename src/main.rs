//! The `pymecompress` command-line tool. Every failure is one line on stderr; the exit status is
//! 2 for argument errors (clap's and ours) and 1 for everything else (see docs/cli.md).

mod bytes_text;
mod cli;
mod commands;
mod durable;
mod failure;
mod npy;
mod progress;
mod store;
mod synth;

use std::process::ExitCode;

use clap::Parser;

// Linking the plugin registers the pymecompress codecs with zarrs.
use zarrs_pymecompress as _;

fn main() -> ExitCode {
    quiet_panics();
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_status())
        }
    }
}

/// A panic (a bug, or stdout closed under us) prints one line, not a backtrace. A closed pipe
/// (`pymecompress info STORE | head`) is not an error: exit quietly.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown cause");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        eprintln!("error: internal error{place}: {message}");
    }));
}
