//! Findings of one flow turned into changes in plain language, grouped by service and kind.

use super::phrase::activity;
use crate::compare::{Finding, Kind, Part};
use crate::normalize::{signature, RuleSet};
use crate::severity::Severity;
use crate::trace::{Signature, Trace};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// What kind of change a line of the notes describes, in the order the notes list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A service calls something it did not call before.
    NewCall,
    /// A service no longer makes a call.
    RemovedCall,
    /// A call made at another point of its caller's sequence.
    Reordered,
    /// A repeated call (a polling loop) repeated another number of times.
    RepeatCount,
    /// Cache-dependent auth calls (discovery, service tokens, validation) differ.
    AuthPattern,
    /// A call answered with another status.
    Status,
    /// JSON fields added, removed or retyped.
    Schema,
    /// Headers added, removed or changed.
    Headers,
    /// Query parameters added, removed or changed.
    Query,
    /// Values that are not volatile changed.
    Values,
    /// Steps that shared one value no longer do, or the reverse.
    Relations,
}

impl ChangeKind {
    /// The heading the notes use for changes of this kind.
    pub fn heading(self) -> &'static str {
        match self {
            ChangeKind::NewCall => "New calls",
            ChangeKind::RemovedCall => "Removed calls",
            ChangeKind::Reordered => "Reordered steps",
            ChangeKind::RepeatCount => "Repeat counts",
            ChangeKind::AuthPattern => "Auth patterns",
            ChangeKind::Status => "Status changes",
            ChangeKind::Schema => "Schema changes",
            ChangeKind::Headers => "Header changes",
            ChangeKind::Query => "Query changes",
            ChangeKind::Relations => "Relations between steps",
            ChangeKind::Values => "Value changes",
        }
    }

    fn of(kind: Kind) -> ChangeKind {
        match kind {
            Kind::ExtraCall => ChangeKind::NewCall,
            Kind::MissingCall => ChangeKind::RemovedCall,
            Kind::ReorderedCall => ChangeKind::Reordered,
            Kind::RepeatCountChanged => ChangeKind::RepeatCount,
            Kind::AuthPatternChanged => ChangeKind::AuthPattern,
            Kind::StatusChanged => ChangeKind::Status,
            Kind::FieldAdded | Kind::FieldRemoved | Kind::TypeChanged => ChangeKind::Schema,
            Kind::HeaderAdded | Kind::HeaderRemoved | Kind::HeaderChanged => ChangeKind::Headers,
            Kind::QueryChanged => ChangeKind::Query,
            Kind::ValueChanged => ChangeKind::Values,
            Kind::RelationChanged => ChangeKind::Relations,
        }
    }

    /// Call-level changes are the caller's doing; payload changes are the callee's API.
    fn by_caller(self) -> bool {
        self <= ChangeKind::AuthPattern
    }
}

/// Where a change shows in the new capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// The 1-based step in the new capture; for a removed call, the step it would follow.
    pub step: Option<usize>,
    /// True when the change has no step of its own in the new capture (a removed call).
    pub after: bool,
    /// The 1-based line of that step in the new capture.
    pub line: usize,
}

/// One line of the notes: a change of one service, in plain language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The service the change is about: the caller for call changes, the callee for payloads.
    pub service: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The most serious finding behind it.
    pub severity: Severity,
    /// The sentence, Markdown with code spans.
    pub text: String,
    /// Where it shows in the new capture, in line order.
    pub links: Vec<Link>,
    /// How many findings it stands for.
    pub findings: usize,
}

/// A change being collected: its findings' details, occurrences and parents.
struct Group {
    sig: Signature,
    part: Part,
    severity: Severity,
    /// Distinct detail phrases in first-seen order (schema items, header names, statuses).
    details: Vec<String>,
    /// Distinct parent activities in first-seen order.
    whiles: Vec<String>,
    links: Vec<Link>,
    findings: usize,
    /// Findings of every call merged into this change.
    total: usize,
    /// The calls, as code spans (several when calls changed together).
    calls: Vec<String>,
    message: String,
    /// The first old step, to keep changes at one place in flow order.
    old_step: Option<usize>,
}

/// A change being collected, with the service it is about and its kind.
type Keyed = (String, ChangeKind, Group);

impl Group {
    /// The change finding `f` on a call of signature `sig` starts.
    fn new(sig: &Signature, f: &Finding) -> Group {
        Group {
            sig: sig.clone(),
            part: f.part,
            severity: f.severity,
            details: Vec::new(),
            whiles: Vec::new(),
            links: Vec::new(),
            findings: 0,
            total: 0,
            calls: vec![code(&format!("{} {}", sig.method, sig.path))],
            message: f.message.clone(),
            old_step: f.old_step,
        }
    }

