//! Normalization on the seeds: round trip through hook Markdown, idempotency, regenerated
//! volatile values, signatures across capture points, goldens, secrets, and the CLI.

pub(crate) mod regenerate;
mod round_trip;

use crate::common::{fixture, fixture_text, flowdiff, scratch_dir, stderr, stdout};
use flowdiff::golden;
use flowdiff::normalize::{normalize, signature, RuleSet};
use flowdiff::parse::parse;
use flowdiff::trace::{Exchange, Trace};
use flowdiff::trace_output::hook_markdown::hook_markdown;
use regex::Regex;
use std::path::PathBuf;

/// The seeds with payloads, and the goldens made from them.
const GOLDENS: [(&str, &str, &str); 4] = [
    (
        "server-create",
        "server-create.hook.md",
        "openstack server create",
    ),
    (
        "image-create",
        "image-create.doc.md",
        "openstack image create",
    ),
    ("image-save", "image-save.hook.md", "openstack image save"),
    ("image-show", "image-show.hook.md", "openstack image show"),
];

const SEEDS: [&str; 5] = [
    "server-create.hook.md",
    "image-create.doc.md",
    "image-save.hook.md",
    "image-show.hook.md",
    "server-create-part.mermaid.txt",
];

fn parsed(name: &str) -> Trace {
    parse(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}:{}: {}", e.line, e.message))
}

fn normalized(name: &str) -> Trace {
    normalize(&parsed(name), &RuleSet::builtin())
}

/// What a round trip must keep of an exchange (source lines change, everything else stays).
fn essence(e: &Exchange) -> String {
    format!(
        "{} -> {} {} {} ?{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        e.caller,
        e.callee,
        e.method,
        e.path,
        e.query.as_deref().filter(|q| !q.is_empty()),
        e.status,
        e.reason,
        e.request.headers,
        e.request.body,
        e.response.headers,
        e.response.body,
        e.completeness,
        e.parent,
        e.adopted
    )
}

#[test]
fn normalized_hook_markdown_reads_back_to_the_same_trace() {
    for seed in SEEDS {
        let once = normalized(seed);
        let text = hook_markdown(&once);
        let mut back =
            parse(&text).unwrap_or_else(|e| panic!("{seed} read back:{}: {}", e.line, e.message));
        flowdiff::normalize::adopt(&mut back, &RuleSet::builtin());
        assert_eq!(back.name, once.name, "{seed}");
        assert_eq!(back.variables, once.variables, "{seed}");
        assert_eq!(back.exchanges.len(), once.exchanges.len(), "{seed}");
        for (i, (a, b)) in once.exchanges.iter().zip(&back.exchanges).enumerate() {
            assert_eq!(essence(a), essence(b), "{seed} step {}", i + 1);
        }
        let kinds = |t: &Trace| {
            t.events
                .iter()
                .map(|e| (e.kind, e.exchange))
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(&back), kinds(&once), "{seed}: event order");
        // Reading back and normalizing again gives the same text.
        assert_eq!(
            hook_markdown(&normalize(&back, &RuleSet::builtin())),
            text,
            "{seed}"
        );
    }
}

#[test]
fn normalizing_a_seed_twice_changes_nothing() {
    for seed in SEEDS {
        let once = normalized(seed);
        assert_eq!(normalize(&once, &RuleSet::builtin()), once, "{seed}");
    }
}

#[test]
fn seeds_with_every_volatile_value_regenerated_normalize_to_identical_text() {
    // What `flowdiff normalize` writes, rendered in-process (the CLI's output is held to this
    // rendering by `secrets::the_sweep_sees_what_the_cli_prints`).
    let rules = RuleSet::builtin();
    let written = |text: &str| hook_markdown(&normalize(&parse(text).expect("a capture"), &rules));
    for seed in SEEDS {
        let original = fixture_text(seed);
        let copy = regenerate::regenerate(&original);
        assert_ne!(copy, original, "{seed}: the generator changed nothing");
        if let Some(diff) = first_difference(&written(&original), &written(&copy)) {
            panic!("{seed}: {diff}");
        }
    }
}

