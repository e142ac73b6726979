//! Repeated blocks of calls: a loop (nova-compute refreshing its network info) that ran more or
//! fewer times is one repetition more or less of a block, not N missing or extra calls.
//!
//! Works on run ids (see `align`): a pure deletion or insertion equal to the block next to it is
//! a repetition; among the equivalent places it could be taken from, the one leaving the most
//! equal answers paired wins (a loop's iterations answer differently as state converges).

use std::ops::Range;

/// Longest repeated block looked for, in runs of calls.
const MAX_BLOCK: usize = 64;

/// A periodic region of one side's runs: `period` runs repeated over `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Block {
    /// Runs per repetition.
    pub period: usize,
    /// First run of the region.
    pub start: usize,
    /// One past the last run of the region.
    pub end: usize,
}

impl Block {
    /// Repetitions in the region.
    pub(super) fn count(&self) -> usize {
        (self.end - self.start) / self.period
    }
}

/// When `ids[range]` repeats the block right before or after it, the periodic region around it.
pub(super) fn repeated_block(ids: &[u32], range: Range<usize>) -> Option<Block> {
    let len = range.len();
    if len == 0 || len > MAX_BLOCK {
        return None;
    }
    for period in (1..=len).filter(|p| len.is_multiple_of(*p)) {
        let block = &ids[range.start..range.start + period];
        if !range
            .clone()
            .all(|i| ids[i] == block[(i - range.start) % period])
        {
            continue;
        }
        let same = |at: usize| ids.get(at..at + period) == Some(block);
        let before = range.start >= period && same(range.start - period);
        if !before && !same(range.end) {
            continue;
        }
        let mut start = range.start;
        while start >= period && same(start - period) {
            start -= period;
        }
        let mut end = range.end;
        while same(end) {
            end += period;
        }
        return Some(Block { period, start, end });
    }
    None
}

/// Chooses which repetitions of `block` stay unpaired (currently `dropped`, on the side that has
/// more of them) so the others pair with the fewest `mismatch(extra_run, other_run)`; rewrites
/// both run maps accordingly and returns the unpaired runs. Keeps `dropped` when the region
/// does not map onto one contiguous stretch of the other side.
pub(super) fn place(
    block: Block,
    dropped: Range<usize>,
    extra_map: &mut [Option<usize>],
    other_map: &mut [Option<usize>],
    mismatch: impl Fn(usize, usize) -> usize,
) -> Range<usize> {
    let region = block.start..block.end;
    let mapped: Vec<usize> = region.clone().filter_map(|i| extra_map[i]).collect();
    let Some(&other_start) = mapped.iter().min() else {
        return dropped;
    };
    let unpaired = dropped.len();
    let contiguous = mapped.len() == region.len() - unpaired
        && mapped
            .iter()
            .enumerate()
            .all(|(k, &o)| o == other_start + k);
    if !contiguous || !unpaired.is_multiple_of(block.period) {
        return dropped;
    }
    let width = unpaired; // runs left unpaired, a whole number of repetitions
    let target = |k: usize, i: usize| -> Option<usize> {
        let drop = block.start + k..block.start + k + width;
        if drop.contains(&i) {
            None
        } else {
            let offset = if i < drop.start {
                i - block.start
            } else {
                i - block.start - width
            };
            Some(other_start + offset)
        }
    };
    let score = |k: usize| -> usize {
        region
            .clone()
            .filter_map(|i| target(k, i).map(|o| mismatch(i, o)))
            .sum()
    };
    let current = dropped.start - block.start;
    let mut best = (score(current), current);
    for k in (0..=region.len() - width).step_by(block.period) {
        let s = score(k);
        if s < best.0 {
            best = (s, k);
        }
    }
    for i in region.clone() {
        if let Some(o) = extra_map[i].take() {
            other_map[o] = None;
        }
    }
    for i in region {
        if let Some(o) = target(best.1, i) {
            extra_map[i] = Some(o);
            other_map[o] = Some(i);
        }
    }
    block.start + best.1..block.start + best.1 + width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_next_to_its_twin_is_a_repetition() {
        let ids = [1, 2, 3, 2, 3, 2, 3, 4];
        let block = repeated_block(&ids, 3..5).expect("a repetition");
        assert_eq!(
            (block.period, block.start, block.end, block.count()),
            (2, 1, 7, 3)
        );
        assert_eq!(repeated_block(&ids, 7..8), None);
    }

    #[test]
    fn the_repetition_leaving_equal_answers_paired_stays_unpaired() {
        // Extra side: blocks a b c (one run each); other side: b c. Dropped first guess: c.
        let content = [10, 20, 30];
        let other = [20, 30];
        let mut extra_map = vec![Some(0), Some(1), None];
        let mut other_map = vec![Some(0), Some(1)];
        let block = Block {
            period: 1,
            start: 0,
            end: 3,
        };
        let unpaired = place(block, 2..3, &mut extra_map, &mut other_map, |e, o| {
            usize::from(content[e] != other[o])
        });
        assert_eq!(unpaired, 0..1);
        assert_eq!(extra_map, vec![None, Some(0), Some(1)]);
        assert_eq!(other_map, vec![Some(1), Some(2)]);
    }
}
