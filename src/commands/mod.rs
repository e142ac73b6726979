//! The command layer: reads files, decides color, runs one subcommand, writes its output.

mod bless;
mod check;
mod diff;
mod inputs;
mod normalize;
mod notes;
mod rules;
mod show;

use crate::cli::{Cli, ColorChoice, Command};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::normalize::{normalize_in_place, normalize_in_place_on_one_core, RuleSet};
use crate::parse;
use crate::report::Styles;
use crate::trace::Trace;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What a successful run found, mapped to the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the `--fail-on` threshold: exit 0.
    Pass,
    /// Findings at or above the threshold: exit 1.
    Fail,
}

impl Outcome {
    /// The process exit code: 0 pass, 1 fail (errors are 2, decided by the caller).
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Pass => ExitCode::SUCCESS,
            Outcome::Fail => ExitCode::from(1),
        }
    }
}

/// True when the error is a closed output pipe (`flowdiff … | head`), which exits 0 quietly.
pub fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Runs the command line.
pub fn run(cli: &Cli) -> Result<Outcome> {
    let context = Context::new(cli.color);
    match &cli.command {
        Some(Command::Show(args)) => show::run(args, &context),
        Some(Command::Normalize(args)) => normalize::run(args, &context),
        Some(Command::Rules(args)) => rules::run(args, &context),
        Some(Command::Check(args)) => check::run(args, &context),
        Some(Command::Notes(args)) => notes::run(args, &context),
        Some(Command::Bless(args)) => bless::run(args, &context),
        None => diff::run(&cli.diff, &context),
    }
}

/// Settings resolved once per run.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Styles for stdout (plain unless color was decided on).
    pub styles: Styles,
}

impl Context {
    fn new(choice: ColorChoice) -> Context {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Context {
            styles: if color {
                Styles::colored()
            } else {
                Styles::plain()
            },
        }
    }

    /// Styles for output going to `output`: a file never gets escape codes.
    pub fn styles_for(&self, output: Option<&Path>) -> Styles {
        if output.is_some() {
            Styles::plain()
        } else {
            self.styles
        }
    }
}

/// Loads the built-in rules plus the user's `--rules` files.
pub fn load_rules(files: &[PathBuf]) -> Result<RuleSet> {
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    RuleSet::load(&paths)
}

/// Reads and parses one capture file; warnings are printed to stderr with file and line.
pub fn load_trace(path: &Path) -> Result<Trace> {
    let text = fsutil::read_text(path)?;
    let trace = parse::parse(&text).map_err(|e| e.in_file(path))?;
    print_warnings(path, &trace);
    Ok(trace)
}

/// Reads, parses and normalizes one capture file (normalized in place: no second copy).
pub fn load_normalized(path: &Path, rules: &RuleSet) -> Result<Trace> {
    let mut trace = load_trace(path)?;
    normalize_in_place(&mut trace, rules);
    Ok(trace)
}

/// Loads and normalizes two captures, using both cores: NEW is read and parsed while OLD is
/// normalized. OLD's text is dropped before NEW's is read, so memory peaks no higher than
/// loading one after the other; warnings and errors come in the same order too (OLD's first).
pub fn load_normalized_pair(old: &Path, new: &Path, rules: &RuleSet) -> Result<(Trace, Trace)> {
    let mut old_trace = load_trace(old)?;
    std::thread::scope(|scope| {
        let new_side = scope.spawn(|| load_normalized(new, rules));
        // The other core is reading and parsing NEW.
        normalize_in_place_on_one_core(&mut old_trace, rules);
        let new_trace = new_side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Ok((old_trace, new_trace))
    })
}

/// Frees `value` on a detached thread: a large trace is millions of small allocations, and
/// freeing them takes a noticeable part of a run that is about to exit anyway (the process
/// ending does not wait for the thread; a longer-lived caller still gets the memory back).
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be started, the closure (and `value` with it) is dropped right here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// Parses capture text that came from `source` (a golden, a file already read) and normalizes it.
pub fn parse_normalized(text: &str, source: impl AsRef<Path>, rules: &RuleSet) -> Result<Trace> {
    let mut trace = parse::parse(text).map_err(|e| e.in_file(source.as_ref()))?;
    normalize_in_place(&mut trace, rules);
    Ok(trace)
}

/// Prints a trace's parse warnings to stderr with file and line.
fn print_warnings(path: &Path, trace: &Trace) {
    for warning in &trace.warnings {
        eprintln!(
            "flowdiff: warning: {}:{}: {}",
            path.display(),
            warning.line,
            warning.message
        );
    }
}

/// Writes rendered output to `-o FILE` (atomically) or stdout.
pub fn emit(output: Option<&Path>, contents: &[u8]) -> Result<()> {
    match output {
        Some(path) => fsutil::write_atomic(path, contents),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(contents)
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::io(Path::new("<stdout>"), e))
        }
    }
}
