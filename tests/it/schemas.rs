//! Every JSON output, validated through the CLI against the JSON Schema shipped for it under
//! `schemas/` (draft 2020-12): reports of clean and failing comparisons, `check` with a capture
//! it cannot read, a Tempest pair, `--explain`, notes and `show`. The schemas are strict: the
//! wrong shapes at the end must fail.

use crate::common::{fixture, flowdiff, scratch_dir, stderr, stdout};
use crate::compare::edit::Hook;
use crate::compare::server_create;
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The shipped schemas, by file stem, and the `schema` tag each one describes.
const SCHEMAS: [(&str, &str); 8] = [
    ("report", "flowdiff/v1"),
    ("error", "flowdiff-error/v1"),
    ("check", "flowdiff-check/v1"),
    ("run", "flowdiff-run/v1"),
    ("notes", "flowdiff-notes/v1"),
    ("capture", "flowdiff-capture/v1"),
    ("trace", "flowdiff-trace/v1"),
    ("explain", "flowdiff-explain/v1"),
];

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// A validator for `schemas/NAME.json`, the other schemas registered for its `$ref`s (by
/// their `$id`, offline).
fn validator(name: &str) -> Validator {
    let mut registry = Registry::new();
    for (other, _) in SCHEMAS {
        let value = schema(other);
        let id = value["$id"].as_str().expect("$id").to_string();
        registry = registry.add(id, value).expect("schema registers");
    }
    let registry = registry.prepare().expect("registry");
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(&registry)
        .build(&schema(name))
        .unwrap_or_else(|e| panic!("schemas/{name}.json: {e}"))
}

