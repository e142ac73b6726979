//! Cache-dependent calls kept out of the sequence alignment, and the top-level segments they
//! are grouped by: the stretch of a caller's own sequence between two aligned calls.

use std::collections::{BTreeMap, HashMap};

/// The calls of `seq` to align, and (with `separate`) the cache-dependent ones with their slot:
/// how many calls to align come before each.
pub(super) fn split(
    seq: Vec<usize>,
    cache_dependent: &[bool],
    separate: bool,
) -> (Vec<usize>, Vec<(usize, usize)>) {
    if !separate {
        return (seq, Vec::new());
    }
    let (mut main, mut cache) = (Vec::new(), Vec::new());
    for i in seq {
        if cache_dependent.get(i).copied().unwrap_or(false) {
            cache.push((i, main.len()));
        } else {
            main.push(i);
        }
    }
    (main, cache)
}

/// Cache-dependent calls per top-level segment: `(old, new)` keyed by the pair (old call, new
/// call) they follow.
pub(super) type Segments = BTreeMap<Option<(usize, usize)>, (Vec<usize>, Vec<usize>)>;

/// One side of an aligned sequence: its calls and each one's in-place partner, if any.
pub(super) struct Aligned<'s> {
    seq: &'s [usize],
    partner: Vec<Option<usize>>,
}

impl<'s> Aligned<'s> {
    /// `pairs` are `(call on this side, partner on the other)`.
    pub(super) fn new(
        seq: &'s [usize],
        pairs: impl Iterator<Item = (usize, usize)>,
    ) -> Aligned<'s> {
        let position: HashMap<usize, usize> =
            seq.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let mut partner = vec![None; seq.len()];
        for (mine, theirs) in pairs {
            if let Some(&p) = position.get(&mine) {
                partner[p] = Some(theirs);
            }
        }
        Aligned { seq, partner }
    }

    /// For every slot `0..=len` (the place before call `slot`), the last paired call before it
    /// and its partner.
    fn anchors(&self) -> Vec<Option<(usize, usize)>> {
        let mut out = Vec::with_capacity(self.seq.len() + 1);
        let mut last = None;
        out.push(None);
        for (pos, &call) in self.seq.iter().enumerate() {
            if let Some(other) = self.partner[pos] {
                last = Some((call, other));
            }
            out.push(last);
        }
        out
    }
}

/// Groups top-level cache-dependent calls `(call, slot)` of both sides by the in-place pair
/// they follow, in order.
pub(super) fn top_level(
    old: &Aligned,
    old_cache: Vec<(usize, usize)>,
    new: &Aligned,
    new_cache: Vec<(usize, usize)>,
) -> Segments {
    let (old_anchor, new_anchor) = (old.anchors(), new.anchors());
    let mut groups: Segments = BTreeMap::new();
    for (i, slot) in old_cache {
        groups.entry(old_anchor[slot]).or_default().0.push(i);
    }
    for (i, slot) in new_cache {
        let key = new_anchor[slot].map(|(n, o)| (o, n));
        groups.entry(key).or_default().1.push(i);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_calls_group_by_the_pair_they_follow() {
        // Old: A x B x; new: A B x x (x cache-dependent). A and B pair in place.
        let (old_main, old_cache) = split(vec![0, 1, 2, 3], &[false, true, false, true], true);
        let (new_main, new_cache) = split(vec![0, 1, 2, 3], &[false, false, true, true], true);
        let pairs = [(0, 0), (2, 1)];
        let old = Aligned::new(&old_main, pairs.iter().copied());
        let new = Aligned::new(&new_main, pairs.iter().map(|&(o, n)| (n, o)));
        let groups = top_level(&old, old_cache, &new, new_cache);
        let groups: Vec<_> = groups.into_iter().collect();
        let expected = vec![
            (Some((0, 0)), (vec![1], vec![])),
            (Some((2, 1)), (vec![3], vec![2, 3])),
        ];
        assert_eq!(groups, expected);
    }
}
