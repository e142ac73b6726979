//! `--explain STEP`: why a step of NEW was matched, suppressed or flagged.

use super::align::{Alignment, How};
use super::sides::Sides;
use super::Comparison;
use std::fmt::Write;

/// A few lines about new step `step`: its call, how it was aligned, and its findings.
pub(super) fn explain(s: &Sides, a: &Alignment, c: &Comparison, step: usize) -> String {
    let Some(n) = step.checked_sub(1).filter(|&n| n < s.new.exchanges.len()) else {
        return format!(
            "step {step} is not in the new capture (it has {} steps)\n",
            s.new.exchanges.len()
        );
    };
    let sig = &s.new_sigs[n];
    let mut out = format!("step {step}: {sig}\n");
    let place = match s.new.exchanges[n].parent {
        Some(p) if p < s.new_sigs.len() => {
            let adopted = if s.new.exchanges[n].adopted {
                " (adopted: logged before it)"
            } else {
                ""
            };
            format!("under step {} {}{adopted}", p + 1, s.new_sigs[p])
        }
        _ => format!("a top-level call of {}", sig.caller),
    };
    let _ = writeln!(out, "  position: {place}");
    let cache = s.new_cache[n];
    let _ = writeln!(
        out,
        "  signature: caller {}, callee {}, {} {}{}",
        sig.caller,
        sig.callee,
        sig.method,
        sig.path,
        if cache {
            " (cache-dependent auth call)"
        } else {
            ""
        }
    );
    let verdict = match a.pairs.iter().find(|p| p.new == n) {
        Some(p) => {
            let how = match p.how {
                How::InPlace => format!("in place in {}'s sequence of calls", sig.caller),
                How::Reordered => format!("at another position in {}'s sequence", sig.caller),
                How::Moved => "under a different parent".to_string(),
                How::CacheDependent => {
                    "by signature and content among the plumbing calls of its parent".to_string()
                }
            };
            format!("matched old step {} {how}", p.old + 1)
        }
        None if a.extra.contains(&n) => "no counterpart in old: an extra call".to_string(),
        None if cache && !a.cache_groups.is_empty() => {
            "suppressed: plumbing (a cache-dependent or internal call) present in new only \
             (see --strict-plumbing)"
                .to_string()
        }
        None => "part of a run whose repeat count changed; not paired one by one".to_string(),
    };
    let _ = writeln!(out, "  alignment: {verdict}");
    let findings: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.new_step == Some(step))
        .collect();
    if findings.is_empty() {
        let _ = writeln!(out, "  findings: none");
    } else {
        let _ = writeln!(out, "  findings:");
        for f in findings {
            let _ = writeln!(out, "    {} {}: {}", f.severity, f.kind.as_str(), f.message);
        }
    }
    out
}
