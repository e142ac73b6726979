//! Relations between steps: what placeholder names carry once identity no longer looks at them.
//!
//! A placeholder stands for one value throughout a trace, so its uses tie steps together: the
//! id returned at step 3 is the one used at steps 5 and 9. Two captures may name a value
//! differently (`{image_id}` against an author's `{image_uuid}`, `{member_id}` where the call
//! that taught `{project_id}` is missing): a consistent renaming is no change. A relation changed
//! when one old value now appears as several new ones, or several old values as one: each such
//! group is one `relation_changed` finding.
//!
//! Uses are collected on aligned pairs (not plumbing) from path segments, query values, and
//! JSON bodies walked through objects (not arrays, whose order or membership may differ).

use super::align::{How, Pair};
use super::sides::Sides;
use super::{Finding, Kind, Part};
use crate::intern::Interner;
use crate::trace::{next_placeholder, Body, Exchange, Json, Trace};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicUsize;

/// The name pairs found: each old placeholder name with a new one found in its place.
pub(super) type Found<'s> = FxHashSet<Names<'s>>;

/// Each name pair of the groups found wanting, and the pairs (new exchange, old exchange)
/// where it was (in the order they were met, a pair at most once in a row).
type Uses<'s> = FxHashMap<Names<'s>, Vec<(usize, usize)>>;

/// An old placeholder name and the new one found in its place.
type Names<'s> = (&'s str, &'s str);

/// Aligned pairs taken at a time by a thread gathering name pairs.
const CHUNK: usize = 64;

/// One `relation_changed` finding per group of placeholders whose correspondence is not
/// one-to-one between the aligned pairs.
pub(super) fn compare(s: &Sides, pairs: &[Pair]) -> Vec<Finding> {
    findings(s, pairs, &gather(s.old, s.new, pairs, &AtomicUsize::new(0)))
}

/// The name pairs in the aligned pairs of `old` and `new`, taken a chunk at a time from `next`
/// (which the threads gathering them share) until every pair was taken. Only the name pairs:
/// where each was used is looked for again in the rare groups found wanting.
pub(super) fn gather<'a>(
    old: &'a Trace,
    new: &'a Trace,
    pairs: &[Pair],
    next: &AtomicUsize,
) -> Found<'a> {
    let mut found = Found::default();
    for range in crate::cores::claimed(pairs.len(), CHUNK, next) {
        each_use(old, new, &pairs[range], &mut |names, _| {
            found.insert(names);
        });
    }
    found
}

/// The name pairs two threads gathered, together.
pub(super) fn merge<'a>(one: Found<'a>, other: Found<'a>) -> Found<'a> {
    let (mut into, from) = if one.len() >= other.len() {
        (one, other)
    } else {
        (other, one)
    };
    into.extend(from);
    into
}

/// One `relation_changed` finding per group of placeholders whose correspondence is not
/// one-to-one among the name pairs `found` in the aligned `pairs`.
pub(super) fn findings(s: &Sides, pairs: &[Pair], found: &Found<'_>) -> Vec<Finding> {
    let groups = groups(found);
    if groups.is_empty() {
        return Vec::new();
    }
    let wanting: Found<'_> = groups.iter().flatten().copied().collect();
    let mut uses = Uses::default();
    each_use(s.old, s.new, pairs, &mut |names, at| {
        if wanting.contains(&names) {
            // A pair repeats a name pair many times (an id in every link): kept once.
            let seen = uses.entry(names).or_default();
            if seen.last() != Some(&at) {
                seen.push(at);
            }
        }
    });
    groups
        .into_iter()
        .map(|group| finding(s, &uses, &group))
        .collect()
}

/// Calls `use_of(names, (new exchange, old exchange))` for every name pair in `pairs` (not
/// cache-dependent ones), in order.
fn each_use<'a>(
    old: &'a Trace,
    new: &'a Trace,
    pairs: &[Pair],
    use_of: &mut dyn FnMut(Names<'a>, (usize, usize)),
) {
    for pair in pairs.iter().filter(|p| p.how != How::CacheDependent) {
        let (Some(o), Some(n)) = (old.exchanges.get(pair.old), new.exchanges.get(pair.new)) else {
            continue;
        };
        let at = (pair.new, pair.old);
        uses_in_pair(o, n, &mut |o, n| use_of((o, n), at));
    }
}

/// Calls `add(old, new)` for every placeholder of `old` found where `new` has one.
fn uses_in_pair<'t>(old: &'t Exchange, new: &'t Exchange, add: &mut dyn FnMut(&'t str, &'t str)) {
    // Segments from the end: the mount prefix may differ, the rest of the shape does not.
    for (a, b) in old.path.rsplit('/').zip(new.path.rsplit('/')) {
        zip_placeholders(a, b, add);
    }
    if let (Some(a), Some(b)) = (&old.query, &new.query) {
        let params = |q| -> BTreeMap<&str, &str> { super::headers::query_pairs(q).collect() };
        let (a, b) = (params(a), params(b));
        for (key, value) in &a {
            if let Some(other) = b.get(key) {
                zip_placeholders(value, other, add);
            }
        }
    }
    for (a, b) in [
        (&old.request.body, &new.request.body),
        (&old.response.body, &new.response.body),
    ] {
        if let (Body::Json(a), Body::Json(b)) = (a, b) {
            walk(a, b, add);
        }
    }
}

