//! Placeholders that keep meaning, the collecting pass: finds every volatile value and the
//! names its contexts offer, and records where each replacement goes. Assignment
//! (`assign.rs`) then gives each distinct value one placeholder and rewrites.

use super::assign::{Assignment, Collected};
use super::compiled::{Compiled, ContextAction};
use super::fxhash::FxMap;
use super::memo::Memo;
use super::pattern::{expand_name, sanitize_name};
use super::prescan::Prescan;

/// Naming priority: lower wins. Names the capture declares (a documentation page's variables
/// note: its author says what the value is), then value rules, path segments, headers, keys
/// (and pointers), names derived from a parent key.
const TIER_DECLARED: u8 = 0;
pub(super) const TIER_VALUE: u8 = 1;
pub(super) const TIER_SEGMENT: u8 = 2;
pub(super) const TIER_HEADER: u8 = 3;
pub(super) const TIER_KEY: u8 = 4;
/// A name derived from the enclosing key (`{parent}_id`) is weaker than one the key gives.
pub(super) const TIER_PARENT: u8 = 5;

/// What a recorded span is replaced with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Repl {
    /// The placeholder assigned to entry `n`.
    Entry(u32),
    /// The constant placeholder `consts[n]`.
    Const(u32),
}

/// A replacement recorded by the collecting pass: string `seq`, byte range, replacement.
/// Kept small (millions of them on long traces); strings and traces past 4 GiB are not
/// normalized rather than mangled.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) seq: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) repl: Repl,
}

/// One distinct volatile value: its generic kind and the best name offered for it.
#[derive(Debug)]
pub(super) struct Entry<'r> {
    pub(super) kind: &'r str,
    pub(super) name: Option<(u8, String)>,
}

/// A placeholder as it first appears in the output, for the variables list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sym {
    Entry(usize),
    Kept(usize),
}

/// A name a context offers for the values found in a string, expanded only when one is found.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Offer<'a> {
    pub(super) tier: u8,
    /// A name template (`{parent:singular}_id`) or, with `ready`, nothing.
    pub(super) template: Option<&'a str>,
    pub(super) capture: Option<&'a str>,
    pub(super) parent: Option<&'a str>,
    /// An already expanded name.
    pub(super) ready: Option<&'a str>,
}

impl Offer<'_> {
    /// The tier of the name this offer can give, without expanding it.
    pub(super) fn tier(&self) -> Option<u8> {
        (self.ready.is_some() || self.template.is_some()).then_some(self.tier)
    }

    pub(super) fn name(&self) -> Option<(u8, String)> {
        if let Some(ready) = self.ready {
            return Some((self.tier, ready.to_string()));
        }
        let template = self.template?;
        expand_name(template, self.capture, self.parent).map(|n| (self.tier, n))
    }
}

/// One volatile match inside a string: its span and the value rule (`None`: a placeholder).
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) rule: Option<usize>,
}

/// The collecting pass's state (the memos of context rules live in `contexts.rs`).
pub(super) struct State<'r> {
    pub(super) rules: &'r Compiled,
    pub(super) seq: usize,
    pub(super) spans: Vec<Span>,
    pub(super) raws: FxMap<String, usize>,
    pub(super) entries: Vec<Entry<'r>>,
    pub(super) consts: Vec<String>,
    pub(super) const_index: FxMap<String, usize>,
    pub(super) kept: Vec<String>,
    pub(super) kept_index: FxMap<String, usize>,
    pub(super) order: Vec<Sym>,
    seen: [Vec<bool>; 2],
    in_calls: [Vec<bool>; 2],
    /// Whether the string being scanned is a path or query (the flow's resources).
    pub(super) scanning_call: bool,
    declared_names: FxMap<String, String>,
    declared_raws: FxMap<String, String>,
    pub(super) found: Vec<Found>,
    memo: Memo,
    /// Matches scanned ahead on both cores (empty for small traces).
    pub(super) prescan: Prescan,
    /// The range in `prescan` of the whole string being visited.
    pub(super) ahead: Option<std::ops::Range<usize>>,
}

