//! Start-up benchmark (hand-rolled, no harness): the `flowdiff` binary run as a user runs it,
//! side by side with `diff -u` on the same files. Run with `cargo bench --bench startup`.
//!
//! - a 1-exchange comparison (the first exchange of `tests/fixtures/image-show.hook.md` against
//!   itself): what loading the built-in rules costs when a capture needs few of them;
//! - `tests/fixtures/server-create.hook.md` (261 KB, seed 001) against the built-in golden
//!   `golden/server-create.md`, with the ratio to `diff -u` on the same pair.
//!
//! The two commands alternate run by run, so that a busy machine slows both alike; the median
//! wall time of each is printed. Without `--bench` (`cargo test --all-targets`) each runs once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn project(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Wall time of one run of `command`, which must exit with one of `ok` statuses.
fn run_once(command: &mut Command, ok: &[i32]) -> Duration {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let spent = start.elapsed();
    let code = status.code().unwrap_or(-1);
    assert!(ok.contains(&code), "{command:?} exited with {status}");
    spent
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort_unstable();
    times[times.len() / 2].as_secs_f64() * 1e3
}

/// Runs `ours` and `theirs` alternately `runs` times each (after one warm-up of each) and
/// returns their median wall times in ms.
fn side_by_side(ours: &mut Command, theirs: Option<&mut Command>, runs: usize) -> (f64, f64) {
    let flowdiff_ok = [0, 1];
    let diff_ok = [0, 1];
    run_once(ours, &flowdiff_ok);
    let mut theirs = theirs;
    if let Some(t) = theirs.as_deref_mut() {
        run_once(t, &diff_ok);
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        a.push(run_once(ours, &flowdiff_ok));
        if let Some(t) = theirs.as_deref_mut() {
            b.push(run_once(t, &diff_ok));
        }
    }
    (median(a), if b.is_empty() { 0.0 } else { median(b) })
}

fn main() {
    let runs = if std::env::args().any(|a| a == "--bench") {
        100
    } else {
        1
    };
    let flowdiff = env!("CARGO_BIN_EXE_flowdiff");

    // The first exchange (two sections) of a real capture.
    let text = std::fs::read_to_string(project("tests/fixtures/image-show.hook.md"))
        .expect("the image-show fixture");
    let third = text
        .match_indices("\n### ")
        .nth(2)
        .map_or(text.len(), |(at, _)| at);
    let one = std::env::temp_dir().join(format!("flowdiff-bench-{}.md", std::process::id()));
    std::fs::write(&one, &text[..third]).expect("a temporary capture");
    let (ms, _) = side_by_side(Command::new(flowdiff).arg(&one).arg(&one), None, runs);
    println!("flowdiff, 1 exchange vs itself             median {ms:>7.2} ms wall ({runs} runs)");
    let _ = std::fs::remove_file(&one);

    let old = project("tests/fixtures/server-create.hook.md");
    let new = project("golden/server-create.md");
    let (ours, theirs) = side_by_side(
        Command::new(flowdiff).arg(&old).arg(&new),
        Some(Command::new("diff").arg("-u").arg(&old).arg(&new)),
        runs,
    );
    println!(
        "flowdiff server-create vs golden (261 KB)  median {ours:>7.2} ms wall; diff -u {theirs:.2} ms; ratio {:.1}x ({runs} runs each, alternating)",
        ours / theirs
    );
}
