//! `flowdiff OLD NEW`: compare two captures (any formats mixed) and report the drift.

use super::{Context, Outcome, PairLoad};
use crate::cli::{DiffArgs, FailOn, ReportArgs, ShowLevel};
use crate::compare::accept::Accepts;
use crate::compare::{Comparison, Options};
use crate::error::{Error, Result};

use crate::normalize::RuleSet;
use crate::report::failures::Failure;
use crate::report::run::{render_run, Run};
use crate::report::{self, Report, ReportFormat, Settings as RenderSettings, Side, Verdict};
use crate::severity::Severity;
use crate::trace::Trace;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Runs `flowdiff OLD NEW`.
pub(super) fn run(args: &DiffArgs, context: &Context) -> Result<Outcome> {
    if let Some(old) = &args.old {
        typo(old)?;
    }
    let (Some(old_path), Some(new_path)) = (&args.old, &args.new) else {
        return Err(Error::Usage(
            "expected two captures: flowdiff OLD NEW (or a subcommand; see flowdiff --help)".into(),
        ));
    };
    let limits = context.config.limits;
    let rule_files = context.rule_files(&args.report.rules);
    // With the built-in rules alone, the pair starts loading before they are taken (the helper
    // compiling them goes on to its capture at once); rules files load first (their errors
    // come first) and are handed over.
    let (rules, old, new) = if rule_files.is_empty() {
        PairLoad::start(old_path, new_path, limits, RuleSet::builtin).finish()?
    } else {
        let rules = RuleSet::load(&rule_files)?;
        PairLoad::start(old_path, new_path, limits, move || rules.clone()).finish()?
    };
    let settings = Settings::new(&args.report, context);
    let outcome = match (old.as_slice(), new.as_slice()) {
        ([one_old], [one_new])
            if !one_old.format.holds_flows() && !one_new.format.holds_flows() =>
        {
            let report = build_report((old_path, one_old), (new_path, one_new), &rules, &settings);
            output(vec![report], None, &settings, context)
        }
        _ => run_flows(
            (old_path, &old),
            (new_path, &new),
            &rules,
            &settings,
            context,
        ),
    };
    super::drop_in_background(old, new);
    outcome
}

/// A usage error when OLD does not exist and reads like a misspelt subcommand
/// (`flowdiff shwo x`: did you mean show?).
fn typo(old: &Path) -> Result<()> {
    if old.exists() {
        return Ok(());
    }
    let Some(word) = old.to_str() else {
        return Ok(());
    };
    let command = <crate::cli::Cli as clap::CommandFactory>::command();
    let close = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .map(|name| (strsim::damerau_levenshtein(word, &name), name))
        .filter(|(distance, name)| *distance <= 2 && *distance < name.len())
        .min();
    match close {
        Some((_, name)) => Err(Error::Usage(format!(
            "unknown subcommand or missing file {word:?}: did you mean {name}?"
        ))),
        None => Ok(()),
    }
}

/// Compares two captures of many flows: flows pair by name and compare in parallel; a flow on
/// one side only is not comparable (one info line).
fn run_flows(
    (old_path, old): (&Path, &[Trace]),
    (new_path, new): (&Path, &[Trace]),
    rules: &RuleSet,
    settings: &Settings,
    context: &Context,
) -> Result<Outcome> {
    let args = settings.args;
    let name = |t: &Trace| t.name.clone().unwrap_or_default();
    let old_by_name: HashMap<String, &Trace> = old.iter().map(|t| (name(t), t)).collect();
    let pairs: Vec<(&Trace, &Trace)> = new
        .iter()
        .filter_map(|n| old_by_name.get(&name(n)).map(|o| (*o, n)))
        .collect();
    let new_names: HashSet<String> = new.iter().map(name).collect();
    let only_in_old = old.iter().map(name).filter(|n| !new_names.contains(n));
    let only_in_new = new
        .iter()
        .map(name)
        .filter(|n| !old_by_name.contains_key(n));
    let progress = super::progress::Progress::start("comparing flows", pairs.len());
    let explained = crate::cores::par_map(&pairs, |(o, n)| {
        let report = build_report((old_path, o), (new_path, n), rules, settings);
        progress.tick();
        report
    });
    drop(progress);
    if let Some(step) = args.explain {
        // Steps are numbered per flow: explain the step in each flow that has it.
        let failed = explained.iter().any(|r| r.report.verdict == Verdict::Fail);
        let having: Vec<Explained> = if explained.iter().any(|r| has(r, step)) {
            explained.into_iter().filter(|r| has(r, step)).collect()
        } else {
            explained // for the error naming the steps there are
        };
        let buffer = explanations(&having, step, settings.format, pairs.len())?;
        let outcome = if failed { Outcome::Fail } else { Outcome::Pass };
        return super::emit_report(args.output.as_deref(), &buffer, outcome);
    }
    let reports = settings.finish(explained.into_iter().map(|r| r.report).collect());
    let mut run = Run::new(
        (
            old_path.display().to_string(),
            new_path.display().to_string(),
        ),
        reports,
        only_in_old.collect(),
        only_in_new.collect(),
    );
    let lowest = shown(args.show);
    run.reports = std::mem::take(&mut run.reports)
        .into_iter()
        .map(|r| r.showing(lowest))
        .collect();
    let mut buffer = Vec::new();
    render_run(
        &run,
        settings.format,
        &render_settings(args, context),
        &mut buffer,
    )
    .map_err(|e| Error::rendering("report", Path::new("<report>"), e))?;
    let outcome = match run.verdict {
        Verdict::Fail => Outcome::Fail,
        Verdict::Pass => Outcome::Pass,
    };
    super::emit_report(args.output.as_deref(), &buffer, outcome)
}

