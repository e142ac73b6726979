//! Golden sets: several captures of one flow, whose differences are noise by construction.
//!
//! The first member is the reference. Comparing it with every other member learns what varies
//! (optional calls, volatile values, unordered arrays, repeat-count spans); a finding of the new
//! capture against the reference that only says something varies within that span is
//! suppressed and counted in [`Suppressed::optional_by_golden_set`](crate::compare::Suppressed).

use crate::compare::{compare, Comparison, Finding, Kind, Options, Part};
use crate::normalize::RuleSet;
use crate::trace::Trace;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// What a golden set's members disagree on.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    /// `(kind, call, part, pointer)` of every difference between members.
    noise: HashSet<(Kind, String, Part, Option<String>)>,
    /// Repeat-count spans per call: the smallest and largest count among members.
    spans: HashMap<String, (u64, u64)>,
}

impl Learned {
    /// Learns from the reference `members[0]` against each other member.
    pub fn learn(members: &[Trace], rules: &RuleSet, options: &Options) -> Learned {
        let mut learned = Learned::default();
        let quiet = Options {
            explain: None,
            ..*options
        };
        let Some((primary, others)) = members.split_first() else {
            return learned;
        };
        for member in others {
            for f in compare(primary, member, rules, &quiet).findings {
                if f.kind == Kind::RepeatCountChanged {
                    let counts = [&f.old, &f.new].map(|v| v.as_ref().and_then(Value::as_u64));
                    if let [Some(a), Some(b)] = counts {
                        let span = learned.spans.entry(f.call.clone()).or_insert((a, a));
                        span.0 = span.0.min(a).min(b);
                        span.1 = span.1.max(a).max(b);
                    }
                }
                learned.noise.insert(key(&f));
            }
        }
        learned
    }

    /// Optional calls, volatile pointers and repeat spans, one line each, for `flowdiff show`.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .noise
            .iter()
            .filter(|k| k.0 != Kind::RepeatCountChanged)
            .map(|(kind, call, part, pointer)| {
                let what = match kind {
                    Kind::MissingCall | Kind::ExtraCall => "optional call".to_string(),
                    Kind::ReorderedCall => "order varies".to_string(),
                    _ => format!("varies: {}", kind.as_str()),
                };
                match pointer {
                    Some(p) => format!("{call}: {what} at {} {p}", part_name(*part)),
                    None => format!("{call}: {what}"),
                }
            })
            .collect();
        for (call, (low, high)) in &self.spans {
            lines.push(format!("{call}: repeated {low} to {high} times"));
        }
        lines.sort();
        lines
    }

    fn covers(&self, f: &Finding) -> bool {
        if f.kind == Kind::RepeatCountChanged {
            let count = f.new.as_ref().and_then(Value::as_u64);
            return match (self.spans.get(&f.call), count) {
                (Some((low, high)), Some(c)) => (*low..=*high).contains(&c),
                _ => false,
            };
        }
        self.noise.contains(&key(f))
    }
}

fn part_name(part: Part) -> String {
    serde_json::to_value(part)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn key(f: &Finding) -> (Kind, String, Part, Option<String>) {
    (f.kind, f.call.clone(), f.part, f.pointer.clone())
}

/// Compares `new` with a golden set (reference first), suppressing what the members span.
pub fn compare_with_set(
    members: &[Trace],
    new: &Trace,
    rules: &RuleSet,
    options: &Options,
) -> Comparison {
    let learned = Learned::learn(members, rules, options);
    compare_with_learned(members, &learned, new, rules, options)
}

/// [`compare_with_set`] with what the set learned computed beforehand (once per set, when many
/// captures are checked against it).
pub fn compare_with_learned(
    members: &[Trace],
    learned: &Learned,
    new: &Trace,
    rules: &RuleSet,
    options: &Options,
) -> Comparison {
    let Some(primary) = members.first() else {
        return Comparison::default();
    };
    let mut comparison = compare(primary, new, rules, options);
    if members.len() < 2 {
        return comparison;
    }
    let (covered, kept): (Vec<Finding>, Vec<Finding>) = comparison
        .findings
        .into_iter()
        .partition(|f| learned.covers(f));
    comparison.findings = kept;
    comparison.suppressed.optional_by_golden_set += covered.len();
    if let (Some(step), Some(text)) = (options.explain, comparison.explanation.as_mut()) {
        for f in covered.iter().filter(|f| f.new_step == Some(step)) {
            text.push_str(&format!(
                "  suppressed by the golden set (its members differ there too): {} {}\n",
                f.kind.as_str(),
                f.message
            ));
        }
    }
    comparison
}
