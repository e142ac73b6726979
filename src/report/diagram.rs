//! The comparison as a sequence diagram: who calls whom, in flow order, with what changed.
//!
//! [`Diagram::of`] builds the model from a [`Report`]'s flow view and findings; the Mermaid
//! text (`mermaid`) and the HTML report's SVG (`svg`) draw it. A run of the same call repeated
//! consecutively is one [`Call`] with its counts, and a run of more than [`FOLD_AFTER`] quiet
//! calls (unchanged, no finding) is one [`Item::Folded`] unless every call is asked for.

use super::{split_call, Counts, Report};
use crate::compare::{Finding, Kind, Part, Row, RowKind};
use crate::severity::Severity;
use std::ops::Range;

/// Runs of quiet calls longer than this fold into one item.
pub const FOLD_AFTER: usize = 3;

/// What a call of the diagram is in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Aligned in both captures.
    Same,
    /// In OLD only.
    Missing,
    /// In NEW only.
    Extra,
    /// Aligned, but in another place of its caller's sequence (a `reordered_call` finding).
    Moved,
    /// Plumbing (a cache-dependent call) on one side only: noise, not a finding.
    Plumbing,
}

/// One arrow: a call, or consecutive repeats of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Index of the caller in [`Diagram::participants`].
    pub from: usize,
    /// Index of the callee in [`Diagram::participants`].
    pub to: usize,
    /// The HTTP method.
    pub method: String,
    /// The normalized path template.
    pub path: String,
    /// What the call is in the comparison.
    pub change: Change,
    /// The first old step it stands for.
    pub old_step: Option<usize>,
    /// The first new step it stands for.
    pub new_step: Option<usize>,
    /// NEW's status (OLD's for a missing call).
    pub status: Option<u16>,
    /// OLD's status, for an aligned call.
    pub old_status: Option<u16>,
    /// How many times OLD made it in a row.
    pub old_times: usize,
    /// How many times NEW made it in a row.
    pub new_times: usize,
    /// Findings about headers, queries and bodies on it, per severity.
    pub payload_findings: Counts,
    /// Other findings on it that its arrow does not show (relations, auth patterns).
    pub other_findings: Vec<Kind>,
    /// The highest severity of its findings.
    pub severity: Option<Severity>,
    /// The rows of the report's flow view it stands for.
    pub rows: Range<usize>,
}

impl Call {
    /// True when the status differs between the captures.
    pub fn status_changed(&self) -> bool {
        matches!(self.change, Change::Same | Change::Moved) && self.old_status != self.status
    }

    /// `200`, `200 → 404`, or `no response`.
    pub fn status_text(&self) -> String {
        let show = |s: Option<u16>| s.map_or_else(|| "no response".to_string(), |s| s.to_string());
        if self.status_changed() {
            format!("{} → {}", show(self.old_status), show(self.status))
        } else {
            show(self.status)
        }
    }

    /// `×3`, `×3 → ×2`, or nothing for a single call.
    pub fn times_text(&self) -> Option<String> {
        let (old, new) = (self.old_times, self.new_times);
        match self.change {
            Change::Missing | Change::Extra | Change::Plumbing => {
                let n = old.max(new);
                (n > 1).then(|| format!("×{n}"))
            }
            Change::Same | Change::Moved if old != new => Some(format!("×{old} → ×{new}")),
            Change::Same | Change::Moved => (new > 1).then(|| format!("×{new}")),
        }
    }

    /// The arrow's text: `GET /v2/images/{image_id} 200 → 404 ×2`.
    pub fn label(&self) -> String {
        let mut text = format!("{} {} {}", self.method, self.path, self.status_text());
        if let Some(times) = self.times_text() {
            text.push(' ');
            text.push_str(&times);
        }
        if self.change == Change::Plumbing {
            text.push_str(" (plumbing, one side only)");
        }
        text
    }

    /// The note on the arrow, if it has findings its arrow does not show:
    /// `3 payload findings; relation changed`.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        let c = self.payload_findings;
        let by_severity: Vec<String> = [
            (c.breaking, "breaking"),
            (c.warning, "warning"),
            (c.info, "info"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, severity)| format!("{n} {severity}"))
        .collect();
        match c.breaking + c.warning + c.info {
            0 => {}
            1 => parts.push(format!("1 payload finding ({})", by_severity.join(", "))),
            n => parts.push(format!("{n} payload findings ({})", by_severity.join(", "))),
        }
        let mut kinds = self.other_findings.clone();
        kinds.dedup();
        parts.extend(kinds.iter().map(|k| k.as_str().replace('_', " ")));
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// `step 12`, `old step 7`, or `steps 12–14` for a repeated call: what the arrow stands for.
    pub fn steps_text(&self) -> String {
        let times = self.old_times.max(self.new_times);
        match (self.new_step, self.old_step) {
            (Some(n), _) if times > 1 => format!("new steps {n}–{}", n + self.new_times - 1),
            (Some(n), _) => format!("new step {n}"),
            (None, Some(o)) if times > 1 => format!("old steps {o}–{}", o + self.old_times - 1),
            (None, Some(o)) => format!("old step {o}"),
            (None, None) => String::new(),
        }
    }