/// The comparison switches of the report options.
pub(super) fn options(args: &ReportArgs) -> Options {
    Options {
        strict_order: args.strict_order,
        strict_plumbing: args.strict_plumbing,
        explain: args.explain,
    }
}

/// The severity `--fail-on` fails at (`None` for `never`).
fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Breaking => Some(Severity::Breaking),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

/// The report options resolved against the config file: flags win, then the config's
/// defaults, then the built-in ones.
pub(super) struct Settings<'a> {
    /// The report options as given.
    pub(super) args: &'a ReportArgs,
    /// The report format.
    pub(super) format: ReportFormat,
    /// The severity that fails the gate.
    pub(super) threshold: Option<Severity>,
    /// The accepted findings in force (expired entries already warned about).
    pub(super) accepts: Accepts,
}

impl<'a> Settings<'a> {
    /// Resolves `args` against the config file of `context`.
    pub(super) fn new(args: &'a ReportArgs, context: &Context) -> Settings<'a> {
        let config = &context.config;
        Settings {
            args,
            format: args.format.or(config.format).unwrap_or(ReportFormat::Text),
            threshold: threshold(args.fail_on.or(config.fail_on).unwrap_or(FailOn::Breaking)),
            accepts: context.accepts(),
        }
    }

    /// Finishes the reports of a run: notes the accept entries that matched nothing (stderr,
    /// and the first report's `unused_accepts`) and whether to list accepted findings.
    pub(super) fn finish(&self, mut reports: Vec<Report>) -> Vec<Report> {
        let unused = self.accepts.report_unused();
        for r in &mut reports {
            r.show_accepted = self.args.show_accepted;
        }
        if let Some(first) = reports.first_mut() {
            first.unused_accepts = unused;
        }
        reports
    }
}

/// A report of one comparison, keeping its `--explain` text for [`output`].
pub(super) struct Explained {
    report: Report,
    explanation: Option<String>,
}

/// Compares `old` with `new` (each read from a path, normalized with `rules`) into their
/// report: the step the library's [`crate::Diff`] runs too.
fn build_report(
    (old_path, old): (&Path, &Trace),
    (new_path, new): (&Path, &Trace),
    rules: &RuleSet,
    settings: &Settings,
) -> Explained {
    let (report, explanation) = crate::diff::report(
        (&old_path.display().to_string(), old),
        (&new_path.display().to_string(), new),
        rules,
        &options(settings.args),
        settings.threshold,
        &settings.accepts,
    );
    Explained {
        report,
        explanation,
    }
}

/// Builds a report whose old side is already named (a golden flow).
pub(super) fn explained(
    old: Side,
    (new_path, new): (&Path, &Trace),
    mut comparison: Comparison,
    settings: &Settings,
) -> Explained {
    let explanation = comparison.explanation.take();
    let new_side = Side::new(&new_path.display().to_string(), new);
    Explained {
        report: Report::new(
            old,
            new_side,
            comparison,
            settings.threshold,
            &settings.accepts,
        ),
        explanation,
    }
}

/// Renders the reports (or, with `--explain`, the explanations) and maps the verdicts to an
/// outcome.
/// For `check`, `failures` holds the captures that could not be checked: they are reported
/// next to the others and make the outcome [`Outcome::Incomplete`] (exit 2) once everything is
/// written.
pub(super) fn output(
    reports: Vec<Explained>,
    failures: Option<Vec<Failure>>,
    settings: &Settings,
    context: &Context,
) -> Result<Outcome> {
    let args = settings.args;
    let failed = reports.iter().any(|r| r.report.verdict == Verdict::Fail);
    let buffer = match args.explain {
        Some(step) => explanations(&reports, step, settings.format, reports.len())?,
        None => {
            let reports: Vec<Report> = settings
                .finish(reports.into_iter().map(|r| r.report).collect())
                .into_iter()
                .map(|r| r.showing(shown(args.show)))
                .collect();
            let mut buffer = Vec::new();
            report::render_checked(
                &reports,
                failures.as_deref(),
                settings.format,
                &render_settings(args, context),
                &mut buffer,
            )
            .map_err(|e| Error::rendering("report", Path::new("<report>"), e))?;
            buffer
        }
    };
    let outcome = match (failures.as_ref().is_none_or(Vec::is_empty), failed) {
        (false, _) => Outcome::Incomplete,
        (true, true) => Outcome::Fail,
        (true, false) => Outcome::Pass,
    };
    super::emit_report(args.output.as_deref(), &buffer, outcome)
}

/// The render settings of the report options: styles, and Markdown links relative to the
/// output file's directory (the working directory on stdout).
pub(super) fn render_settings(args: &ReportArgs, context: &Context) -> RenderSettings {
    let dir = match args.output.as_deref().and_then(Path::parent) {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    RenderSettings {
        styles: context.styles_for(args.output.as_deref()),
        links_from: Some(dir),
        full: args.full,
    }
}

/// The lowest severity `--show` prints.
pub(super) fn shown(show: ShowLevel) -> Severity {
    match show {
        ShowLevel::Breaking => Severity::Breaking,
        ShowLevel::Warning => Severity::Warning,
        ShowLevel::Info => Severity::Info,
    }
}

/// True when the new side of `report` has step `step`.
fn has(report: &Explained, step: usize) -> bool {
    (1..=report.report.new.exchanges).contains(&step)
}

/// The schema name of `--explain --format json` objects.
pub(super) const EXPLAIN_SCHEMA: &str = "flowdiff-explain/v1";

/// The `--explain STEP` output: each comparison's explanation (named by its capture, and its
/// flow when known, when there are several; JSON: an object each). A step in none of the
/// `compared` comparisons' new sides is a usage error.
fn explanations(
    reports: &[Explained],
    step: usize,
    format: ReportFormat,
    compared: usize,
) -> Result<Vec<u8>> {
    if !reports.iter().any(|r| has(r, step)) {
        let steps = match reports {
            [] | [_, _, _, _, _, _, ..] => format!(
                "the longest new side of the {compared} flows compared has {}",
                reports
                    .iter()
                    .map(|r| r.report.new.exchanges)
                    .max()
                    .unwrap_or(0)
            ),
            few => few
                .iter()
                .map(|r| format!("{} has {}", r.report.new.source, r.report.new.exchanges))
                .collect::<Vec<_>>()
                .join(", "),
        };
        return Err(Error::Usage(format!(
            "--explain {step}: no such step in the new capture ({steps} steps)"
        )));
    }
    if format == ReportFormat::Json {
        let objects: Vec<serde_json::Value> = reports
            .iter()
            .map(|r| {
                let lines: Vec<&str> = r.explanation.as_deref().unwrap_or("").lines().collect();
                serde_json::json!({
                    "schema": EXPLAIN_SCHEMA,
                    "capture": r.report.new.source,
                    "flow": r.report.new.flow,
                    "against": r.report.old.source,
                    "step": step,
                    "explanation": lines,
                })
            })
            .collect();
        let value = match objects.as_slice() {
            [one] => one.clone(),
            _ => serde_json::Value::Array(objects),
        };
        let mut text = serde_json::to_string_pretty(&value).map_err(|source| Error::Serialize {
            what: "explanation",
            source,
        })?;
        text.push('\n');
        return Ok(text.into_bytes());
    }
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if reports.len() > 1 {
            if i > 0 {
                out.push('\n');
            }
            let (new, old) = (&r.report.new, &r.report.old);
            match &new.flow {
                Some(flow) => out.push_str(&format!(
                    "{flow} in {} (against {}):\n",
                    new.source, old.source
                )),
                None => out.push_str(&format!("{} (against {}):\n", new.source, old.source)),
            }
        }
        out.push_str(r.explanation.as_deref().unwrap_or(""));
    }
    Ok(out.into_bytes())
}
