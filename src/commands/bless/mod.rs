//! `flowdiff bless TRACE…`: accept captures as the golden flows for their flows.
//!
//! Each capture is normalized (secrets redacted, volatile values replaced) and written as hook
//! Markdown to `DIR/<flow>.md`, or with `--add` as a new member of the golden set `DIR/<flow>/`.
//! The comparison with the current golden is printed first; writing needs `--yes` or a yes on
//! the terminal, or with `--review` a decision finding by finding ([`review`]). Every file is
//! staged before any is renamed into place.

mod review;

use super::inputs::{self, Capture};
use super::{emit, Context, Outcome};
use crate::cli::BlessArgs;
use crate::compare::accept::Accepts;
use crate::compare::Options;
use crate::error::{Error, Result};
use crate::golden::plan::{validate, Current, Planned};
use crate::golden::select::same_flow;
use crate::golden::set::compare_with_set;
use crate::golden::write::{self, Op};
use crate::normalize::RuleSet;
use crate::report::ReportFormat;
use crate::report::{self, Report, Side};
use crate::severity::Severity;
use crate::trace::Trace;
use crate::trace_output::hook_markdown::hook_markdown;
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// Runs `flowdiff bless`.
pub(super) fn run(args: &BlessArgs, context: &Context) -> Result<Outcome> {
    if args.review && !std::io::stdin().is_terminal() {
        return Err(Error::Usage(
            "--review asks on the terminal, and stdin is not one: pass --yes to bless without questions (or --dry-run to only look)".into(),
        ));
    }
    let rules = context.load_rules(&args.rules)?;
    if let Some(flow) = &args.flow {
        validate(flow, &rules)?;
    }
    let current = Current::load(context.store(&args.store), &rules)?;
    let captures = to_bless(
        inputs::load(&args.traces, &rules, context.config.limits)?,
        args.flow.as_deref(),
        &rules,
    )?;
    let mut blessing = Blessing::new(args, context, &current, &rules);
    for capture in captures {
        if !blessing.plan(capture)? {
            break;
        }
    }
    emit(None, &blessing.out)?;
    write_planned(args, blessing.ops)
}

/// Planning the goldens capture by capture: the files to write, and the comparisons printed
/// or reviewed on the way.
struct Blessing<'a> {
    /// The command's arguments.
    args: &'a BlessArgs,
    /// The run's context.
    context: &'a Context,
    /// The goldens in effect now.
    current: &'a Current,
    /// The rules the captures were normalized with.
    rules: &'a RuleSet,
    /// The findings the comparisons set apart as accepted.
    accepts: Accepts,
    /// The review, with `--review`.
    reviewing: Option<Reviewing>,
    /// The planned file operations.
    ops: Vec<Op>,
    /// The comparisons to print (without a review).
    out: Vec<u8>,
}

impl<'a> Blessing<'a> {
    /// Ready to plan, reviewing with `--review`.
    fn new(
        args: &'a BlessArgs,
        context: &'a Context,
        current: &'a Current,
        rules: &'a RuleSet,
    ) -> Blessing<'a> {
        let reviewing = args.review.then(|| Reviewing::new(context));
        // The plain comparison shows every difference blessing absorbs; a review leaves out the
        // findings the config file already accepts (they are not asked again).
        let accepts = match &reviewing {
            Some(_) => context.accepts(),
            None => Accepts::default(),
        };
        Blessing {
            args,
            context,
            current,
            rules,
            accepts,
            reviewing,
            ops: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Plans blessing one capture, then prints its comparison with the golden or reviews it;
    /// false when the review was quit.
    fn plan(&mut self, capture: Capture) -> Result<bool> {
        let Capture {
            path, mut trace, ..
        } = capture;
        let path = path.as_path();
        let (stem, index) =
            self.current
                .target(self.args.flow.as_deref(), &trace, path, self.rules)?;
        self.name(&mut trace, index, &stem);
        let report = comparison(
            self.current,
            index,
            (path, &trace),
            self.rules,
            &self.accepts,
        );
        let planned = self.ops.len();
        let text = hook_markdown(&trace);
        match self
            .current
            .plan(&mut self.ops, self.args.add, &stem, text, path)?
        {
            Planned::Written => {}
            Planned::AlreadyGolden(single) => eprintln!(
                "flowdiff: {} is already the golden for {}",
                single.display(),
                path.display()
            ),
            Planned::AlreadyMember(set) => eprintln!(
                "flowdiff: {} is already a member of {}/",
                path.display(),
                set.display()
            ),
        }
        let Some(reviewing) = self.reviewing.as_mut() else {
            describe(&mut self.out, report.as_ref(), path, &trace, self.context)?;
            return Ok(true);
        };
        if self.ops.len() == planned {
            return Ok(true); // already the golden: nothing to review
        }
        let decision = reviewing.flow(report.as_ref(), &stem, path, &trace)?;
        if !decision.write {
            self.ops.truncate(planned);
        }
        Ok(!decision.quit)
    }

    /// Names a capture that has no name (golden `index` has the title it replaces, if any):
    /// that title, else the flow `--flow` names, else `stem`.
    fn name(&self, trace: &mut Trace, index: Option<usize>, stem: &str) {
        if trace.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            let title = index.and_then(|i| self.current.flows[i].members[0].name.clone());
            trace.name = title
                .or_else(|| self.args.flow.clone())
                .or(Some(stem.to_string()));
        }
    }
}

