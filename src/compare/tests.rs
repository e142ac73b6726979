//! Unit tests of [`super::compare`] on hand-built traces.

use super::*;
use crate::trace::{Body, Exchange, Format, Headers, Message};

/// A complete exchange `caller -> callee METHOD path` answered with `status`.
fn call(
    caller: &str,
    callee: &str,
    method: &str,
    path: &str,
    status: u16,
    parent: Option<usize>,
) -> Exchange {
    Exchange {
        status: Some(status),
        request: Message {
            line: Some(1),
            headers: Headers::default(),
            body: Body::None,
            truncated: false,
        },
        response: Message {
            line: Some(2),
            headers: [("Content-Type", "application/json")].into_iter().collect(),
            body: Body::Json(model_json!({"image": {"status": "active", "size": 1}})),
            truncated: false,
        },
        parent,
        ..Exchange::new(caller, callee, method, path)
    }
}

fn trace(format: Format, exchanges: Vec<Exchange>) -> Trace {
    Trace {
        name: None,
        format,
        variables: Vec::new(),
        events: Vec::new(),
        exchanges,
        warnings: Vec::new(),
    }
}

fn base() -> Vec<Exchange> {
    vec![
        call(
            "openstack",
            "glance-api",
            "GET",
            "/v2/images/{image_id}",
            200,
            None,
        ),
        call(
            "glance-api",
            "keystone",
            "GET",
            "/identity/v3/auth/tokens",
            200,
            Some(0),
        ),
        call(
            "openstack",
            "nova-api",
            "GET",
            "/compute/v2.1/flavors/c1",
            200,
            None,
        ),
        call(
            "nova-api",
            "placement-api",
            "GET",
            "/placement/traits",
            200,
            Some(2),
        ),
        call(
            "nova-api",
            "placement-api",
            "GET",
            "/placement/usages",
            200,
            Some(2),
        ),
    ]
}

fn run(
    old: &Trace,
    new: &Trace,
    options: Options,
) -> Vec<(Kind, Severity, Option<usize>, Option<usize>)> {
    compare(old, new, &RuleSet::builtin(), &options)
        .findings
        .iter()
        .map(|f| (f.kind, f.severity, f.old_step, f.new_step))
        .collect()
}

#[test]
fn a_trace_against_itself_has_no_findings() {
    let t = trace(Format::HookMarkdown, base());
    assert!(run(&t, &t, Options::default()).is_empty());
}

#[test]
fn a_dropped_call_is_one_breaking_missing_call() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    exchanges.remove(4);
    let new = trace(Format::HookMarkdown, exchanges);
    assert_eq!(
        run(&old, &new, Options::default()),
        vec![(Kind::MissingCall, Severity::Breaking, Some(5), None)]
    );
    assert_eq!(
        run(&new, &old, Options::default()),
        vec![(Kind::ExtraCall, Severity::Warning, None, Some(5))]
    );
}

#[test]
fn status_class_decides_the_severity() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    exchanges[2].status = Some(404);
    exchanges[3].status = Some(203);
    let new = trace(Format::HookMarkdown, exchanges);
    assert_eq!(
        run(&old, &new, Options::default()),
        vec![
            (Kind::StatusChanged, Severity::Breaking, Some(3), Some(3)),
            (Kind::StatusChanged, Severity::Warning, Some(4), Some(4)),
        ]
    );
}

#[test]
fn headers_and_bodies_drift_on_aligned_pairs() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    exchanges[0].response.headers = Headers::default();
    exchanges[0].response.body =
        Body::Json(model_json!({"image": {"status": "queued", "size": "1"}}));
    exchanges[0].request.headers = [("X-New", "1"), ("X-Roles", "admin")].into_iter().collect();
    let new = trace(Format::HookMarkdown, exchanges);
    let comparison = compare(&old, &new, &RuleSet::builtin(), &Options::default());
    let got: Vec<(Kind, Part, Option<&str>)> = comparison
        .findings
        .iter()
        .map(|f| (f.kind, f.part, f.pointer.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Kind::HeaderAdded, Part::RequestHeaders, Some("x-new")),
            (Kind::HeaderAdded, Part::RequestHeaders, Some("x-roles")),
            (
                Kind::HeaderRemoved,
                Part::ResponseHeaders,
                Some("content-type")
            ),
            (Kind::TypeChanged, Part::ResponseBody, Some("/image/size")),
            (
                Kind::ValueChanged,
                Part::ResponseBody,
                Some("/image/status")
            ),
        ]
    );
    // The severity policy: an unknown header added is a warning, a capture-point header (added
    // by keystonemiddleware inside the service) info, a contract header removed breaking.
    assert_eq!(comparison.findings[0].severity, Severity::Warning);
    assert_eq!(comparison.findings[1].severity, Severity::Info);
    assert_eq!(comparison.findings[2].severity, Severity::Breaking);
}

#[test]
fn a_structure_only_side_yields_no_payload_findings() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    for e in &mut exchanges {
        e.request = Message::default();
        e.response = Message::default();
    }
    let new = trace(Format::Mermaid, exchanges);
    assert!(run(&old, &new, Options::default()).is_empty());
}

#[test]
fn swapping_two_calls_of_one_caller_is_a_reorder() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    exchanges.swap(3, 4);
    let new = trace(Format::HookMarkdown, exchanges);
    assert_eq!(
        run(&old, &new, Options::default()),
        vec![(Kind::ReorderedCall, Severity::Warning, Some(5), Some(4))]
    );
}