/// Pairs the placeholders of two strings in order, when both hold some.
fn zip_placeholders<'t>(old: &'t str, new: &'t str, add: &mut dyn FnMut(&'t str, &'t str)) {
    let mut old_rest = old;
    let mut new_rest = new;
    while let (Some(a), Some(b)) = (next_placeholder(old_rest), next_placeholder(new_rest)) {
        add(&old_rest[a.clone()], &new_rest[b.clone()]);
        old_rest = &old_rest[a.end..];
        new_rest = &new_rest[b.end..];
    }
}

/// Walks two JSON values through the members both objects have.
fn walk<'t>(old: &'t Json, new: &'t Json, add: &mut dyn FnMut(&'t str, &'t str)) {
    match (old, new) {
        (Json::String(a), Json::String(b)) => zip_placeholders(a, b, add),
        (Json::Object(a), Json::Object(b)) => {
            // Members are nearly always in the same order on both sides: each is looked for at
            // its place first, and `b` is indexed only when one is not there.
            let mut in_order = b.iter();
            let mut member = None;
            for (key, value) in a.iter() {
                let other = match in_order.next() {
                    Some((k, v)) if k == key => Some(v),
                    _ => member.get_or_insert_with(|| b.lookup())(key),
                };
                if let Some(other) = other {
                    walk(value, other, add);
                }
            }
        }
        _ => {}
    }
}

