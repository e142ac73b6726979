//! Assigning placeholders: named values first (by tier, then first appearance), numbered
//! names on collision (`checksum`, `checksum2`), the rest numbered per kind in order; then the
//! rewriting pass that applies them.

use super::record::{decode, whole_token, Collected, Entry, Repl, Span, Sym};
use super::walk::{Ctx, Visit};
use crate::intern::Interner;
use compact_str::CompactString;
use rustc_hash::{FxBuildHasher, FxHashSet};
use std::hash::BuildHasher;

/// A placeholder name as a base and a number: `(server_id, 0)` is `server_id`,
/// `(server_id, 2)` is `server_id2` (no string per value on long traces).
#[derive(Debug, Clone, Copy, Default)]
struct Name {
    base: u32,
    number: u32,
}

/// The placeholders decided for one trace, applied by the rewriting pass.
pub(super) struct Assignment {
    spans: Vec<Span>,
    /// Each entry's placeholder with its braces (`{server_id}`), written once and copied to
    /// every place the entry goes (inline: no allocation for a short one).
    entries: Vec<CompactString>,
    /// Each constant's placeholder with its braces (`{host}`).
    consts: Vec<CompactString>,
    seq: usize,
    cursor: usize,
    /// The text being rewritten (reused).
    scratch: String,
    /// Which visited strings (by number) the collecting pass left in intermediate form.
    rewritten: Vec<u64>,
    /// Named placeholders of paths and queries, in order of first appearance anywhere.
    pub variables: Vec<String>,
}

fn name_hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

/// Writes `base` followed by `number` (when not 0) into `out`.
fn write_name(out: &mut String, base: &str, number: u32) {
    out.push_str(base);
    if number > 0 {
        let mut digits = [0u8; 10];
        let (mut n, mut at) = (number, digits.len());
        while n > 0 {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend(digits[at..].iter().map(|&d| char::from(d)));
    }
}

/// Placeholder names being given out: the names taken and, per base name, the next number to
/// try.
struct Namer {
    /// Names taken so far, by hash: a (never seen) hash collision only skips a number.
    used: FxHashSet<u64>,
    /// The base names in order of first use, each with the next number to try (which keeps
    /// collisions linear).
    bases: Interner<(String, u32)>,
    /// The name being tried (reused).
    candidate: String,
}

impl Namer {
    /// Ready to give out names, none of the placeholders `kept` (already in the input).
    fn new(kept: &[String]) -> Namer {
        Namer {
            used: kept.iter().map(|k| name_hash(k)).collect(),
            bases: Interner::default(),
            candidate: String::new(),
        }
    }

    /// Names every entry: named values first (by tier, then first appearance), numbered on
    /// collision; the rest numbered per kind in order.
    fn name_entries(&mut self, entries: &[Entry<'_>]) -> Vec<Name> {
        let mut names = vec![Name::default(); entries.len()];
        let mut named: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].name.is_some())
            .collect();
        named.sort_by_key(|&i| entries[i].name.as_ref().map_or(u8::MAX, |(t, _)| *t));
        let unnamed = (0..entries.len()).filter(|&i| entries[i].name.is_none());
        for (i, is_named) in named
            .iter()
            .map(|&i| (i, true))
            .chain(unnamed.map(|i| (i, false)))
        {
            let base = match &entries[i].name {
                Some((_, name)) if is_named => name.as_str(),
                _ => entries[i].kind,
            };
            names[i] = self.take(base, is_named);
        }
        names
    }

    /// The first free name with base `base`: bare for a named value (`checksum`, then
    /// `checksum2`), from 1 for a generic kind (`uuid1`).
    fn take(&mut self, base: &str, is_named: bool) -> Name {
        // Named values start bare (`checksum`), generic kinds at 1 (`uuid1`).
        let index = self
            .bases
            .intern(base, || (base.to_string(), u32::from(!is_named)));
        let slot = &mut self.bases[index].1;
        let index = index as u32;
        loop {
            let number = *slot;
            *slot += if number == 0 { 2 } else { 1 };
            self.candidate.clear();
            write_name(&mut self.candidate, base, number);
            if self.used.insert(name_hash(&self.candidate)) {
                return Name {
                    base: index,
                    number,
                };
            }
        }
    }
}

