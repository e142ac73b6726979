//! Hand-made mutations of seed 001, built from the fixture text: each yields exactly its finding.

use super::edit::Hook;
use super::{load, render, report, server_create, summary};
use flowdiff::compare::{Finding, Kind, Options, Part};
use flowdiff::normalize::RuleSet;
use flowdiff::report::ReportFormat;
use flowdiff::Severity;
use serde_json::{json, Value};

/// The 1-based old step of the exchange whose request is section `section` of `hook`.
fn step_of(hook: &Hook, section: usize) -> usize {
    let text = hook.text();
    let before: usize = hook.sections[..section]
        .iter()
        .map(|s| s.lines().count())
        .sum();
    let head = text.lines().count()
        - hook
            .sections
            .iter()
            .map(|s| s.lines().count())
            .sum::<usize>();
    let line = head + before + 1;
    let trace = load(&text, &RuleSet::builtin());
    trace
        .exchanges
        .iter()
        .position(|e| e.request.line == Some(line))
        .map(|i| i + 1)
        .expect("an exchange starts at the section")
}

/// Compares seed 001 with `mutated`, snapshots the text, JSON and Mermaid reports, returns the
/// findings.
fn check(name: &str, mutated: &Hook) -> Vec<Finding> {
    let report = report(
        ("server-create.md", &server_create()),
        ("mutated.md", &mutated.text()),
        Options::default(),
    );
    insta::assert_snapshot!(format!("{name}.text"), render(&report, ReportFormat::Text));
    insta::assert_snapshot!(format!("{name}.json"), render(&report, ReportFormat::Json));
    insta::assert_snapshot!(
        format!("{name}.mermaid"),
        render(&report, ReportFormat::Mermaid)
    );
    report.findings
}

/// Seed 001, mutated by each kind of hand-made mutation (`(name, capture text)`): a dropped
/// call, a new call, two calls swapped, a status change, a response field removed, added and
/// retyped, a response header removed, a polling loop shortened.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("dropped_call", dropped_call().0.text()),
        ("extra_call", super::reports::with_extra_call().text()),
        ("swapped_same_caller", swapped_same_caller().text()),
        ("status_changed", status_changed().text()),
        (
            "field_removed",
            flavor_patched(json!({"op": "remove", "path": "/flavor/ram"})).text(),
        ),
        (
            "field_added",
            flavor_patched(json!({"op": "add", "path": "/flavor/x-added", "value": "yes"})).text(),
        ),
        (
            "type_changed",
            flavor_patched(json!({"op": "replace", "path": "/flavor/ram", "value": "512"})).text(),
        ),
        ("header_removed", header_removed().text()),
        ("polling_shortened", polling_shortened().text()),
    ]
}

fn seed() -> Hook {
    Hook::parse(&server_create())
}

/// Seed 001 with nova-scheduler's first `GET /placement/allocations/…` dropped, and the old
/// step of that call.
fn dropped_call() -> (Hook, usize) {
    let mut hook = seed();
    let request = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    let step = step_of(&hook, request);
    hook.drop_exchange(request);
    (hook, step)
}

#[test]
fn a_dropped_call_is_one_missing_call() {
    let (hook, step) = dropped_call();
    let found = check("dropped_call", &hook);
    assert_eq!(
        summary(&found),
        vec![(Kind::MissingCall, Severity::Breaking, Part::Call, None)]
    );
    assert_eq!(found[0].old_step, Some(step));
    assert_eq!(found[0].new_step, None);
}

/// Seed 001 with two consecutive calls of nova-scheduler swapped.
fn swapped_same_caller() -> Hook {
    let mut hook = seed();
    let first = hook.request(
        "nova-scheduler",
        "GET",
        "/placement/allocation_candidates",
        0,
    );
    let second = hook.request("nova-scheduler", "GET", "/placement/allocations/", 0);
    hook.swap_adjacent(first, second);
    hook
}

