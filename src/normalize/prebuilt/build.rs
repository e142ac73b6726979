//! Build time (compiled by `build.rs`, not by the crate): the built-in rules' automata,
//! determinized once here instead of in every run, for `prebuilt/mod.rs` to embed.
//!
//! - The value scan: the enabled value rules' patterns in rule order, then the kept
//!   placeholder, in groups. Each group is a forward DFA (leftmost-first, unanchored: where the
//!   group's first match ends, and which pattern) and a reverse DFA (each pattern alone,
//!   anchored: where that match starts). All patterns in one DFA would take hundreds of MB
//!   (the counted repetitions of overlapping classes multiply when combined), so patterns go
//!   first-fit into groups whose forward DFA stays under [`GROUP_BUDGET`], the patterns with
//!   the longest shortest match first: each group knows the shortest match of its patterns,
//!   and a value shorter than that (most are short) skips the group's search.
//! - The key set: every enabled key rule's pattern in one DFA reporting every pattern that
//!   matches.
//!
//! A pattern that can match the empty string, or that a DFA cannot search (a Unicode word
//! boundary), is left out: the run compiles it as it compiles a rules file's. Writes
//! `prebuilt_automata.rs` (the statics) and the DFAs' bytes in the target's byte order.

use regex_automata::dfa::{dense, StartKind};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{MatchKind, PatternID};
use regex_syntax::hir::Hir;
use std::fmt::Write;
use std::path::Path;

/// The largest forward DFA a group of several patterns may grow to: small enough that its
/// check when loaded costs little, large enough for few groups (each is a pass per value).
const GROUP_BUDGET: usize = 256 << 10;

/// The largest DFA of one pattern, or of the key set, worth embedding.
const SINGLE_LIMIT: usize = 4 << 20;

/// A DFA as built, before it is written.
pub(crate) type Dfa = dense::DFA<Vec<u32>>;

/// One value pattern eligible for a group: its source, its capture group names and the length
/// of its shortest match (in bytes).
struct Pattern<'r> {
    source: &'r str,
    names: Vec<String>,
    shortest: usize,
}

/// Writes the automata of `rules` (the `[[rule]]` tables of `rules/default.toml`) and the
/// code embedding them into `out`.
pub(crate) fn write(rules: &[toml::Value], out: &Path) {
    let matcher = |key: &str| -> Vec<&str> {
        rules
            .iter()
            .filter(|rule| rule.get("enabled").and_then(toml::Value::as_bool) != Some(false))
            .filter_map(|rule| rule.get(key)?.as_str())
            .collect()
    };
    let mut values = matcher("value");
    values.push(crate::kept::KEPT_PLACEHOLDER);
    let keys = matcher("key");

    let mut code = String::from(
        "// Written by build.rs (src/normalize/prebuilt/build.rs) from rules/default.toml.\n\n",
    );
    let mut statics = String::new();
    let _ = writeln!(code, "static VALUE_GROUPS: &[GroupData] = &[");
    for (index, group) in groups(&values).iter().enumerate() {
        let sources: Vec<&str> = group.iter().map(|p| p.source).collect();
        let forward = embed(out, &mut statics, &format!("value_{index}_forward"), {
            &forward(&sources, None).unwrap_or_else(|e| panic!("value group {index}: {e}"))
        });
        let reverse = embed(out, &mut statics, &format!("value_{index}_reverse"), {
            &reverse(&sources).unwrap_or_else(|e| panic!("value group {index} reversed: {e}"))
        });
        let _ = writeln!(code, "    GroupData {{\n        patterns: &[");
        for pattern in group {
            let _ = writeln!(
                code,
                "            PatternData {{ source: {:?}, names: &{:?} }},",
                pattern.source, pattern.names
            );
        }
        let shortest = group.iter().map(|p| p.shortest).min().unwrap_or(0);
        let _ = writeln!(
            code,
            "        ],\n        shortest: {shortest},\n        forward: {forward},\n        \
             reverse: {reverse},\n    }},"
        );
    }
    let _ = writeln!(code, "];\n");
    match key_set(&keys) {
        Some(dfa) => {
            let bytes = embed(out, &mut statics, "key_set_dfa", &dfa);
            let _ = writeln!(
                code,
                "static KEY_SET: Option<SetData> = Some(SetData {{ patterns: &{keys:?}, dfa: {bytes} }});"
            );
        }
        None => {
            let _ = writeln!(code, "static KEY_SET: Option<SetData> = None;");
        }
    }
    code.push('\n');
    crate::own_automata::write(rules, out, &mut code, &mut statics);
    code.push_str(&statics);
    let path = out.join("prebuilt_automata.rs");
    std::fs::write(&path, code).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The eligible value patterns, first-fit into groups under the budget, those with the longest
/// shortest match first (a pattern over the budget alone is a group of its own); in rule order
/// within each group.
fn groups<'r>(sources: &[&'r str]) -> Vec<Vec<Pattern<'r>>> {
    // Each eligible pattern with its place in rule order.
    let mut patterns: Vec<(usize, Pattern<'r>)> = sources
        .iter()
        .enumerate()
        .filter_map(|(at, s)| Some((at, eligible(s)?)))
        .collect();
    patterns.sort_by_key(|(at, p)| (std::cmp::Reverse(p.shortest), *at));
    let mut groups: Vec<Vec<(usize, Pattern<'r>)>> = Vec::new();
    for (at, pattern) in patterns {
        let source = pattern.source;
        let fits = |group: &Vec<(usize, Pattern<'r>)>| {
            let mut candidate: Vec<&str> = group.iter().map(|(_, p)| p.source).collect();
            candidate.push(source);
            forward(&candidate, Some(GROUP_BUDGET)).is_ok()
        };
        match groups.iter().position(fits) {
            Some(group) => groups[group].push((at, pattern)),
            None => groups.push(vec![(at, pattern)]),
        }
    }
    // Within a group, rule order: its DFA prefers the earlier of two patterns matching at one
    // place, as the rules do.
    groups
        .into_iter()
        .map(|mut group| {
            group.sort_by_key(|(at, _)| *at);
            group.into_iter().map(|(_, p)| p).collect()
        })
        .collect()
}

/// `source` with its group names when a DFA can search it: it compiles, cannot match the empty
/// string, and determinizes alone under [`SINGLE_LIMIT`] forward and in reverse.
fn eligible(source: &str) -> Option<Pattern<'_>> {
    let hir = regex_automata::util::syntax::parse(source).ok()?;
    let shortest = hir.properties().minimum_len().filter(|&min| min > 0)?;
    forward(&[source], Some(SINGLE_LIMIT)).ok()?;
    reverse(&[source]).ok()?;
    let nfa = thompson::NFA::new(source).ok()?;
    let names = nfa
        .group_info()
        .pattern_names(PatternID::ZERO)
        .flatten()
        .map(str::to_string)
        .collect();
    Some(Pattern {
        source,
        names,
        shortest,
    })
}

