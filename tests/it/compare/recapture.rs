//! Independent re-captures of one flow must agree (issue 9): each class of capture noise seen on
//! real clouds, rebuilt from the seeds, compares without warning or breaking findings, and the
//! real change next to it is still reported.

use super::edit::{doc_page_without, Hook};
use super::{load, report, summary};
use crate::common::fixture_text;
use flowdiff::compare::{compare, Finding, Kind, Options, Part};
use flowdiff::normalize::rules::HeaderClass;
use flowdiff::normalize::{normalize, RuleSet};
use flowdiff::parse::parse;
use flowdiff::Severity;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

/// Findings of comparing two capture texts with `options`.
fn compared(old: &str, new: &str, options: Options) -> Vec<Finding> {
    report(("old.md", old), ("new.md", new), options).findings
}

/// The findings at warning or above.
fn serious(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect()
}

/// Every placeholder name `{name}` in `text` renamed consistently to `{valueN}`, numbered in
/// order of first appearance, and every path segment that holds a placeholder only in part
/// (`AUTH_{project_id}`) turned into a whole placeholder named after its prefix (`{auth}`): what
/// an author drawing the flow by hand writes.
fn renamed_placeholders(text: &str) -> String {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(range) = flowdiff::trace::next_placeholder(rest) {
        // A segment holding the placeholder in part: drop its literal prefix up to the last `/`.
        let before = &rest[..range.start];
        let segment_start = before.rfind(['/', ' ']).map_or(0, |i| i + 1);
        let prefix = &before[segment_start..];
        out.push_str(&before[..segment_start]);
        let name = &rest[range.clone()];
        if !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push_str(&format!(
                "{{{}}}",
                prefix.trim_end_matches('_').to_lowercase()
            ));
        } else {
            out.push_str(prefix);
            let next = format!("{{value{}}}", names.len() + 1);
            out.push_str(names.entry(name.to_string()).or_insert(next));
        }
        rest = &rest[range.end..];
    }
    out.push_str(rest);
    out
}

/// A seed's normalized trace drawn as a Mermaid diagram.
fn mermaid_of(seed: &str) -> String {
    let rules = RuleSet::builtin();
    let trace = normalize(&parse(&fixture_text(seed)).expect("seed parses"), &rules);
    flowdiff::trace_output::mermaid::sequence_diagram(&trace)
}

#[test]
fn a_capture_agrees_with_its_diagram_whatever_the_author_named_the_values() {
    for seed in [
        "image-create.doc.md",
        "image-save.hook.md",
        "server-create.hook.md",
    ] {
        let drawn = renamed_placeholders(&mermaid_of(seed));
        assert!(
            drawn.contains("{value1}"),
            "{seed}: the diagram has placeholders"
        );
        let found = compared(&fixture_text(seed), &drawn, Options::default());
        assert!(found.is_empty(), "{seed}: {:#?}", summary(&found));
    }
}

#[test]
fn a_diagram_that_breaks_a_relation_gets_one_relation_finding() {
    let drawn = renamed_placeholders(&mermaid_of("image-save.hook.md"));
    // The image downloaded from swift is no longer the image the client asked glance for: the
    // last request arrow's last placeholder gets a name of its own.
    let request_line = drawn
        .lines()
        .rev()
        .find(|l| l.contains("->>") && !l.contains("-->>") && l.contains("{value"))
        .expect("a request arrow with a placeholder");
    let at = request_line.rfind("{value").expect("placeholder");
    let end = at + request_line[at..].find('}').expect("closed") + 1;
    let edited = format!(
        "{}{{other_image}}{}",
        &request_line[..at],
        &request_line[end..]
    );
    let broken = drawn.replacen(request_line, &edited, 1);
    let found = compared(
        &fixture_text("image-save.hook.md"),
        &broken,
        Options::default(),
    );
    assert_eq!(
        summary(&found),
        [(Kind::RelationChanged, Severity::Warning, Part::Call, None)],
        "{found:#?}"
    );
    assert!(
        found[0].message.contains("{other_image}"),
        "{}",
        found[0].message
    );
}

/// Seed 001 with `exchange`'s whole subtree (the call and every call made for it) removed.
fn server_create_without_subtree(
    pick: impl Fn(&flowdiff::Exchange) -> bool,
) -> (String, Vec<usize>) {
    let text = fixture_text("server-create.hook.md");
    let rules = RuleSet::builtin();
    let mut trace = parse(&text).expect("seed parses");
    flowdiff::normalize::adopt(&mut trace, &rules);
    let top = trace.exchanges.iter().position(pick).expect("the call");
    let mut subtree = vec![top];
    let mut i = 0;
    while i < subtree.len() {
        subtree.extend(trace.children(subtree[i]));
        i += 1;
    }
    let ids: BTreeSet<String> = subtree
        .iter()
        .filter_map(|&e| {
            trace.exchanges[e]
                .request
                .headers
                .get("X-Requestshook-Request-Id")
        })
        .map(str::to_string)
        .collect();
    let mut hook = Hook::parse(&text);
    hook.sections.retain(|s| {
        super::edit::header(s, "X-Requestshook-Request-Id").is_none_or(|id| !ids.contains(&id))
    });
    subtree.sort_unstable();
    (hook.text(), subtree.iter().map(|e| e + 1).collect())
}

