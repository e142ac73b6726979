//! Accepted findings (issue 11): stable finding ids, `flowdiff.toml` `[[accept]]` entries that
//! take reviewed findings out of the verdict, `flowdiff accept`, config defaults and `ignore`
//! severity rules, all through the CLI.

use crate::common::{fixture, fixture_text, flowdiff, scratch_dir, stderr, stdout};
use crate::compare::edit::Hook;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The seed capture with `disk_format` removed from the image's GET response: one breaking
/// `field_removed` finding against the seed.
fn edited(hook: &mut Hook) {
    let request = hook.request("openstack", "GET", "/v2/images/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |body| {
        body.as_object_mut()
            .expect("image object")
            .remove("disk_format");
    });
}

/// A scratch directory holding `new.md` (the seed with the edit), the seed's path, and the
/// directory.
fn setup(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch_dir(&format!("accept-{name}"));
    std::fs::create_dir(dir.join(".git")).expect(".git");
    let mut hook = Hook::parse(&fixture_text("image-save.hook.md"));
    edited(&mut hook);
    let new = dir.join("new.md");
    std::fs::write(&new, hook.text()).expect("write new");
    (fixture("image-save.hook.md"), new, dir)
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Runs flowdiff in `dir` (so its flowdiff.toml is found).
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("flowdiff runs")
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).expect("JSON report")
}

/// The `field_removed` finding of a JSON report.
fn removed(report: &Value) -> &Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == "field_removed" && f["pointer"] == "/disk_format")
        .expect("the field_removed finding")
}

