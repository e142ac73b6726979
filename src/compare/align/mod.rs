//! Alignment of two call trees: each caller's own sequence of calls, children under their parent.
//!
//! The only user of `similar` in flowdiff. Sequences are aligned on interned signature ids after
//! folding runs of the same consecutive call into one item with a count, so a polling loop of
//! different length is one repeat, not N missing calls. Interleaving between actors never enters
//! the alignment: each caller's sequence is aligned on its own.
//!
//! The work is bounded by input size, never by time, so every machine gets the same alignment:
//! after trimming the common prefix and suffix, Myers aligns what differs exactly when its worst
//! case is small ([`EXACT_LIMIT`]); a longer differing stretch is aligned coarsely in linear time
//! (`coarse`) and recorded in [`Alignment::coarse`] for the report to say so.

mod model;

use super::content;
use super::repeat;
use super::segments::{self, Aligned};
use crate::intern::Interner;
pub use model::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use similar::{capture_diff, Algorithm, DiffTag};
use std::collections::VecDeque;
use std::ops::Range;

/// Two sequences to align and the parents they hang under (`None` for top level).
type Job = (Vec<usize>, Vec<usize>, Option<(usize, usize)>);

/// The largest `(n + m)²` of a differing stretch (`n` and `m` items after trimming the common
/// prefix and suffix) that Myers aligns exactly: its worst case is about that many steps. Up to
/// 4,096 items on both sides together.
pub const EXACT_LIMIT: usize = 1 << 24;

/// How many items ahead on each side the coarse alignment looks for the next common item.
const WINDOW: usize = 32;

/// One diff operation: what, and the ranges of each sequence it covers.
type Op = (DiffTag, Range<usize>, Range<usize>);

/// A stretch of two sequences: a range of each.
type Stretch = (Range<usize>, Range<usize>);

/// The diff of `old` and `new`, and the stretch aligned coarsely, if any.
fn diff<T: Eq + std::hash::Hash + Ord>(old: &[T], new: &[T]) -> (Vec<Op>, Option<Stretch>) {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (prefix..old.len() - suffix, prefix..new.len() - suffix);
    let mut ops: Vec<Op> = Vec::new();
    if prefix > 0 {
        ops.push((DiffTag::Equal, 0..prefix, 0..prefix));
    }
    let size = old_mid.len() + new_mid.len();
    let mut bounded = None;
    if old_mid.is_empty() || new_mid.is_empty() || size.saturating_mul(size) <= EXACT_LIMIT {
        let exact = capture_diff(Algorithm::Myers, old, old_mid, new, new_mid);
        ops.extend(exact.iter().map(|op| op.as_tag_tuple()));
    } else {
        ops.extend(coarse(old, old_mid.clone(), new, new_mid.clone()));
        bounded = Some((old_mid, new_mid));
    }
    if suffix > 0 {
        ops.push((
            DiffTag::Equal,
            old.len() - suffix..old.len(),
            new.len() - suffix..new.len(),
        ));
    }
    (ops, bounded)
}

/// A linear, deterministic alignment of `old[old_range]` with `new[new_range]`: equal items
/// pair in order; at a difference, the nearest items ahead that are equal again (fewest skipped
/// on both sides together, the most even split first, at most [`WINDOW`] on each) resume it, and what was skipped is a
/// change; with none in reach, one item of each side is a change. Good for scattered
/// differences; a moved block longer than the window comes out as changes.
fn coarse<T: Eq>(
    old: &[T],
    old_range: Range<usize>,
    new: &[T],
    new_range: Range<usize>,
) -> Vec<Op> {
    let (old_end, new_end) = (old_range.end, new_range.end);
    let (mut i, mut j) = (old_range.start, new_range.start);
    let mut ops: Vec<Op> = Vec::new();
    let mut push = |tag: DiffTag, o: Range<usize>, n: Range<usize>| match ops.last_mut() {
        Some((last, lo, ln)) if *last == tag && lo.end == o.start && ln.end == n.start => {
            lo.end = o.end;
            ln.end = n.end;
        }
        _ => ops.push((tag, o, n)),
    };
    while i < old_end && j < new_end {
        if old[i] == new[j] {
            push(DiffTag::Equal, i..i + 1, j..j + 1);
            i += 1;
            j += 1;
            continue;
        }
        // Fewest skipped in all first; among those, the most even split (a changed call is
        // one skipped on each side, not two on one side).
        let resume = (1..=2 * WINDOW).find_map(|k| {
            (0..=2 * k + 1)
                .filter_map(|t| match t % 2 {
                    0 => Some(k / 2 + t / 2),
                    _ => (k / 2).checked_sub(t / 2 + 1),
                })
                .filter(|&x| x <= k && x <= WINDOW && k - x <= WINDOW)
                .map(|x| (x, k - x))
                .find(|&(x, y)| i + x < old_end && j + y < new_end && old[i + x] == new[j + y])
        });
        let (x, y) = resume.unwrap_or((1, 1));
        let tag = match (x, y) {
            (0, _) => DiffTag::Insert,
            (_, 0) => DiffTag::Delete,
            _ => DiffTag::Replace,
        };
        push(tag, i..i + x, j..j + y);
        i += x;
        j += y;
    }
    if i < old_end || j < new_end {
        let tag = if i < old_end && j < new_end {
            DiffTag::Replace
        } else if i < old_end {
            DiffTag::Delete
        } else {
            DiffTag::Insert
        };
        push(tag, i..old_end, j..new_end);
    }
    ops
}

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

