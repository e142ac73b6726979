//! How `check` chooses the golden of a capture: `--flow`, title, file name, then the same
//! defining calls (the client's own calls); a capture of another command is refused.

use super::edit::Hook;
use crate::common::{fixture, fixture_text, flowdiff, scratch_dir, stderr, stdout};
use std::path::{Path, PathBuf};

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Seed 003 (`image show`, no title) with a `DELETE` of the image after the client's lookup:
/// the capture of a command (`image delete`) that has no golden.
fn image_delete() -> String {
    let mut hook = Hook::parse(&fixture_text("image-show.hook.md"));
    let lookup = hook.request("openstack", "GET", "/v2/images/", 0);
    let delete = hook.duplicate_exchange(lookup, None);
    let answer = hook.response(delete);
    let path = |h: &Hook, i: usize| {
        let heading = h.sections[i].lines().next().unwrap_or_default();
        heading.rsplit(' ').next().unwrap_or_default().to_string()
    };
    let (request_path, answer_path) = (path(&hook, delete), path(&hook, answer));
    hook.set_heading(delete, &format!("DELETE {request_path}"));
    hook.set_heading(answer, &format!("204 No Content {answer_path}"));
    hook.text()
}

/// The golden `check --format json` compared `capture` with (exit status must be `code`).
fn checked_against(capture: &Path, code: i32) -> String {
    let out = flowdiff(&["check", path(capture), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let json = crate::common::check_results(&stdout(&out)).remove(0);
    json["old"]["source"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write capture");
    file
}

#[test]
fn a_command_without_a_golden_is_refused_naming_the_closest() {
    let dir = scratch_dir("choose-refused");
    let capture = write(&dir, "image-delete.md", &image_delete());
    let out = flowdiff(&["check", path(&capture)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    // The refusal is on stderr and, as the capture's entry, in the report.
    assert!(
        stdout(&out).contains("error: no golden flow for"),
        "{}",
        stdout(&out)
    );
    // Its defining calls are the lookup and the DELETE: image-save and image-show share the
    // lookup, and image-save comes first by name.
    assert_eq!(
        stderr(&out),
        format!(
            "flowdiff: no golden flow for {}: closest is image-save (1 of 2 defining calls shared); name one with --flow or add it with bless\n",
            capture.display()
        )
    );
    // --flow still forces the choice.
    let forced = flowdiff(&[
        "check",
        path(&capture),
        "--flow",
        "image-show",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(forced.status.code(), Some(1), "{}", stderr(&forced));
    assert!(
        stdout(&forced).contains("extra_call"),
        "{}",
        stdout(&forced)
    );
}

#[test]
fn the_file_name_up_to_its_first_dot_names_the_golden() {
    let dir = scratch_dir("choose-stem");
    // Other defining calls than image-show's (an extra DELETE, a warning): only the file name
    // can choose it.
    let capture = write(&dir, "image-show.body.md", &image_delete());
    assert!(checked_against(&capture, 0).ends_with("image-show.md"));
    let plain = write(&dir, "image-save.md", &fixture_text("image-save.hook.md"));
    assert!(checked_against(&plain, 0).ends_with("image-save.md"));
}

#[test]
fn untitled_seeds_under_other_names_choose_their_golden_by_defining_calls() {
    let dir = scratch_dir("choose-calls");
    let doc = fixture_text("image-create.doc.md");
    let (first, rest) = doc.split_once('\n').expect("title line");
    assert!(first.starts_with("# "), "{first}");
    let cases = [
        (
            "server-create.hook.md",
            fixture_text("server-create.hook.md"),
        ),
        ("image-save.hook.md", fixture_text("image-save.hook.md")),
        ("image-show.hook.md", fixture_text("image-show.hook.md")),
        ("image-create.doc.md", format!("# captured flow\n{rest}")),
    ];
    for (n, (seed, text)) in cases.iter().enumerate() {
        let capture = write(&dir, &format!("capture-{n}.md"), text);
        let golden = checked_against(&capture, 0);
        let stem = seed.split('.').next().unwrap_or_default();
        assert!(golden.ends_with(&format!("{stem}.md")), "{seed}: {golden}");
    }
}

#[test]
fn a_poll_of_the_same_call_is_still_the_same_flow() {
    let dir = scratch_dir("choose-poll");
    let mut hook = Hook::parse(&fixture_text("image-show.hook.md"));
    let lookup = hook.request("openstack", "GET", "/v2/images/", 0);
    let response = hook.response(lookup);
    hook.duplicate_exchange(lookup, Some(response + 1));
    hook.renumber();
    let capture = write(&dir, "polled.md", &hook.text());
    // The repeat is a count change at most, never another golden.
    let out = flowdiff(&["check", path(&capture), "--format", "json"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let json = crate::common::check_results(&stdout(&out)).remove(0);
    assert!(json["old"]["source"]
        .as_str()
        .unwrap_or_default()
        .ends_with("image-show.md"));
}

#[test]
fn the_first_part_of_server_create_has_all_its_defining_calls() {
    // Seed 000 stops before the asynchronous workers, but every call the client makes is in it:
    // the same defining calls choose server-create, and its missing calls fail the check.
    let part = fixture("server-create-part.mermaid.txt");
    assert_eq!(
        checked_against(&part, 1),
        "golden/server-create.md",
        "chosen by defining calls"
    );
    // Without the client's second lookup of the image it is another command: refused.
    let text = fixture_text("server-create-part.mermaid.txt");
    let lines: Vec<&str> = text.lines().collect();
    let last_image = lines
        .iter()
        .rposition(|l| l.starts_with("openstack->>glance-api: GET /v2/images/"))
        .expect("the client looks the image up again");
    let mut kept = lines.clone();
    kept.drain(last_image..last_image + 2);
    let dir = scratch_dir("choose-part");
    let shorter = write(&dir, "shorter.txt", &kept.join("\n"));
    let refused = flowdiff(&["check", path(&shorter)]);
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains(": closest is server-create ("),
        "{}",
        stderr(&refused)
    );
    let named = flowdiff(&["check", path(&shorter), "--flow", "server-create"]);
    assert_eq!(named.status.code(), Some(1), "{}", stderr(&named));
}

#[test]
fn notes_pair_untitled_flows_by_the_same_defining_calls_only() {
    let dir = scratch_dir("choose-notes");
    let (old, new) = (dir.join("old"), dir.join("new"));
    std::fs::create_dir_all(&old).expect("old dir");
    std::fs::create_dir_all(&new).expect("new dir");
    let show = fixture_text("image-show.hook.md");
    write(&old, "first.md", &show);
    // In name order `another` is paired first: sharing the preamble does not pair it.
    write(&new, "another.md", &image_delete());
    write(&new, "renamed.md", &show);
    let out = flowdiff(&["notes", path(&old), path(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json notes");
    let flows: Vec<(String, String, String)> = json["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("null").to_string();
            let new = text(&f["new"]);
            let file = new.rsplit('/').next().unwrap_or_default().to_string();
            (file, text(&f["status"]), text(&f["paired_by"]))
        })
        .collect();
    assert!(
        flows.contains(&("renamed.md".into(), "unchanged".into(), "structure".into())),
        "{flows:?}"
    );
    assert!(
        flows.contains(&("another.md".into(), "added".into(), "null".into())),
        "{flows:?}"
    );
}

#[test]
fn a_title_names_its_golden_after_a_client_name_the_rules_declare() {
    let dir = scratch_dir("choose-client-name");
    let capture = write(
        &dir,
        "capture.md",
        &format!("# myclient image show\n\n{}", image_delete()),
    );
    // `myclient` is no client of the built-in rules: the title names no golden, and the
    // capture's calls are those of no golden either.
    let out = flowdiff(&["check", path(&capture)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let rules = write(
        &dir,
        "myclient.toml",
        "# Our own client.\n[[rule]]\nname = \"service-myclient\"\nservice = \"myclient\"\n\
         client = true\naction = \"service\"\n",
    );
    let out = flowdiff(&[
        "check",
        path(&capture),
        "--rules",
        path(&rules),
        "--format",
        "json",
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let json = crate::common::check_results(&stdout(&out)).remove(0);
    assert_eq!(json["old"]["source"], "golden/image-show.md", "{json}");
}
