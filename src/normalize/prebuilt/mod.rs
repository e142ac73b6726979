//! The built-in rules' automata, determinized by `build.rs` (`prebuilt/build.rs`) and
//! embedded in the binary: a run that uses the built-in value and key rules loads them instead
//! of compiling those rules' regexes.
//!
//! A run matches them to its own patterns by source text, so a rules file that replaces or
//! switches off a built-in rule only loses the automata holding it (its patterns are then
//! compiled, as a rules file's are).

pub(crate) mod call_regex;
pub(crate) mod kept;
mod own;

pub(super) use own::OwnRegex;

use regex_automata::dfa::dense::DFA;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Bytes aligned for a DFA's transition table (`u32`s), as `include_bytes!` does not align.
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

/// One value pattern of a group.
struct PatternData {
    /// Its source, as written in `rules/default.toml`.
    source: &'static str,
    /// The names of its capture groups.
    names: &'static [&'static str],
}

/// One group of value patterns.
struct GroupData {
    patterns: &'static [PatternData],
    /// The length of the shortest match of any of its patterns, in bytes.
    shortest: usize,
    /// The forward DFA: leftmost-first, unanchored.
    forward: &'static [u8],
    /// The reverse DFA: each pattern alone, anchored, every match.
    reverse: &'static [u8],
}

/// The key patterns and their DFA reporting every pattern that matches.
struct SetData {
    patterns: &'static [&'static str],
    dfa: &'static [u8],
}

/// A built-in rule's own regex (a value rule's with a group `v`, a key or segment rule's, a call
/// matcher's): its DFAs, for [`OwnRegex`].
#[derive(Debug)]
struct OwnData {
    /// Its source, as the run compiles it.
    source: &'static str,
    /// Its forward DFA (leftmost-first, unanchored) and reverse DFA (anchored, every match),
    /// when it is asked for more than its group `v`.
    whole: Option<Pair>,
    v: VBounds<Pair>,
}

/// The bytes of a forward DFA and a reverse one.
type Pair = (&'static [u8], &'static [u8]);

/// How an own regex's group `v` is found, `P` being the pair of DFAs that finds one of its
/// bounds (embedded, or loaded).
#[derive(Debug, Clone)]
enum VBounds<P> {
    /// It has none.
    Absent,
    /// Inside a repetition or an alternation: by the capture engine.
    #[allow(dead_code)] // no built-in rule has one today
    Nested,
    /// At the top level: between the pair for its start (`None`: where the match starts) and
    /// the pair for its end (`None`: where the match ends).
    Split { start: Option<P>, end: Option<P> },
}

impl<P> VBounds<P> {
    /// The same bounds with each pair `load`ed (`None` when one does not load).
    fn load<Q>(&self, load: impl Fn(&P) -> Option<Q>) -> Option<VBounds<Q>> {
        let each = |pair: &Option<P>| match pair {
            Some(pair) => load(pair).map(Some),
            None => Some(None),
        };
        Some(match self {
            VBounds::Absent => VBounds::Absent,
            VBounds::Nested => VBounds::Nested,
            VBounds::Split { start, end } => VBounds::Split {
                start: each(start)?,
                end: each(end)?,
            },
        })
    }
}

include!(concat!(env!("OUT_DIR"), "/prebuilt_automata.rs"));

/// A DFA from the binary's own bytes.
pub(super) type Embedded = DFA<&'static [u32]>;

/// A group of value patterns as loaded: its DFAs, and each pattern's source and group names.
#[derive(Debug, Clone)]
pub(super) struct ValueGroup {
    /// Where the group's leftmost-first match ends, and which of its patterns it is.
    pub(super) forward: Embedded,
    /// Where a match of one pattern (anchored at its end, `Anchored::Pattern`) starts.
    pub(super) reverse: Embedded,
    /// The patterns' sources, in the group's order (pattern `i` of the DFAs).
    pub(super) sources: Vec<&'static str>,
    /// The capture group names of each pattern.
    pub(super) names: Vec<&'static [&'static str]>,
    /// The length of the shortest match of any of its patterns, in bytes: a shorter text
    /// holds none.
    pub(super) shortest: usize,
}

/// The embedded value groups, in the order `build.rs` made them. A group whose bytes do not
/// load (they are checked; they cannot fail to but for a build that is not this one) is left
/// out, and its patterns are compiled.
pub(super) fn value_groups() -> Vec<ValueGroup> {
    VALUE_GROUPS
        .iter()
        .filter_map(|group| {
            Some(ValueGroup {
                forward: load(group.forward)?,
                reverse: load(group.reverse)?,
                sources: group.patterns.iter().map(|p| p.source).collect(),
                names: group.patterns.iter().map(|p| p.names).collect(),
                shortest: group.shortest,
            })
        })
        .collect()
}

/// The embedded key set: its patterns' sources (pattern `i` of the DFA) and its DFA.
pub(super) fn key_set() -> Option<(&'static [&'static str], Embedded)> {
    let set = KEY_SET.as_ref()?;
    Some((set.patterns, load(set.dfa)?))
}

