//! `flowdiff bless`: goldens written from captures, checked back, refused when unsafe, never
//! half-written; and `check DIR` over a directory of captures.

use crate::common::{fixture_text, flowdiff, scratch_dir, stderr, stdout};
use crate::compare::edit::Hook;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// Writes `text` with a `# title` line in front (the hook seeds have no title).
pub(crate) fn titled(dir: &Path, file: &str, title: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    fs::write(&path, format!("# {title}\n\n{text}")).expect("write capture");
    path
}

/// Seed 003 titled `openstack image show`, written to `dir/show.md`.
fn image_show(dir: &Path) -> PathBuf {
    titled(
        dir,
        "show.md",
        "openstack image show",
        &fixture_text("image-show.hook.md"),
    )
}

/// The capture with the client's image lookup answered `404 Not Found`: a real change (one
/// breaking `status_changed`).
pub(crate) fn variant(text: &str) -> String {
    let mut hook = Hook::parse(text);
    let lookup = hook.request("openstack", "GET", "/v2/images/", 0);
    let answer = hook.response(lookup);
    let heading = hook.sections[answer].lines().next().unwrap_or_default();
    let path = heading.rsplit(' ').next().unwrap_or_default().to_string();
    hook.set_heading(answer, &format!("404 Not Found {path}"));
    hook.text()
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// Every file under `dir`, relative, sorted: what a failed run must leave as it was.
pub(crate) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                out.push((rel, fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn blessed_captures_check_clean_against_their_goldens() {
    let dir = scratch_dir("bless-round-trip");
    let golden = dir.join("golden");
    let show = image_show(&dir);
    let save = titled(
        &dir,
        "save.md",
        "openstack image save",
        &fixture_text("image-save.hook.md"),
    );
    let dry = flowdiff(&[
        "bless",
        &s(&show),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--dry-run",
    ]);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("new golden flow \"openstack image show\""));
    assert!(!golden.exists(), "a dry run writes nothing");

    let run = flowdiff(&[
        "bless",
        &s(&show),
        &s(&save),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written: Vec<String> = tree(&golden).into_iter().map(|(name, _)| name).collect();
    assert_eq!(written, ["image-save.md", "image-show.md"]);
    let text = fs::read_to_string(golden.join("image-show.md")).expect("golden");
    assert!(text.starts_with("# openstack image show\n"), "{text}");
    // The capture's token never reaches the golden.
    let token = Hook::parse(&fixture_text("image-show.hook.md"))
        .sections
        .iter()
        .find_map(|s| crate::compare::edit::header(s, "X-Auth-Token"))
        .expect("the seed sends a token");
    assert!(!text.contains(&token));

    for capture in [&show, &save] {
        let check = flowdiff(&[
            "check",
            &s(capture),
            "--golden",
            &s(&golden),
            "--no-builtin",
            "--format",
            "json",
        ]);
        assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
        let report = crate::common::check_results(&stdout(&check)).remove(0);
        assert_eq!(report["findings"], Value::Array(Vec::new()), "{report:#}");
    }
    // Blessing the same capture again changes nothing and says so.
    let again = flowdiff(&[
        "bless",
        &s(&show),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("already the golden"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_failed_write_leaves_every_golden_as_it_was() {
    let dir = scratch_dir("bless-interrupted");
    let golden = dir.join("golden");
    let save_text = fixture_text("image-save.hook.md");
    let save = titled(&dir, "save.md", "openstack image save", &save_text);
    let first = flowdiff(&[
        "bless",
        &s(&save),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // A changed image-save and an image-show whose golden path is taken by a directory.
    let save2 = titled(
        &dir,
        "save2.md",
        "openstack image save",
        &variant(&save_text),
    );
    let show = image_show(&dir);
    fs::create_dir_all(golden.join("image-show.md")).expect("blocking directory");
    let before = tree(&golden);

    let run = flowdiff(&[
        "bless",
        &s(&save2),
        &s(&show),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("image-show.md: is a directory"), "{err}");
    assert!(err.contains("not written:"), "{err}");
    assert!(
        err.contains("image-save.md") && err.contains("image-show.md"),
        "{err}"
    );
    assert!(
        stdout(&run).contains("status_changed"),
        "the change was shown: {}",
        stdout(&run)
    );
    assert_eq!(
        tree(&golden),
        before,
        "goldens unchanged, no temporary files left"
    );
}

#[test]
fn flow_names_that_leave_the_golden_directory_are_refused() {
    let dir = scratch_dir("bless-traversal");
    let golden = dir.join("a/golden");
    let show = image_show(&dir);
    let run = flowdiff(&[
        "bless",
        &s(&show),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--flow",
        "../../etc/x",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("refusing flow name"),
        "{}",
        stderr(&run)
    );
    let evil = titled(
        &dir,
        "evil.md",
        "../../x",
        &fixture_text("image-show.hook.md"),
    );
    let run = flowdiff(&[
        "bless",
        &s(&evil),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("path separator"), "{}", stderr(&run));
    let names: Vec<String> = tree(&dir).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["evil.md", "show.md"], "nothing written anywhere");
}

#[test]
fn without_a_terminal_and_without_yes_it_refuses() {
    let dir = scratch_dir("bless-no-terminal");
    let golden = dir.join("golden");
    let show = image_show(&dir);
    let run = flowdiff(&["bless", &s(&show), "--golden", &s(&golden), "--no-builtin"]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("not a terminal") && err.contains("--yes"),
        "{err}"
    );
    assert!(
        stdout(&run).contains("new golden flow"),
        "what would be accepted is shown"
    );
    assert!(!golden.exists());
}

#[test]
fn add_turns_a_golden_into_a_set_and_the_set_checks_its_members() {
    let dir = scratch_dir("bless-add");
    let golden = dir.join("golden");
    let text = fixture_text("image-save.hook.md");
    let save = titled(&dir, "save.md", "openstack image save", &text);
    let save2 = titled(&dir, "save2.md", "openstack image save", &variant(&text));
    let first = flowdiff(&[
        "bless",
        &s(&save),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let single = fs::read(golden.join("image-save.md")).expect("single golden");
    let add = flowdiff(&[
        "bless",
        &s(&save2),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--add",
        "--yes",
    ]);
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    let files = tree(&golden);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["image-save/001.md", "image-save/002.md"]);
    assert_eq!(
        files[0].1, single,
        "the old golden moved in as the first member"
    );
    // Without --add, a set is not silently replaced.
    let replace = flowdiff(&[
        "bless",
        &s(&save2),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(replace.status.code(), Some(2));
    assert!(stderr(&replace).contains("--add"), "{}", stderr(&replace));
    for capture in [&save, &save2] {
        let check = flowdiff(&[
            "check",
            &s(capture),
            "--golden",
            &s(&golden),
            "--no-builtin",
        ]);
        assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    }
}

#[test]
fn check_dir_checks_every_capture_and_skips_what_is_not_one() {
    let dir = scratch_dir("check-dir");
    let golden = dir.join("golden");
    let captures = dir.join("captures");
    let show = fixture_text("image-show.hook.md");
    let save = fixture_text("image-save.hook.md");
    let seeds = titled(&dir, "show.md", "openstack image show", &show);
    let saves = titled(&dir, "save.md", "openstack image save", &save);
    let run = flowdiff(&[
        "bless",
        &s(&seeds),
        &s(&saves),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // Enough captures to check in parallel, nested, with two files that are not captures.
    for i in 0..5 {
        let sub = captures.join(format!("run-{i}"));
        fs::create_dir_all(&sub).expect("dirs");
        titled(&sub, "image-show.md", "openstack image show", &show);
        titled(&sub, "image-save.md", "openstack image save", &save);
    }
    fs::write(captures.join("README.txt"), "nightly captures\n").expect("readme");
    fs::write(
        captures.join("run-0/logo.png"),
        [0x89, b'P', b'N', b'G', 0, 1, 2],
    )
    .expect("png");
    let run = flowdiff(&[
        "check",
        &s(&captures),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let err = stderr(&run);
    assert_eq!(err.matches("note: skipping").count(), 2, "{err}");
    assert!(
        err.contains("README.txt") && err.contains("logo.png"),
        "{err}"
    );
    let reports = crate::common::check_results(&stdout(&run));
    assert_eq!(reports.len(), 10);
    let sources: Vec<&str> = reports
        .iter()
        .filter_map(|r| r["new"]["source"].as_str())
        .collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sources, sorted, "deterministic order");
    assert!(reports
        .iter()
        .all(|r| r["findings"] == Value::Array(Vec::new())));
    // One broken capture fails the whole run.
    titled(
        &captures.join("run-3"),
        "image-save.md",
        "openstack image save",
        &variant(&save),
    );
    let run = flowdiff(&[
        "check",
        &s(&captures),
        "--golden",
        &s(&golden),
        "--no-builtin",
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
}
