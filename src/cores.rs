//! Work shared between cores: the same work on both sides of a comparison at once, a map over
//! many items, a job's chunks taken by whichever thread is free, a thread's result joined, and
//! the process's helper thread, kept for work handed over while the caller does its own.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::OnceLock;
use std::thread::ScopedJoinHandle;

/// `work(old)` on this thread and `work(new)` on another at once when `at_once`, else one after
/// the other (OLD first). A panic on either side goes on here.
pub(crate) fn both_sides<I: Send, T: Send>(
    at_once: bool,
    old: I,
    new: I,
    work: impl Fn(I) -> T + Sync,
) -> (T, T) {
    if !at_once {
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

/// A job for the helper thread.
type Job = Box<dyn FnOnce() + Send>;

/// The process's helper thread: started once (early, by the command line, so that its start
/// overlaps work the calling thread does anyway) and kept, so that handing it work costs
/// neither a thread's start nor its exit. Between jobs it sleeps: spinning for the next job was
/// measured slower while the two threads could share a CPU, and no faster once kept apart.
struct Helper {
    /// Jobs, taken in turn.
    jobs: Sender<Job>,
    /// True while a job is queued or running.
    busy: AtomicBool,
}

/// The helper thread, started by [`warm_up`] or on first use; `None` when no thread could be
/// started.
static HELPER: OnceLock<Option<Helper>> = OnceLock::new();

/// Starts the helper thread, which runs `first` (if any) before it takes jobs.
fn start_helper(first: Option<Job>) -> Option<Helper> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let caller = Cpu::current();
    std::thread::Builder::new()
        .name("flowdiff-helper".into())
        .spawn(move || {
            if let Some(first) = first {
                let _placed = Placed::off(caller);
                // Work started early: a panic there comes again where its result is needed.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(first));
            }
            while let Ok(job) = queue.recv() {
                job();
            }
        })
        .ok()?;
    Some(Helper {
        jobs,
        busy: AtomicBool::new(false),
    })
}

/// Starts the helper thread now, which runs `first` before it takes jobs; nothing when it is
/// already running. A command line calls this before it parses its arguments, with work
/// that most commands need soon (the built-in rules), so that the other core is awake and
/// that work done or under way when the first job comes.
pub(crate) fn warm_up(first: impl FnOnce() + Send + 'static) {
    HELPER.get_or_init(|| start_helper(Some(Box::new(first))));
}

/// Work running apart from the caller (see [`apart`]); [`Apart::join`] waits for its result.
pub(crate) struct Apart<T> {
    pending: Pending<T>,
    /// The caller kept on its CPU until the work is joined.
    _placed: Placed,
}

/// Where the work of an [`Apart`] is.
enum Pending<T> {
    /// On the helper thread, which sends its outcome when done.
    Helper(Receiver<std::thread::Result<T>>),
    /// Done already, on the calling thread.
    Done(T),
}

/// Runs `job` apart from the calling thread: on the helper thread, or (when it is busy with
/// another caller's job, or no thread can be started) here and now. Until the work is joined,
/// the helper keeps off the caller's CPU and the caller on it, so that the two run at once
/// (threads the caller starts meanwhile share its CPU).
pub(crate) fn apart<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Apart<T> {
    let Some(helper) = HELPER.get_or_init(|| start_helper(None)) else {
        return Apart::done(job());
    };
    if helper
        .busy
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return Apart::done(job());
    }
    let caller = Cpu::current();
    let (outcome, receiver) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let placed = Placed::off(caller);
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        helper.busy.store(false, Ordering::Release);
        let _ = outcome.send(done);
        drop(placed);
    });
    let placed = Placed::on(caller);
    // The helper never stops taking jobs; were it gone, the job runs here (sending its
    // outcome all the same).
    if let Err(mpsc::SendError(job)) = helper.jobs.send(job) {
        job();
    }
    Apart {
        pending: Pending::Helper(receiver),
        _placed: placed,
    }
}

impl<T> Apart<T> {
    /// Work already done on the calling thread.
    fn done(result: T) -> Apart<T> {
        Apart {
            pending: Pending::Done(result),
            _placed: Placed::nowhere(),
        }
    }

    /// The work's result, once it is done; a panic there goes on here.
    pub(crate) fn join(self) -> T {
        match self.pending {
            Pending::Done(result) => result,
            Pending::Helper(receiver) => match receiver.recv() {
                Ok(Ok(result)) => result,
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                // The job sends its outcome before it is dropped, even when it panics.
                Err(mpsc::RecvError) => unreachable!("a job dropped without an outcome"),
            },
        }
    }
}

/// The CPU a thread ran on when asked, where the platform tells (Linux).
#[derive(Clone, Copy)]
struct Cpu(Option<usize>);

impl Cpu {
    /// The CPU the calling thread runs on.
    fn current() -> Cpu {
        #[cfg(target_os = "linux")]
        return Cpu(Some(rustix::thread::sched_getcpu()));
        #[cfg(not(target_os = "linux"))]
        Cpu(None)
    }
}

