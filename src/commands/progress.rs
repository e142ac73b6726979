//! A progress line on stderr for long runs: shown only when stderr is a terminal and the work
//! takes more than a second, cleared when done. Nothing is written otherwise (CI logs, pipes).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long work runs before its progress is shown.
const DELAY: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// Counts finished items of a known total; a background thread draws the line.
pub(super) struct Progress {
    done: Counter,
    finished: Arc<AtomicBool>,
    drawer: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts counting `total` items of work described by `label` (`comparing flows`).
    pub(super) fn start(label: &str, total: usize) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let drawer = std::io::stderr().is_terminal().then(|| {
            let (done, finished, label) = (done.clone(), finished.clone(), label.to_string());
            std::thread::Builder::new().spawn(move || draw(&label, total, &done, &finished))
        });
        Progress {
            done: Counter(done),
            finished,
            drawer: drawer.and_then(Result::ok),
        }
    }

    /// One more item done.
    pub(super) fn tick(&self) {
        self.done.advance(1);
    }

    /// A handle that counts into this progress (from any thread).
    pub(super) fn counter(&self) -> Counter {
        self.done.clone()
    }
}

/// Counts items done into a [`Progress`], from any thread.
#[derive(Clone)]
pub(super) struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// `n` more items done (bytes read, say).
    pub(super) fn advance(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

/// Draws `label: done/total [#####.....]` until finished, after [`DELAY`]; clears it at the end.
fn draw(label: &str, total: usize, done: &AtomicUsize, finished: &AtomicBool) {
    let start = Instant::now();
    let mut shown = false;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        if start.elapsed() < DELAY {
            continue;
        }
        let count = done.load(Ordering::Relaxed).min(total);
        let width = 30;
        let filled = (count * width).checked_div(total).unwrap_or(width);
        let bar: String = "#".repeat(filled) + &".".repeat(width - filled);
        let percent = (count * 100).checked_div(total).unwrap_or(100);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{label}: [{bar}] {percent:>3}%");
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}
