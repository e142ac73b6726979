//! Unit tests of `compare::schema`.

use super::*;

/// Array rules for the tests: the arrays at `ordered` in order, elements identified by `keys`.
struct Arrays {
    ordered: &'static [&'static str],
    keys: Vec<String>,
}

impl Arrays {
    fn new(ordered: &'static [&'static str], keys: &[&str]) -> Arrays {
        let keys = keys.iter().map(ToString::to_string).collect();
        Arrays { ordered, keys }
    }
}

impl ArrayRules for Arrays {
    fn ordered(&self, pattern: &str) -> bool {
        self.ordered.contains(&pattern)
    }

    fn identity_keys(&self, _: &str) -> &[String] {
        &self.keys
    }
}

/// Every array a collection, elements identified as the built-in rules do.
fn unordered() -> Arrays {
    Arrays::new(&[], &["id", "name", "type", "key"])
}

fn kinds(drifts: &[Drift]) -> Vec<(DriftKind, &str)> {
    drifts
        .iter()
        .map(|d| (d.kind, d.pointer.as_str()))
        .collect()
}

#[test]
fn fields_added_removed_and_retyped_have_pointers() {
    let old = model_json!({"server": {"id": "{server_id}", "a/b": 1, "gone": true}});
    let new = model_json!({"server": {"id": 7, "a/b": 1, "new~": "x"}});
    let drifts = compare(&old, &new, &unordered());
    assert_eq!(
        kinds(&drifts),
        vec![
            (DriftKind::TypeChanged, "/server/id"),
            (DriftKind::FieldRemoved, "/server/gone"),
            (DriftKind::FieldAdded, "/server/new~0"),
        ]
    );
    assert!(compare(&old, &old, &unordered()).is_empty());
    assert_eq!(child("", "a/b"), "/a~1b");
}

#[test]
fn reshuffled_collections_are_not_drift() {
    let old = model_json!({"catalog": [
        {"type": "image", "endpoints": [{"interface": "public"}, {"interface": "admin"}]},
        {"type": "compute", "endpoints": []}
    ]});
    let new = model_json!({"catalog": [
        {"type": "compute", "endpoints": []},
        {"type": "image", "endpoints": [{"interface": "admin"}, {"interface": "public"}]}
    ]});
    assert!(compare(&old, &new, &unordered()).is_empty());
    let ordered = Arrays::new(&["/catalog"], &["id", "name", "type", "key"]);
    assert!(!compare(&old, &new, &ordered).is_empty());
}

#[test]
fn element_schemas_merge_under_a_star() {
    let old = model_json!({"ports": [{"id": "a", "mac": "m"}, {"id": "b"}]});
    let new = model_json!({"ports": [{"id": "a"}, {"id": "b", "extra": 1}]});
    let drifts = compare(&old, &new, &unordered());
    assert_eq!(
        kinds(&drifts),
        vec![
            (DriftKind::FieldRemoved, "/ports/*/mac"),
            (DriftKind::FieldAdded, "/ports/*/extra"),
        ]
    );
}

#[test]
fn scalar_values_and_membership_changes_are_values() {
    let old = model_json!({"image": {"status": "queued", "tags": ["a", "b"]}});
    let new = model_json!({"image": {"status": "active", "tags": ["b", "c"]}});
    let drifts = compare(&old, &new, &unordered());
    assert_eq!(
        kinds(&drifts),
        vec![
            (DriftKind::ValueChanged, "/image/status"),
            (DriftKind::ValueChanged, "/image/tags/*"),
        ]
    );
    assert_eq!(drifts[0].new, Some(serde_json::json!("active")));
}

#[test]
fn elements_with_the_same_identity_compare_inside() {
    let old = model_json!([{"id": "x", "state": "up"}, {"id": "y", "state": "up"}]);
    let new = model_json!([{"id": "y", "state": "up"}, {"id": "x", "state": "down"}]);
    let drifts = compare(&old, &new, &unordered());
    assert_eq!(kinds(&drifts), vec![(DriftKind::ValueChanged, "/*/state")]);
}

