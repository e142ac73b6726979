//! Assigning placeholders: named values first (by tier, then first appearance), numbered
//! names on collision (`checksum`, `checksum2`), the rest numbered per kind in order; then the
//! rewriting pass that applies them.

use super::compiled::Compiled;
use super::fxhash::{FxMap, FxSet};
use super::placeholders::{Entry, Repl, Span, Sym};
use super::walk::{Ctx, Visit};

/// What the collecting pass found.
pub struct Collected<'r> {
    /// The compiled rules.
    pub rules: &'r Compiled,
    /// Replacements in visiting order.
    pub spans: Vec<Span>,
    /// Distinct volatile values.
    pub entries: Vec<Entry<'r>>,
    /// Constant placeholder names.
    pub consts: Vec<String>,
    /// Placeholders already in the input.
    pub kept: Vec<String>,
    /// Placeholders in order of first appearance, with whether they appear in a path or query.
    pub order: Vec<(Sym, bool)>,
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
        // Names taken so far, by hash: a (never seen) hash collision only skips a number.
        let mut used: FxSet<u64> = this.kept.iter().map(|k| name_hash(k)).collect();
        let mut names: Vec<Option<String>> = vec![None; this.entries.len()];
        let mut named: Vec<usize> = (0..this.entries.len())
            .filter(|&i| this.entries[i].name.is_some())
            .collect();
        named.sort_by_key(|&i| this.entries[i].name.as_ref().map_or(u8::MAX, |(t, _)| *t));
        // The next number to try per base name keeps collisions linear.
        let mut next: FxMap<String, usize> = FxMap::default();
        for i in named {
            let Some((_, base)) = &this.entries[i].name else {
                continue;
            };
            let n = next.entry(base.clone()).or_insert(1);
            let mut candidate = if *n == 1 {
                base.clone()
            } else {
                format!("{base}{n}")
            };
            while !used.insert(name_hash(&candidate)) {
                *n += 1;
                candidate = format!("{base}{n}");
            }
            *n += 1;
            names[i] = Some(candidate);
        }
        let mut counters: FxMap<&str, usize> = FxMap::default();
        for (i, entry) in this.entries.iter().enumerate() {
            if names[i].is_some() {
                continue;
            }
            let counter = counters.entry(entry.kind).or_insert(0);
            let mut candidate;
            loop {
                *counter += 1;
                candidate = format!("{}{}", entry.kind, counter);
                if used.insert(name_hash(&candidate)) {
                    break;
                }
            }
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
            .filter(|(_, in_call)| *in_call)
            .filter_map(|(sym, _)| match sym {
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

fn name_hash(name: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<super::fxhash::FxHasher>::default().hash_one(name)
}

impl Assignment {
    /// The rewritten text of the next visited string, when it has replacements.
    fn apply(&mut self, text: &str) -> Option<String> {
        let first = self.cursor;
        while self.cursor < self.spans.len() && self.spans[self.cursor].seq as usize == self.seq {
            self.cursor += 1;
        }
        self.seq += 1;
        if first == self.cursor {
            return None;
        }
        let spans = &mut self.spans[first..self.cursor];
        spans.sort_by_key(|s| s.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans.iter() {
            let (start, end) = (span.start as usize, span.end as usize);
            if start < at || end > text.len() {
                continue;
            }
            out.push_str(&text[at..start]);
            let name = match span.repl {
                Repl::Entry(i) => self.names.get(i as usize),
                Repl::Const(i) => self.consts.get(i as usize),
            };
            out.push('{');
            out.push_str(name.map_or("", String::as_str));
            out.push('}');
            at = end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }
}

impl Visit for Assignment {
    fn visit(&mut self, text: &mut String, _ctx: Ctx<'_>) {
        if let Some(new) = self.apply(text) {
            *text = new;
        }
    }

    fn visit_key(&mut self, key: &str) -> Option<String> {
        self.apply(key)
    }
}
