//! Comparison: align two normalized traces and report what drifted, with default severities.
//!
//! [`compare`] takes two traces normalized with the same [`RuleSet`]; alignment lives in
//! [`align`], per-pair payload checks in `payload`, call-level findings in
//! `calls`, the flow view in `view`.

pub mod accept;
pub mod align;
mod calls;
mod content;
mod explain;
pub mod headers;
mod payload;
mod relations;
mod repeat;
pub mod schema;
mod segments;
mod sides;
mod view;
mod warning;

use crate::intern::Interner;
use crate::normalize::{self, RuleSet};
use crate::severity::Severity;
use crate::trace::{Json, Signature, Trace};
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::AtomicUsize;

pub use warning::{Warning, WarningKind};

/// What kind of difference a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A call in OLD with no counterpart in NEW.
    MissingCall,
    /// A call in NEW with no counterpart in OLD.
    ExtraCall,
    /// A call in both, in a different order within its caller's sequence or under another parent.
    ReorderedCall,
    /// A run of the same consecutive call repeated a different number of times.
    RepeatCountChanged,
    /// Cache-dependent auth calls under one parent differ in presence or count.
    AuthPatternChanged,
    /// The response status differs.
    StatusChanged,
    /// A header only in NEW.
    HeaderAdded,
    /// A header only in OLD.
    HeaderRemoved,
    /// A header with a different value.
    HeaderChanged,
    /// A query parameter added, removed or changed (queries compare as sets).
    QueryChanged,
    /// A JSON field only in NEW.
    FieldAdded,
    /// A JSON field only in OLD.
    FieldRemoved,
    /// A JSON value (or the whole body) of another type.
    TypeChanged,
    /// A non-volatile scalar value that differs.
    ValueChanged,
    /// Steps that shared one value no longer do, or the reverse (placeholder relations).
    RelationChanged,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 15] = [
        Kind::MissingCall,
        Kind::ExtraCall,
        Kind::ReorderedCall,
        Kind::RepeatCountChanged,
        Kind::AuthPatternChanged,
        Kind::StatusChanged,
        Kind::HeaderAdded,
        Kind::HeaderRemoved,
        Kind::HeaderChanged,
        Kind::QueryChanged,
        Kind::FieldAdded,
        Kind::FieldRemoved,
        Kind::TypeChanged,
        Kind::ValueChanged,
        Kind::RelationChanged,
    ];

    /// The kind named `name` (`missing_call`).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The name used in reports and rules (`missing_call`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingCall => "missing_call",
            Kind::ExtraCall => "extra_call",
            Kind::ReorderedCall => "reordered_call",
            Kind::RepeatCountChanged => "repeat_count_changed",
            Kind::AuthPatternChanged => "auth_pattern_changed",
            Kind::StatusChanged => "status_changed",
            Kind::HeaderAdded => "header_added",
            Kind::HeaderRemoved => "header_removed",
            Kind::HeaderChanged => "header_changed",
            Kind::QueryChanged => "query_changed",
            Kind::FieldAdded => "field_added",
            Kind::FieldRemoved => "field_removed",
            Kind::TypeChanged => "type_changed",
            Kind::ValueChanged => "value_changed",
            Kind::RelationChanged => "relation_changed",
        }
    }
}

/// Which part of an exchange a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Part {
    /// The call itself (presence, order, count).
    #[serde(rename = "call")]
    Call,
    /// The response status.
    #[serde(rename = "status")]
    Status,
    /// The request's query string.
    #[serde(rename = "request.query")]
    RequestQuery,
    /// Request headers.
    #[serde(rename = "request.headers")]
    RequestHeaders,
    /// Request body.
    #[serde(rename = "request.body")]
    RequestBody,
    /// Response headers.
    #[serde(rename = "response.headers")]
    ResponseHeaders,
    /// Response body.
    #[serde(rename = "response.body")]
    ResponseBody,
}

/// One difference between OLD and NEW, as every report format shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// A stable short id: a hash of the finding's fingerprint (see [`accept::finding_id`]);
    /// empty until the report assigns it.
    pub id: String,
    /// What kind of difference.
    pub kind: Kind,
    /// How serious it is (defaults, then rule overrides).
    pub severity: Severity,
    /// The call's normalized signature, `caller -> callee METHOD path`.
    pub call: String,
    /// 1-based step in OLD, `None` when the call has no side there.
    pub old_step: Option<usize>,
    /// 1-based step in NEW, likewise.
    pub new_step: Option<usize>,
    /// Which part of the exchange.
    pub part: Part,
    /// JSON pointer, lower-case header name or query parameter; `None` for call-level findings.
    pub pointer: Option<String>,
    /// The old value (a status, header value, type name, JSON value or count).
    pub old: Option<Value>,
    /// The new value.
    pub new: Option<Value>,
    /// One line for humans, lower case.
    pub message: String,
    /// Line in the new capture to annotate (the step's line, or the nearest step before).
    #[serde(skip)]
    pub line: Option<usize>,
    /// Line in the old capture of the part that changed (the response heading for a status,
    /// response header or body, the request heading otherwise); `None` without an old side.
    pub old_line: Option<usize>,
    /// Line in the new capture of the part that changed, likewise.
    pub new_line: Option<usize>,
}

