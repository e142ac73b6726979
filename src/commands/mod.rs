//! The command layer: reads files, decides color, runs one subcommand, writes its output.

mod accept;
mod bless;
mod check;
mod diff;
mod golden;
mod inputs;
mod normalize;
mod notes;
mod progress;
mod rules;
mod show;

use crate::cli::{Cli, ColorChoice, Command};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::fsutil::read::{self, Limits};
use crate::normalize::{
    normalize_in_place, normalize_in_place_on_one_core, CollectAsRead, RuleSet, Unfinished,
};
use crate::parse;
use crate::report::Styles;
use crate::trace::Trace;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) use crate::diff::one_flow;

/// What a successful run found, mapped to the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing at or above the `--fail-on` threshold: exit 0.
    Pass,
    /// Findings at or above the threshold: exit 1.
    Fail,
    /// Some inputs could not be checked; the others' results were written: exit 2.
    Incomplete,
}

impl Outcome {
    /// The process exit code: 0 pass, 1 fail (errors are 2, decided by the caller).
    pub(crate) fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Pass => ExitCode::SUCCESS,
            Outcome::Fail => ExitCode::from(1),
            Outcome::Incomplete => ExitCode::from(2),
        }
    }
}

/// True when the error is a closed output pipe (`flowdiff … | head`), which exits 0 quietly.
pub(crate) fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Runs the command line.
pub(crate) fn run(cli: &Cli) -> Result<Outcome> {
    let config = match (&cli.command, cli.config.as_deref()) {
        // `accept --config FILE` creates the file.
        (Some(Command::Accept(_)), Some(path)) if !path.exists() => Config::default(),
        (_, explicit) => Config::discover(explicit)?,
    };
    let context = Context::new(cli.color, config);
    match &cli.command {
        Some(Command::Accept(args)) => accept::run(args, cli.config.as_deref(), &context),
        Some(Command::Show(args)) => show::run(args, &context),
        Some(Command::Normalize(args)) => normalize::run(args, &context),
        Some(Command::Rules(args)) => rules::run(args, &context),
        Some(Command::Check(args)) => check::run(args, &context),
        Some(Command::Notes(args)) => notes::run(args, &context),
        Some(Command::Bless(args)) => bless::run(args, &context),
        Some(Command::Golden(command)) => golden::run(command, &context),
        None => diff::run(&cli.diff, &context),
    }
}

/// Settings resolved once per run.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Styles for stdout (plain unless color was decided on).
    pub styles: Styles,
    /// The config file (`flowdiff.toml`), empty when there is none.
    pub config: Config,
}

