//! Pairing calls of one signature by content: among same-signature candidates (under one parent,
//! in one caller's sequence, among one parent's plumbing), the pairing that minimizes the drift
//! between their payloads, so two calls that mean different things (glance's system-scoped and
//! project-scoped tokens) are not compared with each other because of their positions.

use std::cell::Cell;

/// At most this many candidate combinations (old × new) are weighed; larger groups (long
/// polling runs) keep their order, which is what pairs them right.
pub(super) const MAX_WEIGHED: usize = 256;

/// Pairs `old` with `new` (exchange indices, each in capture order): `min(len)` pairs with the
/// least total `drift(old, new)`, ties going to the pairing that keeps the order. Groups larger
/// than [`MAX_WEIGHED`] pair in order. Deterministic: the same inputs give the same pairs.
pub(super) fn pair(
    old: &[usize],
    new: &[usize],
    drift: &dyn Fn(usize, usize) -> u32,
) -> Vec<(usize, usize)> {
    let in_order = || old.iter().copied().zip(new.iter().copied()).collect();
    if old.len() <= 1 && new.len() <= 1 || old.len() * new.len() > MAX_WEIGHED {
        return in_order();
    }
    // Each drift is weighed once (the assignment asks for most of them many times).
    let known: Vec<Cell<Option<u32>>> = vec![Cell::new(None); old.len() * new.len()];
    let drift_of = |i: usize, j: usize| -> u32 {
        let slot = &known[i * new.len() + j];
        slot.get().unwrap_or_else(|| {
            let weighed = drift(old[i], new[j]);
            slot.set(Some(weighed));
            weighed
        })
    };
    // In order without any drift costs nothing, and no other pairing costs that little (each
    // moves some call from its place): the others need not be weighed.
    if (0..old.len().min(new.len())).all(|i| drift_of(i, i) == 0) {
        return in_order();
    }
    // Rank ties by how far a pairing moves a call from its place, so equal content pairs in
    // order (a polling run, repeated identical calls).
    let span = (old.len() + new.len()) as u64;
    let cost = |i: usize, j: usize| -> u64 {
        u64::from(drift_of(i, j)) * (span * span + 1) + (i.abs_diff(j) as u64)
    };
    let mut pairs: Vec<(usize, usize)> = if old.len() <= new.len() {
        assignment(old.len(), new.len(), &cost)
            .into_iter()
            .enumerate()
            .map(|(i, j)| (old[i], new[j]))
            .collect()
    } else {
        assignment(new.len(), old.len(), &|j, i| cost(i, j))
            .into_iter()
            .enumerate()
            .map(|(j, i)| (old[i], new[j]))
            .collect()
    };
    pairs.sort_unstable();
    pairs
}

/// The minimum-cost assignment of `rows` rows to distinct columns among `cols >= rows`
/// (Hungarian method with potentials, O(rows² · cols)): the column of each row.
fn assignment(rows: usize, cols: usize, cost: &dyn Fn(usize, usize) -> u64) -> Vec<usize> {
    const INF: i128 = i128::MAX / 4;
    // 1-based as in the textbook formulation; column 0 is the virtual start.
    let mut u = vec![0i128; rows + 1];
    let mut v = vec![0i128; cols + 1];
    let mut row_of = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    for row in 1..=rows {
        row_of[0] = row;
        let mut col0 = 0;
        let mut min_to = vec![INF; cols + 1];
        let mut used = vec![false; cols + 1];
        loop {
            used[col0] = true;
            let r = row_of[col0];
            let mut delta = INF;
            let mut next = 0;
            for col in 1..=cols {
                if used[col] {
                    continue;
                }
                let reduced = i128::from(cost(r - 1, col - 1)) - u[r] - v[col];
                if reduced < min_to[col] {
                    min_to[col] = reduced;
                    way[col] = col0;
                }
                if min_to[col] < delta {
                    delta = min_to[col];
                    next = col;
                }
            }
            for col in 0..=cols {
                if used[col] {
                    u[row_of[col]] += delta;
                    v[col] -= delta;
                } else {
                    min_to[col] -= delta;
                }
            }
            col0 = next;
            if row_of[col0] == 0 {
                break;
            }
        }
        loop {
            let prev = way[col0];
            row_of[col0] = row_of[prev];
            col0 = prev;
            if col0 == 0 {
                break;
            }
        }
    }
    let mut column = vec![0; rows];
    for col in 1..=cols {
        if row_of[col] > 0 {
            column[row_of[col] - 1] = col - 1;
        }
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_content_pairs_in_order() {
        let same = |_: usize, _: usize| 0;
        assert_eq!(
            pair(&[1, 2, 3], &[7, 8, 9], &same),
            [(1, 7), (2, 8), (3, 9)]
        );
        assert_eq!(pair(&[1, 2, 3], &[7, 8], &same), [(1, 7), (2, 8)]);
    }

    /// Each drift is weighed at most once, and when the calls in order do not drift at all,
    /// only those are weighed.
    #[test]
    fn each_drift_is_weighed_once_and_an_undrifted_order_alone() {
        let asked = std::cell::RefCell::new(Vec::new());
        let drift = |o: usize, n: usize| {
            asked.borrow_mut().push((o, n));
            u32::from(o % 10 != n % 10)
        };
        let pairs = pair(&[10, 11, 12], &[20, 21, 22], &drift);
        assert_eq!(pairs, [(10, 20), (11, 21), (12, 22)]);
        assert_eq!(*asked.borrow(), [(10, 20), (11, 21), (12, 22)]);
        asked.borrow_mut().clear();
        let pairs = pair(&[10, 11, 12], &[21, 20, 22], &drift);
        assert_eq!(pairs, [(10, 20), (11, 21), (12, 22)]);
        let mut weighed = asked.borrow().clone();
        let count = weighed.len();
        weighed.sort_unstable();
        weighed.dedup();
        assert_eq!(weighed.len(), count, "a drift weighed twice");
    }

    #[test]
    fn the_call_that_means_the_same_pairs_whatever_its_position() {
        // Old: a system-scoped token (10) then a project-scoped one (11); new keeps only the
        // project-scoped one (20), which drifts from 10 and not from 11.
        let drift = |o: usize, n: usize| match (o, n) {
            (11, 20) => 0,
            _ => 5,
        };
        assert_eq!(pair(&[10, 11], &[20], &drift), [(11, 20)]);
        // Swapped in the new capture.
        let drift = |o: usize, n: usize| u32::from(o % 10 != n % 10) * 3;
        assert_eq!(pair(&[10, 11], &[21, 20], &drift), [(10, 20), (11, 21)]);
    }

    #[test]
    fn the_least_total_drift_wins_over_a_greedy_choice() {
        // Greedy would take (a, x) at 0 and leave (b, y) at 100; the optimum is 6.
        let drift = |o: usize, n: usize| match (o, n) {
            (1, 7) => 0,
            (1, 8) => 5,
            (2, 7) => 1,
            _ => 100,
        };
        assert_eq!(pair(&[1, 2], &[7, 8], &drift), [(1, 8), (2, 7)]);
    }

    #[test]
    fn large_groups_pair_in_order() {
        let old: Vec<usize> = (0..20).collect();
        let new: Vec<usize> = (100..120).collect();
        let reversed = |o: usize, n: usize| u32::from(o + n != 119);
        let pairs = pair(&old, &new, &reversed);
        assert_eq!(pairs[0], (0, 100));
        assert_eq!(pairs.len(), 20);
    }
}