#[test]
fn two_calls_of_one_caller_swapped_is_one_reorder() {
    let found = check("swapped_same_caller", &swapped_same_caller());
    assert_eq!(
        summary(&found),
        vec![(Kind::ReorderedCall, Severity::Warning, Part::Call, None)]
    );
}

#[test]
fn two_adjacent_calls_of_different_actors_swapped_is_no_finding() {
    let mut hook = seed();
    let first = hook.request("nova-scheduler", "PUT", "/placement/allocations/", 0);
    let second = hook.request("nova-compute", "GET", "/placement/allocations/", 0);
    hook.swap_adjacent(first, second);
    let text = hook.text();
    let found = super::findings(&server_create(), &text);
    assert!(found.is_empty(), "{found:#?}");
    let strict = report(
        ("old.md", &server_create()),
        ("new.md", &text),
        Options {
            strict_order: true,
            ..Options::default()
        },
    );
    assert!(
        !strict.findings.is_empty(),
        "--strict-order reports the interleaving"
    );
    assert!(strict
        .findings
        .iter()
        .all(|f| f.kind == Kind::ReorderedCall && f.severity == Severity::Info));
}

/// Seed 001 with a 200 turned into a 404.
fn status_changed() -> Hook {
    let mut hook = seed();
    let request = hook.request("nova-api", "GET", "/v2/schemas/image", 0);
    let response = hook.response(request);
    hook.set_heading(response, "404 Not Found /v2/schemas/image");
    hook
}

#[test]
fn a_changed_status_is_one_status_change() {
    let found = check("status_changed", &status_changed());
    assert_eq!(
        summary(&found),
        vec![(Kind::StatusChanged, Severity::Breaking, Part::Status, None)]
    );
    assert_eq!(
        (found[0].old.clone(), found[0].new.clone()),
        (Some(Value::from(200)), Some(Value::from(404)))
    );
}

/// Seed 001 with the first flavor response body edited.
fn flavor_edited(edit: impl FnOnce(&mut Value)) -> Hook {
    let mut hook = seed();
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.edit_body(response, edit);
    hook
}

/// Seed 001 with the first flavor response body changed by one RFC 6902 (JSON Patch)
/// operation; the finding must point (RFC 6901) at the operation's path.
fn flavor_patched(op: Value) -> Hook {
    let patch: json_patch::Patch =
        serde_json::from_value(Value::Array(vec![op])).expect("a JSON patch");
    flavor_edited(|v| json_patch::patch(v, &patch).expect("the patch applies"))
}

#[test]
fn a_removed_response_field_is_one_field_removed() {
    let hook = flavor_patched(json!({"op": "remove", "path": "/flavor/ram"}));
    let found = check("field_removed", &hook);
    let expected = (
        Kind::FieldRemoved,
        Severity::Breaking,
        Part::ResponseBody,
        Some("/flavor/ram".into()),
    );
    assert_eq!(summary(&found), vec![expected]);
}

#[test]
fn an_added_response_field_is_one_field_added() {
    let hook = flavor_patched(json!({"op": "add", "path": "/flavor/x-added", "value": "yes"}));
    let found = check("field_added", &hook);
    let expected = (
        Kind::FieldAdded,
        Severity::Info,
        Part::ResponseBody,
        Some("/flavor/x-added".into()),
    );
    assert_eq!(summary(&found), vec![expected]);
}

#[test]
fn a_retyped_response_field_is_one_type_change() {
    let hook = flavor_patched(json!({"op": "replace", "path": "/flavor/ram", "value": "512"}));
    let found = check("type_changed", &hook);
    let expected = (
        Kind::TypeChanged,
        Severity::Breaking,
        Part::ResponseBody,
        Some("/flavor/ram".into()),
    );
    assert_eq!(summary(&found), vec![expected]);
}

/// Seed 001 without the first flavor response's `Content-Type`.
fn header_removed() -> Hook {
    let mut hook = seed();
    let request = hook.request("openstack", "GET", "/compute/v2.1/flavors/", 0);
    let response = hook.response(request);
    hook.remove_header(response, "Content-Type");
    hook
}