/// The named placeholders of paths and queries, in order of first appearance: the entries'
/// named values (named `names`, on `bases`) and the placeholders already in the input, but
/// not the numbered and constant kinds.
fn variables(c: &Collected<'_>, names: &[Name], bases: &[String]) -> Vec<String> {
    let numbered_kinds = &c.rules.numbered_kinds;
    let constant_kinds = &c.rules.constant_kinds;
    let generic = |name: &str| {
        let stem = name.trim_end_matches(|ch: char| ch.is_ascii_digit());
        stem.len() < name.len() && numbered_kinds.contains(stem)
    };
    let mut variables = Vec::new();
    for (sym, in_call) in &c.order {
        let name = match sym {
            _ if !in_call => continue,
            Sym::Entry(i) if c.entries[*i].name.is_some() => {
                let mut text = String::new();
                let name = names[*i];
                write_name(&mut text, &bases[name.base as usize], name.number);
                text
            }
            Sym::Kept(i) if !generic(&c.kept[*i]) && !constant_kinds.contains(&c.kept[*i]) => {
                c.kept[*i].clone()
            }
            _ => continue,
        };
        if !numbered_kinds.contains(&name) {
            variables.push(name);
        }
    }
    variables
}

/// The placeholder `name` writes, with its braces, written in `text` (reused) first.
fn braced(text: &mut String, name: impl FnOnce(&mut String)) -> CompactString {
    text.clear();
    text.push('{');
    name(text);
    text.push('}');
    CompactString::from(text.as_str())
}

impl Assignment {
    /// Assigns the placeholders: named values first (by tier, then first appearance), numbered
    /// names on collision (`checksum`, `checksum2`); the rest numbered per kind in order.
    pub(super) fn new(c: Collected<'_>) -> Assignment {
        let mut namer = Namer::new(&c.kept);
        let names = namer.name_entries(&c.entries);
        let Namer {
            bases,
            mut candidate,
            ..
        } = namer;
        let bases: Vec<String> = bases
            .into_values()
            .into_iter()
            .map(|(base, _)| base)
            .collect();
        let variables = variables(&c, &names, &bases);
        let entries = names
            .iter()
            .map(|name| {
                let base = bases.get(name.base as usize).map_or("", String::as_str);
                braced(&mut candidate, |out| write_name(out, base, name.number))
            })
            .collect();
        let consts = c
            .consts
            .iter()
            .map(|name| braced(&mut candidate, |out| out.push_str(name)))
            .collect();
        Assignment {
            spans: c.spans,
            entries,
            consts,
            seq: 0,
            cursor: 0,
            scratch: String::new(),
            rewritten: Vec::new(),
            variables,
        }
    }

    /// Says which visited strings (a bit per string number) the collecting pass left in
    /// intermediate form ([`decode`]).
    pub(super) fn rewritten(mut self, rewritten: Vec<u64>) -> Assignment {
        self.rewritten = rewritten;
        self
    }

    /// The placeholder of `repl`, with its braces.
    fn placeholder(&self, repl: Repl) -> &str {
        let text = match repl {
            Repl::Entry(i) => self.entries.get(i as usize),
            Repl::Const(i) => self.consts.get(i as usize),
        };
        text.map_or("{}", CompactString::as_str)
    }

    /// The rewritten text of the next visited string, when it has replacements.
    fn apply(&mut self, text: &str) -> Option<CompactString> {
        let (word, bit) = (self.seq / 64, self.seq % 64);
        if self.rewritten.get(word).is_some_and(|w| w >> bit & 1 == 1) {
            self.seq += 1;
            if let Some(repl) = whole_token(text) {
                return Some(CompactString::from(self.placeholder(repl)));
            }
            let mut out = std::mem::take(&mut self.scratch);
            decode(text, &mut out, |repl, out| {
                out.push_str(self.placeholder(repl))
            });
            let new = CompactString::from(out.as_str());
            self.scratch = out;
            return Some(new);
        }
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
        // Written into a buffer kept from string to string, then copied once: a short result
        // (most are one placeholder) is inline, without an allocation.
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let mut at = 0;
        for span in self.spans[first..self.cursor].iter() {
            let (start, end) = (span.start as usize, span.end as usize);
            if start < at || end > text.len() {
                continue;
            }
            out.push_str(&text[at..start]);
            out.push_str(self.placeholder(span.repl));
            at = end;
        }
        out.push_str(&text[at..]);
        let new = CompactString::from(out.as_str());
        self.scratch = out;
        Some(new)
    }
}

impl Visit for Assignment {
    fn visit(&mut self, text: &str, _ctx: Ctx<'_>) -> Option<CompactString> {
        self.apply(text)
    }

    fn visit_key(&mut self, key: &str) -> Option<CompactString> {
        self.apply(key)
    }
}