/// A DFA of `patterns` configured by `config`, built from their NFA without captures
/// (reversed when `reverse`), of at most `limit` bytes.
fn build(
    patterns: &[&str],
    config: dense::Config,
    reverse: bool,
    limit: Option<usize>,
) -> Result<Dfa, String> {
    let hirs = patterns
        .iter()
        .map(|pattern| syntax::parse(pattern).map_err(|e| e.to_string()))
        .collect::<Result<Vec<Hir>, String>>()?;
    build_hirs(&hirs, config, reverse, limit)
}

/// [`build`] of patterns already parsed.
pub(crate) fn build_hirs(
    hirs: &[Hir],
    config: dense::Config,
    reverse: bool,
    limit: Option<usize>,
) -> Result<Dfa, String> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .reverse(reverse)
                .which_captures(WhichCaptures::None),
        )
        .build_many_from_hir(hirs)
        .map_err(|e| e.to_string())?;
    dense::Builder::new()
        .configure(
            config
                .dfa_size_limit(limit)
                .determinize_size_limit(limit.map(|l| l * 2)),
        )
        .build_from_nfa(&nfa)
        .map_err(|e| e.to_string())
}

/// A forward DFA of `patterns`: where the leftmost-first match ends, and which pattern.
fn forward(patterns: &[&str], limit: Option<usize>) -> Result<Dfa, String> {
    let config = dense::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .start_kind(StartKind::Unanchored);
    build(patterns, config, false, limit)
}

/// A reverse DFA of `patterns`, each searched alone and anchored at a match's end: every
/// start of a match ending there.
fn reverse(patterns: &[&str]) -> Result<Dfa, String> {
    let config = dense::Config::new()
        .match_kind(MatchKind::All)
        .start_kind(StartKind::Anchored)
        .starts_for_each_pattern(true);
    build(patterns, config, true, Some(SINGLE_LIMIT))
}

/// The key set's DFA: every pattern matching anywhere in a key (`None` when it is too large).
fn key_set(patterns: &[&str]) -> Option<Dfa> {
    let config = dense::Config::new()
        .match_kind(MatchKind::All)
        .start_kind(StartKind::Unanchored);
    let dfa = build(patterns, config, false, Some(SINGLE_LIMIT));
    (!patterns.is_empty()).then_some(dfa.ok()?)
}

/// True when the target stores integers big end first (the DFAs are written in its order).
fn big_endian() -> bool {
    std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big")
}

/// Writes `dfa` to `out/name.dfa` in the target's byte order and an aligned static embedding
/// it to `statics`; returns the expression for its bytes.
pub(crate) fn embed(out: &Path, statics: &mut String, name: &str, dfa: &Dfa) -> String {
    let (bytes, pad) = if big_endian() {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    let path = write_bytes(out, name, &bytes[pad..]);
    let upper = name.to_ascii_uppercase();
    let _ = writeln!(
        statics,
        "static {upper}: &Aligned<[u8]> = &Aligned {{ _align: [], bytes: *include_bytes!({path:?}) }};"
    );
    format!("&{upper}.bytes")
}

/// Writes `dfa` as a sparse DFA (smaller, slower to search: for short texts) to
/// `out/name.dfa` in the target's byte order; returns the expression embedding its bytes
/// (a sparse DFA needs no alignment).
pub(crate) fn embed_sparse(out: &Path, name: &str, dfa: &Dfa) -> String {
    let sparse = dfa
        .to_sparse()
        .unwrap_or_else(|e| panic!("{name}: no sparse form: {e}"));
    let bytes = if big_endian() {
        sparse.to_bytes_big_endian()
    } else {
        sparse.to_bytes_little_endian()
    };
    format!("include_bytes!({:?})", write_bytes(out, name, &bytes))
}

/// Writes `bytes` to `out/name.dfa`; returns its path.
fn write_bytes(out: &Path, name: &str, bytes: &[u8]) -> String {
    let path = out.join(format!("{name}.dfa"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.display().to_string()
}
