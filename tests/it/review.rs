//! `flowdiff bless --review` driven through a pseudo-terminal, as a person at the keyboard
//! would: a finding accepted into the golden, one accepted as a suppression with a reason
//! (the config file then makes `check` pass), one skipped (the golden is kept).

use crate::bless::{titled, tree, variant};
use crate::common::{fixture_text, flowdiff, scratch_dir, stderr, stdout};
use crate::compare::edit::Hook;
use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory with an empty `.git` (so no config file above it is found), the golden
/// directory `golden/` holding seed 003 blessed as `openstack image show`, and `new.md`, the
/// seed with `change` applied. Returns the directory, the golden directory and `new.md`.
fn setup(name: &str, change: impl FnOnce(&str) -> String) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch_dir(&format!("review-{name}"));
    std::fs::create_dir(dir.join(".git")).expect(".git");
    let golden = dir.join("golden");
    let seed = fixture_text("image-show.hook.md");
    let old = titled(&dir, "old.md", "openstack image show", &seed);
    let first = run_in(&dir, &["bless", s(&old), "--golden", s(&golden), "--yes"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let new = titled(&dir, "new.md", "openstack image show", &change(&seed));
    (dir, golden, new)
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Runs flowdiff in `dir` without a terminal.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("flowdiff runs")
}

/// `flowdiff bless NEW --golden DIR --review` in `dir` on a pseudo-terminal.
fn review(dir: &Path, golden: &Path, new: &Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowdiff"));
    command
        .args(["bless", s(new), "--golden", s(golden), "--review"])
        .env("NO_COLOR", "1")
        .current_dir(dir);
    spawn_command(command, Some(30_000)).expect("flowdiff starts on a pseudo-terminal")
}

/// Waits for the end of the session and returns its exit code.
fn exit_code(mut session: PtySession) -> i32 {
    session.exp_eof().expect("flowdiff ends");
    match session.process().wait().expect("exit status") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("flowdiff did not exit normally: {other:?}"),
    }
}

const PROMPT: &str = "[g] accept into the golden  [s] accept as a suppression  [k] skip  [q] quit:";

/// `check NEW` against the golden directory as JSON: exit code and the one report.
fn check(dir: &Path, golden: &Path, new: &Path) -> (Option<i32>, serde_json::Value) {
    let out = run_in(
        dir,
        &["check", s(new), "--golden", s(golden), "--format", "json"],
    );
    let report = crate::common::check_results(&stdout(&out)).remove(0);
    (out.status.code(), report)
}

/// The seed with the image lookup answered 404 and the token response's `Content-Type` header
/// removed: two findings on two calls.
fn two_changes(seed: &str) -> String {
    let mut hook = Hook::parse(&variant(seed));
    let token = hook.request("openstack", "POST", "/identity/v3/auth/tokens", 0);
    let response = hook.response(token);
    hook.remove_header(response, "Content-Type");
    hook.text()
}

#[test]
fn a_finding_accepted_into_the_golden_replaces_it() {
    let (dir, golden, new) = setup("golden", variant);
    let (code, report) = check(&dir, &golden, &new);
    assert_eq!(code, Some(1), "the change fails the gate: {report:#}");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    let mut session = review(&dir, &golden, &new);
    session
        .exp_string("[1/1] breaking status_changed")
        .expect("the finding");
    // rexpect reads bytes as Latin-1: the arrow is three characters there.
    session
        .exp_regex("\r\n  200 \\S+ 404\r\n")
        .expect("old → new on a line of its own");
    session.exp_string(PROMPT).expect("the question");
    session.send_line("g").expect("answer");
    session
        .exp_string("1 into the golden, 0 suppressed, 0 skipped: golden to be replaced")
        .expect("the outcome");
    session.exp_string("wrote").expect("the golden written");
    assert_eq!(exit_code(session), 0);
    let (code, report) = check(&dir, &golden, &new);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert!(
        !dir.join("flowdiff.toml").exists(),
        "no suppression written"
    );
}

#[test]
fn a_finding_accepted_as_a_suppression_lets_check_pass() {
    let (dir, golden, new) = setup("suppress", variant);
    let before = tree(&golden);
    let (_, report) = check(&dir, &golden, &new);
    let id = report["findings"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let mut session = review(&dir, &golden, &new);
    session.exp_string(PROMPT).expect("the question");
    session.send_line("s").expect("answer");
    session.exp_string("reason (required").expect("asks why");
    session.send_line("").expect("no reason");
    session
        .exp_string("a suppression needs a reason")
        .expect("refused");
    session
        .send_line("glance answers 404 until LP#123 lands")
        .expect("reason");
    session
        .exp_string("0 into the golden, 1 suppressed, 0 skipped: golden kept: no finding was accepted into it")
        .expect("the outcome");
    assert_eq!(exit_code(session), 0);
    assert_eq!(tree(&golden), before, "the golden is kept");
    let config = std::fs::read_to_string(dir.join("flowdiff.toml")).expect("flowdiff.toml");
    assert!(
        config.contains(&format!("id = \"{id}\""))
            && config.contains("reason = \"glance answers 404 until LP#123 lands\""),
        "{config}"
    );
    let (code, report) = check(&dir, &golden, &new);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["counts"]["accepted"], 1, "{report:#}");
    assert_eq!(report["accepted"][0]["id"], id.as_str(), "{report:#}");
}

#[test]
fn a_skipped_finding_keeps_the_golden() {
    let (dir, golden, new) = setup("skip", two_changes);
    let before = tree(&golden);
    let (_, report) = check(&dir, &golden, &new);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(2),
        "{report:#}"
    );
    let mut session = review(&dir, &golden, &new);
    session.exp_string("[1/2]").expect("first finding");
    session.exp_string(PROMPT).expect("the question");
    session.send_line("g").expect("answer");
    session.exp_string("[2/2]").expect("second finding");
    session.exp_string(PROMPT).expect("the question");
    session.send_line("k").expect("answer");
    session
        .exp_string("1 into the golden, 0 suppressed, 1 skipped: golden kept: 1 finding(s) skipped")
        .expect("the outcome");
    session
        .exp_string("no golden written")
        .expect("nothing written");
    assert_eq!(exit_code(session), 0);
    assert_eq!(tree(&golden), before, "the golden is kept");
    assert!(!dir.join("flowdiff.toml").exists());
}

#[test]
fn review_without_a_terminal_is_a_usage_error_naming_yes() {
    let (dir, golden, new) = setup("no-terminal", variant);
    let out = flowdiff(&["bless", s(&new), "--golden", s(&golden), "--review"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let _ = dir;
}
