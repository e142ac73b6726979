//! Command-line arguments (clap derive). The `///` comments are the help text; no logic here.

use crate::report::ReportFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Conformance checker and diff tool for OpenStack call flows.
///
/// `flowdiff OLD NEW` compares two captures (any formats mixed); the subcommands show, normalize,
/// check against golden flows, write release notes and bless new goldens.
///
/// Exit status: 0 no finding at or above --fail-on, 1 findings at or above it,
/// 2 usage or input error.
#[derive(Debug, Parser)]
#[command(name = "flowdiff", version, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    /// When to color output: auto (a terminal, NO_COLOR unset or empty; CLICOLOR_FORCE set and
    /// not 0 forces it), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The config file (accepted findings, rules, defaults); default: flowdiff.toml in the
    /// working directory or the nearest parent up to the one holding .git.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// The subcommand; without one, flowdiff compares OLD with NEW.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Compare two captures: `flowdiff OLD NEW`.
    #[command(flatten)]
    pub diff: DiffArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print a capture's call tree (or a golden set's learned noise).
    Show(ShowArgs),
    /// Write the normalized capture as hook Markdown.
    Normalize(NormalizeArgs),
    /// Print the effective rule set and where each rule came from.
    Rules(RulesArgs),
    /// Compare captures with their golden flows (a CI regression gate).
    ///
    /// The golden is chosen by `--flow`, else the capture's flow name (its title), else its file
    /// name up to the first dot, else the golden with the same defining calls (the client's own
    /// calls). Directories are checked recursively.
    ///
    /// Exit status: 0 no finding at or above --fail-on, 1 findings at or above it,
    /// 2 usage or input error (including a capture no golden flow matches).
    Check(CheckArgs),
    /// Write release notes of flow changes between two sets of captures.
    Notes(NotesArgs),
    /// Accept captures as the golden flows for their flows.
    Bless(BlessArgs),
    /// Accept findings by id: append `[[accept]]` entries to the config file.
    ///
    /// The file (`--config`, else the flowdiff.toml found, else ./flowdiff.toml) is created
    /// when missing; its comments and layout are kept.
    Accept(AcceptArgs),
    /// The golden store: list the goldens in effect, or export the built-in ones.
    #[command(subcommand)]
    Golden(GoldenCommand),
}

/// `flowdiff golden …`.
#[derive(Debug, Subcommand)]
pub(crate) enum GoldenCommand {
    /// List each golden in effect and where it comes from (built-in, or the golden directory).
    List(StoreArgs),
    /// Write the built-in goldens into DIR, for a team that wants to own them.
    Export {
        /// The directory to write `NAME.md` files into (existing files are not replaced).
        dir: PathBuf,
    },
}

/// Where goldens come from: the built-in ones, overlaid by name with a directory's.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// The golden directory (default `./golden`): its goldens replace the built-in goldens of
    /// their names; `bless` writes there.
    #[arg(long, value_name = "DIR")]
    pub golden: Option<PathBuf>,
    /// Leave the built-in goldens out.
    #[arg(long)]
    pub no_builtin: bool,
}

/// `flowdiff accept ID… --reason TEXT [--until DATE]`.
#[derive(Debug, Args)]
pub(crate) struct AcceptArgs {
    /// Finding ids (the `id` of a report's findings).
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Why the findings are accepted (required, not empty).
    #[arg(long)]
    pub reason: String,
    /// The last day the entries apply (YYYY-MM-DD); after it they expire with a warning.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Color when stdout is a terminal and NO_COLOR is unset or empty, or CLICOLOR_FORCE is
    /// set and not 0.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Output formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// The call tree, one line per exchange.
    Text,
    /// The trace model as JSON.
    Json,
    /// A Mermaid sequenceDiagram.
    Mermaid,
}

/// The lowest severity that makes the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Fail on breaking findings.
    Breaking,
    /// Fail on warning or breaking findings.
    Warning,
    /// Fail on any finding.
    Info,
    /// Never fail on findings (input errors still exit 2).
    Never,
}

/// The lowest severity a report prints (`--show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowLevel {
    /// Only breaking findings.
    Breaking,
    /// Warnings and breaking findings.
    Warning,
    /// Every finding.
    Info,
}

