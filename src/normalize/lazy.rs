//! Regexes compiled on first use, or answered by automata embedded at build time.

use super::prebuilt::OwnRegex;
use crate::error::BoxedSource;
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};
use std::ops::Range;
use std::sync::OnceLock;

/// A rule's own regex, compiled when first matched: the built-in rules are many and one
/// capture exercises few of them, so compiling them all up front was most of a small
/// comparison's run time. A built-in rule's regex is answered by the automata `build.rs`
/// embedded for it ([`OwnRegex`]) where they can answer, and compiled only where they cannot.
/// Clones made after the first use share the compiled regex.
#[derive(Debug, Clone)]
pub(super) struct LazyRegex {
    source: String,
    own: Option<OwnRegex>,
    regex: OnceLock<Regex>,
}

/// How a rule's regex is built: as `regex::Regex` builds it (same syntax and matching), but
/// without a full DFA or a literal prefilter. Rule regexes are matched against short strings
/// (names, keys, paths, a match of the value scan), where building those cost more than they
/// save: a full DFA of one rule with a Unicode class was a tenth of a small comparison.
/// A regex that does not compile is reported as `regex` words it, as rules files' are.
fn build(source: &str) -> Result<Regex, BoxedSource> {
    meta::Builder::new()
        .configure(meta::Config::new().dfa(false).auto_prefilter(false))
        .build(source)
        .map_err(|error| match regex::Regex::new(source) {
            Err(worded) => worded.into(),
            Ok(_) => error.into(),
        })
}

impl LazyRegex {
    /// A regex for `source`, compiled now when `eager` (rules read from files, so that a bad
    /// one is reported when they load), else answered by its embedded automata or compiled on
    /// first use (the built-in rules, every one of which `builtin_rules_load_and_compile`
    /// compiles in the tests).
    pub(super) fn new(source: String, eager: bool) -> Result<LazyRegex, BoxedSource> {
        if !eager {
            return Ok(LazyRegex::lazy(source));
        }
        let regex = OnceLock::new();
        // A fresh cell: setting it cannot fail.
        let _ = regex.set(build(&source)?);
        Ok(LazyRegex {
            source,
            own: None,
            regex,
        })
    }

    /// A regex for `source` (a built-in rule's), answered by its embedded automata or
    /// compiled on first use.
    pub(super) fn lazy(source: String) -> LazyRegex {
        LazyRegex {
            own: OwnRegex::lookup(&source),
            source,
            regex: OnceLock::new(),
        }
    }

    /// The compiled regex.
    fn get(&self) -> &Regex {
        self.regex.get_or_init(|| {
            #[allow(clippy::expect_used)] // every built-in rule's regex is compiled by a test
            build(&self.source)
                .expect("a lazily compiled regex is a built-in rule's, checked by the tests")
        })
    }

    /// True when the regex matches somewhere in `text`.
    pub(super) fn is_match(&self, text: &str) -> bool {
        match self.own.as_ref().and_then(|own| own.is_match(text)) {
            Some(answer) => answer,
            None => self.get().is_match(text),
        }
    }

    /// The first match in `text`: `Some` with the span of its group `v` (`None` when the
    /// regex has no such group or it took no part), `None` without a match.
    pub(super) fn first_v(&self, text: &str) -> Option<Option<Range<usize>>> {
        if let Some(own) = &self.own {
            match own.find(text) {
                Some(None) => return None,
                Some(Some(m)) => {
                    if let Some(v) = own.v_in(text, m) {
                        return Some(v);
                    }
                }
                None => {}
            }
        }
        self.captured_v(text, 0, false)
    }

    /// The span of the group `v` in the regex's match `m` of `text` (a match a search of the
    /// regex with others found: the regex's own match where `m` starts), `None` when the regex
    /// has no such group or it took no part.
    pub(super) fn v_in(&self, text: &str, m: Range<usize>) -> Option<Range<usize>> {
        match self.own.as_ref().and_then(|own| own.v_in(text, m.clone())) {
            Some(v) => v,
            None => self.captured_v(text, m.start, true).flatten(),
        }
    }

