//! Header and query-string comparison of one aligned pair.
//!
//! Header names compare case-insensitively (reported lower case); repeated headers are joined.
//! Query strings compare as sets of `(name, value)` pairs, so parameter order never matters.

use super::without_placeholders;
use crate::trace::Headers;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;

/// How a header or query parameter differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Only in the new message.
    Added,
    /// Only in the old message.
    Removed,
    /// In both, with different values.
    Changed,
}

/// One header (or query parameter) difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Added, removed or changed.
    pub change: Change,
    /// Lower-cased header name, or the query parameter name.
    pub name: String,
    /// The old value.
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
}

/// `(lower-case name, joined values)` in order of first appearance, skipping ignored names;
/// an index by name keeps this linear in the number of headers. Names already lower case and
/// values that are not joined are borrowed, not copied.
fn collect<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
    ignored: &dyn Fn(&str) -> bool,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    let kept: Vec<(Cow<'a, str>, &'a str)> = pairs
        .filter(|(name, _)| !ignored(name))
        .map(|(name, value)| {
            let name = match name.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(name.to_ascii_lowercase()),
                false => Cow::Borrowed(name),
            };
            (name, value)
        })
        .collect();
    // Each name's first place in `kept`, and its values joined.
    let mut firsts: Vec<(usize, Cow<'a, str>)> = Vec::with_capacity(kept.len());
    let mut at: HashMap<&str, usize> = HashMap::default();
    at.reserve(kept.len());
    for (place, (name, value)) in kept.iter().enumerate() {
        match at.get(name.as_ref()) {
            Some(&i) => {
                if let Some((_, joined)) = firsts.get_mut(i) {
                    let joined = joined.to_mut();
                    joined.push_str(", ");
                    joined.push_str(value);
                }
            }
            None => {
                at.insert(name, firsts.len());
                firsts.push((place, Cow::Borrowed(*value)));
            }
        }
    }
    drop(at);
    let mut names: Vec<Option<Cow<'a, str>>> = kept.into_iter().map(|(n, _)| Some(n)).collect();
    firsts
        .into_iter()
        .filter_map(|(place, value)| Some((names.get_mut(place)?.take()?, value)))
        .collect()
}

/// The differences of two collected lists: removed and changed in the old list's order, then
/// added in the new list's (each list indexed by name, so linear in their lengths).
fn differences(
    old: &[(Cow<'_, str>, Cow<'_, str>)],
    new: &[(Cow<'_, str>, Cow<'_, str>)],
) -> Vec<Difference> {
    let new_values: HashMap<&str, &str> =
        new.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).collect();
    let mut out = Vec::new();
    for (name, value) in old {
        match new_values.get(name.as_ref()) {
            None => out.push(Difference {
                change: Change::Removed,
                name: name.to_string(),
                old: Some(value.to_string()),
                new: None,
            }),
            // Equal texts first: most values are, and rewriting both would copy them.
            Some(&other)
                if other != value && without_placeholders(other) != without_placeholders(value) =>
            {
                out.push(Difference {
                    change: Change::Changed,
                    name: name.to_string(),
                    old: Some(value.to_string()),
                    new: Some(other.to_string()),
                })
            }
            Some(_) => {}
        }
    }
    let old_names: HashSet<&str> = old.iter().map(|(n, _)| n.as_ref()).collect();
    for (name, value) in new {
        if !old_names.contains(name.as_ref()) {
            out.push(Difference {
                change: Change::Added,
                name: name.to_string(),
                old: None,
                new: Some(value.to_string()),
            });
        }
    }
    out
}

/// Differences between two header lists, leaving out the names `ignored` says to skip.
pub fn compare_headers(
    old: &Headers,
    new: &Headers,
    ignored: &dyn Fn(&str) -> bool,
) -> Vec<Difference> {
    // The same lines in the same order (most headers of a re-capture, once normalized) differ
    // in nothing.
    if old == new {
        return Vec::new();
    }
    differences(&collect(old.iter(), ignored), &collect(new.iter(), ignored))
}

/// The `(name, value)` pairs of a query string (without `?`), in order; a parameter without
/// `=` has an empty value.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// Differences between two query strings (without `?`), compared as sets of pairs.
pub fn compare_query(old: &str, new: &str) -> Vec<Difference> {
    let parse = |query| {
        let mut pairs: Vec<(&str, &str)> = query_pairs(query).collect();
        pairs.sort_unstable();
        pairs.dedup();
        collect(pairs.into_iter(), &|_| false)
    };
    differences(&parse(old), &parse(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        pairs.iter().copied().collect()
    }

    #[test]
    fn names_compare_case_insensitively_and_ignored_ones_are_skipped() {
        let old = headers(&[
            ("Content-Type", "application/json"),
            ("Date", "x"),
            ("X-A", "1"),
        ]);
        let new = headers(&[
            ("content-type", "application/json"),
            ("Date", "y"),
            ("x-b", "2"),
        ]);
        let diffs = compare_headers(&old, &new, &|n| n.eq_ignore_ascii_case("date"));
        assert_eq!(diffs.len(), 2);
        assert_eq!(
            (diffs[0].change, diffs[0].name.as_str()),
            (Change::Removed, "x-a")
        );
        assert_eq!(
            (diffs[1].change, diffs[1].name.as_str()),
            (Change::Added, "x-b")
        );
    }

    #[test]
    fn changed_values_are_reported_once() {
        let old = headers(&[("User-Agent", "osc/6.0")]);
        let new = headers(&[("user-agent", "osc/6.1")]);
        let diffs = compare_headers(&old, &new, &|_| false);
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].change, Change::Changed);
        assert_eq!(diffs[0].new.as_deref(), Some("osc/6.1"));
    }

    /// A repeated header is one, its values joined in order whatever each name's case.
    #[test]
    fn repeated_headers_are_joined_in_order() {
        let old = headers(&[("Vary", "a"), ("x-b", "1"), ("vary", "b")]);
        let same = headers(&[("x-b", "1"), ("VARY", "a, b")]);
        assert!(compare_headers(&old, &same, &|_| false).is_empty());
        let swapped = headers(&[("vary", "b"), ("Vary", "a"), ("x-b", "1")]);
        let diffs = compare_headers(&old, &swapped, &|_| false);
        assert_eq!(diffs.len(), 1);
        assert_eq!(
            (
                diffs[0].name.as_str(),
                diffs[0].old.as_deref(),
                diffs[0].new.as_deref()
            ),
            ("vary", Some("a, b"), Some("b, a"))
        );
    }

    #[test]
    fn query_order_does_not_matter() {
        assert!(compare_query("a=1&b=2", "b=2&a=1").is_empty());
        let diffs = compare_query("a=1&b=2", "a=3");
        assert_eq!(diffs.len(), 2);
        assert_eq!(diffs[0].change, Change::Changed);
        assert_eq!(diffs[1].change, Change::Removed);
    }
}