/// The groups (connected old and new names) that are not one-to-one, each as its name pairs in
/// order, the groups in the order of their first name pair. Names are connected over every name
/// pair; only the few groups found wanting are ordered.
fn groups<'s>(found: &Found<'s>) -> Vec<Vec<Names<'s>>> {
    let mut parent: Vec<usize> = Vec::with_capacity(2 * found.len());
    // Each name on its side, numbered; its value: whether it is NEW's.
    let mut ids: Interner<bool, (bool, &str)> = Interner::default();
    let mut ends = Vec::with_capacity(found.len());
    for &(old, new) in found {
        let [a, b] =
            [(false, old), (true, new)].map(|(side, name)| ids.intern(&(side, name), || side));
        // A name seen first is a group of its own.
        parent.extend(parent.len()..ids.len());
        union(&mut parent, a, b);
        ends.push(a);
    }
    let is_new = ids.into_values();
    // Distinct old and new names under each root: a group is wanting with two of either.
    let mut names = vec![(0u32, 0u32); parent.len()];
    for (id, side) in is_new.iter().enumerate() {
        let count = &mut names[find(&mut parent, id)];
        *(if *side { &mut count.1 } else { &mut count.0 }) += 1;
    }
    let mut by_root: FxHashMap<usize, Vec<Names<'s>>> = FxHashMap::default();
    for (key, end) in found.iter().zip(ends) {
        let root = find(&mut parent, end);
        if names[root].0 > 1 || names[root].1 > 1 {
            by_root.entry(root).or_default().push(*key);
        }
    }
    let mut groups: Vec<Vec<Names<'s>>> = by_root.into_values().collect();
    groups.iter_mut().for_each(|group| group.sort_unstable());
    groups.sort_unstable_by(|a, b| a.first().cmp(&b.first()));
    groups
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// The finding for one group: anchored at the first pair (in new order) where a name already
/// seen meets a second partner.
fn finding<'s>(s: &Sides, uses: &Uses<'s>, group: &[Names<'s>]) -> Finding {
    let seen = |key: &Names<'s>| -> Vec<(usize, usize)> {
        let mut at = uses.get(key).cloned().unwrap_or_default();
        at.sort_unstable();
        at.dedup();
        at
    };
    let mut met: Vec<((usize, usize), &Names<'s>)> = group
        .iter()
        .flat_map(|key| seen(key).into_iter().map(move |at| (at, key)))
        .collect();
    met.sort();
    let mut partner_of_old: FxHashMap<&str, &str> = FxHashMap::default();
    let mut partner_of_new: FxHashMap<&str, &str> = FxHashMap::default();
    let mut anchor = met.first().map(|(at, _)| *at);
    for ((new_index, old_index), (old, new)) in &met {
        let clash = partner_of_old.get(old).is_some_and(|n| n != new)
            || partner_of_new.get(new).is_some_and(|o| o != old);
        if clash {
            anchor = Some((*new_index, *old_index));
            break;
        }
        partner_of_old.entry(old).or_insert(new);
        partner_of_new.entry(new).or_insert(old);
    }
    let (new_index, old_index) = (anchor.map(|a| a.0), anchor.map(|a| a.1));
    let mut f = s.finding(Kind::RelationChanged, Part::Call, old_index, new_index);
    let describe = |key: &Names<'s>| {
        let steps: Vec<String> = seen(key).iter().map(|(n, _)| (n + 1).to_string()).collect();
        let word = if steps.len() == 1 { "step" } else { "steps" };
        format!(
            "old {} is new {} (new {word} {})",
            key.0,
            key.1,
            steps.join(", ")
        )
    };
    let parts: Vec<String> = group.iter().map(describe).collect();
    f.message = format!("relation changed: {}", parts.join("; "));
    let names = |pick: fn(&Names<'s>) -> &'s str| -> Value {
        let set: BTreeSet<&str> = group.iter().map(pick).collect();
        Value::from(set.into_iter().collect::<Vec<_>>())
    };
    f.old = Some(names(|k| k.0));
    f.new = Some(names(|k| k.1));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges<'s>(list: &[(&'s str, &'s str, usize)]) -> Found<'s> {
        list.iter().map(|&(o, n, _)| (o, n)).collect()
    }

    #[test]
    fn a_consistent_renaming_is_no_change() {
        let e = edges(&[
            ("{image_id}", "{image_uuid}", 5),
            ("{image_id}", "{image_uuid}", 9),
            ("{project_id}", "{account}", 7),
        ]);
        assert!(groups(&e).is_empty());
    }

    #[test]
    fn a_split_and_a_merge_are_one_group_each() {
        let e = edges(&[
            ("{image_id}", "{image_id}", 5),
            ("{image_id}", "{image_id2}", 9),
            ("{a}", "{x}", 3),
            ("{b}", "{x}", 4),
            ("{c}", "{y}", 6),
        ]);
        let found = groups(&e);
        assert_eq!(found.len(), 2);
    }

    /// The wanting groups as plainly defined: connected components of the name pairs (walked
    /// from each pair in order), with two old or two new names, each sorted, in the order of
    /// their first pair.
    fn groups_by_search<'s>(found: &Found<'s>) -> Vec<Vec<Names<'s>>> {
        let mut keys: Vec<Names<'s>> = found.iter().copied().collect();
        keys.sort();
        let mut taken = vec![false; keys.len()];
        let mut out = Vec::new();
        for first in 0..keys.len() {
            if taken[first] {
                continue;
            }
            let mut group = vec![keys[first]];
            taken[first] = true;
            let mut grown = true;
            while grown {
                grown = false;
                for (i, key) in keys.iter().enumerate() {
                    if !taken[i] && group.iter().any(|g| g.0 == key.0 || g.1 == key.1) {
                        taken[i] = true;
                        group.push(*key);
                        grown = true;
                    }
                }
            }
            group.sort();
            let olds: BTreeSet<&str> = group.iter().map(|k| k.0).collect();
            let news: BTreeSet<&str> = group.iter().map(|k| k.1).collect();
            if olds.len() > 1 || news.len() > 1 {
                out.push(group);
            }
        }
        out
    }

    #[test]
    fn groups_are_the_wanting_components_in_order_of_their_first_pair() {
        let names: Vec<String> = (0..12).map(|i| format!("{{n{i}}}")).collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..500 {
            let mut found = Found::default();
            for _ in 0..rng.usize(1..14) {
                found.insert((
                    names[rng.usize(..names.len())].as_str(),
                    names[rng.usize(..names.len())].as_str(),
                ));
            }
            assert_eq!(groups(&found), groups_by_search(&found), "{found:?}");
        }
    }

    #[test]
    fn name_pairs_gathered_apart_and_merged_give_the_same_groups() {
        let names: Vec<String> = (0..10).map(|i| format!("{{n{i}}}")).collect();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..300 {
            // Each use goes to one of two gatherers, as chunks of pairs go to two threads.
            let (mut whole, mut one, mut other) =
                (Found::default(), Found::default(), Found::default());
            for _ in 0..rng.usize(1..40) {
                let pair = (
                    names[rng.usize(..names.len())].as_str(),
                    names[rng.usize(..names.len())].as_str(),
                );
                whole.insert(pair);
                if rng.bool() { &mut one } else { &mut other }.insert(pair);
            }
            let merged = merge(one, other);
            assert_eq!(merged, whole);
            assert_eq!(groups(&merged), groups(&whole));
        }
    }

    #[test]
    fn placeholders_pair_in_order_inside_strings() {
        let mut got = Vec::new();
        zip_placeholders("AUTH_{project_id}", "{account}", &mut |a, b| {
            got.push((a.to_string(), b.to_string()))
        });
        assert_eq!(got, [("{project_id}".to_string(), "{account}".to_string())]);
    }
}