impl Context {
    fn new(choice: ColorChoice, config: Config) -> Context {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let color = color(
            choice,
            std::io::stdout().is_terminal(),
            var("NO_COLOR").is_some(),
            var("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        );
        Context {
            styles: if color {
                Styles::colored()
            } else {
                Styles::plain()
            },
            config,
        }
    }

    /// Loads the built-in rules, the config file's rules files, then the user's `--rules`
    /// files.
    pub(crate) fn load_rules(&self, files: &[PathBuf]) -> Result<RuleSet> {
        RuleSet::load(&self.rule_files(files))
    }

    /// The rules files in force: the config's, then `files` (a command's `--rules`).
    pub(crate) fn rule_files<'a>(&'a self, files: &'a [PathBuf]) -> Vec<&'a Path> {
        self.config
            .rules
            .iter()
            .chain(files)
            .map(PathBuf::as_path)
            .collect()
    }

    /// Styles for output going to `output`: a file never gets escape codes.
    pub(crate) fn styles_for(&self, output: Option<&Path>) -> Styles {
        if output.is_some() {
            Styles::plain()
        } else {
            self.styles
        }
    }
}

impl Context {
    /// The config file's accepted findings in force today (expired entries are left out with a
    /// warning on stderr).
    pub(crate) fn accepts(&self) -> crate::compare::accept::Accepts {
        crate::compare::accept::Accepts::new(
            crate::config::display(self.config.path.as_deref()),
            self.config.accepts.clone(),
            crate::compare::accept::Date::today(),
        )
    }

    /// The golden store the command line names: `--golden DIR`, else the config file's
    /// `golden_dir`, else `./golden`.
    pub(crate) fn store(&self, args: &crate::cli::StoreArgs) -> crate::golden::Store {
        let dir = args.golden.as_deref().or(self.config.golden_dir.as_deref());
        crate::golden::Store::new(dir, args.no_builtin)
    }
}

/// Whether to color: `--color always|never` decide; `auto` colors when `CLICOLOR_FORCE` is set
/// (non-empty, not `0`), else on a terminal without `NO_COLOR` (non-empty).
fn color(choice: ColorChoice, terminal: bool, no_color: bool, force: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => force || (terminal && !no_color),
    }
}

/// Reads and parses one capture file into its flows (one, or one per test of a Tempest log),
/// within `limits`; warnings are printed to stderr with file and line.
pub(crate) fn load_flows(path: &Path, limits: Limits) -> Result<Vec<Trace>> {
    let flows = read_flows(path, limits, None, None)?;
    for flow in &flows {
        print_warnings(path, flow);
    }
    Ok(flows)
}

/// Reads a capture file into its flows, within `limits`. A Tempest log is read in parts of
/// whole lines and never held whole (a full run's log is hundreds of MB), and so is hook
/// Markdown from a regular file (read again whole when it cannot be read in parts: a
/// documentation page, an error); any other capture is read whole.
///
/// With `collect`, normalization's collecting pass looks at each event as it is read.
fn read_flows(
    path: &Path,
    limits: Limits,
    progress: Option<&progress::Counter>,
    mut collect: Option<&mut CollectAsRead<'_>>,
) -> Result<Vec<Trace>> {
    let mut parts = read::Parts::open(path, limits)?;
    // Bytes counted in `progress` so far: a capture read again is not counted twice.
    let mut read_so_far = 0;
    let mut counted = |part: &str| {
        read_so_far += part.len();
        if let Some(progress) = progress {
            progress.advance(part.len());
        }
    };
    let first = parts.next_part()?.unwrap_or_default();
    counted(&first);
    let reader = parse::PartReader::start(&first, parts.regular_size());
    let Some(mut reader) = reader.map_err(|e| e.in_file(path))? else {
        return read_whole(parts, first, counted).and_then(|text| parse_whole(&text, path));
    };
    drop(first);
    let mut hand_events = |reader: &mut parse::PartReader| {
        if let Some(collect) = collect.as_deref_mut() {
            reader.hand_events(&mut |index, kind, exchange| collect.event(index, kind, exchange));
        }
    };
    hand_events(&mut reader);
    let mut in_parts = true;
    while in_parts {
        let Some(part) = parts.next_part()? else {
            break;
        };
        counted(&part);
        in_parts = reader.feed(&part).map_err(|e| e.in_file(path))?;
        hand_events(&mut reader);
    }
    if let Some(flows) = reader.finish().map_err(|e| e.in_file(path))? {
        return Ok(flows);
    }
    if let Some(collect) = collect {
        collect.forget();
    }
    // Read again whole, counting only what was not read before.
    drop(parts);
    let mut parts = read::Parts::open(path, limits)?;
    let mut again = 0;
    let first = parts.next_part()?.unwrap_or_default();
    let text = read_whole(parts, first, |part: &str| {
        again += part.len();
        if let (Some(progress), true) = (progress, again > read_so_far) {
            progress.advance(part.len().min(again - read_so_far));
        }
    })?;
    parse_whole(&text, path)
}

/// The whole text of a capture whose first part was read: `first`, then the rest.
fn read_whole(
    mut parts: read::Parts<std::fs::File>,
    first: String,
    mut counted: impl FnMut(&str),
) -> Result<String> {
    let mut text = first;
    parts.reserve_rest(&mut text);
    while let Some(part) = parts.next_part()? {
        counted(&part);
        text.push_str(&part);
    }
    Ok(text)
}

/// The flows of a capture's whole text (`path` names it in errors).
fn parse_whole(text: &str, path: &Path) -> Result<Vec<Trace>> {
    parse::parse_flows(text).map_err(|e| e.in_file(path))
}

/// Reads and parses a capture of one flow (or the flow `name` of a capture of several, named
/// as `rules` name flows).
pub(crate) fn load_trace(
    path: &Path,
    name: Option<&str>,
    rules: &RuleSet,
    limits: Limits,
) -> Result<Trace> {
    one_flow(path, load_flows(path, limits)?, name, rules)
}

/// Normalizes every flow in place, with `all_cores` on every core (one flow scans ahead on
/// both, many flows are spread over them), else on the calling thread only (the other core is
/// busy reading the other capture; one thread also keeps the allocator's arenas few).
fn normalize_all(flows: &mut [Trace], rules: &RuleSet, all_cores: bool) {
    match flows {
        [one] if all_cores => normalize_in_place(one, rules),
        many if all_cores && many.len() > 1 => {
            let threads = std::thread::available_parallelism().map_or(1, usize::from);
            let chunk = many.len().div_ceil(threads.max(1)).max(1);
            std::thread::scope(|scope| {
                for part in many.chunks_mut(chunk) {
                    scope.spawn(move || {
                        for flow in part {
                            normalize_in_place_on_one_core(flow, rules);
                        }
                    });
                }
            });
        }
        any => {
            for flow in any {
                normalize_in_place_on_one_core(flow, rules);
            }
        }
    }
}

/// Two captures' flows being loaded and normalized, using both cores: the larger is read and
/// normalized on this thread while the other is on the helper thread (both read in parts when
/// their format allows, so neither text is held whole). Warnings and errors come in the same
/// order as loading one after the other: OLD's first, NEW's only when OLD loaded.
///
/// Each thread takes the rules (`R` gives them) only once its capture needs them: a small
/// capture is read and parsed first (see [`PARSED_BEFORE_RULES_BELOW`]), while the built-in
/// rules may still be compiling on the other thread.
pub(crate) struct PairLoad<'a, R> {
    /// OLD's path and size (see [`file_size`]).
    old: (&'a Path, Option<u64>),
    /// NEW's path and size.
    new: (&'a Path, Option<u64>),
    limits: Limits,
    rules: R,
    /// A progress bar over both files' bytes (shown on a terminal for long reads only).
    progress: progress::Progress,
    /// The capture read on the helper thread (true: OLD, when NEW is the larger) and its flows.
    there: Option<(bool, crate::cores::Apart<Result<Vec<Trace>>>)>,
}

impl<'a, R: Fn() -> RuleSet + Clone + Send + 'static> PairLoad<'a, R> {
    /// Starts loading `old` and `new` within `limits`, with the rules `rules` gives: the
    /// helper's capture (when the pair is large enough to share) is loaded there at once.
    pub(crate) fn start(old: &'a Path, new: &'a Path, limits: Limits, rules: R) -> PairLoad<'a, R> {
        let (old, new) = ((old, file_size(old)), (new, file_size(new)));
        let (old_size, new_size) = (old.1.unwrap_or(0), new.1.unwrap_or(0));
        let total = usize::try_from(old_size + new_size).unwrap_or(usize::MAX);
        let progress = progress::Progress::start("reading captures", total);
        // Both at once, one per core, when large enough: the larger here, the other on the
        // helper (whose core may take a while to wake).
        let there = (total >= ONE_THREAD_BELOW).then(|| {
            let old_there = new_size > old_size;
            let (path, size) = if old_there { old } else { new };
            let (path, counter, rules) = (path.to_path_buf(), progress.counter(), rules.clone());
            let flows = crate::cores::apart(move || {
                let taken = std::cell::OnceCell::new();
                load_normalized((&path, size), || taken.get_or_init(rules), limits, &counter)
            });
            (old_there, flows)
        });
        PairLoad {
            old,
            new,
            limits,
            rules,
            progress,
            there,
        }
    }

