//! `flowdiff check TRACE…`: compare each capture with its golden flow (a CI regression gate).

use super::diff::{explained, options, output, Explained, Settings};
use super::inputs::{self, Capture};
use super::{Context, Outcome};
use crate::cli::CheckArgs;
use crate::error::{Error, Result};
use crate::golden::flows::{self, find, pick};
use crate::golden::set::{compare_with_learned, Learned};
use crate::report::failures::Failure;

/// Runs `flowdiff check`.
pub(super) fn run(args: &CheckArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.report.rules)?;
    let settings = Settings::new(&args.report, context);
    let goldens = context.store(&args.store).goldens()?;
    let flows = flows::flows(goldens, &rules)?;
    let forced = match &args.flow {
        Some(name) => Some(find(&flows, name, &rules)?),
        None => None,
    };
    let options = options(&args.report);
    // What each golden set learned from its members, once for all captures.
    let learned: Vec<Learned> = flows
        .iter()
        .map(|flow| Learned::learn(&flow.members, &rules, &options))
        .collect();
    let (mut captures, unreadable) =
        inputs::load_partial(&args.traces, &rules, context.config.limits)?;
    let mut failures: Vec<Failure> = unreadable
        .into_iter()
        .map(|(path, error)| Failure::new(path.display().to_string(), error.to_string()))
        .collect();
    // A capture of many flows (a Tempest log) is checked flow by flow, each against the golden
    // of its name; flows without one are not checked.
    let named = |c: &Capture| forced.or_else(|| flows::named(&flows, &c.trace, &rules));
    let unchecked = captures
        .iter()
        .filter(|c| c.of_many && named(c).is_none())
        .count();
    captures.retain(|c| !c.of_many || named(c).is_some());
    if unchecked > 0 {
        eprintln!(
            "flowdiff: note: {unchecked} flow(s) of many-flow captures have no golden of their name and were not checked"
        );
    }
    if captures.is_empty() && failures.is_empty() {
        return Err(Error::Usage(
            "no flow to check: none has a golden of its name (add one with bless --flow NAME)"
                .into(),
        ));
    }
    let checked: Vec<Result<Explained>> = crate::cores::par_map(&captures, |capture| {
        let (path, trace) = (&capture.path, &capture.trace);
        let index = match (forced, capture.of_many) {
            (Some(index), _) => index,
            (None, true) => named(capture).unwrap_or(0),
            (None, false) => pick(&flows, trace, path, &rules)?,
        };
        let flow = &flows[index];
        let comparison =
            compare_with_learned(&flow.members, &learned[index], trace, &rules, &options);
        Ok(explained(flow.side(), (path, trace), comparison, &settings))
    });
    // A capture that cannot be checked (no golden fits it) is reported with the others.
    let mut reports = Vec::with_capacity(checked.len());
    for (capture, result) in captures.iter().zip(checked) {
        match result {
            Ok(report) => reports.push(report),
            Err(error) => failures.push(Failure::new(
                capture.path.display().to_string(),
                error.to_string(),
            )),
        }
    }
    for failure in &failures {
        eprintln!("flowdiff: {}", failure.error);
    }
    output(reports, Some(failures), &settings, context)
}