/// The first differing line of two texts, for readable failures.
fn first_difference(old: &str, new: &str) -> Option<String> {
    let (mut a, mut b) = (old.lines(), new.lines());
    for line in 1.. {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => return Some(format!("line {line}: {x:?} vs {y:?}")),
        }
    }
    None
}

#[test]
fn the_same_call_seen_by_client_and_by_service_has_one_signature() {
    let rules = RuleSet::builtin();
    let doc = normalized("image-create.doc.md");
    let hook = normalized("server-create.hook.md");
    let save = normalized("image-save.hook.md");
    let find = |t: &Trace, method: &str, path: &str| -> Exchange {
        t.exchanges
            .iter()
            .find(|e| e.method == method && e.path == path)
            .unwrap_or_else(|| panic!("{method} {path}"))
            .clone()
    };
    // The client's version discovery of glance: `/image` on the doc page, `/` behind the web server.
    let a = signature(&find(&doc, "GET", "/image"), &rules);
    let b = signature(&find(&hook, "GET", "/"), &rules);
    assert_eq!(a, b);
    assert_eq!(a.to_string(), "openstack -> glance-api GET /");
    // keystone discovery with and without the trailing slash, under either name.
    let a = signature(&find(&doc, "GET", "/identity"), &rules);
    let b = signature(&find(&hook, "GET", "/identity/"), &rules);
    assert_eq!(a, b);
    // The image upload path template matches the download's: same resource, prefix gone.
    let put = signature(
        &find(&doc, "PUT", "/image/v2/images/{image_id}/file"),
        &rules,
    );
    let get = signature(&find(&save, "GET", "/v2/images/{image_id}/file"), &rules);
    assert_eq!(put.path, get.path);
    assert_eq!(put.caller, get.caller);
    assert_eq!(put.callee, get.callee);
}

#[test]
fn doc_page_names_survive_and_paths_are_named_from_context() {
    // The page's variables note names its values: its names win over what context would say
    // (`endpoints/<hex>` would be `{endpoint_id}`, `AUTH_<hex>` `{project_id}`).
    let doc = normalized("image-create.doc.md");
    let names: Vec<&str> = doc.variables.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"image_id"), "{names:?}");
    assert!(names.contains(&"image_endpoint_id"), "{names:?}");
    assert!(!names.contains(&"endpoint_id"), "{names:?}");
    let swift = doc
        .exchanges
        .iter()
        .find(|e| e.method == "PUT" && e.callee == "swift-proxy-server")
        .expect("the swift upload");
    assert!(
        swift.path.starts_with("/v1/AUTH_{service_id}/"),
        "{}",
        swift.path
    );
    assert!(swift.path.ends_with("/glance/{image_id}"), "{}", swift.path);
    let server = normalized("server-create.hook.md");
    let names: Vec<&str> = server.variables.iter().map(|(n, _)| n.as_str()).collect();
    for name in ["image_id", "network_id", "server_id", "port_id"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(format!("{name}.md"))
}

#[test]
fn committed_goldens_are_what_normalize_writes_today() {
    for (name, seed, flow) in GOLDENS {
        let fixture_path = fixture(seed).to_string_lossy().into_owned();
        let out = flowdiff(&["normalize", &fixture_path, "--flow", flow]);
        assert!(out.status.success(), "{seed}: {}", stderr(&out));
        let committed = std::fs::read_to_string(golden_path(name)).expect("golden exists");
        let drift = first_difference(&committed, &stdout(&out)).unwrap_or_default();
        assert!(
            stdout(&out) == committed,
            "golden/{name}.md drifted ({drift}) from the normalizer: regenerate it with\n  flowdiff normalize tests/fixtures/{seed} --flow '{flow}' -o golden/{name}.md"
        );
    }
}

