//! Placeholders that keep meaning, the collecting pass: finds every volatile value and the
//! names its contexts offer, and records where each replacement goes. Assignment
//! (`assign.rs`) then gives each distinct value one placeholder and rewrites.

use super::assign::Assignment;
use super::compiled::{Compiled, ContextAction};
use super::find::{find_with, Found};
use super::memo::Memo;
use super::pattern::{expand_name, sanitize_name};
use super::prescan::Prescan;
use super::record::{Collected, Entry, Repl, Span, Sym};
use super::value_scan::{ScanCache, ValueScan};
use crate::intern::Interner;
use rustc_hash::FxHashMap;

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

/// The collecting pass's state (the memos of context rules live in `contexts.rs`).
pub(super) struct State<'r> {
    pub(super) rules: &'r Compiled,
    pub(super) seq: usize,
    pub(super) spans: Vec<Span>,
    /// Distinct volatile values, by raw value.
    entries: Interner<Entry<'r>>,
    /// Constant placeholder names.
    consts: Interner<String>,
    /// Placeholders already in the input.
    kept: Interner<String>,
    pub(super) order: Vec<Sym>,
    seen: [Vec<bool>; 2],
    in_calls: [Vec<bool>; 2],
    /// Whether the string being scanned is a path or query (the flow's resources).
    pub(super) scanning_call: bool,
    declared_names: FxHashMap<String, String>,
    declared_raws: FxHashMap<String, String>,
    pub(super) found: Vec<Found>,
    memo: Memo,
    /// The value scan's cache for this trace's searches.
    scan_cache: Option<ScanCache>,
    /// Matches scanned ahead on both cores (empty for small traces).
    pub(super) prescan: Prescan,
    /// The range in `prescan` of the whole string being visited.
    pub(super) ahead: Option<std::ops::Range<usize>>,
}

impl<'r> State<'r> {
    /// A fresh state for one trace, knowing its declared `(name, raw value)` variables.
    pub(super) fn new(rules: &'r Compiled, variables: &[(String, String)]) -> State<'r> {
        let mut declared_names = FxHashMap::default();
        let mut declared_raws = FxHashMap::default();
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
            entries: Interner::default(),
            consts: Interner::default(),
            kept: Interner::default(),
            order: Vec::new(),
            seen: [Vec::new(), Vec::new()],
            in_calls: [Vec::new(), Vec::new()],
            scanning_call: false,
            declared_names,
            declared_raws,
            found: Vec::new(),
            memo: Memo::default(),
            scan_cache: rules.values.as_ref().map(ValueScan::create_cache),
            prescan: Prescan::default(),
            ahead: None,
        }
    }

    /// Appends the volatile matches of `text[start..end]` to `out`, in order.
    pub(super) fn find_into(&self, text: &str, start: usize, end: usize, out: &mut Vec<Found>) {
        find_with(self.rules, text, start, end, out, None);
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
        let (rules, cache) = (self.rules, &mut self.scan_cache);
        self.memo.find(text, start, end, out, |out| {
            find_with(rules, text, start, end, out, cache.as_mut());
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
        Repl::Const(self.consts.intern_str(name) as u32)
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
        let declared_raws = &self.declared_raws;
        let index = self.entries.intern(raw, || Entry {
            kind,
            name: declared_raws
                .get(raw)
                .map(|n| (TIER_DECLARED, sanitize_name(n))),
        });
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
        let index = self.kept.intern_str(inner);
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
            entries: self.entries.into_values(),
            consts: self.consts.into_values(),
            kept: self.kept.into_values(),
            order,
        })
    }
}