/// What was treated as noise rather than reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Suppressed {
    /// Cache-dependent auth calls present on one side only.
    pub cache_dependent_calls: usize,
    /// Findings inside what the members of a golden set span.
    pub optional_by_golden_set: usize,
    /// Findings dropped by a severity rule saying `ignore`.
    pub ignored_by_rule: usize,
}

/// How one row of the flow view relates the two traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Aligned exchanges.
    Paired,
    /// Only in OLD (a missing call).
    Missing,
    /// Only in NEW (an extra call).
    Extra,
    /// A repetition of a call whose repeat count changed.
    Repeat,
    /// A cache-dependent call present on one side only.
    Suppressed,
}

/// One line of the flow view: an exchange of OLD, NEW or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// How the row relates the traces.
    pub kind: RowKind,
    /// 1-based step in OLD.
    pub old_step: Option<usize>,
    /// 1-based step in NEW.
    pub new_step: Option<usize>,
    /// Nesting depth (0 for a top-level call).
    pub depth: usize,
    /// The normalized call line.
    pub call: String,
    /// Response status (NEW's when there is one).
    pub status: Option<u16>,
    /// OLD's response status, when the row has an old side.
    pub old_status: Option<u16>,
}

/// Comparison switches from the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Report interleaving changes between actors as info findings.
    pub strict_order: bool,
    /// Align plumbing (cache-dependent auth calls, a service's calls to itself) like any other
    /// call.
    pub strict_plumbing: bool,
    /// Explain this step of NEW.
    pub explain: Option<usize>,
}

/// Everything a comparison found, before counting and rendering.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Findings in flow order.
    pub findings: Vec<Finding>,
    /// The flow view, in flow order.
    pub rows: Vec<Row>,
    /// What was treated as noise.
    pub suppressed: Suppressed,
    /// Why the step asked for with [`Options::explain`] was matched, suppressed or flagged.
    pub explanation: Option<String>,
    /// Warnings about the comparison as a whole, ordered by new step.
    pub warnings: Vec<Warning>,
}

/// From this many aligned pairs on, payloads are compared and relations gathered on a second
/// thread too (and from this many exchanges on both sides, NEW's signatures and content hashes
/// are computed there). Not on shorter ones: when the other core is busy, waiting for a thread
/// to get it costs more than a short comparison takes.
const PARALLEL_FROM: usize = 256;

/// Compares two traces normalized with `rules`.
pub fn compare(old: &Trace, new: &Trace, rules: &RuleSet, options: &Options) -> Comparison {
    compare_sharing_from(old, new, rules, options, PARALLEL_FROM)
}

