//! Alignment of two call trees: each caller's own sequence of calls, children under their parent.
//!
//! The only user of `similar` in flowdiff. Sequences are aligned on interned signature ids after
//! folding runs of the same consecutive call into one item with a count, so a polling loop of
//! different length is one repeat, not N missing calls. Interleaving between actors never enters
//! the alignment: each caller's sequence is aligned on its own.

use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

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

/// Two sequences to align and the parents they hang under (`None` for top level).
type Job = (Vec<usize>, Vec<usize>, Option<(usize, usize)>);

impl CallTree {
    fn children(&self) -> Children {
        let mut children = vec![Vec::new(); self.sigs.len()];
        let mut roots: Vec<(u32, Vec<usize>)> = Vec::new();
        let mut root_slot: HashMap<u32, usize> = HashMap::new();
        for (index, parent) in self.parents.iter().enumerate() {
            match *parent {
                Some(p) if p < self.sigs.len() && p != index => children[p].push(index),
                _ => {
                    let caller = self.callers.get(index).copied().unwrap_or(0);
                    let slot = *root_slot.entry(caller).or_insert_with(|| {
                        roots.push((caller, Vec::new()));
                        roots.len() - 1
                    });
                    roots[slot].1.push(index);
                }
            }
        }
        (children, roots)
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
    /// Old exchanges of the run, in order.
    pub old: Vec<usize>,
    /// New exchanges of the run, in order.
    pub new: Vec<usize>,
}

/// Cache-dependent calls under one parent pair (or at one caller's top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheGroup {
    /// The aligned parents; `None` for top-level calls.
    pub parent: Option<(usize, usize)>,
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
    /// True when a sequence diff hit the time bound and fell back to a coarser alignment.
    pub bounded: bool,
}

/// Time budget for all sequence diffs of one comparison; past it, `similar` degrades gracefully.
const BUDGET: Duration = Duration::from_secs(2);

/// A run of identical consecutive calls inside one sequence: `seq[start..start + len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Run {
    sig: u32,
    start: usize,
    len: usize,
}

fn runs(seq: &[usize], sigs: &[u32]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (pos, &index) in seq.iter().enumerate() {
        let sig = sigs[index];
        match out.last_mut() {
            Some(run) if run.sig == sig => run.len += 1,
            _ => out.push(Run {
                sig,
                start: pos,
                len: 1,
            }),
        }
    }
    out
}

struct Aligner<'a> {
    old: &'a CallTree,
    new: &'a CallTree,
    old_children: Vec<Vec<usize>>,
    new_children: Vec<Vec<usize>>,
    separate_cache: bool,
    deadline: Instant,
    jobs: Vec<Job>,
    out: Alignment,
    /// Tops of unmatched subtrees, waiting for a cross-parent match.
    loose_old: Vec<usize>,
    loose_new: Vec<usize>,
}

/// Aligns `old` with `new`. With `separate_cache`, cache-dependent calls are kept out of the
/// sequence alignment and matched per parent in [`Alignment::cache_groups`].
pub fn align(old: &CallTree, new: &CallTree, separate_cache: bool) -> Alignment {
    let (old_children, old_roots) = old.children();
    let (new_children, new_roots) = new.children();
    let mut aligner = Aligner {
        old,
        new,
        old_children,
        new_children,
        separate_cache,
        deadline: Instant::now() + BUDGET,
        jobs: Vec::new(),
        out: Alignment::default(),
        loose_old: Vec::new(),
        loose_new: Vec::new(),
    };
    let mut new_roots: HashMap<u32, Vec<usize>> = new_roots.into_iter().collect();
    for (caller, seq) in old_roots {
        let other = new_roots.remove(&caller).unwrap_or_default();
        aligner.jobs.push((seq, other, None));
    }
    let mut rest: Vec<(u32, Vec<usize>)> = new_roots.into_iter().collect();
    rest.sort();
    for (_, seq) in rest {
        aligner.jobs.push((Vec::new(), seq, None));
    }
    aligner.run();
    aligner.finish()
}

