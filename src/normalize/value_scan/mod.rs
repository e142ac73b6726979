//! The value scan: every value rule's pattern (then the kept placeholder) searched at once,
//! leftmost-first in rule order, as one multi-pattern regex would.
//!
//! The patterns are searched in groups: the built-in rules' groups are DFAs `build.rs`
//! determinized (`prebuilt`), and the patterns no embedded group holds (a rules file's, or the
//! built-in ones it replaced) make one group compiled in the run (`runtime`). The scan's match
//! is the groups' match that starts first, the lowest pattern among those starting there: a
//! leftmost-first search of all patterns at once finds the leftmost start at which any pattern
//! matches, and there the first pattern in order that matches, with that pattern's own match.
//! A group's match is kept while the scan moves on through the same string, until the scan
//! passes its start. A group is not searched where less is left of the string than its
//! patterns' shortest match (`build.rs` groups the patterns with long shortest matches
//! together, so that most values, being short, skip those groups).

mod runtime;

use super::prebuilt::{self, Unused, ValueGroup};
use crate::error::BoxedSource;
use regex_automata::dfa::Automaton;
use regex_automata::meta;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input};
use runtime::{RuntimeCache, RuntimeGroup};

/// One match of the scan: the pattern (its index in the scan) and the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ScanMatch {
    pub(super) pattern: usize,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Makes a cache for a thread that has none.
type MakeCache = Box<dyn Fn() -> ScanCache + Send + Sync>;

/// The value patterns (pattern `i` is the scan's `i`th), searched leftmost-first.
#[derive(Debug)]
pub(super) struct ValueScan {
    /// The embedded groups that hold only the scan's patterns, and each one's pattern indices.
    prebuilt: Vec<(ValueGroup, Vec<usize>)>,
    /// The other patterns, compiled, and their indices.
    runtime: Option<(RuntimeGroup, Vec<usize>)>,
    /// One cache per thread searching without its own.
    caches: Pool<ScanCache, MakeCache>,
}

/// What one thread's searches write to: each group's match ahead, and the compiled group's
/// automata caches.
#[derive(Debug, Clone)]
pub(super) struct ScanCache {
    runtime: Option<RuntimeCache>,
    ahead: Vec<Ahead>,
}

/// A group's next match in the string being scanned.
#[derive(Debug, Clone, Copy)]
enum Ahead {
    /// Not searched from where the scan is.
    Unknown,
    /// Its first match from where it was last searched.
    Found(ScanMatch),
    /// No match in the rest of the string.
    None,
}

fn new_cache(runtime: Option<&RuntimeGroup>) -> ScanCache {
    ScanCache {
        runtime: runtime.map(RuntimeGroup::create_cache),
        ahead: Vec::new(),
    }
}

fn pool(runtime: Option<&RuntimeGroup>) -> Pool<ScanCache, MakeCache> {
    let runtime = runtime.cloned();
    Pool::new(Box::new(move || new_cache(runtime.as_ref())))
}

impl Clone for ValueScan {
    fn clone(&self) -> ValueScan {
        ValueScan {
            prebuilt: self.prebuilt.clone(),
            runtime: self.runtime.clone(),
            caches: pool(self.runtime.as_ref().map(|(g, _)| g)),
        }
    }
}

impl ValueScan {
    /// The scan of `patterns`: the embedded groups holding only some of them, the rest
    /// compiled with `config` (leftmost-first; the reverse DFA gets its NFA size limit and
    /// cache capacity).
    pub(super) fn new(patterns: &[String], config: meta::Config) -> Result<ValueScan, BoxedSource> {
        let mut unused = Unused::new(patterns);
        let mut prebuilt = Vec::new();
        for group in prebuilt::value_groups() {
            if let Some(ids) = unused.take_all(&group.sources) {
                prebuilt.push((group, ids));
            }
        }
        let rest = unused.rest();
        let runtime = if rest.is_empty() {
            None
        } else {
            let sources: Vec<&str> = rest.iter().map(|&i| patterns[i].as_str()).collect();
            Some((RuntimeGroup::new(&sources, config)?, rest))
        };
        Ok(ValueScan {
            caches: pool(runtime.as_ref().map(|(g, _)| g)),
            prebuilt,
            runtime,
        })
    }

    /// How many groups the patterns are searched in.
    fn groups(&self) -> usize {
        self.prebuilt.len() + usize::from(self.runtime.is_some())
    }

    /// True when pattern `pattern` has a capture group named `name`.
    pub(super) fn has_group(&self, pattern: usize, name: &str) -> bool {
        let prebuilt = self.prebuilt.iter().find_map(|(group, ids)| {
            let at = ids.iter().position(|&id| id == pattern)?;
            Some(group.names.get(at)?.contains(&name))
        });
        prebuilt.unwrap_or_else(|| {
            self.runtime.as_ref().is_some_and(|(group, ids)| {
                ids.iter()
                    .position(|&id| id == pattern)
                    .is_some_and(|at| group.has_group(at, name))
            })
        })
    }

    /// A cache for [`ValueScan::find_each`].
    pub(super) fn create_cache(&self) -> ScanCache {
        new_cache(self.runtime.as_ref().map(|(group, _)| group))
    }

    /// Calls `each` with every match in `haystack`, in order: from the start, each search
    /// starting where the last match ended (one byte further after an empty match). Uses
    /// `cache`, or one of the scan's own.
    pub(super) fn find_each(
        &self,
        haystack: &str,
        cache: Option<&mut ScanCache>,
        each: impl FnMut(ScanMatch),
    ) {
        match cache {
            Some(cache) => self.find_each_with(haystack, cache, each),
            None => self.find_each_with(haystack, &mut self.caches.get(), each),
        }
    }

