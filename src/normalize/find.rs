//! The value scan: every volatile match of the combined value regex inside a string, and the
//! part of it a rule replaces.

use super::compiled::Compiled;
use super::value_scan::{ScanCache, ScanMatch};

/// One volatile match inside a string: its span and the value rule (`None`: a placeholder).
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) rule: Option<usize>,
}

/// Appends the volatile matches of `text[start..end]` to `out`, in order, searching with
/// `cache` (or one of the scan's own).
pub(super) fn find_with(
    rules: &Compiled,
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<Found>,
    cache: Option<&mut ScanCache>,
) {
    let Some(scan) = &rules.values else {
        return;
    };
    let slice = &text[start..end];
    scan.find_each(slice, cache, |m| {
        if let Some(found) = found_at(rules, slice, start, m) {
            out.push(found);
        }
    });
}

/// The replaced part of match `m` of `slice` (which starts at byte `start` of its string).
fn found_at(rules: &Compiled, slice: &str, start: usize, m: ScanMatch) -> Option<Found> {
    let Some(rule) = rules.value_rules.get(m.pattern) else {
        // The last pattern: a placeholder already in the text, kept.
        return Some(Found {
            start: start + m.start,
            end: start + m.end,
            rule: None,
        });
    };
    // The rule's own regex matches where the scan's match starts, the same match: a
    // leftmost-first search of all patterns takes each pattern's own match at its start.
    let range = match &rule.v {
        Some(own) => own.v_in(slice, m.start..m.end)?,
        None => m.start..m.end,
    };
    (!range.is_empty()).then_some(Found {
        start: start + range.start,
        end: start + range.end,
        rule: Some(m.pattern),
    })
}