impl Aligner<'_> {
    fn run(&mut self) {
        loop {
            while let Some((old_seq, new_seq, parent)) = self.jobs.pop() {
                self.align_sequence(old_seq, new_seq, parent);
            }
            if !self.match_across_parents() {
                break;
            }
        }
    }

    fn pair(&mut self, old: usize, new: usize, how: How) {
        self.out.pairs.push(Pair { old, new, how });
        let old_kids = std::mem::take(&mut self.old_children[old]);
        let new_kids = std::mem::take(&mut self.new_children[new]);
        if !old_kids.is_empty() || !new_kids.is_empty() {
            self.jobs.push((old_kids, new_kids, Some((old, new))));
        }
    }

    /// Pairs two runs of the same call. Equal lengths pair in order; otherwise calls with equal
    /// content pair first (a shorter polling loop lost some repeat, not its distinct answers),
    /// the rest in order.
    fn pair_runs(&mut self, old_items: &[usize], new_items: &[usize], how: How) {
        if old_items.len() == new_items.len() {
            for (&o, &n) in old_items.iter().zip(new_items) {
                self.pair(o, n, how);
            }
            return;
        }
        let content = |tree: &CallTree, items: &[usize]| -> Vec<u64> {
            items
                .iter()
                .map(|&i| tree.content.get(i).copied().unwrap_or(0))
                .collect()
        };
        let (old_content, new_content) =
            (content(self.old, old_items), content(self.new, new_items));
        let ops = capture_diff_slices_deadline(
            Algorithm::Myers,
            &old_content,
            &new_content,
            Some(self.deadline),
        );
        let (mut rest_old, mut rest_new) = (Vec::new(), Vec::new());
        let mut pairs = Vec::new();
        for op in ops {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                pairs.extend(old_range.zip(new_range));
            } else {
                rest_old.extend(old_range);
                rest_new.extend(new_range);
            }
        }
        pairs.extend(rest_old.into_iter().zip(rest_new));
        pairs.sort_unstable();
        for (o, n) in pairs {
            self.pair(old_items[o], new_items[n], how);
        }
        self.out.repeats.push(Repeat {
            old: old_items.to_vec(),
            new: new_items.to_vec(),
        });
    }

    fn align_sequence(
        &mut self,
        old_seq: Vec<usize>,
        new_seq: Vec<usize>,
        parent: Option<(usize, usize)>,
    ) {
        let (old_seq, old_cache) = self.split_cache(old_seq, self.old);
        let (new_seq, new_cache) = self.split_cache(new_seq, self.new);
        if !old_cache.is_empty() || !new_cache.is_empty() {
            self.cache_group(parent, old_cache, new_cache);
        }
        let old_runs = runs(&old_seq, &self.old.sigs);
        let new_runs = runs(&new_seq, &self.new.sigs);
        let old_ids: Vec<u32> = old_runs.iter().map(|r| r.sig).collect();
        let new_ids: Vec<u32> = new_runs.iter().map(|r| r.sig).collect();
        let ops =
            capture_diff_slices_deadline(Algorithm::Myers, &old_ids, &new_ids, Some(self.deadline));
        if Instant::now() > self.deadline {
            self.out.bounded = true;
        }
        let mut left_old: Vec<Run> = Vec::new();
        let mut left_new: Vec<Run> = Vec::new();
        for op in ops {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                for (o, n) in old_range.zip(new_range) {
                    let (o, n) = (old_runs[o], new_runs[n]);
                    let old_items = &old_seq[o.start..o.start + o.len];
                    let new_items = &new_seq[n.start..n.start + n.len];
                    self.pair_runs(old_items, new_items, How::InPlace);
                }
            } else {
                left_old.extend(old_range.map(|o| old_runs[o]));
                left_new.extend(new_range.map(|n| new_runs[n]));
            }
        }
        // The same call left over on both sides of one caller's sequence moved within it.
        let mut by_sig: HashMap<u32, VecDeque<Run>> = HashMap::new();
        for run in left_new {
            by_sig.entry(run.sig).or_default().push_back(run);
        }
        for o in left_old {
            let old_items = &old_seq[o.start..o.start + o.len];
            match by_sig.get_mut(&o.sig).and_then(VecDeque::pop_front) {
                Some(n) => {
                    let new_items = &new_seq[n.start..n.start + n.len];
                    self.pair_runs(old_items, new_items, How::Reordered);
                }
                None => self.loose_old.extend_from_slice(old_items),
            }
        }
        let mut rest: Vec<Run> = by_sig.into_values().flatten().collect();
        rest.sort_by_key(|r| r.start);
        for n in rest {
            self.loose_new
                .extend_from_slice(&new_seq[n.start..n.start + n.len]);
        }
    }

    fn split_cache(&self, seq: Vec<usize>, tree: &CallTree) -> (Vec<usize>, Vec<usize>) {
        if !self.separate_cache {
            return (seq, Vec::new());
        }
        seq.into_iter().partition(|&i| !tree.cache_dependent[i])
    }

    /// Matches cache-dependent calls of one parent by signature, in order.
    fn cache_group(&mut self, parent: Option<(usize, usize)>, old: Vec<usize>, new: Vec<usize>) {
        let mut by_sig: HashMap<u32, VecDeque<usize>> = HashMap::new();
        for &n in &new {
            by_sig.entry(self.new.sigs[n]).or_default().push_back(n);
        }
        for &o in &old {
            if let Some(n) = by_sig
                .get_mut(&self.old.sigs[o])
                .and_then(VecDeque::pop_front)
            {
                self.pair(o, n, How::CacheDependent);
            }
        }
        self.out.cache_groups.push(CacheGroup { parent, old, new });
    }

    /// Pairs loose subtrees of the same call found under different parents. True if any paired.
    fn match_across_parents(&mut self) -> bool {
        let loose_old = std::mem::take(&mut self.loose_old);
        let loose_new = std::mem::take(&mut self.loose_new);
        let mut by_sig: HashMap<u32, VecDeque<usize>> = HashMap::new();
        for n in loose_new {
            by_sig.entry(self.new.sigs[n]).or_default().push_back(n);
        }
        let mut any = false;
        for o in loose_old {
            match by_sig
                .get_mut(&self.old.sigs[o])
                .and_then(VecDeque::pop_front)
            {
                Some(n) => {
                    self.pair(o, n, How::Moved);
                    any = true;
                }
                None => self.out.missing.push(o),
            }
        }
        let mut left: Vec<usize> = by_sig.into_values().flatten().collect();
        left.sort_unstable();
        self.out.extra.extend(left);
        any
    }

    fn finish(mut self) -> Alignment {
        let missing = std::mem::take(&mut self.out.missing);
        let extra = std::mem::take(&mut self.out.extra);
        self.out.missing = self.expand(missing, true);
        self.out.extra = self.expand(extra, false);
        self.out.pairs.sort_by_key(|p| (p.new, p.old));
        self.out
    }

    /// Every exchange of the unmatched subtrees under `tops`, minus cache-dependent ones.
    fn expand(&mut self, tops: Vec<usize>, old_side: bool) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = tops;
        while let Some(index) = stack.pop() {
            let (tree, children) = if old_side {
                (self.old, &mut self.old_children)
            } else {
                (self.new, &mut self.new_children)
            };
            if self.separate_cache && tree.cache_dependent[index] {
                self.out.cache_in_subtrees += 1;
            } else {
                out.push(index);
            }
            stack.extend(std::mem::take(&mut children[index]));
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
#[path = "align_tests.rs"]
mod tests;
