//! Shared helpers: fixture paths and running the built binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Path of a file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Reads a fixture as text.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture exists")
}

/// Runs the flowdiff binary with `args`, without a terminal and without color.
pub fn flowdiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("flowdiff runs")
}

/// Stdout of a run as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr of a run as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh empty scratch directory for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flowdiff-it-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The parts of each exchange every format carries: caller, callee, method, path, status.
pub fn structure(trace: &flowdiff::Trace) -> Vec<(String, String, String, String, Option<u16>)> {
    trace
        .exchanges
        .iter()
        .map(|e| {
            (
                e.caller.clone(),
                e.callee.clone(),
                e.method.clone(),
                e.path.clone(),
                e.status,
            )
        })
        .collect()
}

/// The results of `check --format json` (its `flowdiff-check/v1` document), checking the
/// document's shape on the way.
pub fn check_results(stdout: &str) -> Vec<serde_json::Value> {
    let document: serde_json::Value = serde_json::from_str(stdout).expect("check json");
    assert_eq!(document["schema"], "flowdiff-check/v1", "{document:#}");
    let results = document["results"].as_array().cloned().unwrap_or_default();
    let counted = ["pass", "fail", "not_checked"]
        .iter()
        .map(|k| document["summary"][k].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(counted as usize, results.len(), "{document:#}");
    results
}

/// A trace's warnings as `(line, message)`.
pub fn warnings(trace: &flowdiff::Trace) -> Vec<(usize, &str)> {
    trace
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect()
}