#[test]
fn an_early_call_dropped_renames_later_values_and_only_the_dropped_call_is_reported() {
    let client_server_get = |e: &flowdiff::Exchange| {
        e.caller == "openstack" && e.method == "GET" && {
            let rest = e.path.trim_start_matches("/compute/v2.1/servers/");
            rest != e.path && !rest.contains('/') && rest != "detail"
        }
    };
    let (variant, dropped) = server_create_without_subtree(client_server_get);
    let rules = RuleSet::builtin();
    let old = load(&fixture_text("server-create.hook.md"), &rules);
    let new = load(&variant, &rules);
    // The precondition: the dropped call taught a name that later calls now get elsewhere.
    let names = |t: &flowdiff::Trace| -> BTreeSet<String> {
        t.exchanges.iter().map(|e| e.path.clone()).collect()
    };
    let renamed: Vec<String> = names(&new).difference(&names(&old)).cloned().collect();
    assert!(
        !renamed.is_empty(),
        "later paths name the value differently"
    );
    let c = compare(&old, &new, &rules, &Options::default());
    assert!(!c.findings.is_empty());
    for f in &c.findings {
        assert_eq!(f.kind, Kind::MissingCall, "{f:#?}");
        assert!(dropped.contains(&f.old_step.expect("old step")), "{f:#?}");
    }
    assert_eq!(c.findings[0].old_step, Some(dropped[0]));
}

/// Seed 004 without the `nth` (0-based) of glance's token requests.
fn image_create_without_glance_token(nth: usize) -> String {
    let seen = Cell::new(0);
    doc_page_without(&fixture_text("image-create.doc.md"), |arrow| {
        let hit = arrow.starts_with("glance->>keystone: POST ") && arrow.ends_with("/auth/tokens");
        if hit {
            seen.set(seen.get() + 1);
        }
        hit && seen.get() == nth + 1
    })
}

#[test]
fn either_of_two_different_token_requests_under_one_call_may_be_cached_away() {
    let seed = fixture_text("image-create.doc.md");
    for nth in [0, 1] {
        let variant = image_create_without_glance_token(nth);
        assert_ne!(variant, seed);
        let found = compared(&seed, &variant, Options::default());
        assert!(
            serious(&found).is_empty(),
            "without token {nth}: {found:#?}"
        );
        assert!(
            found.iter().any(|f| f.kind == Kind::AuthPatternChanged),
            "the cached-away token is noted: {found:#?}"
        );
        // Reported as calls, the one removed is exactly the one missing: no payload drift.
        let strict = compared(
            &seed,
            &variant,
            Options {
                strict_plumbing: true,
                ..Options::default()
            },
        );
        assert!(
            strict.iter().all(|f| f.part == Part::Call),
            "without token {nth}: {strict:#?}"
        );
    }
}

/// Seed 004 with its upload's object repr body replaced by `body`.
fn image_create_with_upload_body(body: &str) -> String {
    let seed = fixture_text("image-create.doc.md");
    let object = seed
        .lines()
        .find(|l| {
            let t = l.trim();
            t.starts_with('<') && t.ends_with('>') && t.contains(" name=")
        })
        .expect("the upload is logged as an object repr");
    seed.replacen(object, &format!("    {body}"), 1)
}

#[test]
fn an_upload_logged_as_bytes_instead_of_an_object_is_info_and_a_lost_payload_a_warning() {
    let seed = fixture_text("image-create.doc.md");
    let bytes = image_create_with_upload_body(r"b'QFI\xfb\x00\x00\x00\x03\x00\x00'...");
    let found = compared(&seed, &bytes, Options::default());
    assert_eq!(
        summary(&found),
        [(
            Kind::TypeChanged,
            Severity::Info,
            Part::RequestBody,
            Some(String::new())
        )]
    );
    let empty = image_create_with_upload_body("None");
    let found = compared(&seed, &empty, Options::default());
    assert_eq!(
        summary(&found),
        [(
            Kind::TypeChanged,
            Severity::Warning,
            Part::RequestBody,
            Some(String::new())
        )]
    );
}

/// Header lines whose name satisfies `pred`, in `section`.
fn without_headers(section: &str, pred: impl Fn(&str) -> bool) -> String {
    section
        .split_inclusive('\n')
        .filter(|line| {
            let name = line.trim().split_once(": ").map(|(n, _)| n);
            !name.is_some_and(|n| !n.contains(' ') && pred(n))
        })
        .collect()
}