    fn find_each_with(
        &self,
        haystack: &str,
        cache: &mut ScanCache,
        mut each: impl FnMut(ScanMatch),
    ) {
        let groups = self.groups();
        cache.ahead.clear();
        cache.ahead.resize(groups, Ahead::Unknown);
        let mut at = 0;
        loop {
            let input = Input::new(haystack).span(at..haystack.len());
            let mut first: Option<ScanMatch> = None;
            for group in 0..groups {
                let ahead = match cache.ahead[group] {
                    Ahead::Found(m) if m.start >= at => Some(m),
                    Ahead::None => None,
                    Ahead::Found(_) | Ahead::Unknown => {
                        let found = self.search(group, cache.runtime.as_mut(), &input);
                        cache.ahead[group] = found.map_or(Ahead::None, Ahead::Found);
                        found
                    }
                };
                if let Some(m) = ahead {
                    if first.is_none_or(|f| (m.start, m.pattern) < (f.start, f.pattern)) {
                        first = Some(m);
                    }
                }
            }
            let Some(m) = first else {
                return;
            };
            each(m);
            let next = if m.start == m.end { m.end + 1 } else { m.end };
            if next > haystack.len() {
                return;
            }
            at = next;
        }
    }

    /// Group `group`'s first match in `input`.
    fn search(
        &self,
        group: usize,
        runtime: Option<&mut RuntimeCache>,
        input: &Input<'_>,
    ) -> Option<ScanMatch> {
        match self.prebuilt.get(group) {
            Some((group, ids)) => {
                if input.get_span().len() < group.shortest {
                    return None;
                }
                let end = group.forward.try_search_fwd(input).ok()??;
                let local = end.pattern();
                let reverse = input
                    .clone()
                    .span(input.start()..end.offset())
                    .anchored(Anchored::Pattern(local));
                // Pattern `local` matches somewhere in the span ending here (the forward
                // match), so its anchored reverse search finds where: none of the embedded
                // patterns matches empty.
                let start = match group.reverse.try_search_rev(&reverse) {
                    Ok(Some(start)) => start.offset(),
                    _ => input.start(),
                };
                Some(ScanMatch {
                    pattern: *ids.get(local.as_usize())?,
                    start,
                    end: end.offset(),
                })
            }
            None => {
                let (group, ids) = self.runtime.as_ref()?;
                let m = group.search(runtime?, input)?;
                Some(ScanMatch {
                    pattern: *ids.get(m.pattern().as_usize())?,
                    start: m.start(),
                    end: m.end(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tests::{builtin_value_patterns as builtin_patterns, texts};

    /// Every match in `text` of `regex`, one meta regex of all the patterns.
    fn reference(regex: &meta::Regex, text: &str) -> Vec<ScanMatch> {
        let mut out = Vec::new();
        let mut input = Input::new(text);
        while let Some(m) = regex.search(&input) {
            out.push(ScanMatch {
                pattern: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            });
            let next = if m.is_empty() { m.end() + 1 } else { m.end() };
            if next > text.len() {
                break;
            }
            input.set_start(next);
        }
        out
    }

    fn found(scan: &ValueScan, text: &str, cache: Option<&mut ScanCache>) -> Vec<ScanMatch> {
        let mut out = Vec::new();
        scan.find_each(text, cache, |m| out.push(m));
        out
    }

    /// The grouped scan finds what one regex of all the patterns finds, with the built-in
    /// patterns all embedded, with a rules file's pattern first (one group compiled in the run),
    /// with a built-in pattern replaced (its embedded group compiled instead) and with a
    /// pattern twice (the second compiled); from the scan's own caches and from the caller's.
    #[test]
    fn finds_what_one_regex_of_all_patterns_finds() {
        let builtin = builtin_patterns();
        let mut added = builtin.clone();
        added.insert(0, r"[0-9a-f]{4}-(?P<v>[0-9a-f]{4})".to_string());
        let mut replaced = builtin.clone();
        replaced[1] = r"(?i)bearer|image".to_string();
        let mut twice = builtin.clone();
        twice.insert(3, builtin[builtin.len() - 2].clone());
        let texts = texts();
        for (name, patterns, runtime) in [
            ("built-in", &builtin, false),
            ("added", &added, true),
            ("replaced", &replaced, true),
            ("twice", &twice, true),
        ] {
            let scan = ValueScan::new(patterns, meta::Config::new()).expect("the scan builds");
            assert_eq!(scan.runtime.is_some(), runtime, "{name}");
            assert!(
                !scan.prebuilt.is_empty(),
                "{name}: embedded groups are used"
            );
            let regex = meta::Regex::new_many(patterns).expect("the patterns compile");
            let mut cache = scan.create_cache();
            for text in &texts {
                let expected = reference(&regex, text);
                assert_eq!(found(&scan, text, None), expected, "{name}: {text:?}");
                assert_eq!(found(&scan, text, Some(&mut cache)), expected, "{name}");
            }
        }
    }

    /// A pattern's capture group names come with it, embedded or compiled.
    #[test]
    fn knows_each_patterns_groups() {
        let mut patterns = builtin_patterns();
        patterns.insert(0, "a(?P<v>b)".to_string());
        let scan = ValueScan::new(&patterns, meta::Config::new()).expect("the scan builds");
        let with_v: Vec<usize> = (0..patterns.len())
            .filter(|&i| scan.has_group(i, "v"))
            .collect();
        let expected: Vec<usize> = (0..patterns.len())
            .filter(|&i| patterns[i].contains("(?P<v>"))
            .collect();
        assert_eq!(with_v, expected);
        assert!(expected.len() > 2);
    }
}