#[test]
fn a_removed_response_header_is_one_header_removed() {
    let found = check("header_removed", &header_removed());
    let expected = (
        Kind::HeaderRemoved,
        Severity::Breaking,
        Part::ResponseHeaders,
        Some("content-type".into()),
    );
    assert_eq!(summary(&found), vec![expected]);
}

#[test]
fn a_reshuffled_catalog_is_no_finding() {
    let mut hook = seed();
    let request = hook.request("openstack", "POST", "/identity/v3/auth/tokens", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        let catalog = v
            .pointer_mut("/token/catalog")
            .and_then(Value::as_array_mut)
            .expect("a catalog");
        assert!(catalog.len() > 1);
        catalog.reverse();
        for service in catalog.iter_mut() {
            if let Some(endpoints) = service.get_mut("endpoints").and_then(Value::as_array_mut) {
                endpoints.reverse();
            }
        }
    });
    assert_ne!(hook.text(), server_create());
    let found = super::findings(&server_create(), &hook.text());
    assert!(found.is_empty(), "{found:#?}");
}

/// Seed 001 with nova-compute's first run of two port polls one poll shorter.
fn polling_shortened() -> Hook {
    let mut hook = seed();
    let compute: Vec<usize> = (0..hook.sections.len())
        .filter(|&i| hook.sections[i].contains("`nova-compute` --> "))
        .collect();
    let is_ports = |i: usize| hook.sections[i].starts_with("### GET /networking/v2.0/ports\n");
    let second = compute
        .windows(2)
        .find(|w| is_ports(w[0]) && is_ports(w[1]))
        .map(|w| w[1])
        .expect("nova-compute polls the ports twice in a row");
    hook.drop_exchange(second);
    hook
}

#[test]
fn a_shorter_polling_loop_is_one_repeat_count_change() {
    let found = check("polling_shortened", &polling_shortened());
    assert_eq!(
        summary(&found),
        vec![(Kind::RepeatCountChanged, Severity::Info, Part::Call, None)]
    );
    assert_eq!(
        (found[0].old.clone(), found[0].new.clone()),
        (Some(Value::from(2)), Some(Value::from(1)))
    );
}

#[test]
fn a_polling_cycle_that_ran_once_less_is_one_repeat_count_change() {
    let mut hook = seed();
    // nova-compute refreshes the network info in cycles of `GET .../ports` (once or more),
    // `GET .../networks`, …; drop the first such cycle, up to the next one.
    let compute: Vec<usize> = (0..hook.sections.len())
        .filter(|&i| hook.sections[i].contains("`nova-compute` --> "))
        .collect();
    let starts = |i: usize, path: &str| hook.sections[i].starts_with(&format!("### GET {path}\n"));
    // A cycle starts with its run of port polls.
    let ports = |k: usize| starts(compute[k], "/networking/v2.0/ports");
    let cycle: Vec<usize> = (1..compute.len())
        .filter(|&k| ports(k - 1) && starts(compute[k], "/networking/v2.0/networks"))
        .map(|mut k| {
            while k >= 2 && ports(k - 2) {
                k -= 1;
            }
            compute[k - 1]
        })
        .collect();
    assert!(cycle.len() >= 2, "at least two refresh cycles");
    let dropped: Vec<usize> = compute
        .iter()
        .copied()
        .filter(|&i| i >= cycle[0] && i < cycle[1])
        .collect();
    for &request in dropped.iter().rev() {
        hook.drop_exchange(request);
    }
    let found = super::findings(&server_create(), &hook.text());
    assert_eq!(
        summary(&found),
        vec![(Kind::RepeatCountChanged, Severity::Info, Part::Call, None)],
        "{found:#?}"
    );
    assert_eq!(
        (found[0].old.clone(), found[0].new.clone()),
        (Some(Value::from(2)), Some(Value::from(1)))
    );
}
