//! How flowdiff writes files: through symlinks to their targets, in place into devices and
//! fifos, refusing directories, and cleaning up the temporary files an interrupted run left.

use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn s(path: &Path) -> String {
    path.display().to_string()
}

/// `flowdiff normalize` of seed 003 to stdout: what every `-o` below must receive.
fn normalized() -> String {
    let run = flowdiff(&["normalize", &s(&fixture("image-show.hook.md"))]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    stdout(&run)
}

/// `flowdiff normalize` of seed 003 with `-o out`.
fn normalize_to(out: &Path) -> std::process::Output {
    flowdiff(&[
        "normalize",
        &s(&fixture("image-show.hook.md")),
        "-o",
        &s(out),
    ])
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_symlink_is_written_through_to_its_target() {
    let dir = scratch_dir("out-symlink");
    fs::create_dir_all(dir.join("real")).expect("dir");
    fs::write(dir.join("real/report.md"), "old").expect("write");
    std::os::unix::fs::symlink("real/report.md", dir.join("link.md")).expect("symlink");
    let run = normalize_to(&dir.join("link.md"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let link = fs::symlink_metadata(dir.join("link.md")).expect("link");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert_eq!(
        fs::read_to_string(dir.join("real/report.md")).expect("target"),
        normalized()
    );
    assert_eq!(names(&dir.join("real")), ["report.md"], "no temporary left");

    // A dangling link creates the file it names, as an editor would.
    std::os::unix::fs::symlink("real/new.md", dir.join("dangling.md")).expect("symlink");
    let run = normalize_to(&dir.join("dangling.md"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        fs::read_to_string(dir.join("real/new.md")).expect("created"),
        normalized()
    );
}

#[test]
fn directories_and_links_to_them_are_refused() {
    let dir = scratch_dir("out-dir");
    fs::create_dir_all(dir.join("sub")).expect("dir");
    std::os::unix::fs::symlink("sub", dir.join("to-sub")).expect("symlink");
    for (target, says) in [
        ("sub", "sub: is a directory, expected a file to write"),
        ("to-sub", "to-sub: (a symbolic link to "),
    ] {
        let run = normalize_to(&dir.join(target));
        assert_eq!(run.status.code(), Some(2), "{target}");
        assert!(stderr(&run).contains(says), "{}", stderr(&run));
        assert!(stderr(&run).contains("is a directory"), "{}", stderr(&run));
    }
    assert_eq!(names(&dir), ["sub", "to-sub"]);
    assert!(names(&dir.join("sub")).is_empty(), "nothing written inside");
}

#[test]
fn a_fifo_is_written_in_place() {
    let dir = scratch_dir("out-fifo");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).expect("read the fifo"))
    };
    let run = normalize_to(&fifo);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(reader.join().expect("reader"), normalized());
    use std::os::unix::fs::FileTypeExt;
    let kind = fs::symlink_metadata(&fifo).expect("fifo").file_type();
    assert!(kind.is_fifo(), "the fifo is not replaced by a file");
    assert_eq!(names(&dir), ["pipe"]);
}

#[test]
fn devices_are_written_in_place_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let run = normalize_to(Path::new("/dev/null"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let null = fs::symlink_metadata("/dev/null").expect("/dev/null");
    assert!(
        null.file_type().is_char_device(),
        "/dev/null is still a device"
    );

    // `/dev/stdout` leads through `/proc/self/fd/1` to the pipe the test reads.
    let run = normalize_to(Path::new("/dev/stdout"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(stdout(&run), normalized());
}

#[test]
fn stale_temporary_files_of_an_interrupted_bless_are_removed_on_the_next_write() {
    let dir = scratch_dir("out-stale");
    let golden = dir.join("golden");
    fs::create_dir_all(&golden).expect("golden dir");
    // What a `kill -9` during bless leaves: a full-size hidden temporary, an hour old.
    let stale = golden.join(".flowdiff-tmp-Ab3dE6gH9jK2");
    fs::write(&stale, "half a golden").expect("plant");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&stale)
        .and_then(|f| f.set_modified(an_hour_ago))
        .expect("age it");
    // A fresh one may belong to a run still writing; a look-alike name is not flowdiff's.
    let fresh = golden.join(".flowdiff-tmp-Zz9yY8xX7wW6");
    fs::write(&fresh, "being written").expect("plant");
    let other = golden.join(".flowdiff-tmp-notours");
    fs::write(&other, "someone else's").expect("plant");
    fs::File::options()
        .write(true)
        .open(&other)
        .and_then(|f| f.set_modified(an_hour_ago))
        .expect("age it");

    let capture = dir.join("show.md");
    let seed = fs::read_to_string(fixture("image-show.hook.md")).expect("seed");
    fs::write(&capture, format!("# openstack image show\n\n{seed}")).expect("capture");
    let run = flowdiff(&[
        "bless",
        &s(&capture),
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(&format!(
            "flowdiff: removed 1 stale temporary file in {}",
            golden.display()
        )),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        names(&golden),
        [
            ".flowdiff-tmp-Zz9yY8xX7wW6",
            ".flowdiff-tmp-notours",
            "image-show.md"
        ]
    );
}

#[test]
fn bless_writes_goldens_that_read_back_whatever_the_names_and_bodies_hold() {
    // Party names with `:`, a leading ```, a backtick and an arrow; a text body holding fence
    // lines and a heading: each used to make a golden that every later check refused.
    let dir = scratch_dir("out-escapes");
    let golden = dir.join("golden");
    let capture = fixture("escapes.hook-log.txt");
    let run = flowdiff(&[
        "bless",
        &s(&capture),
        "--flow",
        "escapes",
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--yes",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written = fs::read_to_string(golden.join("escapes.md")).expect("golden");
    assert!(
        written.contains("  participant p1 as nova:api\n"),
        "{written}"
    );
    assert!(
        written.contains("`nova:api` --> ```` ```keystone ````\n"),
        "{written}"
    );
    assert!(
        written.contains("`` a`b --> c `` --> `nova:api`\n"),
        "{written}"
    );
    assert!(
        written.contains("    ````` json title=\"POST /identity/v3/notes\" linenums=\"1\"\n    A note that quotes Markdown:\n    ```\n    ### (2) GET /not-a-section\n    ```\n    ````\n    the end\n    `````\n"),
        "{written}"
    );

    let show = flowdiff(&["show", &s(&golden.join("escapes.md"))]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    let original = flowdiff(&["show", &s(&capture)]);
    let tree = |text: String| -> Vec<String> {
        let steps = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()));
        steps.map(str::to_string).collect()
    };
    assert_eq!(tree(stdout(&show)), tree(stdout(&original)));
    assert!(stdout(&show).contains("2 a`b --> c -> nova:api GET /v2.1/servers 200"));

    let check = flowdiff(&[
        "check",
        &s(&capture),
        "--flow",
        "escapes",
        "--golden",
        &s(&golden),
        "--no-builtin",
        "--format",
        "json",
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let report = crate::common::check_results(&stdout(&check)).remove(0);
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    // The body survives whole, fence lines included.
    let json = flowdiff(&["show", &s(&golden.join("escapes.md")), "--format", "json"]);
    let model: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(
        model["flows"][0]["exchanges"][0]["request"]["body"]["value"],
        "A note that quotes Markdown:\n```\n### (2) GET /not-a-section\n```\n````\nthe end"
    );
}
