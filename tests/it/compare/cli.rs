//! The `flowdiff OLD NEW` and `flowdiff check` command lines: one test per exit code.

use super::edit::Hook;
use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};

fn path(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn identical_captures_exit_0() {
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[path(&seed), path(&seed)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 breaking, 0 warning, 0 info: pass"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_breaking_change_exits_1_and_json_goes_to_the_output_file() {
    let dir = scratch_dir("cmp-exit1");
    let mut hook = Hook::parse(&super::server_create());
    let request = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.drop_exchange(request);
    let new = dir.join("new.md");
    std::fs::write(&new, hook.text()).expect("write");
    let report = dir.join("report.json");
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[
        path(&seed),
        path(&new),
        "--format",
        "json",
        "-o",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    assert_eq!(json["schema"], "flowdiff/v1");
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["counts"]["breaking"], 1);
    let pass = flowdiff(&[path(&seed), path(&new), "--fail-on", "never"]);
    assert_eq!(pass.status.code(), Some(0));
}

#[test]
fn a_missing_argument_exits_2_with_usage() {
    let seed = fixture("server-create.hook.md");
    let out = flowdiff(&[path(&seed)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("flowdiff OLD NEW"),
        "{}",
        stderr(&out)
    );
    let missing = flowdiff(&[path(&seed), "no-such-file.md"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such-file.md"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn every_full_seed_passes_check_against_the_built_in_goldens() {
    let seeds = [
        "server-create.hook.md",
        "image-save.hook.md",
        "image-show.hook.md",
        "image-create.doc.md",
    ];
    let paths: Vec<std::path::PathBuf> = seeds.iter().map(|s| fixture(s)).collect();
    let mut args = vec!["check", "--format", "json"];
    args.extend(paths.iter().map(|p| path(p)));
    let out = flowdiff(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let reports = json.as_array().expect("one report per capture");
    assert_eq!(reports.len(), seeds.len());
    for (report, seed) in reports.iter().zip(seeds) {
        let golden = report["old"]["source"].as_str().unwrap_or_default();
        let stem = seed.split('.').next().unwrap_or_default();
        assert!(golden.contains(stem), "{seed} checked against {golden}");
        assert_eq!(report["counts"]["breaking"], 0, "{report:#}");
    }
}

#[test]
fn a_failing_gate_exits_1_even_when_stdout_closes_early() {
    use std::io::Read;
    // Ten failing captures: a report far larger than a pipe's buffer.
    let dir = crate::common::scratch_dir("pipefail");
    let part = crate::common::fixture_text("server-create-part.mermaid.txt");
    for i in 0..10 {
        std::fs::write(dir.join(format!("server-create-{i}.txt")), &part).expect("write");
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args([
            "check",
            dir.to_str().expect("utf-8"),
            "--flow",
            "server-create",
        ])
        .args(["--format", "json", "--strict-plumbing"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("flowdiff runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = [0u8; 64];
    stdout.read_exact(&mut head).expect("some output");
    drop(stdout); // `| head -c 64`
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(1), "the verdict, not a quiet 0");
}
