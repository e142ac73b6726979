//! Regexes compiled on first use.

use regex::Regex;
use std::sync::OnceLock;

/// A rule's own regex, compiled when first matched: the built-in rules are many and one
/// capture exercises few of them, so compiling them all up front was most of a small
/// comparison's run time. Clones made after the first use share the compiled regex.
#[derive(Debug, Clone)]
pub(super) struct LazyRegex {
    source: String,
    regex: OnceLock<Regex>,
}

impl LazyRegex {
    /// A regex for `source`, compiled now when `eager` (rules read from files, so that a bad
    /// one is reported when they load), else on first use (the built-in rules, every one of
    /// which `builtin_rules_load_and_compile` compiles in the tests).
    pub(super) fn new(source: String, eager: bool) -> Result<LazyRegex, regex::Error> {
        let regex = OnceLock::new();
        if eager {
            // A fresh cell: setting it cannot fail.
            let _ = regex.set(Regex::new(&source)?);
        }
        Ok(LazyRegex { source, regex })
    }

    /// The compiled regex.
    pub(super) fn get(&self) -> &Regex {
        self.regex.get_or_init(|| {
            Regex::new(&self.source)
                .expect("a lazily compiled regex is a built-in rule's, checked by the tests")
        })
    }
}
