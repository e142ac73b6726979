//! The value patterns that no embedded automaton holds (a rules file's, or built-in ones it
//! replaced), compiled in the run: where a match ends (and which pattern) is found by a
//! `regex-automata` meta regex, where it starts by a lazy DFA of that one pattern in reverse.
//!
//! The meta regex alone finds the start with a reverse lazy DFA of all the rules at once,
//! whose states, built on first use in every run, cost a third of normalizing a capture of a
//! few hundred KB; one rule's reverse states are few. The match is the same: a leftmost-first
//! match of rule `p` ending at `e` starts at the smallest start of any match of `p` ending at
//! `e` (an earlier one would be a match further left). Empty matches, and searches the reverse
//! lazy DFA gives up on, are left to the meta regex's own search.

use crate::error::BoxedSource;
use regex_automata::hybrid::dfa::{Cache as ReverseCache, DFA};
use regex_automata::meta;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{Anchored, HalfMatch, Input, Match, MatchKind};

/// Patterns searched leftmost-first (pattern `i` of the group).
#[derive(Debug, Clone)]
pub(super) struct RuntimeGroup {
    /// Finds where a match ends; the reference for the matches `reverse` leaves to it.
    meta: meta::Regex,
    /// Each pattern in reverse, searched anchored at a match's end for that pattern only.
    reverse: DFA,
}

/// What one thread's searches write to: the meta regex's cache and the reverse DFA's.
#[derive(Debug, Clone)]
pub(super) struct RuntimeCache {
    meta: meta::Cache,
    reverse: ReverseCache,
}

/// The reverse automaton's configuration: as the meta regex configures its own reverse lazy
/// DFA, with a start state for each pattern.
fn reverse_config(
    config: &meta::Config,
) -> (thompson::Config, regex_automata::hybrid::dfa::Config) {
    let nfa = thompson::Config::new()
        .reverse(true)
        .which_captures(WhichCaptures::None)
        .nfa_size_limit(config.get_nfa_size_limit());
    let dfa = DFA::config()
        .match_kind(MatchKind::All)
        .starts_for_each_pattern(true)
        .unicode_word_boundary(true)
        .cache_capacity(config.get_hybrid_cache_capacity())
        .minimum_cache_clear_count(Some(3))
        .minimum_bytes_per_state(Some(10));
    (nfa, dfa)
}

impl RuntimeGroup {
    /// Compiles `patterns` with `config` (leftmost-first; the reverse DFA gets its NFA size
    /// limit and cache capacity).
    pub(super) fn new<P: AsRef<str>>(
        patterns: &[P],
        config: meta::Config,
    ) -> Result<RuntimeGroup, BoxedSource> {
        // Parsed once for both.
        let hirs = match syntax::parse_many(patterns) {
            Ok(hirs) => hirs,
            // Reported in the meta regex's words (rules files' regexes are checked one by one
            // when they load).
            Err(parse) => {
                return Err(
                    match meta::Regex::builder()
                        .configure(config)
                        .build_many(patterns)
                    {
                        Err(meta) => meta.into(),
                        Ok(_) => parse.into(),
                    },
                )
            }
        };
        let (nfa_config, dfa_config) = reverse_config(&config);
        let nfa = thompson::Compiler::new()
            .configure(nfa_config)
            .build_many_from_hir(&hirs)?;
        Ok(RuntimeGroup {
            meta: meta::Regex::builder()
                .configure(config)
                .build_many_from_hir(&hirs)?,
            reverse: DFA::builder().configure(dfa_config).build_from_nfa(nfa)?,
        })
    }

    /// True when pattern `pattern` has a capture group named `name`.
    pub(super) fn has_group(&self, pattern: usize, name: &str) -> bool {
        regex_automata::PatternID::new(pattern)
            .is_ok_and(|id| self.meta.group_info().to_index(id, name).is_some())
    }

    /// A cache for [`RuntimeGroup::search`].
    pub(super) fn create_cache(&self) -> RuntimeCache {
        RuntimeCache {
            meta: self.meta.create_cache(),
            reverse: self.reverse.create_cache(),
        }
    }

    /// The first match in `input`, as the meta regex's `search` finds it.
    pub(super) fn search(&self, cache: &mut RuntimeCache, input: &Input<'_>) -> Option<Match> {
        let end = self.meta.search_half_with(&mut cache.meta, input)?;
        match self.start(&mut cache.reverse, input, end) {
            Some(start) => Some(Match::new(end.pattern(), start..end.offset())),
            None => self.meta.search_with(&mut cache.meta, input),
        }
    }

    /// Where the match ending at `end` starts; `None` for an empty match or when the reverse
    /// lazy DFA gives up.
    fn start(&self, cache: &mut ReverseCache, input: &Input<'_>, end: HalfMatch) -> Option<usize> {
        let reverse = input
            .clone()
            .span(input.start()..end.offset())
            .anchored(Anchored::Pattern(end.pattern()))
            .earliest(false);
        match self.reverse.try_search_rev(cache, &reverse) {
            Ok(Some(start)) if start.offset() < end.offset() => Some(start.offset()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every match, in order, as `search` finds them from each start.
    fn all(
        mut find: impl FnMut(&Input<'_>) -> Option<Match>,
        text: &str,
    ) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut input = Input::new(text);
        while let Some(m) = find(&input) {
            out.push((m.pattern().as_usize(), m.start(), m.end()));
            let next = if m.is_empty() { m.end() + 1 } else { m.end() };
            if next > text.len() {
                break;
            }
            input.set_start(next);
        }
        out
    }

    /// The same matches as the meta regex alone, for patterns that overlap, prefer a shorter
    /// alternative, match empty, or use a Unicode word boundary (which the lazy DFAs give up
    /// on past ASCII).
    #[test]
    fn finds_the_matches_the_meta_regex_finds() {
        let patterns: Vec<String> = [
            r"(?-u:\b)[0-9a-f]{8}(?-u:\b)",
            r"[0-9a-f]+-(?P<v>[0-9]+)",
            r"ab|abc",
            r"x*",
            r"\bword\b",
            r"é+",
            r"\{[A-Za-z_][A-Za-z0-9_]*\}",
        ]
        .map(String::from)
        .to_vec();
        let config = meta::Config::new().hybrid_cache_capacity(1 << 20);
        let scan = RuntimeGroup::new(&patterns, config.clone()).expect("compiles");
        let reference = meta::Regex::builder()
            .configure(config)
            .build_many(&patterns)
            .expect("compiles");
        let mut cache = scan.create_cache();
        for text in [
            "deadbeef 0123abcd-42 abc xx {uuid1}",
            "ab abc abcd xabc",
            "a word, words, éword word é ééé",
            "",
            "zzz",
            "deadbeef-deadbeef-17éé",
        ] {
            let expected = all(|input| reference.search(input), text);
            let found = all(|input| scan.search(&mut cache, input), text);
            assert_eq!(found, expected, "{text:?}");
        }
        assert!(scan.has_group(1, "v"));
        assert!(!scan.has_group(0, "v"));
    }
}
