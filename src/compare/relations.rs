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
use crate::trace::{next_placeholder, Body, Exchange, Json};
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One old placeholder seen where the new trace has another, with the pairs (new exchange, old
/// exchange) it was seen on.
type Edges = BTreeMap<Names, BTreeSet<(usize, usize)>>;

/// An old placeholder name and the new one found in its place.
type Names = (String, String);

/// One `relation_changed` finding per group of placeholders whose correspondence is not
/// one-to-one between the aligned pairs.
pub(super) fn compare<'s>(s: &'s Sides, pairs: &[Pair]) -> Vec<Finding> {
    // Uses are many and their names few: gathered under borrowed names first, owned and
    // ordered once per name pair.
    let mut uses: FxHashMap<(&'s str, &'s str), Vec<(usize, usize)>> = FxHashMap::default();
    for pair in pairs.iter().filter(|p| p.how != How::CacheDependent) {
        let (old, new) = (&s.old.exchanges[pair.old], &s.new.exchanges[pair.new]);
        let at = (pair.new, pair.old);
        let mut add = |o: &'s str, n: &'s str| {
            // A pair repeats a name pair many times (an id in every link): kept once.
            let seen = uses.entry((o, n)).or_default();
            if seen.last() != Some(&at) {
                seen.push(at);
            }
        };
        uses_in_pair(old, new, &mut add);
    }
    let edges: Edges = uses
        .into_iter()
        .map(|((o, n), at)| ((o.to_string(), n.to_string()), at.into_iter().collect()))
        .collect();
    groups(&edges)
        .into_iter()
        .map(|group| finding(s, &edges, &group))
        .collect()
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

/// The groups (connected old and new names) that are not one-to-one, each as its edges' keys.
fn groups(edges: &Edges) -> Vec<Vec<(String, String)>> {
    let mut parent: Vec<usize> = Vec::new();
    let mut ids: HashMap<(bool, &str), usize> = HashMap::new();
    let mut ends = Vec::with_capacity(edges.len());
    for (old, new) in edges.keys() {
        let [a, b] = [(false, old), (true, new)].map(|(side, name)| {
            *ids.entry((side, name.as_str())).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            })
        });
        union(&mut parent, a, b);
        ends.push(a);
    }
    let mut by_root: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for ((key, _), end) in edges.iter().zip(ends) {
        let root = find(&mut parent, end);
        by_root.entry(root).or_default().push(key.clone());
    }
    by_root
        .into_values()
        .filter(|group| {
            let olds: BTreeSet<&String> = group.iter().map(|(o, _)| o).collect();
            let news: BTreeSet<&String> = group.iter().map(|(_, n)| n).collect();
            olds.len() > 1 || news.len() > 1
        })
        .collect()
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
fn finding(s: &Sides, edges: &Edges, group: &[(String, String)]) -> Finding {
    let seen = |key: &(String, String)| edges.get(key).cloned().unwrap_or_default();
    let mut uses: Vec<((usize, usize), &Names)> = group
        .iter()
        .flat_map(|key| seen(key).into_iter().map(move |at| (at, key)))
        .collect();
    uses.sort();
    let mut partner_of_old: HashMap<&str, &str> = HashMap::new();
    let mut partner_of_new: HashMap<&str, &str> = HashMap::new();
    let mut anchor = uses.first().map(|(at, _)| *at);
    for ((new_index, old_index), (old, new)) in &uses {
        let clash = partner_of_old.get(old.as_str()).is_some_and(|n| n != new)
            || partner_of_new.get(new.as_str()).is_some_and(|o| o != old);
        if clash {
            anchor = Some((*new_index, *old_index));
            break;
        }
        partner_of_old.entry(old).or_insert(new);
        partner_of_new.entry(new).or_insert(old);
    }
    let (new_index, old_index) = (anchor.map(|a| a.0), anchor.map(|a| a.1));
    let mut f = s.finding(Kind::RelationChanged, Part::Call, old_index, new_index);
    let describe = |key: &(String, String)| {
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
    let names = |pick: fn(&(String, String)) -> &String| -> Value {
        let set: BTreeSet<&String> = group.iter().map(pick).collect();
        Value::from(set.into_iter().cloned().collect::<Vec<_>>())
    };
    f.old = Some(names(|k| &k.0));
    f.new = Some(names(|k| &k.1));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(&str, &str, usize)]) -> Edges {
        let mut out = Edges::new();
        for (o, n, step) in list {
            out.entry((o.to_string(), n.to_string()))
                .or_default()
                .insert((*step, *step));
        }
        out
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

    #[test]
    fn placeholders_pair_in_order_inside_strings() {
        let mut got = Vec::new();
        zip_placeholders("AUTH_{project_id}", "{account}", &mut |a, b| {
            got.push((a.to_string(), b.to_string()))
        });
        assert_eq!(got, [("{project_id}".to_string(), "{account}".to_string())]);
    }
}
