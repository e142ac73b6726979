//! Placeholders that keep meaning: the collecting pass finds every volatile value and the
//! names its contexts suggest, assignment gives each distinct value one placeholder, and the
//! rewriting pass replaces them.

use super::assign::{Assignment, Collected};
use super::compiled::{Compiled, ContextAction, HeaderInfo, KEEP_GROUP};
use super::pattern::{expand_name, sanitize_name};
use super::rules::Replace;
use super::walk::{Ctx, Visit};
use std::collections::{HashMap, HashSet};

/// Naming priority: lower wins. Value rules, then path segments, headers, keys (and pointers),
/// names derived from a parent key, declared names.
const TIER_VALUE: u8 = 0;
const TIER_SEGMENT: u8 = 1;
const TIER_HEADER: u8 = 2;
const TIER_KEY: u8 = 3;
/// A name derived from the enclosing key (`{parent}_id`) is weaker than one the key gives.
const TIER_PARENT: u8 = 4;
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

/// The collecting pass: finds volatile values and their candidate names.
pub struct Collector<'r> {
    rules: &'r Compiled,
    seq: usize,
    spans: Vec<Span>,
    raws: HashMap<String, usize>,
    entries: Vec<Entry>,
    consts: Vec<String>,
    const_index: HashMap<String, usize>,
    kept: Vec<String>,
    kept_index: HashMap<String, usize>,
    order: Vec<Sym>,
    order_seen: HashSet<Sym>,
    /// Placeholders seen in a path or query (the flow's resources), and whether the string
    /// being scanned is one.
    in_calls: HashSet<Sym>,
    scanning_call: bool,
    /// Declared variables: placeholder name -> raw value, raw value -> name.
    declared_names: HashMap<String, String>,
    declared_raws: HashMap<String, String>,
    headers: HashMap<String, HeaderInfo>,
    keys: HashMap<String, Option<(ContextAction, Option<String>)>>,
    segment_names: HashMap<String, Option<String>>,
}

/// One volatile match inside a string: its span and the value rule that found it.
struct Found {
    start: usize,
    end: usize,
    rule: Option<usize>,
}

