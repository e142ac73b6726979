//! The key rules' regexes as a set: which is the first that matches a JSON key or query
//! parameter name. The built-in ones are the embedded key set DFA's (`prebuilt`); the others
//! (a rules file's) are compiled in the run.

use super::prebuilt::{self, Embedded, Unused};
use crate::error::BoxedSource;
use regex_automata::dfa::Automaton;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{Input, MatchKind, PatternSet};

/// The key patterns (pattern `i` is the set's `i`th).
#[derive(Debug, Clone)]
pub(super) struct KeySet {
    /// The embedded DFA, and the set's index of each of its patterns (`None`: not the set's).
    prebuilt: Option<(Embedded, Vec<Option<usize>>)>,
    /// The patterns it does not hold, compiled, and their indices.
    runtime: Option<(meta::Regex, Vec<usize>)>,
}

impl KeySet {
    /// The set of `patterns`, compiled with `config` where the embedded DFA has not got them.
    pub(super) fn new(patterns: &[String], config: meta::Config) -> Result<KeySet, BoxedSource> {
        let mut unused = Unused::new(patterns);
        let prebuilt = prebuilt::key_set().map(|(sources, dfa)| {
            let ids = sources.iter().map(|source| unused.take(source)).collect();
            (dfa, ids)
        });
        let rest = unused.rest();
        let runtime = if rest.is_empty() {
            None
        } else {
            // What `regex::RegexSet` builds: every pattern that matches, no captures.
            let config = config
                .match_kind(MatchKind::All)
                .which_captures(WhichCaptures::None);
            let sources: Vec<&str> = rest.iter().map(|&i| patterns[i].as_str()).collect();
            let regex = meta::Regex::builder()
                .configure(config)
                .build_many(&sources)?;
            Some((regex, rest))
        };
        Ok(KeySet { prebuilt, runtime })
    }

    /// The lowest index of the patterns matching `key`.
    pub(super) fn first_match(&self, key: &str) -> Option<usize> {
        let input = Input::new(key);
        let prebuilt = self.prebuilt.as_ref().and_then(|(dfa, ids)| {
            let mut matching = PatternSet::new(dfa.pattern_len());
            dfa.try_which_overlapping_matches(&input, &mut matching)
                .ok()?;
            matching
                .iter()
                .filter_map(|pattern| *ids.get(pattern.as_usize())?)
                .min()
        });
        let runtime = self.runtime.as_ref().and_then(|(regex, ids)| {
            let mut matching = PatternSet::new(regex.pattern_len());
            regex.which_overlapping_matches(&input, &mut matching);
            let first = matching.iter().next()?;
            ids.get(first.as_usize()).copied()
        });
        match (prebuilt, runtime) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::rules::Matcher;
    use crate::normalize::tests::builtin_sources;

    /// The lowest pattern of `regex` (a set of all the patterns) matching `key`.
    fn reference(regex: &meta::Regex, key: &str) -> Option<usize> {
        let mut matching = PatternSet::new(regex.pattern_len());
        regex.which_overlapping_matches(&Input::new(key), &mut matching);
        matching.iter().next().map(|p| p.as_usize())
    }

    /// The set answers as one regex set of all its patterns does, for the built-in key
    /// patterns (all embedded), with a rules file's pattern first, and with a built-in one
    /// replaced; on every word of the fixtures and keys made to match several rules.
    #[test]
    fn finds_the_first_matching_pattern() {
        let builtin = builtin_sources(|matcher| match matcher {
            Matcher::Key(source) => Some(source),
            _ => None,
        });
        let mut added = builtin.clone();
        added.insert(0, "^(?:image|server)_id$".to_string());
        let mut replaced = builtin.clone();
        replaced[0] = "(?i)^pass".to_string();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut keys: Vec<String> = Vec::new();
        for name in [
            "server-create.hook.md",
            "image-create.doc.md",
            "tempest.oslo-layout.log",
        ] {
            let text =
                std::fs::read_to_string(root.join("tests/fixtures").join(name)).expect("a fixture");
            keys.extend(
                text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .filter(|word| !word.is_empty())
                    .map(str::to_string),
            );
        }
        keys.extend(
            [
                "password",
                "old_password",
                "X-Pass",
                "myPass",
                "passcode",
                "api_key",
                "ApiKey",
                "mySecret",
                "secret",
                "token",
                "auth_token",
                "user_id",
                "id",
                "audit_ids",
                "checksum",
                "os_hash_value",
                "password_id",
                "token_id",
                "",
            ]
            .map(String::from),
        );
        assert!(keys.len() > 1000);
        for (name, patterns) in [
            ("built-in", &builtin),
            ("added", &added),
            ("replaced", &replaced),
        ] {
            let set = KeySet::new(patterns, meta::Config::new()).expect("the set builds");
            assert!(set.prebuilt.is_some(), "{name}: the embedded set is used");
            assert_eq!(set.runtime.is_some(), name != "built-in", "{name}");
            let regex = meta::Regex::builder()
                .configure(meta::Config::new().match_kind(MatchKind::All))
                .build_many(patterns)
                .expect("the patterns compile");
            for key in &keys {
                assert_eq!(
                    set.first_match(key),
                    reference(&regex, key),
                    "{name}: {key:?}"
                );
            }
        }
    }
}