/// `flowdiff show FILE`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The capture file (or golden set directory) to show.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
    /// Show the normalized trace (placeholders, canonical names) instead of the raw one.
    #[arg(long, conflicts_with = "raw")]
    pub normalized: bool,
    /// Show the capture with its secrets (tokens, passwords, credentials) as captured; without
    /// it they are redacted (the rest is shown as captured either way).
    #[arg(long)]
    pub raw: bool,
    /// In a capture of several flows (a Tempest log: one per test), show this one.
    #[arg(long, value_name = "NAME")]
    pub flow: Option<String>,
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// `flowdiff normalize FILE [-o OUT]`.
#[derive(Debug, Args)]
pub(crate) struct NormalizeArgs {
    /// The capture file to normalize.
    pub file: PathBuf,
    /// Write here (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The flow name to use as title when the capture has none.
    #[arg(long)]
    pub flow: Option<String>,
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// `flowdiff rules`.
#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// Options shared by every command that compares and reports.
#[derive(Debug, Args, Clone)]
pub(crate) struct ReportArgs {
    /// Report format [default: the config file's `format`, else text].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Exit 1 when a finding at or above this severity is found [default: the config file's
    /// `fail_on`, else breaking].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Print only findings at or above this severity (the exit status still follows --fail-on).
    #[arg(long, value_enum, default_value_t = ShowLevel::Info)]
    pub show: ShowLevel,
    /// List accepted findings with their reasons (text and markdown; JSON always has them).
    #[arg(long)]
    pub show_accepted: bool,
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Write the report here (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Report interleaving changes between independent actors as info findings.
    #[arg(long)]
    pub strict_order: bool,
    /// Report plumbing fully: cache-dependent auth calls (discovery, service tokens,
    /// validation) and a service's calls to itself, like any call.
    #[arg(long, visible_alias = "strict-auth")]
    pub strict_plumbing: bool,
    /// Draw every call in diagrams (mermaid, markdown, html): do not fold runs of unchanged
    /// calls.
    #[arg(long)]
    pub full: bool,
    /// Explain why step STEP (of the new capture) was matched, suppressed or flagged
    /// (with --format json: an object per capture).
    #[arg(long, value_name = "STEP")]
    pub explain: Option<usize>,
}

/// `flowdiff OLD NEW`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old capture (the reference).
    #[arg(value_name = "OLD")]
    pub old: Option<PathBuf>,
    /// The new capture.
    #[arg(value_name = "NEW")]
    pub new: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `flowdiff check TRACE… [--golden DIR] [--flow NAME]`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Captures (or directories of captures) to check.
    #[arg(required = true, value_name = "TRACE")]
    pub traces: Vec<PathBuf>,
    /// Where the goldens come from.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Compare with this golden flow instead of choosing one.
    #[arg(long, value_name = "NAME")]
    pub flow: Option<String>,
    /// Report options.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `flowdiff notes OLD NEW`.
#[derive(Debug, Args)]
pub(crate) struct NotesArgs {
    /// Old captures: a directory, a single capture, or `golden` for the goldens in effect (the
    /// built-in ones overlaid with the golden directory's).
    pub old: PathBuf,
    /// New captures: a directory or a single capture.
    pub new: PathBuf,
    /// Write the notes here (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Title of the notes.
    #[arg(long)]
    pub title: Option<String>,
    /// Output format: markdown (default), json or html.
    #[arg(long, value_enum, default_value_t = NotesFormat::Markdown)]
    pub format: NotesFormat,
    /// Where the goldens come from, for OLD `golden`.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

/// Output formats of `notes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum NotesFormat {
    /// Markdown release notes.
    Markdown,
    /// The same content as JSON.
    Json,
    /// One self-contained HTML page, each changed flow drawn.
    Html,
}

/// `flowdiff bless TRACE… [--golden DIR] [--flow NAME]`.
#[derive(Debug, Args)]
pub(crate) struct BlessArgs {
    /// Captures (or directories of captures) to accept as goldens.
    #[arg(required = true, value_name = "TRACE")]
    pub traces: Vec<PathBuf>,
    /// Where the goldens come from (and the directory blessed into).
    #[command(flatten)]
    pub store: StoreArgs,
    /// The flow name (and golden file name) to bless as.
    #[arg(long, value_name = "NAME")]
    pub flow: Option<String>,
    /// Print the comparison without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Walk the comparison finding by finding: accept each into the golden, accept it as a
    /// suppression in the config file (with a reason), or skip it. The golden is replaced only
    /// when a finding was accepted into it and none was skipped. Needs a terminal.
    #[arg(long, conflicts_with_all = ["yes", "dry_run"])]
    pub review: bool,
    /// Add the capture to the flow's golden set (a directory of captures) instead of replacing.
    #[arg(long)]
    pub add: bool,
    /// Extra rules files (repeatable), applied after the built-in rules.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_positionals_are_a_diff_and_subcommands_win() {
        let cli = Cli::try_parse_from(["flowdiff", "a.md", "b.md"]).expect("diff parses");
        assert!(cli.command.is_none());
        assert_eq!(cli.diff.old.as_deref(), Some(std::path::Path::new("a.md")));
        let cli = Cli::try_parse_from(["flowdiff", "show", "a.md"]).expect("show parses");
        assert!(matches!(cli.command, Some(Command::Show(_))));
    }
}
