//! `flowdiff check TRACE…`: compare each capture with its golden flow (a CI regression gate).

use super::diff::{explained, options, output, Explained, Settings};
use super::inputs::{self, Capture};
use super::parse_normalized;
use super::{Context, Outcome};
use crate::cli::CheckArgs;
use crate::compare::select::{
    by_name, choose, defining_calls, file_stem, no_match_reason, Candidate, Choice,
};
use crate::compare::set::{compare_with_learned, Learned};
use crate::error::{Error, Result};
use crate::golden::Golden;
use crate::normalize::RuleSet;
use crate::report::failures::Failure;
use crate::report::Side;
use crate::trace::{Signature, Trace};
use std::path::Path;

/// A golden flow (or set) parsed and normalized.
pub(super) struct Flow {
    /// The golden's name (its file stem, or the set's directory name).
    pub(super) name: String,
    /// `golden/image-create.md`, or the set's directory for several members.
    pub(super) source: String,
    /// The members, reference first (one for a single golden).
    pub(super) members: Vec<Trace>,
    /// The reference member's defining calls, to choose this golden by structure.
    defining: Vec<Signature>,
}

impl Flow {
    /// The golden as reports name it: its source, and its title, else its name (the flow name
    /// finding ids hash, so `check` and `bless --review` give a finding the same id).
    pub(super) fn side(&self) -> Side {
        let mut side = Side::new(&self.source, &self.members[0]);
        if side.flow.is_none() {
            side.flow = Some(self.name.clone());
        }
        side
    }
}

/// Runs `flowdiff check`.
pub fn run(args: &CheckArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.report.rules)?;
    let settings = Settings::new(&args.report, context);
    let goldens = context.store(&args.store).goldens()?;
    let flows = flows(goldens, &rules)?;
    let forced = match &args.flow {
        Some(name) => Some(find(&flows, name)?),
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
    let named = |c: &Capture| forced.or_else(|| golden_named(&flows, &c.trace));
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
    let checked: Vec<Result<Explained>> = inputs::par_map(&captures, |capture| {
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

/// Parses and normalizes the goldens, grouping members of one set (same name) together.
pub(super) fn flows(goldens: Vec<Golden>, rules: &RuleSet) -> Result<Vec<Flow>> {
    let mut flows: Vec<Flow> = Vec::new();
    for g in goldens {
        let trace = parse_normalized(&g.text, &g.source, rules)?;
        match flows.iter_mut().find(|f| f.name == g.name) {
            Some(flow) => {
                let dir = Path::new(&g.source)
                    .parent()
                    .map(|p| format!("{}/", p.display()));
                flow.source = dir.unwrap_or_else(|| g.name.clone());
                flow.members.push(trace);
            }
            None => {
                let defining = defining_calls(&trace, rules);
                flows.push(Flow {
                    name: g.name,
                    source: g.source,
                    members: vec![trace],
                    defining,
                });
            }
        }
    }
    Ok(flows)
}

fn names(flows: &[Flow]) -> String {
    let names: Vec<&str> = flows.iter().map(|f| f.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// The golden named `name` (`--flow`), matched like flow titles.
pub(super) fn find(flows: &[Flow], name: &str) -> Result<usize> {
    by_name(name, &candidates(flows)).ok_or_else(|| {
        Error::Usage(format!(
            "no golden flow named `{name}`; available: {}",
            names(flows)
        ))
    })
}

/// The flows as golden selection sees them.
pub(super) fn candidates(flows: &[Flow]) -> Vec<Candidate<'_>> {
    flows
        .iter()
        .map(|f| Candidate {
            name: &f.name,
            title: f.members[0].name.as_deref(),
            defining: &f.defining,
        })
        .collect()
}

/// The golden named like the flow `trace` (a test of a Tempest log), if there is one.
fn golden_named(flows: &[Flow], trace: &Trace) -> Option<usize> {
    trace
        .name
        .as_deref()
        .and_then(|name| by_name(name, &candidates(flows)))
}

/// Chooses the golden for `trace` by title, file name or defining calls, or explains why none
/// fits.
fn pick(flows: &[Flow], trace: &Trace, path: &Path, rules: &RuleSet) -> Result<usize> {
    let candidates = candidates(flows);
    let defining = defining_calls(trace, rules);
    let stem = file_stem(path);
    match choose(trace.name.as_deref(), Some(&stem), &defining, &candidates) {
        Choice::ByTitle(index) | Choice::ByFileName(index) | Choice::ByCalls(index) => Ok(index),
        Choice::NoMatch(closest) => {
            let advice = match closest {
                Some(_) => "name one with --flow or add it with bless",
                None => "add one with bless",
            };
            Err(Error::Usage(format!(
                "no golden flow for {}: {}; {advice}",
                path.display(),
                no_match_reason(closest, &candidates)
            )))
        }
    }
}
