//! The alignment's own types: what [`super`] reads (a call tree per trace) and what it
//! returns (pairs, repeats, cache-dependent groups, unmatched subtrees).

use crate::intern::Interner;

/// One trace reduced to what alignment needs; every vector is indexed by exchange.
#[derive(Debug, Clone, Default)]
pub struct CallTree {
    /// Interned signature id of each exchange.
    pub sigs: Vec<u32>,
    /// Interned canonical caller of each exchange.
    pub callers: Vec<u32>,
    /// Parent exchange, as in [`crate::trace::Exchange::parent`].
    pub parents: Vec<Option<usize>>,
    /// True for calls whose presence depends on auth caches and is aligned separately.
    pub cache_dependent: Vec<bool>,
    /// A hash of each exchange's status and response body: within a run of repeated calls,
    /// equal contents pair first. Empty when unknown.
    pub content: Vec<u64>,
}

/// Children of every exchange, and each caller's top-level calls.
type Children = (Vec<Vec<usize>>, Vec<(u32, Vec<usize>)>);

impl CallTree {
    pub(super) fn children(&self) -> Children {
        let mut children = vec![Vec::new(); self.sigs.len()];
        let mut roots: Interner<(u32, Vec<usize>), u32> = Interner::default();
        for (index, parent) in self.parents.iter().enumerate() {
            match *parent {
                Some(p) if p < self.sigs.len() && p != index => children[p].push(index),
                _ => {
                    let caller = self.callers.get(index).copied().unwrap_or(0);
                    let slot = roots.intern(&caller, || (caller, Vec::new()));
                    roots[slot].1.push(index);
                }
            }
        }
        (children, roots.into_values())
    }
}

/// How an aligned pair was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Same position in the caller's sequence.
    InPlace,
    /// Same caller's sequence, different position.
    Reordered,
    /// Under a different parent exchange.
    Moved,
    /// A cache-dependent call matched by signature within its parent.
    CacheDependent,
}

/// A matched pair of exchanges (indices into each trace's exchanges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// Old exchange index.
    pub old: usize,
    /// New exchange index.
    pub new: usize,
    /// How the match was made.
    pub how: How,
}

/// A run of the same consecutive call, repeated a different number of times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    /// Old exchanges of the run (for a block, the repetitions only OLD has), in order.
    pub old: Vec<usize>,
    /// New exchanges of the run (for a block, the repetitions only NEW has), in order.
    pub new: Vec<usize>,
    /// Distinct calls per repetition: 1 for one call repeated, more for a repeated block.
    pub period: usize,
    /// Repetitions in a row in OLD.
    pub old_count: usize,
    /// Repetitions in a row in NEW.
    pub new_count: usize,
}

/// Cache-dependent calls under one parent pair (or at one caller's top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheGroup {
    /// The aligned parents; `None` for top-level calls.
    pub parent: Option<(usize, usize)>,
    /// For top-level calls, the aligned calls of the same caller they follow (`None` at the
    /// start): top-level groups are segments of the caller's sequence, not the whole capture.
    pub after: Option<(usize, usize)>,
    /// Old cache-dependent calls in the group.
    pub old: Vec<usize>,
    /// New cache-dependent calls in the group.
    pub new: Vec<usize>,
}

/// The result of aligning two call trees.
#[derive(Debug, Clone, Default)]
pub struct Alignment {
    /// Matched exchanges, sorted by new index.
    pub pairs: Vec<Pair>,
    /// Runs whose repeat count changed.
    pub repeats: Vec<Repeat>,
    /// Old exchanges with no counterpart (whole subtrees), sorted; cache-dependent calls
    /// inside missing subtrees are left out.
    pub missing: Vec<usize>,
    /// New exchanges with no counterpart (whole subtrees), sorted, likewise.
    pub extra: Vec<usize>,
    /// Cache-dependent calls grouped by parent, when they are aligned separately.
    pub cache_groups: Vec<CacheGroup>,
    /// Cache-dependent calls left out of missing or extra subtrees.
    pub cache_in_subtrees: usize,
    /// Stretches too long and too different to align exactly, aligned coarsely, in the order
    /// they were aligned.
    pub coarse: Vec<Coarse>,
}

/// A stretch of one sequence of calls aligned coarsely ([`super::EXACT_LIMIT`]): the
/// first and last exchange index it spans on each side (other callers' calls may lie between).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coarse {
    /// First and last old exchange of the stretch.
    pub old: (usize, usize),
    /// First and last new exchange of the stretch.
    pub new: (usize, usize),
}
