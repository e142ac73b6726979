//! The `flowdiff` binary: parse arguments, run the library, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = flowdiff::cli::Cli::parse();
    match flowdiff::commands::run(&cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) if flowdiff::commands::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flowdiff: {error}");
            ExitCode::from(2)
        }
    }
}