/// The calling thread kept on some of the CPUs it may run on, until this is dropped: then it
/// may run where it could before. Where the platform cannot say, or no CPU would be left,
/// nothing changes.
struct Placed {
    /// The CPUs the thread could run on before, when they were narrowed.
    #[cfg(target_os = "linux")]
    former: Option<rustix::thread::CpuSet>,
}

impl Placed {
    /// Nothing narrowed.
    fn nowhere() -> Placed {
        Placed {
            #[cfg(target_os = "linux")]
            former: None,
        }
    }

    /// The calling thread kept on `cpu` alone.
    fn on(cpu: Cpu) -> Placed {
        Placed::keeping(|c| Some(c) == cpu.0)
    }

    /// The calling thread kept off `cpu`.
    fn off(cpu: Cpu) -> Placed {
        Placed::keeping(|c| Some(c) != cpu.0)
    }

    /// The calling thread kept on the CPUs it may run on that `keep` keeps.
    #[cfg(target_os = "linux")]
    fn keeping(keep: impl Fn(usize) -> bool) -> Placed {
        use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};
        let Ok(former) = sched_getaffinity(None) else {
            return Placed::nowhere();
        };
        let mut kept = CpuSet::new();
        (0..CpuSet::MAX_CPU)
            .filter(|&c| former.is_set(c) && keep(c))
            .for_each(|c| kept.set(c));
        let narrowed = kept.count() > 0 && kept != former && sched_setaffinity(None, &kept).is_ok();
        Placed {
            former: narrowed.then_some(former),
        }
    }

    /// Nothing narrowed: the platform has no say.
    #[cfg(not(target_os = "linux"))]
    fn keeping(_keep: impl Fn(usize) -> bool) -> Placed {
        Placed::nowhere()
    }
}

impl Drop for Placed {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(former) = &self.former {
            // Failing leaves the thread on fewer CPUs, never on none.
            let _ = rustix::thread::sched_setaffinity(None, former);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_gets_its_own_result_whether_at_once_or_not() {
        for at_once in [false, true] {
            assert_eq!(both_sides(at_once, 2, 3, |x| x * 10), (20, 30));
        }
    }

    #[test]
    fn apart_gives_each_caller_its_own_result() {
        let first = apart(|| (0..1000u64).sum::<u64>());
        // Asked meanwhile (the helper busy or not): done here or there, never mixed up.
        let second = apart(|| "second");
        assert_eq!(second.join(), "second");
        assert_eq!(first.join(), 499_500);
        // From many threads at once, and from a job on the helper itself.
        let results: Vec<usize> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| scope.spawn(move || apart(move || apart(move || i * 3).join() + 1).join()))
                .collect();
            handles.into_iter().map(joined).collect()
        });
        assert_eq!(results, (0..8).map(|i| i * 3 + 1).collect::<Vec<_>>());
    }

    #[test]
    fn a_panic_apart_goes_on_where_it_is_joined_and_later_jobs_still_run() {
        let failed = std::panic::catch_unwind(|| apart(|| panic!("apart")).join());
        let message = failed.expect_err("the panic reaches the joining thread");
        assert_eq!(message.downcast_ref::<&str>(), Some(&"apart"));
        assert_eq!(apart(|| 7).join(), 7);
    }

    /// The CPUs the calling thread may run on (all of them where the platform cannot say).
    #[cfg(target_os = "linux")]
    fn allowed() -> Vec<usize> {
        let set = rustix::thread::sched_getaffinity(None).expect("this thread's CPUs");
        (0..rustix::thread::CpuSet::MAX_CPU)
            .filter(|&c| set.is_set(c))
            .collect()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_placed_on_or_off_a_cpu_gets_its_cpus_back() {
        let before = allowed();
        let here = Cpu::current();
        {
            let _placed = Placed::on(here);
            assert_eq!(allowed(), vec![here.0.expect("Linux names the CPU")]);
        }
        assert_eq!(allowed(), before);
        {
            let _placed = Placed::off(here);
            let off = allowed();
            match before.len() {
                // Off the only CPU would be nowhere: nothing changes.
                1 => assert_eq!(off, before),
                _ => assert_eq!(off.len(), before.len() - 1),
            }
            assert!(before.len() == 1 || !off.contains(&here.0.unwrap_or(usize::MAX)));
        }
        assert_eq!(allowed(), before);
    }

    /// While work is apart, it runs off the caller's CPU and the caller on it; after the
    /// join the caller may run anywhere again.
    #[cfg(target_os = "linux")]
    #[test]
    fn work_apart_keeps_off_the_callers_cpu_until_joined() {
        let before = allowed();
        let caller = Cpu::current();
        let work = apart(|| (allowed(), std::thread::current().name().map(str::to_owned)));
        let during = allowed();
        let (there, name) = work.join();
        assert_eq!(allowed(), before);
        let on_helper = name.as_deref() == Some("flowdiff-helper");
        if on_helper && before.len() > 1 {
            let here = caller.0.expect("Linux names the CPU");
            assert_eq!(during, vec![here]);
            assert!(!there.contains(&here), "{there:?} avoids CPU {here}");
        } else if !on_helper {
            // Done here (the helper was busy with another test's work): nothing narrowed.
            assert_eq!(during, before);
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