#[test]
fn builtin_goldens_are_the_committed_files() {
    let builtin = golden::builtin();
    assert_eq!(builtin.len(), GOLDENS.len());
    for (name, _, flow) in GOLDENS {
        let g = builtin.iter().find(|g| g.name == name).expect("built in");
        assert_eq!(g.source, format!("golden/{name}.md"));
        assert_eq!(
            g.text,
            std::fs::read_to_string(golden_path(name)).expect("golden")
        );
        let trace = parse(&g.text).expect("a golden parses");
        assert_eq!(trace.name.as_deref(), Some(flow));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden");
    let loaded = golden::load_dir(&dir).expect("golden dir loads");
    let mut names: Vec<&str> = loaded.iter().map(|g| g.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["image-create", "image-save", "image-show", "server-create"]
    );
}

#[test]
fn no_golden_file_holds_a_secret() {
    let fernet = Regex::new(r"gAAAAA[A-Za-z0-9_-]{20,}").expect("regex");
    let password = Regex::new(r#""(?i:password|secret)"\s*:\s*"([^"]*)""#).expect("regex");
    let token_header =
        Regex::new(r"(?im)^\s*x-(?:auth|subject|service)-token:\s*(.*)$").expect("regex");
    let placeholder = Regex::new(r"^b?'?\{[a-z_0-9]+\}'?$").expect("regex");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden");
    let mut files = vec![dir.clone()];
    let mut scanned = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .expect("list")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read golden");
        scanned += 1;
        let shown = path.display();
        assert!(!fernet.is_match(&text), "{shown}: a Fernet token");
        for caps in password.captures_iter(&text) {
            assert!(
                placeholder.is_match(&caps[1]),
                "{shown}: password {:?}",
                &caps[1]
            );
        }
        for caps in token_header.captures_iter(&text) {
            assert!(
                placeholder.is_match(caps[1].trim()),
                "{shown}: token header {:?}",
                &caps[1]
            );
        }
    }
    assert!(scanned >= GOLDENS.len());
}

#[test]
fn rules_lists_every_rule_with_its_origin() {
    let out = flowdiff(&["rules"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for rule in RuleSet::builtin().rules() {
        assert!(
            text.contains(&format!(
                "{} (built-in, rules/default.toml:{})",
                rule.name, rule.line
            )),
            "{}",
            rule.name
        );
    }
    let dir = scratch_dir("rules-cli");
    let file = dir.join("ours.toml");
    std::fs::write(&file, "# Our header.\n[[rule]]\nname = \"transport-headers\"\nheader = \"X-Ours\"\naction = \"ignore\"\n").expect("write");
    let file = file.to_string_lossy().into_owned();
    let out = flowdiff(&["rules", "--rules", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("transport-headers ({file}:2)")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_bad_rules_file_exits_2_naming_every_bad_rule() {
    let dir = scratch_dir("rules-bad");
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[[rule]]\nname = \"a\"\nvalue = \"(\"\naction = \"placeholder\"\nplaceholder = \"x\"\n\n[[rule]]\nname = \"b\"\nheader = \"X\"\naction = \"explode\"\n").expect("write");
    let file = file.to_string_lossy().into_owned();
    let out = flowdiff(&[
        "normalize",
        &fixture("image-show.hook.md").to_string_lossy(),
        "--rules",
        &file,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{file}:1: rule `a`: invalid regex in `value`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{file}:7: rule `b`: unknown action `explode`")),
        "{err}"
    );
}

#[test]
fn normalize_writes_atomically_and_leaves_the_target_alone_on_error() {
    let dir = scratch_dir("normalize-out");
    let out_file = dir.join("out.md");
    let out_path = out_file.to_string_lossy().into_owned();
    let seed = fixture("image-show.hook.md").to_string_lossy().into_owned();
    let run = flowdiff(&[
        "normalize",
        &seed,
        "--flow",
        "openstack image show",
        "-o",
        &out_path,
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let written = std::fs::read_to_string(&out_file).expect("written");
    assert!(written.starts_with("# openstack image show\n"));
    let bad = dir.join("bad.md");
    std::fs::write(&bad, "not a capture at all\n").expect("write");
    let run = flowdiff(&["normalize", &bad.to_string_lossy(), "-o", &out_path]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&out_file).expect("still there"),
        written
    );
    assert_eq!(
        std::fs::read_dir(&dir).expect("list").count(),
        2,
        "no temporary left"
    );
}
