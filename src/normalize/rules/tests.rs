//! Unit tests of rules files and of the queries the comparison asks of a rule set.

use super::{Origin, RuleSet};
use crate::error::Error;
use crate::normalize::load::parse_rules;
use crate::severity::Severity;
use crate::trace::Signature;
use std::path::Path;

fn sig(caller: &str, callee: &str, method: &str, path: &str) -> Signature {
    Signature::new(caller, callee, method, path)
}

fn parse(text: &str) -> Result<RuleSet, Error> {
    let rules = parse_rules(
        text,
        Path::new("extra.toml"),
        &Origin::File("extra.toml".into()),
    )?;
    RuleSet::from_rules(rules)
}

fn messages(error: &Error) -> Vec<String> {
    match error {
        Error::Many(errors) => errors.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// The built-in rules are loaded without compiling their regexes (each is compiled on first
/// use): read as a rules file, every regex of every rule is checked and compiled.
#[test]
fn builtin_rules_load_and_compile() {
    let rules = parse(super::DEFAULT_RULES).expect("the built-in rules, checked as a file");
    assert_eq!(
        rules.rules(),
        RuleSet::builtin()
            .rules()
            .iter()
            .map(|r| super::Rule {
                origin: Origin::File("extra.toml".into()),
                ..r.clone()
            })
            .collect::<Vec<_>>()
    );
    assert!(rules.rules().len() > 40, "{} rules", rules.rules().len());
}

#[test]
fn transport_and_hook_headers_are_ignored_in_any_case() {
    let rules = RuleSet::builtin();
    for name in [
        "Date",
        "connection",
        "Content-Length",
        "X-Requestshook-Request-From",
        "Server",
        "X-Trans-Id",
        "X-Forwarded-For",
        "Keep-Alive",
    ] {
        assert!(rules.header_ignored(name), "{name} should be ignored");
    }
    for name in [
        "Content-Type",
        "X-Auth-Token",
        "Location",
        "Vary",
        "x-openstack-request-id",
    ] {
        assert!(!rules.header_ignored(name), "{name} should be compared");
    }
}

#[test]
fn arrays_are_unordered_unless_a_rule_says_otherwise_and_status_is_pinned() {
    let rules = RuleSet::builtin();
    assert!(!rules.array_ordered("/token/catalog"));
    assert!(!rules.array_ordered("/servers"));
    assert!(rules.value_pinned("/status"));
    assert!(rules.value_pinned("/server/status"));
    assert!(!rules.value_pinned("/server/name"));
    let extra = parse(
        "# order matters here\n[[rule]]\nname = \"links-ordered\"\npointer = \"/**/links\"\naction = \"ordered\"\n",
    )
    .expect("valid");
    assert!(extra.array_ordered("/image/links"));
}

#[test]
fn cache_dependent_calls_follow_issue_six() {
    let rules = RuleSet::builtin();
    // Version discovery by anyone.
    assert!(rules.cache_dependent(&sig("openstack", "keystone", "GET", "/"), true));
    assert!(rules.cache_dependent(&sig("glance-api", "keystone", "GET", "/"), false));
    assert!(rules.cache_dependent(&sig("openstack", "glance-api", "GET", "/"), true));
    // Token issue by anyone (a client may hold a token too); validation only by a service.
    let issue = sig("glance-api", "keystone", "POST", "/v3/auth/tokens");
    assert!(rules.cache_dependent(&issue, false));
    assert!(rules.cache_dependent(&issue, true));
    let client_validates = sig("openstack", "keystone", "GET", "/v3/auth/tokens");
    assert!(!rules.cache_dependent(&client_validates, true));
    let validate = sig("glance-api", "keystone", "GET", "/v3/auth/tokens");
    assert!(rules.cache_dependent(&validate, false));
    assert!(!rules.cache_dependent(&sig("glance-api", "keystone", "GET", "/v3/limits"), false));
    assert!(!rules.cache_dependent(&sig("openstack", "glance-api", "GET", "/v2/images"), true));
}

#[test]
fn clients_and_canonical_names() {
    let rules = RuleSet::builtin();
    assert!(rules.is_client("openstack"));
    assert!(rules.is_client("openstack-client"));
    assert!(!rules.is_client("glance-api"));
    assert_eq!(rules.canonical("keystone-api"), "keystone");
    assert_eq!(rules.canonical("swift"), "swift-proxy-server");
    assert_eq!(rules.canonical("nova-compute"), "nova-compute");
    assert_eq!(rules.mount("glance-api"), Some("/image"));
    assert_eq!(rules.mount("swift-proxy-server"), None);
}

#[test]
fn severity_rules_match_kind_and_call() {
    let text = r#"
# Unified limits are optional in our cloud.
[[rule]]
name = "limits-optional"
finding = "missing_call|extra_call"
callee = "keystone"
path = "/v3/limits.*"
severity = "info"
action = "severity"
"#;
    let rules = parse(text).expect("valid");
    let limits = sig("glance-api", "keystone", "GET", "/v3/limits/model");
    assert_eq!(
        rules.severity_override("missing_call", &limits),
        Some(Some(Severity::Info))
    );
    assert_eq!(rules.severity_override("status_changed", &limits), None);
    let other = sig(
        "glance-api",
        "keystone",
        "GET",
        "/v3/endpoints/{endpoint_id}",
    );
    assert_eq!(rules.severity_override("missing_call", &other), None);
}

#[test]
fn files_override_by_name_and_new_rules_come_first() {
    let dir = std::env::temp_dir().join(format!("flowdiff-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("extra.toml");
    std::fs::write(
        &file,
        "# Keep our hosts visible.\n[[rule]]\nname = \"url-host\"\naction = \"placeholder\"\nvalue = \"never-matches-anything\"\nplaceholder = \"host\"\n\n\
         # Our own ignored header.\n[[rule]]\nname = \"ours\"\nheader = \"X-Ours\"\naction = \"ignore\"\n",
    )
    .expect("write");
    let rules = RuleSet::load(&[file.as_path()]).expect("loads");
    let url = rules
        .rules()
        .iter()
        .find(|r| r.name == "url-host")
        .expect("kept");
    assert_eq!(url.origin, Origin::File(file.clone()));
    assert_eq!(rules.rules()[0].name, "ours");
    assert!(rules.header_ignored("x-ours"));
    assert_eq!(
        rules
            .rules()
            .iter()
            .filter(|r| r.name == "url-host")
            .count(),
        1
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn disabled_rules_do_nothing() {
    let text =
        "# off\n[[rule]]\nname = \"x\"\nheader = \"Vary\"\naction = \"ignore\"\nenabled = false\n";
    assert!(!parse(text).expect("valid").header_ignored("Vary"));
}

#[test]
fn every_bad_rule_is_reported_with_file_rule_and_line() {
    let text = r#"# bad regex
[[rule]]
name = "broken"
value = "([a-z"
action = "placeholder"
placeholder = "x"

# unknown action
[[rule]]
name = "frob"
header = "X-A"
action = "frobnicate"

# fine
[[rule]]
name = "fine"
header = "X-B"
action = "ignore"

# unknown field
[[rule]]
name = "typo"
header = "X-C"
actoin = "ignore"
"#;
    let error = parse(text).expect_err("three bad rules");
    let all = messages(&error);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(
        all[0].starts_with("extra.toml:2: rule `broken`: invalid regex in `value`"),
        "{}",
        all[0]
    );
    assert!(
        all[1].starts_with("extra.toml:9: rule `frob`: unknown action `frobnicate`"),
        "{}",
        all[1]
    );
    assert!(
        all[2].starts_with("extra.toml:21: rule `typo`: unknown field `actoin`"),
        "{}",
        all[2]
    );
}

#[test]
fn malformed_toml_names_the_line() {
    let error = parse("[[rule]]\nname = \"a\"\nheader = [\"X\"\n").expect_err("malformed");
    let text = error.to_string();
    assert!(text.starts_with("extra.toml:3: invalid TOML"), "{text}");
}

#[test]
fn actions_need_fitting_matchers() {
    let cases = [
        (
            "name = \"a\"\nvalue = \"x\"\naction = \"ignore\"",
            "action `ignore` needs a header matcher",
        ),
        (
            "name = \"a\"\nheader = \"X\"\nvalue = \"x\"\naction = \"ignore\"",
            "more than one matcher",
        ),
        ("name = \"a\"\naction = \"ignore\"", "no matcher"),
        (
            "name = \"a\"\ncallee = \"x\"\naction = \"severity\"",
            "missing `severity`",
        ),
        (
            "name = \"a\"\ncallee = \"x\"\nseverity = \"huge\"\naction = \"severity\"",
            "unknown severity `huge`",
        ),
        (
            "name = \"a\"\nsegment = \"s\"\nplaceholder = \"x\"\naction = \"placeholder\"",
            "segment with `named`",
        ),
        (
            "name = \"a\"\nkey = \"id\"\nnamed = \"{w}\"\naction = \"placeholder\"",
            "unknown variable `w`",
        ),
        (
            "name = \"a\"\npointer = \"status\"\naction = \"pin\"",
            "must start with `/`",
        ),
        ("header = \"X\"\naction = \"ignore\"", "missing `name`"),
    ];
    for (body, expected) in cases {
        let error = parse(&format!("[[rule]]\n{body}\n")).expect_err(body);
        assert!(error.to_string().contains(expected), "{body}: {error}");
    }
}

#[test]
fn duplicate_names_in_one_file_are_errors() {
    let text = "[[rule]]\nname = \"a\"\nheader = \"X\"\naction = \"ignore\"\n[[rule]]\nname = \"a\"\nheader = \"Y\"\naction = \"ignore\"\n";
    assert!(parse(text)
        .expect_err("dup")
        .to_string()
        .contains("duplicate rule name"));
}

#[test]
fn builtin_rules_parse_and_compile() {
    // The invariant `RuleSet::builtin` relies on to be infallible.
    let rules = super::try_builtin_rules().unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.len() > 20, "{} built-in rules", rules.len());
    assert!(rules
        .iter()
        .all(|r| r.origin == Origin::Builtin && r.line > 0));
    let set = RuleSet::from_rules(rules.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.rules(), rules.as_slice());
    set.secret_rules().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_rule_that_does_not_compile_is_named_with_its_file_and_line() {
    use super::{Action, Matcher, Rule};
    // Loading checks each regex; a rule built in code skips that check and fails to compile.
    let rule = Rule {
        name: "broken-key".into(),
        about: String::new(),
        origin: Origin::File("team.toml".into()),
        line: 14,
        enabled: true,
        matcher: Matcher::Key("([a-z".into()),
        action: Action::Pin,
    };
    let error = RuleSet::from_rules(vec![rule]).expect_err("unclosed group");
    assert!(
        matches!(&error, Error::Rule { path, line: 14, rule, .. } if path == Path::new("team.toml") && rule == "broken-key"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("team.toml:14: rule `broken-key`: regex parse error"),
        "{error}"
    );
    let source = std::error::Error::source(&error).expect("the regex error");
    assert!(source.is::<regex::Error>(), "{source}");
}

#[test]
fn element_identity_rules_need_keys_and_an_array_matcher() {
    let text = r#"[[rule]]
name = "no-keys"
pointer = "/ports"
action = "element-identity"

[[rule]]
name = "on-a-header"
header = "X-A"
action = "element-identity"
keys = ["id"]

[[rule]]
name = "ports-by-mac"
pointer = "/ports"
action = "element-identity"
keys = ["mac_address", "id"]
"#;
    let all = messages(&parse(text).expect_err("two bad rules"));
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all[0].starts_with("extra.toml:1: rule `no-keys`: missing `keys`"),
        "{}",
        all[0]
    );
    assert!(
        all[1].starts_with("extra.toml:6: rule `on-a-header`: "),
        "{}",
        all[1]
    );
    let good = text.split("\n\n").nth(2).expect("the third rule");
    let rules = parse(good).expect("a good rule");
    assert_eq!(rules.element_identity_keys("/ports"), ["mac_address", "id"]);
    assert!(rules.element_identity_keys("/networks").is_empty());
}
