//! `flowdiff notes`: release notes of flow changes between two sets of captures.

use crate::common::{fixture, fixture_text, flowdiff, scratch_dir, stderr, stdout};
use crate::compare::edit::{doc_page_without, Hook};
use flowdiff::compare::Options;
use flowdiff::normalize::{normalize, RuleSet};
use flowdiff::notes::{self, Capture, ChangeKind, Notes, Status};
use serde_json::Value;
use std::fs;

/// Seed 004 without the unified-limits calls and without `os_hidden` in the image it creates.
fn image_create_without_limits() -> String {
    let text = fixture_text("image-create.doc.md");
    let edited = doc_page_without(&text, |arrow| {
        ["/limits", "/registered_limits", "/endpoints/"]
            .iter()
            .any(|p| arrow.contains(p))
    });
    let mut page = Hook::parse(&edited);
    let created = page
        .sections
        .iter()
        .position(|s| {
            s.lines()
                .next()
                .is_some_and(|h| h.ends_with(" 201 Created /image/v2/images"))
        })
        .expect("the image-create response");
    page.edit_body(created, |body| {
        body.as_object_mut()
            .expect("an image")
            .remove("os_hidden")
            .expect("os_hidden present");
    });
    page.text()
}

fn capture(source: &str, text: &str, rules: &RuleSet) -> Capture {
    let trace = flowdiff::parse::parse(text).expect("capture parses");
    let stem = source.rsplit('/').next().unwrap_or(source);
    Capture {
        source: source.to_string(),
        link: Some(source.to_string()),
        stem: stem.split('.').next().unwrap_or(stem).to_string(),
        trace: normalize(&trace, rules),
    }
}

/// The notes of one pair of capture texts, named `old/NAME` and `new/NAME`.
fn notes_of(title: &str, name: &str, old: &str, new: &str) -> Notes {
    let rules = RuleSet::builtin();
    let old = [capture(&format!("old/{name}"), old, &rules)];
    let new = [capture(&format!("new/{name}"), new, &rules)];
    notes::build(
        title,
        ("old", &old),
        ("new", &new),
        &rules,
        &Options::default(),
    )
}

fn seed_004_notes() -> Notes {
    let old = fixture_text("image-create.doc.md");
    notes_of(
        "Release notes",
        "image-create.doc.md",
        &old,
        &image_create_without_limits(),
    )
}

#[test]
fn seed_004_without_limits_reads_as_removed_calls_and_a_dropped_field() {
    let notes = seed_004_notes();
    assert_eq!(notes.flows.len(), 1);
    let flow = &notes.flows[0];
    assert_eq!(flow.status, Status::Changed);
    assert_eq!(flow.flow, "openstack image create");
    let removed: Vec<&str> = flow
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::RemovedCall)
        .map(|c| c.text.as_str())
        .collect();
    assert!(!removed.is_empty());
    for text in &removed {
        assert!(
            text.starts_with("glance-api no longer calls keystone `GET "),
            "{text}"
        );
        assert!(
            text.contains("limits") || text.contains("endpoints"),
            "{text}"
        );
    }
    assert!(flow.changes.iter().all(|c| c.kind != ChangeKind::NewCall));
    // Every finding of the comparison is told, once.
    let report = flow.report.as_ref().expect("a paired flow has its report");
    let told: usize = flow.changes.iter().map(|c| c.findings).sum();
    assert_eq!(told, report.findings.len());
    for path in [
        "/limits/model",
        "/endpoints/{",
        "/limits`",
        "/registered_limits",
    ] {
        assert!(
            removed.iter().any(|t| t.contains(path)),
            "{path}: {removed:?}"
        );
    }
    let schema: Vec<&str> = flow
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Schema)
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(schema, ["`POST /v2/images` response: `os_hidden` removed"]);
    let markdown = notes::markdown(&notes);
    assert_eq!(
        markdown,
        notes::markdown(&seed_004_notes()),
        "deterministic"
    );
    insta::assert_snapshot!("seed_004_without_limits", markdown);
}