#[test]
fn identity_keys_say_which_changed_elements_pair() {
    let old = model_json!([{"uuid": "x", "state": "up"}, {"uuid": "y", "state": "up"}]);
    let new = model_json!([{"uuid": "y", "state": "down"}, {"uuid": "x", "state": "down"}]);
    // Without an identity they are a changed membership of the collection.
    let drifts = compare(&old, &new, &unordered());
    assert_eq!(kinds(&drifts), vec![(DriftKind::ValueChanged, "")]);
    let by_uuid = Arrays::new(&[], &["uuid"]);
    let drifts = compare(&old, &new, &by_uuid);
    assert_eq!(
        kinds(&drifts),
        vec![
            (DriftKind::ValueChanged, "/*/state"),
            (DriftKind::ValueChanged, "/*/state")
        ]
    );
    // The first key an element holds identifies it.
    let old = model_json!([{"id": "1", "name": "a", "v": 1}, {"id": "2", "name": "b", "v": 1}]);
    let new = model_json!([{"id": "2", "name": "a", "v": 2}, {"id": "1", "name": "b", "v": 2}]);
    let changed = |keys: &[&str]| {
        let mut pointers: Vec<String> = compare(&old, &new, &Arrays::new(&[], keys))
            .into_iter()
            .map(|d| d.pointer)
            .collect();
        pointers.sort();
        pointers
    };
    assert_eq!(
        changed(&["id", "name"]),
        ["/*/name", "/*/name", "/*/v", "/*/v"]
    );
    assert_eq!(changed(&["name", "id"]), ["/*/id", "/*/id", "/*/v", "/*/v"]);
}

#[test]
fn null_versus_a_value_is_a_value_change() {
    let drifts = compare(
        &model_json!({"fault": null}),
        &model_json!({"fault": {"code": 1}}),
        &unordered(),
    );
    assert_eq!(kinds(&drifts), vec![(DriftKind::ValueChanged, "/fault")]);
}

/// Elements of a collection are equal exactly when their canonical forms are: field order,
/// the order of unordered arrays inside and placeholder numbers do not count; types, values
/// and the order of ordered arrays do.
#[test]
fn collection_elements_are_equal_by_their_canonical_form() {
    let ordered_inside = Arrays::new(&["/*/steps"], &[]);
    let equal = [
        (
            model_json!([{"a": 1, "b": [1, 2]}]),
            model_json!([{"b": [2, 1], "a": 1}]),
        ),
        (
            model_json!([{"ref": "{a_1}"}, {"ref": "{b_1}"}]),
            model_json!([{"ref": "{b_2}"}, {"ref": "{a_2}"}]),
        ),
    ];
    for (old, new) in &equal {
        assert!(
            compare(old, new, &unordered()).is_empty(),
            "{old:?} {new:?}"
        );
    }
    let different = [
        (model_json!([{"a": 1}]), model_json!([{"a": "1"}])),
        (model_json!([{"a": "x"}]), model_json!([{"b": "x"}])),
        (model_json!([{"a": [1]}]), model_json!([{"a": [[1]]}])),
        (model_json!([{"a": null}]), model_json!([{"a": false}])),
    ];
    for (old, new) in &different {
        assert!(
            !compare(old, new, &unordered()).is_empty(),
            "{old:?} {new:?}"
        );
    }
    let old = model_json!([{"steps": [1, 2]}]);
    let new = model_json!([{"steps": [2, 1]}]);
    assert!(compare(&old, &new, &unordered()).is_empty());
    assert!(!compare(&old, &new, &ordered_inside).is_empty());
}

/// Counting the differences finds as many as listing them, on every pair of JSON bodies of
/// two captures of one command (normalized, compared as pairing by content compares them).
#[test]
fn counting_finds_as_many_differences_as_listing() {
    let rules = crate::normalize::RuleSet::builtin();
    let bodies = |file: &str| -> Vec<Value> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let text = std::fs::read_to_string(path).expect("the fixture");
        let raw = crate::parse::parse(&text).expect("parses");
        let trace = crate::normalize::normalize(&raw, &rules);
        trace
            .exchanges
            .iter()
            .flat_map(|e| [&e.request.body, &e.response.body])
            .filter_map(|body| match body {
                crate::trace::Body::Json(json) => Some(json.clone()),
                _ => None,
            })
            .collect()
    };
    let old = bodies("tests/fixtures/server-create.hook.md");
    let new = bodies("golden/server-create.md");
    let mut differing = 0;
    for a in &old {
        for b in &new {
            let listed = compare(a, b, &rules).len();
            assert_eq!(count(a, b, &rules), listed);
            differing += usize::from(listed > 0);
        }
    }
    assert!(differing > 100, "{differing} differing pairs");
}