/// The indices of a run's patterns not yet given to an automaton, by source: an embedded
/// pattern stands for the first such pattern with its source.
pub(super) struct Unused<'p> {
    by_source: FxHashMap<&'p str, VecDeque<usize>>,
}

impl<'p> Unused<'p> {
    /// Every pattern of `patterns`, unused.
    pub(super) fn new<P: AsRef<str>>(patterns: &'p [P]) -> Unused<'p> {
        let mut by_source: FxHashMap<&str, VecDeque<usize>> = FxHashMap::default();
        for (index, pattern) in patterns.iter().enumerate() {
            by_source
                .entry(pattern.as_ref())
                .or_default()
                .push_back(index);
        }
        Unused { by_source }
    }

    /// The indices of `sources`, taken all or none (`None` when some source is not unused).
    pub(super) fn take_all(&mut self, sources: &[&str]) -> Option<Vec<usize>> {
        let mut wanted: FxHashMap<&str, usize> = FxHashMap::default();
        for source in sources {
            *wanted.entry(source).or_default() += 1;
        }
        let available = wanted.iter().all(|(source, &count)| {
            self.by_source
                .get(source)
                .is_some_and(|free| free.len() >= count)
        });
        available.then(|| sources.iter().filter_map(|s| self.take(s)).collect())
    }

    /// The index of the first unused pattern with source `source`, now used.
    pub(super) fn take(&mut self, source: &str) -> Option<usize> {
        self.by_source.get_mut(source)?.pop_front()
    }

    /// The indices left, in order.
    pub(super) fn rest(self) -> Vec<usize> {
        let mut rest: Vec<usize> = self.by_source.into_values().flatten().collect();
        rest.sort_unstable();
        rest
    }
}

/// A DFA from bytes `build.rs` wrote. Only their header is checked here (the whole check
/// reads every transition: it took more than half of a small comparison);
/// `embedded_automata_are_valid` checks them whole in the tests.
fn load(bytes: &'static [u8]) -> Option<Embedded> {
    // SAFETY: `from_bytes_unchecked` needs bytes that `to_bytes_*` of a valid DFA wrote, in
    // this target's byte order, by the same version of regex-automata. `build.rs` wrote these
    // with `to_bytes_little_endian` or `_big_endian` as the target is, of DFAs its builder
    // made, linked against the regex-automata of this crate's lock file (the very same build
    // of it: see the release profile in Cargo.toml); they are embedded read-only in the
    // binary, and `Aligned` gives them the alignment the transition table needs.
    let loaded = unsafe { DFA::from_bytes_unchecked(bytes) };
    loaded.ok().map(|(dfa, _)| dfa)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::dfa::sparse;

    /// Each embedded group holds its patterns in rule order (its DFA prefers the earlier of two
    /// matching at one place, as the rules do) and knows the shortest match any of them allows
    /// (a shorter text skips the group); the groups hold every built-in value pattern.
    #[test]
    fn groups_keep_rule_order_and_know_their_shortest_match() {
        let builtin = crate::normalize::tests::builtin_value_patterns();
        let mut held = 0;
        for group in VALUE_GROUPS {
            let places: Vec<usize> = group
                .patterns
                .iter()
                .map(|p| {
                    builtin
                        .iter()
                        .position(|b| b == p.source)
                        .expect("a built-in")
                })
                .collect();
            assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}");
            let shortest = group.patterns.iter().map(|p| {
                let hir = regex_automata::util::syntax::parse(p.source).expect("it parses");
                hir.properties()
                    .minimum_len()
                    .expect("it matches something")
            });
            assert_eq!(shortest.min(), Some(group.shortest));
            held += group.patterns.len();
        }
        assert_eq!(held, builtin.len());
    }

    /// Every embedded DFA passes the whole check that `load` and `own::load_sparse` skip.
    #[test]
    fn embedded_automata_are_valid() {
        let mut checked = 0;
        for group in VALUE_GROUPS {
            for bytes in [group.forward, group.reverse] {
                DFA::from_bytes(bytes).expect("a valid value group DFA");
                checked += 1;
            }
        }
        if let Some(set) = &KEY_SET {
            DFA::from_bytes(set.dfa).expect("a valid key set DFA");
            checked += 1;
        }
        assert!(
            checked > 2,
            "the built-in rules make value groups and a key set"
        );
        assert_eq!(value_groups().len(), VALUE_GROUPS.len());
        for own in OWN_REGEXES {
            for bytes in own
                .whole
                .iter()
                .flat_map(|(forward, reverse)| [forward, reverse])
            {
                sparse::DFA::from_bytes(bytes).expect("a valid own regex DFA");
            }
            if let VBounds::Split { start, end } = &own.v {
                for (forward, reverse) in [start, end].into_iter().flatten() {
                    DFA::from_bytes(forward).expect("a valid v bound DFA");
                    DFA::from_bytes(reverse).expect("a valid v bound DFA");
                }
            }
        }
        assert!(OWN_REGEXES.len() > 20, "{} own regexes", OWN_REGEXES.len());
    }
}