/// Seed 001 with one change of each payload kind and a shorter polling loop.
fn server_create_changed() -> String {
    let mut hook = Hook::parse(&fixture_text("server-create.hook.md"));
    let schema = hook.request("nova-api", "GET", "/v2/schemas/image", 0);
    let schema = hook.response(schema);
    hook.set_heading(schema, "404 Not Found /v2/schemas/image");
    let flavor = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let flavor = hook.response(flavor);
    hook.edit_body(flavor, |v| {
        let flavor = v["flavor"].as_object_mut().expect("a flavor");
        let ram = flavor.get_mut("ram").expect("ram");
        *ram = Value::from(ram.to_string());
        flavor.insert("description".into(), Value::from("small"));
    });
    hook.remove_header(flavor, "Content-Type");
    let ports = (0..hook.sections.len())
        .filter(|&i| hook.sections[i].contains("`nova-compute` --> "))
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| {
            w.iter()
                .all(|&i| hook.sections[i].starts_with("### GET /networking/v2.0/ports\n"))
        })
        .map(|w| w[1])
        .expect("nova-compute polls the ports twice in a row");
    hook.drop_exchange(ports);
    hook.text()
}

#[test]
fn payload_changes_read_per_call_and_service() {
    let old = fixture_text("server-create.hook.md");
    let notes = notes_of(
        "Server create",
        "server-create.md",
        &old,
        &server_create_changed(),
    );
    let flow = &notes.flows[0];
    let kinds: Vec<ChangeKind> = flow.changes.iter().map(|c| c.kind).collect();
    for kind in [
        ChangeKind::Status,
        ChangeKind::Schema,
        ChangeKind::Headers,
        ChangeKind::RepeatCount,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {:#?}", flow.changes);
    }
    let told: usize = flow.changes.iter().map(|c| c.findings).sum();
    assert_eq!(told, flow.report.as_ref().expect("report").findings.len());
    insta::assert_snapshot!("server_create_payload_changes", notes::markdown(&notes));
}

/// OLD: seeds 002, 003, 004; NEW: 003 unchanged, 004 edited, seed 001 added, a README.
/// (The hook Markdown seeds have no title: their flows are named by file.)
fn release_dirs(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch_dir(name);
    let (old, new) = (dir.join("old"), dir.join("new"));
    fs::create_dir_all(old.join("image")).expect("old dir");
    fs::create_dir_all(new.join("image")).expect("new dir");
    for seed in ["image-save.hook.md", "image-show.hook.md"] {
        fs::copy(fixture(seed), old.join("image").join(seed)).expect("copy");
    }
    fs::copy(
        fixture("image-create.doc.md"),
        old.join("image-create.doc.md"),
    )
    .expect("copy");
    fs::copy(
        fixture("image-show.hook.md"),
        new.join("image/image-show.hook.md"),
    )
    .expect("copy");
    fs::write(
        new.join("image-create.doc.md"),
        image_create_without_limits(),
    )
    .expect("write");
    fs::copy(
        fixture("server-create.hook.md"),
        new.join("server-create.md"),
    )
    .expect("copy");
    fs::write(new.join("README.txt"), "captures of the new release\n").expect("write");
    (old, new)
}

#[test]
fn directories_pair_by_flow_and_list_added_removed_and_unchanged() {
    let (old, new) = release_dirs("notes-dirs");
    let out = old.parent().expect("parent").join("docs/notes.md");
    fs::create_dir_all(out.parent().expect("docs")).expect("docs dir");
    let args = |o: &std::path::Path| {
        [
            "notes".to_string(),
            old.display().to_string(),
            new.display().to_string(),
            "--title".into(),
            "Flow changes in 2023.1".into(),
            "-o".into(),
            o.display().to_string(),
        ]
    };
    let run = flowdiff(&args(&out).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stdout(&run).is_empty());
    assert!(
        stderr(&run).contains("note: skipping") && stderr(&run).contains("README.txt"),
        "{}",
        stderr(&run)
    );
    let first = fs::read_to_string(&out).expect("notes written");
    let again = flowdiff(&args(&out).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(&out).expect("notes"),
        first,
        "two runs, same file"
    );
    assert!(first.starts_with("# Flow changes in 2023.1\n"), "{first}");
    assert!(first.contains("| openstack image create | "), "{first}");
    assert!(
        first.contains("**Unchanged:** `image-show` ([capture](../new/image/image-show.hook.md))"),
        "{first}"
    );
    assert!(
        first.contains("**Flows added:** `server-create`"),
        "{first}"
    );
    assert!(
        first.contains("**Flows no longer captured:** `image-save`"),
        "{first}"
    );
    // Links go from docs/notes.md to the new capture.
    assert!(first.contains("](../new/image-create.doc.md#L"), "{first}");
}

#[test]
fn json_notes_carry_pairing_and_reports() {
    let (old, new) = release_dirs("notes-json");
    let run = flowdiff(&[
        "notes",
        &old.display().to_string(),
        &new.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let json: Value = serde_json::from_str(&stdout(&run)).expect("json");
    assert_eq!(json["schema"], "flowdiff-notes/v1");
    let flows = json["flows"].as_array().expect("flows");
    let row = |name: &str| {
        flows
            .iter()
            .find(|f| f["flow"] == name)
            .unwrap_or_else(|| panic!("{name} in {flows:#?}"))
    };
    let create = row("openstack image create");
    assert_eq!(create["status"], "changed");
    assert_eq!(create["paired_by"], "title");
    assert_eq!(create["report"]["schema"], "flowdiff/v1");
    assert_eq!(
        create["counts"]["breaking"],
        create["report"]["counts"]["breaking"]
    );
    assert!(create["changes"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(row("image-show")["status"], "unchanged");
    assert_eq!(row("server-create")["status"], "added");
    assert_eq!(row("server-create")["report"], Value::Null);
    assert_eq!(row("image-save")["status"], "removed");
}

#[test]
fn builtin_goldens_as_old_side() {
    let run = flowdiff(&[
        "notes",
        "golden",
        &fixture("image-show.hook.md").display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let json: Value = serde_json::from_str(&stdout(&run)).expect("json");
    let flows = json["flows"].as_array().expect("flows");
    let show = flows
        .iter()
        .find(|f| f["new"].is_string())
        .expect("the capture's flow");
    assert_eq!(show["old"], "golden/image-show.md", "{show:#?}");
    let removed = flows.iter().filter(|f| f["status"] == "removed").count();
    assert_eq!(removed, flowdiff::golden::builtin().len() - 1);
}

#[test]
fn golden_means_the_goldens_in_effect_the_directory_over_the_builtins() {
    // A project's own golden/, just blessed: notes must compare with it, not with the
    // goldens compiled into the binary.
    let dir = scratch_dir("notes-golden-dir");
    let golden = dir.join("golden");
    fs::create_dir_all(&golden).expect("golden dir");
    let mut changed = Hook::parse(&fixture_text("image-show.hook.md"));
    let token = changed.request("openstack", "POST", "/identity/v3/auth/tokens", 0);
    changed.drop_exchange(token);
    let rules = RuleSet::builtin();
    let mut trace = flowdiff::parse::parse(&changed.text()).expect("variant parses");
    trace.name = Some("openstack image show".into());
    let normalized = normalize(&trace, &rules);
    fs::write(
        golden.join("image-show.md"),
        flowdiff::trace_output::hook_markdown::hook_markdown(&normalized),
    )
    .expect("write golden");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_flowdiff"))
        .args(["notes", "golden"])
        .arg(fixture("image-show.hook.md"))
        .args(["--format", "json"])
        .current_dir(&dir)
        .output()
        .expect("flowdiff runs");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let json: Value = serde_json::from_str(&stdout(&run)).expect("json");
    // The goldens in effect: the directory's image-show over the built-in one, and the other
    // built-ins (not captured in NEW).
    let flows = json["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), flowdiff::golden::builtin().len(), "{flows:#?}");
    let show = flows
        .iter()
        .find(|f| f["flow"] == "openstack image show")
        .expect("image show");
    assert_eq!(
        show["status"], "changed",
        "the directory's golden: {flows:#?}"
    );
    assert_eq!(show["old"], "golden/image-show.md");
}

#[test]
fn a_directory_without_captures_is_an_error() {
    let dir = scratch_dir("notes-empty");
    fs::write(dir.join("README.txt"), "nothing here\n").expect("write");
    let run = flowdiff(&[
        "notes",
        &dir.display().to_string(),
        &fixture("image-show.hook.md").display().to_string(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("no captures found"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn several_captures_of_one_flow_stand_as_the_first() {
    let dir = scratch_dir("notes-set");
    let set = dir.join("golden/image-show");
    fs::create_dir_all(&set).expect("set dir");
    let text = format!(
        "# openstack image show\n\n{}",
        fixture_text("image-show.hook.md")
    );
    for member in ["001.md", "002.md"] {
        fs::write(set.join(member), &text).expect("member");
    }
    fs::write(dir.join("new.md"), &text).expect("new");
    let run = flowdiff(&[
        "notes",
        &dir.join("golden").display().to_string(),
        &dir.join("new.md").display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("002.md is another capture of the flow of"),
        "{}",
        stderr(&run)
    );
    let json: Value = serde_json::from_str(&stdout(&run)).expect("json");
    let flows = json["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), 1, "{flows:#?}");
    assert_eq!(flows[0]["status"], "unchanged");
    assert!(flows[0]["old"]
        .as_str()
        .is_some_and(|s| s.ends_with("001.md")));
}