#[test]
fn interleaving_of_actors_is_only_reported_with_strict_order() {
    let mut exchanges = base();
    exchanges.push(call(
        "nova-scheduler",
        "placement-api",
        "GET",
        "/placement/allocation_candidates",
        200,
        None,
    ));
    let old = trace(Format::HookMarkdown, exchanges.clone());
    // The scheduler's call now comes first: another actor's timing, not drift.
    let scheduler = exchanges.remove(5);
    exchanges.insert(0, scheduler);
    for e in &mut exchanges {
        e.parent = e.parent.map(|p| p + 1);
    }
    let reordered = exchanges;
    let new = trace(Format::HookMarkdown, reordered);
    assert_eq!(run(&old, &new, Options::default()), vec![]);
    let strict = run(
        &old,
        &new,
        Options {
            strict_order: true,
            ..Options::default()
        },
    );
    assert!(!strict.is_empty());
    assert!(strict
        .iter()
        .all(|(k, s, _, _)| *k == Kind::ReorderedCall && *s == Severity::Info));
}

#[test]
fn explain_says_how_a_step_was_matched() {
    let old = trace(Format::HookMarkdown, base());
    let mut exchanges = base();
    exchanges[2].status = Some(500);
    let new = trace(Format::HookMarkdown, exchanges);
    let options = Options {
        explain: Some(3),
        ..Options::default()
    };
    let text = compare(&old, &new, &RuleSet::builtin(), &options)
        .explanation
        .unwrap_or_default();
    assert!(text.contains("matched old step 3"), "{text}");
    assert!(text.contains("status_changed"), "{text}");
}

#[test]
fn placeholders_are_equal_whatever_their_names() {
    assert_eq!(without_placeholders("/v2/{image_id2}/x{"), "/v2/{}/x{");
    assert_eq!(
        without_placeholders("http://{host}/{project_id}"),
        "http://{}/{}"
    );
    assert_eq!(without_placeholders("{ not one }"), "{ not one }");
}

#[test]
fn a_truncated_body_reports_only_what_was_certain() {
    // The old body in full; the new one cut after `status` (what a 4096-character cut leaves).
    let full = model_json!({"image": {"status": "active", "size": 1, "name": "cirros"}});
    let cut = model_json!({"image": {"status": "active"}});
    let with_body = |body: &Json, truncated: bool| {
        let mut exchanges = base();
        exchanges[0].response.body = Body::Json(body.clone());
        exchanges[0].response.truncated = truncated;
        trace(Format::HookMarkdown, exchanges)
    };
    let kinds = |old: &Trace, new: &Trace| -> Vec<Kind> {
        compare(old, new, &RuleSet::builtin(), &Options::default())
            .findings
            .iter()
            .map(|f| f.kind)
            .collect()
    };
    // Cut in new: the fields after the cut are not missing.
    assert!(kinds(&with_body(&full, false), &with_body(&cut, true)).is_empty());
    // Cut in old: the fields after the cut are not new.
    assert!(kinds(&with_body(&cut, true), &with_body(&full, false)).is_empty());
    // Not cut: the same difference is drift.
    assert_eq!(
        kinds(&with_body(&full, false), &with_body(&cut, false)),
        [Kind::FieldRemoved, Kind::FieldRemoved]
    );
    // What is present before the cut still compares: a changed status is reported.
    let changed = model_json!({"image": {"status": "queued"}});
    assert_eq!(
        kinds(&with_body(&full, false), &with_body(&changed, true)),
        [Kind::ValueChanged]
    );
}

/// Work shared with a second core (signatures and content hashes of NEW, the payloads of the
/// aligned pairs, the relations between steps) gives the comparison one thread gives, findings
/// of every kind included, in the same order.
#[test]
fn sharing_work_with_a_second_core_changes_nothing() {
    let rules = RuleSet::builtin();
    let text = crate::test_support::fixture("server-create.hook.md");
    let mut seed = crate::parse::parse(&text).expect("fixture parses");
    crate::normalize::normalize_in_place(&mut seed, &rules);
    let old = crate::test_support::repeated(&seed, 6);
    let mut new = old.clone();
    // A value of the later copies gets a name of its own in some paths (the relation between
    // those steps and the others changes), and one status changes.
    let mut renamed = 0;
    for exchange in new
        .exchanges
        .iter_mut()
        .skip(4 * seed.exchanges.len())
        .step_by(3)
    {
        if let Some(at) = exchange.path.find('}') {
            exchange.path.insert_str(at, "_elsewhere");
            renamed += 1;
        }
    }
    assert!(renamed > 0);
    new.exchanges[100].status = Some(500);
    // Payload findings all along: a header added to every seventh response.
    for exchange in new.exchanges.iter_mut().step_by(7) {
        exchange.response.headers.push("X-Added-Here", "1");
    }
    let options = Options::default();
    let shared = compare_sharing_from(&old, &new, &rules, &options, 0);
    let alone = compare_sharing_from(&old, &new, &rules, &options, usize::MAX);
    assert!(shared
        .findings
        .iter()
        .any(|f| f.kind == Kind::RelationChanged));
    let added = shared
        .findings
        .iter()
        .filter(|f| f.kind == Kind::HeaderAdded);
    assert!(
        added.count() > 40,
        "payload findings on many chunks of pairs"
    );
    assert_eq!(format!("{shared:?}"), format!("{alone:?}"));
    // The default threshold shares the work on these traces (330 exchanges each).
    let default = compare(&old, &new, &rules, &options);
    assert_eq!(format!("{default:?}"), format!("{alone:?}"));
}