fn id_of(old: &Path, new: &Path, dir: &Path) -> String {
    let out = run_in(dir, &[s(old), s(new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    removed(&json(&out))["id"].as_str().expect("id").to_string()
}

#[test]
fn ids_are_stable_across_runs_and_recaptures() {
    let (old, new, dir) = setup("stable");
    let first = id_of(&old, &new, &dir);
    assert_eq!(first.len(), 10);
    assert!(first.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(id_of(&old, &new, &dir), first, "same id on a second run");
    // A re-capture with one more unrelated call first: every step number shifts.
    let mut hook = Hook::parse(&fixture_text("image-save.hook.md"));
    edited(&mut hook);
    let discovery = hook.request("openstack", "GET", "/identity/", 0);
    hook.duplicate_exchange(discovery, Some(0));
    hook.renumber();
    let recaptured = dir.join("recaptured.md");
    std::fs::write(&recaptured, hook.text()).expect("write");
    let out = run_in(&dir, &[s(&old), s(&recaptured), "--format", "json"]);
    let report = json(&out);
    let again = removed(&report);
    let before = removed(&json(&run_in(
        &dir,
        &[s(&old), s(&new), "--format", "json"],
    )))["new_step"]
        .clone();
    assert_ne!(again["new_step"], before, "the steps shifted");
    assert_eq!(again["id"], first.as_str(), "the same change keeps its id");
    // The id is printed next to the finding in text.
    let text = stdout(&run_in(&dir, &[s(&old), s(&new)]));
    assert!(text.contains(&format!("[{first}]")), "{text}");
}

#[test]
fn accepting_by_id_passes_the_gate_and_counts_the_finding() {
    let (old, new, dir) = setup("by-id");
    let id = id_of(&old, &new, &dir);
    // `accept` creates the config file.
    let out = run_in(
        &dir,
        &["accept", &id, "--reason", "glance drops disk_format (LP#1)"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = std::fs::read_to_string(dir.join("flowdiff.toml")).expect("config written");
    assert!(config.contains(&format!("id = \"{id}\"")), "{config}");
    let out = run_in(&dir, &[s(&old), s(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["counts"]["accepted"], 1);
    assert_eq!(report["counts"]["breaking"], 0);
    assert_eq!(report["accepted"][0]["id"], id.as_str());
    assert_eq!(
        report["accepted"][0]["reason"],
        "glance drops disk_format (LP#1)"
    );
    assert_eq!(report["accepted"][0]["kind"], "field_removed");
    assert!(report.get("unused_accepts").is_none());
    // Text: counted in the summary, listed with --show-accepted.
    let text = stdout(&run_in(&dir, &[s(&old), s(&new)]));
    assert!(text.contains("1 accepted"), "{text}");
    assert!(!text.contains("LP#1"), "{text}");
    let shown = stdout(&run_in(&dir, &[s(&old), s(&new), "--show-accepted"]));
    assert!(shown.contains(&format!("{id} field_removed")), "{shown}");
    assert!(shown.contains("LP#1"), "{shown}");
    let md = stdout(&run_in(
        &dir,
        &[s(&old), s(&new), "--show-accepted", "--format", "markdown"],
    ));
    assert!(md.contains("**Accepted findings**"), "{md}");
}

#[test]
fn accepting_by_matchers() {
    let (old, new, dir) = setup("matchers");
    std::fs::write(
        dir.join("flowdiff.toml"),
        "[[accept]]\nkind = \"field_removed\"\ncall = \"openstack -> glance-api GET /v2/images/*\"\npointer = \"/disk_*\"\nreason = \"known\"\n",
    )
    .expect("config");
    let out = run_in(&dir, &[s(&old), s(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["counts"]["accepted"], 1);
    // A matcher that does not fit accepts nothing.
    let config = dir.join("other.toml");
    std::fs::write(
        &config,
        "[[accept]]\nkind = \"field_removed\"\ncall = \"nova -> *\"\nreason = \"known\"\n",
    )
    .expect("config");
    let out = run_in(&dir, &["--config", s(&config), s(&old), s(&new)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn an_expired_entry_warns_and_the_gate_fails_again() {
    let (old, new, dir) = setup("expired");
    let id = id_of(&old, &new, &dir);
    let out = run_in(
        &dir,
        &[
            "accept",
            &id,
            "--reason",
            "until the fix",
            "--until",
            "2020-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_in(&dir, &[s(&old), s(&new)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("flowdiff.toml:1:"), "{err}");
    assert!(err.contains("expired on 2020-01-01"), "{err}");
    // Not expired yet: accepted.
    std::fs::write(
        dir.join("flowdiff.toml"),
        format!("[[accept]]\nid = \"{id}\"\nreason = \"r\"\nuntil = 2999-12-31\n"),
    )
    .expect("config");
    assert_eq!(run_in(&dir, &[s(&old), s(&new)]).status.code(), Some(0));
}

#[test]
fn an_unused_entry_is_reported() {
    let (old, new, dir) = setup("unused");
    let id = id_of(&old, &new, &dir);
    std::fs::write(
        dir.join("flowdiff.toml"),
        format!(
            "[[accept]]\nid = \"{id}\"\nreason = \"used\"\n\n[[accept]]\nid = \"0123456789\"\nreason = \"stale\"\n"
        ),
    )
    .expect("config");
    let out = run_in(&dir, &[s(&old), s(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("info: flowdiff.toml:5: accept entry matched no finding"),
        "{err}"
    );
    let unused = &json(&out)["unused_accepts"];
    assert_eq!(unused[0]["entry"], "flowdiff.toml:5");
    assert_eq!(unused[0]["reason"], "stale");
    assert_eq!(unused.as_array().map(Vec::len), Some(1));
}

#[test]
fn accept_keeps_the_comments_of_an_existing_file() {
    let (_, _, dir) = setup("keeps");
    let before = "# Reviewed drift after the 2026.2 upgrade.\nfail_on = \"warning\"  # CI gate\n\n[[accept]]\n# nova's new field\nid = \"aaaaaaaaaa\"\nreason = \"first\"\n";
    std::fs::write(dir.join("flowdiff.toml"), before).expect("config");
    let out = run_in(
        &dir,
        &["accept", "bbbbbbbbbb", "cccccccccc", "--reason", "second"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = std::fs::read_to_string(dir.join("flowdiff.toml")).expect("config");
    assert!(after.starts_with(before), "{after}");
    assert!(
        after.contains("id = \"bbbbbbbbbb\"\nreason = \"second\""),
        "{after}"
    );
    assert!(after.contains("id = \"cccccccccc\""), "{after}");
    // An empty reason or a malformed id is refused, and the file is left alone.
    let out = run_in(&dir, &["accept", "dddddddddd", "--reason", "  "]);
    assert_eq!(out.status.code(), Some(2));
    let out = run_in(&dir, &["accept", "nothex", "--reason", "r"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run_in(
        &dir,
        &["accept", "dddddddddd", "--reason", "r", "--until", "soon"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("flowdiff.toml")).expect("config"),
        after
    );
    // `--config` names a file to create.
    let other = dir.join("ci/flowdiff.toml");
    std::fs::create_dir(dir.join("ci")).expect("dir");
    let out = run_in(
        &dir,
        &[
            "accept",
            "--config",
            s(&other),
            "eeeeeeeeee",
            "--reason",
            "r",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&other).expect("created"),
        "[[accept]]\nid = \"eeeeeeeeee\"\nreason = \"r\"\n"
    );
}

#[test]
fn config_defaults_apply_and_flags_win() {
    let (old, _, dir) = setup("defaults");
    // A value change is info: the default gate passes, `fail_on = "info"` fails it.
    let mut hook = Hook::parse(&fixture_text("image-save.hook.md"));
    let request = hook.request("openstack", "GET", "/v2/images/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |body| body["min_ram"] = Value::from(512));
    let new = dir.join("info.md");
    std::fs::write(&new, hook.text()).expect("write");
    assert_eq!(run_in(&dir, &[s(&old), s(&new)]).status.code(), Some(0));
    std::fs::write(
        dir.join("flowdiff.toml"),
        "fail_on = \"info\"\nformat = \"json\"\n",
    )
    .expect("config");
    let out = run_in(&dir, &[s(&old), s(&new)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["verdict"], "fail");
    let out = run_in(
        &dir,
        &[s(&old), s(&new), "--fail-on", "never", "--format", "text"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("old "), "{}", stdout(&out));
}

#[test]
fn a_bad_config_is_one_error_with_file_and_line() {
    let (old, new, dir) = setup("bad");
    let cases = [
        ("[[accept]]\nid = \"0123456789\"\n", 1, "missing `reason`"),
        ("fail_on = \"warning\"\n\n[[accept]]\nid = \"0123456789\"\nkind = \"x\"\nreason = \"r\"\n", 3, "either `id` or matchers"),
        ("format = \"yaml\"\n", 1, "unknown format `yaml`"),
        ("[[accept]]\nkind = \"nope\"\nreason = \"r\"\n", 1, "unknown kind `nope`"),
        ("colour = 1\n", 1, "unknown field `colour`"),
    ];
    for (text, line, expected) in cases {
        std::fs::write(dir.join("flowdiff.toml"), text).expect("config");
        let out = run_in(&dir, &[s(&old), s(&new)]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("flowdiff.toml:{line}: ")),
            "{text}: {err}"
        );
        assert!(err.contains(expected), "{text}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn an_ignore_severity_rule_drops_the_finding() {
    let (old, new, dir) = setup("ignore");
    std::fs::write(
        dir.join("quiet.toml"),
        "[[rule]]\nname = \"quiet-images\"\nfinding = \"field_removed\"\ncallee = \"glance-api\"\npath = \"/v2/images/.*\"\nseverity = \"ignore\"\naction = \"severity\"\n",
    )
    .expect("rules");
    std::fs::write(dir.join("flowdiff.toml"), "rules = [\"quiet.toml\"]\n").expect("config");
    let out = run_in(&dir, &[s(&old), s(&new), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["suppressed"]["ignored_by_rule"], 1);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["kind"] != "field_removed"));
}

#[test]
fn the_default_config_is_not_searched_past_the_repository() {
    // The tests run in this repository, which has no flowdiff.toml: nothing is accepted.
    let out = flowdiff(&[
        "tests/fixtures/image-save.hook.md",
        "tests/fixtures/image-save.hook.md",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["counts"]["accepted"], 0);
}