    /// Reads this thread's capture (or both, one after the other, when the pair is small),
    /// then takes the helper's. Returns the rules with both captures' flows.
    pub(crate) fn finish(self) -> Result<(RuleSet, Vec<Trace>, Vec<Trace>)> {
        let (old, new, counter) = (self.old, self.new, self.progress.counter());
        let taken = std::cell::OnceCell::new();
        let rules = || taken.get_or_init(&self.rules);
        let load = |capture| load_normalized(capture, rules, self.limits, &counter);
        let (old_flows, new_flows) = match self.there {
            None => {
                let old_flows = load(old);
                let new_flows = old_flows.as_ref().map_or(Ok(Vec::new()), |_| load(new));
                (old_flows, new_flows)
            }
            Some((true, old_there)) => {
                let new_flows = load(new);
                (old_there.join(), new_flows)
            }
            Some((false, new_there)) => {
                let old_flows = load(old);
                (old_flows, new_there.join())
            }
        };
        drop(self.progress);
        let old_flows = old_flows?;
        old_flows.iter().for_each(|f| print_warnings(old.0, f));
        let new_flows = new_flows?;
        new_flows.iter().for_each(|f| print_warnings(new.0, f));
        let rules = taken.into_inner().unwrap_or_else(&self.rules);
        Ok((rules, old_flows, new_flows))
    }
}