impl<'r> Collector<'r> {
    /// A collector for one trace, knowing its declared `(name, raw value)` variables.
    pub fn new(rules: &'r Compiled, variables: &[(String, String)]) -> Collector<'r> {
        let mut declared_names = HashMap::new();
        let mut declared_raws = HashMap::new();
        for (name, raw) in variables {
            let is_placeholder = raw.starts_with('{') && raw.ends_with('}');
            if !raw.is_empty() && !is_placeholder {
                declared_names.insert(name.clone(), raw.clone());
                declared_raws
                    .entry(raw.clone())
                    .or_insert_with(|| name.clone());
            }
        }
        Collector {
            rules,
            seq: 0,
            spans: Vec::new(),
            raws: HashMap::new(),
            entries: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            kept: Vec::new(),
            kept_index: HashMap::new(),
            order: Vec::new(),
            order_seen: HashSet::new(),
            in_calls: HashSet::new(),
            scanning_call: false,
            declared_names,
            declared_raws,
            headers: HashMap::new(),
            keys: HashMap::new(),
            segment_names: HashMap::new(),
        }
    }

    fn find(&self, text: &str, start: usize, end: usize) -> Vec<Found> {
        let Some(re) = &self.rules.values else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for caps in re.captures_iter(&text[start..end]) {
            if let Some(m) = caps.name(KEEP_GROUP) {
                found.push(Found {
                    start: start + m.start(),
                    end: start + m.end(),
                    rule: None,
                });
                continue;
            }
            let Some((i, rule)) = self
                .rules
                .value_rules
                .iter()
                .enumerate()
                .find(|(_, r)| caps.name(&r.group).is_some())
            else {
                continue;
            };
            let m = rule
                .v_group
                .as_ref()
                .and_then(|g| caps.name(g))
                .or_else(|| caps.name(&rule.group));
            if let Some(m) = m.filter(|m| !m.is_empty()) {
                found.push(Found {
                    start: start + m.start(),
                    end: start + m.end(),
                    rule: Some(i),
                });
            }
        }
        found
    }

    fn mark(&mut self, sym: Sym) {
        if self.scanning_call {
            self.in_calls.insert(sym);
        }
        if self.order_seen.insert(sym) {
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
    fn keep(&mut self, text: &str, found: &Found, name: Option<(u8, String)>) {
        let inner = &text[found.start + 1..found.end - 1];
        if let Some(raw) = self.declared_names.get(inner).cloned() {
            let kind = self.kind_of(&raw);
            if let Some(kind) = kind {
                let repl = self.entry(&raw, &kind, name);
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
        let found = self.find(raw, 0, raw.len());
        match found.as_slice() {
            [f] if f.start == 0 && f.end == raw.len() => {
                let rule = &self.rules.value_rules[f.rule?];
                match &rule.action {
                    ContextAction::Replace(r, _) if r.numbered => Some(r.kind.clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Scans `text[start..end]` under a context rule and an offered name.
    fn scan(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        context: Option<&ContextAction>,
        name: Option<(u8, String)>,
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
        let mark = self.spans.len();
        let found = self.find(text, start, end);
        let mut covered = 0;
        for f in &found {
            covered += f.end - f.start;
            let Some(rule_index) = f.rule else {
                self.keep(text, f, name.clone());
                continue;
            };
            let value_rule = &self.rules.value_rules[rule_index];
            let raw = &text[f.start..f.end];
            let repl = match (&value_rule.action, context_replace) {
                (ContextAction::Redact(c), _) => {
                    let c = c.clone();
                    self.constant(&c)
                }
                (ContextAction::Replace(own, _), _) if !own.numbered && own.named.is_none() => {
                    let kind = own.kind.clone();
                    self.constant(&kind)
                }
                (ContextAction::Replace(own, _), Some((ctx, _))) => {
                    let offered = name.clone().or_else(|| own_name(own, raw));
                    self.replace(raw, ctx, offered)
                }
                (ContextAction::Replace(own, _), None) => {
                    let own = own.clone();
                    let offered = own_name(&own, raw).or_else(|| name.clone());
                    self.replace(raw, &own, offered)
                }
            };
            self.record(f.start, f.end, repl);
        }
        let Some((ctx, secret)) = context_replace else {
            return;
        };
        let leftover = secret && {
            let mut rest = String::new();
            let mut at = start;
            for f in &found {
                rest.push_str(&text[at..f.start]);
                at = f.end;
            }
            rest.push_str(&text[at..end]);
            rest.chars()
                .any(|c| !matches!(c, 'b' | '\'' | '"' | ' ' | '\t'))
        };
        if (found.is_empty() && ctx.whole) || leftover || (secret && covered == 0) {
            self.spans.truncate(mark);
            let raw = text[start..end].to_string();
            let repl = self.replace(&raw, ctx, name);
            self.record(start, end, repl);
        }
    }

    fn replace(&mut self, raw: &str, r: &Replace, name: Option<(u8, String)>) -> Repl {
        if r.numbered || r.named.is_some() {
            self.entry(raw, &r.kind, name)
        } else {
            self.constant(&r.kind)
        }
    }

    fn path(&mut self, text: &str) {
        let mut prev: Option<(usize, usize)> = None;
        let mut at = 0;
        for segment in text.split('/') {
            let (start, end) = (at, at + segment.len());
            at = end + 1;
            let found = self.find(text, start, end);
            let whole = matches!(found.as_slice(), [f] if f.start == start && f.end == end);
            let name = match prev.filter(|_| whole) {
                Some((ps, pe)) => self.segment_name(&text[ps..pe]).map(|n| (TIER_SEGMENT, n)),
                None => None,
            };
            self.scan(text, start, end, None, name);
            prev = Some((start, end));
        }
    }

    fn segment_name(&mut self, segment: &str) -> Option<String> {
        if let Some(cached) = self.segment_names.get(segment) {
            return cached.clone();
        }
        let name = self.rules.segments.iter().find_map(|(re, template)| {
            let caps = re.captures(segment)?;
            let v = caps.name("v").map_or(segment, |m| m.as_str());
            expand_name(template, Some(v), None)
        });
        self.segment_names.insert(segment.to_string(), name.clone());
        name
    }

    fn key_rule(&mut self, key: &str) -> Option<(ContextAction, Option<String>)> {
        if let Some(cached) = self.keys.get(key) {
            return cached.clone();
        }
        let rule = self.rules.key(key);
        self.keys.insert(key.to_string(), rule.clone());
        rule
    }

    fn keyed(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        key: Option<&str>,
        parent: Option<&str>,
        pointer: &str,
    ) {
        let pointer_rule = self
            .rules
            .pointer_rules
            .iter()
            .find(|(ps, _)| ps.iter().any(|p| p.matches(pointer)))
            .map(|(_, a)| a.clone());
        let (action, capture) = match (pointer_rule, key.and_then(|k| self.key_rule(k))) {
            (Some(action), _) => (Some(action), None),
            (None, Some((action, capture))) => (Some(action), capture),
            (None, None) => (None, None),
        };
        let name = match &action {
            Some(ContextAction::Replace(r, _)) => r.named.as_ref().and_then(|t| {
                let tier = if t.contains("{parent") {
                    TIER_PARENT
                } else {
                    TIER_KEY
                };
                expand_name(t, capture.as_deref(), parent).map(|n| (tier, n))
            }),
            _ => None,
        };
        self.scan(text, start, end, action.as_ref(), name);
    }

    fn query(&mut self, text: &str) {
        let mut at = 0;
        for pair in text.split('&') {
            let (start, end) = (at, at + pair.len());
            at = end + 1;
            match pair.find('=') {
                Some(eq) => {
                    let key = pair[..eq].to_string();
                    self.scan(text, start, start + eq, None, None);
                    self.keyed(text, start + eq + 1, end, Some(&key), None, "");
                }
                None => self.scan(text, start, end, None, None),
            }
        }
    }

    fn header_info(&mut self, name: &str) -> HeaderInfo {
        if let Some(info) = self.headers.get(name) {
            return info.clone();
        }
        let info = self.rules.header(name);
        self.headers.insert(name.to_string(), info.clone());
        info
    }

    /// Assigns the placeholders (see [`Assignment::new`]).
    pub fn finish(self) -> Assignment {
        Assignment::new(Collected {
            rules: self.rules,
            spans: self.spans,
            entries: self.entries,
            consts: self.consts,
            kept: self.kept,
            order: self.order,
            in_calls: self.in_calls,
        })
    }
}

fn own_name(own: &Replace, raw: &str) -> Option<(u8, String)> {
    own.named
        .as_ref()
        .and_then(|t| expand_name(t, Some(raw), None))
        .map(|n| (TIER_VALUE, n))
}

impl Visit for Collector<'_> {
    fn visit(&mut self, text: &mut String, ctx: Ctx<'_>) {
        let text: &str = text;
        match ctx {
            Ctx::Path | Ctx::Query => {
                self.scanning_call = true;
                if matches!(ctx, Ctx::Path) {
                    self.path(text);
                } else {
                    self.query(text);
                }
                self.scanning_call = false;
            }
            Ctx::Header(name) => {
                let info = self.header_info(name);
                let name = match &info.action {
                    Some(ContextAction::Replace(r, _)) => r
                        .named
                        .as_ref()
                        .and_then(|t| expand_name(t, None, None))
                        .map(|n| (TIER_HEADER, n)),
                    _ => None,
                };
                self.scan(text, 0, text.len(), info.action.as_ref(), name);
            }
            Ctx::Json {
                key,
                parent,
                pointer,
            } => self.keyed(text, 0, text.len(), key, parent, pointer),
            Ctx::JsonKey | Ctx::Text => self.scan(text, 0, text.len(), None, None),
        }
        self.seq += 1;
    }
}
