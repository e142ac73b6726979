//! Call-level findings: missing, extra, reordered, repeated, auth pattern, interleaving.

use super::align::{Alignment, How, Pair};
use super::sides::Sides;
use super::{Comparison, Finding, Kind, Part, Suppressed};
use crate::intern::Interner;
use crate::trace::{Signature, Trace};
use serde_json::{Map, Value};

/// The call-level findings (the flow view's rows are left to [`super::view`]).
pub(super) fn build(s: &Sides, a: &Alignment, options: &super::Options) -> Comparison {
    let mut c = Comparison::default();
    missing_and_extra(s, a, &mut c.findings);
    for pair in &a.pairs {
        if let Some(f) = reorder(s, pair) {
            c.findings.push(f);
        }
    }
    for run in &a.repeats {
        let (o, n) = (run.old.first().copied(), run.new.first().copied());
        if o.is_none() && n.is_none() {
            continue;
        }
        let mut f = s.finding(Kind::RepeatCountChanged, Part::Call, o, n);
        f.old = Some(Value::from(run.old_count));
        f.new = Some(Value::from(run.new_count));
        let times = |n: usize| {
            if n == 1 {
                "1 time".to_string()
            } else {
                format!("{n} times")
            }
        };
        f.message = if run.period == 1 {
            format!(
                "called {} in a row instead of {}",
                times(run.new_count),
                times(run.old_count)
            )
        } else {
            format!(
                "a block of {} calls ran {} in a row instead of {}",
                run.period,
                times(run.new_count),
                times(run.old_count)
            )
        };
        c.findings.push(f);
    }
    c.suppressed = auth_patterns(s, a, &mut c.findings);
    if options.strict_order {
        interleaving(s, &a.pairs, &mut c.findings);
    }
    c
}

fn missing_and_extra(s: &Sides, a: &Alignment, out: &mut Vec<Finding>) {
    let sides = [
        (
            Kind::MissingCall,
            s.old,
            s.old_sigs,
            &a.missing,
            "old",
            "missing in new",
        ),
        (
            Kind::ExtraCall,
            s.new,
            s.new_sigs,
            &a.extra,
            "new",
            "new call, not in old",
        ),
    ];
    for (kind, trace, sigs, listed, side, what) in sides {
        let mut unmatched = vec![false; trace.exchanges.len()];
        for &i in listed.iter() {
            unmatched[i] = true;
        }
        for &i in listed.iter() {
            let (old, new) = if kind == Kind::MissingCall {
                (Some(i), None)
            } else {
                (None, Some(i))
            };
            let mut f = s.finding(kind, Part::Call, old, new);
            let parent = trace.exchanges[i].parent.filter(|&p| p < unmatched.len());
            f.message = match parent {
                Some(p) if unmatched[p] => {
                    format!("{what}, with its parent ({side} step {})", p + 1)
                }
                Some(p) => format!("{what} (under {})", Sides::short(&sigs[p])),
                None => what.to_string(),
            };
            out.push(f);
        }
    }
}

fn reorder(s: &Sides, pair: &Pair) -> Option<Finding> {
    let message = match pair.how {
        How::Reordered => format!(
            "order changed within {}'s calls",
            s.new_sigs[pair.new].caller
        ),
        How::Moved => {
            let under =
                |trace: &Trace, sigs: &[Signature], i: usize| match trace.exchanges[i].parent {
                    Some(p) if p < sigs.len() => format!("under {}", Sides::short(&sigs[p])),
                    _ => "at top level".to_string(),
                };
            format!(
                "moved: was {}, now {}",
                under(s.old, s.old_sigs, pair.old),
                under(s.new, s.new_sigs, pair.new)
            )
        }
        How::InPlace | How::CacheDependent => return None,
    };
    let mut f = s.finding(
        Kind::ReorderedCall,
        Part::Call,
        Some(pair.old),
        Some(pair.new),
    );
    f.message = message;
    Some(f)
}

