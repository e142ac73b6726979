//! Build time (compiled by `build.rs`, not by the crate): the automata of the built-in rules'
//! own regexes (the keys below say which), for `prebuilt/own.rs` to embed.
//!
//! Each regex asked for whole (all but a value rule's, whose matches the value scan finds)
//! gets a forward DFA (leftmost-first, unanchored: whether it matches, and where its first
//! match ends) and a reverse DFA (anchored, every match: where a match ending there starts),
//! both sparse: they are asked about short names and keys, and a sparse
//! DFA is a fraction of a dense one's size. A regex with a group `v` at its top level,
//! `A(?P<v>B)C`, also gets the automata that find the group's bounds in a match without a
//! capture engine: forward `A` with reverse `BC` for where it starts, forward `AB` with reverse
//! `C` for where it ends (an empty `A` or `C` needs none). These are dense: they walk every
//! match of a value rule with a group `v`, where a dense DFA's one table lookup per byte was
//! three times faster than a sparse DFA's search of its transitions. A regex that can match
//! the empty string, or that a DFA cannot search, gets nothing: the run compiles it.

use crate::automata::{build_hirs, embed, embed_sparse};
use crate::call_regex::whole;
use regex_automata::dfa::{dense, StartKind};
use regex_automata::util::syntax;
use regex_automata::MatchKind;
use regex_syntax::hir::{Hir, HirKind};
use std::fmt::Write;
use std::path::Path;

// Which regexes of a rule are matched on their own, outside the value scan and the key set
// (`embedded_automata_answer_as_the_compiled_regex` checks that every one has automata).

/// The rule key whose regex is matched on its own only for its group `v` (the value scan
/// finds its matches): a value rule's.
const FOR_V: &str = "value";

/// The rule keys whose regex is matched on its own as written: a key rule's and a segment
/// rule's.
const AS_WRITTEN: [&str; 2] = ["key", "segment"];

/// The rule keys of a call matcher, whose regexes must each match a whole name.
const CALL_KEYS: [&str; 5] = ["caller", "callee", "method", "path", "finding"];

/// The largest DFA of one piece worth embedding.
const OWN_LIMIT: usize = 1 << 20;

/// Writes the automata of the own regexes of `rules` (the `[[rule]]` tables of
/// `rules/default.toml`) to `out`, and to `code` the static `OWN_REGEXES` (sorted by source)
/// embedding them, the aligned statics of dense DFAs going to `statics`.
pub(crate) fn write(rules: &[toml::Value], out: &Path, code: &mut String, statics: &mut String) {
    // Each source, and whether only its group `v` is asked for.
    let mut sources: Vec<(String, bool)> = Vec::new();
    for rule in rules {
        if rule.get("enabled").and_then(toml::Value::as_bool) == Some(false) {
            continue;
        }
        let text = |key: &str| rule.get(key).and_then(toml::Value::as_str);
        sources.extend(text(FOR_V).map(|s| (s.to_string(), true)));
        sources.extend(
            AS_WRITTEN
                .iter()
                .filter_map(|k| Some((text(k)?.to_string(), false))),
        );
        sources.extend(
            CALL_KEYS
                .iter()
                .filter_map(|k| Some((whole(text(k)?), false))),
        );
    }
    // One entry per source, asked for all of it when any rule asks.
    sources.sort();
    sources.dedup_by(|later, first| later.0 == first.0);
    let _ = writeln!(code, "static OWN_REGEXES: &[OwnData] = &[");
    for (index, (source, for_v)) in sources.iter().enumerate() {
        let Some(own) = own(source, *for_v) else {
            continue;
        };
        let name = |piece: &str| format!("own_{index}_{piece}");
        let whole = match &own.whole {
            Some((forward, reverse)) => format!(
                "Some(({}, {}))",
                embed_sparse(out, &name("forward"), forward),
                embed_sparse(out, &name("reverse"), reverse)
            ),
            None => "None".to_string(),
        };
        let mut pair = |piece: &str, pair: &Option<Box<(Dfa, Dfa)>>| match pair.as_deref() {
            Some((forward, reverse)) => format!(
                "Some(({}, {}))",
                embed(out, statics, &name(&format!("{piece}_forward")), forward),
                embed(out, statics, &name(&format!("{piece}_reverse")), reverse)
            ),
            None => "None".to_string(),
        };
        let v = match &own.v {
            V::Absent => "VBounds::Absent".to_string(),
            V::Nested => "VBounds::Nested".to_string(),
            V::Split { start, end } => format!(
                "VBounds::Split {{ start: {}, end: {} }}",
                pair("start", start),
                pair("end", end)
            ),
        };
        let _ = writeln!(
            code,
            "    OwnData {{ source: {source:?}, whole: {whole}, v: {v} }},"
        );
    }
    let _ = writeln!(code, "];\n");
}

