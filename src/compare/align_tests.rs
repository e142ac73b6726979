//! Unit tests of `compare::align`.

use super::*;

/// A tree from `(sig, caller, parent)` triples.
fn tree(calls: &[(u32, u32, Option<usize>)]) -> CallTree {
    CallTree {
        sigs: calls.iter().map(|c| c.0).collect(),
        callers: calls.iter().map(|c| c.1).collect(),
        parents: calls.iter().map(|c| c.2).collect(),
        cache_dependent: calls.iter().map(|c| c.0 >= 100).collect(),
        content: Vec::new(),
    }
}

/// [`align`] with payloads that never drift (every same-signature pairing costs nothing).
fn aligned(old: &CallTree, new: &CallTree, separate_cache: bool) -> Alignment {
    align(old, new, separate_cache, &|_, _| 0)
}

#[test]
fn identical_trees_pair_everything_in_place() {
    let t = tree(&[(1, 0, None), (2, 1, Some(0)), (3, 0, None)]);
    let a = aligned(&t, &t, true);
    assert_eq!(a.pairs.len(), 3);
    assert!(a
        .pairs
        .iter()
        .all(|p| p.old == p.new && p.how == How::InPlace));
    assert!(a.missing.is_empty() && a.extra.is_empty() && a.repeats.is_empty());
}

#[test]
fn a_missing_parent_takes_its_subtree_with_it() {
    let old = tree(&[(1, 0, None), (2, 1, Some(0)), (3, 2, Some(1)), (4, 0, None)]);
    let new = tree(&[(4, 0, None)]);
    let a = aligned(&old, &new, true);
    assert_eq!(a.missing, vec![0, 1, 2]);
    assert_eq!(
        a.pairs,
        vec![Pair {
            old: 3,
            new: 0,
            how: How::InPlace
        }]
    );
}

#[test]
fn interleaving_of_callers_is_not_a_difference() {
    let old = tree(&[(1, 0, None), (2, 1, None), (3, 0, None)]);
    let new = tree(&[(2, 1, None), (1, 0, None), (3, 0, None)]);
    let a = aligned(&old, &new, true);
    assert!(a.pairs.iter().all(|p| p.how == How::InPlace));
    assert_eq!(a.pairs.len(), 3);
}

#[test]
fn a_swap_within_one_caller_is_a_reorder() {
    let old = tree(&[(1, 0, None), (2, 0, None), (3, 0, None)]);
    let new = tree(&[(1, 0, None), (3, 0, None), (2, 0, None)]);
    let a = aligned(&old, &new, true);
    let reordered: Vec<_> = a.pairs.iter().filter(|p| p.how == How::Reordered).collect();
    assert_eq!(reordered.len(), 1);
    assert!(a.missing.is_empty() && a.extra.is_empty());
}

#[test]
fn a_shorter_polling_loop_is_one_repeat() {
    let old = tree(&[
        (1, 0, None),
        (5, 0, None),
        (5, 0, None),
        (5, 0, None),
        (6, 0, None),
    ]);
    let new = tree(&[(1, 0, None), (5, 0, None), (6, 0, None)]);
    let a = aligned(&old, &new, true);
    assert_eq!(a.repeats.len(), 1);
    assert_eq!(a.repeats[0].old, vec![1, 2, 3]);
    assert_eq!(a.repeats[0].new, vec![1]);
    assert!(a.missing.is_empty() && a.extra.is_empty());
    assert_eq!(a.pairs.iter().filter(|p| p.new == 1).count(), 1);
    let mut old = old;
    old.content = vec![0, 7, 8, 9, 0];
    let mut new = new;
    new.content = vec![0, 9, 0];
    let a = aligned(&old, &new, true);
    assert!(
        a.pairs.iter().any(|p| p.old == 3 && p.new == 1),
        "the repeat with the same answer pairs"
    );
}

#[test]
fn a_call_under_another_parent_is_moved() {
    let old = tree(&[(1, 0, None), (7, 1, Some(0)), (2, 0, None)]);
    let new = tree(&[(1, 0, None), (2, 0, None), (7, 1, Some(1))]);
    let a = aligned(&old, &new, true);
    assert!(a
        .pairs
        .iter()
        .any(|p| p.old == 1 && p.new == 2 && p.how == How::Moved));
    assert!(a.missing.is_empty() && a.extra.is_empty());
}

#[test]
fn cache_dependent_calls_are_grouped_by_parent() {
    let old = tree(&[(1, 0, None), (100, 1, Some(0)), (100, 1, Some(0))]);
    let new = tree(&[(1, 0, None), (100, 1, Some(0))]);
    let a = aligned(&old, &new, true);
    assert_eq!(a.cache_groups.len(), 1);
    assert_eq!(a.cache_groups[0].parent, Some((0, 0)));
    assert_eq!(a.cache_groups[0].old.len(), 2);
    assert!(a.missing.is_empty());
    let strict = aligned(&old, &new, false);
    assert!(strict.cache_groups.is_empty());
    assert_eq!(strict.repeats.len(), 1);
}

#[test]
fn long_different_sequences_stay_fast() {
    let n = 20_000;
    let old = tree(
        &(0..n)
            .map(|i| ((i % 97) as u32, 0, None))
            .collect::<Vec<_>>(),
    );
    let new = tree(
        &(0..n)
            .map(|i| ((i % 89) as u32, 0, None))
            .collect::<Vec<_>>(),
    );
    let start = Instant::now();
    let a = aligned(&old, &new, true);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(
        a.pairs.len() + a.missing.len() + count_repeat_extra(&a, true),
        n
    );
}

fn count_repeat_extra(a: &Alignment, old: bool) -> usize {
    a.repeats
        .iter()
        .map(|r| {
            let (mine, theirs) = if old {
                (&r.old, &r.new)
            } else {
                (&r.new, &r.old)
            };
            mine.len().saturating_sub(theirs.len())
        })
        .sum()
}

#[test]
fn a_loop_that_ran_once_less_is_one_block_repeat() {
    // Old: A [B C D] [B C D] [B C D] E; new: A [B C D] [B C D] E.
    let body = |k: usize| (0..k).flat_map(|_| [(2, 0, None), (3, 0, None), (4, 0, None)]);
    let old: Vec<_> = std::iter::once((1, 0, None))
        .chain(body(3))
        .chain([(5, 0, None)])
        .collect();
    let new: Vec<_> = std::iter::once((1, 0, None))
        .chain(body(2))
        .chain([(5, 0, None)])
        .collect();
    let a = aligned(&tree(&old), &tree(&new), true);
    assert!(a.missing.is_empty() && a.extra.is_empty(), "{a:?}");
    assert_eq!(a.repeats.len(), 1);
    let r = &a.repeats[0];
    assert_eq!((r.period, r.old_count, r.new_count), (3, 3, 2));
    assert_eq!(r.old.len(), 3);
    assert!(r.new.is_empty());
    let back = aligned(&tree(&new), &tree(&old), true);
    assert_eq!(
        (back.repeats[0].old_count, back.repeats[0].new_count),
        (2, 3)
    );
}

#[test]
fn a_deleted_call_unlike_its_neighbours_is_not_a_repeat() {
    let old = tree(&[(1, 0, None), (2, 0, None), (3, 0, None), (4, 0, None)]);
    let new = tree(&[(1, 0, None), (2, 0, None), (4, 0, None)]);
    let a = aligned(&old, &new, true);
    assert_eq!(a.missing, vec![2]);
}
