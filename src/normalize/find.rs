//! The value scan: every volatile match of the combined value regex inside a string, and the
//! part of it a rule replaces.

use super::compiled::Compiled;

/// One volatile match inside a string: its span and the value rule (`None`: a placeholder).
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) rule: Option<usize>,
}

/// Appends the volatile matches of `text[start..end]` to `out`, in order, running the
/// combined value regex with `search`.
pub(super) fn find_with(
    rules: &Compiled,
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<Found>,
    mut search: impl FnMut(&regex_automata::Input<'_>) -> Option<regex_automata::Match>,
) {
    let slice = &text[start..end];
    let mut input = regex_automata::Input::new(slice);
    while let Some(m) = search(&input) {
        let next = if m.is_empty() { m.end() + 1 } else { m.end() };
        if let Some(found) = found_at(rules, slice, start, m) {
            out.push(found);
        }
        if next > slice.len() {
            break;
        }
        input.set_start(next);
    }
}

/// The replaced part of match `m` of `slice` (which starts at byte `start` of its string).
fn found_at(
    rules: &Compiled,
    slice: &str,
    start: usize,
    m: regex_automata::Match,
) -> Option<Found> {
    let index = m.pattern().as_usize();
    let Some(rule) = rules.value_rules.get(index) else {
        // The last pattern: a placeholder already in the text, kept.
        return Some(Found {
            start: start + m.start(),
            end: start + m.end(),
            rule: None,
        });
    };
    let range = match &rule.v {
        Some(own) => own.v_at(slice, m.start()).flatten()?,
        None => m.range(),
    };
    (!range.is_empty()).then_some(Found {
        start: start + range.start,
        end: start + range.end,
        rule: Some(index),
    })
}