/// One side of a sequence being aligned: its calls (plumbing set apart), their runs of one
/// call repeated consecutively, and each run's signature (what the diff compares).
struct RunSeq {
    seq: Vec<usize>,
    runs: Vec<Run>,
    ids: Vec<u32>,
}

impl RunSeq {
    /// The runs of `seq`, whose calls have signatures `sigs`.
    fn new(seq: Vec<usize>, sigs: &[u32]) -> RunSeq {
        let runs = runs(&seq, sigs);
        let ids = runs.iter().map(|r| r.sig).collect();
        RunSeq { seq, runs, ids }
    }

    /// The calls of `run`.
    fn calls(&self, run: &Run) -> &[usize] {
        &self.seq[run.start..run.start + run.len]
    }

    /// The calls of the runs `r` (not empty), a slice of the sequence.
    fn calls_of_runs(&self, r: Range<usize>) -> &[usize] {
        let last = &self.runs[r.end - 1];
        &self.seq[self.runs[r.start].start..last.start + last.len]
    }

    /// The calls of the runs `range`, collected.
    fn calls_in(&self, range: Range<usize>) -> Vec<usize> {
        range
            .flat_map(|r| self.calls(&self.runs[r]).to_vec())
            .collect()
    }
}

/// Matches the runs the diff `ops` found equal (old run -> new run and back, for `old_len` and
/// `new_len` runs) and returns the stretches where they differ.
fn equal_runs(
    ops: Vec<Op>,
    old_len: usize,
    new_len: usize,
) -> (Vec<Option<usize>>, Vec<Option<usize>>, Vec<Stretch>) {
    let mut old_map: Vec<Option<usize>> = vec![None; old_len];
    let mut new_map: Vec<Option<usize>> = vec![None; new_len];
    let mut gaps = Vec::new();
    for (tag, old_range, new_range) in ops {
        if tag == DiffTag::Equal {
            for (o, n) in old_range.zip(new_range) {
                old_map[o] = Some(n);
                new_map[n] = Some(o);
            }
        } else {
            gaps.push((old_range, new_range));
        }
    }
    (old_map, new_map, gaps)
}

struct Aligner<'a> {
    old: &'a CallTree,
    new: &'a CallTree,
    /// How far the payloads of old exchange `o` and new exchange `n` drift apart: what pairs
    /// calls of one signature by content.
    drift: &'a dyn Fn(usize, usize) -> u32,
    old_children: Vec<Vec<usize>>,
    new_children: Vec<Vec<usize>>,
    separate_cache: bool,
    jobs: Vec<Job>,
    out: Alignment,
    /// Tops of unmatched subtrees, waiting for a cross-parent match.
    loose_old: Vec<usize>,
    loose_new: Vec<usize>,
}