/// One info finding per group of cache-dependent calls whose counts differ.
fn auth_patterns(s: &Sides, a: &Alignment, out: &mut Vec<Finding>) -> Suppressed {
    let mut suppressed = Suppressed {
        ignored_by_rule: 0,
        cache_dependent_calls: a.cache_in_subtrees,
        optional_by_golden_set: 0,
    };
    for group in &a.cache_groups {
        let mut counts: Interner<(&Signature, usize, usize), &Signature> = Interner::default();
        let sides = [(&group.old, s.old_sigs), (&group.new, s.new_sigs)];
        for (side, (calls, sigs)) in sides.into_iter().enumerate() {
            for &i in calls.iter() {
                let sig = &sigs[i];
                let k = counts.intern(&sig, || (sig, 0, 0));
                if side == 0 {
                    counts[k].1 += 1;
                } else {
                    counts[k].2 += 1;
                }
            }
        }
        let mut counts = counts.into_values();
        counts.retain(|(_, o, n)| o != n);
        if counts.is_empty() {
            continue;
        }
        let (old_anchor, new_anchor) = match group.parent {
            Some((o, n)) => (Some(o), Some(n)),
            None => (group.old.first().copied(), group.new.first().copied()),
        };
        let mut f = s.finding(Kind::AuthPatternChanged, Part::Call, old_anchor, new_anchor);
        let caller = counts[0].0.caller.clone();
        let internal = |sig: &Signature| sig.caller == sig.callee;
        let what = if counts.iter().all(|(sig, _, _)| internal(sig)) {
            "internal calls changed"
        } else if counts.iter().any(|(sig, _, _)| internal(sig)) {
            "plumbing changed"
        } else {
            "auth pattern changed"
        };
        let mut old_counts = Map::new();
        let mut new_counts = Map::new();
        let mut parts = Vec::new();
        for (sig, o, n) in &counts {
            suppressed.cache_dependent_calls += o.abs_diff(*n);
            old_counts.insert(sig.to_string(), Value::from(*o));
            new_counts.insert(sig.to_string(), Value::from(*n));
            let word = if n < o { "fewer" } else { "more" };
            let own = if internal(sig) { "internal " } else { "" };
            parts.push(format!(
                "{} {word} {own}{}",
                o.abs_diff(*n),
                Sides::short(sig)
            ));
        }
        let place = match (group.parent, group.after) {
            (Some((_, n)), _) => format!("under {}", Sides::short(&s.new_sigs[n])),
            (None, Some((_, n))) => format!("after its {}", Sides::short(&s.new_sigs[n])),
            (None, None) => "before its first aligned call".to_string(),
        };
        f.message = format!("{what}: {caller} made {} {place}", parts.join(", "));
        f.old = Some(Value::Object(old_counts));
        f.new = Some(Value::Object(new_counts));
        out.push(f);
    }
    suppressed
}

/// With `--strict-order`: pairs out of the global capture order, as info findings.
fn interleaving(s: &Sides, pairs: &[Pair], out: &mut Vec<Finding>) {
    let mut by_old: Vec<&Pair> = pairs.iter().collect();
    by_old.sort_by_key(|p| p.old);
    let keep = longest_increasing(&by_old.iter().map(|p| p.new).collect::<Vec<_>>());
    for (pair, in_order) in by_old.iter().zip(keep) {
        if !in_order && matches!(pair.how, How::InPlace | How::CacheDependent) {
            let mut f = s.finding(
                Kind::ReorderedCall,
                Part::Call,
                Some(pair.old),
                Some(pair.new),
            );
            f.severity = crate::Severity::Info;
            f.message = "interleaving with other actors changed".to_string();
            out.push(f);
        }
    }
}

/// Marks the members of one longest strictly increasing subsequence (O(n log n)).
fn longest_increasing(values: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new(); // index into values of the tail of each length
    let mut prev: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let len = tails.partition_point(|&t| values[t] < v);
        prev[i] = len.checked_sub(1).map(|l| tails[l]);
        if len == tails.len() {
            tails.push(i);
        } else {
            tails[len] = i;
        }
    }
    let mut keep = vec![false; values.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        keep[i] = true;
        at = prev[i];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::longest_increasing;

    #[test]
    fn longest_increasing_marks_one_subsequence() {
        assert_eq!(
            longest_increasing(&[0, 2, 1, 3])
                .iter()
                .filter(|k| **k)
                .count(),
            3
        );
        assert_eq!(
            longest_increasing(&[3, 2, 1])
                .iter()
                .filter(|k| **k)
                .count(),
            1
        );
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
    }
}
