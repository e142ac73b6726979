//! Release notes of flow changes: pair the flows of two capture sets, compare each pair and
//! describe what changed in plain language, grouped by service and kind.
//!
//! [`build`] is pure: the command layer reads the captures and renders the [`Notes`] as
//! Markdown ([`markdown`]) or JSON (the [`Notes`] value serialized).

mod group;
mod html;
mod markdown;
mod pair;
mod phrase;

pub use group::{changes, Change, ChangeKind, Link};
pub use html::render as html;
pub use markdown::render as markdown;
pub use pair::{pair, Key, PairedBy, Pairing};
pub use phrase::activity;

use crate::compare::{compare, Options};
use crate::golden::select::defining_calls;
use crate::normalize::RuleSet;
use crate::report::{Counts, Report, Side};
use crate::severity::Severity;
use crate::trace::{Signature, Trace};
use serde::Serialize;

/// The JSON notes' schema name.
pub const SCHEMA: &str = "flowdiff-notes/v1";

/// One capture of a side, read and normalized by the caller.
#[derive(Debug, Clone)]
pub struct Capture {
    /// Where it came from, as reports name it (`new/image-create.md`, `golden/image-create.md`).
    pub source: String,
    /// The link target of its steps in Markdown (a path relative to the notes), if any.
    pub link: Option<String>,
    /// The file name without extensions, the flow name when the capture has no title.
    pub stem: String,
    /// The normalized trace.
    pub trace: Trace,
}

/// How a flow fared between OLD and NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In both, with findings.
    Changed,
    /// In both, without findings.
    Unchanged,
    /// Only in NEW: "flow added".
    Added,
    /// Only in OLD: "flow no longer captured".
    Removed,
}

/// The notes of one flow.
#[derive(Debug, Clone, Serialize)]
pub struct FlowNotes {
    /// The flow's name: the new capture's title, else the old one's, else a file name.
    pub flow: String,
    /// Changed, unchanged, added or no longer captured.
    pub status: Status,
    /// How OLD and NEW were paired (`None` for a flow on one side only).
    pub paired_by: Option<PairedBy>,
    /// The old capture's source.
    pub old: Option<String>,
    /// The new capture's source.
    pub new: Option<String>,
    /// Link target of the new capture's steps.
    #[serde(skip)]
    pub link: Option<String>,
    /// Findings per severity.
    pub counts: Counts,
    /// The changes in plain language.
    pub changes: Vec<Change>,
    /// The comparison report (the `flowdiff/v1` shape), for paired flows.
    pub report: Option<Report>,
}

/// Release notes: every flow of OLD and NEW, in name order.
#[derive(Debug, Clone, Serialize)]
pub struct Notes {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The document's title.
    pub title: String,
    /// What OLD was (as given on the command line).
    pub old: String,
    /// What NEW was.
    pub new: String,
    /// One entry per flow, sorted by flow name (then status).
    pub flows: Vec<FlowNotes>,
}

/// Compares every flow of `old` with its counterpart in `new` (all normalized with `rules`).
pub fn build(
    title: &str,
    (old_label, old): (&str, &[Capture]),
    (new_label, new): (&str, &[Capture]),
    rules: &RuleSet,
    options: &Options,
) -> Notes {
    let defining = |side: &[Capture]| -> Vec<Vec<Signature>> {
        side.iter()
            .map(|c| defining_calls(&c.trace, rules))
            .collect()
    };
    let (old_defining, new_defining) = (defining(old), defining(new));
    let pairing = pair(&keys(old, &old_defining), &keys(new, &new_defining), rules);
    let mut flows = Vec::new();
    for &(o, n, how) in &pairing.pairs {
        flows.push(paired(&old[o], &new[n], how, rules, options));
    }
    for &o in &pairing.old_only {
        flows.push(alone(&old[o], Status::Removed));
    }
    for &n in &pairing.new_only {
        flows.push(alone(&new[n], Status::Added));
    }
    flows.sort_by(|a, b| {
        (&a.flow, a.status, &a.new, &a.old).cmp(&(&b.flow, b.status, &b.new, &b.old))
    });
    Notes {
        schema: SCHEMA,
        title: title.to_string(),
        old: old_label.to_string(),
        new: new_label.to_string(),
        flows,
    }
}

/// What pairing sees of each capture of a side.
fn keys<'a>(side: &'a [Capture], defining: &'a [Vec<Signature>]) -> Vec<Key<'a>> {
    side.iter()
        .zip(defining)
        .map(|(c, d)| Key {
            title: c.trace.name.as_deref(),
            stem: &c.stem,
            defining: d,
        })
        .collect()
}

/// The flow's display name.
fn name(first: &Capture, second: Option<&Capture>) -> String {
    let title = |c: &Capture| c.trace.name.clone().filter(|t| !t.trim().is_empty());
    title(first)
        .or_else(|| second.and_then(title))
        .unwrap_or_else(|| first.stem.clone())
}

fn paired(
    old: &Capture,
    new: &Capture,
    how: PairedBy,
    rules: &RuleSet,
    options: &Options,
) -> FlowNotes {
    let comparison = compare(&old.trace, &new.trace, rules, options);
    let changes = changes(&old.trace, &new.trace, &comparison.findings, rules);
    let report = Report::new(
        Side::new(&old.source, &old.trace),
        Side::new(&new.source, &new.trace),
        comparison,
        Some(Severity::Breaking),
        &crate::compare::accept::Accepts::default(),
    );
    FlowNotes {
        flow: name(new, Some(old)),
        status: if report.findings.is_empty() {
            Status::Unchanged
        } else {
            Status::Changed
        },
        paired_by: Some(how),
        old: Some(old.source.clone()),
        new: Some(new.source.clone()),
        link: new.link.clone(),
        counts: report.counts,
        changes,
        report: Some(report),
    }
}

fn alone(capture: &Capture, status: Status) -> FlowNotes {
    let (old, new, link) = match status {
        Status::Added => (None, Some(capture.source.clone()), capture.link.clone()),
        _ => (Some(capture.source.clone()), None, None),
    };
    FlowNotes {
        flow: name(capture, None),
        status,
        paired_by: None,
        old,
        new,
        link,
        counts: Counts::default(),
        changes: Vec::new(),
        report: None,
    }
}
