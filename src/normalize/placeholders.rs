//! Placeholders that keep meaning, the collecting pass: finds every volatile value and the
//! names its contexts offer, and records where each replacement goes. Assignment
//! (`assign.rs`) then gives each distinct value one placeholder and rewrites.

use super::assign::{Assignment, Collected};
use super::compiled::{Compiled, ContextAction};
use super::fxhash::FxMap;
use super::pattern::{expand_name, sanitize_name};
use super::rules::Replace;

/// Naming priority: lower wins. Value rules, then path segments, headers, keys (and pointers),
/// names derived from a parent key, declared names.
pub(super) const TIER_VALUE: u8 = 0;
pub(super) const TIER_SEGMENT: u8 = 1;
pub(super) const TIER_HEADER: u8 = 2;
pub(super) const TIER_KEY: u8 = 3;
/// A name derived from the enclosing key (`{parent}_id`) is weaker than one the key gives.
pub(super) const TIER_PARENT: u8 = 4;
const TIER_DECLARED: u8 = 5;

/// What a recorded span is replaced with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Repl {
    /// The placeholder assigned to entry `n`.
    Entry(usize),
    /// The constant placeholder `consts[n]`.
    Const(usize),
}

/// A replacement recorded by the collecting pass: string `seq`, byte range, replacement.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) seq: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) repl: Repl,
}

