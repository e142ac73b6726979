//! The library's entry point: compare two captures given as text and get their [`Report`].
//!
//! [`Diff`] runs the pipeline `flowdiff OLD NEW` runs (parse, normalize with a [`RuleSet`],
//! compare, build the report) on texts instead of files; the command layer shares its steps
//! (`one_flow`, `report`).

use crate::compare::accept::Accepts;
use crate::compare::{self, Options};
use crate::error::{InputError, Result};
use crate::golden::select::same_flow;
use crate::normalize::{normalize_in_place, RuleSet};
use crate::parse;
use crate::report::{Report, Side};
use crate::severity::Severity;
use crate::trace::Trace;
use std::path::Path;

/// A comparison of two captures, set up step by step and run by [`Diff::compare`].
///
/// The captures are texts in any supported format (mixed formats compare too). Without
/// [`Diff::rules`] the built-in rules apply; without [`Diff::fail_on`] breaking findings fail the
/// verdict, as on the command line. The crate documentation has an example; the options chain
/// before [`Diff::compare`] in any order (`Diff::new(old, new).names("old.md", "new.md")
/// .rules(&rules).strict_order(true).compare()?`), each one what its `flowdiff OLD NEW` flag
/// does.
#[derive(Debug, Clone)]
pub struct Diff<'a> {
    old: Capture<'a>,
    new: Capture<'a>,
    rules: Option<&'a RuleSet>,
    options: Options,
    threshold: Option<Severity>,
    flow: Option<&'a str>,
}

/// One side's text and the name messages and the report give it.
#[derive(Debug, Clone, Copy)]
struct Capture<'a> {
    text: &'a str,
    name: &'a str,
}

impl<'a> Diff<'a> {
    /// A comparison of capture `old` (the reference) with capture `new` (the one under test),
    /// named `old` and `new` in errors and in the report until [`Diff::names`] names them.
    pub fn new(old: &'a str, new: &'a str) -> Diff<'a> {
        Diff {
            old: Capture {
                text: old,
                name: "old",
            },
            new: Capture {
                text: new,
                name: "new",
            },
            rules: None,
            options: Options::default(),
            threshold: Some(Severity::Breaking),
            flow: None,
        }
    }

    /// Names the captures (file names, say): errors say `NAME:LINE: …` and the report's sides
    /// carry the names.
    pub fn names(mut self, old: &'a str, new: &'a str) -> Diff<'a> {
        self.old.name = old;
        self.new.name = new;
        self
    }

    /// Normalizes and compares with `rules` (for example [`RuleSet::load`] of the built-in rules
    /// and a team's rules files) instead of the built-in rules.
    pub fn rules(mut self, rules: &'a RuleSet) -> Diff<'a> {
        self.rules = Some(rules);
        self
    }

    /// Reports interleaving changes between independent actors as info findings
    /// (`--strict-order`).
    pub fn strict_order(mut self, strict: bool) -> Diff<'a> {
        self.options.strict_order = strict;
        self
    }

    /// Aligns plumbing (cache-dependent auth calls, a service's calls to itself) like any other
    /// call (`--strict-plumbing`).
    pub fn strict_plumbing(mut self, strict: bool) -> Diff<'a> {
        self.options.strict_plumbing = strict;
        self
    }

    /// The lowest severity that fails the verdict (`--fail-on`); `None` never fails.
    pub fn fail_on(mut self, threshold: Option<Severity>) -> Diff<'a> {
        self.threshold = threshold;
        self
    }

    /// In captures of several flows (a Tempest log: one per test), compares the flow named
    /// `name` (`--flow`); without it such a capture is an error naming its flows.
    pub fn flow(mut self, name: &'a str) -> Diff<'a> {
        self.flow = Some(name);
        self
    }

    /// Parses, normalizes and compares the two captures.
    ///
    /// # Errors
    ///
    /// [`Error::Input`](crate::Error::Input) naming the capture and line when a text is not a
    /// capture, or holds several flows and none was chosen with [`Diff::flow`].
    pub fn compare(&self) -> Result<Report> {
        let builtin;
        let rules = match self.rules {
            Some(rules) => rules,
            None => {
                builtin = RuleSet::builtin();
                &builtin
            }
        };
        let old = self.old.flow(rules, self.flow)?;
        let new = self.new.flow(rules, self.flow)?;
        let (report, _explanation) = report(
            (self.old.name, &old),
            (self.new.name, &new),
            rules,
            &self.options,
            self.threshold,
            &Accepts::default(),
        );
        Ok(report)
    }
}

impl Capture<'_> {
    /// The capture's flow (the one named `name` of several), normalized with `rules`.
    fn flow(&self, rules: &RuleSet, name: Option<&str>) -> Result<Trace> {
        let source = Path::new(self.name);
        let flows = parse::parse_flows(self.text).map_err(|e| e.in_file(source))?;
        let mut flow = one_flow(source, flows, name, rules)?;
        normalize_in_place(&mut flow, rules);
        Ok(flow)
    }
}

/// The flow of a capture read from `source`: its only flow, or the one named `name` when it
/// holds several (an error listing them when none is named or the name is not there). Names
/// compare by [`same_flow`] with the client names of `rules`.
pub(crate) fn one_flow(
    source: &Path,
    mut flows: Vec<Trace>,
    name: Option<&str>,
    rules: &RuleSet,
) -> Result<Trace> {
    if flows.len() == 1 {
        return Ok(flows.remove(0));
    }
    let wanted = name.and_then(|name| {
        flows
            .iter()
            .position(|f| f.name.as_deref().is_some_and(|n| same_flow(n, name, rules)))
    });
    match (wanted, name) {
        (Some(index), _) => Ok(flows.swap_remove(index)),
        (None, Some(name)) => Err(InputError::new(
            0,
            format!("no flow named {name:?}: {}", parse::flow_names(&flows)),
        )
        .in_file(source)),
        (None, None) => Err(InputError::new(0, parse::several_flows(&flows)).in_file(source)),
    }
}

/// Compares flow `old` with flow `new`, both normalized with `rules` and named by their source,
/// into their report (findings at or above `threshold` fail it, those `accepts` accepts are set
/// apart), and the text explaining the step [`Options::explain`] asks about.
pub(crate) fn report(
    (old_source, old): (&str, &Trace),
    (new_source, new): (&str, &Trace),
    rules: &RuleSet,
    options: &Options,
    threshold: Option<Severity>,
    accepts: &Accepts,
) -> (Report, Option<String>) {
    let mut comparison = compare::compare(old, new, rules, options);
    let explanation = comparison.explanation.take();
    let report = Report::new(
        Side::new(old_source, old),
        Side::new(new_source, new),
        comparison,
        threshold,
        accepts,
    );
    (report, explanation)
}
