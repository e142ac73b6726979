//! Re-captures must agree: cache-dependent auth calls, capture points, golden sets (issue 6).

use super::edit::Hook;
use super::{load, server_create};
use crate::common::fixture_text;
use flowdiff::compare::{compare, Finding, Kind, Options};
use flowdiff::golden::set::compare_with_set;
use flowdiff::normalize::RuleSet;
use flowdiff::Severity;
use serde_json::Value;

fn image_save() -> Hook {
    Hook::parse(&fixture_text("image-save.hook.md"))
}

fn compared(old: &str, new: &Hook) -> Vec<Finding> {
    super::findings(old, &new.text())
}

/// No warning or breaking finding, and exactly one info `auth_pattern_changed`.
fn assert_one_auth_info(found: &[Finding]) {
    assert!(
        found.iter().all(|f| f.severity == Severity::Info),
        "{found:#?}"
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::AuthPatternChanged);
}

/// Seed 002 without glance-api's service-token request.
fn without_service_token(hook: &mut Hook) {
    let token = hook.request("glance-api", "POST", "/identity/v3/auth/tokens", 0);
    hook.drop_exchange(token);
    hook.renumber();
}

/// Seed 002 where glance-api first discovers keystone, then asks for its token twice.
fn with_discovery_and_two_tokens(hook: &mut Hook) {
    let token = hook.request("glance-api", "POST", "/identity/v3/auth/tokens", 0);
    hook.duplicate_exchange(token, None);
    let discovery = hook.request("openstack", "GET", "/identity/", 0);
    let copy = hook.duplicate_exchange(discovery, Some(token));
    hook.set_party(copy, "`glance-api` --> `keystone`");
    hook.set_party(copy + 1, "`glance-api` <-- `keystone`");
    hook.renumber();
}

/// Seed 002 with glance-api's validation call logged before the request it serves.
fn validation_first(hook: &mut Hook) {
    let inbound = hook.request("openstack", "GET", "/v2/images/", 0);
    let validation = hook.request("glance-api", "GET", "/identity/v3/auth/tokens", 0);
    hook.move_exchange_before(validation, inbound);
    hook.renumber();
}

#[test]
fn a_missing_service_token_request_is_one_info() {
    let mut hook = image_save();
    without_service_token(&mut hook);
    let found = compared(&fixture_text("image-save.hook.md"), &hook);
    assert_one_auth_info(&found);
    assert!(
        found[0].message.contains("glance-api"),
        "{}",
        found[0].message
    );
}

#[test]
fn discovery_and_a_repeated_token_request_is_one_info() {
    let mut hook = image_save();
    with_discovery_and_two_tokens(&mut hook);
    assert_one_auth_info(&compared(&fixture_text("image-save.hook.md"), &hook));
    let strict = super::report(
        ("old.md", &fixture_text("image-save.hook.md")),
        ("new.md", &hook.text()),
        Options {
            strict_plumbing: true,
            ..Options::default()
        },
    );
    assert!(
        strict.findings.iter().any(|f| f.kind == Kind::ExtraCall),
        "--strict-auth reports them fully"
    );
}

#[test]
fn validation_logged_before_its_inbound_request_is_adopted_and_quiet() {
    let mut hook = image_save();
    validation_first(&mut hook);
    let trace = load(&hook.text(), &RuleSet::builtin());
    assert!(
        trace.exchanges.iter().any(|e| e.adopted),
        "the validation call is adopted"
    );
    let found = compared(&fixture_text("image-save.hook.md"), &hook);
    assert!(
        found.iter().all(|f| f.severity == Severity::Info),
        "{found:#?}"
    );
}

#[test]
fn auth_noise_plus_one_real_change_reports_only_the_real_change() {
    let mut hook = image_save();
    without_service_token(&mut hook);
    validation_first(&mut hook);
    let request = hook.request("openstack", "GET", "/v2/images/", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        let size = v.get_mut("size").expect("an image size");
        *size = Value::from(size.to_string());
    });
    let found = compared(&fixture_text("image-save.hook.md"), &hook);
    let loud: Vec<&Finding> = found
        .iter()
        .filter(|f| f.kind != Kind::AuthPatternChanged)
        .collect();
    assert_eq!(loud.len(), 1, "{found:#?}");
    assert_eq!(
        (loud[0].kind, loud[0].severity),
        (Kind::TypeChanged, Severity::Breaking)
    );
    assert_eq!(loud[0].pointer.as_deref(), Some("/size"));
}

/// Seed 001 with nova-compute's consecutive port polls one longer.
fn longer_polling(hook: &mut Hook) {
    let compute: Vec<usize> = (0..hook.sections.len())
        .filter(|&i| hook.sections[i].contains("`nova-compute` --> "))
        .collect();
    let is_ports = |i: usize| hook.sections[i].starts_with("### GET /networking/v2.0/ports\n");
    let first = compute
        .windows(2)
        .find(|w| is_ports(w[0]) && is_ports(w[1]))
        .map(|w| w[0])
        .expect("nova-compute polls the ports twice in a row");
    hook.duplicate_exchange(first, None);
}

fn reversed_catalog(hook: &mut Hook) {
    let request = hook.request("openstack", "POST", "/identity/v3/auth/tokens", 0);
    let response = hook.response(request);
    hook.edit_body(response, |v| {
        if let Some(catalog) = v
            .pointer_mut("/token/catalog")
            .and_then(Value::as_array_mut)
        {
            catalog.reverse();
        }
    });
}

#[test]
fn a_golden_set_accepts_what_its_members_span() {
    let rules = RuleSet::builtin();
    let mut member = Hook::parse(&server_create());
    longer_polling(&mut member);
    reversed_catalog(&mut member);
    let members = [load(&server_create(), &rules), load(&member.text(), &rules)];
    let mut inside = Hook::parse(&server_create());
    longer_polling(&mut inside);
    let inside = load(&inside.text(), &rules);
    assert!(!compare(&members[0], &inside, &rules, &Options::default())
        .findings
        .is_empty());
    let comparison = compare_with_set(&members, &inside, &rules, &Options::default());
    assert!(comparison.findings.is_empty(), "{:#?}", comparison.findings);
    assert!(comparison.suppressed.optional_by_golden_set > 0);

    let mut outside = Hook::parse(&server_create());
    let port = outside.request("nova-compute", "POST", "/networking/v2.0/ports", 0);
    outside.drop_exchange(port);
    let outside = load(&outside.text(), &rules);
    let found = compare_with_set(&members, &outside, &rules, &Options::default()).findings;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::MissingCall);
    let call = &found[0].call;
    let ports = call.starts_with("nova-compute -> neutron") && call.ends_with("/ports");
    assert!(ports && call.contains(" POST "), "{call}");
}