type Dfa = dense::DFA<Vec<u32>>;

/// The automata of one own regex.
struct Own {
    /// Its forward and reverse DFAs (`None` when only its group `v` is asked for).
    whole: Option<(Dfa, Dfa)>,
    v: V,
}

/// How a regex's group `v` is found.
enum V {
    /// It has none.
    Absent,
    /// Inside a repetition or an alternation: the run's capture engine finds it.
    Nested,
    /// At the top level: the pairs for its start and its end (`None`: the match's own).
    Split {
        start: Option<Box<(Dfa, Dfa)>>,
        end: Option<Box<(Dfa, Dfa)>>,
    },
}

/// The automata of `source`, when DFAs can answer for it and it is asked for more than a
/// group `v` it has (`for_v`: only the group is asked for).
fn own(source: &str, for_v: bool) -> Option<Own> {
    let hir = syntax::parse(source).ok()?;
    if hir.properties().minimum_len().is_none_or(|min| min == 0) {
        return None;
    }
    let v = match hir.kind() {
        HirKind::Capture(group) if group.name.as_deref() == Some("v") => V::Split {
            start: None,
            end: None,
        },
        HirKind::Concat(items) => match items.iter().position(is_v) {
            Some(at) => split(items, at)?,
            None if has_v(&hir) => V::Nested,
            None => V::Absent,
        },
        _ if has_v(&hir) => V::Nested,
        _ => V::Absent,
    };
    if for_v && matches!(v, V::Absent) {
        return None;
    }
    let whole = match for_v {
        true => None,
        false => {
            let forward = build_hirs(
                std::slice::from_ref(&hir),
                dense::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .start_kind(StartKind::Unanchored),
                false,
                Some(OWN_LIMIT),
            )
            .ok()?;
            Some((forward, every_match(&hir, true)?))
        }
    };
    Some(Own { whole, v })
}

/// The pairs for the group `v` at `items[at]` of a top-level concatenation `A(?P<v>B)C`.
fn split(items: &[Hir], at: usize) -> Option<V> {
    let HirKind::Capture(group) = items[at].kind() else {
        return None;
    };
    let (before, after) = (&items[..at], &items[at + 1..]);
    let inner: &Hir = &group.sub;
    let concat = |parts: &[&[Hir]]| Hir::concat(parts.concat());
    let start = match before.is_empty() {
        true => None,
        false => Some(Box::new((
            every_match(&concat(&[before]), false)?,
            every_match(&concat(&[std::slice::from_ref(inner), after]), true)?,
        ))),
    };
    let end = match after.is_empty() {
        true => None,
        false => Some(Box::new((
            every_match(&concat(&[before, std::slice::from_ref(inner)]), false)?,
            every_match(&concat(&[after]), true)?,
        ))),
    };
    Some(V::Split { start, end })
}

/// True when `hir` is the group `v`.
fn is_v(hir: &Hir) -> bool {
    matches!(hir.kind(), HirKind::Capture(group) if group.name.as_deref() == Some("v"))
}

/// True when `hir` holds the group `v` anywhere.
fn has_v(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Capture(group) => is_v(hir) || has_v(&group.sub),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().any(has_v),
        HirKind::Repetition(repetition) => has_v(&repetition.sub),
        _ => false,
    }
}

/// An anchored DFA of `hir` reporting every match (reversed when `reverse`: searched backwards
/// from a match's end).
fn every_match(hir: &Hir, reverse: bool) -> Option<Dfa> {
    let config = dense::Config::new()
        .match_kind(MatchKind::All)
        .start_kind(StartKind::Anchored);
    build_hirs(std::slice::from_ref(hir), config, reverse, Some(OWN_LIMIT)).ok()
}