    /// True when the call is unchanged and has no finding: it may fold.
    fn quiet(&self) -> bool {
        matches!(self.change, Change::Same | Change::Plumbing)
            && self.severity.is_none()
            && self.old_times == self.new_times
    }
}

/// One item of the diagram, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A call (or a run of repeats of it).
    Call(Call),
    /// Quiet calls folded into one note.
    Folded {
        /// How many calls (exchanges) it stands for.
        calls: usize,
        /// The rows of the report's flow view it stands for.
        rows: Range<usize>,
    },
}

/// The comparison drawn as a sequence diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// Canonical service names, in order of first appearance in the flow.
    pub participants: Vec<String>,
    /// Calls and folded runs, in flow order.
    pub items: Vec<Item>,
}

impl Diagram {
    /// The diagram of `report`; `full` draws every call (no folding of quiet runs).
    pub fn of(report: &Report, full: bool) -> Diagram {
        let by_row = super::findings_by_row(report);
        // In order of first appearance; looked up by name (many parties stay linear).
        let mut participants: crate::intern::Interner<String> = Default::default();
        let mut index = |name: &str| participants.intern_str(name);
        let mut calls: Vec<Call> = Vec::new();
        for (pos, row) in report.rows.iter().enumerate() {
            let findings: &[&Finding] = by_row.get(&pos).map_or(&[], Vec::as_slice);
            let change = change_of(row, findings);
            let Some(parts) = split_call(&row.call) else {
                continue;
            };
            let (from, to) = (index(parts.caller), index(parts.callee));
            let repeats = calls.last_mut().filter(|last| {
                last.from == from
                    && last.to == to
                    && last.method == parts.method
                    && last.path == parts.path
                    && last.change == change
                    && last.change != Change::Moved
                    && last.status == row.status
                    && last.rows.end == pos
            });
            let call = match repeats {
                Some(last) => last,
                None => {
                    calls.push(Call {
                        from,
                        to,
                        method: parts.method.to_string(),
                        path: parts.path.to_string(),
                        change,
                        old_step: row.old_step,
                        new_step: row.new_step,
                        status: row.status,
                        old_status: row.old_status,
                        old_times: 0,
                        new_times: 0,
                        payload_findings: Counts::default(),
                        other_findings: Vec::new(),
                        severity: None,
                        rows: pos..pos,
                    });
                    let Some(last) = calls.last_mut() else {
                        continue;
                    };
                    last
                }
            };
            call.rows.end = pos + 1;
            call.old_step = call.old_step.or(row.old_step);
            call.new_step = call.new_step.or(row.new_step);
            call.old_times += usize::from(row.old_step.is_some());
            call.new_times += usize::from(row.new_step.is_some());
            for f in findings {
                call.severity = call.severity.max(Some(f.severity));
                match (f.part, f.kind) {
                    (
                        Part::Call | Part::Status,
                        Kind::RelationChanged | Kind::AuthPatternChanged,
                    ) => call.other_findings.push(f.kind),
                    (Part::Call | Part::Status, _) => {}
                    _ => match f.severity {
                        Severity::Breaking => call.payload_findings.breaking += 1,
                        Severity::Warning => call.payload_findings.warning += 1,
                        Severity::Info => call.payload_findings.info += 1,
                    },
                }
            }
        }
        Diagram {
            participants: participants.into_values(),
            items: fold(calls, full),
        }
    }

    /// How many calls (exchanges of either capture) the diagram stands for, folded ones too.
    pub fn call_count(&self) -> usize {
        self.items
            .iter()
            .map(|item| match item {
                Item::Call(call) => call.old_times.max(call.new_times),
                Item::Folded { calls, .. } => *calls,
            })
            .sum()
    }

    /// The calls the diagram draws (folded runs left out).
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.items.iter().filter_map(|item| match item {
            Item::Call(call) => Some(call),
            Item::Folded { .. } => None,
        })
    }
}

/// What `row` is in the comparison, given its findings.
fn change_of(row: &Row, findings: &[&Finding]) -> Change {
    match row.kind {
        RowKind::Missing => Change::Missing,
        RowKind::Extra => Change::Extra,
        RowKind::Suppressed => Change::Plumbing,
        RowKind::Paired | RowKind::Repeat => {
            if findings.iter().any(|f| f.kind == Kind::ReorderedCall) {
                Change::Moved
            } else {
                Change::Same
            }
        }
    }
}

/// Folds each run of more than [`FOLD_AFTER`] quiet calls into one item, unless `full`.
fn fold(calls: Vec<Call>, full: bool) -> Vec<Item> {
    let mut items = Vec::with_capacity(calls.len());
    let mut run: Vec<Call> = Vec::new();
    let flush = |run: &mut Vec<Call>, items: &mut Vec<Item>| {
        if run.len() > FOLD_AFTER && !full {
            let (start, end) = (run[0].rows.start, run[run.len() - 1].rows.end);
            let calls = run.iter().map(|c| c.old_times.max(c.new_times)).sum();
            items.push(Item::Folded {
                calls,
                rows: start..end,
            });
            run.clear();
        } else {
            items.extend(run.drain(..).map(Item::Call));
        }
    };
    for call in calls {
        if call.quiet() {
            run.push(call);
        } else {
            flush(&mut run, &mut items);
            items.push(Item::Call(call));
        }
    }
    flush(&mut run, &mut items);
    items
}
