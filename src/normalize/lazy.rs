//! Regexes compiled on first use.

use crate::error::BoxedSource;
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};
use std::ops::Range;
use std::sync::OnceLock;

/// A rule's own regex, compiled when first matched: the built-in rules are many and one
/// capture exercises few of them, so compiling them all up front was most of a small
/// comparison's run time. Clones made after the first use share the compiled regex.
#[derive(Debug, Clone)]
pub(super) struct LazyRegex {
    source: String,
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
    /// one is reported when they load), else on first use (the built-in rules, every one of
    /// which `builtin_rules_load_and_compile` compiles in the tests).
    pub(super) fn new(source: String, eager: bool) -> Result<LazyRegex, BoxedSource> {
        let regex = OnceLock::new();
        if eager {
            // A fresh cell: setting it cannot fail.
            let _ = regex.set(build(&source)?);
        }
        Ok(LazyRegex { source, regex })
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
        self.get().is_match(text)
    }

    /// The first match in `text` starting at or after byte `start` (exactly at it when
    /// `anchored`): `Some` with the span of its group `v` (`None` when the regex has no such
    /// group or it took no part), `None` without a match.
    pub(super) fn v_at(
        &self,
        text: &str,
        start: usize,
        anchored: bool,
    ) -> Option<Option<Range<usize>>> {
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