/// A capture smaller than this (in bytes) is read and parsed before its rules are taken, then
/// normalized whole: reading and parsing need no rules, and the built-in ones may still be
/// compiling on the other thread (whose core, idle until then, can take a while to wake). A
/// larger capture is normalized as it is read (see [`CollectAsRead`]), never held whole with
/// all its raw values. The flows are the same either way.
const PARSED_BEFORE_RULES_BELOW: u64 = 1 << 20;

/// The size of the regular file at `path`; `None` for anything else (a pipe's size is not
/// known before it is read) or when it cannot be told.
fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// Reads a capture (`path` and its size, see [`file_size`]) and normalizes its flows with the
/// rules `rules` gives, counting the bytes read in `progress`: a small file is parsed first,
/// anything else normalized as it is read (see [`CollectAsRead`]).
fn load_normalized<'r>(
    (path, size): (&Path, Option<u64>),
    rules: impl FnOnce() -> &'r RuleSet,
    limits: Limits,
    progress: &progress::Counter,
) -> Result<Vec<Trace>> {
    if size.is_some_and(|size| size < PARSED_BEFORE_RULES_BELOW) {
        let mut flows = read_flows(path, limits, Some(progress), None)?;
        normalize_all(&mut flows, rules(), false);
        return Ok(flows);
    }
    let rules = rules();
    let mut collect = CollectAsRead::new(rules);
    let mut flows = read_flows(path, limits, Some(progress), Some(&mut collect))?;
    match collect.finish(&mut flows) {
        Ok(()) => {}
        Err(Unfinished::Untouched) => normalize_all(&mut flows, rules, false),
        Err(Unfinished::ReadAgain) => {
            flows = read_flows(path, limits, None, None)?;
            normalize_all(&mut flows, rules, false);
        }
    }
    Ok(flows)
}

/// Captures smaller than this together (in bytes) are read one after the other on one thread:
/// starting a thread (its stack, its own allocator arena, their first page faults) costs more
/// than reading a few dozen KB takes.
const ONE_THREAD_BELOW: usize = 64 << 10;

/// Frees `old` and `new` (a pair of captures' flows) on a detached thread when they are
/// large: a large trace is millions of small allocations, and freeing them takes a noticeable
/// part of a run that is about to exit anyway (the process ending does not wait for the
/// thread; a longer-lived caller still gets the memory back). Small ones are freed here.
pub(crate) fn drop_in_background(old: Vec<Trace>, new: Vec<Trace>) {
    let exchanges: usize = old.iter().chain(&new).map(|t| t.exchanges.len()).sum();
    if exchanges > 256 {
        // When no thread can be started, the closure (and the flows with it) is dropped here.
        let _ = std::thread::Builder::new().spawn(move || drop((old, new)));
    }
}

/// Parses a capture's text (`source` names it in errors) into its flows, each one normalized.
pub(crate) fn parse_normalized_flows(
    text: &str,
    source: impl AsRef<Path>,
    rules: &RuleSet,
) -> Result<Vec<Trace>> {
    let mut flows = parse::parse_flows(text).map_err(|e| e.in_file(source.as_ref()))?;
    normalize_all(&mut flows, rules, true);
    Ok(flows)
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

/// Writes a report like [`emit`] and returns the gate's `outcome`, even when stdout closes
/// early (`flowdiff check … | head` under `set -o pipefail`): writing stops quietly, the exit
/// status stays the verdict.
pub(crate) fn emit_report(
    output: Option<&Path>,
    contents: &[u8],
    outcome: Outcome,
) -> Result<Outcome> {
    match emit(output, contents) {
        Err(error) if is_broken_pipe(&error) => Ok(outcome),
        other => other.map(|()| outcome),
    }
}

/// Writes rendered output to `-o FILE` (atomically) or stdout.
pub(crate) fn emit(output: Option<&Path>, contents: &[u8]) -> Result<()> {
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

#[cfg(test)]
mod tests;