/// Asserts `instance` is valid against `schemas/NAME.json`, listing every error.
fn valid(name: &str, instance: &Value) {
    let validator = validator(name);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schemas/{name}.json rejects the output:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

/// Runs flowdiff, expects exit `code`, and parses stdout as JSON.
fn json_output(args: &[&str], code: i32) -> Value {
    let out = flowdiff(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Seed 001 as `old.md` and, as `new.md`, the seed with a flavor field removed, a response
/// header removed and a scheduler call dropped: findings of several kinds, parts and severities.
fn changed_pair(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch_dir(&format!("schemas-{name}"));
    let mut hook = Hook::parse(&server_create());
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        if let Some(flavor) = v.get_mut("flavor").and_then(Value::as_object_mut) {
            flavor.remove("ram");
            flavor.insert("x-new".into(), json!(1));
        }
    });
    hook.remove_header(response, "Content-Type");
    let dropped = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.drop_exchange(dropped);
    let old = dir.join("old.md");
    let new = dir.join("new.md");
    std::fs::write(&old, server_create()).expect("write");
    std::fs::write(&new, hook.text()).expect("write");
    (dir, old, new)
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema_for_its_tag() {
    for (name, tag) in SCHEMAS {
        let value = schema(name);
        assert_eq!(
            value["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        if let Err(e) = jsonschema::draft202012::meta::validate(&value) {
            panic!("schemas/{name}.json is not a valid schema: {e}");
        }
        let text = value.to_string();
        assert!(text.contains(&format!("\"{tag}\"")), "{name} names {tag}");
    }
}

#[test]
fn reports_of_clean_and_failing_comparisons_and_their_explanations() {
    let (dir, old, new) = changed_pair("report");
    let clean = json_output(&[s(&old), s(&old), "--format", "json"], 0);
    valid("report", &clean);
    let failing = json_output(
        &[s(&old), s(&new), "--format", "json", "--fail-on", "info"],
        1,
    );
    valid("report", &failing);
    let kinds: Vec<&str> = failing["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    for kind in [
        "missing_call",
        "field_removed",
        "field_added",
        "header_removed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    // Accepted findings and an entry that matched nothing.
    let id = failing["findings"][0]["id"].as_str().expect("id");
    let config = dir.join("flowdiff.toml");
    std::fs::write(
        &config,
        format!(
            "[[accept]]\nid = \"{id}\"\nreason = \"known\"\n\n[[accept]]\nkind = \"extra_call\"\nreason = \"stale\"\n"
        ),
    )
    .expect("write config");
    let accepted = json_output(
        &["--config", s(&config), s(&old), s(&new), "--format", "json"],
        1,
    );
    assert_eq!(accepted["counts"]["accepted"], 1, "{accepted:#}");
    assert!(accepted["unused_accepts"].is_array(), "{accepted:#}");
    valid("report", &accepted);
    let one = json_output(&[s(&old), s(&new), "--format", "json", "--explain", "3"], 1);
    valid("explain", &one);
}

#[test]
fn check_with_a_capture_it_cannot_read() {
    let (dir, old, new) = changed_pair("check");
    let golden = dir.join("golden");
    std::fs::create_dir(&golden).expect("golden dir");
    std::fs::copy(&old, golden.join("server-create.md")).expect("copy");
    let bad = dir.join("bad.md");
    std::fs::write(&bad, "### (2) 200 OK /v2/images\n").expect("write");
    let document = json_output(
        &[
            "check",
            s(&new),
            s(&old),
            s(&bad),
            "--golden",
            s(&golden),
            "--no-builtin",
            "--flow",
            "server-create",
            "--format",
            "json",
        ],
        2,
    );
    valid("check", &document);
    let schemas: Vec<&str> = document["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["schema"].as_str())
        .collect();
    assert_eq!(
        schemas,
        ["flowdiff/v1", "flowdiff/v1", "flowdiff-error/v1"],
        "{document:#}"
    );
    valid("error", &document["results"][2]);
    let several = json_output(
        &[
            "check",
            s(&new),
            s(&old),
            "--golden",
            s(&golden),
            "--no-builtin",
            "--flow",
            "server-create",
            "--format",
            "json",
            "--explain",
            "3",
        ],
        1,
    );
    valid("explain", &several);
    assert_eq!(several.as_array().map(Vec::len), Some(2));
}

#[test]
fn a_tempest_pair_its_explanations_and_show() {
    let (before, after) =
        crate::compare::tempest::before_and_after(&scratch_dir("schemas-tempest"), true);
    let run = json_output(
        &[
            s(&before),
            s(&after),
            "--format",
            "json",
            "--fail-on",
            "warning",
        ],
        1,
    );
    valid("run", &run);
    assert_eq!(run["summary"]["compared"], 3, "{run:#}");
    let explained = json_output(
        &[s(&before), s(&after), "--format", "json", "--explain", "2"],
        0,
    );
    valid("explain", &explained);
    let shown = json_output(&["show", s(&after), "--format", "json"], 0);
    valid("capture", &shown);
    assert_eq!(shown["flows"].as_array().map(Vec::len), Some(3));
    for flow in shown["flows"].as_array().expect("flows") {
        valid("trace", flow);
    }
}

#[test]
fn show_of_every_fixture_format() {
    for name in [
        "server-create.hook.md",
        "image-create.doc.md",
        "image-show.mermaid-fenced.md",
        "image-show.hook-log.txt",
        "client-debug.server-create.txt",
        "tempest.interleaved-py2.oslo-layout.log",
    ] {
        let path = fixture(name);
        for extra in [&[][..], &["--normalized"][..]] {
            let args = [&["show", s(&path), "--format", "json"][..], extra].concat();
            let shown = json_output(&args, 0);
            valid("capture", &shown);
        }
    }
}

#[test]
fn notes_of_changed_unchanged_added_and_removed_flows() {
    let (dir, old, new) = changed_pair("notes");
    let (before, after) = (dir.join("before"), dir.join("after"));
    for d in [&before, &after] {
        std::fs::create_dir(d).expect("dir");
    }
    std::fs::copy(&old, before.join("server-create.md")).expect("copy");
    std::fs::copy(&new, after.join("server-create.md")).expect("copy");
    std::fs::copy(fixture("image-save.hook.md"), before.join("image-save.md")).expect("copy");
    std::fs::copy(fixture("image-save.hook.md"), after.join("image-save.md")).expect("copy");
    std::fs::copy(fixture("image-show.hook.md"), before.join("image-show.md")).expect("copy");
    std::fs::copy(
        fixture("image-create.doc.md"),
        after.join("image-create.md"),
    )
    .expect("copy");
    let notes = json_output(&["notes", s(&before), s(&after), "--format", "json"], 0);
    valid("notes", &notes);
    let mut statuses: Vec<&str> = notes["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        ["added", "changed", "removed", "unchanged"],
        "{notes:#}"
    );
}

#[test]
fn the_schemas_reject_wrong_shapes() {
    let (_, old, new) = changed_pair("strict");
    let report = json_output(&[s(&old), s(&new), "--format", "json"], 1);
    valid("report", &report);
    let rejects = |name: &str, instance: &Value, what: &str| {
        assert!(
            !validator(name).is_valid(instance),
            "schemas/{name}.json accepts {what}"
        );
    };
    let mut extra = report.clone();
    extra["findings"][0]["extra"] = json!(1);
    rejects("report", &extra, "an unknown finding member");
    let mut missing = report.clone();
    missing.as_object_mut().expect("object").remove("verdict");
    rejects("report", &missing, "a report without verdict");
    let mut severity = report.clone();
    severity["findings"][0]["severity"] = json!("fatal");
    rejects("report", &severity, "an unknown severity");
    let mut id = report.clone();
    id["findings"][0]["id"] = json!("XYZ");
    rejects("report", &id, "an id that is not 10 hex characters");
    let mut counts = report.clone();
    counts["counts"]["breaking"] = json!(-1);
    rejects("report", &counts, "a negative count");
    let mut tag = report.clone();
    tag["schema"] = json!("flowdiff/v2");
    rejects("report", &tag, "another schema tag");
    let check = json!({
        "schema": "flowdiff-check/v1",
        "summary": {"flows": 1, "pass": 0, "fail": 1, "not_checked": 0},
        "results": [{"source": "x.md", "error": "x.md:1: bad"}],
    });
    rejects("check", &check, "an error object without its schema tag");
    let shown = json_output(&["show", s(&old), "--format", "json"], 0);
    let mut body = shown.clone();
    body["flows"][0]["exchanges"][0]["response"]["body"] = json!({"kind": "none", "value": "x"});
    rejects("capture", &body, "a body of kind none with a value");
}
