//! Assigning placeholders: named values first (by tier, then first appearance), numbered
//! names on collision (`checksum`, `checksum2`), the rest numbered per kind in order; then the
//! rewriting pass that applies them.

use super::compiled::Compiled;
use super::placeholders::{Entry, Repl, Span, Sym};
use super::walk::{Ctx, Visit};
use std::collections::{HashMap, HashSet};

/// What the collecting pass found.
pub struct Collected<'r> {
    /// The compiled rules.
    pub rules: &'r Compiled,
    /// Replacements in visiting order.
    pub spans: Vec<Span>,
    /// Distinct volatile values.
    pub entries: Vec<Entry>,
    /// Constant placeholder names.
    pub consts: Vec<String>,
    /// Placeholders already in the input.
    pub kept: Vec<String>,
    /// Placeholders in order of first appearance.
    pub order: Vec<Sym>,
    /// Placeholders that appear in a path or query.
    pub in_calls: HashSet<Sym>,
}

/// The placeholders decided for one trace, applied by the rewriting pass.
pub struct Assignment {
    spans: Vec<Span>,
    names: Vec<String>,
    consts: Vec<String>,
    seq: usize,
    cursor: usize,
    /// Named placeholders of paths and queries, in order of first appearance anywhere.
    pub variables: Vec<String>,
}

impl Assignment {
    /// Assigns the placeholders: named values first (by tier, then first appearance), numbered
    /// names on collision (`checksum`, `checksum2`); the rest numbered per kind in order.
    pub fn new(c: Collected<'_>) -> Assignment {
        let this = c;
        let numbered_kinds = &this.rules.numbered_kinds;
        let constant_kinds = &this.rules.constant_kinds;
        let mut used: HashSet<String> = this.kept.iter().cloned().collect();
        let mut names: Vec<Option<String>> = vec![None; this.entries.len()];
        let mut named: Vec<usize> = (0..this.entries.len())
            .filter(|&i| this.entries[i].name.is_some())
            .collect();
        named.sort_by_key(|&i| this.entries[i].name.as_ref().map_or(u8::MAX, |(t, _)| *t));
        for i in named {
            let Some((_, base)) = &this.entries[i].name else {
                continue;
            };
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                n += 1;
                candidate = format!("{base}{n}");
            }
            used.insert(candidate.clone());
            names[i] = Some(candidate);
        }
        let mut counters: HashMap<String, usize> = HashMap::new();
        for (i, entry) in this.entries.iter().enumerate() {
            if names[i].is_some() {
                continue;
            }
            let counter = counters.entry(entry.kind.clone()).or_insert(0);
            let mut candidate;
            loop {
                *counter += 1;
                candidate = format!("{}{}", entry.kind, counter);
                if !used.contains(&candidate) {
                    break;
                }
            }
            used.insert(candidate.clone());
            names[i] = Some(candidate);
        }
        let names: Vec<String> = names.into_iter().map(Option::unwrap_or_default).collect();
        let generic = |name: &str| {
            let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
            stem.len() < name.len() && numbered_kinds.contains(stem)
        };
        let variables = this
            .order
            .iter()
            .filter(|sym| this.in_calls.contains(sym))
            .filter_map(|sym| match sym {
                Sym::Entry(i) if this.entries[*i].name.is_some() => Some(names[*i].clone()),
                Sym::Kept(i)
                    if !generic(&this.kept[*i]) && !constant_kinds.contains(&this.kept[*i]) =>
                {
                    Some(this.kept[*i].clone())
                }
                _ => None,
            })
            .filter(|n| !numbered_kinds.contains(n))
            .collect();
        Assignment {
            spans: this.spans,
            names,
            consts: this.consts,
            seq: 0,
            cursor: 0,
            variables,
        }
    }
}

impl Visit for Assignment {
    fn visit(&mut self, text: &mut String, _ctx: Ctx<'_>) {
        let first = self.cursor;
        while self.cursor < self.spans.len() && self.spans[self.cursor].seq == self.seq {
            self.cursor += 1;
        }
        self.seq += 1;
        if first == self.cursor {
            return;
        }
        let mut spans: Vec<&Span> = self.spans[first..self.cursor].iter().collect();
        spans.sort_by_key(|s| s.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            if span.start < at || span.end > text.len() {
                continue;
            }
            out.push_str(&text[at..span.start]);
            let name = match span.repl {
                Repl::Entry(i) => &self.names[i],
                Repl::Const(i) => &self.consts[i],
            };
            out.push('{');
            out.push_str(name);
            out.push('}');
            at = span.end;
        }
        out.push_str(&text[at..]);
        *text = out;
    }
}