/// One distinct volatile value: its generic kind and the best name offered for it.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) kind: String,
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
    fn name(&self) -> Option<(u8, String)> {
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
    spans: Vec<Span>,
    raws: FxMap<String, usize>,
    entries: Vec<Entry>,
    consts: Vec<String>,
    const_index: FxMap<String, usize>,
    kept: Vec<String>,
    kept_index: FxMap<String, usize>,
    order: Vec<Sym>,
    seen: [Vec<bool>; 2],
    in_calls: [Vec<bool>; 2],
    /// Whether the string being scanned is a path or query (the flow's resources).
    pub(super) scanning_call: bool,
    declared_names: FxMap<String, String>,
    declared_raws: FxMap<String, String>,
    found: Vec<Found>,
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
        }
    }

    /// Appends the volatile matches of `text[start..end]` to `out`, in order.
    pub(super) fn find_into(&self, text: &str, start: usize, end: usize, out: &mut Vec<Found>) {
        let Some(re) = &self.rules.values else {
            return;
        };
        let slice = &text[start..end];
        for m in re.find_iter(slice) {
            let pattern = m.pattern().as_usize();
            let Some(index) = pattern.checked_sub(1) else {
                out.push(Found {
                    start: start + m.start(),
                    end: start + m.end(),
                    rule: None,
                });
                continue;
            };
            let Some(rule) = self.rules.value_rules.get(index) else {
                continue;
            };
            let range = match &rule.v {
                Some(own) => own
                    .captures_at(slice, m.start())
                    .and_then(|c| c.name("v"))
                    .map(|v| v.range()),
                None => Some(m.range()),
            };
            if let Some(range) = range.filter(|r| !r.is_empty()) {
                out.push(Found {
                    start: start + range.start,
                    end: start + range.end,
                    rule: Some(index),
                });
            }
        }
    }

    fn mark(&mut self, sym: Sym) {
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

    fn constant(&mut self, name: &str) -> Repl {
        let index = match self.const_index.get(name) {
            Some(&i) => i,
            None => {
                self.consts.push(name.to_string());
                self.const_index
                    .insert(name.to_string(), self.consts.len() - 1);
                self.consts.len() - 1
            }
        };
        Repl::Const(index)
    }

    /// The entry for raw value `raw`, created with `kind` on first sight; offers `name`.
    fn entry(&mut self, raw: &str, kind: &str, name: Option<(u8, String)>) -> Repl {
        let index = match self.raws.get(raw) {
            Some(&i) => i,
            None => {
                let declared = self
                    .declared_raws
                    .get(raw)
                    .map(|n| (TIER_DECLARED, sanitize_name(n)));
                self.entries.push(Entry {
                    kind: kind.to_string(),
                    name: declared,
                });
                self.raws.insert(raw.to_string(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        if let Some((tier, name)) = name {
            let entry = &mut self.entries[index];
            if entry.name.as_ref().map_or(true, |(t, _)| tier < *t) {
                entry.name = Some((tier, name));
            }
        }
        self.mark(Sym::Entry(index));
        Repl::Entry(index)
    }

    fn record(&mut self, start: usize, end: usize, repl: Repl) {
        self.spans.push(Span {
            seq: self.seq,
            start,
            end,
            repl,
        });
    }

    /// Records a kept `{placeholder}`; a declared variable's placeholder stands for its value.
    fn keep(&mut self, text: &str, found: Found, offer: Offer<'_>) {
        let inner = &text[found.start + 1..found.end - 1];
        if let Some(raw) = self.declared_names.get(inner).cloned() {
            if let Some(kind) = self.kind_of(&raw) {
                let repl = self.entry(&raw, &kind, offer.name());
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
    fn kind_of(&self, raw: &str) -> Option<String> {
        let mut found = Vec::new();
        self.find_into(raw, 0, raw.len(), &mut found);
        match found.as_slice() {
            [f] if f.start == 0 && f.end == raw.len() => {
                match &self.rules.value_rules.get(f.rule?)?.action {
                    ContextAction::Replace(r, _) if r.numbered => Some(r.kind.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Scans `text[start..end]` under a context rule and an offered name.
    pub(super) fn scan(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        context: Option<&'r ContextAction>,
        offer: Offer<'_>,
    ) {
        if start >= end || text[start..end].trim().is_empty() {
            return;
        }
        if let Some(ContextAction::Redact(constant)) = context {
            let repl = self.constant(constant);
            self.record(start, end, repl);
            return;
        }
        let context_replace = match context {
            Some(ContextAction::Replace(r, secret)) => Some((r, *secret)),
            _ => None,
        };
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        self.find_into(text, start, end, &mut found);
        if found.is_empty() && context_replace.is_none() {
            self.found = found;
            return;
        }
        let rules = self.rules;
        let mark = self.spans.len();
        for &f in &found {
            let Some(rule_index) = f.rule else {
                self.keep(text, f, offer);
                continue;
            };
            let Some(value_rule) = rules.value_rules.get(rule_index) else {
                continue;
            };
            let raw = &text[f.start..f.end];
            let repl = match (&value_rule.action, context_replace) {
                (ContextAction::Redact(c), _) => self.constant(c),
                (ContextAction::Replace(own, _), _) if !own.numbered && own.named.is_none() => {
                    self.constant(&own.kind)
                }
                (ContextAction::Replace(own, _), Some((ctx, _))) => {
                    let offered = offer.name().or_else(|| own_name(own, raw));
                    self.replace(raw, ctx, offered)
                }
                (ContextAction::Replace(own, _), None) => {
                    let offered = own_name(own, raw).or_else(|| offer.name());
                    self.replace(raw, own, offered)
                }
            };
            self.record(f.start, f.end, repl);
        }
        if let Some((ctx, secret)) = context_replace {
            let leftover = secret
                && (found.is_empty() || {
                    let mut at = start;
                    let mut other = false;
                    for f in &found {
                        other |= has_content(&text[at..f.start]);
                        at = f.end;
                    }
                    other || has_content(&text[at..end])
                });
            if (found.is_empty() && ctx.whole) || leftover {
                self.spans.truncate(mark);
                let repl = self.replace(&text[start..end], ctx, offer.name());
                self.record(start, end, repl);
            }
        }
        self.found = found;
    }

    fn replace(&mut self, raw: &str, r: &Replace, name: Option<(u8, String)>) -> Repl {
        if r.numbered || r.named.is_some() {
            self.entry(raw, &r.kind, name)
        } else {
            self.constant(&r.kind)
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

/// True when a secret's remainder holds more than bytes-repr quoting (`b'…'`) and spaces.
fn has_content(text: &str) -> bool {
    text.chars()
        .any(|c| !matches!(c, 'b' | '\'' | '"' | ' ' | '\t'))
}

fn own_name(own: &Replace, raw: &str) -> Option<(u8, String)> {
    own.named
        .as_ref()
        .and_then(|t| expand_name(t, Some(raw), None))
        .map(|n| (TIER_VALUE, n))
}
