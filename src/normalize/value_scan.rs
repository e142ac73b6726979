//! The combined value regex: where a value rule's match ends (and which rule) is found by a
//! `regex-automata` meta regex, where it starts by a lazy DFA of that one rule in reverse.
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
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::syntax;
use regex_automata::{Anchored, HalfMatch, Input, Match, MatchKind};
use std::sync::Arc;

/// Makes a reverse cache for a thread that has none.
type MakeCache = Box<dyn Fn() -> ReverseCache + Send + Sync>;

/// The value rules' patterns (pattern `i` is rule `i`), searched leftmost-first.
#[derive(Debug)]
pub(super) struct ValueScan {
    /// Finds where a match ends; the reference for the matches `reverse` leaves to it.
    meta: meta::Regex,
    /// Each pattern in reverse, searched anchored at a match's end for that pattern only.
    reverse: Arc<DFA>,
    /// One reverse cache per thread searching.
    caches: Pool<ReverseCache, MakeCache>,
}

/// What one thread's searches write to: the meta regex's cache and the reverse DFA's.
#[derive(Debug, Clone)]
pub(super) struct ScanCache {
    meta: meta::Cache,
    reverse: ReverseCache,
}

fn pool(reverse: &Arc<DFA>) -> Pool<ReverseCache, MakeCache> {
    let dfa = Arc::clone(reverse);
    Pool::new(Box::new(move || dfa.create_cache()))
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

impl Clone for ValueScan {
    fn clone(&self) -> ValueScan {
        ValueScan {
            meta: self.meta.clone(),
            reverse: Arc::clone(&self.reverse),
            caches: pool(&self.reverse),
        }
    }
}

impl ValueScan {
    /// Compiles `patterns` with `config` (leftmost-first; the reverse DFA gets its NFA size
    /// limit and cache capacity).
    pub(super) fn new(patterns: &[String], config: meta::Config) -> Result<ValueScan, BoxedSource> {
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
        // The two automata are compiled on both cores: half the wait at start.
        let (meta, reverse) = std::thread::scope(|scope| {
            let reverse = scope.spawn(|| -> Result<DFA, BoxedSource> {
                let (nfa_config, dfa_config) = reverse_config(&config);
                let nfa = thompson::Compiler::new()
                    .configure(nfa_config)
                    .build_many_from_hir(&hirs)?;
                Ok(DFA::builder().configure(dfa_config).build_from_nfa(nfa)?)
            });
            let meta = meta::Regex::builder()
                .configure(config.clone())
                .build_many_from_hir(&hirs);
            let reverse = reverse
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (meta, reverse)
        });
        let (meta, reverse) = (meta?, reverse?);
        let reverse = Arc::new(reverse);
        Ok(ValueScan {
            meta,
            caches: pool(&reverse),
            reverse,
        })
    }

    /// True when pattern `pattern` has a capture group named `name`.
    pub(super) fn has_group(&self, pattern: usize, name: &str) -> bool {
        regex_automata::PatternID::new(pattern)
            .is_ok_and(|id| self.meta.group_info().to_index(id, name).is_some())
    }

    /// A cache for [`ValueScan::search_with`].
    pub(super) fn create_cache(&self) -> ScanCache {
        ScanCache {
            meta: self.meta.create_cache(),
            reverse: self.reverse.create_cache(),
        }
    }

    /// The first match in `input`, as the meta regex's `search` finds it.
    pub(super) fn search(&self, input: &Input<'_>) -> Option<Match> {
        let end = self.meta.search_half(input)?;
        let mut cache: PoolGuard<'_, ReverseCache, MakeCache> = self.caches.get();
        match self.start(&mut cache, input, end) {
            Some(start) => Some(Match::new(end.pattern(), start..end.offset())),
            None => self.meta.search(input),
        }
    }

    /// [`ValueScan::search`] with the caller's cache.
    pub(super) fn search_with(&self, cache: &mut ScanCache, input: &Input<'_>) -> Option<Match> {
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
    /// on past ASCII), with and without the caller's cache.
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
        let scan = ValueScan::new(&patterns, config.clone()).expect("compiles");
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
            assert_eq!(all(|input| scan.search(input), text), expected, "{text:?}");
            let with_cache = all(|input| scan.search_with(&mut cache, input), text);
            assert_eq!(with_cache, expected, "{text:?}");
        }
        assert!(scan.has_group(1, "v"));
        assert!(!scan.has_group(0, "v"));
    }
}