#[test]
fn headers_that_depend_on_the_capture_point_are_info_and_the_contract_is_kept() {
    let rules = RuleSet::builtin();
    let seed = fixture_text("image-show.hook.md");
    let mut hook = Hook::parse(&seed);
    let capture_point = |n: &str| rules.header_class(n) == HeaderClass::CapturePoint;
    let mut removed = 0;
    for section in &mut hook.sections {
        let stripped = without_headers(section, capture_point);
        removed += usize::from(stripped != *section);
        *section = stripped;
    }
    assert!(removed > 0, "the seed has middleware headers");
    // Reordered headers: the last line of every header block moves to the top of the block.
    for section in &mut hook.sections {
        let lines: Vec<&str> = section.split_inclusive('\n').collect();
        let Some(tab) = lines.iter().position(|l| l.starts_with("=== \"Header\"")) else {
            continue;
        };
        let fences: Vec<usize> = (tab..lines.len())
            .filter(|&i| lines[i].trim_start().starts_with("```"))
            .take(2)
            .collect();
        if let [open, close] = fences[..] {
            if close > open + 2 {
                let mut reordered = lines.clone();
                let moved = reordered.remove(close - 1);
                reordered.insert(open + 1, moved);
                *section = reordered.concat();
            }
        }
    }
    // A storage backend's header appears in a response.
    let response = hook.response(hook.request("openstack", "GET", "/v2/images/", 0));
    hook.sections[response] = hook.sections[response].replacen(
        "    Content-Type:",
        "    X-Backend-Storage-Policy-Index: 0\n    Content-Type:",
        1,
    );
    let found = compared(&seed, &hook.text(), Options::default());
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.severity == Severity::Info),
        "{:#?}",
        summary(&found)
    );
    // The contract still holds: a removed Content-Type is breaking, another header a warning.
    hook.remove_header(response, "Content-Type");
    let request = hook.request("openstack", "GET", "/v2/images/", 0);
    hook.remove_header(request, "Accept");
    let found = compared(&seed, &hook.text(), Options::default());
    let serious: Vec<(Kind, Severity, Option<String>)> = serious(&found)
        .iter()
        .map(|f| (f.kind, f.severity, f.pointer.clone()))
        .collect();
    assert_eq!(
        serious,
        [
            (
                Kind::HeaderRemoved,
                Severity::Warning,
                Some("accept".into())
            ),
            (
                Kind::HeaderRemoved,
                Severity::Breaking,
                Some("content-type".into())
            )
        ]
    );
}

#[test]
fn a_proxys_internal_sub_requests_are_plumbing() {
    let seed = fixture_text("image-save.hook.md");
    let mut hook = Hook::parse(&seed);
    let download = hook.request("glance-api", "GET", "/v1/", 0);
    // The proxy checks the account with an internal request while serving the download.
    let copy = hook.duplicate_exchange(download, Some(download + 1));
    let account = {
        let heading = hook.sections[copy].lines().next().unwrap_or("").to_string();
        let path = heading
            .split(' ')
            .find(|w| w.starts_with("/v1/"))
            .expect("path");
        path.splitn(4, '/').take(3).collect::<Vec<_>>().join("/")
    };
    hook.set_heading(copy, &format!("HEAD {account}"));
    hook.set_party(copy, "`swift-proxy-server` --> `swift-proxy-server`");
    let answer = hook.response(copy);
    hook.set_heading(answer, &format!("204 No Content {account}"));
    hook.set_party(answer, "`swift-proxy-server` <-- `swift-proxy-server`");
    let variant = hook.text();
    let r = report(("old.md", &seed), ("new.md", &variant), Options::default());
    assert_eq!(
        summary(&r.findings),
        [(Kind::AuthPatternChanged, Severity::Info, Part::Call, None)]
    );
    assert!(
        r.findings[0].message.starts_with("internal calls changed"),
        "{}",
        r.findings[0].message
    );
    assert_eq!(r.suppressed.cache_dependent_calls, 1);
    let strict = compared(
        &seed,
        &variant,
        Options {
            strict_plumbing: true,
            ..Options::default()
        },
    );
    assert_eq!(
        strict.iter().map(|f| f.kind).collect::<Vec<_>>(),
        [Kind::ExtraCall]
    );
}

#[test]
fn a_documentation_page_agrees_with_its_own_diagram() {
    // Seed 004's diagram as the author drew it: `{image_uuid}`-style names, `AUTH_{service_id}`,
    // responses without bodies.
    let found = compared(
        &fixture_text("image-create.doc.md"),
        &fixture_text("image-create.diagram-placeholders.mermaid.md"),
        Options::default(),
    );
    assert!(found.is_empty(), "{:#?}", summary(&found));
}