    /// The first match in `text` starting at or after byte `start` (exactly at it when
    /// `anchored`) and its group `v`, as [`LazyRegex::first_v`] says, by the compiled regex's
    /// capture engine.
    fn captured_v(&self, text: &str, start: usize, anchored: bool) -> Option<Option<Range<usize>>> {
        let regex = self.get();
        let mut captures: Captures = regex.create_captures();
        let input = Input::new(text)
            .span(start..text.len())
            .anchored(if anchored {
                Anchored::Yes
            } else {
                Anchored::No
            });
        regex.search_captures(&input, &mut captures);
        captures
            .is_match()
            .then(|| captures.get_group_by_name("v").map(|span| span.range()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::prebuilt::call_regex::whole;
    use crate::normalize::rules::{Matcher, RuleSet};
    use crate::normalize::tests::texts;
    use regex_automata::PatternID;
    use std::collections::BTreeSet;

    /// The own regexes of the enabled built-in rules, as the rule set builds them: a value
    /// rule's when it has a group `v`, a key or segment rule's, each call matcher's.
    fn builtin_own_sources() -> BTreeSet<String> {
        let mut sources = BTreeSet::new();
        for rule in RuleSet::builtin().rules().iter().filter(|r| r.enabled) {
            match &rule.matcher {
                Matcher::Value(source) => {
                    let regex = build(source).expect("a built-in regex compiles");
                    if regex.group_info().to_index(PatternID::ZERO, "v").is_some() {
                        sources.insert(source.clone());
                    }
                }
                Matcher::Key(source) | Matcher::Segment(source) => {
                    sources.insert(source.clone());
                }
                Matcher::Call(call) => {
                    let fields = [
                        &call.caller,
                        &call.callee,
                        &call.method,
                        &call.path,
                        &call.finding,
                    ];
                    sources.extend(fields.into_iter().flatten().map(|s| whole(s)));
                }
                _ => {}
            }
        }
        sources
    }

    /// Every own regex of the built-in rules has embedded automata, and they answer as the
    /// compiled regex does: whether it matches (a regex asked for whole) and the group `v` in
    /// each of its matches, on every line (a value rule's regex) or word (the others) of the
    /// fixtures and seeds and on texts whose matches split around the group more than one way
    /// (those are left to the capture engine); and the first match in every word and its group.
    #[test]
    fn embedded_automata_answer_as_the_compiled_regex() {
        let texts = texts();
        let words: BTreeSet<&str> = texts
            .iter()
            .flat_map(|t| t.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')))
            .filter(|w| !w.is_empty())
            .collect();
        let sources = builtin_own_sources();
        assert!(sources.len() > 20, "{} own regexes", sources.len());
        let (mut answered, mut left) = (0, 0);
        for source in &sources {
            let lazy = LazyRegex::new(source.clone(), false).expect("a built-in regex");
            let Some(own) = &lazy.own else {
                panic!("{source}: no embedded automata");
            };
            let regex = build(source).expect("a built-in regex compiles");
            // A regex matching a whole text (`^…$`: keys, segments, names) against words, a
            // value rule's against lines.
            let whole = source.starts_with('^') || source.starts_with("(?i)^");
            let checked: Vec<&str> = match whole {
                true => words.iter().copied().collect(),
                false => texts.iter().map(String::as_str).collect(),
            };
            for text in checked {
                if whole {
                    // A value rule's regex is asked only for its group (the value scan finds
                    // its matches): its whole automata are not embedded.
                    let answer = own.is_match(text);
                    assert_eq!(answer, Some(regex.is_match(text)), "{source} {text:?}");
                }
                for m in regex.find_iter(text) {
                    let captured = lazy.captured_v(text, m.start(), true);
                    assert_eq!(lazy.v_in(text, m.range()), captured.flatten(), "{source}");
                    match own.v_in(text, m.range()) {
                        Some(_) => answered += 1,
                        None => left += 1,
                    }
                }
            }
        }
        // The first match and its group, as keys and segments are asked about.
        for source in &sources {
            let lazy = LazyRegex::new(source.clone(), false).expect("a built-in regex");
            for &word in &words {
                let captured = lazy.captured_v(word, 0, false);
                assert_eq!(lazy.first_v(word), captured, "{source} {word:?}");
            }
        }
        assert!(answered > 1000, "{answered} groups found by the automata");
        assert!(
            left > 0,
            "no ambiguous split was left to the capture engine"
        );
    }
}
