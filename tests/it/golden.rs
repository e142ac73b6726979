//! The golden store: `./golden` overlays the built-in goldens by name; `bless`, `check`, `notes`
//! and `golden list` read the same overlay; `golden export` writes the built-ins out.

use crate::common::{fixture, scratch_dir, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// Runs flowdiff in `dir` (where `./golden` is looked for).
fn flowdiff_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("flowdiff runs")
}

#[test]
fn bless_without_a_golden_directory_creates_it_and_check_reads_it_over_the_builtins() {
    let dir = scratch_dir("store-overlay");
    let capture = dir.join("image-show.md");
    std::fs::copy(fixture("image-show.hook.md"), &capture).expect("copy");
    let capture = capture.to_str().expect("utf-8");
    // Before: every golden is built-in.
    let list = flowdiff_in(&dir, &["golden", "list"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert!(
        stdout(&list).lines().all(|l| l.ends_with("built-in")),
        "{}",
        stdout(&list)
    );
    // The README's own command: no golden/ here yet; the capture replaces the built-in golden.
    let bless = flowdiff_in(&dir, &["bless", capture, "--yes"]);
    assert_eq!(bless.status.code(), Some(0), "{}", stderr(&bless));
    assert!(dir.join("golden/image-show.md").is_file());
    let list = stdout(&flowdiff_in(&dir, &["golden", "list"]));
    let show_line = list
        .lines()
        .find(|l| l.starts_with("image-show"))
        .expect("image-show listed");
    assert!(show_line.ends_with("golden/image-show.md"), "{list}");
    assert_eq!(
        list.lines().filter(|l| l.ends_with("built-in")).count(),
        3,
        "{list}"
    );
    // check reads the same overlay: the capture is its own golden now.
    let check = flowdiff_in(&dir, &["check", capture, "--format", "json"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let report = crate::common::check_results(&stdout(&check)).remove(0);
    assert_eq!(report["old"]["source"], "golden/image-show.md");
    // Without the built-ins, only the directory's golden is left.
    let own = stdout(&flowdiff_in(&dir, &["golden", "list", "--no-builtin"]));
    assert_eq!(own.lines().count(), 1, "{own}");
}

#[test]
fn export_writes_the_builtins_and_never_replaces_a_file() {
    let dir = scratch_dir("store-export");
    let out = dir.join("owned");
    let run = flowdiff_in(&dir, &["golden", "export", "owned"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written = std::fs::read_dir(&out).expect("exported").count();
    assert_eq!(written, flowdiff::golden::builtin().len());
    // Exported goldens read back as a golden directory: check passes against them alone.
    let check = flowdiff_in(
        &dir,
        &[
            "check",
            fixture("image-save.hook.md").to_str().expect("utf-8"),
            "--golden",
            "owned",
            "--no-builtin",
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let again = flowdiff_in(&dir, &["golden", "export", "owned"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("not replaced"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn the_config_file_names_the_golden_directory() {
    let dir = scratch_dir("store-config");
    std::fs::create_dir_all(dir.join(".git")).expect("a repository root");
    std::fs::write(
        dir.join("flowdiff.toml"),
        "# where this team keeps its goldens\ngolden_dir = \"ci/goldens\"\n",
    )
    .expect("config");
    let capture = dir.join("image-save.md");
    std::fs::copy(fixture("image-save.hook.md"), &capture).expect("copy");
    let bless = flowdiff_in(&dir, &["bless", capture.to_str().expect("utf-8"), "--yes"]);
    assert_eq!(bless.status.code(), Some(0), "{}", stderr(&bless));
    assert!(dir.join("ci/goldens/image-save.md").is_file());
    let list = stdout(&flowdiff_in(&dir, &["golden", "list"]));
    assert!(list.contains("ci/goldens/image-save.md"), "{list}");
    // --golden still wins over the config file.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    let list = stdout(&flowdiff_in(&dir, &["golden", "list", "--golden", "other"]));
    assert!(!list.contains("ci/goldens"), "{list}");
}