    /// Adds finding `f` (its phrase `detail`, the signature of its call's `parent` if any);
    /// `steps` finds the new step of a line of the new capture.
    fn add(
        &mut self,
        f: &Finding,
        detail: String,
        parent: Option<&Signature>,
        steps: &HashMap<usize, usize>,
    ) {
        self.severity = self.severity.max(f.severity);
        self.findings += 1;
        self.total += 1;
        push_new(&mut self.details, detail);
        if let Some(p) = parent {
            push_new(&mut self.whiles, activity(&p.method, &p.path));
        }
        if let Some(line) = f.line {
            let link = Link {
                step: f.new_step.or_else(|| steps.get(&line).copied()),
                after: f.new_step.is_none(),
                line,
            };
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }
    }

    /// Takes in `other`, a call that changed together with this one.
    fn absorb(&mut self, other: Group) {
        self.calls.extend(other.calls);
        self.severity = self.severity.max(other.severity);
        self.total += other.total;
        for link in other.links {
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }
        self.links.sort();
    }
}

/// The changes of one flow: `old` and `new` normalized with `rules`, `findings` from comparing
/// them. Deterministic: services by name, then kinds in [`ChangeKind`] order, then first step.
pub fn changes(old: &Trace, new: &Trace, findings: &[Finding], rules: &RuleSet) -> Vec<Change> {
    let steps = steps_by_line(new);
    let mut groups: BTreeMap<(String, ChangeKind, String), Group> = BTreeMap::new();
    let mut loose: Vec<Change> = Vec::new();
    for f in findings {
        let (trace, step) = match (f.new_step, f.old_step) {
            (Some(s), _) => (new, s),
            (None, Some(s)) => (old, s),
            (None, None) => (new, 0),
        };
        let Some(exchange) = trace.step(step) else {
            loose.push(flow_change(f));
            continue;
        };
        let sig = signature(exchange, rules);
        let kind = ChangeKind::of(f.kind);
        let detail = detail(f);
        let (service, key) = group_key(&sig, kind, f.part, &detail);
        let group = groups
            .entry((service, kind, key))
            .or_insert_with(|| Group::new(&sig, f));
        let parent = exchange
            .parent
            .and_then(|p| trace.exchanges.get(p))
            .map(|p| signature(p, rules));
        group.add(f, detail, parent.as_ref(), &steps);
    }
    let mut out: Vec<Change> = merge_changed_together(in_flow_order(groups))
        .into_iter()
        .map(|(service, kind, g)| Change {
            text: sentence(kind, &g),
            service,
            kind,
            severity: g.severity,
            findings: g.total,
            links: g.links,
        })
        .collect();
    out.extend(loose);
    out
}

/// The 1-based step of each request line of `trace`.
fn steps_by_line(trace: &Trace) -> HashMap<usize, usize> {
    trace
        .exchanges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.request.line.map(|l| (l, i + 1)))
        .collect()
}

/// A finding about the flow as a whole (no call of its own): told as the comparison put it.
fn flow_change(f: &Finding) -> Change {
    Change {
        service: "the flow".to_string(),
        kind: ChangeKind::of(f.kind),
        severity: f.severity,
        text: f.message.clone(),
        links: Vec::new(),
        findings: 1,
    }
}

/// The service a finding of `kind` on a call of signature `sig` is about (the caller for call
/// changes, the callee for payloads), and the key of its change within that service and kind:
/// the call and the part, plus `detail` for kinds whose details are told apart (a repeat
/// count, a status, an auth pattern).
fn group_key(sig: &Signature, kind: ChangeKind, part: Part, detail: &str) -> (String, String) {
    let mut key = format!("{} {} {:?}", sig.method, sig.path, part);
    if kind.by_caller() {
        key = format!("{} {key}", sig.callee);
    }
    if matches!(
        kind,
        ChangeKind::RepeatCount | ChangeKind::Status | ChangeKind::AuthPattern
    ) {
        key.push_str(detail);
    }
    let service = if kind.by_caller() {
        &sig.caller
    } else {
        &sig.callee
    };
    (service.clone(), key)
}

/// The changes with their links in line order, sorted by service, kind, then where they first
/// show (the first line in the new capture, else the first old step).
fn in_flow_order(groups: BTreeMap<(String, ChangeKind, String), Group>) -> Vec<Keyed> {
    let first = |g: &Group| (g.links.first().map(|l| l.line), g.old_step);
    let mut sorted: Vec<Keyed> = groups
        .into_iter()
        .map(|((service, kind, _), mut g)| {
            g.links.sort();
            (service, kind, g)
        })
        .collect();
    sorted.sort_by(|a, b| (&a.0, a.1, first(&a.2)).cmp(&(&b.0, b.1, first(&b.2))));
    sorted
}

/// Merges calls added or removed together (next to each other in `sorted`, same service,
/// callee, parents and count of findings) into one change.
fn merge_changed_together(sorted: Vec<Keyed>) -> Vec<Keyed> {
    let mut merged: Vec<Keyed> = Vec::new();
    for next in sorted {
        match merged
            .last_mut()
            .filter(|last| changed_together(last, &next))
        {
            Some((_, _, m)) => m.absorb(next.2),
            None => merged.push(next),
        }
    }
    merged
}