/// Aligns `old` with `new`. With `separate_cache`, plumbing (cache-dependent and internal calls)
/// is kept out of the sequence alignment and matched per parent in [`Alignment::cache_groups`].
/// Calls of one signature that could pair several ways pair by content: `drift(o, n)` says how
/// far the payloads of old exchange `o` and new exchange `n` are apart.
pub fn align(
    old: &CallTree,
    new: &CallTree,
    separate_cache: bool,
    drift: &dyn Fn(usize, usize) -> u32,
) -> Alignment {
    let (old_children, old_roots) = old.children();
    let (new_children, new_roots) = new.children();
    let mut aligner = Aligner {
        old,
        new,
        drift,
        old_children,
        new_children,
        separate_cache,
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

    /// Pairs two runs of the same call (returned, not yet paired). Equal lengths pair in order;
    /// otherwise calls with equal content pair first (a shorter polling loop lost some repeat,
    /// not its distinct answers), the rest by content, and the changed count is recorded.
    fn pair_runs(&mut self, old_items: &[usize], new_items: &[usize]) -> Vec<(usize, usize)> {
        if old_items.len() == new_items.len() {
            return old_items
                .iter()
                .copied()
                .zip(new_items.iter().copied())
                .collect();
        }
        let content = |tree: &CallTree, items: &[usize]| -> Vec<u64> {
            items
                .iter()
                .map(|&i| tree.content.get(i).copied().unwrap_or(0))
                .collect()
        };
        let (old_content, new_content) =
            (content(self.old, old_items), content(self.new, new_items));
        let (ops, bounded) = diff(&old_content, &new_content);
        if let Some((o, n)) = bounded {
            self.bounded(&old_items[o], &new_items[n]);
        }
        let (mut rest_old, mut rest_new) = (Vec::new(), Vec::new());
        let mut pairs = Vec::new();
        for (tag, old_range, new_range) in ops {
            if tag == DiffTag::Equal {
                pairs.extend(old_range.zip(new_range));
            } else {
                rest_old.extend(old_range);
                rest_new.extend(new_range);
            }
        }
        let mut pairs: Vec<(usize, usize)> = pairs
            .into_iter()
            .map(|(o, n)| (old_items[o], new_items[n]))
            .collect();
        let rest_old: Vec<usize> = rest_old.into_iter().map(|o| old_items[o]).collect();
        let rest_new: Vec<usize> = rest_new.into_iter().map(|n| new_items[n]).collect();
        pairs.extend(content::pair(&rest_old, &rest_new, self.drift));
        pairs.sort_unstable();
        self.out.repeats.push(Repeat {
            old: old_items.to_vec(),
            new: new_items.to_vec(),
            period: 1,
            old_count: old_items.len(),
            new_count: new_items.len(),
        });
        pairs
    }

    /// Re-pairs calls of one signature among `pairs` (made by position) by content, where a
    /// signature has several pairs: the position of a same-signature call carries no meaning
    /// when another one can stand in its place. Groups too large to weigh keep their pairs.
    fn by_content(&self, pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
        let mut groups: HashMap<u32, Vec<(usize, usize)>> = HashMap::default();
        for &(o, n) in &pairs {
            groups.entry(self.old.sigs[o]).or_default().push((o, n));
        }
        if groups.values().all(|group| group.len() < 2) {
            return pairs;
        }
        let mut out = Vec::with_capacity(pairs.len());
        for (o, _) in pairs {
            let Some(group) = groups.remove(&self.old.sigs[o]) else {
                continue;
            };
            if group.len() < 2 || group.len() * group.len() > content::MAX_WEIGHED {
                out.extend(group);
                continue;
            }
            let mut old: Vec<usize> = group.iter().map(|p| p.0).collect();
            let mut new: Vec<usize> = group.iter().map(|p| p.1).collect();
            old.sort_unstable();
            new.sort_unstable();
            out.extend(content::pair(&old, &new, self.drift));
        }
        out
    }

    /// Aligns one caller's sequence of calls (or one pair of parents' children): plumbing set
    /// apart, runs of one call folded, the runs diffed; equal runs pair in place, a gap that
    /// is a repeated block becomes a repeat count, the same call left over on both sides moved,
    /// and the rest waits for a match across parents.
    fn align_sequence(
        &mut self,
        old_seq: Vec<usize>,
        new_seq: Vec<usize>,
        parent: Option<(usize, usize)>,
    ) {
        let (old_seq, old_cache) =
            segments::split(old_seq, &self.old.cache_dependent, self.separate_cache);
        let (new_seq, new_cache) =
            segments::split(new_seq, &self.new.cache_dependent, self.separate_cache);
        let old = RunSeq::new(old_seq, &self.old.sigs);
        let new = RunSeq::new(new_seq, &self.new.sigs);
        let (ops, bounded) = diff(&old.ids, &new.ids);
        if let Some((o, n)) = bounded {
            self.bounded(old.calls_of_runs(o), new.calls_of_runs(n));
        }
        let (mut old_map, mut new_map, gaps) = equal_runs(ops, old.runs.len(), new.runs.len());
        let (left_old, left_new) = self.place_repeats(&old, &new, gaps, &mut old_map, &mut new_map);
        let in_place = self.pair_in_place(&old, &new, &old_map);
        // Plumbing segments follow the positional alignment: it says where calls sit.
        let old_side = Aligned::new(&old.seq, in_place.iter().map(|&(o, n)| (o, n)));
        let new_side = Aligned::new(&new.seq, in_place.iter().map(|&(o, n)| (n, o)));
        self.cache_segments(parent, (&old_side, old_cache), (&new_side, new_cache));
        self.pair_moved(&old, &new, left_old, left_new);
    }

    /// Records as repeats the gaps of the diff that are a block of calls repeated on one side
    /// (a polling loop that ran more or fewer times), placing the block's extra copies where
    /// they differ most; returns the runs of the other gaps, old and new.
    fn place_repeats(
        &mut self,
        old: &RunSeq,
        new: &RunSeq,
        gaps: Vec<Stretch>,
        old_map: &mut [Option<usize>],
        new_map: &mut [Option<usize>],
    ) -> (Vec<Run>, Vec<Run>) {
        let (old_tree, new_tree) = (self.old, self.new);
        // Scored for every placement of a repeated block: compared lazily, nothing collected.
        let mismatch = |o: usize, n: usize| -> usize {
            let (a, b) = (&old.runs[o], &new.runs[n]);
            let differing = run_contents(old_tree, a, &old.seq)
                .zip(run_contents(new_tree, b, &new.seq))
                .filter(|(x, y)| x != y)
                .count();
            differing + a.len.abs_diff(b.len)
        };
        let mut left_old: Vec<Run> = Vec::new();
        let mut left_new: Vec<Run> = Vec::new();
        let mut repeats = Vec::new();
        for (old_range, new_range) in gaps {
            if new_range.is_empty() {
                if let Some(block) = repeat::repeated_block(&old.ids, old_range.clone()) {
                    let dropped = repeat::place(block, old_range, old_map, new_map, mismatch);
                    let changed = dropped.len() / block.period;
                    repeats.push(Repeat {
                        old: old.calls_in(dropped),
                        new: Vec::new(),
                        period: block.period,
                        old_count: block.count(),
                        new_count: block.count() - changed,
                    });
                    continue;
                }
            } else if old_range.is_empty() {
                if let Some(block) = repeat::repeated_block(&new.ids, new_range.clone()) {
                    let dropped =
                        repeat::place(block, new_range, new_map, old_map, |n, o| mismatch(o, n));
                    let changed = dropped.len() / block.period;
                    repeats.push(Repeat {
                        old: Vec::new(),
                        new: new.calls_in(dropped),
                        period: block.period,
                        old_count: block.count() - changed,
                        new_count: block.count(),
                    });
                    continue;
                }
            }
            left_old.extend(old_range.map(|o| old.runs[o]));
            left_new.extend(new_range.map(|n| new.runs[n]));
        }
        self.out.repeats.extend(repeats);
        (left_old, left_new)
    }

    /// Pairs the calls of the runs matched in place (`old_map`: old run -> new run), calls of
    /// one signature by content; returns the pairs by position, which place the plumbing.
    fn pair_in_place(
        &mut self,
        old: &RunSeq,
        new: &RunSeq,
        old_map: &[Option<usize>],
    ) -> Vec<(usize, usize)> {
        let mut in_place = Vec::new();
        for (o, n) in old_map.iter().enumerate() {
            if let Some(n) = *n {
                let pairs = self.pair_runs(old.calls(&old.runs[o]), new.calls(&new.runs[n]));
                in_place.extend(pairs);
            }
        }
        for (o, n) in self.by_content(in_place.clone()) {
            self.pair(o, n, How::InPlace);
        }
        in_place
    }

    /// Pairs the same call left over on both sides of one sequence (it moved within it), in
    /// order; the calls left unpaired wait for a match across parents.
    fn pair_moved(&mut self, old: &RunSeq, new: &RunSeq, left_old: Vec<Run>, left_new: Vec<Run>) {
        let mut by_sig: HashMap<u32, VecDeque<Run>> = HashMap::default();
        for run in left_new {
            by_sig.entry(run.sig).or_default().push_back(run);
        }
        for o in left_old {
            let old_items = old.calls(&o);
            match by_sig.get_mut(&o.sig).and_then(VecDeque::pop_front) {
                Some(n) => {
                    for (o, n) in self.pair_runs(old_items, new.calls(&n)) {
                        self.pair(o, n, How::Reordered);
                    }
                }
                None => self.loose_old.extend_from_slice(old_items),
            }
        }
        let mut rest: Vec<Run> = by_sig.into_values().flatten().collect();
        rest.sort_by_key(|r| r.start);
        for n in rest {
            self.loose_new.extend_from_slice(new.calls(&n));
        }
    }

    /// Records a stretch aligned coarsely: the exchanges of each side it spans, in order.
    fn bounded(&mut self, old: &[usize], new: &[usize]) {
        let span = |items: &[usize]| Some((*items.iter().min()?, *items.iter().max()?));
        if let (Some(old), Some(new)) = (span(old), span(new)) {
            self.out.coarse.push(Coarse { old, new });
        }
    }

    /// Groups cache-dependent calls: all of them under a parent, or, at top level, by the
    /// stretch between two in-place pairs of the caller's sequence they sit in.
    fn cache_segments(
        &mut self,
        parent: Option<(usize, usize)>,
        (old, old_cache): (&Aligned, Vec<(usize, usize)>),
        (new, new_cache): (&Aligned, Vec<(usize, usize)>),
    ) {
        if old_cache.is_empty() && new_cache.is_empty() {
            return;
        }
        if parent.is_some() {
            let strip = |calls: Vec<(usize, usize)>| calls.into_iter().map(|c| c.0).collect();
            self.cache_group(parent, None, strip(old_cache), strip(new_cache));
            return;
        }
        for (after, (o, n)) in segments::top_level(old, old_cache, new, new_cache) {
            self.cache_group(None, after, o, n);
        }
    }

    /// Matches plumbing calls of one parent by signature, then by content.
    fn cache_group(
        &mut self,
        parent: Option<(usize, usize)>,
        after: Option<(usize, usize)>,
        old: Vec<usize>,
        new: Vec<usize>,
    ) {
        for (o, n) in self.same_signature_pairs(&old, &new) {
            self.pair(o, n, How::CacheDependent);
        }
        self.out.cache_groups.push(CacheGroup {
            parent,
            after,
            old,
            new,
        });
    }

    /// Pairs loose subtrees of the same call found under different parents. True if any paired.
    fn match_across_parents(&mut self) -> bool {
        let loose_old = std::mem::take(&mut self.loose_old);
        let loose_new = std::mem::take(&mut self.loose_new);
        let pairs = self.same_signature_pairs(&loose_old, &loose_new);
        let (mut paired_old, mut paired_new) = (HashSet::default(), HashSet::default());
        for &(o, n) in &pairs {
            paired_old.insert(o);
            paired_new.insert(n);
            self.pair(o, n, How::Moved);
        }
        let missing = loose_old.into_iter().filter(|o| !paired_old.contains(o));
        self.out.missing.extend(missing);
        let mut left: Vec<usize> = loose_new
            .into_iter()
            .filter(|n| !paired_new.contains(n))
            .collect();
        left.sort_unstable();
        self.out.extra.extend(left);
        !pairs.is_empty()
    }

    /// Pairs calls of `old` with calls of `new` of the same signature, by content within each
    /// signature; signatures in order of first appearance in `old`, pairs in that order.
    fn same_signature_pairs(&self, old: &[usize], new: &[usize]) -> Vec<(usize, usize)> {
        let mut news: HashMap<u32, Vec<usize>> = HashMap::default();
        for &n in new {
            news.entry(self.new.sigs[n]).or_default().push(n);
        }
        let mut olds: Interner<(u32, Vec<usize>), u32> = Interner::default();
        for &o in old {
            let sig = self.old.sigs[o];
            let k = olds.intern(&sig, || (sig, Vec::new()));
            olds[k].1.push(o);
        }
        let mut pairs = Vec::new();
        for (sig, old_calls) in olds.into_values() {
            if let Some(new_calls) = news.get(&sig) {
                pairs.extend(content::pair(&old_calls, new_calls, self.drift));
            }
        }
        pairs
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

/// The content hashes of the calls of `run` (positions into `seq`) in `tree`.
fn run_contents<'t>(
    tree: &'t CallTree,
    run: &Run,
    seq: &'t [usize],
) -> impl Iterator<Item = u64> + 't {
    seq[run.start..run.start + run.len]
        .iter()
        .map(|&i| tree.content.get(i).copied().unwrap_or(0))
}

#[cfg(test)]
mod tests;