impl<'r> State<'r> {
    /// A fresh state for one trace, knowing its declared `(name, raw value)` variables.
    pub(super) fn new(rules: &'r Compiled, variables: &[(String, String)]) -> State<'r> {
        let mut declared_names = FxMap::default();
        let mut declared_raws = FxMap::default();
        for (name, raw) in variables {
            let is_placeholder = raw.starts_with('{') && raw.ends_with('}');
            if !raw.is_empty() && !is_placeholder {
                declared_names.insert(name.clone(), raw.clone());
                declared_raws
                    .entry(raw.clone())
                    .or_insert_with(|| name.clone());
            }
        }
        State {
            rules,
            seq: 0,
            spans: Vec::new(),
            raws: FxMap::default(),
            entries: Vec::new(),
            consts: Vec::new(),
            const_index: FxMap::default(),
            kept: Vec::new(),
            kept_index: FxMap::default(),
            order: Vec::new(),
            seen: [Vec::new(), Vec::new()],
            in_calls: [Vec::new(), Vec::new()],
            scanning_call: false,
            declared_names,
            declared_raws,
            found: Vec::new(),
            memo: Memo::default(),
            prescan: Prescan::default(),
            ahead: None,
        }
    }

    /// Appends the volatile matches of `text[start..end]` to `out`, in order.
    pub(super) fn find_into(&self, text: &str, start: usize, end: usize, out: &mut Vec<Found>) {
        let rules = self.rules;
        if let Some(re) = &rules.values {
            find_with(rules, text, start, end, out, |input| re.search(input));
        }
    }

    /// [`State::find_into`] through the matches scanned ahead for the whole string being
    /// visited, or else the memo of short strings.
    pub(super) fn find_memo(&mut self, text: &str, start: usize, end: usize, out: &mut Vec<Found>) {
        if start == 0 && end == text.len() {
            let from = out.len();
            if let Some(range) = self.ahead.take() {
                if self.prescan.found_into(range, text, out) {
                    return;
                }
                out.truncate(from);
            }
        }
        let rules = self.rules;
        self.memo.find(text, start, end, out, |out| {
            if let Some(re) = &rules.values {
                find_with(rules, text, start, end, out, |input| re.search(input));
            }
        });
    }

    pub(super) fn mark(&mut self, sym: Sym) {
        let (side, index) = match sym {
            Sym::Entry(i) => (0, i),
            Sym::Kept(i) => (1, i),
        };
        for flags in [&mut self.seen[side], &mut self.in_calls[side]] {
            if flags.len() <= index {
                flags.resize(index + 1, false);
            }
        }
        if self.scanning_call {
            self.in_calls[side][index] = true;
        }
        if !self.seen[side][index] {
            self.seen[side][index] = true;
            self.order.push(sym);
        }
    }

    pub(super) fn constant(&mut self, name: &str) -> Repl {
        let index = match self.const_index.get(name) {
            Some(&i) => i,
            None => {
                self.consts.push(name.to_string());
                self.const_index
                    .insert(name.to_string(), self.consts.len() - 1);
                self.consts.len() - 1
            }
        };
        Repl::Const(index as u32)
    }

    /// The entry for raw value `raw`, created with `kind` on first sight. `name` is expanded
    /// only when its best possible tier (`tier`) beats the name the entry already has.
    pub(super) fn entry(
        &mut self,
        raw: &str,
        kind: &'r str,
        tier: Option<u8>,
        name: impl FnOnce() -> Option<(u8, String)>,
    ) -> Repl {
        let index = match self.raws.get(raw) {
            Some(&i) => i,
            None => {
                let declared = self
                    .declared_raws
                    .get(raw)
                    .map(|n| (TIER_DECLARED, sanitize_name(n)));
                self.entries.push(Entry {
                    kind,
                    name: declared,
                });
                self.raws.insert(raw.to_string(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        let better = |t: u8, current: &Option<(u8, String)>| {
            current.as_ref().is_none_or(|(have, _)| t < *have)
        };
        if tier.is_some_and(|t| better(t, &entry.name)) {
            if let Some((t, n)) = name() {
                if better(t, &entry.name) {
                    entry.name = Some((t, n));
                }
            }
        }
        self.mark(Sym::Entry(index));
        Repl::Entry(index as u32)
    }

    pub(super) fn record(&mut self, start: usize, end: usize, repl: Repl) {
        if let (Ok(seq), Ok(start), Ok(end)) = (
            u32::try_from(self.seq),
            u32::try_from(start),
            u32::try_from(end),
        ) {
            self.spans.push(Span {
                seq,
                start,
                end,
                repl,
            });
        }
    }

    /// Records a kept `{placeholder}`; a declared variable's placeholder stands for its value.
    pub(super) fn keep(&mut self, text: &str, found: Found, offer: Offer<'_>) {
        let inner = &text[found.start + 1..found.end - 1];
        if let Some(raw) = self.declared_names.get(inner).cloned() {
            if let Some(kind) = self.kind_of(&raw) {
                let repl = self.entry(&raw, kind, offer.tier(), || offer.name());
                self.record(found.start, found.end, repl);
                return;
            }
        }
        let index = match self.kept_index.get(inner) {
            Some(&i) => i,
            None => {
                self.kept.push(inner.to_string());
                self.kept_index
                    .insert(inner.to_string(), self.kept.len() - 1);
                self.kept.len() - 1
            }
        };
        self.mark(Sym::Kept(index));
    }

    /// The numbered kind of a raw value when one value rule matches all of it.
    pub(super) fn kind_of(&self, raw: &str) -> Option<&'r str> {
        let rules = self.rules;
        let mut found = Vec::new();
        self.find_into(raw, 0, raw.len(), &mut found);
        match found.as_slice() {
            [f] if f.start == 0 && f.end == raw.len() => {
                match &rules.value_rules.get(f.rule?)?.action {
                    ContextAction::Replace(r, _) if r.numbered => Some(&r.kind),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Hands what was found to assignment.
    pub(super) fn finish(self) -> Assignment {
        let in_calls = |side: usize, i: usize| self.in_calls[side].get(i).copied() == Some(true);
        let order: Vec<(Sym, bool)> = self
            .order
            .iter()
            .map(|&sym| match sym {
                Sym::Entry(i) => (sym, in_calls(0, i)),
                Sym::Kept(i) => (sym, in_calls(1, i)),
            })
            .collect();
        Assignment::new(Collected {
            rules: self.rules,
            spans: self.spans,
            entries: self.entries,
            consts: self.consts,
            kept: self.kept,
            order,
        })
    }
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
        Some(own) => own
            .captures_at(slice, m.start())
            .and_then(|c| c.name("v"))
            .map(|v| v.range())?,
        None => m.range(),
    };
    (!range.is_empty()).then_some(Found {
        start: start + range.start,
        end: start + range.end,
        rule: Some(index),
    })
}
