//! Work shared between cores: the same work on both sides of a comparison at once, a map over
//! many items, a job's chunks taken by whichever thread is free, and a thread's result joined.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::ScopedJoinHandle;

/// `work(old)` on this thread and `work(new)` on another at once when `apart`, else one after
/// the other (OLD first). A panic on either side goes on here.
pub(crate) fn both_sides<I: Send, T: Send>(
    apart: bool,
    old: I,
    new: I,
    work: impl Fn(I) -> T + Sync,
) -> (T, T) {
    if !apart {
        let old = work(old);
        return (old, work(new));
    }
    let work = &work;
    std::thread::scope(|scope| {
        let new_side = scope.spawn(move || work(new));
        let old_side = work(old);
        (old_side, joined(new_side))
    })
}

/// From this many items on, [`par_map`] runs on several threads (reading and comparing a
/// capture is worth a thread; a few are not).
const MAP_APART_FROM: usize = 8;

/// Maps `f` over `items`, keeping their order; on several threads when there are many.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if items.len() < MAP_APART_FROM || threads < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles.into_iter().flat_map(joined).collect()
    })
}

/// The ranges of `0..len`, `size` at a time, that the calling thread takes from `next`, a
/// counter from 0 that the threads sharing the job take from: each range goes to one of them,
/// and together they cover `0..len`.
pub(crate) fn claimed(
    len: usize,
    size: usize,
    next: &AtomicUsize,
) -> impl Iterator<Item = Range<usize>> + '_ {
    std::iter::from_fn(move || {
        let start = next.fetch_add(size, Ordering::Relaxed);
        (start < len).then(|| start..len.min(start + size))
    })
}

/// What a scoped thread returned; a panic there goes on here.
pub(crate) fn joined<T>(handle: ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_gets_its_own_result_whether_apart_or_not() {
        for apart in [false, true] {
            assert_eq!(both_sides(apart, 2, 3, |x| x * 10), (20, 30));
        }
    }

    #[test]
    fn par_map_keeps_order_at_any_size() {
        for n in [0, 3, MAP_APART_FROM, 101] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = par_map(&items, |x| x * 2);
            assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
    }

    /// Two takers taking turns share every chunk, each once, the last one cut at the end.
    #[test]
    fn claimed_chunks_cover_the_job_once() {
        let next = AtomicUsize::new(0);
        let (mut one, mut other) = (claimed(10, 3, &next), claimed(10, 3, &next));
        let taken = [
            one.next(),
            other.next(),
            other.next(),
            one.next(),
            one.next(),
        ];
        assert_eq!(
            taken,
            [Some(0..3), Some(3..6), Some(6..9), Some(9..10), None]
        );
        assert_eq!(other.next(), None);
    }
}