/// Whether change `b` is a call added or removed together with change `a`'s calls.
fn changed_together((s, k, m): &Keyed, (service, kind, g): &Keyed) -> bool {
    s == service
        && k == kind
        && matches!(kind, ChangeKind::NewCall | ChangeKind::RemovedCall)
        && m.sig.callee == g.sig.callee
        && m.whiles == g.whiles
        && m.findings == g.findings
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !item.is_empty() && !list.contains(&item) {
        list.push(item);
    }
}

/// What one finding adds to its group's sentence.
fn detail(f: &Finding) -> String {
    let pointer = f
        .pointer
        .as_deref()
        .map(|p| p.trim_start_matches('/'))
        .filter(|p| !p.is_empty());
    let name = pointer.map_or_else(|| "the body".to_string(), code);
    let (old, new) = (show(f.old.as_ref()), show(f.new.as_ref()));
    match f.kind {
        Kind::FieldAdded | Kind::HeaderAdded => match new.filter(|_| f.kind == Kind::FieldAdded) {
            Some(t) => format!("{name} ({t}) added"),
            None => format!("{name} added"),
        },
        Kind::FieldRemoved | Kind::HeaderRemoved => format!("{name} removed"),
        Kind::TypeChanged => format!(
            "{name} changed from {} to {}",
            old.unwrap_or_default(),
            new.unwrap_or_default()
        ),
        Kind::HeaderChanged | Kind::QueryChanged | Kind::ValueChanged => {
            format!("{name} changed")
        }
        Kind::StatusChanged | Kind::RepeatCountChanged => format!(
            "{} instead of {}",
            new.unwrap_or_default(),
            old.unwrap_or_default()
        ),
        Kind::AuthPatternChanged | Kind::RelationChanged => f.message.clone(),
        Kind::MissingCall | Kind::ExtraCall | Kind::ReorderedCall => String::new(),
    }
}

/// A finding's value as a short word: strings bare, anything else as JSON.
fn show(value: Option<&Value>) -> Option<String> {
    value.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// `text` as a Markdown code span.
pub(super) fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

fn sentence(kind: ChangeKind, g: &Group) -> String {
    let sig = &g.sig;
    let call = code(&format!("{} {}", sig.method, sig.path));
    let times = match (g.findings, g.calls.len()) {
        (1, _) => String::new(),
        (n, 1) => format!(" ({n}×)"),
        (n, _) => format!(" ({n}× each)"),
    };
    let calls = join(&g.calls, "and");
    let whiles = if g.whiles.is_empty() {
        String::new()
    } else {
        format!(" while {}", join(&g.whiles, "and"))
    };
    let details = join(&g.details, "and");
    match kind {
        ChangeKind::NewCall => format!(
            "{} now calls {} {calls}{times}{whiles}",
            sig.caller, sig.callee
        ),
        ChangeKind::RemovedCall => {
            format!(
                "{} no longer calls {} {calls}{times}{whiles}",
                sig.caller, sig.callee
            )
        }
        ChangeKind::Reordered => format!(
            "{} calls {} {call} at another point of its sequence{times}{whiles}",
            sig.caller, sig.callee
        ),
        ChangeKind::RepeatCount => format!(
            "{} calls {} {call} {}{whiles}",
            sig.caller,
            sig.callee,
            times_instead(&details)
        ),
        ChangeKind::AuthPattern | ChangeKind::Relations => g.message.clone(),
        ChangeKind::Status => format!("{call} now answers {details}{times}"),
        ChangeKind::Schema | ChangeKind::Headers | ChangeKind::Query | ChangeKind::Values => {
            format!(
                "{call} {}: {}",
                part_label(kind, g.part),
                g.details.join("; ")
            )
        }
    }
}

/// `3 instead of 2` as `3× instead of 2×`.
fn times_instead(details: &str) -> String {
    details
        .split(" instead of ")
        .map(|n| format!("{n}×"))
        .collect::<Vec<_>>()
        .join(" instead of ")
}

fn part_label(kind: ChangeKind, part: Part) -> &'static str {
    match (part, kind) {
        (Part::RequestQuery, _) => "query",
        (Part::RequestHeaders, _) => "request headers",
        (Part::ResponseHeaders, _) => "response headers",
        (Part::RequestBody, ChangeKind::Values) => "request values",
        (Part::RequestBody, _) => "request",
        (_, ChangeKind::Values) => "response values",
        _ => "response",
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_counts_read_as_english() {
        let items = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(join(&items(0), "and"), "");
        assert_eq!(join(&items(1), "and"), "1");
        assert_eq!(join(&items(2), "and"), "1 and 2");
        assert_eq!(join(&items(3), "and"), "1, 2 and 3");
        assert_eq!(times_instead("5 instead of 3"), "5× instead of 3×");
        assert_eq!(code("a`b"), "`a'b`");
    }
}