/// Writes the planned goldens once confirmed: a review was the confirmation, else `--yes` or a
/// yes on the terminal is; with `--dry-run`, only lists them.
fn write_planned(args: &BlessArgs, ops: Vec<Op>) -> Result<Outcome> {
    let writes = ops
        .iter()
        .filter(|op| matches!(op, Op::Write { .. }))
        .count();
    if writes == 0 {
        if args.review {
            eprintln!("flowdiff: no golden written");
        } else {
            eprintln!("flowdiff: nothing to write: every golden is already up to date");
        }
        return Ok(Outcome::Pass);
    }
    if args.review {
        // The review was the confirmation.
        return apply(ops);
    }
    for op in &ops {
        match op {
            Op::Write { target, .. } => eprintln!("flowdiff: to write: {}", target.display()),
            Op::Move { from, to } => {
                eprintln!("flowdiff: to move: {} to {}", from.display(), to.display());
            }
        }
    }
    if args.dry_run {
        eprintln!("flowdiff: dry run: {writes} golden file(s) not written");
        return Ok(Outcome::Pass);
    }
    if !args.yes && !confirm(writes)? {
        eprintln!("flowdiff: nothing written");
        return Ok(Outcome::Pass);
    }
    apply(ops)
}

/// A `--review` run: the config file suppressions go to, and the ids suppressed so far.
struct Reviewing {
    config: std::path::PathBuf,
    suppressed: HashSet<String>,
}

impl Reviewing {
    fn new(context: &Context) -> Reviewing {
        Reviewing {
            config: super::accept::target(None, context),
            suppressed: HashSet::new(),
        }
    }

    /// Reviews one capture on the terminal: its findings against the golden `report` compares
    /// with, or (without one) whether to write it as a new golden.
    fn flow(
        &mut self,
        report: Option<&Report>,
        stem: &str,
        path: &Path,
        trace: &Trace,
    ) -> Result<review::Decision> {
        let (stdin, stderr) = (std::io::stdin(), std::io::stderr());
        let (mut input, mut out) = (stdin.lock(), stderr.lock());
        let mut terminal = review::Terminal {
            input: &mut input,
            out: &mut out,
        };
        let Some(report) = report else {
            let name = trace.name.as_deref().unwrap_or(stem);
            return review::new_golden(&mut terminal, name, path, trace.exchanges.len());
        };
        let config = self.config.clone();
        let mut suppress = |id: &str, reason: &str| -> Result<()> {
            super::accept::append(&config, &[id.to_string()], reason, None)?;
            eprintln!("flowdiff: accepted {id} in {}", config.display());
            Ok(())
        };
        review::findings(&mut terminal, report, &mut suppress, &mut self.suppressed)
    }
}

/// The flows to bless: every capture of one flow, and of a capture of many flows (a Tempest log)
/// the one `--flow` names (it must name one).
fn to_bless(captures: Vec<Capture>, flow: Option<&str>, rules: &RuleSet) -> Result<Vec<Capture>> {
    let mut out = Vec::with_capacity(captures.len());
    let mut many: Vec<(std::path::PathBuf, bool)> = Vec::new();
    for capture in captures {
        if !capture.of_many {
            out.push(capture);
            continue;
        }
        let Some(flow) = flow else {
            return Err(Error::Usage(format!(
                "{} holds many flows: name the one to bless with --flow",
                capture.path.display()
            )));
        };
        let wanted = capture
            .trace
            .name
            .as_deref()
            .is_some_and(|n| same_flow(n, flow, rules));
        match many.iter_mut().find(|(p, _)| *p == capture.path) {
            Some(seen) => seen.1 |= wanted,
            None => many.push((capture.path.clone(), wanted)),
        }
        if wanted {
            out.push(capture);
        }
    }
    if let Some((path, _)) = many.iter().find(|(_, found)| !found) {
        return Err(Error::Usage(format!(
            "{} has no flow named {:?}",
            path.display(),
            flow.unwrap_or_default()
        )));
    }
    Ok(out)
}

/// The comparison of `trace` with the golden it replaces (`None` for a new golden), with the
/// findings `accepts` accepts set apart and ids as `check` gives them.
fn comparison(
    current: &Current,
    index: Option<usize>,
    (path, trace): (&Path, &Trace),
    rules: &RuleSet,
    accepts: &Accepts,
) -> Option<Report> {
    let flow = &current.flows[index?];
    let comparison = compare_with_set(&flow.members, trace, rules, &Options::default());
    let new = Side::new(&path.display().to_string(), trace);
    Some(Report::new(
        flow.side(),
        new,
        comparison,
        Some(Severity::Breaking),
        accepts,
    ))
}

/// Prints what blessing `trace` accepts: the comparison with the current golden, if any.
fn describe(
    out: &mut Vec<u8>,
    report: Option<&Report>,
    path: &Path,
    trace: &Trace,
    context: &Context,
) -> Result<()> {
    let Some(report) = report else {
        let _ = writeln!(
            out,
            "new golden flow {:?} from {} ({} exchanges)\n",
            trace.name.as_deref().unwrap_or(""),
            path.display(),
            trace.exchanges.len()
        );
        return Ok(());
    };
    report::render(
        std::slice::from_ref(report),
        ReportFormat::Text,
        &context.styles,
        out,
    )
    .map_err(|e| Error::rendering("report", Path::new("<report>"), e))?;
    out.push(b'\n');
    Ok(())
}

/// Writes the planned goldens, saying what each step did.
fn apply(ops: Vec<Op>) -> Result<Outcome> {
    write::apply(ops, |done| eprintln!("flowdiff: {done}"))?;
    Ok(Outcome::Pass)
}

/// Asks on the terminal; without one, refuses (exit 2) and says how to accept.
fn confirm(writes: usize) -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::Usage(format!(
            "refusing to write {writes} golden file(s) without confirmation: stdin is not a terminal (pass --yes to accept, or --dry-run to only look)"
        )));
    }
    eprint!("flowdiff: write {writes} golden file(s)? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io(Path::new("<stdin>"), e))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