/// [`compare`], sharing work with a second core from `parallel_from` exchanges (or aligned
/// pairs) on.
fn compare_sharing_from(
    old: &Trace,
    new: &Trace,
    rules: &RuleSet,
    options: &Options,
    parallel_from: usize,
) -> Comparison {
    // Each trace's signatures and content hashes (a walk of every response body): NEW's on
    // another core meanwhile when both traces are long.
    let identify = |trace: &Trace| {
        let sigs = normalize::signatures(trace, rules);
        let contents: Vec<u64> = trace.exchanges.iter().map(content_hash).collect();
        (sigs, contents)
    };
    let long = old.exchanges.len().min(new.exchanges.len()) >= parallel_from;
    let ((old_sigs, old_contents), (new_sigs, new_contents)) =
        crate::cores::both_sides(long, old, new, identify);
    let mut ids = CallIds::default();
    let old_tree = ids.tree(old, &old_sigs, &old_contents, rules);
    let new_tree = ids.tree(new, &new_sigs, &new_contents, rules);
    let drift = |o: usize, n: usize| payload::drift(&old.exchanges[o], &new.exchanges[n], rules);
    let alignment = align::align(&old_tree, &new_tree, !options.strict_plumbing, &drift);
    let sides = sides::Sides {
        old,
        new,
        old_sigs: &old_sigs,
        new_sigs: &new_sigs,
        old_cache: &old_tree.cache_dependent,
        new_cache: &new_tree.cache_dependent,
        rules,
        ignored_headers: Default::default(),
    };
    // On long traces the payloads of the aligned pairs are compared, and then the relations
    // between steps gathered, on another core too, each a chunk at a time (the findings keep
    // their order: calls, payloads in pair order, then relations).
    let payloads = old.format.has_payloads() && new.format.has_payloads();
    let (next_payload, next_relation) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (mut comparison, relations) = std::thread::scope(|scope| {
        let there = (alignment.pairs.len() >= parallel_from).then(|| {
            let sides = sides.with_own_cache();
            let (pairs, next_payload, next_relation) =
                (&alignment.pairs, &next_payload, &next_relation);
            scope.spawn(move || {
                let payloads = payload::compare_chunks(&sides, pairs, payloads, next_payload);
                (payloads, relations::gather(old, new, pairs, next_relation))
            })
        });
        let here = payload::compare_chunks(&sides, &alignment.pairs, payloads, &next_payload);
        let mut comparison = calls::build(&sides, &alignment, options);
        comparison.rows = view::rows(&sides, &alignment);
        let (payloads_there, relations) = match there {
            Some(handle) => {
                // The pairs the other core has not taken yet are gathered here.
                let relations_here = relations::gather(old, new, &alignment.pairs, &next_relation);
                let (payloads_there, relations_there) = crate::cores::joined(handle);
                let found = relations::merge(relations_there, relations_here);
                let relations = relations::findings(&sides, &alignment.pairs, &found);
                (payloads_there, relations)
            }
            None => (Vec::new(), relations::compare(&sides, &alignment.pairs)),
        };
        comparison
            .findings
            .extend(payload::in_pair_order(here, payloads_there));
        (comparison, relations)
    });
    comparison.findings.extend(relations);
    view::finish(&sides, &mut comparison);
    comparison.warnings = alignment
        .coarse
        .iter()
        .map(|c| Warning::coarse(c, new))
        .collect();
    comparison
        .warnings
        .sort_by_key(|w| (w.new_steps, w.old_steps));
    if let Some(step) = options.explain {
        comparison.explanation = Some(explain::explain(&sides, &alignment, &comparison, step));
    }
    comparison
}

/// `text` with every placeholder (`{image_id2}`) reduced to `{}`: placeholders stand for
/// volatile values, so any two are equal by construction whatever their names or numbers.
pub fn without_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    crate::trace::rewrite_placeholders(text, |_, out| out.push_str("{}"))
}

/// The default severity of a finding, before rules.
pub(crate) fn default_severity(kind: Kind) -> Severity {
    match kind {
        Kind::MissingCall | Kind::FieldRemoved | Kind::TypeChanged => Severity::Breaking,
        Kind::ExtraCall | Kind::ReorderedCall | Kind::RelationChanged => Severity::Warning,
        _ => Severity::Info,
    }
}

/// A hash of what an exchange answered (status and response body), to pair repeats.
fn content_hash(exchange: &crate::trace::Exchange) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fx: fast and the same on every machine and run (the hash only ever meets another one
    // for equality).
    let mut hasher = rustc_hash::FxHasher::default();
    exchange.status.hash(&mut hasher);
    match &exchange.response.body {
        crate::trace::Body::Json(value) => hash_value(value, &mut hasher),
        other => other.kind().hash(&mut hasher),
    }
    hasher.finish()
}

fn hash_value(value: &Json, hasher: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match value {
        Json::Null => 0u8.hash(hasher),
        Json::Bool(b) => b.hash(hasher),
        Json::Number(n) => n.to_string().hash(hasher),
        Json::String(s) => s.hash(hasher),
        Json::Array(items) => {
            items.len().hash(hasher);
            items.iter().for_each(|v| hash_value(v, hasher));
        }
        Json::Object(map) => {
            map.len().hash(hasher);
            for (k, v) in map {
                k.hash(hasher);
                hash_value(v, hasher);
            }
        }
    }
}

/// Numbers signatures and callers so alignment compares integers.
#[derive(Default)]
struct CallIds {
    /// Each signature, with whether it is cache-dependent (rules are asked once per
    /// signature).
    sigs: Interner<bool, Signature>,
    callers: Interner<(), String>,
}

impl CallIds {
    /// The call tree of `trace`, whose exchanges have signatures `sigs` and content hashes
    /// `contents`.
    fn tree(
        &mut self,
        trace: &Trace,
        sigs: &[Signature],
        contents: &[u64],
        rules: &RuleSet,
    ) -> align::CallTree {
        let number = |index: usize| u32::try_from(index).unwrap_or(u32::MAX);
        let mut tree = align::CallTree::default();
        for ((exchange, sig), content) in trace.exchanges.iter().zip(sigs).zip(contents) {
            let id = self.sigs.intern(sig, || rules.plumbing(sig));
            tree.sigs.push(number(id));
            tree.callers
                .push(number(self.callers.intern(sig.caller.as_str(), || ())));
            tree.parents.push(exchange.parent);
            tree.cache_dependent.push(self.sigs[id]);
            tree.content.push(*content);
        }
        tree
    }
}

#[cfg(test)]
mod tests;
