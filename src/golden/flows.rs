//! The goldens in effect as flows: each golden (or golden set) parsed and normalized, and the
//! one a capture is checked against, by name or by its defining calls ([`super::select`]).

use super::select::{
    by_name, choose, defining_calls, file_stem, no_match_reason, Candidate, Choice,
};
use super::Golden;
use crate::error::{Error, Result};
use crate::normalize::RuleSet;
use crate::report::Side;
use crate::trace::{Signature, Trace};
use std::path::Path;

/// A golden flow (or set) parsed and normalized.
pub struct Flow {
    /// The golden's name (its file stem, or the set's directory name).
    pub name: String,
    /// `golden/image-create.md`, or the set's directory for several members.
    pub source: String,
    /// The members, reference first (one for a single golden).
    pub members: Vec<Trace>,
    /// The reference member's defining calls, to choose this golden by structure.
    defining: Vec<Signature>,
}

impl Flow {
    /// The golden as reports name it: its source, and its title, else its name (the flow name
    /// finding ids hash, so `check` and `bless --review` give a finding the same id).
    pub fn side(&self) -> Side {
        let mut side = Side::new(&self.source, &self.members[0]);
        if side.flow.is_none() {
            side.flow = Some(self.name.clone());
        }
        side
    }
}

/// Parses and normalizes the goldens, grouping members of one set (same name) together.
pub fn flows(goldens: Vec<Golden>, rules: &RuleSet) -> Result<Vec<Flow>> {
    let mut flows: Vec<Flow> = Vec::new();
    for g in goldens {
        let trace = g.trace(rules)?;
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

/// The golden named `name` (`--flow`), matched like flow titles (with the client names of
/// `rules`).
pub fn find(flows: &[Flow], name: &str, rules: &RuleSet) -> Result<usize> {
    by_name(name, &candidates(flows), rules).ok_or_else(|| {
        Error::Usage(format!(
            "no golden flow named `{name}`; available: {}",
            names(flows)
        ))
    })
}

/// The flows as golden selection sees them.
pub fn candidates(flows: &[Flow]) -> Vec<Candidate<'_>> {
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
pub fn named(flows: &[Flow], trace: &Trace, rules: &RuleSet) -> Option<usize> {
    trace
        .name
        .as_deref()
        .and_then(|name| by_name(name, &candidates(flows), rules))
}

/// Chooses the golden for `trace` by title, file name or defining calls, or explains why none
/// fits.
pub fn pick(flows: &[Flow], trace: &Trace, path: &Path, rules: &RuleSet) -> Result<usize> {
    let candidates = candidates(flows);
    let defining = defining_calls(trace, rules);
    let stem = file_stem(path);
    match choose(
        trace.name.as_deref(),
        Some(&stem),
        &defining,
        &candidates,
        rules,
    ) {
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
