//! What the benchmarks measure the same way.

use std::ffi::OsString;
use std::process::{Command, ExitCode, ExitStatus};
use std::time::Instant;

/// Peak resident memory of this process so far, in MB of 10^6 bytes like the file sizes it is
/// compared with (Linux reports KiB; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib * 1024.0 / 1e6)
}

/// Set in a benchmark re-executed by [`flowdiff_apart`].
const CHILD: &str = "FLOWDIFF_BENCH_CHILD";

/// In a benchmark re-executed by [`flowdiff_apart`]: runs the command line (`flowdiff` with
/// this process's arguments), prints its peak memory and gives its exit code, for `main` to
/// return. `None` in the benchmark itself.
pub fn flowdiff_in_child() -> Option<ExitCode> {
    std::env::var_os(CHILD)?;
    let args = std::iter::once(OsString::from("flowdiff")).chain(std::env::args_os().skip(1));
    let code = flowdiff::run(args);
    println!("peak-rss-mb {}", peak_rss_mb());
    Some(code)
}

/// A command line run apart (see [`flowdiff_apart`]).
pub struct Measured {
    /// How it exited.
    pub status: ExitStatus,
    /// Wall time from its start to its exit, in seconds.
    pub wall: f64,
    /// Its peak resident memory, in MB of 10^6 bytes.
    pub peak_mb: f64,
}

/// Runs `flowdiff ARGS` in a child process of its own (this benchmark re-executed: see
/// [`flowdiff_in_child`]), so that the peak memory is the command's, not the benchmark's.
pub fn flowdiff_apart(args: &[OsString]) -> Measured {
    let start = Instant::now();
    let run = Command::new(std::env::current_exe().expect("the benchmark's executable"))
        .env(CHILD, "1")
        .args(args)
        .output()
        .expect("the child runs");
    let wall = start.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&run.stdout);
    let peak_mb = text
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-mb "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_else(|| {
            let stderr = String::from_utf8_lossy(&run.stderr);
            panic!("the child prints its peak memory: {text}{stderr}")
        });
    Measured {
        status: run.status,
        wall,
        peak_mb,
    }
}
