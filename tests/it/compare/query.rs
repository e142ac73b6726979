//! Query strings compare as sets of `(name, value)` pairs (raw hook logs keep them).

use super::{findings, summary};
use crate::common::fixture_text;
use flowdiff::compare::{Kind, Part};
use flowdiff::Severity;

/// The raw-log image-show fixture with `query` on the client's image request (both records).
fn with_query(query: &str) -> String {
    let text = fixture_text("image-show.hook-log.txt");
    let path = "/v2/images/a42bfade-78ec-4c95-b7b4-272ba265072c";
    assert!(text.contains(&format!("{path}\n")));
    text.replace(&format!("{path}\n"), &format!("{path}?{query}\n"))
}

#[test]
fn parameter_order_is_not_a_difference() {
    let found = findings(
        &with_query("member_status=all&limit=10"),
        &with_query("limit=10&member_status=all"),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_changed_parameter_is_one_info() {
    let found = findings(
        &with_query("member_status=all&limit=10"),
        &with_query("limit=20&member_status=all"),
    );
    let expected = (
        Kind::QueryChanged,
        Severity::Info,
        Part::RequestQuery,
        Some("limit".to_string()),
    );
    assert_eq!(summary(&found), vec![expected]);
}

#[test]
fn an_unknown_query_is_not_compared() {
    // Hook Markdown does not record queries: unknown, not empty.
    let found = findings(&fixture_text("image-show.hook.md"), &with_query("limit=10"));
    assert!(
        found.iter().all(|f| f.kind != Kind::QueryChanged),
        "{found:#?}"
    );
}
