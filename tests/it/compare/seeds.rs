//! Seeds against themselves, regenerated copies, a golden, and an edited documentation page.

use super::edit::doc_page_without;
use super::{findings, load, report, SEEDS};
use crate::common::fixture_text;
use crate::normalize::regenerate::regenerate;
use flowdiff::compare::{Kind, Options};
use flowdiff::normalize::RuleSet;

#[test]
fn each_seed_against_itself_has_no_findings() {
    let strict = Options {
        strict_order: true,
        strict_plumbing: true,
        ..Options::default()
    };
    for seed in SEEDS {
        let text = fixture_text(seed);
        let found = findings(&text, &text);
        assert!(found.is_empty(), "{seed}: {found:#?}");
        // Nor in strict modes, interleaving and plumbing compared like any call.
        let strict = report(("old.md", &text), ("new.md", &text), strict);
        assert_eq!(strict.verdict, flowdiff::Verdict::Pass, "{seed}");
        assert!(strict.findings.is_empty(), "{seed}: {:#?}", strict.findings);
    }
}

#[test]
fn each_seed_against_a_regenerated_copy_has_no_findings() {
    for seed in SEEDS {
        let text = fixture_text(seed);
        let fresh = regenerate(&text);
        assert_ne!(fresh, text, "{seed}: regeneration changed something");
        let found = findings(&text, &fresh);
        assert!(found.is_empty(), "{seed}: {found:#?}");
    }
}

#[test]
fn seed_004_without_unified_limits_lacks_exactly_those_calls() {
    let text = fixture_text("image-create.doc.md");
    let is_limits = |arrow: &str| {
        ["/limits", "/registered_limits", "/endpoints/"]
            .iter()
            .any(|p| arrow.contains(p))
    };
    let edited = doc_page_without(&text, is_limits);
    let rules = RuleSet::builtin();
    let (old, new) = (load(&text, &rules), load(&edited, &rules));
    let removed = old.exchanges.len() - new.exchanges.len();
    assert!(removed > 0);
    let found = findings(&text, &edited);
    assert_eq!(found.len(), removed, "{found:#?}");
    for f in &found {
        assert_eq!(f.kind, Kind::MissingCall, "{f:#?}");
        let step = f.old_step.expect("old step");
        let raw = &old.exchanges[step - 1];
        assert!(is_limits(&raw.path) || is_limits(&f.call), "{f:#?}");
    }
}

/// The text of a built-in golden flow.
fn golden_text(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name);
    std::fs::read_to_string(path).expect("golden flow exists")
}

#[test]
fn seed_000_against_the_server_create_golden_lacks_only_the_later_calls() {
    let golden = golden_text("server-create.md");
    let part = fixture_text("server-create-part.mermaid.txt");
    let rules = RuleSet::builtin();
    let new_len = load(&part, &rules).exchanges.len();
    let old_len = load(&golden, &rules).exchanges.len();
    assert!(old_len > new_len);
    let strict = super::report(
        ("golden/server-create.md", &golden),
        ("part.txt", &part),
        flowdiff::compare::Options {
            strict_plumbing: true,
            ..Default::default()
        },
    );
    let missing: Vec<usize> = strict
        .findings
        .iter()
        .map(|f| f.old_step.unwrap_or(0))
        .collect();
    assert!(
        strict.findings.iter().all(|f| f.kind == Kind::MissingCall),
        "{:#?}",
        strict.findings
    );
    assert_eq!(missing, ((new_len + 1)..=old_len).collect::<Vec<_>>());
    // By default the cache-dependent calls among them are one info per parent, nothing else.
    let found = findings(&golden, &part);
    assert!(
        found
            .iter()
            .all(|f| matches!(f.kind, Kind::MissingCall | Kind::AuthPatternChanged)),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|f| f.old_step.unwrap_or(0) > new_len),
        "{found:#?}"
    );
}
