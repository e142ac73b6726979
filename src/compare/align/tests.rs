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

/// One caller's top-level calls with signatures `sigs`.
fn flat(sigs: impl Iterator<Item = u32>) -> CallTree {
    tree(&sigs.map(|sig| (sig, 0, None)).collect::<Vec<_>>())
}

/// Everything an alignment decided, to compare two runs.
fn decided(a: &Alignment) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?}",
        a.pairs, a.repeats, a.missing, a.extra, a.coarse
    )
}

#[test]
fn long_different_sequences_are_aligned_coarsely_the_same_every_time() {
    let n = 20_000;
    let old = flat((0..n).map(|i| (i % 97) as u32));
    let new = flat((0..n).map(|i| (i % 89) as u32));
    let a = aligned(&old, &new, true);
    // Past the common start (0..=88), the rest is one coarse stretch.
    assert_eq!(
        a.coarse,
        [Coarse {
            old: (89, n - 1),
            new: (89, n - 1)
        }]
    );
    assert_eq!(
        a.pairs.len() + a.missing.len() + count_repeat_extra(&a, true),
        n
    );
    // Bounded by size, not time: a second run decides exactly the same.
    assert_eq!(decided(&aligned(&old, &new, true)), decided(&a));
}

#[test]
fn scattered_differences_in_a_long_sequence_stay_in_place_when_coarse() {
    // 10,000 calls cycling through 7 signatures; every 500th one changed to another call.
    let n = 10_000;
    let old = flat((0..n).map(|i| (i % 7) as u32));
    let new = flat((0..n).map(|i| if i % 500 == 250 { 50 } else { (i % 7) as u32 }));
    let a = aligned(&old, &new, true);
    assert_eq!(
        a.coarse,
        [Coarse {
            old: (250, 9750),
            new: (250, 9750)
        }]
    );
    let changed: Vec<usize> = (0..n).filter(|i| i % 500 == 250).collect();
    assert_eq!(a.missing, changed);
    assert_eq!(a.extra, changed);
    assert_eq!(a.pairs.len(), n - changed.len());
    assert!(a
        .pairs
        .iter()
        .all(|p| p.old == p.new && p.how == How::InPlace));
}

#[test]
fn small_differing_stretches_are_aligned_exactly_by_myers() {
    // 2,000 calls on each side, differing throughout: within the exact bound.
    let old: Vec<u32> = (0..2_000).map(|i| (i * 7 % 13) as u32).collect();
    let new: Vec<u32> = (0..2_000).map(|i| (i * 5 % 11) as u32).collect();
    let (ops, bounded) = diff(&old, &new);
    assert_eq!(bounded, None);
    let equal = |ops: &[Op]| -> usize {
        ops.iter()
            .filter(|op| op.0 == DiffTag::Equal)
            .map(|op| op.1.len())
            .sum()
    };
    let exact: Vec<Op> = similar::capture_diff_slices(Algorithm::Myers, &old, &new)
        .iter()
        .map(|op| op.as_tag_tuple())
        .collect();
    assert_eq!(equal(&ops), equal(&exact), "a longest common subsequence");
    // Common ends are trimmed first, whatever the length: only the middle counts.
    let long: Vec<u32> = (0..100_000).map(|i| (i % 3) as u32).collect();
    let mut edited = long.clone();
    edited[50_000] = 9;
    let (ops, bounded) = diff(&long, &edited);
    assert_eq!(bounded, None);
    assert_eq!(
        ops,
        [
            (DiffTag::Equal, 0..50_000, 0..50_000),
            (DiffTag::Replace, 50_000..50_001, 50_000..50_001),
            (DiffTag::Equal, 50_001..100_000, 50_001..100_000),
        ]
    );
    let tree = flat(long.iter().copied());
    assert!(aligned(&tree, &flat(edited.iter().copied()), true)
        .coarse
        .is_empty());
}

#[test]
fn the_coarse_alignment_skips_to_the_nearest_common_call() {
    let old = [1, 2, 3, 4, 5, 6];
    let new = [1, 9, 9, 2, 3, 5, 6, 7];
    assert_eq!(
        coarse(&old, 0..6, &new, 0..8),
        [
            (DiffTag::Equal, 0..1, 0..1),
            (DiffTag::Insert, 1..1, 1..3),
            (DiffTag::Equal, 1..3, 3..5),
            (DiffTag::Delete, 3..4, 5..5),
            (DiffTag::Equal, 4..6, 5..7),
            (DiffTag::Insert, 6..6, 7..8),
        ]
    );
    // Nothing in common within reach: one call of each side at a time is a change.
    assert_eq!(
        coarse(&[1, 2], 0..2, &[3, 4, 5], 0..3),
        [
            (DiffTag::Replace, 0..2, 0..2),
            (DiffTag::Insert, 2..2, 2..3)
        ]
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
